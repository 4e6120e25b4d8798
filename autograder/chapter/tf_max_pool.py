"""Exercises of ``03-tensorflow-max-pool``: TensorFlow's own pooling signature, in numpy.

* ``max_pool(value, ksize, strides, padding, data_format="NHWC")`` and
* ``avg_pool(value, ksize, strides, padding, data_format="NHWC")``:

the chapter's TF 1.x signature (``tf.compat.v1.nn.max_pool`` without ``name``) on 4-D tensors,
checked against ``tf.nn.max_pool`` / ``tf.nn.avg_pool`` (through
:func:`autograder.references.tf_pool`) for output values, shape and dtype.

The rules, found by experiment with TensorFlow 2.21 on the CPU (see tests/test_tf_max_pool.py,
which checks every one of them against TensorFlow itself):

* ``ksize`` and ``strides``: an int, or 1, 2 or 4 numbers. One number is used for both spatial
  axes, two are ``(rows, cols)``, four follow ``data_format`` (``[1, kh, kw, 1]`` for NHWC,
  ``[1, 1, kh, kw]`` for NCHW). Any other length: TF raises ``ValueError``.
* Four numbers must have 1 in the batch and channel positions. Decision: anything else is a
  ``ValueError`` here. TF refuses a batch entry other than 1 ("Pooling is not yet supported on
  the batch dimension"), refuses a channel ksize other than 1 next to a spatial window, pools
  across channels ("depthwise" pooling) when the spatial entries are 1, and silently ignores a
  channel stride: special cases this exercise leaves out.
* Windows and strides must be positive (TF: "Sliding window ksize must be positive").
* ``padding`` is ``"VALID"`` or ``"SAME"``, upper case only: TF rejects ``"same"`` and
  ``"valid"`` (unlike Keras and notebook 02), and ``"EXPLICIT"`` needs a list.
* ``data_format`` is ``"NHWC"`` or ``"NCHW"`` (TF also knows ``"NCHW_VECT_C"``, which aborts the
  process on the CPU: never sent, and a ``ValueError`` here).
* ``value`` must be 4-D (``tf.nn.max_pool2d`` rejects other ranks).
* VALID windows larger than the input: TF raises for some sizes, returns an empty tensor for
  others and kills the process (SIGFPE) for a float32 max pool whose window is one larger than
  the input; so such calls never reach TF, and the learner raises ``ValueError``.
* SAME: output length ``ceil(n / s)``; TF pads ``max((out - 1) * s + k - n, 0)`` cells,
  ``total // 2`` before and the rest (the odd one) after, i.e. at the bottom/right. Padded cells
  never win a max, and a SAME average divides by the number of real cells in the window.
* dtypes: ``max_pool`` keeps any integer or float dtype, as TF does for a tensor (the references
  pass ``tfops.constant(value)``; fed a plain numpy array, TF returns float32 whatever its dtype,
  which the notebook shows); ``avg_pool`` accepts floats only (TF's AvgPool has no integer
  kernel), so an integer input is a ``ValueError``.
* Not graded, taught in the notebook: TF's max skips NaN (an all-NaN or all-``-inf`` window gives
  the lowest finite value of the dtype), its average propagates NaN.
"""
from __future__ import annotations

import numpy as np

from .. import references
from ..geometry import same_padding_split, tf_window, window
from ..cases import Case, feature_map, rng
from ..i18n import tr
from ..registry import Exercise, register

NOTEBOOK = "03-tensorflow-max-pool"
PADDINGS = ("VALID", "SAME")
DATA_FORMATS = ("NHWC", "NCHW")
MAX_DTYPES = (np.int32, np.int64, np.float32, np.float64)
AVG_DTYPES = (np.float32, np.float64)


# ----------------------------------------------------------------------------- references
def _reference(mode):
    def reference(value, ksize, strides, padding, data_format="NHWC", *, device_name=None):
        """TensorFlow's pooling of a 4-D tensor; NCHW other than float32 is transposed by tf_pool."""
        return references.tf_pool(
            np.asarray(value), tf_window(ksize, data_format, "ksize"), tf_window(strides, data_format, "strides"),
            padding, mode, data_format, device_name=device_name,
        )

    reference.__name__ = f"{mode}_pool_reference"
    return reference


max_pool_reference = _reference("max")
avg_pool_reference = _reference("avg")


def _fmt(array) -> str:
    return " ".join(np.array2string(np.asarray(array), separator=", ", threshold=40).split())


def _rows(n: int) -> str:
    return tr("{n} row", n=n) if n == 1 else tr("{n} rows", n=n)


