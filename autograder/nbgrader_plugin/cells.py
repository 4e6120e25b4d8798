"""Small single-purpose nbgrader preprocessors for the course's cells.

* :class:`OptionalStub` (release): an optional solution cell (a notebook's "your helpers" cell)
  is released without ``raise NotImplementedError()``;
* :class:`AlignCells` (autograde, first): graded cells found by ``grade_id`` and rewritten from
  the release (:mod:`autograder.alignment`), before nbgrader's own checks could stop the whole
  assignment on a pasted cell; a notebook handed in as a link is not read (zero, with why);
* :class:`SanitizeMarkdown` (autograde and feedback): the learner's markdown rendered to HTML and
  cleaned with an allow-list, so a written answer cannot run script in the formgrader or the
  feedback page;
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

from ..i18n import STUBS, notebook_language, speaking, tr

__all__ = ["OptionalStub", "AlignCells", "SanitizeMarkdown", "AddRubrics", "ClearRubrics", "RUBRIC_KEY", "REFUSED_KEY"]

RUBRIC_KEY = "rubric"  # cell.metadata.autograder.rubric marks a grader's note
REFUSED_KEY = "refused"  # notebook.metadata.autograder.refused: why AlignCells refused the submitted file
_SOLUTION = re.compile(r"### BEGIN SOLUTION\s*(.*?)\s*### END SOLUTION", re.S)


class OptionalStub(NbGraderPreprocessor):
    """Release an optional solution cell (a notebook's "your helpers" cell) without the ``raise``.

    nbgrader's ``ClearSolutions`` replaces every solution region with the language's code stub
    (``# YOUR CODE HERE``, ``# 在这里编写你的代码``: :data:`autograder.i18n.STUBS`, which
    nbgrader_config.py gives nbgrader) and ``raise NotImplementedError()``: right for an exercise,
    wrong for a cell that a learner may leave empty. A code cell whose metadata says
    ``"autograder": {"optional": true}`` gets the optional stub of the notebook's language in its
    place. Registered right after ``ClearSolutions``.
    """

    def preprocess(self, nb, resources):
        self._stubs = STUBS[notebook_language(nb)]
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        optional = cell.get("metadata", {}).get("autograder", {}).get("optional")
        if cell.get("cell_type") == "code" and optional:
            for stubs in (self._stubs, *STUBS.values()):  # the notebook's language first
                cell.source = cell.source.replace(stubs["code"] + "\nraise NotImplementedError()", self._stubs["optional"])
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


class AlignCells(NbGraderPreprocessor):
    """Find the graded cells by ``grade_id`` and rewrite them from the release (see the module)."""

    def preprocess(self, nb, resources):
        import copy
        import os

        from .. import alignment, registry
        from ..trusted import release_notebook

        info = resources.get("nbgrader", {})
        assignment = info.get("assignment", "")
        if assignment not in registry.assignments():
            return nb, resources
        release = release_notebook(assignment, notebook_language(nb))
        folder = resources.get("metadata", {}).get("path") or ""
        path = os.path.join(folder, f"{info.get('notebook', assignment)}.ipynb")
        refused = _not_a_notebook_file(path, folder)
        nb.metadata.get("autograder", {}).pop(REFUSED_KEY, None)  # only this step says so
        if refused:
            self.log.error("autograder, %s: %s", info.get("student", ""), refused)
            if release is not None:  # nothing of what the link points to reaches the autograded copy
                nb.cells = copy.deepcopy(release.cells)
                nb.metadata = copy.deepcopy(release.metadata)
            nb.metadata.setdefault("autograder", {})[REFUSED_KEY] = refused  # read by TrustedExecute
            return nb, resources
        for note in alignment.align(nb, release):
            self.log.warning("autograder, %s: %s", info.get("student", ""), note)
        return nb, resources


def _not_a_notebook_file(path: str, folder: str) -> str | None:
    """Why the submitted notebook is not graded (a link, not a regular file, outside its folder), or ``None``."""
    import os
    import stat

    try:
        info = os.lstat(path)
    except OSError:
        return None  # nbgrader read it from somewhere else: nothing to say
    if stat.S_ISLNK(info.st_mode):
        return (f"the submitted notebook {os.path.basename(path)} is a symbolic link, not a file: it is not read, and "
                f"every exercise gets zero. Hand in the notebook itself.")
    if not stat.S_ISREG(info.st_mode):
        return f"the submitted notebook {os.path.basename(path)} is not a regular file: every exercise gets zero."
    real, home = os.path.realpath(path), os.path.realpath(folder)
    if os.path.commonpath([real, home]) != home:
        return f"the submitted notebook {os.path.basename(path)} lies outside its submission folder: not graded."
    return None


class SanitizeMarkdown(NbGraderPreprocessor):
    """The learner's markdown, rendered and cleaned by an allow-list (:func:`autograder.html.clean_markdown`).

    A markdown cell exactly as released (the course's own prose) is left alone; any other (a written
    answer, a cell the learner added or edited) becomes its cleaned HTML, which markdown renders as
    it is: nbgrader's formgrader and feedback templates render markdown without nbconvert's
    ``sanitize_html``, so an ``<img onerror=...>`` in an answer would run in the instructor's
    logged-in page.
    """

    display_data_priority = List([], help="Not used (see ClearRubrics).").tag(config=True)

    def preprocess(self, nb, resources):
        from .. import registry
        from ..html import clean_markdown
        from ..trusted import release_notebook

        assignment = resources.get("nbgrader", {}).get("assignment", "")
        release = release_notebook(assignment, notebook_language(nb)) if assignment in registry.assignments() else None
        prose = {c.get("id"): c.get("source") for c in (release.cells if release is not None else [])
                 if c.get("cell_type") == "markdown"}
        for cell in nb.cells:  # a "grader's note" here came from the learner: AddRubrics comes after
            if cell.get("cell_type") == "markdown" and prose.get(cell.get("id")) != cell.get("source"):
                cell.source = clean_markdown(cell.get("source", ""))
        return nb, resources
