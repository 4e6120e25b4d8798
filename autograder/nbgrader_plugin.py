"""nbgrader integration: plain ``nbgrader autograde`` uses the trusted verdict.

:class:`TrustedVerdict` runs right after nbgrader's ``Execute`` (registered in the root
``nbgrader_config.py``). For every test cell of a registered exercise it replaces the outputs
the learner's kernel produced with the trusted verdict of :mod:`autograder.trusted`: a line
starting with ``✔`` when it passed, an ``ExerciseFailed`` error saying what failed when it did
not. nbgrader then scores the cell from those outputs, so a trick that made the kernel's test
pass earns nothing, and a correct solution keeps full marks.

It never crashes the grading of a submission: if trusted grading itself fails, the exercise
cells get an error output saying so (zero points, and an error in nbgrader's log), and the
next submission is graded normally.

Found by experiment (nbgrader 0.9.6): a subclass of nbconvert's ``Preprocessor`` is silently
skipped unless enabled, while nbgrader's ``NbGraderPreprocessor`` runs by default; an output
added as a plain dict instead of a notebook node crashed nbgrader's grade saving for the whole
submission, so outputs are built with ``nbformat.v4.new_output``.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Float, Integer, Unicode

from . import registry
from .sandbox.limits import Limits

_DEFAULTS = Limits()

__all__ = ["TolerantExecute", "TrustedVerdict", "OptionalStub", "autograde_preprocessors", "generate_preprocessors",
           "drop_stale_grades"]

_grader = None  # one per nbgrader process: TensorFlow's answers are reused across submissions


class TrustedVerdict(NbGraderPreprocessor):
    """Replace the kernel's test-cell outputs with the trusted verdict."""

    device = Unicode("cpu", help="Where TensorFlow's references run: cpu, gpu or auto.").tag(config=True)
    cell_timeout = Float(_DEFAULTS.cell_timeout, help="Seconds each notebook cell may run in the learner's process."
                         ).tag(config=True)
    call_timeout = Float(_DEFAULTS.call_timeout, help="Seconds each call of a learner's function may run.").tag(config=True)
    memory_mb = Integer(_DEFAULTS.memory_mb, help="Memory limit of the learner's process, in MB.").tag(config=True)

    def _get_grader(self):
        global _grader
        if _grader is None:
            from .secret import ensure
            from .trusted import Grader

            secret, note = ensure()
            if note:
                self.log.warning("autograder: %s", note)
            _grader = Grader(self.device, Limits(self.cell_timeout, self.call_timeout, self.memory_mb), secret)
        return _grader

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        assignment = info.get("assignment", "")
        exercises = registry.exercises(assignment) if assignment in registry.assignments() else []
        if not exercises:
            return nb, resources
        cells = {e.grade_id(w): (e, w) for e in exercises for w in ("visible", "hidden")}
        try:
            folder = resources.get("metadata", {}).get("path")
            result = self._get_grader().grade_notebook(
                nb, assignment, info.get("student", ""), files_from=Path(folder) if folder else None)
            verdicts = {v.exercise.grade_id(v.which): v for v in result.verdicts}
            for note in result.notes:
                self.log.info("trusted grading, %s: %s", info.get("student", ""), note)
        except Exception as exc:  # noqa: BLE001 - never crash the grading of a submission
            self.log.error("trusted grading failed for %s: %s: %s", info.get("student", ""), type(exc).__name__, exc)
            verdicts, failure = {}, f"Trusted verification could not run ({type(exc).__name__}: {exc}). Ask your instructor to regrade."
        for cell in nb.cells:
            if cell.get("cell_type") != "code" or cell.get("id") not in cells:
                continue
            verdict = verdicts.get(cell.id)
            if verdict is not None and verdict.passed:
                cell.outputs = [new_output("stream", name="stdout", text=verdict.message + "\n")]
            else:
                text = verdict.message if verdict is not None else failure
                cell.outputs = [new_output("error", ename="ExerciseFailed", evalue="\n" + text,
                                           traceback=["ExerciseFailed: " + line for line in text.splitlines()[:1]]
                                           + text.splitlines()[1:])]
        return nb, resources


