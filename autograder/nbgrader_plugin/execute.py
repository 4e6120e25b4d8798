"""``TrustedExecute``: nbgrader's execution step, without a kernel and without learner code in nbgrader.

It takes the place of nbgrader's ``Execute`` in ``nbgrader autograde``. The learner's cells run
once, in the sandboxed, confined learner process (:mod:`autograder.sandbox`, through
:class:`autograder.trusted.Grader`); nothing of the learner's runs in nbgrader's process, and no
Jupyter kernel is started, so no check cell imports TensorFlow there either. Then, in the notebook
nbgrader goes on with:

* each learner cell that ran gets what it printed and the error it raised (what the grader reads
  in the formgrader); the course's own demo cells, not run, stay without output;
* each test cell of an exercise gets the trusted verdict: a line starting with ``✔`` when it
  passed, an ``ExerciseFailed`` error saying what failed when it did not. nbgrader's
  ``SaveAutoGrades`` scores the cells from those outputs;
* a test cell or a written answer the learner deleted is put back where it was, from the
  released notebook: a deleted test cell scores zero with a message naming it, a deleted answer
  is there to be graded (zero), so nothing stays "needs manual grade" with nothing to grade.

It never crashes the grading of a submission: if trusted grading itself fails, the exercise cells
get an error output saying so (zero points, and an error in nbgrader's log), and the next
submission is graded normally.

Found by experiment (nbgrader 0.9.6): a subclass of nbconvert's ``Preprocessor`` is silently
skipped unless enabled, while nbgrader's ``NbGraderPreprocessor`` runs by default; an output added
as a plain dict instead of a notebook node crashed nbgrader's grade saving for the whole
submission, so outputs are built with ``nbformat.v4.new_output``.
"""
from __future__ import annotations

import copy
import dataclasses
import threading
from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Float, Integer, Unicode

from .. import registry
from ..sandbox.limits import Limits

__all__ = ["TrustedExecute", "precompute", "verdict_outputs", "grader_problems"]

_DEFAULTS = Limits()
_graders: dict = {}  # one per configuration in this process: TensorFlow's answers are reused
_precomputed: dict = {}  # (student, assignment) -> NotebookResult, from `python -m autograder autograde`
_lock = threading.Lock()
_said: set = set()  # the grader's problems already logged in this process


def precompute(student: str, assignment: str, result) -> None:
    """Hand a result graded beforehand (in parallel, or read from JSON results) to the next
    ``TrustedExecute`` of that submission: anything with ``cells``, ``outputs``, ``notes``,
    ``error`` and ``confinement`` like :class:`~autograder.trusted.NotebookResult`."""
    with _lock:
        _precomputed[(student, assignment)] = result


def grader_problems() -> list[str]:
    """The grader's own problems logged in this process (cases left out of every learner's grade)."""
    with _lock:
        return sorted(_said)


def verdict_outputs(passed: bool, message: str, partial: float | None = None) -> list:
    """The outputs of a test cell for a verdict: a ``✔`` line, or an ``ExerciseFailed`` error; under
    partial credit (``partial``: the points of a failed check) the report and the points as the
    cell's value, which nbgrader takes as partial credit."""
    if passed:
        return [new_output("stream", name="stdout", text=message + "\n")]
    if partial is not None:
        return [new_output("stream", name="stdout", text=message + "\n"),
                new_output("execute_result", data={"text/plain": repr(float(partial))}, execution_count=None)]
    lines = message.splitlines() or [""]
    return [new_output("error", ename="ExerciseFailed", evalue="\n" + message,
                       traceback=["ExerciseFailed: " + lines[0]] + lines[1:])]


def _cell_outputs(captured: dict) -> list:
    outputs = []
    for stream in ("stdout", "stderr"):
        if captured.get(stream):
            outputs.append(new_output("stream", name=stream, text=captured[stream]))
    error = captured.get("error")
    if error:
        outputs.append(new_output("error", ename=error["ename"], evalue=error["evalue"], traceback=error["traceback"]))
    return outputs


def _restore_missing(nb, release) -> list[str]:
    """Put back the graded cells (tests and written answers) the learner deleted, each after the
    cell that comes before it in the release; their grade ids."""
    from .. import alignment

    if release is None:
        return []
    lost = set(alignment.missing(nb, release))
    present = {c.get("id") for c in nb.cells}
    order = [c.get("id") for c in release.cells]
    restored = []
    for index, cell in enumerate(release.cells):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id not in lost:
            continue
        before = next((i for i in range(index - 1, -1, -1) if order[i] in present), None)
        position = 0 if before is None else next(
            (k + 1 for k, c in enumerate(nb.cells) if c.get("id") == order[before]), len(nb.cells))
        nb.cells.insert(position, copy.deepcopy(cell))
        present.add(cell.get("id"))
        restored.append(grade_id)
    return restored


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta.get("grade_id") if isinstance(meta, dict) else None


