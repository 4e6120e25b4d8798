"""The registry agrees with the notebooks: grade cells, points, function names and signatures."""
import inspect
import re

import pytest

import autograder
from autograder.registry import assignments
from tests.helpers import SOLUTIONS, learner_namespace, nbgrader_meta, read, solution_assignments

EXERCISES = autograder.exercises()


def test_the_assignments_are_the_solution_folders():
    """Derived from the chapter modules, they are exactly the notebooks in solutions/."""
    assert list(assignments()) == solution_assignments()


def test_every_solution_folder_is_a_known_assignment_with_exercises():
    assert solution_assignments(), "no solution notebooks"
    for assignment in solution_assignments():
        assert assignment in assignments()
        assert autograder.exercises(assignment), f"{assignment} has no registered exercise"
        assert (SOLUTIONS / assignment / f"{assignment}.ipynb").exists()


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_grade_cells_match_the_registry(exercise):
    cells = {c.id: c for c in read(exercise.notebook).cells}
    assert exercise.function in cells and nbgrader_meta(cells[exercise.function]).get("solution")
    for which in ("visible", "hidden"):
        cell = cells[exercise.grade_id(which)]
        meta = nbgrader_meta(cell)
        assert meta["grade"] and meta["grade_id"] == cell.id
        assert meta["points"] == exercise.points[which]
        assert cell.source.splitlines()[0].startswith("# "), "a grade cell opens with what it checks"
        assert f"({exercise.points[which]} point" in cell.source.splitlines()[0]
        call = f'check("{exercise.name}", {exercise.function}' + (", hidden=True)" if which == "hidden" else ")")
        assert call in cell.source
    assert "### BEGIN HIDDEN TESTS" in cells[exercise.grade_id("hidden")].source


@pytest.mark.parametrize("assignment", solution_assignments())
def test_every_graded_code_cell_belongs_to_an_exercise(assignment):
    ids = {e.grade_id(w) for e in autograder.exercises(assignment) for w in ("visible", "hidden")}
    for cell in read(assignment).cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade") and cell.cell_type == "code":
            assert cell.id in ids, f"grade cell {cell.id} is not in the registry"
        if meta.get("grade") and cell.cell_type == "markdown":
            assert meta.get("solution") and meta["points"] > 0, "written answers are manually graded"
            assert "Rubric" in cell.source, f"{cell.id}: the written answer needs a rubric for the instructor"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_solution_signature_is_the_registered_one(exercise):
    func = learner_namespace(exercise.notebook)[exercise.function]
    assert str(inspect.signature(func)) == exercise.signature
    assert exercise.parameters == list(inspect.signature(func).parameters)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_exercise_has_cases_hint_and_unique_id(exercise):
    assert re.fullmatch(r"[a-z][a-z0-9_]*", exercise.name)
    assert exercise.cases("visible") and len(exercise.cases("hidden")) >= len(exercise.cases("visible"))
    assert len(exercise.hints) >= 2 and exercise.covers and exercise.reference_op.startswith(("tf.", "keras."))


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(KeyError, match="pool2d"):
        autograder.get("pool3d")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_exercise_has_a_hint_to_reveal_between_its_cell_and_its_check(exercise):
    ids = [c.id for c in read(exercise.notebook).cells]
    cells = read(exercise.notebook).cells
    start, end = ids.index(exercise.function), ids.index(exercise.grade_id("visible"))
    hints = [c for c in cells[start:end] if c.cell_type == "markdown" and "<details>" in c.source]
    assert hints, f"{exercise.name}: no collapsed hint between its solution cell and its visible check"
