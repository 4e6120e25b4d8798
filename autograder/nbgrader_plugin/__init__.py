"""nbgrader integration: plain ``nbgrader`` commands grade with the trusted verdict.

Registered in the root ``nbgrader_config.py``:

* ``generate_assignment``: :func:`generate_preprocessors` (nbgrader's, plus :class:`OptionalStub`);
* ``autograde``'s first pass (nbgrader's "sanitize"): :func:`sanitize_preprocessors`:
  :class:`AlignCells` first (graded cells by ``grade_id``, from the release; a notebook that is a
  link refused), before nbgrader's own metadata checks, which stop the whole assignment on one
  pasted cell; nbgrader's steps, without its warning for every restored hidden-test cell
  (:mod:`.quiet`);
* ``autograde``'s second pass: :func:`autograde_preprocessors`: :class:`TrustedExecute` in place of
  nbgrader's ``Execute`` (no kernel; the learner's code runs once, in the walled-in sandbox),
  :class:`SanitizeMarkdown` (the learner's markdown cleaned) and :class:`AddRubrics` (the grader's
  notes under written answers); :class:`~.unreadable.ReadableExporter` as the exporter (an
  unreadable submission is graded zero, with its reason, and flagged); :func:`stale_grades_hook`
  as the ``pre_convert_hook``;
* ``generate_feedback``: :func:`feedback_preprocessors`: no hidden test source, no grader's notes,
  the learner's markdown cleaned;
* ``export``: :class:`~.export.SubmittedCsvExport` (assignments nobody submitted are left out, and said);
* :func:`protect_copies`: nbgrader's own copies of a submission's other files (into
  ``autograded/``, then ``feedback/``) take regular files only, never through a link.
"""
from __future__ import annotations

from .cells import AddRubrics, AlignCells, ClearRubrics, OptionalStub, SanitizeMarkdown
from .execute import TrustedExecute, precompute, verdict_outputs

__all__ = ["TrustedExecute", "AddRubrics", "AlignCells", "ClearRubrics", "OptionalStub", "SanitizeMarkdown",
           "precompute", "verdict_outputs", "autograde_preprocessors", "sanitize_preprocessors", "generate_preprocessors",
           "feedback_preprocessors", "stale_grades_hook", "protect_copies"]


def autograde_preprocessors() -> list:
    """nbgrader's autograde pipeline with :class:`TrustedExecute` in place of ``Execute``, then
    :class:`SanitizeMarkdown` and :class:`AddRubrics` before the grades are saved. Order matters:
    the verdicts are written before ``SaveAutoGrades`` scores the outputs, and the learner's
    markdown is cleaned before the instructor's notes (trusted) are added."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute, SaveAutoGrades

    steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
    steps[steps.index(Execute)] = TrustedExecute
    steps.insert(steps.index(SaveAutoGrades), SanitizeMarkdown)
    steps.insert(steps.index(SaveAutoGrades), AddRubrics)
    return steps


def sanitize_preprocessors() -> list:
    """nbgrader's autograde "sanitize" pass with :class:`AlignCells` first (it reads the submitted file
    itself, so it is where a notebook that is a link is refused), and
    :class:`~.quiet.OverwriteCellsQuietly` in place of ``OverwriteCells`` (the same work, without a
    warning for each hidden-test cell it restores)."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import OverwriteCells

    from .quiet import OverwriteCellsQuietly

    steps = list(Autograde.class_traits()["sanitize_preprocessors"].default())
    steps[steps.index(OverwriteCells)] = OverwriteCellsQuietly
    return [AlignCells, *steps]


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

    return [GetGrades, FeedbackClearHiddenTests, ClearRubrics, SanitizeMarkdown, CSSHTMLHeaderPreprocessor]


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


def protect_copies() -> None:
    """Make nbgrader's copies of a submission's other files (``BaseConverter.init_assignment``:
    submitted -> autograded -> feedback) take only regular files that lie inside the folder.

    nbgrader 0.9.6 copies every file it finds beside a notebook with ``shutil.copy``, which
    follows links: a link to ``grading/secret`` or to the gradebook beside a learner's notebook
    put a copy of it in that learner's feedback folder. nbgrader has no setting for this, so the
    file finder its converters use is wrapped (from ``nbgrader_config.py``): a link, a FIFO, a
    device or a file whose real path leaves the folder is not copied (the rule the learner's
    process gets its files by: :mod:`autograder.sandbox.files`).
    """
    import os

    from nbgrader.converters import base

    from ..sandbox.files import is_regular

    if getattr(base.find_all_files, "_autograder_safe", False):
        return
    unsafe_find = base.find_all_files

    def find_regular_files(path, exclude=None):
        home = os.path.realpath(path)
        kept = []
        for name in unsafe_find(path, exclude):
            real = os.path.realpath(name)
            if is_regular(name) and os.path.commonpath([real, home]) == home:
                kept.append(name)
        return kept

    find_regular_files._autograder_safe = True
    base.find_all_files = find_regular_files