"""What the notebooks' test cells call: run a learner's function here and judge it.

:func:`check` prints one line when every case passes and raises :class:`ExerciseFailed` (never a
bare ``AssertionError``) with a report of the smallest failing case otherwise. It runs the
learner's function in this process (the learner's kernel) with :func:`~autograder.outcome.call_learner`
and judges the outcomes with :func:`~autograder.judge.evaluate`; trusted grading
(:mod:`autograder.trusted`) does the same with the calls made in a sandboxed process instead.
"""
from __future__ import annotations

from typing import Callable

from . import registry, speed, tfops
from .cases import Case
from .judge import GraderError, ReferenceCache, Verdict, evaluate, signature_problem
from .messages import practice_note
from .outcome import Outcome, call_learner

__all__ = ["ExerciseFailed", "GraderError", "check", "verify", "last_failure"]

_last_failure: Case | None = None
_caches: dict[str, ReferenceCache] = {}  # one per device for this process (the learner's session)


class ExerciseFailed(Exception):
    """A learner's function does not do what its exercise asks; the message says why."""


def references_for(device_name: str) -> ReferenceCache:
    """This process's cache of TensorFlow's answers on ``device_name``."""
    if device_name not in _caches:
        _caches[device_name] = ReferenceCache(device_name)
    return _caches[device_name]


def verify(name: str, func: Callable, which: str = "visible", device: str | None = None) -> Verdict:
    """Run every case of one exercise in this process and return a :class:`~autograder.judge.Verdict`."""
    exercise = registry.get(name)
    references = references_for(tfops.device(device))
    problem = signature_problem(exercise, func) or _demo_names_problem(exercise, func)
    outcomes = None if problem else [call_learner(func, case) for case in exercise.cases(which)]
    timing = None
    if not problem and exercise.speed is not None:
        baseline = speed.load_baseline(exercise.speed.baseline)
        try:
            timing = speed.measure(func, baseline, exercise.speed.input(which), exercise.speed.repeats)
        except Exception as exc:  # noqa: BLE001 - the learner's function failed on the speed input
            timing = Outcome(error=type(exc).__name__, error_bases=(type(exc).__name__,), message=str(exc))
    return evaluate(exercise, which, outcomes, references, problem, timing)


def _demo_names_problem(exercise, func) -> str | None:
    """Why ``func`` would fail at grading though it runs here: it needs names only the notebook's
    demonstration cells make (:mod:`autograder.watch`)."""
    from .i18n import tr
    from .watch import grading_gaps

    gaps = grading_gaps(exercise.notebook, func)
    if not gaps:
        return None
    names = ", ".join(tr("`{name}` (cell `{cell}`)", name=n, cell=c or "?") for n, c in gaps)
    return tr("{fn} uses names that only the notebook's demonstration cells define: {names}. At grading the checks "
              "run the setup cell, your exercise cells and the cells you added or changed, never a demonstration "
              "cell as released, so these names would not exist there. Define what you need in your own cell (or "
              "your helpers cell), or take it as a parameter.", fn=exercise.function, names=names)


def _failed_cells_note() -> str:
    """The cells whose last run raised, said under a failing check (an exercise needs what they define)."""
    from .i18n import tr
    from .watch import failed_cells

    failed = failed_cells()
    if not failed:
        return ""
    return ("\n\n" + tr("While your notebook ran, these cells failed; an exercise that uses what they define fails "
                         "with them:") + "\n" + "\n".join(tr("  cell {name}: {error}", name=cell or "?", error=error)
                                                            for cell, error in list(failed.items())[:5]))


def check(name: str, func: Callable, *, hidden: bool = False, device: str | None = None) -> None:
    """Check a learner's function: print one line when it passes, raise ExerciseFailed if not.

    Args:
        name: the exercise id in the registry, e.g. ``"pool2d"``.
        func: the learner's function.
        hidden: run the hidden cases instead of the visible ones. Without the grading secret
            (:mod:`autograder.secret`) these are practice cases, and the message says so.
        device: where TensorFlow's references run: ``"cpu"``, ``"gpu"`` or ``"auto"``
            (default: ``AUTOGRADER_DEVICE``, else the CPU).
    """
    global _last_failure
    __tracebackhide__ = True  # IPython hides this frame: the learner sees the message only
    verdict = verify(name, func, "hidden" if hidden else "visible", device)
    if hidden and registry.secret_in_use() is None:
        verdict.message = practice_note(verdict.total) + "\n" + verdict.message
    if not verdict.passed:
        _last_failure = verdict.failures[0].case or _last_failure
        raise ExerciseFailed("\n" + verdict.message + _failed_cells_note()) from None
    print(verdict.message)


def last_failure() -> Case | None:
    """The smallest failing case of the last check that failed in this session (to rerun it by hand)."""
    return _last_failure
