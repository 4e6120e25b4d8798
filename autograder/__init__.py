"""Autograder for the Understanding Pooling course.

Notebook test cells call :func:`check`; this repository's tests and the grading command read the
same exercise registry. References are TensorFlow's own ops (see :mod:`autograder.references`),
on the CPU by default, on a GPU when ``AUTOGRADER_DEVICE=gpu`` or ``auto`` finds one.

Modules, one job each, from the bottom up:

* ``geometry`` (window geometry), ``cases`` (seeded cases), ``wire`` (values across the process
  boundary, without pickle), ``tfops`` (quiet TensorFlow, device choice), ``compare`` (values,
  shapes, dtypes, tolerances), ``messages`` (what the learner reads);
* ``registry`` (the exercises; definitions in ``chapter/``), ``references/`` (TensorFlow's answers);
* ``outcome`` (calling a learner's function), ``speed`` (speed requirements), ``judge`` (the
  verdict against TensorFlow), ``kernel`` (``check``: what test cells call, in the learner's kernel);
* ``sandbox/`` (the learner's limited process), ``trusted`` (trusted grading of a notebook),
  ``nbgrader_plugin`` (nbgrader integration), ``report`` (the class report), ``sample`` (sample
  submissions), ``cli`` (``python -m autograder``);
* ``figures/`` and ``data`` (the notebooks' pictures and images).

The names below are imported on first use, so that ``import autograder.sandbox.learner`` (the
learner's process) or ``import autograder.figures`` does not load the checking machinery.
"""
import importlib

__all__ = ["check", "verify", "last_failure", "ExerciseFailed", "GraderError", "exercises", "get", "tensorflow",
           "use_language", "pad"]
__version__ = "0.1.0"

_HOMES = {"check": "kernel", "verify": "kernel", "last_failure": "kernel", "ExerciseFailed": "kernel",
          "GraderError": "judge", "exercises": "registry", "get": "registry", "tensorflow": "tfops",
          "use_language": "i18n", "pad": "i18n"}


def __getattr__(name):
    if name in _HOMES:
        value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


def _follow_the_notebook():
    """In a notebook's kernel, follow which cells bind which names (:mod:`autograder.watch`)."""
    try:
        from .watch import install

        install()
    except Exception:  # noqa: BLE001 - the checks work without it, only less precisely
        pass


_follow_the_notebook()
