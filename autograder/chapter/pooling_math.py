"""Exercises of ``02-pooling-math``: pooling a 2-D feature map by hand.

* ``pool2d(feature_map, pool_size, stride, mode="max")``: VALID max or average pooling of a 2-D
  array, checked against ``tf.nn.max_pool2d`` / ``tf.nn.avg_pool2d`` on the map seen as a
  ``[1, H, W, 1]`` tensor.
* ``pool_output_length(input_length, pool_size, stride, padding="valid")``: the output length,
  checked against the shape ``tf.nn.max_pool1d`` really produces.

Dtype rule for ``pool2d`` (stated in the notebook): max pooling returns the input's dtype;
average pooling returns the input's dtype when it is a float, else float64 (TensorFlow cannot
average integers, so the reference averages the float64 copy).
"""
from __future__ import annotations

import numpy as np

from .. import references
from ..geometry import normalize_tuple, window
from ..cases import Case, feature_map, rng
from ..registry import Exercise, register

NOTEBOOK = "02-pooling-math"
DTYPES = (np.int32, np.int64, np.float32, np.float64)


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
    return (f"output[{i}, {j}] comes from the window feature_map[{rows.start}:{rows.stop}, "
            f"{cols.start}:{cols.stop}] = {values}")


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
    ]
    for _ in range(24):
        h, w = (int(v) for v in g.integers(1, 9, size=2))
        kh, kw = int(g.integers(1, h + 1)), int(g.integers(1, w + 1))
        sh, sw = (int(v) for v in g.integers(1, 4, size=2))
        pool_size = kh if kh == kw and g.random() < 0.7 else (kh, kw)
        stride = sh if sh == sw and g.random() < 0.7 else (sh, sw)
        mode = str(g.choice(["max", "avg"]))
        dtype = DTYPES[int(g.integers(len(DTYPES)))]
        x = feature_map(g, (h, w), dtype, ties=g.random() < 0.7)
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
        "Turn `pool_size` and `stride` into pairs first: `kh, kw = (pool_size, pool_size) if np.isscalar(pool_size) else pool_size`.",
        "Compute `H'` and `W'` with the formula, make the output with `np.empty((H', W'), dtype=...)`, and fill it in two nested loops.",
        "`np.zeros((H', W'))` makes a *float64* array: an integer map would come back as floats.",
        "The window of output cell `(i, j)` starts at row `i * sh` and column `j * sw`.",
    ),
    explain=_pool2d_explain,
))


# ----------------------------------------------------------------------------- pool_output_length
def pool_output_length_reference(input_length, pool_size, stride, padding="valid", *, device_name=None):
    """The length ``tf.nn.max_pool1d`` really outputs."""
    return references.pool_output_length(input_length, pool_size, stride, padding, device_name=device_name)


def pool_output_length_visible():
    return [
        Case(dict(input_length=28, pool_size=2, stride=2), "a 28-pixel MNIST row, 2-wide windows, stride 2"),
        Case(dict(input_length=26, pool_size=2, stride=2, padding="valid"), "the chapter's 26-wide feature map"),
        Case(dict(input_length=3, pool_size=2, stride=1, padding="valid"), "the chapter's 3x3 example"),
        Case(dict(input_length=5, pool_size=2, stride=2, padding="same"), "SAME keeps the odd last cell"),
        Case(dict(input_length=7, pool_size=3, stride=2, padding="SAME"), "padding written in capitals"),
        Case(dict(input_length=10, pool_size=3, stride=3, padding="VALID"), "VALID in capitals drops the last cell"),
    ]


def pool_output_length_hidden(g):
    cases = [
        Case(dict(input_length=4, pool_size=7, stride=1, padding="same"), "SAME with a window larger than the input"),
        Case(dict(input_length=1, pool_size=1, stride=5, padding="valid"), "a single cell, stride 5"),
        Case(dict(input_length=9, pool_size=9, stride=2, padding="Valid"), "the window is the whole input"),
    ]
    spellings = {"valid": ("valid", "VALID", "Valid"), "same": ("same", "SAME", "Same")}
    for _ in range(30):
        length = int(g.integers(1, 65))
        pad = str(g.choice(["valid", "same"]))
        high = min(length, 8) if pad == "valid" else 10
        k = int(g.integers(1, high + 1))
        s = int(g.integers(1, 6))
        spelled = str(g.choice(spellings[pad]))
        cases.append(Case(dict(input_length=length, pool_size=k, stride=s, padding=spelled),
                          f"random {pad.upper()} case: {length} cells, window {k}, stride {s}"))
    return cases


register(Exercise(
    name="pool_output_length",
    function="pool_output_length",
    signature="(input_length, pool_size, stride, padding='valid')",
    notebook=NOTEBOOK,
    points={"visible": 1, "hidden": 2},
    visible_cases=pool_output_length_visible,
    hidden_cases=pool_output_length_hidden,
    reference=pool_output_length_reference,
    reference_op="tf.nn.max_pool1d (output shape)",
    covers="VALID and SAME, padding in either case, the chapter's 26-wide map",
    hints=(
        "Normalise first: `padding = padding.lower()`.",
        "SAME: how many multiples of `s` are smaller than `L`? That is $\\lceil L / s \\rceil$, which is `-(-L // s)` in integer arithmetic (no floats, no `math.ceil` rounding surprises).",
        "Return a Python `int` (or a numpy integer), not a float such as `13.0`.",
    ),
))
