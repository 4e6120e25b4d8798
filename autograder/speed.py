"""Speed checks: the learner's function against a loop baseline.

Never an absolute time: a ratio measured in one run, on one fixed input, the best of several runs
of each side, in the CPU time the code used (not the wall clock, which a busy machine stretches
more for long runs than short ones), with the spread of the runs shown so that one noisy run
never decides alone.

Two places measure, and only one of them is trusted:

* in the learner's own kernel (the visible checks), :func:`measure` times both sides here,
  interleaved (learner, baseline, learner, ...): it is the learner's machine;
* in trusted grading, the grader reads the CPU time of the learner's whole process tree from
  the kernel (its control group, or the processes' CPU clocks) around each call it asks for
  (:mod:`autograder.sandbox.runner`), and the baseline's the same way in a process that ran no
  learner code. Nothing the learner's process says is a time: it only runs
  :func:`run_once` when asked, and the result of the best run must be right.

An exercise's :class:`~autograder.registry.Speed` names the input of each check: a small one for
the visible check (a learner sees, before submitting, how far a loop is from the target) and a
larger one for the hidden check.
"""
from __future__ import annotations

import dataclasses
import importlib
import time
from typing import Any

import numpy as np

__all__ = ["Timing", "load_baseline", "measure", "run_once", "fingerprint", "null_call", "problem"]



try:
    import resource
except ImportError:  # Windows: the process's own CPU time only
    resource = None


def _cpu_time() -> float:
    """The CPU time this process used, its threads' and its waited-for children's included."""
    if resource is None:
        return time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


# CPU time, not the wall clock: another program busy on the machine (a grader's other jobs, a
# loaded CI runner) takes the processor away from a long loop more often than from a short
# vectorised call, which inflated the ratio on a loaded machine (seen here: a 9x loop measured at
# over 20x); the CPU the code used is what its speed is. (Work handed to a child process that
# is never waited for would not count: that is visible in the code, like calling TensorFlow.)
_clock = _cpu_time


@dataclasses.dataclass
class Timing:
    """One speed measurement: every run of the learner's function and of the baseline (seconds),
    and the learner's result on the timed input (the grader checks it against TensorFlow)."""

    learner_runs: tuple[float, ...]
    baseline_runs: tuple[float, ...]
    result: Any = None

    @property
    def learner_s(self) -> float:
        """The learner's best run."""
        return min(self.learner_runs)

    @property
    def baseline_s(self) -> float:
        """The baseline's best run."""
        return min(self.baseline_runs)

    def __iter__(self):
        """``learner_s, baseline_s, result = measure(...)``, as the notebooks' demo cells unpack it."""
        return iter((self.learner_s, self.baseline_s, self.result))

    @property
    def ratio(self) -> float:
        """How many times faster than the baseline the learner's function ran (best against best)."""
        return self.baseline_s / max(self.learner_s, 1e-9)

    def describe(self) -> str:
        """``yours 1.20 ms (runs 1.20-1.45 ms), loop 24.1 ms (runs 24.1-27.0 ms): 20.1 times the loop's speed``
        (a ratio below 1 reads right too: 0.9 times the loop's speed is slower than the loop)."""
        from .i18n import tr

        def runs(values):
            return tr("{best:.3g} ms (runs {low:.3g}-{high:.3g} ms)", best=min(values) * 1e3, low=min(values) * 1e3,
                      high=max(values) * 1e3)

        return tr("best of {n}: yours {yours}, loop {loop}: {ratio:.1f} times the loop's speed", n=len(self.learner_runs),
                  yours=runs(self.learner_runs), loop=runs(self.baseline_runs), ratio=self.ratio)


def load_baseline(spec: str):
    """The function named ``"module:function"``."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def fingerprint(value: Any) -> str:
    """A short digest of a returned value, cheap for arrays: what the learner's process sends for
    each timed run, before the grader asks for the value of the best one (which must match)."""
    import hashlib
    import json

    from . import wire

    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc" and not value.dtype.hasobject:
        array = np.asarray(value)
        head = f"{array.dtype.str}{tuple(array.shape)}".encode()
        return hashlib.blake2b(head + np.ascontiguousarray(array).tobytes(), digest_size=16).hexdigest()
    return hashlib.blake2b(json.dumps(wire.encode(value), sort_keys=True).encode(), digest_size=16).hexdigest()


def null_call(like, **_) -> Any:
    """What timing a function that does nothing costs: it returns an array shaped like the answer.
    The grader times it like a learner's function (in a process that ran no learner code) and takes
    that cost off both sides, so a ratio measured through the sandbox matches one measured in the
    learner's own kernel (:func:`measure`)."""
    return like


def run_once(func, kwargs: dict) -> Any:
    """``func`` on fresh copies of ``kwargs`` (the call trusted grading times from outside)."""
    return func(**{k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()})


def _once(func, kwargs):
    start = _clock()
    result = run_once(func, kwargs)
    return _clock() - start, result


def measure(func, baseline, kwargs: dict, repeats: int = 5) -> Timing:
    """Time ``func`` and ``baseline`` on ``kwargs``, ``repeats`` runs each, interleaved.

    The result goes back to the grader, which checks it against TensorFlow: a function that
    recognises the speed input and returns something fast but wrong fails.
    """
    learner, loop, result = [], [], None
    for _ in range(max(1, repeats)):
        seconds, result = _once(func, kwargs)
        learner.append(seconds)
        loop.append(_once(baseline, kwargs)[0])
    return Timing(tuple(learner), tuple(loop), result)


def problem(exercise, timing: Timing | None) -> str | None:
    """Why the timing fails the exercise's speed requirement, or ``None``."""
    from .i18n import tr

    speed = exercise.speed
    if timing is None:
        return tr("{fn}'s speed could not be measured.", fn=exercise.function)
    if timing.ratio >= speed.min_ratio:
        return None
    return tr("{fn} is correct but not fast enough ({timing}); the exercise asks for at least {target:g} times the "
              "loop's speed. Remove the Python loops over output rows, columns and elements.",
              fn=exercise.function, timing=timing.describe(), target=speed.min_ratio)
