"""Every grading secret draws hidden cases that can be graded, and a case that cannot fails closed.

A grading secret is made at random on a class's first day; before judging anyone the grader
computes TensorFlow's answer to each hidden case. If one reference cannot be computed, that must
never stop the class's grading. So:

* hundreds of seeded secrets (drawn by Hypothesis) have their hidden cases drawn for every
  exercise; each case's label exists in English and in Chinese; a case's reference depends on its
  structure (shapes, dtypes and the other arguments), not on the random values, so one reference
  per structure is computed: all of them for ``same_padding`` (every input its generator can
  draw), the smallest structures (where references have failed: 1-cell inputs, windows wider than
  the input) plus a seeded sample for the others;
* a secret that used to fail (it drew ``same_padding(input_length=1, kernel_size=8, dilation=3)``)
  grades a class normally;
* a reference forced to fail leaves that case out of every learner's grade, with one note for the
  instructor and exit status 3, never a stop and never a zero.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder import registry
from autograder.cases import distinct
from autograder.i18n import label, speaking
from autograder.references.convolution import same_padding_reference, same_padding_rule
from autograder.secret import hidden_rng

N_SECRETS = 300
SMALLEST, SAMPLED = 120, 40  # structures per exercise whose reference is computed (same_padding: all)
HEAVY = {"lenet_shapes": (25, 10), "conv2d_output_shape": (60, 20)}  # tens of ms per reference

# One drawing of N_SECRETS secrets for the whole module: Hypothesis, derandomised (the same
# secrets in every run), as 32 hex digits like the ones `autograder.secret.ensure` makes.
_drawn: list[str] = []


@settings(max_examples=N_SECRETS, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(st.binary(min_size=16, max_size=16))
def _draw_secrets(raw):
    _drawn.append(raw.hex())


def secrets() -> list[str]:
    if not _drawn:
        _draw_secrets()
    return sorted(set(_drawn))


def structure(case) -> tuple:
    """What a reference depends on: array shapes and dtypes, and every other argument's value."""
    parts = []
    for name, value in case.kwargs.items():
        if isinstance(value, np.ndarray):
            parts.append((name, value.dtype.str, value.shape))
        else:
            parts.append((name, repr(value)))
    return tuple(parts)


def drawn_cases(exercise) -> list:
    """One case per structure, over every secret: ``[(structure, case, secret)]``, smallest first."""
    found = {}
    for secret in secrets():
        for case in distinct(exercise.hidden_cases(hidden_rng(exercise.name, secret))):
            if case.raises is None:
                found.setdefault(structure(case), (case, secret))
    return sorted(((key, case, secret) for key, (case, secret) in found.items()), key=lambda t: t[1].size)


def test_the_secrets_are_many_and_distinct():
    assert len(secrets()) >= N_SECRETS * 0.95


@pytest.mark.parametrize("name", [e.name for e in registry.exercises()])
def test_every_hidden_case_of_many_secrets_has_a_reference(name):
    exercise = registry.get(name)
    cases = drawn_cases(exercise)
    smallest, sampled = HEAVY.get(name, (SMALLEST, SAMPLED))
    if name == "same_padding":
        chosen = cases
    else:
        rest = cases[smallest:]
        picks = np.random.default_rng(25).choice(len(rest), size=min(sampled, len(rest)), replace=False)
        chosen = cases[:smallest] + [rest[i] for i in sorted(picks)]
    failed = []
    for _key, case, secret in chosen:
        try:
            exercise.reference(**case.kwargs, device_name="/CPU:0")
        except Exception as exc:  # noqa: BLE001 - every failure is collected and reported
            failed.append(f"secret {secret}: {case.call(exercise.function)}: {type(exc).__name__}: {exc}")
    assert not failed, f"{len(failed)} of {len(chosen)} drawn cases have no reference:\n" + "\n".join(failed[:5])


@pytest.mark.parametrize("name", [e.name for e in registry.exercises()])
def test_every_hidden_label_of_many_secrets_speaks_chinese(name):
    exercise = registry.get(name)
    untranslated = set()
    for secret in secrets():
        for case in distinct(exercise.hidden_cases(hidden_rng(exercise.name, secret))):
            with speaking("zh"):
                chinese = label(case.label)
            if not case.label or chinese == case.label or not re.search(r"[\u4e00-\u9fff]", chinese):
                untranslated.add(case.label)
    assert not untranslated, sorted(untranslated)[:5]


