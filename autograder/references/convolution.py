"""TensorFlow's and Keras' own answers for notebook 01: how big a convolution's output is.

* :func:`conv_output_length_reference`: the output length along one axis, from the shape
  TensorFlow's shape inference gives ``tf.nn.conv2d``, checked by running the op;
* :func:`same_padding_reference`: ``(before, after)``, the zeros ``tf.nn.conv2d`` adds for SAME:
  TensorFlow's documented rule, checked against what the op computes (a probe input that holds its
  own positions) wherever the padding has any effect;
* :func:`conv2d_output_shape_reference`: ``keras.layers.Conv2D``'s output shape, three of Keras'
  own answers that must agree.

Found by experiment with TensorFlow 2.21 on the CPU: run eagerly, ``tf.nn.conv2d`` with a VALID
kernel larger than its input does **not** fail; it returns a tensor as long as the input holding
uninitialised memory. Graph-mode shape inference refuses it ("Negative dimension size caused by
subtracting 4 from 3") and Keras refuses it ("Computed output size would be zero or negative").
So the references take the output length from shape inference and run the op only on inputs that
shape inference accepted.
"""
from __future__ import annotations

import numpy as np

from .. import tfops

__all__ = ["ReferenceMismatch", "tf_keras", "conv_output_length_reference", "same_padding_reference", "same_padding_rule",
           "conv2d_output_shape_reference"]


class ReferenceMismatch(RuntimeError):
    """TensorFlow's answers disagree with each other: the reference cannot be trusted."""


def tf_keras():
    """Keras, imported quietly after TensorFlow."""
    tfops.tensorflow()
    with tfops.quiet():
        import keras
    return keras


def _tf_padding(padding):
    """Padding as ``tf.nn.conv2d`` takes it: "VALID"/"SAME", or explicit ``[[0, 0], [b, a], ...]``.

    ``padding`` is a name, an int ``p`` (p zeros on both sides) or a pair ``(before, after)``.
    """
    if isinstance(padding, str):
        return padding.upper()
    before, after = (int(padding), int(padding)) if np.ndim(padding) == 0 else (int(v) for v in padding)
    return [[0, 0], [before, after], [0, 0], [0, 0]]


def _static_length(input_length, kernel_size, stride, padding, dilation) -> int:
    """The output length TensorFlow's shape inference gives ``tf.nn.conv2d`` (the kernel never runs).

    The input is ``[1, L, 1, 1]`` (NHWC) and the filter ``[k, 1, 1, 1]``: only the height axis is
    convolved. A kernel that does not fit raises ValueError ("Negative dimension size ...").
    """
    tf = tfops.tensorflow()
    with tfops.quiet(), tf.Graph().as_default():
        x = tf.zeros([1, int(input_length), 1, 1], tf.float32)
        w = tf.zeros([int(kernel_size), 1, 1, 1], tf.float32)
        y = tf.nn.conv2d(x, w, strides=[1, int(stride), 1, 1], padding=_tf_padding(padding),
                         dilations=[1, int(dilation), 1, 1])
        return int(y.shape[1])


def conv_output_length_reference(input_length, kernel_size, stride=1, padding="valid", dilation=1, *,
                                 device_name=None) -> int:
    """The output length of ``tf.nn.conv2d`` along one axis for these arguments.

    Shape inference says the length (and refuses kernels that do not fit); the op is then run on
    zeros and must return that length, else the reference fails loudly.
    """
    tf = tfops.tensorflow()
    length = _static_length(input_length, kernel_size, stride, padding, dilation)
    x = np.zeros((1, int(input_length), 1, 1), np.float32)
    w = np.zeros((int(kernel_size), 1, 1, 1), np.float32)
    ran = tfops.run(
        lambda: tf.nn.conv2d(tfops.constant(x), tfops.constant(w), strides=[1, int(stride), 1, 1],
                             padding=_tf_padding(padding), dilations=[1, int(dilation), 1, 1]).shape[1],
        device_name=device_name,
    )
    if int(ran) != length:
        raise ReferenceMismatch(f"tf.nn.conv2d returned length {ran}, its shape inference said {length}")
    return length


