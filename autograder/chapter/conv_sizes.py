"""Exercises of ``01-convolution-output-sizes``: how big a convolution's output is.

* ``conv_output_length(input_length, kernel_size, stride=1, padding="valid", dilation=1)``: the
  output length along one axis, checked against the shape TensorFlow's own shape inference gives
  ``tf.nn.conv2d`` (and, when it is positive, the shape the op really returns when run).
* ``same_padding(input_length, kernel_size, stride=1, dilation=1)``: ``(before, after)``, the
  zeros TensorFlow adds for ``padding="SAME"``: TensorFlow's documented rule, checked against
  what ``tf.nn.conv2d`` really computes (a probe input that holds its own positions, one one-hot
  kernel per tap) wherever the padding has a visible effect.
* ``conv2d_output_shape(input_shape, filters, kernel_size, strides=1, padding="valid",
  data_format="channels_last", dilation_rate=1)``: the output shape of ``keras.layers.Conv2D``,
  batch axis included (it may be ``None``), checked against the layer's ``compute_output_shape``,
  the shape of the layer called on a symbolic ``keras.Input`` (which builds it), and, for a
  concrete batch, the shape of the layer run on zeros.

Scope (stated in the notebook's tasks): sizes are positive ints; padding names are compared in
any letter case, as Keras does; ``stride > 1`` together with ``dilation > 1`` is never checked
(``keras.layers.Conv2D`` and ``tf.nn.convolution`` reject it with a ValueError, although the raw
``tf.nn.conv2d`` op accepts it).

Hidden cases, decided per exercise (every grading secret must draw only cases whose reference
can be computed: ``tests/test_secrets.py`` draws hundreds):

* ``conv_output_length`` and ``conv2d_output_shape``: the generators draw VALID cases only where
  the kernel fits (TensorFlow's shape inference refuses the others, and the task's ValueError
  cases are named ones), so every drawn case has a length or a shape.
* ``same_padding``: the generator draws any size the task allows, including a dilated kernel
  wider than a 1-cell input where every tap of every window reads padding. There TensorFlow's
  output shows nothing of how the padding is split, but the SAME rule still defines it, and a
  learner following the rule the notebook teaches answers it; so the reference takes the rule and
  checks it against TensorFlow wherever a probe can see it (the total always, by shape inference),
  rather than the generator avoiding such inputs.

The references live in :mod:`autograder.references.convolution` (with what was found by
experiment about them); the task asks for a ValueError where TensorFlow's shape inference refuses.
"""
from __future__ import annotations

from ..cases import Case, rng
from ..references.convolution import (conv2d_output_shape_reference, conv_output_length_reference,
                                      same_padding_reference)
from ..registry import Exercise, register

NOTEBOOK = "01-convolution-output-sizes"


# ----------------------------------------------------------------------------- conv_output_length
def conv_output_length_visible():
    return [
        Case(dict(input_length=28, kernel_size=3), "the chapter's 28-pixel MNIST row, a 3-wide kernel"),
        Case(dict(input_length=28, kernel_size=3, padding="same"), "SAME keeps 28 at stride 1"),
        Case(dict(input_length=28, kernel_size=5, stride=2), "stride 2, VALID"),
        Case(dict(input_length=7, kernel_size=3, stride=2, padding="SAME"), "SAME in capitals, stride 2"),
        Case(dict(input_length=5, kernel_size=2, stride=3), "stride larger than the kernel"),
        Case(dict(input_length=10, kernel_size=3, dilation=2), "dilation 2: the kernel spans 5 cells"),
        Case(dict(input_length=28, kernel_size=3, padding=1), "explicit padding of 1 on each side"),
        Case(dict(input_length=28, kernel_size=3, padding="full"), "padding='full' is not a padding",
             raises=ValueError),
        Case(dict(input_length=3, kernel_size=4), "a 4-wide kernel does not fit in 3 cells (VALID)",
             raises=ValueError),
    ]


