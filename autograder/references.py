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


# ----------------------------------------------------------------------------- pooling gradients
# Appended for 05-pooling-gradients.


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
    out = -(-input_size // stride)
    before = max((out - 1) * stride + window - input_size, 0) // 2
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
    padding = padding.upper()
    if padding not in _PADDINGS:
        raise ValueError(f"padding must be 'VALID' or 'SAME'; received {padding!r}")
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
    if padding == "VALID" and any(k > n for k, n in zip(ksize, spatial)):
        raise ValueError(f"a VALID window {ksize} larger than the input {tuple(spatial)}: not sent to TensorFlow")
    if mode == "avg" and padding == "SAME" and any(
        avg_pool_grad_unreliable(n, k, s) for n, k, s in zip(spatial, ksize, strides)
    ):
        raise ValueError(
            f"TensorFlow's CPU AvgPoolGrad is wrong for a SAME window {ksize} with strides {strides} "
            f"on a {tuple(spatial)} input (see avg_pool_grad_unreliable): not used as a reference"
        )
    device_name = device_name or tfops.device()
    transpose = channels_first and ("CPU" in device_name.upper() or value.dtype != np.float32)
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


# ----------------------------------------------------------------------------- Keras pooling layers
# Appended for 04-keras-pooling-layers. Found by experiment (TF 2.21, Keras 3.15, CPU):
# * a pooling layer built with the default dtype policy ("float32") casts float16 and float64
#   inputs to float32 and returns float32; with dtype="float64" it keeps float64 in 1-D and 2-D,
#   but MaxPooling3D/AveragePooling3D have no float64 (or float16) CPU kernel and fail. The
#   references build every layer with dtype="float32" (the default, passed explicitly so that a
#   changed keras.json or global mixed-precision policy cannot move them);
# * data_format="channels_first" works on the CPU for every dtype: Keras' TensorFlow backend
#   transposes to channels_last, pools and transposes back;
# * a VALID window larger than the input reaches tf.nn.max_pool unguarded: one larger kills the
#   process (SIGFPE) for max pooling, so such calls never reach Keras here.
_KERAS_POOL_RANKS = {3: 1, 4: 2, 5: 3}
_KERAS_FORMATS = ("channels_last", "channels_first")


def _keras_tuple(value, n: int, name: str) -> tuple:
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"{name} must be an int or a tuple of {n} ints; received {value!r}")
    return value


def _keras_check(x, mode, data_format):
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg'; received {mode!r}")
    if data_format not in _KERAS_FORMATS:
        raise ValueError(f"data_format must be one of {_KERAS_FORMATS}; received {data_format!r}")
    if x.ndim not in _KERAS_POOL_RANKS:
        raise ValueError(f"x must have rank 3, 4 or 5 (1-D, 2-D or 3-D pooling); received shape {x.shape}")
    return _KERAS_POOL_RANKS[x.ndim]


def keras_pooling_layer(x, pool_size, strides=None, padding="valid", data_format="channels_last", mode="max",
                        *, device_name=None):
    """``keras.layers.MaxPooling{1,2,3}D`` / ``AveragePooling{1,2,3}D`` applied to ``x``.

    The layer is chosen by ``x.ndim`` (3 -> 1-D, 4 -> 2-D, 5 -> 3-D) and ``mode``, built with
    the default dtype policy (float32) and called on ``tf.constant(x)``.

    Returns:
        numpy array: the layer's output values, shape and dtype (float32).
    """
    x = np.asarray(x)
    n = _keras_check(x, mode, data_format)
    pool = _keras_tuple(pool_size, n, "pool_size")
    step = pool if strides is None else _keras_tuple(strides, n, "strides")
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same'; received {padding!r}")
    if min(pool) < 1 or min(step) < 1:
        raise ValueError(f"pool_size {pool} and strides {step} must be positive")
    spatial = x.shape[2:] if data_format == "channels_first" else x.shape[1:-1]
    if padding == "valid" and any(k > size for k, size in zip(pool, spatial)):
        raise ValueError(f"a VALID window {pool} larger than the input {tuple(spatial)}: not sent to Keras")
    name = ("MaxPooling" if mode == "max" else "AveragePooling") + f"{n}D"

    def call():
        import keras  # after tfops.tensorflow(): inside run, quiet

        layer = getattr(keras.layers, name)(pool_size=pool, strides=step, padding=padding,
                                            data_format=data_format, dtype="float32")
        return layer(tfops.constant(x)).numpy()

    tfops.tensorflow()
    return tfops.run(call, device_name=device_name)


def keras_global_pooling_layer(x, mode="max", data_format="channels_last", keepdims=False, *, device_name=None):
    """``keras.layers.GlobalMaxPooling{1,2,3}D`` / ``GlobalAveragePooling{1,2,3}D`` applied to ``x``.

    Chosen by ``x.ndim`` and ``mode``, built with the default dtype policy (float32).

    Returns:
        numpy array of shape (N, C), or with ``keepdims`` (N, 1, ..., 1, C) / (N, C, 1, ..., 1); float32.
    """
    x = np.asarray(x)
    n = _keras_check(x, mode, data_format)
    name = ("GlobalMaxPooling" if mode == "max" else "GlobalAveragePooling") + f"{n}D"

    def call():
        import keras

        layer = getattr(keras.layers, name)(data_format=data_format, keepdims=bool(keepdims), dtype="float32")
        return layer(tfops.constant(x)).numpy()

    tfops.tensorflow()
    return tfops.run(call, device_name=device_name)


__all__ += ["keras_pooling_layer", "keras_global_pooling_layer"]
