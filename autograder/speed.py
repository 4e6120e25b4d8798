"""Speed checks: the learner's function against a loop baseline, timed in the same process.

Never an absolute time: a ratio measured in one run, on one fixed input, the best of several runs
of each side, interleaved (learner, baseline, learner, ...) so a slow or busy moment slows both,
with the spread of the runs shown so that one noisy run never decides alone. The clock is bound
when this module is imported (before any learner code runs in the learner's process), and the
baseline is loaded then too, so redefining ``time.perf_counter`` or the baseline in a notebook
cell changes nothing.

An exercise's :class:`~autograder.registry.Speed` names the input of each check: a small one for
the visible check (a learner sees, before submitting, how far a loop is from the target) and a
larger one for the hidden check.
"""
from __future__ import annotations

import dataclasses
import importlib
import math
import time
from typing import Any

import numpy as np

__all__ = ["Timing", "load_baseline", "measure", "measure_against", "time_runs", "problem"]

_clock = time.perf_counter


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
        """``yours 1.20 ms (runs 1.20-1.45 ms), loop 24.1 ms (runs 24.1-27.0 ms): 20.1x faster``."""
        from .i18n import tr

        def runs(values):
            return tr("{best:.3g} ms (runs {low:.3g}-{high:.3g} ms)", best=min(values) * 1e3, low=min(values) * 1e3,
                      high=max(values) * 1e3)

        return tr("best of {n}: yours {yours}, loop {loop}: {ratio:.1f}x faster", n=len(self.learner_runs),
                  yours=runs(self.learner_runs), loop=runs(self.baseline_runs), ratio=self.ratio)

    def to_wire(self) -> dict:
        from . import wire

        return {"learner_runs": [float(t) for t in self.learner_runs],
                "baseline_runs": [float(t) for t in self.baseline_runs], "result": wire.encode(self.result)}

    @classmethod
    def from_wire(cls, data) -> "Timing | None":
        """The timing sent by the learner's process, or ``None`` when it is not one."""
        from . import wire

        try:
            learner = tuple(float(t) for t in data["learner_runs"])[:100]
            baseline = tuple(float(t) for t in data["baseline_runs"])[:100]
        except (KeyError, TypeError, ValueError):
            return None
        if not learner or not baseline or not all(math.isfinite(t) and t >= 0 for t in learner + baseline):
            return None
        return cls(learner, baseline, wire.decode(data.get("result")))


def load_baseline(spec: str):
    """The function named ``"module:function"``."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _once(func, kwargs):
    fresh = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    start = _clock()
    result = func(**fresh)
    return _clock() - start, result


def time_runs(func, kwargs: dict, repeats: int = 5) -> tuple[tuple[float, ...], Any]:
    """``repeats`` timed runs of ``func`` on fresh copies of ``kwargs``: ``(seconds of each, last result)``."""
    runs, result = [], None
    for _ in range(max(1, repeats)):
        seconds, result = _once(func, kwargs)
        runs.append(seconds)
    return tuple(runs), result


def measure_against(func, baseline_runs, kwargs: dict, repeats: int = 5) -> Timing:
    """Time ``func`` against baseline runs measured before (by the grader, in a process that ran no
    learner code: a learner's cell cannot then slow the baseline down, e.g. by patching numpy)."""
    runs, result = time_runs(func, kwargs, repeats)
    return Timing(runs, tuple(float(t) for t in baseline_runs), result)


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
    return tr("{fn} is correct but only {ratio:.1f}x faster than the loop baseline, {timing}; the exercise asks "
              "for at least {target:g}x. Remove the Python loops over output rows, columns and elements.",
              fn=exercise.function, ratio=timing.ratio, timing=timing.describe(), target=speed.min_ratio)
