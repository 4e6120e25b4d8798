"""Grading results as plain data: written as JSON, read back, split into shards and merged.

``python -m autograder grade --format json`` writes one document: a header (the autograder's and
TensorFlow's versions, the device, the fingerprint of the grading secret the hidden cases came
from, the shard) and one record per submission (:func:`record`). :func:`load` reads it back as
:class:`GradedNotebook` objects, which the output formats, the class report and the gradebook path
(``python -m autograder autograde --results``) use exactly like freshly graded results.

Sharding (:func:`shard_members`) splits the submissions by learner, so one learner's notebooks
stay together: the class's learner ids, sorted, are dealt round-robin, so shard ``K`` of ``N``
holds the ``K``-th, ``K+N``-th, ... learner and the shards' sizes differ by at most one learner.
The split is the same on every machine for the same list of learners; it depends on the whole
list (a learner added or removed moves others), so every shard must be graded from the same
submissions: each shard's header records the list's size and digest (:func:`learners`), and
:func:`merge` refuses shards cut from different lists, graded differently (another secret, device
or version), overlapping or missing.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

__all__ = ["GradedNotebook", "record", "header", "dump", "load", "merge", "Merged", "shard_members", "shard_of",
           "shard_paths", "learners", "parse_shard", "MergeError"]

_HEADER_KEYS = ("autograder", "tensorflow", "device", "cases_from", "scoring")


class MergeError(ValueError):
    """Shards that cannot be merged (graded differently, overlapping, or missing)."""


@dataclasses.dataclass
class GradedNotebook:
    """A submission's result read from JSON: the attributes of :class:`~autograder.trusted.NotebookResult`."""

    student: str
    assignment: str
    path: str
    score: float
    max_score: float
    cells: list
    error: str | None = None
    notes: list = dataclasses.field(default_factory=list)
    outputs: dict = dataclasses.field(default_factory=dict)
    restored: list = dataclasses.field(default_factory=list)
    confinement: dict = dataclasses.field(default_factory=dict)
    grader_notes: list = dataclasses.field(default_factory=list)


def record(result) -> dict:
    """One submission's result as JSON-able data."""
    return dict(student=result.student, assignment=result.assignment, path=result.path, score=result.score,
                max_score=result.max_score, error=result.error, notes=list(result.notes), cells=result.cells,
                outputs=result.outputs, restored=list(result.restored), confinement=result.confinement,
                grader_notes=list(getattr(result, "grader_notes", ())))


def header(device: str, cases_from: str, shard: str | None = None, class_list: dict | None = None,
           scoring: tuple = (False, 1)) -> dict:
    """The document's header; ``class_list``: :func:`learners` of the whole class (what shards are cut
    from); ``scoring``: the course's rule (:mod:`autograder.scoring`) the scores were computed with."""
    from . import __version__, tfops

    return {"autograder": __version__, "tensorflow": tfops.tensorflow().__version__, "device": device,
            "cases_from": cases_from, "scoring": list(scoring), "shard": shard, "learners": class_list}


def learners(students) -> dict:
    """The class's list of learners as a header records it: how many, and a digest of the sorted ids."""
    ids = sorted(set(students))
    return {"count": len(ids), "digest": hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()[:16]}


def _order(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda r: (r["student"], r["assignment"], r["path"]))


def dump(head: dict, results) -> str:
    """The JSON document: the header and every submission, in (student, assignment, path) order."""
    return json.dumps({**head, "submissions": _order([r if isinstance(r, dict) else record(r) for r in results])},
                      indent=2)


