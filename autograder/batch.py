"""Grading many notebooks: find them, grade each with trusted verification, in parallel.

:func:`find_submissions` reads a notebook, an assignment folder, or nbgrader's
``submitted/<student>/<assignment>/`` tree; :func:`grade` grades everything it found with one
:class:`~autograder.trusted.Grader` (TensorFlow's answers computed once for the whole run).
"""
from __future__ import annotations

import concurrent.futures
import os
import stat
import sys
from pathlib import Path

from . import registry
from .sandbox import Limits

__all__ = ["UsageError", "find_submissions", "conflicts", "grade", "shardable"]


class UsageError(Exception):
    """The command was given something it cannot grade; the message says what and why."""


def _assignment_of(path: Path) -> str | None:
    for name in (path.stem, path.parent.name):
        if name in registry.assignments():
            return name
    return None


def _student_of(nb: Path, assignment: str) -> str:
    """The learner a notebook belongs to, from where it lies (never from where a link points):
    ``<student>/<assignment>/<notebook>``, else the notebook's own name."""
    parts = nb.absolute().parts
    return parts[-3] if nb.parent.name == assignment and len(parts) >= 3 else nb.stem


def _notebooks(root: Path, refused: list) -> list[Path]:
    """The notebooks under ``root`` at a place a submission can be (see :func:`find_submissions`),
    regular files only; links, special files and nested copies go to ``refused`` with why."""
    own_assignment = root.name in registry.assignments()
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        for name in sorted(files):
            if not name.endswith(".ipynb"):
                continue
            nb = Path(folder) / name
            parts = nb.relative_to(root).parts
            if len(parts) == 4 and parts[0] == "submitted":  # a copy of nbgrader's tree: <root>/submitted/...
                parts = parts[1:]
            depth = len(parts)
            try:
                mode = os.lstat(nb).st_mode
            except OSError as exc:
                refused.append((nb, f"cannot be read ({exc.strerror})"))
                continue
            if stat.S_ISLNK(mode):
                refused.append((nb, "a symbolic link, not a notebook: not followed, not graded"))
            elif not stat.S_ISREG(mode):
                refused.append((nb, "not a regular file: not graded"))
            elif depth > (1 if own_assignment else 3) or (depth >= 2 and nb.parent.name not in registry.assignments()):
                refused.append((nb, "not at <student>/<assignment>/<notebook> (nested inside another submission, or "
                                    "in a folder not named after an assignment): not graded"))
            else:
                found.append(nb)
    return found


def find_submissions(paths: list[str], notes: dict | None = None, refused: list | None = None
                     ) -> list[tuple[Path, str, str]]:
    """``(notebook, assignment, student)`` for every gradable notebook under ``paths``.

    A PATH is a notebook (graded as named), an assignment folder (its notebooks), a learner's
    folder (``<assignment>/<notebook>``) or nbgrader's ``submitted/`` tree
    (``<student>/<assignment>/<notebook>``). The learner is who the layout says, never the
    notebook's contents or where a link points: inside a folder, a link or a special file is
    never followed, and a notebook nested deeper than that layout (a copy of a classmate's
    folder inside one's own) is not graded. ``refused`` receives ``(path, why)`` for each.

    One notebook per learner and assignment: where a folder holds several (``02-pooling-math.ipynb``
    and ``02-pooling-math (1).ipynb``), the one named exactly after the assignment is graded (else
    the newest), and ``notes[(student, assignment)]`` says which was graded and which were not.
    Two folders that both claim one learner's assignment are a conflict (:func:`conflicts`).
    """
    found = []
    refused = refused if refused is not None else []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"no such file or folder: {raw}")
        notebooks = [path] if path.is_file() else _notebooks(path, refused)
        for nb in notebooks:
            assignment = _assignment_of(nb)
            if assignment is None:
                if path.is_file():
                    raise UsageError(f"cannot tell the assignment of {nb}: name it <assignment>.ipynb or put it in "
                                     f"a folder named after the assignment ({', '.join(registry.assignments())})")
                continue
            found.append((nb, assignment, _student_of(nb, assignment)))
    if not found and not refused:
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


