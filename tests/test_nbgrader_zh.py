"""A Chinese class through the real nbgrader, from a course root with COURSE_LANGUAGE=zh.

nbgrader generates ``course-zh/`` from ``solutions-zh/`` (exactly the committed ``course-zh/``),
autogrades every assignment's model answer (full marks, pass lines in Chinese) and released stub
(zero) with the trusted pipeline, writes feedback in Chinese with no hidden test in it, and
exports. One nbgrader command per step for all assignments (``'*'``): each command's start
(TensorFlow's import included) is most of its cost.
"""
import csv
import json
import re
import shutil

import nbformat
import pytest

import autograder
from tests.helpers import ROOT, learner_submission, read, run, solution_assignments

pytestmark = pytest.mark.nbgrader

ASSIGNMENTS = solution_assignments()
ZH_SOLUTIONS, ZH_COURSE = ROOT / "solutions-zh", ROOT / "course-zh"
ZH = {"COURSE_LANGUAGE": "zh"}
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def zh_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("zh-course-root")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ZH_SOLUTIONS, root / "solutions-zh")
    run(["nbgrader", "generate_assignment", "*", "--force"], cwd=root, extra_env=ZH)
    for assignment in ASSIGNMENTS:
        for student, solved in (("solution", True), ("stub", False)):
            folder = root / "grading" / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nb = (learner_submission(assignment, language="zh", course=root / "course-zh") if solved
                  else read(assignment, root / "course-zh"))
            nbformat.write(nb, folder / f"{assignment}.ipynb")
    run(["nbgrader", "autograde", "*"], cwd=root, extra_env=ZH, timeout=1800)
    run(["nbgrader", "generate_feedback", "*"], cwd=root, extra_env=ZH)
    run(["nbgrader", "export"], cwd=root, extra_env=ZH)
    return root


def test_course_zh_is_what_nbgrader_generates(zh_class):
    made_root = zh_class / "course-zh"
    made = sorted(p.relative_to(made_root) for p in made_root.rglob("*") if p.is_file())
    have = sorted(p.relative_to(ZH_COURSE) for p in ZH_COURSE.rglob("*") if p.is_file())
    assert made == have, "course-zh/ has different files: run `make course`"
    for rel in made:
        if rel.suffix == ".ipynb":
            assert json.loads((made_root / rel).read_text()) == json.loads((ZH_COURSE / rel).read_text()), \
                f"{rel} is stale: run `make course`"


def _grades(root, assignment, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(assignment, assignment, student)
        return {g.name: (g.score, g.max_score) for g in nb.grades if g.auto_score is not None}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_model_answers_get_full_marks_and_the_stubs_zero_in_chinese(zh_class, assignment):
    solution = _grades(zh_class, assignment, "solution")
    assert solution and all(s == m for s, m in solution.values()), solution
    # the same grade ids and points as the English course
    expected = {e.grade_id(w): p for e in autograder.exercises(assignment) for w, p in e.points.items()}
    assert {k: m for k, (_, m) in solution.items()} == expected
    assert all(s == 0 for s, _ in _grades(zh_class, assignment, "stub").values())
    graded = nbformat.read(zh_class / "grading" / "autograded" / "solution" / assignment / f"{assignment}.ipynb",
                           as_version=4)
    for exercise in autograder.exercises(assignment):
        for which in ("visible", "hidden"):  # every check's pass line in Chinese
            cell = next(c for c in graded.cells if c.id == exercise.grade_id(which))
            text = "".join(o.get("text", "") for o in cell.outputs)
            assert text.startswith("\u2714") and CJK.search(text.splitlines()[0]), text[:300]


def test_feedback_is_in_chinese_without_hidden_tests_and_the_export_lists_everyone(zh_class):
    for assignment in ASSIGNMENTS:
        for student in ("solution", "stub"):
            html = (zh_class / "grading" / "feedback" / student / assignment / f"{assignment}.html").read_text()
            assert "BEGIN HIDDEN TESTS" not in html and "hidden=True" not in html, f"{student}: hidden tests leaked"
            assert CJK.search(html)
    # graded against course-zh/: a demonstration cell the learner never touched is not run, so none shows an
    # error in the feedback (before: pool2d-demo's NameError and gradient-probe's PermissionError, keras.json)
    for assignment in ASSIGNMENTS:
        for student in ("solution", "stub"):
            nb = nbformat.read(zh_class / "grading" / "autograded" / student / assignment / f"{assignment}.ipynb",
                               as_version=4)
            ran = [c.id for c in nb.cells if c.cell_type == "code" and not c.get("metadata", {}).get("nbgrader")
                   and c.get("id") != "setup" and c.get("outputs")]
            assert not ran, (student, assignment, ran)
    with open(zh_class / "grading" / "grades.csv") as f:
        rows = {(r["assignment"], r["student_id"]) for r in csv.DictReader(f)}
    assert {(a, s) for a in ASSIGNMENTS for s in ("solution", "stub")} <= rows