def _columns(n: int) -> str:
    return tr("{n} column", n=n) if n == 1 else tr("{n} columns", n=n)


def explain(case: Case, index: tuple) -> str:
    """Where output element ``index`` comes from: batch, channel, rows and columns of its window."""
    kw = case.kwargs
    fmt = kw.get("data_format", "NHWC")
    x = np.asarray(kw["value"])
    if fmt == "NCHW":
        n, c, i, j = index
        height, width = x.shape[2:]
        plane = "value[{n}, {c}, :, :]"
    else:
        n, i, j, c = index
        height, width = x.shape[1:3]
        plane = "value[{n}, :, :, {c}]"
    kh, kw_ = tf_window(kw["ksize"], fmt, "ksize")
    sh, sw = tf_window(kw["strides"], fmt, "strides")
    padding = kw["padding"]
    rows, cols = window(i, height, kh, sh, padding), window(j, width, kw_, sw, padding)
    r0, r1, rr0, rr1 = rows.start, rows.stop, rows.real_start, rows.real_stop
    c0, c1, cc0, cc1 = cols.start, cols.stop, cols.real_start, cols.real_stop
    real = x[n, c, rr0:rr1, cc0:cc1] if fmt == "NCHW" else x[n, rr0:rr1, cc0:cc1, c]
    where = plane.format(n=n, c=c)
    text = tr("output{index} (batch {n}, channel {c}) comes from the window rows {r0}:{r1}, columns {c0}:{c1} "
              "of {where}", index=list(index), n=n, c=c, r0=r0, r1=r1, c0=c0, c1=c1, where=where)
    if padding == "SAME":
        top, bottom = same_padding_split(height, kh, sh)
        left, right = same_padding_split(width, kw_, sw)
        text += tr("; SAME pads this input with {top} on top and {bottom} at the bottom, {left} on the left and "
                   "{right} on the right", top=_rows(top), bottom=bottom, left=_columns(left), right=right)
        if rows.padded or cols.padded:
            text += tr(", so the window covers padding and only rows {r0}:{r1}, columns {c0}:{c1} are real "
                       "({real} of {total} cells)", r0=rr0, r1=rr1, c0=cc0, c1=cc1, real=real.size, total=kh * kw_)
    return text + tr(": {values}", values=_fmt(real))


# ----------------------------------------------------------------------------- cases
def _chapter_map(dtype):
    # the chapter's 3x3 map as a [batch=1, height=3, width=3, depth=1] tensor
    return np.arange(1, 10, dtype=dtype).reshape(1, 3, 3, 1)


def random_case(g, mode, index):
    """One seeded case: any batch, channels, size, window form, padding, layout and dtype."""
    dtypes = MAX_DTYPES if mode == "max" else AVG_DTYPES
    n, c = int(g.integers(1, 4)), int(g.integers(1, 5))
    h, w = (int(v) for v in g.integers(1, 9, size=2))
    padding = str(g.choice(PADDINGS))
    fmt = str(g.choice(DATA_FORMATS, p=[0.6, 0.4]))
    if padding == "VALID":
        kh, kw = int(g.integers(1, h + 1)), int(g.integers(1, w + 1))
    else:
        kh, kw = (int(v) for v in g.integers(1, 6, size=2))
    sh, sw = (int(v) for v in g.integers(1, 4, size=2))

    def form(a, b):
        style = int(g.integers(4)) if a == b else int(g.choice([1, 3]))
        if style == 0:
            return a
        if style == 2:
            return [a]
        if style == 1:
            return (a, b)
        return [1, 1, a, b] if fmt == "NCHW" else [1, a, b, 1]

    dtype = dtypes[int(g.integers(len(dtypes)))]
    shape = (n, c, h, w) if fmt == "NCHW" else (n, h, w, c)
    x = feature_map(g, shape, dtype, ties=g.random() < 0.6)
    label = f"random {np.dtype(dtype).name} {'x'.join(map(str, shape))} {fmt} tensor, {padding} ({index})"
    return Case(dict(value=x, ksize=form(kh, kw), strides=form(sh, sw), padding=padding, data_format=fmt), label)