def conflicts(found: list[tuple[Path, str, str]]) -> dict[tuple[str, str], list[Path]]:
    """``{(student, assignment): notebooks}`` where more than one folder claims the same learner's
    assignment: none of them is graded, and the instructor is told (never "the last one wins")."""
    claims: dict = {}
    for nb, assignment, student in found:
        claims.setdefault((student, assignment), []).append(nb)
    return {key: nbs for key, nbs in claims.items() if len(nbs) > 1}


def grade(paths: list[str], jobs: int = 1, device: str | None = None, limits: Limits = Limits(),
          progress: bool = True, secret: str | None = None, shard: tuple[int, int] | None = None) -> list:
    """Grade every submission under ``paths``; returns :class:`~autograder.trusted.NotebookResult` s.

    ``secret``: the grading secret hidden cases are drawn from (see :class:`~autograder.trusted.Grader`).
    ``shard``: ``(K, N)``: only the learners of shard K of N (:func:`autograder.results.shard_of`).
    """
    from .formats import printable
    from .results import shard_of
    from .trusted import Grader

    notes: dict = {}
    refused: list = []
    submissions = find_submissions(paths, notes, refused)
    clashing = conflicts(submissions)
    submissions = [s for s in submissions if (s[2], s[1]) not in clashing]
    if shard is not None:
        k, n = shard
        submissions = [s for s in submissions if shard_of(s[2], n) == k]
        clashing = {key: nbs for key, nbs in clashing.items() if shard_of(key[0], n) == k}
    for note in notes.values():
        print(printable(f"autograder grade: warning: {note}"), file=sys.stderr)
    for nb, why in refused:
        print(printable(f"autograder grade: warning: {nb}: {why}"), file=sys.stderr)
    zeros = _refused_learners(refused, submissions, clashing)
    if shard is not None:
        zeros = [z for z in zeros if shard_of(z.student, shard[1]) == shard[0]]
    from .scoring import from_course

    grader = Grader(device, limits, secret, scoring=from_course().key())
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
    return results + [_conflict(student, assignment, nbs) for (student, assignment), nbs in sorted(clashing.items())] + zeros


def _refused_learners(refused: list, submissions: list, clashing: dict) -> list:
    """Zero, with why, for a learner whose only notebook at a learner's place was refused (a link,
    a special file): fail closed, never a silent gap in the results."""
    from .trusted import NotebookResult

    graded = {(s, a) for _, a, s in submissions} | set(clashing)
    zeros = {}
    for nb, why in refused:
        assignment = _assignment_of(nb)
        if assignment is None or nb.parent.name != assignment or why.startswith("not at"):
            continue  # not at a learner's place: said on stderr only
        student = _student_of(nb, assignment)
        if (student, assignment) not in graded and (student, assignment) not in zeros:
            zeros[(student, assignment)] = NotebookResult(
                assignment, student, str(nb), [], error=f"{nb.name} is {why}; every exercise gets zero")
    return list(zeros.values())


def _conflict(student: str, assignment: str, notebooks: list[Path]):
    """The result of a learner's assignment that several folders claim: not graded, and said."""
    from .trusted import NotebookResult

    where = ", ".join(str(nb) for nb in notebooks)
    why = (f"{len(notebooks)} notebooks claim to be {student}'s {assignment} ({where}): none was graded. Keep the "
           f"one in submitted/{student}/{assignment}/ and grade again.")
    return NotebookResult(assignment, student, where, [], error=why, grader_notes=[why])


def shardable(paths: list[str]) -> list:
    """Every learner's notebook under ``paths`` for cutting shards, a learner whose notebook was refused
    (a link) included: their shard grades them zero, with the reason."""
    refused: list = []
    found = find_submissions(paths, {}, refused)
    for nb, why in refused:
        if nb.parent.name in registry.assignments() and not why.startswith("not at"):
            found.append((nb, nb.parent.name, _student_of(nb, nb.parent.name)))
    return found
