"""Exercises of ``06-fast-pooling``: notebook 03's pooling, vectorised.

* ``max_pool_fast(value, ksize, strides, padding, data_format="NHWC")`` and
* ``avg_pool_fast(value, ksize, strides, padding, data_format="NHWC")``:

``max_pool`` and ``avg_pool`` of notebook 03 again (same signature, same TensorFlow semantics:
see :mod:`autograder.chapter.tf_max_pool`, whose rules, case generators, references and
``explain`` this module reuses), now with no Python loop over output elements. A loop over the
``kh * kw`` window offsets is allowed: it runs a handful of times whatever the input size.

Graded twice:

* correctness, against ``tf.nn.max_pool`` / ``tf.nn.avg_pool`` (through
  :func:`autograder.references.tf_pool`), on seeded cases built like notebook 03's (new seeds,
  plus cases aimed at the mistakes vectorising invites: windows that do not tile the input,
  strides larger than the window, SAME padding of all-negative and integer maps, NCHW);
* speed, with each check once its cases are correct (:class:`autograder.registry.Speed`): the
  learner's function must be at least ``MIN_RATIO`` times faster than :func:`max_pool_loop` /
  :func:`avg_pool_loop`, both timed in the same process, 5 runs each, interleaved, best against
  best; the visible check times a small input (:func:`small_speed_input`), so a loop fails before
  submission, the hidden check a larger one (:func:`speed_input`). A ratio, never an absolute
  time, so a slow or busy machine slows both sides alike.

Choice of the speed inputs, measured on a shared 2-core AMD EPYC without AVX-512 (numpy 2.4),
float32 NHWC maps of 8 channels, 2x2 windows, strides 2, VALID:

=============================  ==================  ==================
                               (1, 48, 48, 8)      (1, 64, 64, 8)
=============================  ==================  ==================
max loop baseline              36 ms               62 ms
average loop baseline          87 ms               152 ms
slowest correct numpy way      about 70x           about 90x
notebook 03's row/column loop  about 9x            about 10x
a loop over every element      about 1.5x          about 1.5x
=============================  ==================  ==================

The slowest correct ways are ``sliding_window_view(...).max`` on a padded copy and a summed-area
table; ``np.maximum`` over the 4 window offsets is about 500x. So the threshold of 20x leaves a
margin of 3x or more on each side. Few channels and one image keep the 03-style loop slow: its
cost grows with H' * W', the baseline's with N * H' * W' * C.
"""
from __future__ import annotations

import numpy as np

from ..cases import Case, feature_map, rng
from ..registry import Exercise, Speed, register
from ..geometry import output_length, tf_window
from .tf_max_pool import avg_pool_reference, error_cases, explain, max_pool_reference, random_case

NOTEBOOK = "06-fast-pooling"
MIN_RATIO = 20
SPEED_SHAPE = (1, 64, 64, 8)  # the hidden check's input
SMALL_SPEED_SHAPE = (1, 48, 48, 8)  # the visible check's


# ----------------------------------------------------------------------------- speed
def _speed_kwargs(shape, seed) -> dict:
    return dict(value=feature_map(rng(seed), shape, np.float32, ties=False), ksize=2, strides=2, padding="VALID")


def speed_input() -> dict:
    """The fixed input the hidden check times both sides on (keyword arguments).

    ``value``: float32, shape (1, 64, 64, 8) (NHWC), seeded normal values; 2x2 windows,
    strides 2, VALID: the output is (1, 32, 32, 8), 8192 values.
    """
    return _speed_kwargs(SPEED_SHAPE, 6006)


def small_speed_input() -> dict:
    """The visible check's speed input: like :func:`speed_input`, of shape (1, 48, 48, 8)."""
    return _speed_kwargs(SMALL_SPEED_SHAPE, 6060)


def _loop(value, ksize, strides, padding, data_format, reduce):
    if padding != "VALID" or data_format != "NHWC":
        raise NotImplementedError("the speed baseline handles VALID padding and NHWC only (the speed input)")
    (kh, kw), (sh, sw) = tf_window(ksize), tf_window(strides, name="strides")
    batch, height, width, channels = value.shape
    out_h, out_w = output_length(height, kh, sh), output_length(width, kw, sw)
    out = np.zeros((batch, out_h, out_w, channels), dtype=value.dtype)
    for n in range(batch):
        for i in range(out_h):
            for j in range(out_w):
                for c in range(channels):
                    out[n, i, j, c] = reduce(value[n, i * sh:i * sh + kh, j * sw:j * sw + kw, c])
    return out


