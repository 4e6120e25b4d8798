"""A submission that is not a readable notebook is still graded: zero, with its reason, where the grader looks.

nbgrader (0.9.6) reads each submitted notebook before anything else; a file that is not valid JSON
(a crashed save, a file of another kind under the notebook's name) stops that learner's
conversion with a traceback, after nbgrader has already made their gradebook record. The learner
then has a submission with no autograded notebook: the formgrader lists them as "(not
autograded)" and leaves them out of its manual grading list, they get no feedback, and the class
report shows ``0/10*`` without a word of why.

:class:`ReadableExporter` is nbgrader's exporter for ``autograde`` (``Autograde.exporter_class``
in ``nbgrader_config.py``). For a readable notebook it is nbgrader's own ``NotebookExporter``.
For an unreadable one it hands nbgrader, in the submission's place, the released notebook with a
first cell saying that the file could not be read and why, and gives the trusted grader the
result "could not be read" for that learner (:func:`autograder.nbgrader_plugin.precompute`), so:

* every test cell gets zero with the reason as its message, the written answer is the release's
  (nbgrader scores an untouched answer zero, with nothing left to grade by hand);
* nbgrader writes the autograded notebook, so the learner is in the formgrader's lists with zero,
  and the notebook is *flagged* there (the formgrader's flag: look at this one), its first cell
  saying why; ``generate_feedback`` gives the learner the same reason;
* the class report lists the submission and its reason (:func:`reason`).

The submitted file itself is never changed: it stays in ``submitted/`` for the instructor to
look at, fix or ask the learner about, then regrade (``--student ID --force``).
"""
from __future__ import annotations

import copy
import os

import nbformat
from nbconvert.exporters import NotebookExporter

__all__ = ["ReadableExporter", "UNREADABLE_CELL", "reason"]

UNREADABLE_CELL = "autograder-unreadable"  # the id of the stand-in's first cell


def reason(nb) -> str | None:
    """Why the submission behind an autograded notebook could not be read, or ``None`` (a readable one)."""
    for cell in nb.cells[:1]:
        if cell.get("id") == UNREADABLE_CELL:
            return cell.get("metadata", {}).get("autograder", {}).get("unreadable") or cell.get("source", "")
    return None


class ReadableExporter(NotebookExporter):
    """nbgrader's ``NotebookExporter``, which puts the release in place of an unreadable submission."""

    def from_file(self, file_stream, resources=None, **kw):
        text = file_stream.read()
        try:
            nb = nbformat.reads(text, as_version=4)
        except Exception as exc:  # noqa: BLE001 - anything that is not a notebook
            nb = self._stand_in(resources or {}, f"{type(exc).__name__}: {str(exc)[:300]}", exc)
        return self.from_notebook_node(nb, resources=resources, **kw)

    def _stand_in(self, resources: dict, why: str, exc: Exception):
        """The released notebook, its first cell saying why the submission could not be read."""
        from ..i18n import notebook_language, speaking, tr
        from ..trusted import NotebookResult
        from .execute import precompute

        info = resources.get("nbgrader", {})
        student, assignment, notebook = info.get("student", ""), info.get("assignment", ""), info.get("notebook", "")
        coursedir = getattr(self.parent, "coursedir", None)
        if coursedir is None or not assignment or not notebook:
            raise exc
        release = os.path.join(coursedir.format_path(coursedir.release_directory, ".", assignment), f"{notebook}.ipynb")
        try:
            nb = copy.deepcopy(nbformat.read(release, as_version=4))
        except Exception:  # noqa: BLE001 - no release to stand in: nbgrader's own error, as before
            raise exc from None
        with speaking(notebook_language(nb)):
            message = tr("the notebook could not be read ({error}); every exercise gets zero", error=why)
            text = tr("**This submission could not be read**, so every exercise gets zero: {error}. The file as "
                      "handed in is kept unchanged; below is the released notebook, in its place. Ask your "
                      "instructor what to do.", error=why)
        cell = nbformat.v4.new_markdown_cell(text, id=UNREADABLE_CELL)
        cell.metadata["autograder"] = {"unreadable": why}
        nb.cells.insert(0, cell)
        precompute(student, assignment, NotebookResult(assignment, student, release, [], error=message))
        self._flag(info, notebook, assignment, student)
        self.log.warning("autograder, %s: %s/%s.ipynb could not be read (%s): graded as the released notebook, "
                         "zero, flagged in the formgrader", student, assignment, notebook, why)
        return nb

    def _flag(self, info: dict, notebook: str, assignment: str, student: str) -> None:
        """Flag the learner's notebook in the gradebook (the formgrader's "look at this" mark)."""
        from nbgrader.api import Gradebook, MissingEntry

        if not info.get("db_url"):
            return
        try:
            with Gradebook(info["db_url"]) as gb:
                gb.find_submission_notebook(notebook, assignment, student).flagged = True
                gb.db.commit()
        except MissingEntry:
            pass
