"""Exercises of ``02-pooling-math``: pooling a 2-D feature map by hand, and what pooling never reads.

* ``pool2d(feature_map, pool_size, stride, mode="max")``: VALID max or average pooling of a 2-D
  array, checked against ``tf.nn.max_pool2d`` / ``tf.nn.avg_pool2d`` on the map seen as a
  ``[1, H, W, 1]`` tensor.
* ``uncovered_cells(input_length, pool_size, stride, padding="valid")``: the input cells along one
  axis that no pooling window reads, checked against the zeros of the gradient of
  ``tf.reduce_sum(tf.nn.avg_pool1d(x))`` (:func:`autograder.references.uncovered_cells`).

Dtype rule for ``pool2d`` (stated in the notebook): max pooling returns the input's dtype;
average pooling returns the input's dtype when it is a float (float16 included), else float64
(TensorFlow cannot average integers, so the reference averages the float64 copy). The hidden
cases hold float16, int8, int16 and uint8 maps by name, so every secret checks the rule for them.

float16 maps are drawn on a grid of quarter steps in [-4, 4] (``feature_map(..., ties=True)``):
their window sums are exact in float16, so TensorFlow's float16 average agrees with the exact
mean within :func:`autograder.compare.tolerance`. Found by experiment (TF 2.21, CPU): on maps of
normally distributed float16 values it does not always (TensorFlow's float16 kernel is off the
exact mean by more than one unit in the last place on about one map in a hundred, more with large
values), so such maps are never drawn.
"""
from __future__ import annotations

import numpy as np

from .. import references
from ..geometry import normalize_tuple, window
from ..cases import Case, feature_map, rng
from ..i18n import tr
from ..registry import Exercise, register

NOTEBOOK = "02-pooling-math"
DTYPES = (np.int32, np.int64, np.float32, np.float64, np.int8, np.int16, np.float16)


# ----------------------------------------------------------------------------- pool2d
def pool2d_reference(feature_map, pool_size, stride, mode="max", *, device_name=None):
    """TensorFlow's VALID 2-D pooling of one single-channel map. Shapes: (H, W) -> (H', W')."""
    x = np.asarray(feature_map)
    if mode == "avg" and not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    out = references.tf_pool(
        x[None, :, :, None], normalize_tuple(pool_size, 2, "pool_size"),
        normalize_tuple(stride, 2, "stride"), "VALID", mode, "NHWC", device_name=device_name,
    )
    return out[0, :, :, 0]


def _pool2d_explain(case: Case, index: tuple) -> str:
    x = case.kwargs["feature_map"]
    kh, kw = normalize_tuple(case.kwargs["pool_size"], 2, "pool_size")
    sh, sw = normalize_tuple(case.kwargs["stride"], 2, "stride")
    i, j = index
    rows, cols = window(i, x.shape[0], kh, sh), window(j, x.shape[1], kw, sw)
    values = " ".join(np.array2string(x[rows.start:rows.stop, cols.start:cols.stop], separator=", ").split())
    return tr("output[{i}, {j}] comes from the window feature_map[{r0}:{r1}, {c0}:{c1}] = {values}",
              i=i, j=j, r0=rows.start, r1=rows.stop, c0=cols.start, c1=cols.stop, values=values)


def _chapter_map():
    return np.arange(1, 10).reshape(3, 3)  # the chapter's 3x3 map: max-pools to [[5, 6], [8, 9]]


def pool2d_visible():
    g = rng(2)
    return [
        Case(dict(feature_map=_chapter_map(), pool_size=2, stride=1),
             "the chapter's 3x3 map, 2x2 window, stride 1, default mode"),
        Case(dict(feature_map=_chapter_map(), pool_size=2, stride=1, mode="avg"),
             "the chapter's map, average pooling"),
        Case(dict(feature_map=feature_map(g, (4, 4), np.float32), pool_size=2, stride=2, mode="max"),
             "non-overlapping windows: stride = window"),
        Case(dict(feature_map=feature_map(g, (4, 6), np.int32), pool_size=(2, 3), stride=(2, 3), mode="avg"),
             "a rectangular window given as a pair"),
        Case(dict(feature_map=feature_map(g, (5, 5), np.float64), pool_size=3, stride=2, mode="max"),
             "overlapping 3x3 windows, stride 2, ties and negatives"),
        Case(dict(feature_map=_chapter_map(), pool_size=2, stride=1, mode="min"),
             "mode='min' is not a pooling mode", raises=ValueError),
        Case(dict(feature_map=_chapter_map(), pool_size=4, stride=1, mode="max"),
             "a 4x4 window does not fit in a 3x3 map", raises=ValueError),
    ]


