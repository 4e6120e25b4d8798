"""The trusted half of a check: TensorFlow's answers, the comparison, and the verdict.

Nothing here runs a learner's function: it receives :class:`~autograder.outcome.Outcome` records
(from the learner's kernel or the sandboxed learner process) and judges them against TensorFlow.

* :class:`ReferenceCache` computes each case's expected value once per device and keeps it: the
  grader owns one for a whole grading run, the learner's kernel one for its session.
* :func:`judge` compares one outcome with its expected value.
* :func:`evaluate` judges every case of an exercise's visible or hidden check (and the speed
  requirement with the hidden check) and writes the learner's message.
"""
from __future__ import annotations

import re

import dataclasses
import inspect
import threading
from typing import Any

from . import registry, speed, tfops
from .cases import Case
from .compare import compare, safe_repr
from .messages import failure_report, pass_report
from .i18n import tr
from .outcome import STOPPED, Outcome

__all__ = ["GraderError", "Failure", "Verdict", "ReferenceCache", "judge", "evaluate", "signature_problem",
           "parameters_problem"]


class GraderError(RuntimeError):
    """The grader itself could not compute a reference (not the learner's fault)."""


@dataclasses.dataclass
class Failure:
    """One failing case, with what the learner needs to know about it.

    ``case`` is ``None`` when the whole function failed before any case could tell (no such
    function, other parameter names, a deleted test cell): then ``problem`` is the whole message.
    """

    case: Case | None
    problem: str
    where: str = ""
    expected: Any = None
    actual: Any = None
    show_values: bool = False
    unwritten: bool = False  # the function still raises NotImplementedError
    kind: str = "values"  # what went wrong: values, shape, dtype, type, raises, error, name, stopped, mutated, speed


@dataclasses.dataclass
class Verdict:
    """The result of one exercise's visible or hidden check."""

    exercise: registry.Exercise
    which: str
    total: int
    failures: list[Failure]
    device: str
    message: str
    left_out: list[str] = dataclasses.field(default_factory=list)  # cases whose reference failed: why

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def cases_passed(self) -> tuple[int, int]:
        """``(passed, total)``: the check's cases, a speed requirement as one more; none passed
        when the function could not run at all."""
        total = self.total + (1 if self.exercise.speed is not None else 0)
        if any(f.case is None for f in self.failures):
            return 0, total
        return max(0, total - len(self.failures)), total

    @property
    def points(self) -> int:
        return self.exercise.points[self.which] if self.passed else 0

    def score(self, rule: tuple[bool, int] = (False, 1)) -> float | int:
        """The check's points under the course's scoring rule (:mod:`autograder.scoring`)."""
        from .scoring import points

        return points(self.exercise.points[self.which], *self.cases_passed, rule)


class ReferenceCache:
    """TensorFlow's answer for each case, computed once on ``device_name`` and kept (thread-safe)."""

    def __init__(self, device_name: str):
        self.device_name = device_name
        self._answers: dict[tuple, Any] = {}
        self._lock = threading.RLock()

    def _get(self, key: tuple, exercise: registry.Exercise, case: Case) -> Any:
        with self._lock:
            if key not in self._answers:
                try:
                    self._answers[key] = exercise.reference(**case.kwargs, device_name=self.device_name)
                except Exception as exc:  # noqa: BLE001 - kept, so that it is tried once per run
                    self._answers[key] = GraderError(
                        f"the TensorFlow reference for {exercise.name} failed on {case.call(exercise.function)}: "
                        f"{type(exc).__name__}: {exc}")
            answer = self._answers[key]
        if isinstance(answer, GraderError):
            raise answer
        return answer

    def expected(self, exercise: registry.Exercise, which: str, index: int) -> Any:
        """The expected value of case ``index`` of ``exercise``'s ``which`` cases (hidden: of the
        grading secret in use, which decides what the hidden cases are)."""
        drawn_from = registry.secret_in_use() if which == "hidden" else None
        return self._get((exercise.name, which, index, drawn_from), exercise, exercise.cases(which)[index])

    def speed_expected(self, exercise: registry.Exercise, which: str) -> Any:
        """The expected value on the speed input of the ``which`` check."""
        return self._get((exercise.name, "speed", which, registry.secret_in_use()), exercise,
                         Case(exercise.speed.input(which), "speed"))



def _where(line: str) -> str:
    """``line N of FUNCTION: CODE`` (the learner process's words) in the language spoken."""
    found = re.match(r"line (\d+) of ([^:]+)(: .*)?$", line, re.S)
    if not found:
        return line
    return tr("line {n} of {function}", n=found.group(1), function=found.group(2)) + (found.group(3) or "")

