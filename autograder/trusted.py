"""Trusted grading: the learner's code runs in a sandboxed process, TensorFlow and the verdict here.

Stock nbgrader runs the tests inside the learner's own kernel, where code in a solution cell can
blank later cells, swallow exceptions, patch the comparison or the TensorFlow op, or read the
hidden tests. Here the learner's cells run in :mod:`autograder.sandbox` (a separate, limited
process that only hands back what the learner's functions return on the case inputs), and the
references and the comparison (:func:`autograder.judge.evaluate`) run in this process, which
never runs learner code.

Which cells run: every code cell of the submission except the test cells (the registry's
``<exercise>_visible`` / ``_hidden`` cells and any other nbgrader grade cell) and except
instructor cells left exactly as released (demos and figures; the ``setup`` cell always runs).
So a learner's function may use names from the setup cell, its own cell and cells the learner
added, not variables made by the notebook's demo cells.
"""
from __future__ import annotations

import copy
import dataclasses
import functools
import os
import threading
import weakref
from pathlib import Path

import nbformat

from . import alignment, registry, tfops
from .i18n import notebook_language, speaking, tr
from .judge import ReferenceCache, Verdict, evaluate, parameters_problem
from .outcome import Outcome
from .sandbox import Call, Limits, run_learner
from .sandbox.files import NotANotebookFile, read_notebook
from .secret import fingerprint as secret_fingerprint
from .speed import Timing

__all__ = ["NotebookResult", "Grader", "learner_cells", "release_notebook", "other_assignment"]

SETUP_CELL = "setup"


@dataclasses.dataclass
class NotebookResult:
    """The trusted verdicts of one submitted notebook."""

    assignment: str
    student: str
    path: str
    verdicts: list[Verdict]
    error: str | None = None  # set when the notebook could not be graded at all
    notes: list[str] = dataclasses.field(default_factory=list)
    outputs: dict = dataclasses.field(default_factory=dict)  # learner cell id -> its captured output
    restored: list[str] = dataclasses.field(default_factory=list)  # test cells missing from the notebook
    confinement: dict = dataclasses.field(default_factory=dict)  # what confined the learner's process
    grader_notes: list[str] = dataclasses.field(default_factory=list)  # the grader's own problems (exit 3)
    scoring: tuple = (False, 1)  # the course's rule (autograder.scoring): partial credit, decimals

    @property
    def cells(self) -> list[dict]:
        """One record per grade cell: id, points, max points, passed, message."""
        if self.verdicts:
            return [dict(grade_id=v.exercise.grade_id(v.which), exercise=v.exercise.name, which=v.which,
                         score=v.score(self.scoring), max_score=v.exercise.points[v.which], passed=v.passed,
                         message=_with_points(v, self.scoring), cases=list(v.cases_passed))
                    for v in self.verdicts]
        return [dict(grade_id=e.grade_id(w), exercise=e.name, which=w, score=0, max_score=e.points[w],
                     passed=False, message=self.error or "not graded")
                for e in registry.exercises(self.assignment) for w in ("visible", "hidden")]

    @property
    def score(self) -> float | int:
        total = sum(c["score"] for c in self.cells)
        return round(total, 6) if isinstance(total, float) else total

    @property
    def max_score(self) -> int:
        return sum(e.total_points for e in registry.exercises(self.assignment))


def _with_points(verdict, rule) -> str:
    """The verdict's message, with the points a partly passed check earns under partial credit."""
    if verdict.passed or not rule[0]:
        return verdict.message
    passed, total = verdict.cases_passed
    return verdict.message + "\n\n" + tr("{passed} of {total} cases: {points:g} of {full} points (partial credit).",
                                          passed=passed, total=total, points=verdict.score(rule),
                                          full=verdict.exercise.points[verdict.which])


@functools.lru_cache(maxsize=32)
def _read_release(path: str, mtime_ns: int):
    """A released notebook, read once per version of the file (nbgrader's steps ask for it several
    times a submission). Callers never change it: they copy what they take."""
    return nbformat.read(path, as_version=4)


