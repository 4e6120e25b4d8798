"""Catalogues of learner code: realistic wrong implementations and correct variants.

Each notebook has a module here with two lists:

* ``MISTAKES``: code a learner could really write, that is wrong. Each must lose the points of the
  exercise it breaks, under the fast path (``autograder.verify``) and under ``nbgrader autograde``,
  and the message it gets must name the failing case as a call.
* ``CORRECT``: correct code written differently from the solution; each must get full marks.

``cell`` is the id of the solution cell the code replaces (the function's own cell).
"""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Variant:
    exercise: str  # the exercise id in the registry
    cell: str  # the solution cell this source replaces
    name: str  # what the learner did
    source: str

    def __str__(self) -> str:
        return f"{self.exercise}:{self.name}"


def catalogue():
    """All (assignment, Variant) pairs of every catalogue module, mistakes and correct ones apart.

    Every module in this package is a catalogue; a new notebook's module is picked up by itself.
    """
    import importlib
    import pkgutil

    mistakes, correct = [], []
    for name in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        module = importlib.import_module(f"tests.catalogue.{name}")
        mistakes += [(module.ASSIGNMENT, v) for v in module.MISTAKES]
        correct += [(module.ASSIGNMENT, v) for v in module.CORRECT]
    return mistakes, correct
