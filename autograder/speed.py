"""Speed checks: the learner's function against a loop baseline, timed in the same process.

Never an absolute time: a ratio measured in one run, on one fixed input, best of a few repeats,
so a slow or busy machine slows both sides alike. The clock is bound when this module is
imported (before any learner code runs in the learner's process), and the baseline is loaded
then too, so redefining ``time.perf_counter`` or the baseline in a notebook cell changes nothing.
"""
from __future__ import annotations

import dataclasses
import importlib
import math
import time
from typing import Any

import numpy as np

__all__ = ["Timing", "load_baseline", "measure", "problem"]

_clock = time.perf_counter


@dataclasses.dataclass
class Timing:
    """One speed measurement: best times of the learner's function and of the baseline, and the
    learner's result on the timed input (the grader checks it against TensorFlow)."""

    learner_s: float
    baseline_s: float
    result: Any = None

    def __iter__(self):
        """``learner_s, baseline_s, result = measure(...)``, as the notebooks' demo cells unpack it."""
        return iter((self.learner_s, self.baseline_s, self.result))

    @property
    def ratio(self) -> float:
        """How many times faster than the baseline the learner's function ran."""
        return self.baseline_s / max(self.learner_s, 1e-9)

    def to_wire(self) -> dict:
        from . import wire

        return {"learner_s": float(self.learner_s), "baseline_s": float(self.baseline_s),
                "result": wire.encode(self.result)}

    @classmethod
    def from_wire(cls, data) -> "Timing | None":
        """The timing sent by the learner's process, or ``None`` when it is not one."""
        from . import wire

        try:
            learner_s, baseline_s = float(data["learner_s"]), float(data["baseline_s"])
        except (KeyError, TypeError, ValueError):
            return None
        if not (math.isfinite(learner_s) and math.isfinite(baseline_s)) or learner_s < 0 or baseline_s < 0:
            return None
        return cls(learner_s, baseline_s, wire.decode(data.get("result")))


def load_baseline(spec: str):
    """The function named ``"module:function"``."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _best(func, kwargs, repeats: int):
    best, result = float("inf"), None
    for _ in range(max(1, repeats)):
        fresh = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
        start = _clock()
        result = func(**fresh)
        best = min(best, _clock() - start)
    return best, result


def measure(func, baseline, kwargs: dict, repeats: int = 3) -> Timing:
    """Time ``func`` and ``baseline`` on ``kwargs``: best of ``repeats`` runs each.

    The result goes back to the grader, which checks it against TensorFlow: a function that
    recognises the speed input and returns something fast but wrong fails.
    """
    learner_s, result = _best(func, kwargs, repeats)
    baseline_s, _ = _best(baseline, kwargs, repeats)
    return Timing(learner_s, baseline_s, result)


def problem(exercise, timing: Timing | None) -> str | None:
    """Why the timing fails the exercise's speed requirement, or ``None``."""
    speed = exercise.speed
    if timing is None:
        return f"{exercise.function}'s speed could not be measured."
    if timing.ratio >= speed.min_ratio:
        return None
    return (f"{exercise.function} is correct but only {timing.ratio:.1f}x faster than the loop baseline "
            f"({timing.learner_s * 1e3:.2f} ms vs {timing.baseline_s * 1e3:.2f} ms, best of {speed.repeats}); "
            f"the exercise asks for at least {speed.min_ratio:g}x. Remove the Python loops over output elements.")
