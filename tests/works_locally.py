"""Learner code that "works locally" only if the notebook's demonstration cells ran, and code that
calls TensorFlow or Keras itself: each must get the same verdict in the learner's kernel (the
visible check, ``make check``) as at grading (the grading command, ``nbgrader autograde``).

Two notebooks of 01-convolution-output-sizes, each exercise cell holding one variant:
"""
from __future__ import annotations

A = "01-convolution-output-sizes"

_VALIDATE = '''
    if isinstance(padding, str):
        if padding.lower() not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid', 'same' or an int; received {padding!r}")
    elif padding < 0:
        raise ValueError(f"padding must not be negative; received {padding!r}")
    if min(kernel_size, stride, dilation) < 1:
        raise ValueError("kernel_size, stride and dilation must be positive")
'''

# a demonstration cell's helper: tf_length (cell "tf-lengths") asks TensorFlow for the length
DEMO_HELPER = ('def conv_output_length(input_length, kernel_size, stride=1, padding="valid", dilation=1):'
               + _VALIDATE + '''    name = padding.upper() if isinstance(padding, str) else padding
    return int(tf_length(input_length, kernel_size, stride, name, dilation))
''')

# a module only a demonstration cell imported: keras (cell "tf-keras")
DEMO_MODULE = '''def conv2d_output_shape(input_shape, filters, kernel_size, strides=1, padding="valid",
                        data_format="channels_last", dilation_rate=1):
    if len(input_shape) != 4:
        raise ValueError(f"input_shape must have 4 entries; received {input_shape!r}")
    layer = keras.layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                                dilation_rate=dilation_rate)
    return tuple(layer.compute_output_shape(tuple(input_shape)))
'''

# a stray global a demonstration loop left behind: padding (cell "photo-strides"), read by a helper
STRAY_GLOBAL = '''def _same(p):
    return str(padding).lower() == "same"   # meant: p


def same_padding(input_length, kernel_size, stride=1, dilation=1):
    if min(input_length, kernel_size, stride, dilation) < 1:
        raise ValueError("sizes must be positive")
    outputs = -(-input_length // stride)
    total = max(0, (outputs - 1) * stride + (kernel_size - 1) * dilation + 1 - input_length)
    return (total // 2, total - total // 2) if _same("same") else (0, 0)
'''

# Keras inside the learner's own function, imported in the learner's own cell: fine everywhere
OWN_KERAS = "import keras\n\n\n" + DEMO_MODULE

NOTEBOOKS = {
    "demo-names": {"conv_output_length": DEMO_HELPER, "conv2d_output_shape": DEMO_MODULE,
                   "same_padding": STRAY_GLOBAL},
    "own-keras": {"conv2d_output_shape": OWN_KERAS},
}
# what each exercise's checks must say, in every place: pass (True) or fail (False)
EXPECTED = {
    "demo-names": {"conv_output_length": False, "conv2d_output_shape": False, "same_padding": False},
    "own-keras": {"conv_output_length": True, "conv2d_output_shape": True, "same_padding": True},
}
