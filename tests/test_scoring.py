"""Partial credit, as an instructor's choice: one setting in nbgrader_config.py, the same fractional
scores on every path (the grading command's JSON, nbgrader's gradebook, grades.csv, the class
report, the feedback); the default course scores all or nothing, as before."""
from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from autograder.scoring import points
from tests.catalogue import pooling_math as catalogue
from tests.helpers import course_root, env, learner_submission, run

A = "02-pooling-math"
SLIP = next(v for v in catalogue.MISTAKES if v.name == "np.zeros output: float64 for integer maps")
PARTIAL = "\nc.Scoring.partial_credit = True\nc.Scoring.decimals = 1\n"


@pytest.mark.parametrize("full,passed,total,rule,expected", [
    (2, 5, 7, (True, 1), 1.4), (3, 5, 7, (True, 1), 2.1), (3, 5, 7, (True, 0), 2), (2, 1, 8, (True, 1), 0.3),
    (2, 7, 7, (True, 1), 2), (2, 5, 7, (False, 1), 0), (2, 0, 7, (True, 1), 0), (2, 1, 4, (True, 1), 0.5),
    (5, 1, 8, (True, 2), 0.63),  # 0.625 rounded half up, not to the even 0.62
])
def test_points_in_proportion_rounded_half_up(full, passed, total, rule, expected):
    assert points(full, passed, total, rule) == expected


def test_a_speed_requirement_is_one_more_case_and_a_missing_function_passes_none():
    from autograder import registry
    from autograder.judge import Failure, Verdict

    fast = registry.get("max_pool_fast")
    speed_only = Verdict(fast, "hidden", 45, [Failure(object(), "too slow")], "/CPU:0", "")
    assert speed_only.cases_passed == (45, 46) and speed_only.score((True, 1)) == pytest.approx(3.9)
    missing = Verdict(fast, "hidden", 45, [Failure(None, "no such function")], "/CPU:0", "")
    assert missing.cases_passed == (0, 46) and missing.score((True, 1)) == 0


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course whose nbgrader_config.py turns partial credit on; an honest learner and one with a
    dtype slip, graded by the grading command and by nbgrader (autograde, export, feedback), and
    the class report."""
    root = course_root(tmp_path_factory.mktemp("scoring") / "course", A, PARTIAL, {
        "ada": learner_submission(A), "slip": learner_submission(A, {SLIP.cell: SLIP.source})})
    subprocess.run([sys.executable, "-m", "autograder", "grade", "grading/submitted", "--format", "json", "--output",
                    "fast.json"], cwd=root, env=env(), capture_output=True, text=True, timeout=900)
    run(["nbgrader", "autograde", A], cwd=root, timeout=1200)
    run(["nbgrader", "export"], cwd=root)
    run(["nbgrader", "generate_feedback", A], cwd=root)
    run([sys.executable, "-m", "autograder", "report", "--output", "grading/report.html"], cwd=root)
    return root


@pytest.mark.nbgrader
def test_partial_credit_is_the_same_on_every_path(course):
    from nbgrader.api import Gradebook

    fast = {s["student"]: s for s in json.loads((course / "fast.json").read_text())["submissions"]}
    assert json.loads((course / "fast.json").read_text())["scoring"] == [True, 1]
    slip = {c["grade_id"]: c for c in fast["slip"]["cells"]}
    visible = slip["pool2d_visible"]
    passed, total = visible["cases"]
    assert 0 < passed < total and visible["score"] == points(2, passed, total, (True, 1)) > 0
    assert f"{passed} of {total} cases: {visible['score']:g} of 2 points" in visible["message"]
    assert fast["ada"]["score"] == 8
    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gb:
        book = {g: gb.find_grade(g, A, A, "slip").auto_score for g in slip}
    assert book == pytest.approx({g: c["score"] for g, c in slip.items()})
    total_score = round(sum(book.values()), 6)
    assert total_score == pytest.approx(fast["slip"]["score"]) and total_score % 1  # a fractional score
    rows = {r["student_id"]: r for r in csv.DictReader((course / "grading" / "grades.csv").open())}
    assert float(rows["slip"]["raw_score"]) == pytest.approx(total_score)
    feedback = (course / "grading" / "feedback" / "slip" / A / f"{A}.html").read_text()
    assert f"{visible['score']:g}" in feedback and f"{passed} of {total} cases" in feedback
    assert f"{total_score:g}" in (course / "grading" / "report.html").read_text()


def test_the_default_course_scores_all_or_nothing():
    from autograder.trusted import Grader

    result = Grader("cpu").grade_notebook(learner_submission(A, {SLIP.cell: SLIP.source}), A, "slip")
    pool2d = {c["grade_id"]: c["score"] for c in result.cells if c["exercise"] == "pool2d"}
    assert set(pool2d.values()) <= {0} or all(isinstance(v, int) for v in pool2d.values())
    assert all(c["score"] in (0, c["max_score"]) for c in result.cells)
