"""The one registry of exercises.

Each notebook's test cells, this repository's tests and the grading command read the same
:class:`Exercise` records: the exercise id (also the prefix of its nbgrader ``grade_id``s), the
learner function's name and signature, the notebook (nbgrader assignment) it lives in, its points,
its visible and hidden cases, and the TensorFlow reference that says what each case must return.

Grade cell ids follow one rule: ``<exercise id>_visible`` and ``<exercise id>_hidden``.

Loading is explicit: :func:`load` imports every module of :mod:`autograder.chapter` (each registers
its exercises); :func:`get`, :func:`exercises` and :func:`assignments` call it first. Importing
anything else (a figure helper, the sandbox) never builds the registry. The assignments are the
notebooks the chapter modules name: a new notebook's module is picked up without editing this file.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import pkgutil
import re
from typing import Any, Callable

from .cases import Case, distinct

__all__ = ["Exercise", "Speed", "register", "load", "get", "exercises", "assignments", "use_secret", "secret_in_use",
           "ASSIGNMENT_NAME"]

# One nbgrader assignment per notebook, same name for both: two digits (the chapter order), a dash,
# lower-case words joined by dashes, e.g. "02-pooling-math".
ASSIGNMENT_NAME = re.compile(r"[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*")


@dataclasses.dataclass(frozen=True)
class Speed:
    """A speed requirement, judged with each check once its cases are correct.

    Attributes:
        baseline: ``"module:function"`` of a loop implementation with the learner function's
            signature; it is loaded before any learner code runs.
        case: returns the keyword arguments of the fixed input the hidden check times both on.
        visible_case: the same for the visible check: a small input, so that a learner sees how
            far a loop is from the target before submitting.
        min_ratio: the learner's function must be at least this many times faster.
        repeats: runs of each side, interleaved; the best of each counts, the spread is shown.
    """

    baseline: str
    case: Callable[[], dict]
    visible_case: Callable[[], dict]
    min_ratio: float = 20.0
    repeats: int = 5

    def input(self, which: str) -> dict:
        """The keyword arguments the ``which`` check times on.

        Where a grading secret is in use, the arrays' values are drawn from it (same shapes, same
        dtypes, same other arguments), so nobody can work out the answer ahead and return it
        without computing; the learner's own machine, without the secret, times the public values.
        """
        return dict(_speed_input(self, which, secret_in_use()))


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One graded function a learner writes.

    Attributes:
        name: stable snake_case id; grade cells are ``<name>_visible`` and ``<name>_hidden``.
        function: the learner function's name.
        signature: its parameters as written in the notebook, e.g.
            ``"(feature_map, pool_size, stride, mode='max')"``.
        notebook: the nbgrader assignment (and notebook) it belongs to.
        points: points of the visible and the hidden test cell.
        visible_cases: returns the visible cases (fixed seeds: the same for everyone, public).
        hidden_cases: given a numpy Generator, returns the hidden cases: the named edge cases and
            random ones drawn from it (:func:`autograder.secret.hidden_rng`: the grading secret's
            generator when grading, a public practice one elsewhere).
        reference: computes, with TensorFlow's own ops, what a case must return.
        reference_op: the TensorFlow op(s) named to the learner, e.g. ``"tf.nn.max_pool2d"``.
        covers: what the visible checks test, said to the learner when they pass (and the first
            line of the notebook's visible check, see :mod:`autograder.exercise_text`).
        hints: the hint, in steps to open one at a time: first a nudge (where to look, what to
            try), then the idea, the formula last. The notebook's hint cell is written from them;
            a failure message shows the first.
        explain: optional; given a case and the first mismatching output index, says where that
            element comes from (for pooling: the window).
        speed: optional :class:`Speed` requirement, judged with the hidden check.
    """

    name: str
    function: str
    signature: str
    notebook: str
    points: dict[str, int]
    visible_cases: Callable[[], list[Case]]
    hidden_cases: Callable[[Any], list[Case]]
    reference: Callable[..., Any]
    reference_op: str
    covers: str
    hints: tuple[str, ...] = ()
    explain: Callable[[Case, tuple], str] | None = None
    speed: Speed | None = None

    def __post_init__(self):
        if not ASSIGNMENT_NAME.fullmatch(self.notebook):
            raise ValueError(f"notebook must be an assignment name like '02-pooling-math'; received {self.notebook!r}")
        if set(self.points) != {"visible", "hidden"}:
            raise ValueError(f"points must have keys 'visible' and 'hidden'; received {self.points!r}")

    @property
    def parameters(self) -> list[str]:
        """Parameter names, in order, parsed from :attr:`signature`."""
        ns: dict[str, Any] = {}
        exec(f"def _f{self.signature}: pass", ns)  # noqa: S102 - our own constant string
        return list(inspect.signature(ns["_f"]).parameters)

    def cases(self, which: str) -> list[Case]:
        """The ``"visible"`` or ``"hidden"`` cases (hidden: of the secret in use, see :func:`use_secret`)."""
        if which not in ("visible", "hidden"):
            raise ValueError(f"which must be 'visible' or 'hidden'; received {which!r}")
        return list(_cases_tuple(self.name, which, secret_in_use() if which == "hidden" else None))

    def grade_id(self, which: str) -> str:
        return f"{self.name}_{which}"

    @property
    def total_points(self) -> int:
        return sum(self.points.values())