def load(path) -> tuple[dict, list[GradedNotebook]]:
    """``(header, results)`` of a JSON document written by :func:`dump`."""
    try:
        data = json.loads(Path(path).read_text())
        data.setdefault("scoring", [False, 1])  # written before partial credit: all or nothing
        head = {k: data[k] for k in _HEADER_KEYS}
        results = [GradedNotebook(**{f.name: r[f.name] for f in dataclasses.fields(GradedNotebook) if f.name in r})
                   for r in data["submissions"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MergeError(f"{path} is not a results file of `python -m autograder grade --format json` "
                         f"({type(exc).__name__}: {exc})") from None
    head["shard"] = data.get("shard")
    head["learners"] = data.get("learners")
    return head, results


@dataclasses.dataclass
class Merged:
    """What :func:`merge` joined: the files, their shards (``K/N``, or ``None`` for a whole run)."""

    files: list
    shards: list

    def describe(self) -> str:
        """``"3 shards (1/3, 2/3, 3/3)"``, or ``"2 results files"``."""
        if self.shards and all(self.shards):
            return f"{len(self.files)} shards ({', '.join(sorted(self.shards, key=lambda s: int(s.split('/')[0])))})"
        return f"{len(self.files)} results file{'s' if len(self.files) != 1 else ''}"


def merge(paths: list, joined: Merged | None = None) -> tuple[dict, list[GradedNotebook]]:
    """The shards' results as one: the same header, every submission once, in the unsharded order.

    ``joined``: a :class:`Merged` to fill in with what was joined (for the command's message)."""
    if not paths:
        raise MergeError("no results files to merge")
    loaded = [(p, *load(p)) for p in paths]
    first_path, head, _ = loaded[0]
    for path, other, _ in loaded[1:]:
        differs = {k: (head[k], other[k]) for k in _HEADER_KEYS if head[k] != other[k]}
        if differs:
            raise MergeError(f"{path} was graded differently from {first_path}: {differs}")
    shards = [h.get("shard") for _, h, _ in loaded]
    if all(shards):
        totals = {s.split("/")[1] for s in shards}
        seen = sorted(int(s.split("/")[0]) for s in shards)
        if len(totals) != 1 or seen != list(range(1, int(totals.pop()) + 1)):
            raise MergeError(f"the shards are not exactly 1..N of one N: {sorted(shards)}")
        lists = {json.dumps(h.get("learners"), sort_keys=True): p for p, h, _ in loaded}
        if len(lists) > 1:
            found = "; ".join(f"{p}: {json.loads(k)}" for k, p in lists.items())
            raise MergeError(f"the shards were cut from different lists of learners (the split depends on the whole "
                             f"list): grade every shard from the same submissions ({found})")
    if joined is not None:
        joined.files, joined.shards = list(paths), shards
    merged, seen = [], {}
    for path, _, results in loaded:
        for result in results:
            key = (result.student, result.assignment)
            if key in seen:  # two results for one learner's assignment: a conflict, never "the last one wins"
                raise MergeError(f"{result.student}/{result.assignment} has two results ({seen[key]} in one file, "
                                 f"{result.path} in {path}): keep one submission and grade again")
            seen[key] = result.path
            merged.append(result)
    merged.sort(key=lambda r: (r.student, r.assignment, r.path))
    return {**head, "shard": None}, merged


def shard_members(students, k: int, n: int) -> list[str]:
    """The learners of shard ``k`` of ``n``: the sorted ids dealt round-robin (sizes differ by at most one)."""
    return sorted(set(students))[k - 1::n]


def shard_paths(found: list, shard: tuple[int, int]) -> tuple[list[str], dict]:
    """What to grade for ``shard`` ``(K, N)`` of ``found`` (``batch.find_submissions``'s ``(notebook,
    assignment, student)``), and the class's learner list as the header records it (:func:`learners`).

    A learner's assignment folder is handed over whole (so that a second notebook in it is still
    noticed), unless it holds another learner's notebook too; then the chosen notebook alone."""
    students = [student for _, _, student in found]
    mine = set(shard_members(students, *shard))
    owners: dict = {}
    for nb, _, student in found:
        owners.setdefault(nb.parent, set()).add(student)
    chosen: dict[str, None] = {}
    for nb, assignment, student in found:
        if student in mine:
            whole = nb.parent.name == assignment and owners[nb.parent] == {student}
            chosen[str(nb.parent if whole else nb)] = None
    return list(chosen), learners(students)


def shard_of(student: str, shards: int, students) -> int:
    """The shard (1..shards) of ``student`` in a class of ``students`` (see :func:`shard_members`)."""
    return sorted(set(students)).index(student) % shards + 1


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> ``(K, N)`` with ``1 <= K <= N``; ``ValueError`` naming the value otherwise."""
    try:
        k, n = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise ValueError(f"--shard must be K/N (e.g. 2/8); received {text!r}") from None
    if not 1 <= k <= n:
        raise ValueError(f"--shard must be K/N with 1 <= K <= N; received {text!r}")
    return k, n