def max_pool_loop(value, ksize, strides, padding, data_format="NHWC"):
    """The speed baseline of ``max_pool_fast``: a naive loop over every output element.

    Handles only what :func:`speed_input` needs: VALID padding, NHWC, a float input. SAME or
    NCHW raise ``NotImplementedError``, and nothing is validated: this is a stopwatch, not a
    solution of notebook 03. Shapes: value (N, H, W, C) -> (N, H', W', C),
    H' = (H - kh) // sh + 1 (W' likewise); one ``np.max`` call per output element.
    """
    return _loop(value, ksize, strides, padding, data_format, np.max)


def avg_pool_loop(value, ksize, strides, padding, data_format="NHWC"):
    """The speed baseline of ``avg_pool_fast``: like :func:`max_pool_loop`, with ``np.mean``."""
    return _loop(value, ksize, strides, padding, data_format, np.mean)


# ----------------------------------------------------------------------------- cases
def _chapter_map(dtype):
    return np.arange(1, 10, dtype=dtype).reshape(1, 3, 3, 1)


def max_pool_fast_visible():
    g = rng(6)
    neg = -np.arange(1, 19, dtype=np.int32).reshape(1, 3, 3, 2)
    return [
        Case(dict(value=_chapter_map(np.int64), ksize=[1, 2, 2, 1], strides=[1, 1, 1, 1], padding="VALID"),
             "the chapter's 3x3 map as a [1, 3, 3, 1] tensor: overlapping 2x2 windows, stride 1"),
        Case(dict(value=feature_map(g, (2, 4, 6, 3), np.float32), ksize=2, strides=2, padding="VALID"),
             "2x2 windows, strides 2 that tile a 4x6 map exactly"),
        Case(dict(value=feature_map(g, (1, 5, 7, 2), np.float32), ksize=2, strides=2, padding="VALID"),
             "2x2 windows, strides 2 on a 5x7 map: VALID drops the last row and column"),
        Case(dict(value=neg, ksize=2, strides=2, padding="SAME"),
             "all-negative int32 values with SAME: a padded cell never wins"),
        Case(dict(value=feature_map(g, (2, 3, 6, 5), np.float32), ksize=[1, 1, 3, 3], strides=[1, 1, 2, 2],
                  padding="SAME", data_format="NCHW"),
             "NCHW, 3x3 windows, strides 2, SAME: overlapping windows, one padded row and column"),
        Case(dict(value=feature_map(g, (1, 4, 7, 2), np.float64), ksize=(2, 3), strides=(1, 2), padding="VALID"),
             "a rectangular 2x3 window, strides (1, 2), float64"),
        Case(dict(value=_chapter_map(np.float32), ksize=2, strides=1, padding="same"),
             "padding='same' in lower case: TensorFlow accepts only 'SAME' and 'VALID'", raises=ValueError),
        Case(dict(value=_chapter_map(np.float32), ksize=4, strides=1, padding="VALID"),
             "a VALID 4x4 window on a 3x3 map", raises=ValueError),
    ]


def max_pool_fast_hidden(g):
    image = g.integers(0, 256, size=(2, 7, 9, 3)).astype(np.uint8)
    cases = [
        Case(dict(value=np.full((1, 1, 1, 1), 7, np.int64), ksize=1, strides=1, padding="VALID"),
             "a 1x1 map, 1x1 window"),
        Case(dict(value=feature_map(g, (1, 8, 8, 2), np.float32), ksize=3, strides=3, padding="VALID"),
             "3x3 windows, strides 3 on an 8x8 map: the windows tile 6 of the 8 rows and columns"),
        Case(dict(value=feature_map(g, (1, 7, 8, 1), np.float32), ksize=2, strides=3, padding="VALID"),
             "stride 3 larger than the 2x2 window, VALID: some cells are in no window"),
        Case(dict(value=feature_map(g, (2, 7, 5, 2), np.int64), ksize=2, strides=3, padding="SAME"),
             "stride 3 larger than the 2x2 window, SAME"),
        Case(dict(value=-np.abs(feature_map(g, (1, 5, 6, 3), np.int64)) - 1, ksize=3, strides=1, padding="SAME"),
             "all-negative int64 values, 3x3 windows, stride 1, SAME: padding on every side"),
        Case(dict(value=image, ksize=3, strides=2, padding="SAME"),
             "an 8-bit (uint8) image batch, 3x3 windows, strides 2, SAME: no -inf for integers"),
        Case(dict(value=feature_map(g, (1, 2, 3, 2), np.float64), ksize=5, strides=1, padding="SAME"),
             "SAME with a 5x5 window larger than the 2x3 input"),
        Case(dict(value=feature_map(g, (2, 17, 19, 5), np.float32, ties=False), ksize=3, strides=2,
                  padding="SAME"),
             "a 17x19 map, 3x3 windows, strides 2, SAME"),
        Case(dict(value=feature_map(g, (2, 4, 9, 7), np.float64), ksize=[1, 1, 3, 2], strides=[1, 1, 2, 3],
                  padding="SAME", data_format="NCHW"),
             "NCHW float64 (channels first, not float32), window (3, 2), strides (2, 3), SAME"),
        Case(dict(value=feature_map(g, (1, 3, 8, 8), np.int32), ksize=[4], strides=[4], padding="VALID",
                  data_format="NCHW"),
             "NCHW int32, 4x4 windows that tile an 8x8 map"),
        Case(dict(value=-np.abs(feature_map(g, (1, 4, 3, 3), np.float32)) - 1, ksize=[1, 3, 2, 1],
                  strides=[1, 2, 1, 1], padding="SAME"),
             "NHWC 4-number ksize [1, 3, 2, 1], all negative, SAME"),
        Case(dict(value=feature_map(g, (1, 3, 3, 1), np.float32), ksize=2, strides=2, padding="Valid"),
             "padding='Valid' (only 'VALID' and 'SAME' in capitals)", raises=ValueError),
    ]
    cases += error_cases(g, np.float32)
    cases += [random_case(g, "max", i) for i in range(24)]
    return cases