class _Refused(Exception):
    """The submission is not gradable as handed in (e.g. its notebook is a link): zero, with why."""


class TrustedExecute(NbGraderPreprocessor):
    """Run the learner's cells in the sandbox and write the trusted verdicts (see the module)."""

    device = Unicode("cpu", help="Where TensorFlow's references run: cpu, gpu or auto.").tag(config=True)
    cell_timeout = Float(_DEFAULTS.cell_timeout, help="Seconds each notebook cell may run in the learner's process."
                         ).tag(config=True)
    call_timeout = Float(_DEFAULTS.call_timeout, help="Seconds each call of a learner's function may run.").tag(config=True)
    total_timeout = Float(_DEFAULTS.total_timeout, help="Seconds a whole notebook may take in the learner's process, "
                                                         "cells and calls together.").tag(config=True)
    memory_mb = Integer(_DEFAULTS.memory_mb, help="Memory of the learner's process tree, in MB.").tag(config=True)
    confine = Bool(True, help="Build every wall the host allows around the learner's code (namespaces, a control "
                              "group, Landlock).").tag(config=True)

    def _scoring(self) -> tuple:
        from ..scoring import Scoring

        return Scoring(config=self.config).key()

    def _grader(self):
        key = (self.device, self.cell_timeout, self.call_timeout, self.total_timeout, self.memory_mb, self.confine,
               self._scoring())
        with _lock:
            if key not in _graders:
                from ..secret import ensure
                from ..trusted import Grader

                secret, note = ensure()
                if note:
                    self.log.warning("autograder: %s", note)
                limits = dataclasses.replace(_DEFAULTS, cell_timeout=self.cell_timeout, call_timeout=self.call_timeout,
                                             total_timeout=self.total_timeout, memory_mb=self.memory_mb)
                _graders[key] = Grader(self.device, limits, secret, confine=self.confine, scoring=self._scoring())
            return _graders[key]

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        assignment, student = info.get("assignment", ""), info.get("student", "")
        if assignment not in registry.assignments():
            self.log.warning("autograder: %s is not one of this course's assignments: nothing was run", assignment)
            return nb, resources
        from .. import alignment
        from ..i18n import notebook_language
        from ..trusted import release_notebook

        release = release_notebook(assignment, notebook_language(nb))
        from .cells import REFUSED_KEY

        refused = nb.get("metadata", {}).get("autograder", {}).get(REFUSED_KEY)  # set by AlignCells, or self-harm
        for note in alignment.align(nb, release):
            self.log.warning("autograder, %s: %s", student, note)
        restored = _restore_missing(nb, release)
        for grade_id in restored:
            self.log.warning("autograder, %s: the learner deleted cell %s; it was put back and scores zero",
                             student, grade_id)
        exercises = registry.exercises(assignment)
        tests = {e.grade_id(w): (e, w) for e in exercises for w in ("visible", "hidden")}
        with _lock:
            result = _precomputed.pop((student, assignment), None)
        try:
            if refused:
                raise _Refused(refused)
            if release is None:
                raise RuntimeError(f"no released notebook of {assignment} to grade against: run `make course`")
            if result is None:
                folder = resources.get("metadata", {}).get("path")
                result = self._grader().grade_notebook(nb, assignment, student, deleted=set(restored),
                                                       files_from=Path(folder) if folder else None)
            verdicts = {c["grade_id"]: c for c in result.cells}
            failure = result.error
            for note in result.notes:
                self.log.info("autograder, %s: %s", student, note)
            for note in getattr(result, "grader_notes", ()):
                with _lock:
                    first = note not in _said
                    _said.add(note)
                if first:  # once per run, not once per learner
                    self.log.error("autograder: grader problem: %s", note)
            if result.confinement and not result.confinement.get("filesystem"):
                self.log.warning("autograder, %s: %s", student, result.confinement.get("describe", "not confined"))
        except _Refused as exc:
            self.log.error("autograder, %s: %s", student, exc)
            result, verdicts, failure = None, {}, str(exc)
        except Exception as exc:  # noqa: BLE001 - never crash the grading of a submission
            self.log.error("autograder: trusted grading failed for %s: %s: %s", student, type(exc).__name__, exc)
            with _lock:
                _said.add(f"grading {student} failed: {type(exc).__name__}: {exc}")
            result, verdicts = None, {}
            failure = f"Trusted verification could not run ({type(exc).__name__}: {exc}). Ask your instructor to regrade."
        for cell in nb.cells:
            if cell.get("cell_type") != "code":
                continue
            if _grade_id(cell) in tests:
                verdict = verdicts.get(_grade_id(cell))
                if verdict is not None:
                    partial = verdict["score"] if self._scoring()[0] else None
                    cell.outputs = verdict_outputs(verdict["passed"], verdict["message"], partial)
                else:
                    cell.outputs = verdict_outputs(False, failure or "not graded")
            elif result is not None and cell.get("id") in result.outputs:
                cell.outputs = _cell_outputs(result.outputs[cell.id])
        return nb, resources