def conv_output_length_hidden(g):
    cases = [
        Case(dict(input_length=1, kernel_size=1), "a single cell, a 1-wide kernel"),
        Case(dict(input_length=4, kernel_size=7, padding="Same"), "SAME with a kernel wider than the input"),
        Case(dict(input_length=6, kernel_size=4, stride=1, padding="same"), "SAME with an even kernel"),
        Case(dict(input_length=9, kernel_size=9, stride=2, padding="Valid"), "the kernel is the whole input"),
        Case(dict(input_length=2, kernel_size=4, padding=1), "explicit padding makes the kernel fit"),
        Case(dict(input_length=8, kernel_size=3, padding=0), "padding=0 is VALID"),
        Case(dict(input_length=9, kernel_size=3, padding="same", dilation=3), "SAME with dilation 3"),
        Case(dict(input_length=11, kernel_size=4, padding=2, dilation=2), "explicit padding with dilation"),
        Case(dict(input_length=12, kernel_size=1, stride=5, padding="SAME"), "a 1-wide kernel, stride 5, SAME"),
        Case(dict(input_length=5, kernel_size=3, dilation=3), "dilation 3 makes the kernel span 7 > 5 cells",
             raises=ValueError),
        Case(dict(input_length=2, kernel_size=6, padding=1), "6 cells do not fit in 2 + 2 padded cells",
             raises=ValueError),
        Case(dict(input_length=8, kernel_size=3, padding=-1), "negative padding", raises=ValueError),
        Case(dict(input_length=8, kernel_size=3, padding="causal"), "padding='causal' is not a padding here",
             raises=ValueError),
        Case(dict(input_length=8, kernel_size=3, stride=0), "stride 0", raises=ValueError),
        Case(dict(input_length=8, kernel_size=0), "kernel_size 0", raises=ValueError),
        Case(dict(input_length=8, kernel_size=3, dilation=0), "dilation 0", raises=ValueError),
    ]
    spellings = ("valid", "VALID", "Valid", "same", "SAME", "Same")
    made = 0
    while made < 30:
        length = int(g.integers(1, 41))
        kernel = int(g.integers(1, 8))
        if g.random() < 0.5:
            stride, dilation = int(g.integers(1, 5)), 1
        else:
            stride, dilation = 1, int(g.integers(1, 4))
        kind = g.random()
        padding = str(g.choice(spellings)) if kind < 0.7 else int(g.integers(0, 4))
        span = (kernel - 1) * dilation + 1
        fits = span <= length + 2 * (padding if isinstance(padding, int) else 0)
        if not (isinstance(padding, str) and padding.lower() == "same") and not fits:
            continue
        what = padding.upper() if isinstance(padding, str) else f"explicit padding {padding}"
        cases.append(Case(dict(input_length=length, kernel_size=kernel, stride=stride, padding=padding,
                               dilation=dilation),
                          f"random {what} case: {length} cells, kernel {kernel}, stride {stride}, dilation {dilation}"))
        made += 1
    return cases


register(Exercise(
    name="conv_output_length",
    function="conv_output_length",
    signature="(input_length, kernel_size, stride=1, padding='valid', dilation=1)",
    notebook=NOTEBOOK,
    points={"visible": 2, "hidden": 2},
    visible_cases=conv_output_length_visible,
    hidden_cases=conv_output_length_hidden,
    reference=conv_output_length_reference,
    reference_op="tf.nn.conv2d (output shape)",
    covers="the chapter's 28 -> 26, SAME in either case, stride, dilation, explicit padding, "
           "an unknown padding and a kernel that does not fit",
    hints=(
        "Ask TensorFlow: run `tf_length` (section 2) on the failing case and on its neighbours, one cell "
        "more and one cell less. Which arguments does the answer follow? Does the kernel matter for SAME?",
        "Bring every case back to one of two: a str `padding` is SAME or VALID in any letter case (test "
        "`isinstance(padding, str)` before calling `.lower()`), and an int `p` is VALID on `L + 2p` cells. "
        "VALID counts the starts 0, s, 2s, ... at which the dilated kernel still fits (raise when there is "
        "none); SAME counts the starts inside the input.",
        "`span = (k - 1) * d + 1`; VALID: `(L + 2 * p - span) // s + 1`, when `span <= L + 2 * p`; SAME: "
        "$\\lceil L / s \\rceil$, which is `-(-L // s)` in integer arithmetic. Use `//`, never `/`: the "
        "checks want an `int`, and `26.0` is a float.",
    ),
))


# ----------------------------------------------------------------------------- same_padding
def same_padding_visible():
    return [
        Case(dict(input_length=28, kernel_size=3), "the chapter's 28-pixel row, a 3-wide kernel"),
        Case(dict(input_length=5, kernel_size=4), "an even kernel: the padding is uneven"),
        Case(dict(input_length=7, kernel_size=3, stride=2), "stride 2 over 7 cells"),
        Case(dict(input_length=6, kernel_size=3, stride=2), "stride 2 over 6 cells: one cell of padding"),
        Case(dict(input_length=10, kernel_size=3, dilation=2), "dilation 2"),
        Case(dict(input_length=5, kernel_size=1, stride=3), "stride larger than the kernel: no padding"),
        Case(dict(input_length=8, kernel_size=3, stride=0), "stride 0", raises=ValueError),
    ]