def avg_pool_fast_visible():
    g = rng(7)
    return [
        Case(dict(value=_chapter_map(np.float32), ksize=[1, 2, 2, 1], strides=[1, 1, 1, 1], padding="VALID"),
             "the chapter's 3x3 map (float32): overlapping 2x2 windows, stride 1"),
        Case(dict(value=feature_map(g, (2, 4, 4, 2), np.float64), ksize=2, strides=2, padding="VALID"),
             "2x2 windows, strides 2 that tile a 4x4 map exactly"),
        Case(dict(value=np.ones((1, 4, 5, 1), np.float64), ksize=3, strides=1, padding="SAME"),
             "SAME average of ones: padding is not counted, so every output is 1.0"),
        Case(dict(value=feature_map(g, (1, 5, 5, 2), np.float32), ksize=2, strides=2, padding="SAME"),
             "SAME on a 5x5 map: the odd padded row and column go after (bottom, right)"),
        Case(dict(value=feature_map(g, (2, 3, 5, 4), np.float32), ksize=(2, 2), strides=(2, 1), padding="VALID",
                  data_format="NCHW"),
             "NCHW, window (2, 2), strides (2, 1) on a 5x4 map: the last row is in no window"),
        Case(dict(value=_chapter_map(np.int32), ksize=2, strides=1, padding="VALID"),
             "an int32 tensor: TensorFlow cannot average integers", raises=ValueError),
        Case(dict(value=_chapter_map(np.float32), ksize=2, strides=1, padding="valid"),
             "padding='valid' in lower case: TensorFlow accepts only 'SAME' and 'VALID'", raises=ValueError),
    ]


def avg_pool_fast_hidden(g):
    cases = [
        Case(dict(value=np.full((1, 1, 1, 1), 2.5), ksize=1, strides=1, padding="SAME"), "a 1x1 map"),
        Case(dict(value=-np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1), ksize=2, strides=2,
                  padding="SAME"),
             "all-negative values, SAME: the corner window holds one real cell"),
        Case(dict(value=feature_map(g, (1, 8, 8, 2), np.float64, ties=False), ksize=3, strides=3, padding="VALID"),
             "3x3 windows, strides 3 on an 8x8 map: the windows tile 6 of the 8 rows and columns"),
        Case(dict(value=feature_map(g, (1, 7, 7, 1), np.float32, ties=False), ksize=2, strides=3,
                  padding="VALID"),
             "stride 3 larger than the 2x2 window, VALID"),
        Case(dict(value=np.ones((2, 6, 7, 3), np.float32), ksize=3, strides=2, padding="SAME"),
             "SAME average of ones, 3x3 windows, strides 2: every output is 1.0"),
        Case(dict(value=feature_map(g, (1, 2, 3, 2), np.float64), ksize=[1, 5, 4, 1], strides=[1, 1, 1, 1],
                  padding="SAME"),
             "SAME with a 5x4 window larger than the 2x3 input"),
        Case(dict(value=feature_map(g, (2, 17, 19, 5), np.float32, ties=False), ksize=3, strides=2,
                  padding="SAME"),
             "a 17x19 map, 3x3 windows, strides 2, SAME"),
        Case(dict(value=feature_map(g, (2, 2, 9, 6), np.float64), ksize=[1, 1, 3, 2], strides=[1, 1, 2, 3],
                  padding="SAME", data_format="NCHW"),
             "NCHW float64, window (3, 2), strides (2, 3), SAME"),
        Case(dict(value=feature_map(g, (3, 4, 4, 1), np.float32), ksize=4, strides=4, padding="VALID"),
             "a batch of 3, the window is the whole map"),
        Case(dict(value=np.arange(16, dtype=np.int64).reshape(1, 4, 4, 1), ksize=2, strides=2, padding="SAME"),
             "an int64 tensor: TensorFlow cannot average integers", raises=ValueError),
        Case(dict(value=feature_map(g, (1, 3, 3, 1), np.float32), ksize=2, strides=2, padding="Same"),
             "padding='Same' (only 'VALID' and 'SAME' in capitals)", raises=ValueError),
        Case(dict(value=feature_map(g, (1, 2, 6, 6), np.float32, ties=False), ksize=[3], strides=[3],
                  padding="VALID", data_format="NCHW"),
             "NCHW float32, ksize and strides as one-number lists: 3x3 windows that tile a 6x6 map"),
    ]
    cases += error_cases(g, np.float64)
    cases += [random_case(g, "avg", i) for i in range(24)]
    return cases


