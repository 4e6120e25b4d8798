"""What a learner's function did on one case: the record that leaves the learner's process.

:func:`call_learner` is the only code here that runs a learner's function. It runs in the
learner's kernel (the visible checks) or in the sandboxed learner process (trusted grading),
which imports this module and :mod:`autograder.wire`, never the references or the judge.
"""
from __future__ import annotations

import dataclasses
import os
import traceback
import warnings
from typing import Any, Callable

import numpy as np

from . import wire
from .cases import Case

__all__ = ["Outcome", "STOPPED", "call_learner"]

STOPPED = "Stopped"  # Outcome.error of a call the grader had to stop (time limit, crash)
_HERE = os.path.dirname(os.path.abspath(__file__))


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

    @classmethod
    def stopped(cls, why: str) -> "Outcome":
        """A call the grader had to stop or could not make; ``why`` finishes "<function> ..."."""
        return cls(error=STOPPED, error_bases=(STOPPED,), message=why)

    def to_wire(self) -> dict:
        data = dataclasses.asdict(self)
        data["value"] = wire.encode(self.value)
        return data

    @classmethod
    def from_wire(cls, data) -> "Outcome":
        """An outcome sent by the learner's process: plain data only, each field checked; anything
        that is not an outcome's shape becomes an error outcome, never an exception here."""
        if not isinstance(data, dict):
            return cls(error="Invalid", error_bases=("Invalid",), message="the learner's process sent no outcome")

        def texts(field, limit, count):
            items = data.get(field) or ()
            return tuple(str(x)[:limit] for x in items)[:count] if isinstance(items, (list, tuple)) else ()

        return cls(
            value=wire.decode(data.get("value")),
            error=None if data.get("error") is None else str(data["error"])[:200],
            error_bases=texts("error_bases", 200, 50),
            message=str(data.get("message", ""))[:2000],
            line=str(data.get("line", ""))[:500],
            mutated=texts("mutated", 100, 20),
        )


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