def error_cases(g, dtype):
    """Arguments TensorFlow rejects (or that this exercise rejects, see the module docstring)."""
    x = feature_map(g, (1, 4, 4, 2), dtype)
    return [
        Case(dict(value=x, ksize=2, strides=2, padding="VALID", data_format="channels_last"),
             "data_format='channels_last' is Keras' name: TensorFlow wants 'NHWC' or 'NCHW'", raises=ValueError),
        Case(dict(value=x, ksize=[1, 2, 2, 2], strides=[1, 2, 2, 1], padding="VALID"),
             "a 4-number ksize whose channel entry is not 1", raises=ValueError),
        Case(dict(value=x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 2], padding="SAME"),
             "a 4-number strides whose channel entry is not 1", raises=ValueError),
        Case(dict(value=x, ksize=[2, 2, 2], strides=2, padding="VALID"),
             "ksize with 3 numbers (1, 2 or 4 are allowed)", raises=ValueError),
        Case(dict(value=x, ksize=2, strides=0, padding="SAME"), "a zero stride", raises=ValueError),
        Case(dict(value=x[0], ksize=2, strides=2, padding="VALID"),
             "a 3-D value (no batch axis)", raises=ValueError),
        Case(dict(value=x, ksize=2, strides=2, padding="EXPLICIT"),
             "padding='EXPLICIT' (TensorFlow wants a list of pads for it)", raises=ValueError),
        Case(dict(value=np.moveaxis(x, -1, 1), ksize=[1, 2, 2, 1], strides=[1, 1, 2, 2], padding="VALID",
                  data_format="NCHW"),
             "NCHW with ksize written in NHWC order: its channel entry is 2", raises=ValueError),
        Case(dict(value=x, ksize=(5, 2), strides=1, padding="VALID"),
             "a VALID window taller than the input", raises=ValueError),
    ]


def max_pool_visible():
    g = rng(3)
    neg = -np.arange(1, 19, dtype=np.int32).reshape(1, 3, 3, 2)
    return [
        Case(dict(value=_chapter_map(np.int64), ksize=[1, 2, 2, 1], strides=[1, 1, 1, 1], padding="VALID"),
             "the chapter's 3x3 map as a [1, 3, 3, 1] tensor, TF 1.x style ksize and strides"),
        Case(dict(value=feature_map(g, (2, 4, 4, 3), np.float32), ksize=2, strides=2, padding="VALID"),
             "a batch of 2 maps with 3 channels, non-overlapping 2x2 windows"),
        Case(dict(value=feature_map(g, (1, 5, 5, 1), np.float64), ksize=2, strides=2, padding="SAME"),
             "SAME on a 5x5 map: the odd padded row and column go after (bottom, right)"),
        Case(dict(value=neg, ksize=2, strides=2, padding="SAME"),
             "all-negative int32 values with SAME: a padded cell never wins"),
        Case(dict(value=feature_map(g, (2, 2, 4, 5), np.float32), ksize=[1, 1, 2, 2], strides=[1, 1, 2, 2],
                  padding="VALID", data_format="NCHW"),
             "NCHW (channels first), 4-number ksize and strides in NCHW order"),
        Case(dict(value=feature_map(g, (1, 4, 7, 2), np.float32), ksize=(2, 3), strides=(1, 2), padding="VALID"),
             "a rectangular 2x3 window, strides (1, 2)"),
        Case(dict(value=_chapter_map(np.float32), ksize=2, strides=1, padding="same"),
             "padding='same' in lower case: TensorFlow accepts only 'SAME' and 'VALID'", raises=ValueError),
        Case(dict(value=_chapter_map(np.float32), ksize=[2, 2, 2, 1], strides=[1, 1, 1, 1], padding="VALID"),
             "ksize [2, 2, 2, 1] pools over the batch", raises=ValueError),
        Case(dict(value=_chapter_map(np.float32), ksize=4, strides=1, padding="VALID"),
             "a VALID 4x4 window on a 3x3 map", raises=ValueError),
    ]


