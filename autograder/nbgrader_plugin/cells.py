"""Small single-purpose nbgrader preprocessors for the course's cells.

* :class:`OptionalStub` (release): an optional solution cell (a notebook's "your helpers" cell)
  is released without ``raise NotImplementedError()``;
* :class:`AddRubrics` (autograde): under each written answer, a locked note for the grader with
  the model answer and the rubric from the source notebook, so the formgrader shows them where
  the answer is graded;
* :class:`ClearRubrics` (feedback): those notes never reach a learner's feedback.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode

from ..i18n import notebook_language, speaking, tr

__all__ = ["OptionalStub", "AddRubrics", "ClearRubrics", "RUBRIC_KEY"]

RUBRIC_KEY = "rubric"  # cell.metadata.autograder.rubric marks a grader's note
_SOLUTION = re.compile(r"### BEGIN SOLUTION\s*(.*?)\s*### END SOLUTION", re.S)


class OptionalStub(NbGraderPreprocessor):
    """Release an optional solution cell (a notebook's "your helpers" cell) without the ``raise``.

    nbgrader's ``ClearSolutions`` replaces every solution region with ``# YOUR CODE HERE`` and
    ``raise NotImplementedError()``: right for an exercise, wrong for a cell that a learner may
    leave empty. A code cell whose metadata says ``"autograder": {"optional": true}`` gets
    :attr:`stub` in its place. Registered right after ``ClearSolutions``.
    """

    stub = Unicode("# YOUR CODE HERE (optional: leave this cell as it is if you need no helpers)",
                   help="What an optional solution cell holds in the learner's notebook.").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        optional = cell.get("metadata", {}).get("autograder", {}).get("optional")
        if cell.get("cell_type") == "code" and optional:
            cell.source = cell.source.replace("# YOUR CODE HERE\nraise NotImplementedError()", self.stub)
        return cell, resources


class AddRubrics(NbGraderPreprocessor):
    """Put a locked grader's note (model answer and rubric) under each written answer."""

    source_directory = Unicode("solutions", help="Where the source notebooks (with the rubrics) are.").tag(config=True)

    def _rubrics(self, assignment: str, notebook: str) -> dict:
        path = Path(self.source_directory) / assignment / f"{notebook}.ipynb"
        try:
            source = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - no source notebook: no notes, grading goes on
            self.log.warning("autograder: no source notebook at %s: written answers get no rubric note", path)
            return {}
        notes = {}
        for cell in source.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.get("cell_type") == "markdown" and meta.get("grade") and meta.get("solution"):
                found = _SOLUTION.search(cell.source)
                if found:
                    notes[cell.get("id")] = found.group(1)
        return notes

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        notes = self._rubrics(info.get("assignment", ""), info.get("notebook", ""))
        cells = []
        lang = notebook_language(nb)  # the note speaks the notebook's language
        for cell in nb.cells:
            if cell.get("metadata", {}).get("autograder", {}).get(RUBRIC_KEY):
                continue  # an older note (a regrade): replaced below
            cells.append(cell)
            if cell.get("id") in notes:
                with speaking(lang):
                    heading = tr("**For the grader** (never shown to the learner): the model answer and the rubric "
                                 "of `{cell}`.", cell=cell.id)
                note = new_markdown_cell(
                    f"{heading}\n\n{notes[cell.id]}",
                    id=f"{cell.id}-rubric"[:64],
                    metadata={"autograder": {RUBRIC_KEY: True}, "deletable": False, "editable": False})
                cells.append(note)
        nb.cells = cells
        return nb, resources


class ClearRubrics(NbGraderPreprocessor):
    """Remove the grader's notes before a notebook becomes a learner's feedback."""

    # nbconvert's HTML exporter sets NbConvertBase.display_data_priority for every preprocessor it runs;
    # declared configurable (and unused) so that it is not reported as an unknown option
    display_data_priority = List([], help="Not used.").tag(config=True)

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if not c.get("metadata", {}).get("autograder", {}).get(RUBRIC_KEY)]
        return nb, resources
