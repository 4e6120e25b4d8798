"""Test cases: what a learner's function is called with, and seeded ways to make them.

A :class:`Case` is one call of a learner's function: its keyword arguments, a short label saying
what it tests, and, when the exercise's specification says the call must fail, the exception it
must raise. Case lists are built from fixed seeds, so every learner (and every grading run) meets
exactly the same cases.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

__all__ = ["Case", "rng", "feature_map", "sized", "distinct"]


@dataclasses.dataclass(frozen=True)
class Case:
    """One call of a learner's function.

    Attributes:
        kwargs: the arguments, by name, in the function's parameter order.
        label: what the case tests, in a few words (shown to the learner).
        raises: the exception type the call must raise, or ``None`` when it must return.
    """

    kwargs: dict[str, Any]
    label: str
    raises: type[BaseException] | None = None

    @property
    def size(self) -> int:
        """How big the case is: input elements plus the sizes of the other arguments.

        Used to report the smallest failing case first.
        """
        total = 0
        for value in self.kwargs.values():
            if isinstance(value, np.ndarray):
                total += value.size
            elif isinstance(value, (tuple, list)):
                total += sum(abs(int(v)) for v in value if isinstance(v, (int, np.integer)))
            elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
                total += abs(int(value))
        return total

    def fresh_kwargs(self) -> dict[str, Any]:
        """A copy of the arguments that the learner's function may do anything with."""
        return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in self.kwargs.items()}

    def call(self, function_name: str) -> str:
        """The case written as a call: ``pool2d(feature_map=np.array(...), pool_size=2)``."""
        from .messages import format_value

        parts = [f"{name}={format_value(value)}" for name, value in self.kwargs.items()]
        return f"{function_name}({', '.join(parts)})"


def rng(seed: int) -> np.random.Generator:
    """The project's one way to make a random generator: always seeded."""
    return np.random.default_rng(seed)


def feature_map(gen: np.random.Generator, shape, dtype, *, ties: bool = True) -> np.ndarray:
    """Random values of ``shape`` and ``dtype``, with negatives and (when ``ties``) repeats.

    Integer maps take values in [-9, 9]; with ``ties`` float maps draw from a coarse grid of
    quarter steps in [-4, 4] so that windows often hold equal maxima, otherwise from a normal
    distribution.
    """
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.integer):
        values = gen.integers(-9, 10, size=shape)
    elif ties:
        values = gen.integers(-16, 17, size=shape) / 4.0
    else:
        values = gen.normal(0.0, 3.0, size=shape)
    return np.asarray(values).astype(dtype)


def sized(cases: list[Case]) -> list[Case]:
    """The cases ordered from smallest to largest (stable for equal sizes)."""
    return sorted(cases, key=lambda c: c.size)


def _key(case: Case) -> tuple:
    parts = []
    for name, value in case.kwargs.items():
        if isinstance(value, np.ndarray):
            parts.append((name, value.dtype.str, value.shape, value.tobytes()))
        else:
            parts.append((name, repr(value)))
    return (case.raises, tuple(parts))


def distinct(cases: list[Case]) -> list[Case]:
    """``cases`` without exact repeats (same arguments, same expectation), each label unique.

    Random cases drawn from a secret may repeat one another: a repeat is dropped, and a label
    shared by different cases gets " (2)", " (3)"... so that the class report, which counts
    failing cases by label, never merges two different cases.
    """
    seen, labels, kept = set(), {}, []
    for case in cases:
        key = _key(case)
        if key in seen:
            continue
        seen.add(key)
        count = labels[case.label] = labels.get(case.label, 0) + 1
        kept.append(case if count == 1 else dataclasses.replace(case, label=f"{case.label} ({count})"))
    return kept
