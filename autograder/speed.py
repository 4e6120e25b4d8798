"""Speed checks: the learner's function against a loop baseline, timed in the same process.

Never an absolute time: a ratio measured in one run, on one fixed input, best of a few repeats,
so a slow or busy machine slows both sides alike. The clock is bound when this module is
imported (before any learner code runs in the learner's process), and the baseline is loaded
then too, so redefining ``time.perf_counter`` or the baseline in a notebook cell changes nothing.
"""
from __future__ import annotations

import importlib
import time

import numpy as np

__all__ = ["load_baseline", "measure", "problem"]

_clock = time.perf_counter


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


def measure(func, baseline, kwargs: dict, repeats: int = 3) -> tuple:
    """``(learner seconds, baseline seconds, learner's result)``: best of ``repeats`` runs each.

    The result goes back to the grader, which checks it against TensorFlow: a function that
    recognises the speed input and returns something fast but wrong fails.
    """
    learner_s, result = _best(func, kwargs, repeats)
    baseline_s, _ = _best(baseline, kwargs, repeats)
    return learner_s, baseline_s, result


def problem(exercise, timing) -> str | None:
    """Why the timing fails the exercise's speed requirement, or ``None``."""
    speed = exercise.speed
    try:
        learner_s, baseline_s = (float(t) for t in timing[:2])
    except (TypeError, ValueError):
        return f"{exercise.function}'s speed could not be measured ({timing!r})."
    ratio = baseline_s / max(learner_s, 1e-9)
    if ratio >= speed.min_ratio:
        return None
    return (f"{exercise.function} is correct but only {ratio:.1f}x faster than the loop baseline "
            f"({learner_s * 1e3:.2f} ms vs {baseline_s * 1e3:.2f} ms, best of {speed.repeats}); "
            f"the exercise asks for at least {speed.min_ratio:g}x. Remove the Python loops over output elements.")