def same_padding_hidden(g):
    cases = [
        Case(dict(input_length=1, kernel_size=7), "one cell, a 7-wide kernel"),
        Case(dict(input_length=2, kernel_size=6), "a kernel three times the input, even"),
        Case(dict(input_length=9, kernel_size=2, stride=4), "stride twice the kernel"),
        Case(dict(input_length=28, kernel_size=2, stride=2), "2-wide kernel, stride 2: no padding"),
        Case(dict(input_length=27, kernel_size=2, stride=2), "2-wide kernel, stride 2, odd input"),
        Case(dict(input_length=12, kernel_size=4, dilation=3), "an even kernel with dilation 3"),
        Case(dict(input_length=8, kernel_size=0), "kernel_size 0", raises=ValueError),
        Case(dict(input_length=8, kernel_size=3, dilation=0), "dilation 0", raises=ValueError),
        Case(dict(input_length=8, kernel_size=3, stride=-2), "negative stride", raises=ValueError),
    ]
    for _ in range(30):
        length = int(g.integers(1, 41))
        kernel = int(g.integers(1, 9))
        if g.random() < 0.6:
            stride, dilation = int(g.integers(1, 5)), 1
        else:
            stride, dilation = 1, int(g.integers(2, 4))
        what = f"stride {stride}" if dilation == 1 else f"dilation {dilation}"
        cases.append(Case(dict(input_length=length, kernel_size=kernel, stride=stride, dilation=dilation),
                          f"random {length}-cell input, {kernel}-wide kernel, {what}"))
    return cases


register(Exercise(
    name="same_padding",
    function="same_padding",
    signature="(input_length, kernel_size, stride=1, dilation=1)",
    notebook=NOTEBOOK,
    points={"visible": 2, "hidden": 2},
    visible_cases=same_padding_visible,
    hidden_cases=same_padding_hidden,
    reference=same_padding_reference,
    reference_op="tf.nn.conv2d (SAME, probed)",
    covers="odd and even kernels, stride, dilation, a stride larger than the kernel, stride 0",
    hints=(
        "Run `probe_same` on the failing case and count the zeros: at the start of the first row, at the end "
        "of the last row. Then change one thing at a time: an odd kernel, stride 2 on an even and an odd "
        "length, a stride larger than the kernel.",
        "The total is what the last SAME window needs beyond the input: there is one window per SAME "
        "output, they start at 0, s, 2s, ..., and each spans `span` cells. It is never negative. When it is "
        "odd, split it the way the probe shows.",
        "`outputs = -(-L // s)`, `total = max(0, (outputs - 1) * s + span - L)`, and return "
        "`(total // 2, total - total // 2)`: two ints, the smaller half before.",
    ),
))


# ----------------------------------------------------------------------------- conv2d_output_shape
def conv2d_output_shape_visible():
    return [
        Case(dict(input_shape=(None, 28, 28, 1), filters=32, kernel_size=3),
             "the chapter's MNIST layer: 32 filters of 3x3, batch None"),
        Case(dict(input_shape=(1, 28, 28, 1), filters=32, kernel_size=3, padding="same"),
             "one image, SAME"),
        Case(dict(input_shape=(8, 28, 28, 1), filters=16, kernel_size=5, strides=2),
             "a batch of 8, stride 2"),
        Case(dict(input_shape=(None, 1, 28, 28), filters=32, kernel_size=3, data_format="channels_first"),
             "channels_first (NCHW)"),
        Case(dict(input_shape=(None, 28, 28, 3), filters=8, kernel_size=3, dilation_rate=2),
             "dilation_rate 2"),
        Case(dict(input_shape=(4, 20, 30, 3), filters=6, kernel_size=(3, 5), strides=(1, 2)),
             "a rectangular kernel and strides given as pairs"),
        Case(dict(input_shape=(2, 7, 7, 3), filters=4, kernel_size=4, strides=2, padding="SAME"),
             "SAME in capitals, an even kernel, stride 2"),
        Case(dict(input_shape=(None, 28, 28, 1), filters=32, kernel_size=3, padding="full"),
             "padding='full' is not a Conv2D padding", raises=ValueError),
        Case(dict(input_shape=(None, 28, 28, 1), filters=32, kernel_size=3, data_format="NHWC"),
             "data_format='NHWC' is TensorFlow's spelling, not Keras'", raises=ValueError),
        Case(dict(input_shape=(28, 28, 1), filters=32, kernel_size=3),
             "input_shape without the batch axis", raises=ValueError),
    ]


