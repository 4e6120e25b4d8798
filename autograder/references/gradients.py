"""The gradient of 2-D pooling with respect to its input, by ``tf.GradientTape`` (notebook 05)."""
from __future__ import annotations

import numpy as np

from .. import tfops
from ..geometry import output_length, padding_before
from .pooling import pool_channels_last, refuse_oversized_valid, tf_padding

__all__ = ["avg_pool_grad_unreliable", "tf_pool_gradient"]


def avg_pool_grad_unreliable(input_size: int, window: int, stride: int) -> bool:
    """Whether TensorFlow 2.21's CPU ``AvgPoolGrad`` kernel gets a SAME axis of this size wrong.

    Found by experiment (every input 1..10, window 1..13, stride 1..5, float64, and 200 random
    2-D cases; the rule below predicted every disagreement and nothing else): TensorFlow's own
    Eigen ``AvgPoolGrad`` (float64 always; float32 too when oneDNN is off) spreads a SAME window's
    gradient over the wrong cells when the window is longer than the input and a window that
    starts in the padding ends before the input does. Its forward ``tf.nn.avg_pool2d`` is right,
    so its gradient disagrees with a centred difference of its own forward there. (The cause, as
    far as we can tell: ``GetBroadcastSize`` in ops_util.cc clips that window with the full
    window length instead of the already shortened one.) Such axes are never sent to TensorFlow
    as a gradient reference.
    """
    out = output_length(input_size, window, stride, "SAME")
    before = padding_before(input_size, window, stride, "SAME")
    return window > input_size and any(
        r * stride < before and r * stride - before + window < input_size for r in range(out)
    )


def tf_pool_gradient(value, upstream, ksize, strides, padding, mode="max", data_format="NHWC", *, device_name=None):
    """The gradient of 2-D pooling with respect to its input, by ``tf.GradientTape``.

    ``tape.gradient(y, x, output_gradients=upstream)`` with ``y = tf.nn.max_pool2d(x, ...)`` (or
    ``tf.nn.avg_pool2d``) on ``x = tf.constant(value)``: the vector-Jacobian product
    ``d sum(upstream * y) / dx``.

    Args:
        value: numpy array, (N, H, W, C) for NHWC or (N, C, H, W) for NCHW (float dtype).
        upstream: dL/dy, the pooled output's shape (N, H', W', C) or (N, C, H', W'), value's dtype.
        ksize, strides: pairs (kh, kw), (sh, sw) (already expanded).
        padding: ``"VALID"`` or ``"SAME"``.
        mode: ``"max"`` or ``"avg"``.
        data_format: ``"NHWC"`` or ``"NCHW"``.

    Returns:
        dL/dx: numpy array of value's shape and dtype.

    Guards (see the module docstring): a VALID window larger than the input is refused (the
    forward pass inside the tape could kill the process); NCHW is transposed to NHWC on the CPU
    (TensorFlow has no NCHW ``MaxPoolGrad`` on the CPU: "Default MaxPoolingGradOp only supports
    NHWC on device type CPU") and for dtypes other than float32; average-pooling SAME axes that
    :func:`avg_pool_grad_unreliable` flags are refused.

    Found by experiment (TF 2.21, CPU, float16/32/64, oneDNN on and off, NHWC and transposed NCHW,
    VALID and SAME, overlapping windows): max pooling sends each window's gradient to the *first*
    maximum of that window in row-major order (top row first, left to right), separately for each
    image and channel; SAME padding cells never receive anything; windows add up. Average pooling
    gives each real cell of a window upstream / (number of real cells in that window).
    """
    tf = tfops.tensorflow()
    value = np.asarray(value)
    upstream = np.asarray(upstream)
    padding = tf_padding(padding)
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg'; received {mode!r}")
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW'; received {data_format!r}")
    if value.ndim != 4 or upstream.ndim != 4:
        raise ValueError(f"value and upstream must be 4-D; received shapes {value.shape} and {upstream.shape}")
    if value.dtype != upstream.dtype:
        raise ValueError(f"value and upstream must have one dtype; received {value.dtype} and {upstream.dtype}")
    ksize, strides = tuple(int(k) for k in ksize), tuple(int(s) for s in strides)
    channels_first = data_format == "NCHW"
    spatial = value.shape[2:] if channels_first else value.shape[1:3]
    refuse_oversized_valid(padding, ksize, spatial)
    if mode == "avg" and padding == "SAME" and any(
        avg_pool_grad_unreliable(n, k, s) for n, k, s in zip(spatial, ksize, strides)
    ):
        raise ValueError(
            f"TensorFlow's CPU AvgPoolGrad is wrong for a SAME window {ksize} with strides {strides} "
            f"on a {tuple(spatial)} input (see avg_pool_grad_unreliable): not used as a reference"
        )
    device_name = device_name or tfops.device()
    transpose = pool_channels_last(data_format, value.dtype, device_name)
    if transpose:
        value, upstream = np.moveaxis(value, 1, -1), np.moveaxis(upstream, 1, -1)
        data_format = "NHWC"
    op = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d

    def gradient():
        x = tfops.constant(value)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = op(x, list(ksize), list(strides), padding, data_format=data_format)
        if tuple(y.shape) != upstream.shape:
            raise ValueError(f"upstream has shape {upstream.shape}; the pooled output has shape {tuple(y.shape)}")
        return tape.gradient(y, x, output_gradients=tfops.constant(upstream)).numpy()

    out = tfops.run(gradient, device_name=device_name)
    return np.moveaxis(out, -1, 1) if transpose else out
