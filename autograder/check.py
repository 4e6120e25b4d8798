"""Run a learner's function on an exercise's cases and judge it against TensorFlow.

The work is split in three steps so that they can run in different processes (the learner's
kernel, or a trusted grader):

1. :func:`call_learner` calls the learner's function on one case and records an :class:`Outcome`
   (the value, or the exception and the learner's line that raised it, and any input it changed).
2. :func:`expected_for` computes the case's expected value with TensorFlow's own op.
3. :func:`judge` compares the two and returns a :class:`Failure` or ``None``.

:func:`check` does all three in the current process; it is what the notebooks' test cells call.
It prints one line when every case passes and raises :class:`ExerciseFailed` (never a bare
``AssertionError``) with a report of the smallest failing case otherwise.
"""
from __future__ import annotations

import dataclasses
import inspect
import os
import threading
import traceback
import warnings
from typing import Any, Callable

import numpy as np

from . import registry, speed, tfops, wire
from .cases import Case, sized
from .compare import compare
from .messages import failure_report, pass_report

__all__ = [
    "ExerciseFailed", "GraderError", "Outcome", "Failure", "Verdict",
    "call_learner", "expected_for", "judge", "evaluate", "verify", "check", "last_failure",
    "signature_problem", "parameters_problem", "STOPPED",
]

STOPPED = "Stopped"  # Outcome.error of a call the grader had to stop (time limit, crash)
_HERE = os.path.dirname(os.path.abspath(__file__))
_last_failure: Case | None = None
_expected_cache: dict[tuple, Any] = {}  # TensorFlow's answers, computed once per process
_expected_lock = threading.RLock()


class ExerciseFailed(Exception):
    """A learner's function does not do what its exercise asks; the message says why."""


class GraderError(RuntimeError):
    """The grader itself could not compute a reference (not the learner's fault)."""


@dataclasses.dataclass
class Outcome:
    """What the learner's function did on one case."""

    value: Any = None
    error: str | None = None  # exception type name, e.g. "ValueError"
    error_bases: tuple[str, ...] = ()  # names of its classes, most derived first
    message: str = ""  # the exception's message
    line: str = ""  # where in the learner's code it was raised
    mutated: tuple[str, ...] = ()  # inputs the function changed in place

    @property
    def raised(self) -> bool:
        return self.error is not None

    def to_wire(self) -> dict:
        data = dataclasses.asdict(self)
        data["value"] = wire.encode(self.value)
        return data

    @classmethod
    def from_wire(cls, data: dict) -> "Outcome":
        """An outcome sent by the learner's process: plain data only, each field checked."""
        return cls(
            value=wire.decode(data.get("value")),
            error=None if data.get("error") is None else str(data["error"])[:200],
            error_bases=tuple(str(b)[:200] for b in data.get("error_bases") or ())[:50],
            message=str(data.get("message", ""))[:2000],
            line=str(data.get("line", ""))[:500],
            mutated=tuple(str(m)[:100] for m in data.get("mutated") or ())[:20],
        )


@dataclasses.dataclass
class Failure:
    """One failing case, with what the learner needs to know about it."""

    case: Case
    problem: str
    where: str = ""
    expected: Any = None
    actual: Any = None
    show_values: bool = False


@dataclasses.dataclass
class Verdict:
    """The result of one exercise's visible or hidden check."""

    exercise: registry.Exercise
    which: str
    total: int
    failures: list[Failure]
    device: str
    message: str

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def points(self) -> int:
        return self.exercise.points[self.which] if self.passed else 0


