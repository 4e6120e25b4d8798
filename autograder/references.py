"""TensorFlow's own answers for every exercise.

Each reference takes the case's arguments (plus ``device_name``) and returns what the learner's
function must return, computed with TensorFlow ops on ``tf.constant`` inputs of the intended
dtype. The guards here keep TensorFlow away from the inputs it cannot take:

* a VALID pool whose window is larger than the input: TF 2.21 on the CPU kills the whole process
  (SIGFPE) when the window is one larger than a float32 input, so such calls never reach it;
* channels-first (NCHW) pooling on the CPU, which TensorFlow supports for float32 only: other
  dtypes are transposed to NHWC, pooled, and transposed back (still TensorFlow's own kernels).
"""
from __future__ import annotations

import numpy as np

from . import tfops

__all__ = ["tf_pool", "pool_output_length", "to_pair"]

_PADDINGS = ("VALID", "SAME")


def to_pair(value, name: str) -> tuple[int, int]:
    """``2`` -> ``(2, 2)``; ``(2, 3)`` -> ``(2, 3)``."""
    if isinstance(value, (int, np.integer)):
        return (int(value), int(value))
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints; received {value!r}")
    return value


def tf_pool(value, ksize, strides, padding, mode="max", data_format="NHWC", *, device_name=None):
    """``tf.nn.max_pool`` / ``tf.nn.avg_pool`` on ``value`` with the guards above.

    Args:
        value: numpy array of rank 3, 4 or 5 (``N, *spatial, C`` or ``N, C, *spatial``).
        ksize, strides: one int per spatial dimension (already expanded).
        padding: ``"VALID"`` or ``"SAME"``.
        mode: ``"max"`` or ``"avg"``.
        data_format: ``"NWC"``/``"NHWC"``/``"NDHWC"`` or the channels-first forms.

    Returns:
        numpy array with TensorFlow's output values, shape and dtype.
    """
    tf = tfops.tensorflow()
    value = np.asarray(value)
    padding = padding.upper()
    if padding not in _PADDINGS:
        raise ValueError(f"padding must be 'VALID' or 'SAME'; received {padding!r}")
    channels_first = data_format.startswith("NC")
    spatial = value.shape[2:] if channels_first else value.shape[1:-1]
    if len(ksize) != len(spatial) or len(strides) != len(spatial):
        raise ValueError(f"ksize {ksize} and strides {strides} must have one entry per spatial axis {spatial}")
    if padding == "VALID" and any(k > n for k, n in zip(ksize, spatial)):
        raise ValueError(f"a VALID window {tuple(ksize)} larger than the input {tuple(spatial)}: not sent to TensorFlow")
    device_name = device_name or tfops.device()
    transpose = channels_first and ("CPU" in device_name.upper() or value.dtype != np.float32)
    if transpose:
        value = np.moveaxis(value, 1, -1)
        data_format = "N" + data_format[2:] + "C"
    op = tf.nn.max_pool if mode == "max" else tf.nn.avg_pool
    out = tfops.run(
        lambda: op(tfops.constant(value), list(ksize), list(strides), padding, data_format=data_format).numpy(),
        device_name=device_name,
    )
    return np.moveaxis(out, -1, 1) if transpose else out


def pool_output_length(input_length, pool_size, stride, padding="valid", *, device_name=None) -> int:
    """The output length TensorFlow's 1-D pooling really produces for these arguments."""
    tf = tfops.tensorflow()
    padding = padding.upper()
    if padding == "VALID" and pool_size > input_length:
        raise ValueError("a VALID window larger than the input: not sent to TensorFlow")
    probe = np.zeros((1, int(input_length), 1), dtype=np.float32)
    shape = tfops.run(
        lambda: tf.nn.max_pool1d(tfops.constant(probe), int(pool_size), int(stride), padding).shape,
        device_name=device_name,
    )
    return int(shape[1])
