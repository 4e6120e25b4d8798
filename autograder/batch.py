"""Grading many notebooks: find them, grade each with trusted verification, in parallel.

:func:`find_submissions` reads a notebook, an assignment folder, or nbgrader's
``submitted/<student>/<assignment>/`` tree; :func:`grade` grades everything it found with one
:class:`~autograder.trusted.Grader` (TensorFlow's answers computed once for the whole run).
"""
from __future__ import annotations

import concurrent.futures
import sys
from pathlib import Path

from . import registry
from .sandbox import Limits

__all__ = ["UsageError", "find_submissions", "grade"]


class UsageError(Exception):
    """The command was given something it cannot grade; the message says what and why."""


def _assignment_of(path: Path) -> str | None:
    for name in (path.stem, path.parent.name):
        if name in registry.assignments():
            return name
    return None


def find_submissions(paths: list[str], notes: dict | None = None) -> list[tuple[Path, str, str]]:
    """``(notebook, assignment, student)`` for every gradable notebook under ``paths``.

    One notebook per learner and assignment: where a folder holds several (``02-pooling-math.ipynb``
    and ``02-pooling-math (1).ipynb``), the one named exactly after the assignment is graded (else
    the newest), and ``notes[(student, assignment)]`` says which was graded and which were not.
    """
    found = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"no such file or folder: {raw}")
        notebooks = [path] if path.is_file() else sorted(
            p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        for nb in notebooks:
            assignment = _assignment_of(nb)
            if assignment is None:
                if path.is_file():
                    raise UsageError(f"cannot tell the assignment of {nb}: name it <assignment>.ipynb or put it in "
                                     f"a folder named after the assignment ({', '.join(registry.assignments())})")
                continue
            parts = nb.resolve().parts
            student = parts[-3] if nb.parent.name == assignment and len(parts) >= 3 else nb.stem
            found.append((nb, assignment, student))
    if not found:
        raise UsageError(f"no notebook of a known assignment under {' '.join(paths)}")
    return _one_per_learner(found, notes if notes is not None else {})


def _one_per_learner(found, notes: dict) -> list[tuple[Path, str, str]]:
    groups: dict = {}
    for nb, assignment, student in found:
        groups.setdefault((student, assignment, nb.parent), []).append(nb)
    chosen = []
    for (student, assignment, _), notebooks in groups.items():
        if len(notebooks) > 1:
            exact = [nb for nb in notebooks if nb.name == f"{assignment}.ipynb"]
            graded = exact[0] if exact else max(notebooks, key=lambda p: p.stat().st_mtime)
            others = ", ".join(sorted(nb.name for nb in notebooks if nb != graded))
            notes[(student, assignment)] = (f"{len(notebooks)} notebooks of {assignment} in {graded.parent}: "
                                            f"graded {graded.name}; not graded: {others}")
            notebooks = [graded]
        chosen.append((notebooks[0], assignment, student))
    return chosen


def grade(paths: list[str], jobs: int = 1, device: str | None = None, limits: Limits = Limits(),
          progress: bool = True, secret: str | None = None) -> list:
    """Grade every submission under ``paths``; returns :class:`~autograder.trusted.NotebookResult` s.

    ``secret``: the grading secret hidden cases are drawn from (see :class:`~autograder.trusted.Grader`).
    """
    from .trusted import Grader

    notes: dict = {}
    submissions = find_submissions(paths, notes)
    for note in notes.values():
        print(f"autograder grade: warning: {note}", file=sys.stderr)
    grader = Grader(device, limits, secret)
    results = [None] * len(submissions)
    show = progress and len(submissions) > 1 and sys.stderr.isatty()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(grader.grade_path, nb, a, s): i for i, (nb, a, s) in enumerate(submissions)}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            result = results[futures[future]] = future.result()
            if (result.student, result.assignment) in notes:
                result.notes.insert(0, notes[(result.student, result.assignment)])
            if show:
                bar = "#" * (30 * done // len(submissions))
                print(f"\r[{bar:<30}] {done}/{len(submissions)} submissions", end="", file=sys.stderr, flush=True)
    if show:
        print(file=sys.stderr)
    return results