def max_pool_hidden(g):
    image = g.integers(0, 256, size=(1, 6, 7, 3)).astype(np.uint8)
    cases = [
        Case(dict(value=np.full((1, 1, 1, 1), 7, np.int64), ksize=1, strides=1, padding="VALID"),
             "a 1x1 map, 1x1 window"),
        Case(dict(value=np.full((1, 3, 4, 2), -2.5, np.float32), ksize=2, strides=1, padding="SAME"),
             "every value tied (and negative), SAME"),
        Case(dict(value=feature_map(g, (1, 7, 7, 1), np.float32), ksize=2, strides=3, padding="VALID"),
             "stride 3 larger than the 2x2 window, VALID"),
        Case(dict(value=feature_map(g, (2, 7, 5, 2), np.int64), ksize=2, strides=3, padding="SAME"),
             "stride 3 larger than the 2x2 window, SAME"),
        Case(dict(value=feature_map(g, (1, 2, 3, 2), np.float64), ksize=5, strides=1, padding="SAME"),
             "SAME with a 5x5 window larger than the 2x3 input"),
        Case(dict(value=feature_map(g, (2, 3, 5, 6), np.float64), ksize=3, strides=2, padding="SAME",
                  data_format="NCHW"),
             "NCHW float64, SAME, odd padding"),
        Case(dict(value=feature_map(g, (1, 2, 4, 4), np.int32), ksize=[2], strides=[2], padding="VALID",
                  data_format="NCHW"),
             "NCHW int32, ksize and strides as one-number lists"),
        Case(dict(value=-np.abs(feature_map(g, (1, 4, 3, 3), np.float32)) - 1, ksize=[1, 3, 2, 1],
                  strides=[1, 2, 1, 1], padding="SAME"),
             "NHWC 4-number ksize [1, 3, 2, 1], all negative, SAME"),
        Case(dict(value=image, ksize=2, strides=2, padding="SAME"), "an 8-bit (uint8) RGB image patch, SAME"),
        Case(dict(value=feature_map(g, (3, 3, 3, 1), np.float32), ksize=(3, 1), strides=(1, 3), padding="VALID"),
             "a batch of 3, a 3x1 window, strides (1, 3)"),
        Case(dict(value=feature_map(g, (1, 6, 6, 2), np.float32), ksize=3, strides=2, padding="SAME",
                  data_format="NHWC"),
             "3x3 windows, stride 2, SAME: one padded row and column after"),
        Case(dict(value=feature_map(g, (1, 3, 3, 1), np.float32), ksize=2, strides=2, padding="Valid"),
             "padding='Valid' (only 'VALID' and 'SAME' in capitals)", raises=ValueError),
    ]
    cases += error_cases(g, np.float32)
    cases += [random_case(g, "max", i) for i in range(24)]
    return cases


def avg_pool_visible():
    g = rng(4)
    return [
        Case(dict(value=_chapter_map(np.float32), ksize=[1, 2, 2, 1], strides=[1, 1, 1, 1], padding="VALID"),
             "the chapter's 3x3 map (float32), TF 1.x style ksize and strides"),
        Case(dict(value=feature_map(g, (2, 4, 4, 2), np.float64), ksize=2, strides=2, padding="VALID"),
             "a batch of 2 maps with 2 channels, non-overlapping 2x2 windows"),
        Case(dict(value=np.ones((1, 4, 4, 1), np.float64), ksize=3, strides=1, padding="SAME"),
             "SAME average of ones: padding is not counted, so every output is 1.0"),
        Case(dict(value=feature_map(g, (1, 5, 5, 2), np.float32), ksize=2, strides=2, padding="SAME"),
             "SAME on a 5x5 map: the odd padded row and column go after (bottom, right)"),
        Case(dict(value=feature_map(g, (2, 3, 4, 4), np.float32), ksize=(2, 2), strides=(2, 1), padding="VALID",
                  data_format="NCHW"),
             "NCHW (channels first), window (2, 2), strides (2, 1)"),
        Case(dict(value=_chapter_map(np.int32), ksize=2, strides=1, padding="VALID"),
             "an int32 tensor: TensorFlow cannot average integers", raises=ValueError),
        Case(dict(value=_chapter_map(np.float32), ksize=2, strides=1, padding="valid"),
             "padding='valid' in lower case: TensorFlow accepts only 'SAME' and 'VALID'", raises=ValueError),
    ]