_REGISTRY: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add ``exercise`` to the registry (ids must be unique)."""
    if exercise.name in _REGISTRY:
        raise ValueError(f"exercise {exercise.name!r} is registered twice")
    _REGISTRY[exercise.name] = exercise
    return exercise


_LOADED = False


def load() -> None:
    """Import every module of :mod:`autograder.chapter` once; each registers its exercises."""
    global _LOADED
    if _LOADED:
        return
    from . import chapter

    for module in sorted(m.name for m in pkgutil.iter_modules(chapter.__path__)):
        importlib.import_module(f"{chapter.__name__}.{module}")
    _LOADED = True


def get(name: str) -> Exercise:
    """The exercise called ``name``; a clear ``KeyError`` lists the known ones otherwise."""
    load()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"no exercise called {name!r}; the registry has: {known}") from None


def exercises(notebook: str | None = None) -> list[Exercise]:
    """All exercises (of one notebook when given), in notebook then registration order."""
    load()
    chosen = [e for e in _REGISTRY.values() if notebook is None or e.notebook == notebook]
    return sorted(chosen, key=lambda e: e.notebook)


def assignments() -> tuple[str, ...]:
    """The course's assignments (notebooks with at least one exercise), in chapter order."""
    load()
    return tuple(sorted({e.notebook for e in _REGISTRY.values()}))


_SECRET: list = [None, False]  # [the grading secret or None, whether it was chosen explicitly]


def use_secret(value: str | None) -> None:
    """Draw hidden cases from this grading secret from now on (``None``: the practice cases)."""
    _SECRET[:] = [value or None, True]


def secret_in_use() -> str | None:
    """The secret hidden cases are drawn from: the one given to :func:`use_secret`, else the one
    :func:`autograder.secret.find` finds (an instructor's setting), else ``None`` (practice)."""
    if not _SECRET[1]:
        from . import secret

        _SECRET[:] = [secret.find(), True]
    return _SECRET[0]


@functools.lru_cache(maxsize=None)
def _speed_input(speed: Speed, which: str, secret: str | None) -> dict:
    import numpy as np

    from .secret import hidden_rng

    public = (speed.visible_case if which == "visible" else speed.case)()
    if secret is None:
        return public
    g = hidden_rng(f"{speed.baseline}:speed:{which}", secret)
    drawn = {}
    for name, value in public.items():
        if isinstance(value, np.ndarray):
            values = g.normal(0.0, 3.0, value.shape) if value.dtype.kind in "fc" else g.integers(-9, 10, value.shape)
            value = values.astype(value.dtype)
        drawn[name] = value
    return drawn


@functools.lru_cache(maxsize=None)
def _cases_tuple(name: str, which: str, secret: str | None) -> tuple[Case, ...]:
    from .secret import hidden_rng

    exercise = _REGISTRY[name]
    made = exercise.visible_cases() if which == "visible" else exercise.hidden_cases(hidden_rng(name, secret))
    return tuple(distinct(made))
