"""Autograder for the Understanding Pooling course.

Notebook test cells call :func:`check`; this repository's tests and the grading command read the
same exercise registry. References are TensorFlow's own ops (see :mod:`autograder.references`),
on the CPU by default, on a GPU when ``AUTOGRADER_DEVICE=gpu`` or ``auto`` finds one.

Modules, one job each: ``registry`` (the exercises; definitions in ``chapter/``), ``cases``
(seeded cases), ``references`` (TensorFlow's answers), ``compare`` (values, shapes, dtypes,
tolerances), ``messages`` (what the learner reads), ``check`` (running a learner's function and
judging it), ``speed`` (speed requirements), ``tfops`` (quiet TensorFlow, device choice),
``sandbox`` (the learner's limited process), ``wire`` (values across it, without pickle),
``trusted`` (trusted grading of a notebook), ``nbgrader_plugin`` (nbgrader integration), ``cli``
(``python -m autograder``), ``report`` (the class report), ``figures`` and ``data`` (the
notebooks' pictures and images), ``sample_submission`` (sample submissions for instructors).
"""
from .check import ExerciseFailed, GraderError, check, last_failure, verify
from .registry import exercises, get
from .tfops import tensorflow

__all__ = ["check", "verify", "last_failure", "ExerciseFailed", "GraderError", "exercises", "get", "tensorflow"]
__version__ = "0.1.0"