# ----------------------------------------------------------------------------- registry
_SIGNATURE = "(value, ksize, strides, padding, data_format='NHWC')"

register(Exercise(
    name="max_pool_fast",
    function="max_pool_fast",
    signature=_SIGNATURE,
    notebook=NOTEBOOK,
    points={"visible": 2, "hidden": 4},
    visible_cases=max_pool_fast_visible,
    hidden_cases=max_pool_fast_hidden,
    reference=max_pool_reference,
    reference_op="tf.nn.max_pool",
    covers="the chapter's overlapping windows, windows that tile the map and windows that do not, SAME on "
           "all-negative integers, NCHW with overlapping windows, a rectangular window, and two ValueErrors; "
           f"then speed on small_speed_input(): at least {MIN_RATIO}x faster than max_pool_loop",
    hints=(
        "Start from your notebook 03 `max_pool`: keep its argument checks and output size (write them once, in "
        "your helpers cell, for both exercises) and replace only the loop over output cells. Which loop does "
        "this notebook say is fine to keep?",
        "Loop over the `kh * kw` window offsets instead of the outputs: for one offset, the cell at that offset "
        "of every window is one strided slice of the input, and the element-wise maximum of those slices is the "
        "pooled output. Work in one layout (transpose NCHW to NHWC and back), or pool the axes where they are.",
        "SAME: padding must never win a max. Pad a copy with the lowest value of the dtype, never with zeros, "
        "or shorten each offset's slice to the windows where its cell is real. Keep the input's dtype, and never "
        "write into the input.",
        "Output lengths as in notebook 03 (VALID `(n - k) // s + 1`, SAME `-(-n // s)`). For offset `(a, b)`: "
        "`x[:, a:a + (H' - 1) * sh + 1:sh, b:b + (W' - 1) * sw + 1:sw, :]`; `out = ` the first slice `.copy()`, "
        "then `np.maximum(out, next_slice, out=out)`. Padding value: `-np.inf` for floats, `np.iinfo(dtype).min` "
        "for integers. Or `sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::sh, ::sw].max(axis=(-2, -1))` on "
        "the padded copy.",
    ),
    explain=explain,
    speed=Speed(baseline="autograder.chapter.fast_pooling:max_pool_loop", case=speed_input, visible_case=small_speed_input,
                min_ratio=MIN_RATIO, repeats=5),
))

register(Exercise(
    name="avg_pool_fast",
    function="avg_pool_fast",
    signature=_SIGNATURE,
    notebook=NOTEBOOK,
    points={"visible": 2, "hidden": 4},
    visible_cases=avg_pool_fast_visible,
    hidden_cases=avg_pool_fast_hidden,
    reference=avg_pool_reference,
    reference_op="tf.nn.avg_pool",
    covers="the chapter's overlapping windows, tiling windows, SAME averages that do not count padding, odd "
           "SAME padding, NCHW with a row in no window, and the integer and lower-case padding errors; then "
           f"speed on small_speed_input(): at least {MIN_RATIO}x faster than avg_pool_loop",
    hints=(
        "The same windows, checks and output size as `max_pool_fast`: call the same helpers. What changes is "
        "the reduction, what a SAME window divides by, and which dtypes TensorFlow averages at all.",
        "Reject integer inputs first. Sum the offsets' slices instead of taking their maximum (zero padding is "
        "harmless in a sum), then divide each sum by the number of real cells in its window, in the input's "
        "float dtype.",
        "`np.issubdtype(value.dtype, np.floating)`; `np.add` over the offsets' slices. The real cells of window "
        "`(i, j)` are (real rows of window `i`) x (real columns of window `j`): `np.multiply.outer(rows, cols)`; "
        "or pad `np.ones((H, W))` like the input and sum its windows too. float32 sums divided by a float32 or "
        "int count stay float32; a float64 copy of the input would not.",
    ),
    explain=explain,
    speed=Speed(baseline="autograder.chapter.fast_pooling:avg_pool_loop", case=speed_input, visible_case=small_speed_input,
                min_ratio=MIN_RATIO, repeats=5),
))
