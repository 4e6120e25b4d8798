"""autograder.cases: seeded, reproducible cases with ties and negatives."""
import numpy as np
import pytest

import autograder
from autograder.cases import Case, distinct, feature_map, rng, sized
from tests.helpers import learner_namespace


def test_same_seed_same_values():
    a = feature_map(rng(7), (5, 5), np.float32)
    b = feature_map(rng(7), (5, 5), np.float32)
    assert a.dtype == np.float32 and np.array_equal(a, b)
    assert not np.array_equal(a, feature_map(rng(8), (5, 5), np.float32))


def test_values_have_ties_and_negatives():
    for dtype in (np.int32, np.float64):
        x = feature_map(rng(1), (8, 8), dtype)
        assert x.dtype == dtype
        assert (x < 0).any()
        assert len(np.unique(x)) < x.size  # repeated values: ties in windows


def test_hidden_cases_come_from_the_grading_secret():
    """Same secret, same hidden cases (every learner of a class); another secret, or none (the
    practice cases), other random cases; the named edge cases stay."""
    from autograder.chapter.pooling_math import pool2d_hidden
    from autograder.secret import hidden_rng

    def labels(secret):
        return [c.label for c in pool2d_hidden(hidden_rng("pool2d", secret))]

    assert labels("class-a") == labels("class-a")
    assert labels("class-a") != labels("class-b") != labels(None)
    named = {label for label in labels("class-a") if not label.startswith("random")}
    assert named and named == {label for label in labels(None) if not label.startswith("random")}


def test_without_a_secret_the_hidden_check_says_its_cases_are_practice(monkeypatch, capsys):
    from autograder import registry

    monkeypatch.setattr(registry, "_SECRET", [None, True])
    autograder.check("uncovered_cells", learner_namespace("02-pooling-math")["uncovered_cells"], hidden=True)
    out = capsys.readouterr().out
    assert out.startswith("Practice: the graded hidden cases are your instructor's") and "\u2714" in out


def test_hidden_cases_cover_the_space():
    cases = autograder.get("pool2d").cases("hidden")
    dtypes = {c.kwargs["feature_map"].dtype.name for c in cases}
    assert dtypes >= {"int32", "int64", "float32", "float64"}
    assert {c.kwargs.get("mode", "max") for c in cases} >= {"max", "avg"}
    assert any(isinstance(c.kwargs["pool_size"], tuple) for c in cases)
    assert any(c.raises is ValueError for c in cases)


def test_sized_orders_smallest_first_and_call_is_pasteable():
    big = Case(dict(feature_map=np.zeros((5, 5), np.int32), pool_size=2, stride=2), "big")
    small = Case(dict(feature_map=np.zeros((1, 2), np.int32), pool_size=1, stride=1), "small")
    assert [c.label for c in sized([big, small])] == ["small", "big"]
    call = small.call("pool2d")
    assert call == "pool2d(feature_map=np.array([[0, 0]], dtype=np.int32), pool_size=1, stride=1)"
    assert np.array_equal(eval(call.split("=", 1)[1].split(", pool_size")[0]), small.kwargs["feature_map"])


def test_fresh_kwargs_are_copies():
    case = Case(dict(feature_map=np.zeros((2, 2))), "x")
    case.fresh_kwargs()["feature_map"][0, 0] = 1
    assert case.kwargs["feature_map"][0, 0] == 0


EXERCISES = autograder.exercises()
MAX_CASE_SIZE = 5000  # input elements plus argument sizes: every case stays quick to run and to read


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_case_labels_are_unique_within_an_exercise(exercise):
    """The class report counts failing cases by label: two cases with one label would merge."""
    labels = [c.label for c in exercise.cases("visible") + exercise.cases("hidden")]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    assert not repeated, f"{exercise.name}: repeated labels {repeated[:5]}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_cases_are_rebuilt_identically_from_their_seeds(exercise):
    from autograder.registry import secret_in_use
    from autograder.secret import hidden_rng

    for which, build in (("visible", exercise.visible_cases),
                         ("hidden", lambda: exercise.hidden_cases(hidden_rng(exercise.name, secret_in_use())))):
        registered, fresh = exercise.cases(which), distinct(build())
        assert [c.label for c in registered] == [c.label for c in fresh]
        for a, b in zip(registered, fresh):
            assert a.raises == b.raises and list(a.kwargs) == list(b.kwargs), a.label
            for key in a.kwargs:
                x, y = a.kwargs[key], b.kwargs[key]
                if isinstance(x, np.ndarray):
                    assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), (a.label, key)
                else:
                    assert x == y, (a.label, key)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_case_sizes_are_bounded(exercise):
    sizes = {c.label: c.size for c in exercise.cases("visible") + exercise.cases("hidden")}
    too_big = {label: size for label, size in sizes.items() if size > MAX_CASE_SIZE}
    assert not too_big, too_big


def test_distinct_drops_repeats_and_numbers_shared_labels():
    a = Case(dict(n=1, x=np.zeros(2)), "random case")
    same = Case(dict(n=1, x=np.zeros(2)), "random case")
    other = Case(dict(n=2, x=np.zeros(2)), "random case")
    kept = distinct([a, same, other])
    assert [c.label for c in kept] == ["random case", "random case (2)"] and kept[1].kwargs["n"] == 2
