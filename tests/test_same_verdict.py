"""What passes in the learner's kernel passes at grading, and what fails there fails here: every
catalogued mistake and correct variant (tests/catalogue/) gets, check by check, the same verdict from
the learner's own check (``autograder.verify``, what a notebook's test cell runs) and from trusted
grading (the grading command's ``Grader``: the sandbox, the release, the grading secret's cases), in
English, and for 02-pooling-math in Chinese too. (``nbgrader autograde`` gives the grading command's
scores: tests/test_nbgrader.py and the benchmarks compare the two on every grade cell.)

The hidden check is compared on the same cases on both sides: the learner's kernel uses the
grading secret here, as this test session has it (tests/conftest.py)."""
from __future__ import annotations

import pytest

import autograder
from autograder.trusted import Grader
from tests.catalogue import catalogue
from tests.helpers import learner_namespace, learner_submission

MISTAKES, CORRECT = catalogue()
EVERY = MISTAKES + CORRECT


@pytest.fixture(scope="module")
def grader():
    return Grader("cpu")


def _kernel(assignment, variant) -> dict:
    namespace = learner_namespace(assignment, {variant.cell: variant.source})
    func = namespace[autograder.get(variant.exercise).function]
    return {which: autograder.verify(variant.exercise, func, which).passed for which in ("visible", "hidden")}


def _graded(grader, assignment, variant, language="en") -> dict:
    nb = learner_submission(assignment, {variant.cell: variant.source}, language=language)
    result = grader.grade_notebook(nb, assignment, str(variant))
    assert result.error is None and not result.grader_notes, (result.error, result.grader_notes)
    return {c["which"]: c["passed"] for c in result.cells if c["exercise"] == variant.exercise}


@pytest.mark.parametrize("assignment,variant", EVERY, ids=[str(v) for _, v in EVERY])
def test_the_kernel_and_grading_agree(grader, assignment, variant):
    assert _kernel(assignment, variant) == _graded(grader, assignment, variant)


ZH = [(a, v) for a, v in EVERY if a == "02-pooling-math"]


@pytest.mark.parametrize("assignment,variant", ZH, ids=[str(v) for _, v in ZH])
def test_a_chinese_notebook_is_graded_as_the_english_one(grader, assignment, variant):
    assert _graded(grader, assignment, variant, "zh") == _graded(grader, assignment, variant)