def test_same_padding_answers_every_input_its_generator_draws():
    """The generator draws L in 1..40, k in 1..8, stride 1..4 (dilation 1) or dilation 2..3
    (stride 1): every one has TensorFlow's padding, and it is the rule the notebook teaches."""
    wrong = []
    for length in range(1, 41):
        for kernel in range(1, 9):
            for stride, dilation in [(1, 1), (2, 1), (3, 1), (4, 1), (1, 2), (1, 3)]:
                got = same_padding_reference(length, kernel, stride, dilation)
                if got != same_padding_rule(length, kernel, stride, dilation):
                    wrong.append((length, kernel, stride, dilation, got))
    assert not wrong, wrong[:5]


def test_the_reported_secret_failure_is_answered():
    """The issue's three cases: every tap of every window reads padding; the rule decides."""
    assert same_padding_reference(1, 8, 1, 3) == (10, 11)
    assert same_padding_reference(1, 4, 1, 2) == (3, 3)
    assert same_padding_reference(1, 4, 1, 3) == (4, 5)


def a_secret_that_used_to_fail() -> str:
    """The first secret (of many) whose same_padding hidden cases include a 1-cell input that
    every tap of a dilated kernel steps over: the probe alone could not answer it."""
    for secret in secrets():
        for case in registry.get("same_padding").hidden_cases(hidden_rng("same_padding", secret)):
            kw = case.kwargs
            if case.raises is None and kw["input_length"] == 1 and kw.get("dilation", 1) > 1 and kw["kernel_size"] > 2:
                taps = [j * kw["dilation"] - same_padding_rule(**kw)[0] for j in range(kw["kernel_size"])]
                if all(t != 0 for t in taps):
                    return secret
    pytest.skip("none of the drawn secrets draws such a case")


A01 = "01-convolution-output-sizes"
_STUB = "def same_padding(input_length, kernel_size, stride=1, dilation=1):\n    raise NotImplementedError()\n"


@pytest.fixture(scope="module")
def class_01(tmp_path_factory):
    """nbgrader's submitted/ tree of notebook 01: one learner with the model answers, one stub."""
    import nbformat

    from tests.helpers import learner_submission

    root = tmp_path_factory.mktemp("submitted")
    for student, nb in {"ada": learner_submission(A01), "bob": learner_submission(A01, {"same_padding": _STUB})}.items():
        (root / student / A01).mkdir(parents=True)
        nbformat.write(nb, root / student / A01 / f"{A01}.ipynb")
    return root


def _grade(root, tmp_path, secret):
    import json
    import subprocess
    import sys

    from tests.helpers import ROOT

    out = tmp_path / "grades.json"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(root), "--jobs", "2", "--format", "json",
                           "--output", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "AUTOGRADER_SECRET": secret})
    return proc, (json.loads(out.read_text()) if out.exists() else None)


def test_a_secret_that_used_to_fail_grades_a_class_normally(class_01, tmp_path):
    proc, data = _grade(class_01, tmp_path, a_secret_that_used_to_fail())
    assert proc.returncode == 1, proc.stderr  # bob lost points; nobody's grading stopped
    assert "grader problem" not in proc.stderr
    scores = {s["student"]: s["score"] for s in data["submissions"]}
    assert scores == {"ada": 13, "bob": 9}


def test_a_reference_that_fails_is_left_out_for_everyone_with_one_note(class_01, monkeypatch, capsys):
    """Forced: the reference of one hidden case raises. That case counts for nobody; the others
    are graded; the instructor reads one note (not one per learner); the status is 3."""
    import dataclasses

    from autograder import cli

    exercise = registry.get("same_padding")
    broken_case = exercise.cases("hidden")[0]
    real = exercise.reference

    def reference(**kwargs):
        device_name = kwargs.pop("device_name", None)
        if kwargs == broken_case.kwargs:
            raise RuntimeError("forced failure of the reference")
        return real(**kwargs, device_name=device_name)

    monkeypatch.setitem(registry._REGISTRY, "same_padding", dataclasses.replace(exercise, reference=reference))
    status = cli.main(["grade", str(class_01), "--jobs", "2", "--format", "json"])
    captured = capsys.readouterr()
    assert status == cli.EXIT_GRADER
    notes = [line for line in captured.err.splitlines() if "grader problem" in line]
    assert len(notes) == 1 and "forced failure of the reference" in notes[0], captured.err
    import json

    data = json.loads(captured.out)
    scores = {s["student"]: s["score"] for s in data["submissions"]}
    assert scores == {"ada": 13, "bob": 9}  # nobody got a zero for the grader's problem
    ada = next(s for s in data["submissions"] if s["student"] == "ada")
    hidden = next(c for c in ada["cells"] if c["grade_id"] == "same_padding_hidden")
    assert hidden["passed"] and "could not be checked" in hidden["message"]
    assert ada["grader_notes"] and "forced failure" in ada["grader_notes"][0]
