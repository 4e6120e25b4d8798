"""Graded cells found as nbgrader finds them: by ``grade_id``, checked against the release.

nbgrader scores a test cell by its ``grade_id`` (its nbgrader metadata); everything else about a
cell (its nbformat ``id``, where it is, whether it has an id at all) is the learner's to change.
A grader that finds test cells by ``id`` can be fooled: give a test cell another id and hand its
old id to an empty decoy, and the verdict lands on the decoy while nbgrader scores the real cell.
So before anything runs, on every path, :func:`align` rewrites a submitted notebook's graded
cells from the release:

* for each graded cell of the release (a test cell, a written answer, a solution cell, the
  setup cell...), the first cell of the submission of the same type that carries its
  ``grade_id`` is that cell: it gets the release's nbgrader metadata and the release's ``id``;
  a locked cell (a test cell, anything the learner may not edit) gets the release's source too;
* every other cell that carries nbgrader metadata (a pasted copy, a second cell claiming a grade
  id, a cell claiming one the release does not have, metadata of another schema) loses it: it is
  a plain cell of the learner's, run if it is code, graded never;
* a cell whose ``id`` is taken (a decoy holding a graded cell's id), missing (a notebook in
  nbformat 4.4 has none) or not a valid id gets a fresh one;
* graded cells of the release that are missing are left for the caller to put back
  (:func:`missing`): they score zero.

The result is a notebook nbgrader's own checks accept (no duplicate grade ids, no old metadata
that would make nbgrader stop the whole assignment), graded exactly as its graded cells say.
"""
from __future__ import annotations

import copy
import re

__all__ = ["align", "missing", "graded_ids"]

_VALID_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")


def _meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def graded_ids(nb) -> dict[str, dict]:
    """``{grade_id: cell}`` of the cells with a grade id (the release's: its graded cells)."""
    found = {}
    for cell in nb.cells:
        grade_id = _meta(cell).get("grade_id")
        if isinstance(grade_id, str) and grade_id and grade_id not in found:
            found[grade_id] = cell
    return found


def align(nb, release) -> list[str]:
    """Rewrite ``nb``'s graded cells from ``release`` in place (see the module); what was changed,
    as notes for the grader's log (empty when the notebook was as released)."""
    notes = []
    if release is None:
        return notes
    released = graded_ids(release)
    matched: dict[str, object] = {}
    for index, cell in enumerate(nb.cells):
        meta = _meta(cell)
        grade_id = meta.get("grade_id") if meta else None
        source_cell = released.get(grade_id) if isinstance(grade_id, str) else None
        if source_cell is not None and grade_id not in matched and cell.get("cell_type") == source_cell.get("cell_type"):
            matched[grade_id] = cell
            wanted = copy.deepcopy(source_cell["metadata"]["nbgrader"])
            if meta != wanted:
                notes.append(f"cell {grade_id}: its nbgrader metadata was changed; the release's was put back")
            cell.setdefault("metadata", {})["nbgrader"] = wanted
            if wanted.get("locked") and cell.get("source") != source_cell.get("source"):
                cell["source"] = source_cell.get("source", "")
                notes.append(f"cell {grade_id}: a locked cell was edited; the release's source was put back")
        elif "nbgrader" in cell.get("metadata", {}):
            del cell["metadata"]["nbgrader"]
            what = f"claimed grade id {grade_id!r}" if grade_id else "carried nbgrader metadata"
            notes.append(f"cell {index + 1} {what}: a copy or a decoy, graded as a plain cell of the learner's")
    _renumber(nb, matched, released, notes)
    return notes


def _renumber(nb, matched: dict, released: dict, notes: list) -> None:
    """Graded cells take the release's ids; every other cell keeps a unique, valid id of its own."""
    reserved = {str(released[g].get("id")) for g in released if released[g].get("id")}
    for grade_id, cell in matched.items():
        release_id = released[grade_id].get("id")
        if release_id and cell.get("id") != release_id:
            if cell.get("id"):
                notes.append(f"cell {grade_id}: its id {str(cell.get('id'))[:64]!r} was changed back to {release_id!r}")
            cell["id"] = release_id
    graded = {id(cell) for cell in matched.values()}
    used = set(reserved)
    for index, cell in enumerate(nb.cells):
        if id(cell) in graded:
            continue
        current = cell.get("id")
        if isinstance(current, str) and _VALID_ID.match(current) and current not in used:
            used.add(current)
            continue
        fresh, n = f"learner-cell-{index + 1}", 1
        while fresh in used:
            n += 1
            fresh = f"learner-cell-{index + 1}-{n}"
        if current:
            notes.append(f"cell {index + 1}: its id {str(current)[:64]!r} is a graded cell's or not valid; now {fresh!r}")
        cell["id"] = fresh
        used.add(fresh)
    nb["nbformat"], nb["nbformat_minor"] = 4, max(int(nb.get("nbformat_minor") or 0), 5)


def missing(nb, release) -> list[str]:
    """The grade ids of the release's graded cells ``nb`` lacks (after :func:`align`)."""
    present = set(graded_ids(nb))
    return [g for g in graded_ids(release) if g not in present]
