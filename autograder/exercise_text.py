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
from .i18n import exercise_text, tr

__all__ = ["hint_cell", "visible_check_first_line", "hidden_check_points", "sync_notebook", "sync"]


def _points(n: int) -> str:
    return tr("{n} point", n=n) if n == 1 else tr("{n} points", n=n)


def hint_cell(exercise: registry.Exercise) -> str:
    """The markdown of the exercise's hint cell: every step collapsed on its own (in the language spoken)."""
    steps = exercise_text(exercise, "hints")
    blocks = ["<details><summary><b>" + tr("Hint {i} of {n}", i=i, n=len(steps)) + "</b> " + tr("(click to open)")
              + f"</summary>\n\n{step}\n</details>" for i, step in enumerate(steps, 1)]
    return tr("**Stuck?** Open one hint at a time, and try again after each.") + "\n\n" + "\n\n".join(blocks)


def visible_check_first_line(exercise: registry.Exercise) -> str:
    return tr("# Visible check ({points}): {covers}.", points=_points(exercise.points["visible"]),
              covers=exercise_text(exercise, "covers"))


# the hidden check's first line in each language: its points, then free text
_HIDDEN_POINTS = re.compile(r"^(# Hidden check \(\d+ points?\)|# 隐藏检查（\d+ 分）)")


def hidden_check_points(exercise: registry.Exercise, first_line: str) -> str:
    """The hidden check's first line with the registry's points (its description is kept)."""
    return _HIDDEN_POINTS.sub(tr("# Hidden check ({points})", points=_points(exercise.points["hidden"])),
                              first_line, count=1)


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
