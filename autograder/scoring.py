"""How a check's cases become points: all or nothing (the default), or in proportion, rounded.

One course setting, in ``nbgrader_config.py``, read by every path (``nbgrader autograde``,
``python -m autograder autograde`` and the grading command, from the course root)::

    c.Scoring.partial_credit = True   # each check: its points x cases passed / cases
    c.Scoring.decimals = 1            # rounded half up to this many decimals (0: whole points)

A check's cases are its visible or hidden cases; a speed requirement counts as one more case
(judged once every other case is right), and a case that must raise counts like any other. A
check that cannot run at all (no such function, other parameter names, a deleted test cell) has
passed none. Under nbgrader a partly passed check's test cell shows the failure report and, as
its value, the points (nbgrader's partial credit); a passed one scores as before.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

from traitlets import Bool, Integer
from traitlets.config import Configurable

__all__ = ["Scoring", "from_course", "points"]


class Scoring(Configurable):
    """The course's scoring rule (see the module)."""

    partial_credit = Bool(False, help="Give each check points in proportion to the cases it passed (a speed "
                                      "requirement is one case); False: all or nothing.").tag(config=True)
    decimals = Integer(1, min=0, max=4, help="Decimals partial points are rounded to, half up.").tag(config=True)

    def key(self) -> tuple[bool, int]:
        return bool(self.partial_credit), int(self.decimals)


def points(full: int, passed: int, total: int, rule: tuple[bool, int] = (False, 1)) -> float | int:
    """The points of a check with ``passed`` of ``total`` cases under ``rule`` (``Scoring.key()``)."""
    if total > 0 and passed >= total:
        return full
    partial, decimals = rule
    if not partial or total <= 0 or passed <= 0:
        return 0
    scale = 10 ** decimals
    return math.floor(full * passed / total * scale + 0.5) / scale


def from_course(root: str | os.PathLike | None = None) -> Scoring:
    """The setting in ``nbgrader_config.py`` of the course root (the current folder by default); the
    default rule where there is none (a learner's machine, a folder of notebooks)."""
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(root or os.getcwd()) / "nbgrader_config.py"
    if not path.is_file():
        return Scoring()
    try:
        config = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    except Exception:  # noqa: BLE001 - a config nbgrader itself would refuse: nbgrader says why
        return Scoring()
    return Scoring(config=config)
