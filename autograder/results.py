"""Grading results as plain data: written as JSON, read back, split into shards and merged.

``python -m autograder grade --format json`` writes one document: a header (the autograder's and
TensorFlow's versions, the device, the fingerprint of the grading secret the hidden cases came
from, the shard) and one record per submission (:func:`record`). :func:`load` reads it back as
:class:`GradedNotebook` objects, which the output formats, the class report and the gradebook path
(``python -m autograder autograde --results``) use exactly like freshly graded results.

Sharding (:func:`shard_of`) splits the submissions by learner, so one learner's notebooks stay
together: shard ``K`` of ``N`` holds the learners whose id hashes (SHA-256) to ``K - 1`` modulo
``N``, the same on every machine. :func:`merge` joins the shards' documents into the one the
unsharded run writes, refusing shards graded differently (another secret, device or version).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

__all__ = ["GradedNotebook", "record", "header", "dump", "load", "merge", "shard_of", "parse_shard", "MergeError"]

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


def header(device: str, cases_from: str, shard: str | None = None, scoring: tuple = (False, 1)) -> dict:
    from . import __version__, tfops

    return {"autograder": __version__, "tensorflow": tfops.tensorflow().__version__, "device": device,
            "cases_from": cases_from, "scoring": list(scoring), "shard": shard}


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
    return head, results


def merge(paths: list) -> tuple[dict, list[GradedNotebook]]:
    """The shards' results as one: the same header, every submission once, in the unsharded order."""
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


def shard_of(student: str, shards: int) -> int:
    """The shard (1..shards) a learner's submissions belong to: the same on every machine."""
    digest = hashlib.sha256(student.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards + 1


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> ``(K, N)`` with ``1 <= K <= N``; ``ValueError`` naming the value otherwise."""
    try:
        k, n = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise ValueError(f"--shard must be K/N (e.g. 2/8); received {text!r}") from None
    if not 1 <= k <= n:
        raise ValueError(f"--shard must be K/N with 1 <= K <= N; received {text!r}")
    return k, n
