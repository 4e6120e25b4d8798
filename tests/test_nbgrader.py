"""The real nbgrader workflow from a course root: generate, autograde, feedback, export.

One ``nbgrader autograde '*'`` grades every assignment of every student at once (the trusted
pipeline: no kernel), so the submissions here are chosen to cover every exercise: the solution
(full marks), the released stub (zero), and catalogued mistakes.
"""
import csv
import shutil
from pathlib import Path

import nbformat
import pytest

import autograder
from tests.catalogue import catalogue
from tests.helpers import COURSE, ROOT, SOLUTIONS, learner_submission, read, run, solution_assignments

pytestmark = pytest.mark.nbgrader

ASSIGNMENTS = solution_assignments()
MISTAKES, _ = catalogue()
PER_EXERCISE = 1  # catalogued mistakes per exercise graded by real nbgrader (the fast path runs them all)


def _chosen_mistakes(assignment):
    chosen = []
    for exercise in autograder.exercises(assignment):
        mine = [v for a, v in MISTAKES if a == assignment and v.exercise == exercise.name]
        chosen += mine[:PER_EXERCISE]
    return chosen


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course root with submissions for every assignment, autograded, with feedback and export."""
    root = tmp_path_factory.mktemp("course-root")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(SOLUTIONS, root / "solutions")
    shutil.copytree(COURSE, root / "course")
    students = {}
    run(["nbgrader", "generate_assignment", "*", "--force"], cwd=root)
    for assignment in ASSIGNMENTS:
        subs = {
            "solution": (learner_submission(assignment), None),
            "stub": (read(assignment, COURSE), None),
        }
        for i, variant in enumerate(_chosen_mistakes(assignment)):
            nb = learner_submission(assignment, {variant.cell: variant.source})
            subs[f"mistake{i:02d}"] = (nb, variant)
        for student, (nb, variant) in subs.items():
            folder = root / "grading" / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{assignment}.ipynb")
            students.setdefault(assignment, {})[student] = variant
    # One command per step for every assignment: each command's start is most of its cost.
    run(["nbgrader", "autograde", "*"], cwd=root, timeout=1800)
    run(["nbgrader", "generate_feedback", "*"], cwd=root)
    run(["nbgrader", "export"], cwd=root)
    return root, students


def _scores(root: Path, assignment: str, student: str) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(assignment, assignment, student)
        return {g.name: (g.score, g.max_score, g.auto_score) for g in nb.grades}


def _outputs(root: Path, assignment: str, student: str) -> dict:
    path = root / "grading" / "autograded" / student / assignment / f"{assignment}.ipynb"
    return {c.id: c.get("outputs", []) for c in nbformat.read(path, as_version=4).cells}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_gets_full_autograded_marks(graded, assignment):
    root, _ = graded
    scores = _scores(root, assignment, "solution")
    auto = {k: v for k, v in scores.items() if v[2] is not None}
    assert auto, "no autograded cells"
    for name, (score, max_score, _) in auto.items():
        assert score == max_score, f"{name}: {score}/{max_score}"
    outputs = _outputs(root, assignment, "solution")
    for exercise in autograder.exercises(assignment):
        for which in ("visible", "hidden"):
            texts = [o.get("text", "") for o in outputs[exercise.grade_id(which)]]
            assert any(t.startswith("\u2714") for t in texts), "a passing check says so"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stub_gets_zero(graded, assignment):
    root, _ = graded
    scores = _scores(root, assignment, "stub")
    assert all(score == 0 for score, _, auto in scores.values() if auto is not None)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_mistakes_lose_their_exercise_and_keep_the_others(graded, assignment):
    root, students = graded
    checked = 0
    for student, variant in students[assignment].items():
        if variant is None:
            continue
        exercise = autograder.get(variant.exercise)
        scores = _scores(root, assignment, student)
        ids = [exercise.grade_id(w) for w in ("visible", "hidden")]
        assert sum(scores[i][0] for i in ids) < exercise.total_points, f"{variant} kept full marks"
        for other in autograder.exercises(assignment):
            if other.name != exercise.name:
                for w in ("visible", "hidden"):
                    s, m, _ = scores[other.grade_id(w)]
                    assert s == m, f"{variant} cost points on {other.name}"
        outputs = _outputs(root, assignment, student)
        errors = [o for i in ids for o in outputs[i] if o.output_type == "error"]
        assert errors and all(o.ename == "ExerciseFailed" for o in errors)
        assert any(f"{exercise.function}(" in o.evalue and "smallest failing case" in o.evalue for o in errors)
        checked += 1
    assert checked == len(autograder.exercises(assignment)) * PER_EXERCISE  # every exercise covered


def test_feedback_and_export(graded):
    root, students = graded
    with open(root / "grading" / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    # the export has a row for every student and assignment (zero where nothing was submitted)
    assert {(a, s) for a, subs in students.items() for s in subs} <= {(r["assignment"], r["student_id"]) for r in rows}
    for assignment in ASSIGNMENTS:
        feedback = root / "grading" / "feedback"
        html = (feedback / "stub" / assignment / f"{assignment}.html").read_text()
        assert "not written yet" in html
        for student, variant in students[assignment].items():
            html = (feedback / student / assignment / f"{assignment}.html").read_text()
            assert "BEGIN HIDDEN TESTS" not in html and "hidden=True" not in html, f"{student}: hidden tests leaked"
            if variant is not None:  # a mistake: the failing case and a hint are shown
                assert "The smallest failing case" in html and "Hint:" in html


def test_grading_command_gives_the_same_scores_as_nbgrader(graded):
    """`python -m autograder grade` over nbgrader's submitted/ tree agrees with the gradebook."""
    import json
    import subprocess
    import sys

    root, students = graded
    out = root / "command.json"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(root / "grading" / "submitted"),
                           "--jobs", "2", "--format", "json", "--output", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode in (0, 1), proc.stderr
    command = json.loads(out.read_text())["submissions"]
    assert len(command) == sum(len(s) for s in students.values())
    for sub in command:
        scores = _scores(root, sub["assignment"], sub["student"])
        for cell in sub["cells"]:
            assert scores[cell["grade_id"]][0] == cell["score"], (sub["student"], cell["grade_id"])
