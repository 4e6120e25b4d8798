"""The grading workspace: the folder every instructor command reads and writes.

``grading/`` under the course root, or the folder the environment variable ``COURSE_WORKSPACE``
names: the rule ``nbgrader_config.py`` follows for nbgrader's own folders (submitted, autograded,
feedback, the gradebook, grades.csv), and the rule of this package's commands (the grading secret,
the class report, Gradescope's zip) and of the Makefile's targets. Two classes side by side (a
Chinese class, another term) each have their own workspace and never see each other's files.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ENV", "DEFAULT", "workspace"]

ENV, DEFAULT = "COURSE_WORKSPACE", "grading"


def workspace() -> Path:
    """The grading workspace, relative to the course root: ``grading`` or ``$COURSE_WORKSPACE``."""
    return Path(os.environ.get(ENV) or DEFAULT)
