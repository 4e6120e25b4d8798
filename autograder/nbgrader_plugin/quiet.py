"""nbgrader's expected warnings, silenced where they are expected and kept where they are not.

Three of nbgrader's messages appear on every correct run of this course and look like failures:

* ``Attribute 'checksum' for cell pool2d_hidden has changed!``, from nbgrader's ``OverwriteCells``
  for every test cell with hidden tests: the learner's copy of such a cell is the released one,
  without its hidden tests, and nbgrader puts the hidden tests back from the source (that is how
  they are graded). :class:`OverwriteCellsQuietly` leaves that case unsaid (once per run, at
  INFO level, it says how many cells got their hidden tests back); a test cell the learner *did*
  change is still reported, as nbgrader reports it;
* ``Config option `display_data_priority` not recognized by `ClearHiddenTests```, when
  ``generate_feedback`` runs a preprocessor that nbgrader's HTML exporter's shared setting
  (``NbConvertBase.display_data_priority``) reaches but which declares that name as not
  configurable: :class:`FeedbackClearHiddenTests` declares it configurable (and unused);
* SQLAlchemy's ``SAWarning: Object of type <SubmittedAssignment> not in session, add operation
  along 'Student.submissions' will not proceed``, from nbgrader's own gradebook code each time it
  adds a submission (autoflush while nbgrader builds the record; the record is saved correctly):
  :func:`silence_expected_warnings` filters exactly that message, from ``nbgrader_config.py``.
"""
from __future__ import annotations

import copy
import threading
import warnings

from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells
from traitlets import List

__all__ = ["OverwriteCellsQuietly", "FeedbackClearHiddenTests", "DISPLAY_PRIORITY", "silence_expected_warnings"]

# nbgrader's own default for this trait (nbgrader.preprocessors.base.NbGraderPreprocessor)
DISPLAY_PRIORITY = ["text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png", "image/jpeg",
                    "text/plain"]
_restored = [0]
_lock = threading.Lock()


def silence_expected_warnings() -> None:
    """Filter SQLAlchemy's autoflush warning from nbgrader's gradebook (see the module), only that one."""
    try:
        from sqlalchemy.exc import SAWarning
    except ImportError:  # pragma: no cover - nbgrader needs SQLAlchemy
        return
    warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session, add operation along",
                            category=SAWarning)


class OverwriteCellsQuietly(OverwriteCells):
    """nbgrader's ``OverwriteCells``, without its warning for a released hidden-test cell it restores."""

    def preprocess_cell(self, cell, resources, cell_index):
        self._as_released = self._released_hidden_tests(cell)
        return super().preprocess_cell(cell, resources, cell_index)

    def _released_hidden_tests(self, cell) -> bool:
        """Whether ``cell`` is a test cell with hidden tests in the source, exactly as released (without them)."""
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if not grade_id:
            return False
        try:
            source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
        except Exception:  # noqa: BLE001 - nbgrader's own step says what is missing
            return False
        clearer = ClearHiddenTests(parent=self)
        if clearer.begin_test_delimeter not in source.source:
            return False
        released = copy.deepcopy(cell)
        released.source = source.source
        try:
            clearer._remove_hidden_test_region(released)
        except RuntimeError:
            return False
        return released.source == cell.source

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and getattr(self, "_as_released", False):
            with _lock:
                _restored[0] += 1
                first = _restored[0] == 1
            if first:
                self.log.info("Hidden tests put back into the learners' test cells from the source (expected: "
                              "nbgrader's 'checksum has changed' for those cells is not shown)")
            return
        super().report_change(name, attr, old, new)


class FeedbackClearHiddenTests(ClearHiddenTests):
    """nbgrader's ``ClearHiddenTests`` for feedback, with ``display_data_priority`` configurable (unused)."""

    display_data_priority = List(DISPLAY_PRIORITY, help="Not used; declared so that nbconvert's shared "
                                 "setting of it is not reported as unknown.").tag(config=True)
