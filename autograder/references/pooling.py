"""``tf.nn.max_pool`` / ``tf.nn.avg_pool`` on numpy inputs, with the guards TensorFlow needs, and
the input cells no window of a 1-D pool reads (:func:`uncovered_cells`, notebook 02).

The guards keep TensorFlow away from the inputs it cannot take (found by experiment, TF 2.21):

* a VALID pool whose window is larger than the input: on the CPU a float32 max pool whose window
  is one larger than the input kills the whole process (SIGFPE), so such calls never reach it
  (:func:`refuse_oversized_valid`);
* channels-first (NCHW) pooling on the CPU, which TensorFlow supports for float32 only (and only
  with oneDNN): channels-first inputs are transposed to channels-last, pooled, and transposed back
  on the CPU and for every other dtype (:func:`pool_channels_last`): still TensorFlow's kernels.
"""
from __future__ import annotations

import numpy as np

from .. import tfops
from ..geometry import PADDINGS

__all__ = ["tf_pool", "uncovered_cells", "tf_padding", "refuse_oversized_valid", "pool_channels_last"]


def tf_padding(padding: str) -> str:
    """``padding`` as TensorFlow's ``"VALID"`` or ``"SAME"`` (any letter case in)."""
    upper = str(padding).upper()
    if upper not in PADDINGS:
        raise ValueError(f"padding must be 'VALID' or 'SAME'; received {padding!r}")
    return upper


def refuse_oversized_valid(padding: str, ksize, spatial, what: str = "TensorFlow") -> None:
    """``ValueError`` when a VALID window is larger than the input along some axis."""
    if padding.upper() == "VALID" and any(k > n for k, n in zip(ksize, spatial)):
        raise ValueError(f"a VALID window {tuple(ksize)} larger than the input {tuple(spatial)}: not sent to {what}")


def pool_channels_last(data_format: str, dtype, device_name: str) -> bool:
    """Whether a channels-first input must be transposed to channels-last for TensorFlow."""
    return data_format.startswith("NC") and ("CPU" in device_name.upper() or np.dtype(dtype) != np.float32)


def tf_pool(value, ksize, strides, padding, mode="max", data_format="NHWC", *, device_name=None):
    """``tf.nn.max_pool`` / ``tf.nn.avg_pool`` on ``value`` with the guards above.

    Args:
        value: numpy array of rank 3, 4 or 5 (``N, *spatial, C`` or ``N, C, *spatial``).
        ksize, strides: one int per spatial dimension (already expanded).
        padding: ``"VALID"`` or ``"SAME"`` (any letter case).
        mode: ``"max"`` or ``"avg"``.
        data_format: ``"NWC"``/``"NHWC"``/``"NDHWC"`` or the channels-first forms.

    Returns:
        numpy array with TensorFlow's output values, shape and dtype.
    """
    tf = tfops.tensorflow()
    value = np.asarray(value)
    padding = tf_padding(padding)
    channels_first = data_format.startswith("NC")
    spatial = value.shape[2:] if channels_first else value.shape[1:-1]
    if len(ksize) != len(spatial) or len(strides) != len(spatial):
        raise ValueError(f"ksize {ksize} and strides {strides} must have one entry per spatial axis {spatial}")
    refuse_oversized_valid(padding, ksize, spatial)
    device_name = device_name or tfops.device()
    transpose = pool_channels_last(data_format, value.dtype, device_name)
    if transpose:
        value = np.moveaxis(value, 1, -1)
        data_format = "N" + data_format[2:] + "C"
    op = tf.nn.max_pool if mode == "max" else tf.nn.avg_pool
    out = tfops.run(
        lambda: op(tfops.constant(value), list(ksize), list(strides), padding, data_format=data_format).numpy(),
        device_name=device_name,
    )
    return np.moveaxis(out, -1, 1) if transpose else out


def uncovered_cells(input_length, pool_size, stride, padding="valid", *, device_name=None) -> tuple[int, ...]:
    """The input cells no window of TensorFlow's 1-D pooling reads, in increasing order.

    Asked of TensorFlow by its gradient: for ``x`` a ``tf.constant`` of ones, float64, shape
    ``(1, L, 1)``, the gradient of ``tf.reduce_sum(tf.nn.avg_pool1d(x, k, s, padding))`` with
    respect to ``x`` (``tf.GradientTape``) is zero exactly at the cells that no window reads: an
    average gives each cell it reads a positive weight. Found by experiment (TF 2.21, CPU, every
    ``L`` 1..15, ``k`` 1..13, ``s`` 1..6, VALID and SAME): this zero pattern agrees with a forward
    probe (``tf.nn.max_pool1d`` and ``tf.nn.avg_pool1d`` of one-hot inputs) everywhere, also on the
    SAME axes whose gradient *values* :func:`~.gradients.avg_pool_grad_unreliable` flags.

    Raises:
        ValueError: an unknown padding, a size below 1 (TensorFlow refuses a stride below 1, Keras
            a window below 1), or a VALID window longer than the input (never sent to TensorFlow).
    """
    tf = tfops.tensorflow()
    padding = tf_padding(padding)
    too_small = {k: v for k, v in dict(input_length=input_length, pool_size=pool_size, stride=stride).items() if v < 1}
    if too_small:
        raise ValueError(f"sizes must be at least 1; received {too_small}")
    refuse_oversized_valid(padding, (pool_size,), (input_length,))
    ones = np.ones((1, int(input_length), 1), dtype=np.float64)

    def gradient():
        x = tfops.constant(ones)
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(tf.nn.avg_pool1d(x, int(pool_size), int(stride), padding))
        return tape.gradient(total, x).numpy()[0, :, 0]

    weights = tfops.run(gradient, device_name=device_name)
    return tuple(int(i) for i in np.flatnonzero(weights == 0))