def judge(exercise: registry.Exercise, case: Case, outcome: Outcome, expected: Any) -> Failure | None:
    """Compare one outcome with the expected value; ``None`` when the case passes."""
    fn = exercise.function
    at = ("\n" + tr("(at {line})", line=_where(outcome.line))) if outcome.line else ""
    if case.raises is not None:
        want = case.raises.__name__
        if want in outcome.error_bases:
            if outcome.message.strip():
                return None
            return Failure(case, tr("raised {want} as it should, but with an empty message: say what was wrong.",
                                    want=want), kind="raises")
        if outcome.raised:
            return Failure(case, tr("should raise {want}, but raised {error}: {message}", want=want,
                                    error=outcome.error, message=outcome.message) + at,
                           unwritten=outcome.error == "NotImplementedError", kind="raises")
        return Failure(case, tr("should raise {want}, but returned {kind} {value} instead.", want=want,
                                kind=type(outcome.value).__name__, value=_short(outcome.value)), kind="raises")
    if outcome.raised:
        if outcome.error == STOPPED:
            return Failure(case, f"{fn} {outcome.message}", kind="stopped")
        if outcome.error == "NotImplementedError":
            return Failure(case, tr("{fn} raised NotImplementedError: it is not written yet. Replace "
                                    "`raise NotImplementedError()` with your code.", fn=fn), unwritten=True,
                           kind="error")
        return Failure(case, tr("{fn} raised {error}: {message}", fn=fn, error=outcome.error,
                                message=outcome.message) + at,
                       kind="name" if "NameError" in outcome.error_bases else "error")
    if outcome.mutated:
        return Failure(case, tr("{fn} changed its input {names} in place; leave the input unchanged and return a "
                                "new value.", fn=fn, names=", ".join(outcome.mutated)), kind="mutated")
    mismatch = compare(outcome.value, expected)
    if mismatch is None:
        return None
    where = ""
    if mismatch.first_index is not None and exercise.explain is not None:
        where = exercise.explain(case, mismatch.first_index)
    return Failure(case, str(mismatch), where, expected, outcome.value, show_values=True, kind=mismatch.kind)


def _short(value: Any) -> str:
    return safe_repr(value, 80)


def signature_problem(exercise: registry.Exercise, func: Any) -> str | None:
    """Why ``func`` cannot be called as the exercise calls it, or ``None``."""
    if not callable(func):
        return tr("{fn} should be a function; it is {kind} {value}.", fn=exercise.function,
                  kind=type(func).__name__, value=_short(func))
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
    return tr("{fn} should take the parameters {signature}; yours takes ({names}). Missing: {missing}. The checks "
              "call it with these names as keywords: rename yours.", fn=exercise.function,
              signature=exercise.signature, names=", ".join(names), missing=", ".join(missing))


def _speed_problem(exercise, which: str, references: ReferenceCache,
                   timing: speed.Timing | Outcome | None) -> str | None:
    """Why the speed requirement fails: not measured, too slow, or a wrong result on the speed input."""
    if isinstance(timing, Outcome):
        if timing.raised:
            failure = judge(exercise, Case(exercise.speed.input(which), "speed"), timing, None)
            return failure.problem if failure else None
        timing = None
    slow = speed.problem(exercise, timing)
    if slow:
        return slow
    wrong = compare(timing.result, references.speed_expected(exercise, which))
    if wrong is not None:
        return tr("{fn} returned a wrong result on the speed input: {summary}", fn=exercise.function,
                  summary=wrong.summary)
    return None


def evaluate(exercise: registry.Exercise, which: str, outcomes: list[Outcome] | None,
             references: ReferenceCache, problem: str | None = None,
             timing: speed.Timing | Outcome | None = None) -> Verdict:
    """Judge one outcome per case (in case order) against TensorFlow; ``problem`` fails them all.

    ``timing`` is the speed measurement of an exercise with a speed requirement, judged once every
    case is correct (an :class:`Outcome` says why it could not be made).
    """
    cases = exercise.cases(which)
    device_name = references.device_name
    left_out = _left_out(exercise, which, references)
    if problem is not None or outcomes is None:
        failures = [Failure(None, problem or tr("{fn} could not be run.", fn=exercise.function))]
    else:
        failures = []
        for index, (case, outcome) in enumerate(zip(cases, outcomes)):
            if index in left_out:
                continue  # no reference: this case counts for nobody
            expected = None if case.raises or outcome.raised else references.expected(exercise, which, index)
            failure = judge(exercise, case, outcome, expected)
            if failure is not None:
                failures.append(failure)
        failures.sort(key=lambda f: f.case.size)
        if not failures and exercise.speed is not None:
            try:
                slow = _speed_problem(exercise, which, references, timing)
            except GraderError as exc:
                left_out["speed"] = f"left out of every learner's grade: {exc}"
                slow = None
            if slow:
                label = ("speed on a fixed small input, against a loop" if which == "visible"
                         else "speed on a fixed input, against a loop")
                failures.append(Failure(Case(exercise.speed.input(which), label), slow, kind="speed"))
    total = len(cases) - sum(1 for k in left_out if k != "speed")
    if failures:
        message = failure_report(exercise, which, failures, total, device_name)
    else:
        message = pass_report(exercise, which, total, device_name, tfops.tensorflow().__version__)
    if left_out:
        message += "\n" + tr("({n} of the cases could not be checked: the grader could not compute TensorFlow's "
                             "answer, so they count for nobody; your instructor has been told.)", n=len(left_out))
    return Verdict(exercise, which, total, failures, device_name, message, list(left_out.values()))


def _left_out(exercise, which: str, references: ReferenceCache) -> dict:
    """``{case index: why}`` for the cases whose reference cannot be computed (fail closed: such a
    case is left out of every learner's grade, and the reason goes to the instructor)."""
    out = {}
    for index, case in enumerate(exercise.cases(which)):
        if case.raises is None:
            try:
                references.expected(exercise, which, index)
            except GraderError as exc:
                out[index] = f"left out of every learner's grade: {exc}"
    return out