def release_notebook(assignment: str, language: str = "en"):
    """The released (learner) notebook of an assignment in ``language`` (``course/``, or
    ``course-<language>/``; in a learner's distribution its ``notebooks/``), from the current folder
    or the package's, or ``None`` when there is none."""
    folder = "course" if language == "en" else f"course-{language}"
    for root in (Path.cwd(), Path(__file__).resolve().parents[1]):
        # the course's release folder, or the learner distribution's notebooks/ (in its own language)
        for path in (root / folder / assignment / f"{assignment}.ipynb", root / "notebooks" / assignment / f"{assignment}.ipynb"):
            if not path.is_file():
                continue
            try:
                release = _read_release(str(path), path.stat().st_mtime_ns)
            except Exception:  # noqa: BLE001 - an unreadable release is the grader's problem, said by the caller
                return None
            if notebook_language(release) == language:
                return release
    return None


def instructors_copy() -> bool:
    """Whether this copy of the autograder has the instructor's modules (a learner's has not)."""
    import importlib.util

    return importlib.util.find_spec(f"{__package__}.gradebook") is not None


def _source(cell) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def learner_cells(nb, assignment: str, release=None) -> list[dict]:
    """The code cells to run in the learner's process (see the module docstring).

    An instructor's demonstration cell is recognised by its source, exactly as released (wherever it
    is and whatever its id: a notebook without ids keeps its demos unrun), by the same hash the
    learner's kernel uses (:func:`autograder.watch.demo_hash`); without the release (a learner's own
    practice run), by the packaged list of them. The setup cell is never a demonstration: it runs."""
    from .watch import _demos, demo_hash

    if release is None:
        demos = set(_demos().get(assignment, {}))
    else:
        demos = {demo_hash(_source(c)) for c in release.cells
                 if c.get("cell_type") == "code" and c.get("id") != SETUP_CELL
                 and not c.get("metadata", {}).get("nbgrader", {}).get("solution")
                 and not c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    chosen = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = _source(cell)
        if meta.get("grade") and not meta.get("solution"):
            continue  # a test cell: its verdict comes from the grader
        if not meta.get("solution") and demo_hash(source) in demos:
            continue
        chosen.append({"id": str(cell.get("id") or f"cell-{index}"), "source": source})
    return chosen


def other_assignment(nb, assignment: str) -> str | None:
    """The assignment ``nb`` belongs to when it holds none of ``assignment``'s test cells but
    another assignment's (by cell id or by nbgrader grade id), else ``None``."""
    present = {str(c.get("id")) for c in nb.cells} | set(alignment.graded_ids(nb))

    def ids(name):
        return {e.grade_id(w) for e in registry.exercises(name) for w in ("visible", "hidden")}

    if present & ids(assignment):
        return None
    return next((other for other in registry.assignments() if other != assignment and present & ids(other)), None)


class Grader:
    """Grades notebooks; TensorFlow's answers are computed once and reused across submissions."""

    def __init__(self, device: str | None = None, limits: Limits = Limits(), secret: str | None = None,
                 confine: bool = True, zygote: bool = True, scoring: tuple = (False, 1)):
        """``secret``: the grading secret hidden cases are drawn from (default: the one
        :func:`autograder.secret.find` finds; without one, the public practice cases).
        ``confine``: confine the learner's process with Landlock where the kernel offers it.
        ``zygote``: fork learner processes from a pre-imported zygote (:mod:`autograder.sandbox.zygote`)
        instead of starting a fresh Python for each. ``scoring``: the course's rule
        (:meth:`autograder.scoring.Scoring.key`: partial credit, decimals)."""
        self.scoring = tuple(scoring)
        self.confine = confine
        self._use_zygote = zygote and hasattr(os, "fork")
        self._zygote = None
        self._zygote_lock = threading.Lock()
        self._baselines: dict = {}  # (exercise, check) -> the loop baseline's timed runs
        if secret is not None:
            registry.use_secret(secret)
        self.cases_from = secret_fingerprint(registry.secret_in_use())
        self.device_name = tfops.device(device)
        self.references = ReferenceCache(self.device_name)
        self.limits = limits
        self._releases: dict[str, object] = {}

    def grade_path(self, path: Path, assignment: str, student: str = "") -> NotebookResult:
        """Grade a notebook file. An unreadable file gets zero with a message, never an exception."""
        path = Path(path)
        try:  # never through a link, never a FIFO or a device (sandbox.files.read_notebook)
            nb = nbformat.reads(read_notebook(path), as_version=4)
        except NotANotebookFile as exc:
            return NotebookResult(assignment, student, str(path), [],
                                  error=tr("the notebook could not be read ({error}); every exercise gets zero",
                                           error=str(exc)))
        except Exception as exc:  # noqa: BLE001 - malformed JSON, not a notebook, unreadable
            return NotebookResult(assignment, student, str(path), [],
                                  error=tr("the notebook could not be read ({error}); every exercise gets zero",
                                           error=f"{type(exc).__name__}: {str(exc)[:300]}"))
        return self.grade_notebook(nb, assignment, student, str(path), files_from=path.parent)

    def grade_notebook(self, nb, assignment: str, student: str = "", path: str = "",
                       files_from: Path | None = None, deleted: set = frozenset()) -> NotebookResult:
        """Grade one notebook, in the language it is written in (its messages, its labels).
        ``deleted``: test cells the learner deleted and nbgrader put back (they score zero as if
        still missing)."""
        with speaking(notebook_language(nb)):
            try:
                return self._grade(nb, assignment, student, path, files_from, deleted)
            except Exception as exc:  # noqa: BLE001 - one submission never stops the others
                problem = f"{type(exc).__name__}: {str(exc)[:300]}"
                return NotebookResult(assignment, student, path, [], error=tr(
                    "the grader failed on this notebook ({problem}); every exercise gets zero for now: ask your "
                    "instructor to regrade it.", problem=problem),
                    grader_notes=[f"grading {student or path} failed: {problem}"])

    def _grade(self, nb, assignment, student, path, files_from, deleted) -> NotebookResult:
        exercises = registry.exercises(assignment)
        other = other_assignment(nb, assignment)
        if other:
            return NotebookResult(assignment, student, path, [], error=tr(
                "this is the notebook of assignment {other}, not of {assignment}: every exercise of {assignment} "
                "gets zero. Submit {assignment}.ipynb in the {assignment} folder.", other=other, assignment=assignment))
        release = self._release(assignment, notebook_language(nb))
        nb = copy.deepcopy(nb)
        alignment.align(nb, release)
        cells = learner_cells(nb, assignment, release)
        calls = [Call(f"{e.name}/{w}/{i}", e.function, case.kwargs)
                 for e in exercises for w in ("visible", "hidden") for i, case in enumerate(e.cases(w))]
        calls += [Call(f"{e.name}/speed/{w}", e.function, e.speed.input(w), timed=True, repeats=e.speed.repeats)
                  for e in exercises if e.speed is not None for w in ("visible", "hidden")]
        run = run_learner(cells, calls, self.limits, files_from=files_from, confine=self.confine,
                          zygote=self._get_zygote())
        present = set(alignment.graded_ids(nb)) - set(deleted)
        verdicts, restored = [], []
        for exercise in exercises:
            for which in ("visible", "hidden"):
                grade_id = exercise.grade_id(which)
                if grade_id not in present:  # a deleted test cell scores zero, on every path
                    restored.append(grade_id)
                    verdicts.append(evaluate(exercise, which, None, self.references, tr(
                        "The test cell {grade_id} is missing from the notebook (deleted?), so it scores zero. Get "
                        "a fresh copy of the notebook, paste your code into it, and submit again.", grade_id=grade_id)))
                    continue
                verdicts.append(self._verdict(exercise, which, run))
        grader_notes = sorted({note for v in verdicts for note in v.left_out})
        return NotebookResult(assignment, student, path, verdicts, notes=list(run.cell_errors) + list(run.notes),
                              outputs=run.outputs, restored=restored, confinement=run.confinement,
                              grader_notes=grader_notes, scoring=self.scoring)

    def _release(self, assignment: str, language: str):
        """The release a notebook is graded against (its own language's); a missing one is the
        grader's problem, never the learner's."""
        key = (assignment, language)
        if key not in self._releases:
            self._releases[key] = release_notebook(assignment, language)
        if self._releases[key] is None and instructors_copy():
            folder = "course" if language == "en" else f"course-{language}"
            raise RuntimeError(f"no released notebook {folder}/{assignment}/{assignment}.ipynb to grade against: "
                               "run `make course` (or grade from the course's root)")
        return self._releases[key]  # a learner's own practice run may have none: see learner_cells

    def _baseline_runs(self, exercise, which: str) -> tuple[tuple[float, ...], float]:
        """The loop baseline's runs on the ``which`` speed input, and what timing a call costs through
        the sandbox (a function that does nothing, returning an answer-shaped array), both timed
        once per grader in a sandboxed process that runs no learner code, then reused."""
        key = (exercise.name, which, registry.secret_in_use())
        with self._zygote_lock:
            if key in self._baselines:
                return self._baselines[key]
        kwargs = exercise.speed.input(which)
        expected = self.references.speed_expected(exercise, which)
        repeats = exercise.speed.repeats
        run = run_learner([], [Call("baseline", "", kwargs, timed=True, baseline=exercise.speed.baseline, repeats=repeats),
                               Call("null", "", {**kwargs, "like": expected}, timed=True,
                                    baseline="autograder.speed:null_call", repeats=repeats * 2)],
                          self.limits, confine=self.confine, zygote=self._get_zygote())
        timed = {k: run.timings.get(k) or {} for k in ("baseline", "null")}
        if any(len(t.get("runs") or ()) < repeats or t.get("error") for t in timed.values()):
            raise RuntimeError(f"the speed baseline of {exercise.name} could not be timed: {run.broken or timed}")
        overhead = min(timed["null"]["runs"])
        runs = tuple(max(t - overhead, 1e-7) for t in timed["baseline"]["runs"])
        with self._zygote_lock:
            return self._baselines.setdefault(key, (runs, overhead))

    def _timing(self, exercise, which: str, timed: dict | None, stopped: str | None) -> Timing | Outcome:
        """The speed measurement, from the CPU times the grader read around each run (less what timing
        costs through the sandbox): the learner's best run against the baseline's, with that run's
        result (checked against TensorFlow)."""
        if not timed or not timed.get("runs"):
            return Outcome.stopped(stopped or tr("was not timed"))
        if timed.get("error"):
            return Outcome.from_wire(timed["error"])
        baseline, overhead = self._baseline_runs(exercise, which)
        runs = tuple(max(t - overhead, 1e-7) for t in timed["runs"])
        return Timing(runs, baseline, Outcome.from_wire({"value": timed.get("value")}).value)

    def _get_zygote(self):
        """The grader's zygote, started on first use (and again if it died); ``None`` when off."""
        if not self._use_zygote:
            return None
        with self._zygote_lock:
            if self._zygote is None or not self._zygote.alive:
                from .sandbox.start import learner_env
                from .sandbox.zygote import Zygote

                self._zygote = Zygote(learner_env())
                weakref.finalize(self, self._zygote.close)
            return self._zygote

    def _verdict(self, exercise, which, run) -> Verdict:
        fn = exercise.function
        if fn in run.missing:
            own = tr("cell {name}: {error}", name=fn, error="")
            errors = [e for e in run.cell_errors if e.startswith(own)] or run.cell_errors[:2]
            detail = ("\n" + "\n".join(errors)) if errors else ""
            problem = tr("no function named {fn} is defined in this notebook: was its cell deleted, was it renamed, "
                         "or did its cell fail?", fn=fn) + detail
            return evaluate(exercise, which, None, self.references, problem)
        names = run.signatures.get(fn)
        problem = parameters_problem(exercise, names) if names else None
        if problem:
            return evaluate(exercise, which, None, self.references, problem)
        outcomes = []
        stopped = run.broken.get(fn)
        for index, _case in enumerate(exercise.cases(which)):
            data = run.outcomes.get(f"{exercise.name}/{which}/{index}")
            if data is not None:
                outcomes.append(Outcome.from_wire(data))
            else:
                why = stopped or tr("was not called: the learner's process stopped before it")
                outcomes.append(Outcome.stopped(why))
        timing = None
        if exercise.speed is not None:
            timing = self._timing(exercise, which, run.timings.get(f"{exercise.name}/speed/{which}"), stopped)
        verdict = evaluate(exercise, which, outcomes, self.references, timing=timing)
        if not verdict.passed and run.cell_errors:
            verdict.message += ("\n\n" + tr("While your notebook ran, these cells failed; an exercise that uses what "
                                           "they define fails with them:") + "\n"
                                + "\n".join(f"  {e}" for e in run.cell_errors[:5]))
        return verdict
