"""The notebook cells written from the registry: one source for each exercise's text.

An exercise's hints (:attr:`~autograder.registry.Exercise.hints`), what its visible check covers
and its points live in the registry. The notebook cells that repeat them are written from it:

* the hint cell ``<exercise>-hint``: each step collapsed on its own, to open one at a time (first a
  nudge, then the idea, the formula last);
* the first line of the visible check ``<exercise>_visible``: its points and what it covers;
* the first line of the hidden check ``<exercise>_hidden``: its points (what it adds is free text).

``python -m autograder sync-text`` rewrites those cells in ``solutions/`` (then ``make course``);
``tests/test_exercise_text.py`` fails when a notebook and the registry disagree.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from . import registry

__all__ = ["hint_cell", "visible_check_first_line", "hidden_check_points", "sync_notebook", "sync"]


def _points(n: int) -> str:
    return f"{n} point{'' if n == 1 else 's'}"


def hint_cell(exercise: registry.Exercise) -> str:
    """The markdown of the exercise's hint cell: every step collapsed on its own."""
    steps = exercise.hints
    blocks = [f"<details><summary><b>Hint {i} of {len(steps)}</b> (click to open)</summary>\n\n{step}\n</details>"
              for i, step in enumerate(steps, 1)]
    return "**Stuck?** Open one hint at a time, and try again after each.\n\n" + "\n\n".join(blocks)


def visible_check_first_line(exercise: registry.Exercise) -> str:
    return f"# Visible check ({_points(exercise.points['visible'])}): {exercise.covers}."


_HIDDEN_POINTS = re.compile(r"^# Hidden check \(\d+ points?\)")


def hidden_check_points(exercise: registry.Exercise, first_line: str) -> str:
    """The hidden check's first line with the registry's points (its description is kept)."""
    return _HIDDEN_POINTS.sub(f"# Hidden check ({_points(exercise.points['hidden'])})", first_line, count=1)


def sync_notebook(nb, assignment: str) -> list[str]:
    """Write the registry's text into ``nb`` (in place); the ids of the cells that changed."""
    cells = {c.get("id"): c for c in nb.cells}
    changed = []

    def put(cell_id, source):
        cell = cells.get(cell_id)
        if cell is None:
            raise KeyError(f"{assignment} has no cell {cell_id!r}")
        if cell.source != source:
            cell.source = source
            changed.append(cell_id)

    for exercise in registry.exercises(assignment):
        put(f"{exercise.name}-hint", hint_cell(exercise))
        for which, first in (("visible", visible_check_first_line(exercise)), ("hidden", None)):
            cell = cells.get(exercise.grade_id(which))
            if cell is None:
                raise KeyError(f"{assignment} has no cell {exercise.grade_id(which)!r}")
            lines = cell.source.split("\n")
            lines[0] = first if first is not None else hidden_check_points(exercise, lines[0])
            put(exercise.grade_id(which), "\n".join(lines))
    return changed


def sync(root: Path = Path("."), check_only: bool = False) -> dict[str, list[str]]:
    """Sync every assignment's source notebook under ``root/solutions``; what changed (or would)."""
    report = {}
    for assignment in registry.assignments():
        path = Path(root) / "solutions" / assignment / f"{assignment}.ipynb"
        nb = nbformat.read(path, as_version=4)
        changed = sync_notebook(nb, assignment)
        if changed:
            report[assignment] = changed
            if not check_only:
                nbformat.write(nb, path)
    return report
