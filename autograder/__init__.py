"""Autograder for the Understanding Pooling course.

Notebook test cells call :func:`check`; this repository's tests and the grading command read the
same exercise registry. References are TensorFlow's own ops (see :mod:`autograder.references`),
on the CPU by default, on a GPU when ``AUTOGRADER_DEVICE=gpu`` or ``auto`` finds one.

Modules, one job each: ``registry`` (the exercises), ``cases`` (seeded cases), ``references``
(TensorFlow's answers), ``compare`` (values, shapes, dtypes, tolerances), ``messages`` (what the
learner reads), ``check`` (running a learner's function), ``tfops`` (quiet TensorFlow, device
choice), ``figures`` (the notebooks' pictures).
"""
from .check import ExerciseFailed, GraderError, check, last_failure, verify
from .registry import exercises, get
from .tfops import tensorflow

__all__ = ["check", "verify", "last_failure", "ExerciseFailed", "GraderError", "exercises", "get", "tensorflow"]
__version__ = "0.1.0"
