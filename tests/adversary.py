"""A motivated learner's submissions against trusted grading: forged grades, secrets, a stopped class.

Each attack is a submission folder for 02-pooling-math built by :func:`build` (the notebook, and
whatever the learner put beside it), by a stub that does none of the work: every point it gets
is forged. The tests (tests/test_adversary.py) grade them on both paths and look for what must
not be there; each attack's control shows it is real on the unprotected code.
"""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import nbformat

from tests.helpers import learner_submission

A = "02-pooling-math"
STUBS = {
    "pool2d": "def pool2d(feature_map, pool_size, stride, mode='max'):\n    return READ\n",
    "uncovered_cells": "def uncovered_cells(input_length, pool_size, stride, padding='valid'):\n    return READ\n",
}

# The pool2d cell reads every file beside the notebook and returns what it got, so a file that
# should not have been there shows in the verdict message ("returned str '...'").
READ_BESIDE = '''
import os
def _read_beside():
    got = []
    for name in sorted(os.listdir(".")):
        try:
            with open(name, "rb") as f:
                got.append(name + "=" + f.read(200).decode(errors="replace"))
        except Exception as exc:
            got.append(name + ":" + type(exc).__name__)
    return "; ".join(got)
READ = _read_beside()
'''


def stub(extra: str = "READ = 'nothing'\n") -> dict[str, str]:
    return {cell: extra + source for cell, source in STUBS.items()}


def links(folder: Path, targets: dict[str, str]) -> None:
    for name, target in targets.items():
        os.symlink(target, folder / name)


def renamed_test_ids(nb):
    """The decoy attack: each test cell gets a new id, and an empty decoy takes its old one."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if cell.get("cell_type") == "code" and grade_id.endswith(("_visible", "_hidden")):
            decoy = nbformat.v4.new_code_cell("pass", id=cell["id"])
            cell["id"] = f"real-{cell['id']}".replace("_", "-")
            cells += [decoy, cell]
        else:
            cells.append(cell)
    nb.cells = cells
    return nb


def without_ids(nb) -> dict:
    """The notebook as nbformat 4.4 JSON: no cell ids at all."""
    data = json.loads(nbformat.writes(nb))
    data["nbformat_minor"] = 4
    for cell in data["cells"]:
        cell.pop("id", None)
    return data


def pasted_test_cell(nb):
    """A copy of a test cell pasted below it, its nbgrader metadata of an old schema (what makes
    stock nbgrader stop the whole assignment: "old version of the nbgrader metadata format")."""
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "pool2d_visible":
            copy_ = copy.deepcopy(cell)
            copy_["id"] = "pasted-copy"
            copy_["metadata"]["nbgrader"]["schema_version"] = 1
            nb.cells.insert(index + 1, copy_)
            return nb
    raise AssertionError("no pool2d_visible cell")


XSS = ('The answer is 4. <img src=x onerror="window.__pwned = 1; fetch(\'/api/contents/grading/secret\')">'
       ' [more](javascript:window.__pwned=2)')


def with_written_answers(nb, text: str = XSS):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "markdown" and meta.get("solution"):
            cell["source"] = text
    return nb


def write(folder: Path, nb) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{A}.ipynb"
    if isinstance(nb, dict) and "cells" in nb and not hasattr(nb, "metadata"):
        path.write_text(json.dumps(nb))
    else:
        nbformat.write(nb, path)
    return path


def build(submitted: Path, targets: dict[str, str]) -> dict[str, str]:
    """Every attack of issue #19 as a learner of ``submitted`` (nbgrader's tree); ``targets``: the
    grader's files a link points to (``secret``, ``gradebook``, ``solution``). Returns what each
    learner is, for the tests' messages."""
    honest = learner_submission(A)
    write(submitted / "ada" / A, honest)  # an honest classmate: 8 points, on every path
    folder = submitted / "links" / A
    write(folder, learner_submission(A, stub(READ_BESIDE)))
    links(folder, {"secret.txt": targets["secret"], "gradebook.db": targets["gradebook"],
                   "environ.txt": "/proc/self/environ", "solution.ipynb": targets["solution"],
                   "classmate.ipynb": str(submitted / "ada" / A / f"{A}.ipynb"), "pagemap.bin": "/proc/self/pagemap"})
    (submitted / "linked" / A).mkdir(parents=True)
    os.symlink(submitted / "ada" / A / f"{A}.ipynb", submitted / "linked" / A / f"{A}.ipynb")
    write(submitted / "mallory" / A, learner_submission(A, stub()))
    write(submitted / "mallory" / A / "ada" / A, learner_submission(A, stub()))  # "I am ada too"
    write(submitted / "decoy" / A, renamed_test_ids(learner_submission(A, stub())))
    write(submitted / "noids" / A, without_ids(learner_submission(A, stub())))
    write(submitted / "pasted" / A, pasted_test_cell(learner_submission(A, stub())))
    write(submitted / "xss" / A, with_written_answers(learner_submission(A, stub())))
    (submitted / "spoof" / A).mkdir(parents=True)
    (submitted / "spoof" / A / ".events.jsonl").write_text(
        json.dumps({"op": "confinement", "abi": 42, "filesystem": True}) + "\n")
    write(submitted / "spoof" / A, learner_submission(A, stub(READ_BESIDE)))
    return {"ada": "honest", "links": "links beside the notebook", "linked": "a notebook that is a link",
            "mallory": "a classmate's folder nested inside", "decoy": "renamed test cell ids and decoys",
            "noids": "nbformat 4.4, no ids", "pasted": "a pasted test cell", "xss": "script in a written answer",
            "spoof": "a forged events file"}