def avg_pool_hidden(g):
    cases = [
        Case(dict(value=np.full((1, 1, 1, 1), 2.5), ksize=1, strides=1, padding="SAME"), "a 1x1 map"),
        Case(dict(value=-np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1), ksize=2, strides=2,
                  padding="SAME"),
             "all-negative values, SAME: the corner window holds one real cell"),
        Case(dict(value=feature_map(g, (1, 2, 3, 2), np.float64), ksize=[1, 5, 4, 1], strides=[1, 1, 1, 1],
                  padding="SAME"),
             "SAME with a 5x4 window larger than the 2x3 input"),
        Case(dict(value=feature_map(g, (1, 7, 7, 1), np.float32, ties=False), ksize=2, strides=3,
                  padding="VALID"),
             "stride 3 larger than the 2x2 window, VALID"),
        Case(dict(value=feature_map(g, (2, 8, 5, 3), np.float64, ties=False), ksize=3, strides=(3, 2),
                  padding="SAME"),
             "3x3 windows, strides (3, 2), SAME"),
        Case(dict(value=feature_map(g, (2, 2, 5, 6), np.float64), ksize=[1, 1, 3, 2], strides=[1, 1, 2, 2],
                  padding="SAME", data_format="NCHW"),
             "NCHW float64, 4-number ksize in NCHW order, SAME"),
        Case(dict(value=feature_map(g, (3, 4, 4, 1), np.float32), ksize=4, strides=4, padding="VALID"),
             "a batch of 3, the window is the whole map"),
        Case(dict(value=feature_map(g, (1, 6, 6, 1), np.float64, ties=False), ksize=3, strides=2, padding="SAME"),
             "3x3 windows, stride 2, SAME: one padded row and column after"),
        Case(dict(value=np.arange(16, dtype=np.int64).reshape(1, 4, 4, 1), ksize=2, strides=2, padding="SAME"),
             "an int64 tensor: TensorFlow cannot average integers", raises=ValueError),
        Case(dict(value=feature_map(g, (1, 3, 3, 1), np.float32), ksize=2, strides=2, padding="Same"),
             "padding='Same' (only 'VALID' and 'SAME' in capitals)", raises=ValueError),
        Case(dict(value=feature_map(g, (2, 2, 2, 1), np.float64), ksize=[2, 2, 2, 1], strides=1, padding="VALID"),
             "ksize [2, 2, 2, 1] pools over the batch", raises=ValueError),
        Case(dict(value=feature_map(g, (2, 3, 4, 6), np.float32, ties=False), ksize=[2], strides=[2],
                  padding="SAME", data_format="NCHW"),
             "NCHW float32, ksize and strides as one-number lists, SAME"),
    ]
    cases += error_cases(g, np.float64)
    cases += [random_case(g, "avg", i) for i in range(24)]
    return cases


_SIGNATURE = "(value, ksize, strides, padding, data_format='NHWC')"

register(Exercise(
    name="max_pool",
    function="max_pool",
    signature=_SIGNATURE,
    notebook=NOTEBOOK,
    points={"visible": 3, "hidden": 4},
    visible_cases=max_pool_visible,
    hidden_cases=max_pool_hidden,
    reference=max_pool_reference,
    reference_op="tf.nn.max_pool",
    covers="the chapter's example in TF 1.x form, batches and channels, SAME with odd padding, "
           "all-negative values, NCHW, a rectangular window, and three arguments TensorFlow rejects",
    hints=(
        "Work the chapter's example and the 5x5 SAME figure out by hand first: which cells does each output's "
        "window cover, and how many padded rows and columns does SAME add on each side? The sections *`ksize` and "
        "`strides`* and *Where TensorFlow puts the padded cells* have the rules.",
        "Bring every call to one form: `ksize` and `strides` as `(rows, cols)` pairs, the tensor in NHWC "
        "(transpose an NCHW input, pool, transpose back). Each output is then the max over one window of **real** "
        "cells: it starts at `i * stride` minus the cells padded before and is clipped to the input, so padding "
        "never takes part. `avg_pool` needs all of this too: write it once, in the helpers cell.",
        "Along an axis of `n` cells: VALID has `(n - k) // s + 1` outputs; SAME has `-(-n // s)` and pads "
        "`max((out - 1) * s + k - n, 0) // 2` cells before. `x[:, r0:r1, c0:c1, :].max(axis=(1, 2))` pools every "
        "example and channel at once; make the output with `np.empty(shape, dtype=x.dtype)` (`np.zeros(shape)` "
        "is float64).",
    ),
    explain=explain,
))

register(Exercise(
    name="avg_pool",
    function="avg_pool",
    signature=_SIGNATURE,
    notebook=NOTEBOOK,
    points={"visible": 3, "hidden": 4},
    visible_cases=avg_pool_visible,
    hidden_cases=avg_pool_hidden,
    reference=avg_pool_reference,
    reference_op="tf.nn.avg_pool",
    covers="the chapter's example, batches and channels, SAME averages that do not count padding, "
           "odd SAME padding, NCHW, and the integer and lower-case padding errors",
    hints=(
        "Compare the two averages printed in *A SAME average divides by the real cells*: which cells does "
        "TensorFlow count in a window that covers padding? And what does it say to an int32 tensor "
        "(*Integer tensors*)?",
        "Everything but the reduction is `max_pool`'s: the same arguments, windows and output shape, so call the "
        "same helpers. With windows clipped to the input, a mean divides by the number of real cells by itself; "
        "if you pad instead, pad a map of ones the same way and divide each window's sum by the sum of its ones.",
        "`np.issubdtype(value.dtype, np.floating)` tells floats from integers. "
        "`x[:, r0:r1, c0:c1, :].mean(axis=(1, 2))` of a float32 array is float32: store it in an output made with "
        "the input's dtype.",
    ),
    explain=explain,
))