def pool2d_hidden(g):
    cases = [
        Case(dict(feature_map=-np.arange(1, 17, dtype=np.int32).reshape(4, 4), pool_size=2, stride=2),
             "all-negative map, max pooling"),
        Case(dict(feature_map=np.full((1, 1), 7.5), pool_size=1, stride=1, mode="avg"), "a 1x1 map"),
        Case(dict(feature_map=feature_map(g, (7, 7), np.float32), pool_size=2, stride=3, mode="max"),
             "stride larger than the window"),
        Case(dict(feature_map=feature_map(g, (3, 8), np.int64), pool_size=(3, 8), stride=1, mode="avg"),
             "the window is the whole map"),
        Case(dict(feature_map=feature_map(g, (6, 2), np.float64), pool_size=(2, 1), stride=(1, 2), mode="max"),
             "a tall map, different strides per axis"),
        Case(dict(feature_map=feature_map(g, (4, 4), np.float32), pool_size=2, stride=2, mode="mean"),
             "mode='mean' is not a pooling mode", raises=ValueError),
        Case(dict(feature_map=feature_map(g, (4, 4), np.int32), pool_size=(2, 5), stride=1, mode="max"),
             "a window wider than the map", raises=ValueError),
        # The dtype rule for every dtype (issue #16): small floats and small integers, by name.
        Case(dict(feature_map=feature_map(g, (5, 6), np.float16), pool_size=(2, 3), stride=(1, 3), mode="avg"),
             "a float16 map, average pooling: float16 out"),
        Case(dict(feature_map=feature_map(g, (4, 5), np.float16), pool_size=2, stride=1, mode="max"),
             "a float16 map, max pooling"),
        Case(dict(feature_map=feature_map(g, (5, 5), np.int8), pool_size=2, stride=1, mode="avg"),
             "an int8 map, average pooling: float64 out"),
        Case(dict(feature_map=feature_map(g, (6, 4), np.int8), pool_size=(3, 2), stride=(3, 2), mode="max"),
             "an int8 map, max pooling: int8 out"),
        Case(dict(feature_map=feature_map(g, (4, 6), np.int16), pool_size=(2, 3), stride=2, mode="avg"),
             "an int16 map, average pooling: float64 out"),
        Case(dict(feature_map=g.integers(0, 256, size=(6, 6)).astype(np.uint8), pool_size=3, stride=3, mode="avg"),
             "a uint8 image patch (0 to 255), average pooling: float64 out"),
    ]
    for _ in range(24):
        h, w = (int(v) for v in g.integers(1, 9, size=2))
        kh, kw = int(g.integers(1, h + 1)), int(g.integers(1, w + 1))
        sh, sw = (int(v) for v in g.integers(1, 4, size=2))
        pool_size = kh if kh == kw and g.random() < 0.7 else (kh, kw)
        stride = sh if sh == sw and g.random() < 0.7 else (sh, sw)
        mode = str(g.choice(["max", "avg"]))
        dtype = DTYPES[int(g.integers(len(DTYPES)))]
        ties = g.random() < 0.7 or dtype == np.float16  # float16: exact window sums (module docstring)
        x = feature_map(g, (h, w), dtype, ties=ties)
        cases.append(Case(dict(feature_map=x, pool_size=pool_size, stride=stride, mode=mode),
                          f"random {h}x{w} {np.dtype(dtype).name} map, {mode} pooling, window ({kh}, {kw}), "
                          f"stride ({sh}, {sw})"))
    return cases


register(Exercise(
    name="pool2d",
    function="pool2d",
    signature="(feature_map, pool_size, stride, mode='max')",
    notebook=NOTEBOOK,
    points={"visible": 2, "hidden": 3},
    visible_cases=pool2d_visible,
    hidden_cases=pool2d_hidden,
    reference=pool2d_reference,
    reference_op="tf.nn.max_pool2d / tf.nn.avg_pool2d (VALID)",
    covers="the chapter's 3x3 example, average pooling, int and pair windows, stride = window, "
           "a bad mode and a window larger than the map",
    hints=(
        "Go back to the four pictures of the chapter's example: where does the window of output cell "
        "`(0, 1)` start, and that of `(1, 0)`? How many windows fit along each axis (notebook 01, VALID, "
        "with the window as the kernel)?",
        "Make the output first, with its final shape and dtype, then fill it in two nested loops, one "
        "output cell per window. An int `pool_size` or `stride` means the same number for both axes. Choose "
        "the dtype before the loops: `np.zeros(shape)` is float64 whatever the map, and storing a value in "
        "an array converts it to that array's dtype.",
        "`H' = (H - kh) // sh + 1` (and the same for `W'`); the window of output cell `(i, j)` is "
        "`feature_map[i*sh : i*sh + kh, j*sw : j*sw + kw]`; reduce it with `.max()` or "
        "`.mean(dtype=np.float64)` (a wide mean, then stored as the output's dtype).",
    ),
    explain=_pool2d_explain,
))


# ----------------------------------------------------------------------------- uncovered_cells
def uncovered_cells_reference(input_length, pool_size, stride, padding="valid", *, device_name=None):
    """The cells no window of ``tf.nn.avg_pool1d`` reads: the zeros of its gradient."""
    return references.uncovered_cells(input_length, pool_size, stride, padding, device_name=device_name)