def conv2d_output_shape_hidden(g):
    cases = [
        Case(dict(input_shape=(None, 3, 9, 9), filters=5, kernel_size=2, strides=3,
                  data_format="channels_first"), "channels_first, stride larger than the kernel"),
        Case(dict(input_shape=(16, 2, 11, 6), filters=1, kernel_size=(4, 2), padding="same",
                  data_format="Channels_First"), "channels_first in other letter case, SAME, even kernel"),
        Case(dict(input_shape=(None, 5, 5, 2), filters=3, kernel_size=5), "the kernel is the whole image"),
        Case(dict(input_shape=(3, 6, 6, 3), filters=2, kernel_size=3, dilation_rate=(2, 1), padding="Same"),
             "dilation only along the rows, SAME"),
        Case(dict(input_shape=(None, 1, 1, 4), filters=7, kernel_size=1), "a 1x1 image, a 1x1 kernel"),
        Case(dict(input_shape=(None, 4, 4, 1), filters=2, kernel_size=5), "a 5x5 kernel on a 4x4 image (VALID)",
             raises=ValueError),
        Case(dict(input_shape=(None, 5, 5, 1), filters=2, kernel_size=3, dilation_rate=3),
             "dilation 3 makes the 3x3 kernel span 7x7 > 5x5", raises=ValueError),
        Case(dict(input_shape=(None, 28, 28, 1), filters=8, kernel_size=3, padding="causal"),
             "padding='causal' is for Conv1D only", raises=ValueError),
        Case(dict(input_shape=(None, 1, 28, 28), filters=8, kernel_size=3, data_format="NCHW"),
             "data_format='NCHW'", raises=ValueError),
        Case(dict(input_shape=(None, 8, 28, 28, 1), filters=8, kernel_size=3),
             "a 5-D input_shape", raises=ValueError),
        Case(dict(input_shape=(None, 28, 28, 1), filters=0, kernel_size=3), "filters=0", raises=ValueError),
    ]
    made = 0
    while made < 25:
        channels_first = g.random() < 0.4
        batch = None if g.random() < 0.4 else int(g.integers(1, 5))
        h, w = (int(v) for v in g.integers(1, 24, size=2))
        c = int(g.integers(1, 5))
        filters = int(g.integers(1, 40))
        kh, kw = (int(v) for v in g.integers(1, 6, size=2))
        if g.random() < 0.6:
            sh, sw = (int(v) for v in g.integers(1, 4, size=2))
            dh, dw = 1, 1
        else:
            sh, sw = 1, 1
            dh, dw = (int(v) for v in g.integers(1, 4, size=2))
        padding = str(g.choice(["valid", "same", "VALID", "SAME", "Same"]))
        if padding.lower() == "valid" and ((kh - 1) * dh + 1 > h or (kw - 1) * dw + 1 > w):
            continue
        square = kh == kw and g.random() < 0.6

        def pair(a, b, square=square):
            return a if a == b and square else (a, b)

        kwargs = dict(input_shape=(batch, c, h, w) if channels_first else (batch, h, w, c), filters=filters,
                      kernel_size=pair(kh, kw), strides=pair(sh, sw), padding=padding)
        if channels_first:
            kwargs["data_format"] = "channels_first"
        if (dh, dw) != (1, 1):
            kwargs["dilation_rate"] = pair(dh, dw)
        layout = "channels_first" if channels_first else "channels_last"
        cases.append(Case(kwargs, f"random {layout} case, batch {batch}, {padding.upper()}: {h}x{w}x{c} input, "
                                  f"{filters} filters of {kh}x{kw}, strides ({sh}, {sw}), dilation ({dh}, {dw})"))
        made += 1
    return cases


register(Exercise(
    name="conv2d_output_shape",
    function="conv2d_output_shape",
    signature="(input_shape, filters, kernel_size, strides=1, padding='valid', "
              "data_format='channels_last', dilation_rate=1)",
    notebook=NOTEBOOK,
    points={"visible": 2, "hidden": 3},
    visible_cases=conv2d_output_shape_visible,
    hidden_cases=conv2d_output_shape_hidden,
    reference=conv2d_output_shape_reference,
    reference_op="keras.layers.Conv2D (compute_output_shape, symbolic and eager call)",
    covers="the chapter's (None, 28, 28, 1) -> (None, 26, 26, 32), SAME, strides, channels_first, "
           "dilation, pairs, a bad padding, a bad data_format and a missing batch axis",
    hints=(
        "Ask Keras about the failing case: `keras.layers.Conv2D(filters, kernel_size, strides, padding, "
        "data_format, dilation_rate=dilation_rate).compute_output_shape(input_shape)`. Which entry differs: "
        "the batch, a spatial size or the channels?",
        "Validate first (padding, data_format, four entries, filters). Then pick the height and the width "
        "out of `input_shape` according to `data_format`: each is one axis of Exercise 1, with its own "
        "kernel size, stride and dilation (an int means the same for both axes). The batch is copied as it "
        "is, `None` included; the channels are `filters`, whatever the input had.",
        "`batch, height, width, _ = input_shape` (channels_last) or `batch, _, height, width = input_shape` "
        "(channels_first); return the tuple `(batch, h, w, filters)` or `(batch, filters, h, w)`.",
    ),
))
