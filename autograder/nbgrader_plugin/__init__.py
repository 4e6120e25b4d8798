"""nbgrader integration: plain ``nbgrader`` commands grade with the trusted verdict.

Registered in the root ``nbgrader_config.py``:

* ``generate_assignment``: :func:`generate_preprocessors` (nbgrader's, plus :class:`OptionalStub`);
* ``autograde``: :func:`autograde_preprocessors`: :class:`TrustedExecute` in place of nbgrader's
  ``Execute`` (no kernel; the learner's code runs once, in the confined sandbox), and
  :class:`AddRubrics` (the grader's notes under written answers); :func:`sanitize_preprocessors`
  (nbgrader's, without its warning for every restored hidden-test cell: :mod:`.quiet`);
  :class:`~.unreadable.ReadableExporter` as the exporter (an unreadable submission is graded
  zero, with its reason, and flagged); :func:`stale_grades_hook` as the ``pre_convert_hook``;
* ``generate_feedback``: :func:`feedback_preprocessors`: no hidden test source, no grader's notes;
* ``export``: :class:`~.export.SubmittedCsvExport` (assignments nobody submitted are left out, and said).
"""
from __future__ import annotations

from .cells import AddRubrics, ClearRubrics, OptionalStub
from .execute import TrustedExecute, precompute, verdict_outputs

__all__ = ["TrustedExecute", "AddRubrics", "ClearRubrics", "OptionalStub", "precompute", "verdict_outputs",
           "autograde_preprocessors", "sanitize_preprocessors", "generate_preprocessors", "feedback_preprocessors",
           "stale_grades_hook"]


def autograde_preprocessors() -> list:
    """nbgrader's autograde pipeline with :class:`TrustedExecute` in place of ``Execute``, and
    :class:`AddRubrics` before the grades are saved. Order matters: the verdicts are written
    before ``SaveAutoGrades`` scores the outputs."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute, SaveAutoGrades

    steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
    steps[steps.index(Execute)] = TrustedExecute
    steps.insert(steps.index(SaveAutoGrades), AddRubrics)
    return steps


def sanitize_preprocessors() -> list:
    """nbgrader's autograde "sanitize" pipeline with :class:`~.quiet.OverwriteCellsQuietly` in place of
    ``OverwriteCells`` (the same work, without a warning for each hidden-test cell it restores)."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import OverwriteCells

    from .quiet import OverwriteCellsQuietly

    steps = list(Autograde.class_traits()["sanitize_preprocessors"].default())
    steps[steps.index(OverwriteCells)] = OverwriteCellsQuietly
    return steps


def generate_preprocessors() -> list:
    """nbgrader's ``generate_assignment`` pipeline with :class:`OptionalStub` after ``ClearSolutions``."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions

    steps = list(GenerateAssignment.class_traits()["preprocessors"].default())
    at = steps.index(ClearSolutions)
    return steps[:at + 1] + [OptionalStub] + steps[at + 1:]


def feedback_preprocessors() -> list:
    """Feedback shows each failing case and its hint (the trusted verdict's output) but never the
    hidden tests' source, which stock nbgrader copies into the HTML, nor the grader's notes."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from .quiet import FeedbackClearHiddenTests

    return [GetGrades, FeedbackClearHiddenTests, ClearRubrics, CSSHTMLHeaderPreprocessor]


def stale_grades_hook(db_url: str):
    """nbgrader ``pre_convert_hook``: an unreadable submission must not keep an earlier grade.

    A notebook that is not valid JSON is graded as the released notebook (zero, flagged:
    :mod:`.unreadable`), but a written answer graded by hand in an earlier run would keep its
    points over the new, untouched answer. The hook removes that submission's grades first.
    """

    def drop_stale_grades(assignment=None, student=None, notebooks=(), **_):
        import os

        import nbformat
        from nbgrader.api import Gradebook, MissingEntry

        for path in notebooks:
            try:
                nbformat.read(path, as_version=4)
                continue
            except Exception as exc:  # noqa: BLE001 - any unreadable notebook
                reason = f"{type(exc).__name__}: {str(exc)[:200]}"
            parts = os.path.normpath(path).split(os.sep)
            student_id, assignment_id = parts[-3], parts[-2]
            try:
                with Gradebook(db_url) as gb:
                    gb.remove_submission(assignment_id, student_id)
            except MissingEntry:
                pass
            print(f"[autograder] {student_id}/{assignment_id}: the notebook cannot be read ({reason}); "
                  f"any earlier grade was removed", flush=True)

    return drop_stale_grades