def same_padding_rule(input_length, kernel_size, stride=1, dilation=1) -> tuple:
    """``(before, after)`` by TensorFlow's documented SAME rule (the rule notebook 01 teaches).

    ``outputs = ceil(L / s)``, ``total = max(0, (outputs - 1) * s + span - L)`` with
    ``span = (k - 1) * d + 1``; the smaller half goes before. :func:`same_padding_reference`
    checks it against what ``tf.nn.conv2d`` computes wherever that can be seen.
    """
    L, k, s, d = int(input_length), int(kernel_size), int(stride), int(dilation)
    outputs = -(-L // s)
    total = max(0, (outputs - 1) * s + (k - 1) * d + 1 - L)
    return (total // 2, total - total // 2)


def same_padding_reference(input_length, kernel_size, stride=1, dilation=1, *, device_name=None) -> tuple:
    """``(before, after)``: the zeros ``tf.nn.conv2d`` adds for SAME, checked against what it computes.

    1. The rule (:func:`same_padding_rule`) proposes ``(before, after)``.
    2. A probe input holds its own positions 1, 2, ..., L (padding zeros read as 0), and the
       filter has one output channel per kernel tap j, a one-hot at tap j. So output[i, j] is the
       position that tap j of window i reads, and each tap that reads the input says where the
       padding before ends: ``before = i*s + j*d - (position - 1)``. It must equal the rule's.
    3. Explicit padding ``(before, after)`` must reproduce SAME's output exactly, and one cell
       less after must give a shorter output (shape inference): this fixes the total.

    Where every tap of every window reads padding (a dilated kernel stepping over a 1-cell input,
    e.g. ``L=1, k=4, d=2``), step 2 sees nothing: the split of the total has no effect on anything
    TensorFlow computes, so the rule decides it and steps 1 and 3 still hold. Any disagreement
    raises :class:`ReferenceMismatch`.
    """
    tf = tfops.tensorflow()
    L, k, s, d = int(input_length), int(kernel_size), int(stride), int(dilation)
    if min(L, k, s, d) < 1:
        raise ValueError(f"sizes must be positive; received input_length={L}, kernel_size={k}, stride={s}, "
                         f"dilation={d}")
    before, after = same_padding_rule(L, k, s, d)
    probe = np.arange(1, L + 1, dtype=np.float32).reshape(1, L, 1, 1)
    onehot = np.zeros((k, 1, 1, k), np.float32)
    onehot[np.arange(k), 0, 0, np.arange(k)] = 1.0

    def conv(padding):
        return tfops.run(
            lambda: tf.nn.conv2d(tfops.constant(probe), tfops.constant(onehot), strides=[1, s, 1, 1],
                                 padding=padding, dilations=[1, d, 1, 1]).numpy()[0, :, 0, :],
            device_name=device_name,
        )

    same = conv("SAME")
    seen = {int(i) * s + int(j) * d - (int(same[i, j]) - 1) for i, j in np.argwhere(same != 0)}
    if seen and seen != {before}:
        raise ReferenceMismatch(f"tf.nn.conv2d pads {sorted(seen)} cells before; the SAME rule says {before}")
    explicit = conv(_tf_padding((before, after)))
    if explicit.shape != same.shape or not np.array_equal(explicit, same):
        raise ReferenceMismatch(f"explicit padding {(before, after)} does not reproduce SAME")
    if after > 0:  # one cell less must not give SAME's length (shape inference, never run)
        try:
            shorter = _static_length(L, k, s, (before, after - 1), d)
        except ValueError:
            shorter = None
        if shorter == same.shape[0]:
            raise ReferenceMismatch(f"a padding of {before + after - 1} cells gives SAME's output length too")
    return (before, after)


def _norm_shape(shape) -> tuple:
    return tuple(None if v is None else int(v) for v in shape)


def conv2d_output_shape_reference(input_shape, filters, kernel_size, strides=1, padding="valid",
                                  data_format="channels_last", dilation_rate=1, *, device_name=None) -> tuple:
    """The output shape of ``keras.layers.Conv2D`` for these arguments, batch axis included.

    Three of Keras' own answers must agree: ``compute_output_shape``, the layer called on a
    symbolic ``keras.Input`` (which builds its kernel), and, for a concrete batch, the layer run
    on zeros (TensorFlow's conv2d kernel, on ``device_name``).
    """
    keras = tf_keras()
    input_shape = _norm_shape(input_shape)
    with tfops.quiet():
        layer = keras.layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                                    data_format=data_format, dilation_rate=dilation_rate)
        static = _norm_shape(layer.compute_output_shape(input_shape))
        symbolic = _norm_shape(layer(keras.Input(shape=input_shape[1:], batch_size=input_shape[0])).shape)
    answers = {"compute_output_shape": static, "symbolic call": symbolic}
    if input_shape[0] is not None:
        zeros = np.zeros(input_shape, np.float32)
        answers["run on zeros"] = _norm_shape(tfops.run(lambda: layer(tfops.constant(zeros)).shape,
                                                        device_name=device_name))
    if len(set(answers.values())) != 1:
        raise ReferenceMismatch(f"Keras' answers disagree: {answers}")
    return static
