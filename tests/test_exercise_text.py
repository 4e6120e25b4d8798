"""Each exercise's text has one source, the registry: the notebooks' hint cells and check headings
are written from it (`python -m autograder sync-text`), and the README's course map agrees."""
import re

import pytest

import autograder
from autograder import exercise_text
from tests.helpers import ROOT, read

EXERCISES = autograder.exercises()


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_the_notebook_says_what_the_registry_says(exercise):
    cells = {c.id: c for c in read(exercise.notebook).cells}
    assert cells[f"{exercise.name}-hint"].source == exercise_text.hint_cell(exercise), \
        "hint cell out of date: run `python -m autograder sync-text` and `make course`"
    first = cells[exercise.grade_id("visible")].source.splitlines()[0]
    assert first == exercise_text.visible_check_first_line(exercise), "run `python -m autograder sync-text`"
    hidden = cells[exercise.grade_id("hidden")].source.splitlines()[0]
    assert hidden == exercise_text.hidden_check_points(exercise, hidden)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_hints_come_in_steps(exercise):
    assert len(exercise.hints) >= 2, f"{exercise.name}: a nudge first, then the idea, the formula last"
    assert all(step.strip() for step in exercise.hints)


def test_sync_finds_a_stale_cell(tmp_path):
    nb = read(EXERCISES[0].notebook)
    cell = next(c for c in nb.cells if c.id == f"{EXERCISES[0].name}-hint")
    cell.source = "an old hint"
    assert exercise_text.sync_notebook(nb, EXERCISES[0].notebook) == [cell.id]
    assert cell.source == exercise_text.hint_cell(EXERCISES[0])


def test_the_readme_course_map_has_the_registrys_points():
    text = (ROOT / "README.md").read_text()
    for assignment in autograder.registry.assignments():
        row = next((line for line in text.splitlines() if line.startswith("|") and f"`{assignment}`" in line), None)
        assert row, f"README's course map has no row for {assignment}"
        exercises = autograder.exercises(assignment)
        for e in exercises:
            assert f"`{e.name}` ({e.points['visible']}+{e.points['hidden']})" in row, (assignment, e.name)
        auto = sum(e.total_points for e in exercises)
        assert re.search(rf"\| {auto} auto\b", row), (assignment, auto)