def uncovered_cells_visible():
    return [
        Case(dict(input_length=26, pool_size=2, stride=2), "the chapter's 26-wide feature map, 2-wide windows, stride 2"),
        Case(dict(input_length=5, pool_size=2, stride=2, padding="valid"), "VALID drops a last cell that fills no window"),
        Case(dict(input_length=7, pool_size=2, stride=3), "a stride larger than the window skips cells"),
        Case(dict(input_length=5, pool_size=2, stride=2, padding="SAME"), "SAME (in capitals) pads the odd last cell"),
        Case(dict(input_length=3, pool_size=4, stride=1, padding="valid"), "a VALID window longer than the input",
             raises=ValueError),
        Case(dict(input_length=8, pool_size=2, stride=2, padding="full"), "padding='full' is not a padding",
             raises=ValueError),
    ]


def uncovered_cells_hidden(g):
    cases = [
        Case(dict(input_length=1, pool_size=1, stride=1), "a single cell"),
        Case(dict(input_length=6, pool_size=2, stride=2), "the last window ends exactly at the last cell"),
        Case(dict(input_length=9, pool_size=9, stride=2, padding="Valid"), "the window is the whole input"),
        Case(dict(input_length=10, pool_size=3, stride=3, padding="VALID"), "VALID, 3-wide windows: the last cell dropped"),
        Case(dict(input_length=11, pool_size=3, stride=4), "VALID, stride 4 over 3-wide windows: a gap after each"),
        Case(dict(input_length=27, pool_size=2, stride=2), "an odd 27-wide map, 2-wide windows, stride 2"),
        Case(dict(input_length=6, pool_size=3, stride=1, padding="same"), "SAME, overlapping windows"),
        Case(dict(input_length=4, pool_size=7, stride=1, padding="Same"), "SAME with a window longer than the input"),
        Case(dict(input_length=12, pool_size=1, stride=5, padding="SAME"), "SAME, a 1-wide window, stride 5"),
        Case(dict(input_length=5, pool_size=3, stride=4, padding="same"),
             "SAME, stride larger than the window: one zero before shifts the windows"),
        Case(dict(input_length=6, pool_size=3, stride=4, padding="same"),
             "SAME, stride larger than the window, an odd total of one zero"),
        Case(dict(input_length=4, pool_size=5, stride=1, padding="VALID"), "a VALID window one cell too long",
             raises=ValueError),
        Case(dict(input_length=8, pool_size=0, stride=1), "pool_size 0", raises=ValueError),
        Case(dict(input_length=8, pool_size=2, stride=0, padding="same"), "stride 0", raises=ValueError),
        Case(dict(input_length=8, pool_size=2, stride=-2), "a negative stride", raises=ValueError),
        Case(dict(input_length=8, pool_size=2, stride=2, padding="causal"), "padding='causal' is not a pooling padding",
             raises=ValueError),
    ]
    spellings = {"valid": ("valid", "VALID", "Valid"), "same": ("same", "SAME", "Same")}
    for _ in range(30):
        length = int(g.integers(1, 41))
        pad = str(g.choice(["valid", "same"]))
        k = int(g.integers(1, (min(length, 8) if pad == "valid" else 10) + 1))
        s = int(g.integers(1, 7))
        cases.append(Case(dict(input_length=length, pool_size=k, stride=s, padding=str(g.choice(spellings[pad]))),
                          f"random {pad.upper()} case: {length} cells, window {k}, stride {s}"))
    return cases


register(Exercise(
    name="uncovered_cells",
    function="uncovered_cells",
    signature="(input_length, pool_size, stride, padding='valid')",
    notebook=NOTEBOOK,
    points={"visible": 1, "hidden": 2},
    visible_cases=uncovered_cells_visible,
    hidden_cases=uncovered_cells_hidden,
    reference=uncovered_cells_reference,
    reference_op="tf.GradientTape over tf.nn.avg_pool1d",
    covers="the chapter's 26-wide map, a VALID tail, a stride larger than the window, SAME in capitals, "
           "a window longer than the input and an unknown padding",
    hints=(
        "Print `avg_pool_gradient` for the failing case and draw the windows under the cells: where does "
        "the last window end? Is there a gap between two windows?",
        "Mark the cells each window reads, then list the others in increasing order. Windows start every "
        "`stride` cells. VALID keeps only the windows that fit, so a tail after the last one can stay unread. "
        "SAME pads the input as in notebook 01, so that a window starts at every multiple of the stride "
        "inside it, shifted left by the zeros put before the input.",
        "VALID: windows `i = 0, 1, ..., (L - k) // s`, window `i` reads cells `i * s` to `i * s + k - 1`. "
        "SAME: `n = -(-L // s)` windows starting at `i * s - before`, with "
        "`before = max(0, (n - 1) * s + k - L) // 2`; keep the cells 0 to `L - 1`. Return `tuple(...)` of ints.",
    ),
))