class TolerantExecute(Execute):
    """nbgrader's Execute, except that a dead or unresponsive kernel does not fail the submission.

    Stock nbgrader drops the whole submission when the learner's kernel dies (``os._exit``, a
    segfault, running out of memory) or cannot be interrupted, and gives every later cell its own
    full timeout after a hung one. Here the first timeout or death ends the kernel run: the cells
    run so far keep their outputs, the rest stay empty, and :class:`TrustedVerdict` grades every
    exercise anyway.
    """

    async def _async_handle_timeout(self, timeout, cell=None):
        # Interrupt as nbgrader does, then stop running this kernel: a loop that ignores the
        # interrupt would otherwise cost every later cell its own full timeout.
        await super()._async_handle_timeout(timeout, cell)
        from nbclient.exceptions import CellTimeoutError

        raise CellTimeoutError(f"a cell ran longer than {timeout} s; the rest of the notebook was not run in the kernel")

    def preprocess(self, nb, resources, km=None):
        try:
            return super().preprocess(nb, resources, km=km)
        except Exception as exc:  # noqa: BLE001 - DeadKernelError, CellTimeoutError, RuntimeError...
            self.log.warning("the learner's kernel stopped (%s: %s); trusted grading goes on",
                             type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
            return nb, resources


def drop_stale_grades(assignment=None, student=None, notebooks=(), **_):
    """nbgrader ``pre_convert_hook``: an unreadable submission must not keep an earlier grade.

    nbgrader cannot autograde a notebook that is not valid JSON; it logs an error and leaves the
    gradebook as it was, so a grade from an earlier run would stand. This removes that
    submission's grades first (the new, failed run then shows zero).
    """
    import os

    from nbgrader.api import Gradebook, MissingEntry

    for path in notebooks:
        try:
            nbformat.read(path, as_version=4)
            continue
        except Exception as exc:  # noqa: BLE001 - any unreadable notebook
            reason = f"{type(exc).__name__}: {str(exc)[:200]}"
        parts = os.path.normpath(path).split(os.sep)
        student_id, assignment_id = parts[-3], parts[-2]
        db_url = f"sqlite:///{os.path.join(os.getcwd(), 'grading', 'gradebook.db')}"
        try:
            with Gradebook(db_url) as gb:
                gb.remove_submission(assignment_id, student_id)
        except MissingEntry:
            pass
        print(f"[autograder] {student_id}/{assignment_id}: the notebook cannot be read ({reason}); "
              f"it gets zero and any earlier grade was removed", flush=True)


def autograde_preprocessors() -> list:
    """nbgrader's default autograde pipeline, with :class:`TolerantExecute` in place of
    ``Execute`` and :class:`TrustedVerdict` right after it.

    Order matters: after the execution (so the verdict replaces what the kernel printed) and
    before SaveAutoGrades (which scores the outputs).
    """
    from nbgrader.converters.autograde import Autograde

    steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
    at = steps.index(Execute)
    steps[at:at + 1] = [TolerantExecute, TrustedVerdict]
    return steps


class OptionalStub(NbGraderPreprocessor):
    """Release an optional solution cell (a notebook's "your helpers" cell) without the ``raise``.

    nbgrader's ``ClearSolutions`` replaces every solution region with ``# YOUR CODE HERE`` and
    ``raise NotImplementedError()``: right for an exercise, wrong for a cell that a learner may
    leave empty. A code cell whose metadata says ``"autograder": {"optional": true}`` gets
    :attr:`stub` in its place. Registered right after ``ClearSolutions`` in ``nbgrader_config.py``.
    """

    stub = Unicode("# YOUR CODE HERE (optional: leave this cell as it is if you need no helpers)",
                   help="What an optional solution cell holds in the learner's notebook.").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        optional = cell.get("metadata", {}).get("autograder", {}).get("optional")
        if cell.get("cell_type") == "code" and optional:
            cell.source = cell.source.replace("# YOUR CODE HERE\nraise NotImplementedError()", self.stub)
        return cell, resources


def generate_preprocessors() -> list:
    """nbgrader's ``generate_assignment`` pipeline with :class:`OptionalStub` after ``ClearSolutions``."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions

    steps = list(GenerateAssignment.class_traits()["preprocessors"].default())
    at = steps.index(ClearSolutions)
    return steps[:at + 1] + [OptionalStub] + steps[at + 1:]