def _learner_line(exc: BaseException) -> str:
    """The last frame of the traceback that is not the autograder's own code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(_HERE)]
    if not frames:
        return ""
    frame = frames[-1]
    code = f": {frame.line.strip()}" if frame.line else ""
    return f"line {frame.lineno} of {frame.name}{code}"


def call_learner(func: Callable, case: Case) -> Outcome:
    """Call ``func(**case.kwargs)`` on a fresh copy of the inputs and record what happened."""
    kwargs = case.fresh_kwargs()
    try:
        # Warnings the learner's code triggers are recorded, not printed: under nbgrader any
        # stderr output in a test cell costs the cell its points, right or wrong.
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            value = func(**kwargs)
    except Exception as exc:  # the learner's code may raise anything; report it, don't crash
        bases = tuple(c.__name__ for c in type(exc).__mro__)
        return Outcome(error=bases[0], error_bases=bases, message=str(exc), line=_learner_line(exc))
    mutated = tuple(
        name
        for name, original in case.kwargs.items()
        if isinstance(original, np.ndarray)
        and not (
            kwargs[name].shape == original.shape
            and np.array_equal(kwargs[name], original, equal_nan=original.dtype.kind in "fc")
        )
    )
    return Outcome(value=value, mutated=mutated)


def expected_for(exercise: registry.Exercise, which: str, index: int, device: str) -> Any:
    """TensorFlow's answer for case ``index`` of ``exercise``'s ``which`` cases (cached)."""
    key = (exercise.name, which, index, device)
    with _expected_lock:
        return _expected_locked(exercise, which, index, device, key)


def _expected_locked(exercise, which, index, device, key):
    if key not in _expected_cache:
        case = exercise.cases(which)[index]
        try:
            _expected_cache[key] = exercise.reference(**case.kwargs, device_name=device)
        except Exception as exc:
            raise GraderError(
                f"the TensorFlow reference for {exercise.name} failed on {case.call(exercise.function)}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
    return _expected_cache[key]


def judge(exercise: registry.Exercise, case: Case, outcome: Outcome, expected: Any) -> Failure | None:
    """Compare one outcome with the expected value; ``None`` when the case passes."""
    fn = exercise.function
    if case.raises is not None:
        want = case.raises.__name__
        if want in outcome.error_bases:
            if outcome.message.strip():
                return None
            return Failure(case, f"raised {want} as it should, but with an empty message: say what was wrong.")
        if outcome.raised:
            return Failure(case, f"should raise {want}, but raised {outcome.error}: {outcome.message}"
                           + (f"\n(at {outcome.line})" if outcome.line else ""))
        return Failure(case, f"should raise {want}, but returned {type(outcome.value).__name__} "
                             f"{_short(outcome.value)} instead.")
    if outcome.raised:
        if outcome.error == STOPPED:
            return Failure(case, f"{fn} {outcome.message}")
        if outcome.error == "NotImplementedError":
            problem = f"{fn} raised NotImplementedError: it is not written yet. Replace `raise NotImplementedError()` with your code."
        else:
            problem = f"{fn} raised {outcome.error}: {outcome.message}" + (
                f"\n(at {outcome.line})" if outcome.line else "")
        return Failure(case, problem)
    if outcome.mutated:
        names = ", ".join(outcome.mutated)
        return Failure(case, f"{fn} changed its input {names} in place; leave the input unchanged and return a new value.")
    mismatch = compare(outcome.value, expected)
    if mismatch is None:
        return None
    where = ""
    if mismatch.first_index is not None and exercise.explain is not None:
        where = exercise.explain(case, mismatch.first_index)
    return Failure(case, str(mismatch), where, expected, outcome.value, show_values=True)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."


def signature_problem(exercise: registry.Exercise, func: Any) -> str | None:
    """Why ``func`` cannot be called as the exercise calls it, or ``None``."""
    if not callable(func):
        return f"{exercise.function} should be a function; it is {type(func).__name__} {_short(func)}."
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None
    return parameters_problem(exercise, [p.name for p in params])


def parameters_problem(exercise: registry.Exercise, names: list[str]) -> str | None:
    """Why a function with these parameter names cannot be called as the exercise calls it."""
    missing = [n for n in exercise.parameters if n not in names]
    if not missing:
        return None
    return (f"{exercise.function} should take the parameters {exercise.signature}; yours takes ({', '.join(names)}). "
            f"Missing: {', '.join(missing)}. The checks call it with these names as keywords.")


def evaluate(exercise: registry.Exercise, which: str, outcomes: list[Outcome] | None,
             device_name: str, problem: str | None = None, timing=None) -> Verdict:
    """Judge one outcome per case (in case order) against TensorFlow; ``problem`` fails them all.

    ``timing`` is ``(learner seconds, baseline seconds)`` for an exercise with a speed
    requirement, judged with the hidden check once every case is correct (or an Outcome that
    says why it could not be measured). This is the trusted half of a check: it runs where the
    references are computed and never runs the learner's code.
    """
    global _last_failure
    cases = exercise.cases(which)
    if problem is not None or outcomes is None:
        failures = [Failure(sized(cases)[0], problem or f"{exercise.function} could not be run.")]
    else:
        failures = []
        for index, (case, outcome) in enumerate(zip(cases, outcomes)):
            expected = None if case.raises or outcome.raised else expected_for(exercise, which, index, device_name)
            failure = judge(exercise, case, outcome, expected)
            if failure is not None:
                failures.append(failure)
        failures.sort(key=lambda f: f.case.size)
        if not failures and which == "hidden" and exercise.speed is not None:
            speed_case = Case(exercise.speed.case(), "speed on a fixed input, against a loop")
            if isinstance(timing, Outcome):
                slow = judge(exercise, speed_case, timing, None) if timing.raised else None
                slow = slow.problem if slow else f"{exercise.function}'s speed could not be measured."
            else:
                slow = speed.problem(exercise, timing)
                if not slow and len(timing) > 2:  # the timed result must be right too
                    key = (exercise.name, "speed", device_name)
                    with _expected_lock:
                        if key not in _expected_cache:
                            _expected_cache[key] = exercise.reference(**speed_case.kwargs, device_name=device_name)
                    wrong = compare(timing[2], _expected_cache[key])
                    if wrong is not None:
                        slow = f"{exercise.function} returned a wrong result on the speed input: {wrong.summary}"
            if slow:
                failures.append(Failure(speed_case, slow))
    if failures:
        _last_failure = failures[0].case
        message = failure_report(exercise, which, failures, len(cases), device_name)
    else:
        message = pass_report(exercise, which, len(cases), device_name, tfops.tensorflow().__version__)
    return Verdict(exercise, which, len(cases), failures, device_name, message)


def verify(name: str, func: Callable, which: str = "visible", device: str | None = None) -> Verdict:
    """Run every case of one exercise in this process and return a :class:`Verdict`."""
    exercise = registry.get(name)
    device_name = tfops.device(device)
    problem = signature_problem(exercise, func)
    outcomes = None if problem else [call_learner(func, case) for case in exercise.cases(which)]
    timing = None
    if not problem and which == "hidden" and exercise.speed is not None:
        baseline = speed.load_baseline(exercise.speed.baseline)
        try:
            timing = speed.measure(func, baseline, exercise.speed.case(), exercise.speed.repeats)
        except Exception as exc:  # noqa: BLE001 - the learner's function failed on the speed input
            timing = Outcome(error=type(exc).__name__, error_bases=(type(exc).__name__,), message=str(exc))
    return evaluate(exercise, which, outcomes, device_name, problem, timing)


def check(name: str, func: Callable, *, hidden: bool = False, device: str | None = None) -> None:
    """Check a learner's function: print one line when it passes, raise ExerciseFailed if not.

    Args:
        name: the exercise id in the registry, e.g. ``"pool2d"``.
        func: the learner's function.
        hidden: run the hidden cases instead of the visible ones.
        device: where TensorFlow's references run: ``"cpu"``, ``"gpu"`` or ``"auto"``
            (default: ``AUTOGRADER_DEVICE``, else the CPU).
    """
    __tracebackhide__ = True  # IPython hides this frame: the learner sees the message only
    verdict = verify(name, func, "hidden" if hidden else "visible", device)
    if not verdict.passed:
        raise ExerciseFailed("\n" + verdict.message) from None
    print(verdict.message)


def last_failure() -> Case | None:
    """The smallest failing case of the last check that failed (to rerun it by hand)."""
    return _last_failure
