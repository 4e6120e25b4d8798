"""The fast path over the catalogues: every mistake loses its exercise's points, with a message
that names the failing case; every correct variant keeps full marks.

Fast path: the learner's cells run in this process and ``autograder.verify`` judges them, the same
code the notebooks' test cells call. test_nbgrader.py runs a subset through real nbgrader.
"""
import pytest

import autograder
from tests.catalogue import catalogue
from tests.helpers import learner_namespace

MISTAKES, CORRECT = catalogue()


def _verdicts(assignment, variant):
    namespace = learner_namespace(assignment, {variant.cell: variant.source})
    exercise = autograder.get(variant.exercise)
    func = namespace[exercise.function]
    return exercise, [autograder.verify(exercise.name, func, which) for which in ("visible", "hidden")]


@pytest.mark.parametrize("assignment,variant", MISTAKES, ids=[str(v) for _, v in MISTAKES])
def test_mistake_loses_points_and_names_the_case(assignment, variant):
    exercise, verdicts = _verdicts(assignment, variant)
    earned = sum(v.points for v in verdicts)
    assert earned < exercise.total_points, f"{variant.name} earned full marks"
    for verdict in verdicts:
        if verdict.passed:
            continue
        case = verdict.failures[0].case
        assert case.call(exercise.function) in verdict.message
        assert case.label in verdict.message
        assert "Traceback" not in verdict.message


@pytest.mark.parametrize("assignment,variant", CORRECT, ids=[str(v) for _, v in CORRECT])
def test_correct_variant_gets_full_marks(assignment, variant):
    exercise, verdicts = _verdicts(assignment, variant)
    for verdict in verdicts:
        assert verdict.passed, verdict.message


def test_catalogue_is_big_enough():
    assert len(MISTAKES) >= 5 and len(CORRECT) >= 2
    for exercise in autograder.exercises():
        mine = [v for _, v in MISTAKES if v.exercise == exercise.name]
        assert len(mine) >= 3, f"{exercise.name}: only {len(mine)} catalogued mistakes"
