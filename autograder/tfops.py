"""TensorFlow, imported quietly, on the device the grader chose.

Every reference the autograder compares against is a TensorFlow op run through this module.

* ``tensorflow()`` imports TensorFlow once with its start-up log lines silenced. nbgrader gives
  zero points to a test cell that writes anything to stderr, and TensorFlow's C++ runtime writes
  log lines to file descriptor 2 when it starts (``TF_CPP_MIN_LOG_LEVEL`` does not stop the
  "before absl::InitializeLog()" line), so the import and every op call run with fd 2 pointed at
  ``/dev/null``.
* ``device()`` picks where references run: ``"cpu"`` (the default), ``"gpu"`` (fails clearly
  when there is none) or ``"auto"`` (a GPU when one is visible, else the CPU). The choice comes
  from the argument, else the ``AUTOGRADER_DEVICE`` environment variable.
* oneDNN is switched on (``TF_ENABLE_ONEDNN_OPTS=1``, unless the environment already sets it).
  Found by experiment with TF 2.21: on x86 CPUs without AVX-512 (an AVX2-only AMD EPYC here)
  TensorFlow leaves oneDNN off by default, and its CPU kernels then refuse channels-first
  pooling and convolution ("Default MaxPoolingOp only supports NHWC on device type CPU"), which
  the notebooks' demos, ``keras.layers.Conv2D(data_format="channels_first")`` and the tests use.
  With it on, every CPU runs the same kernels the course was checked with.
* ``constant(array)`` makes a ``tf.constant`` of exactly the array's dtype. Found by experiment:
  ``tf.nn.max_pool`` fed a plain numpy array silently turned int32 and float64 inputs into
  float32 on later calls, so references never pass numpy arrays to TensorFlow directly.
"""
from __future__ import annotations

import io
import os
import sys
import threading
import warnings

__all__ = ["tensorflow", "keras_version", "device", "run", "constant", "quiet", "DeviceError", "UnknownDevice"]

DEVICES = ("cpu", "gpu", "auto")
_tf = None


class DeviceError(RuntimeError):
    """The requested device cannot be used."""


class UnknownDevice(DeviceError, ValueError):
    """A device name that is not one of :data:`DEVICES` (a usage error)."""


class _Quiet:
    """One silence for the whole process, however many threads ask for it.

    ``contextlib.redirect_stderr``, ``warnings.catch_warnings`` and a ``dup2`` of fd 2 each save
    what is there and put it back on exit, which is wrong when two grading threads overlap: the
    second saves the first's ``/dev/null`` and puts it back last, and the grader's stderr (the
    summary line, "grader problem" notes) is gone for the rest of the run. So the first thread in
    saves and silences, the last one out restores, under a lock."""

    def __init__(self):
        self._lock = threading.Lock()
        self._depth = 0
        self._saved = None

    def __enter__(self):
        with self._lock:
            if self._depth == 0:
                self._saved = self._silence()
            self._depth += 1

    def __exit__(self, *exc):
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                saved, self._saved = self._saved, None
                self._restore(*saved)
        return False

    @staticmethod
    def _silence():
        filters, showwarning = warnings.filters, warnings.showwarning
        warnings.filters = list(filters)
        warnings.simplefilter("ignore")
        stderr, sys.stderr = sys.stderr, io.StringIO()
        try:
            sys.__stderr__.flush()
        except (AttributeError, ValueError, OSError):
            pass
        try:
            fd = os.dup(2)
        except OSError:  # no fd 2 at all: nothing to silence
            fd = None
        if fd is not None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        return filters, showwarning, stderr, fd

    @staticmethod
    def _restore(filters, showwarning, stderr, fd):
        if fd is not None:
            os.dup2(fd, 2)
            os.close(fd)
        sys.stderr = stderr
        warnings.filters, warnings.showwarning = filters, showwarning
        getattr(warnings, "_filters_mutated", lambda: None)()


_QUIET = _Quiet()


def quiet():
    """Silence stderr at the Python level and at file descriptor 2 (where C++ logs go), and warnings;
    safe when grading threads overlap (see :class:`_Quiet`)."""
    return _QUIET


def tensorflow():
    """Import TensorFlow once, quietly, and return the module."""
    global _tf
    if _tf is None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
        with quiet():
            import tensorflow as tf

            tf.get_logger().setLevel("ERROR")
        _tf = tf
    return _tf


def device(choice: str | None = None) -> str:
    """The TensorFlow device name references run on, e.g. ``"/CPU:0"`` or ``"/GPU:0"``.

    Args:
        choice: ``"cpu"``, ``"gpu"`` or ``"auto"``; ``None`` reads ``AUTOGRADER_DEVICE``
            (default ``"cpu"``).

    Raises:
        UnknownDevice: a choice that is none of these (naming where it came from).
        DeviceError: ``"gpu"`` where TensorFlow sees no GPU.
    """
    source = "device" if choice else "AUTOGRADER_DEVICE"
    choice = str(choice or os.environ.get("AUTOGRADER_DEVICE") or "cpu").lower()
    if choice not in DEVICES:
        raise UnknownDevice(f"{source} must be one of {', '.join(repr(d) for d in DEVICES)}; received {choice!r}")
    if choice == "cpu":
        return "/CPU:0"
    tf = tensorflow()
    with quiet():
        gpus = tf.config.list_logical_devices("GPU")
    if gpus:
        return "/GPU:0"
    if choice == "gpu":
        raise DeviceError("device='gpu' was asked for, but TensorFlow sees no GPU on this machine")
    return "/CPU:0"


def constant(array, dtype=None):
    """A ``tf.constant`` holding ``array`` with its exact numpy dtype (or ``dtype``)."""
    import numpy as np

    tf = tensorflow()
    array = np.asarray(array, dtype=dtype)
    return tf.constant(array, dtype=tf.as_dtype(array.dtype))


def run(fn, *args, device_name: str | None = None, **kwargs):
    """Call ``fn(*args, **kwargs)`` on ``device_name`` with TensorFlow's logging silenced."""
    tf = tensorflow()
    with quiet(), tf.device(device_name or device()):
        return fn(*args, **kwargs)


def keras_version() -> str:
    """The version of Keras, imported quietly after TensorFlow (Keras 3 has its own version number)."""
    tensorflow()
    with quiet():
        import keras
    return keras.__version__
