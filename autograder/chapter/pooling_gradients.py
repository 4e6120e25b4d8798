"""Exercises of ``05-pooling-gradients``: the backward pass of max and average pooling.

* ``max_pool_backward(upstream, value, ksize, strides, padding, data_format="NHWC")``
* ``avg_pool_backward(upstream, value_shape, ksize, strides, padding, data_format="NHWC")``

Both return dL/dx, the gradient with respect to the pooling's input, given ``upstream`` = dL/dy.
Expected values: ``tf.GradientTape`` over ``tf.nn.max_pool2d`` / ``tf.nn.avg_pool2d`` on
``tf.constant`` inputs, ``tape.gradient(y, x, output_gradients=upstream)``
(:func:`autograder.references.tf_pool_gradient`).

Argument conventions (stated in the notebook's tasks; those of ``tf.nn.max_pool2d``):

* ``value`` / ``value_shape``: 4-D, ``(N, H, W, C)`` for ``"NHWC"``, ``(N, C, H, W)`` for ``"NCHW"``;
  float32 or float64.
* ``upstream``: the pooled output's shape in the same layout, ``(N, H', W', C)`` or
  ``(N, C, H', W')``, the dtype of ``value``.
* ``ksize``, ``strides``: an int ``k`` (``k x k``), or 1, 2 or 4 numbers: ``[k]``, ``[kh, kw]``, or
  in ``data_format`` order ``[1, kh, kw, 1]`` (NHWC) / ``[1, 1, kh, kw]`` (NCHW).
* ``padding``: ``"VALID"`` (H' = (H - kh) // sh + 1) or ``"SAME"`` (H' = ceil(H / sh); padding
  total max((H' - 1) * sh + kh - H, 0), the smaller half on top/left, the rest at the bottom/right).
* Returns a new array: ``value``'s shape (``value_shape``), ``upstream``'s dtype. Inputs unchanged.
* ``ValueError`` for a padding other than ``"VALID"`` / ``"SAME"``, for an ``upstream`` whose shape
  is not the pooled output's, and for a VALID window larger than the input.

TensorFlow's rule for ties, found by experiment (TF 2.21 on the CPU; float16, float32, float64;
oneDNN on and off; NCHW, which the reference transposes to NHWC; see
``tests/test_pooling_gradients.py``): each window's whole gradient goes to its *first* maximum in
row-major order, separately for every image and channel. Cases never use a SAME average window
that TensorFlow's CPU ``AvgPoolGrad`` gets wrong (:func:`references.avg_pool_grad_unreliable`).
"""
from __future__ import annotations

import numpy as np

from .. import references
from ..geometry import output_length, tf_window, window
from ..cases import Case, feature_map, rng
from ..i18n import tr
from ..registry import Exercise, register

NOTEBOOK = "05-pooling-gradients"
DTYPES = (np.float32, np.float64)
FORMATS = ("NHWC", "NCHW")


# ----------------------------------------------------------------------------- conventions
def pooled_shape(shape, ksize, strides, padding, data_format="NHWC") -> tuple[int, ...]:
    """The pooled output's shape for a 4-D input ``shape`` (to size the cases' upstream)."""
    (kh, kw), (sh, sw) = tf_window(ksize, data_format, "ksize"), tf_window(strides, data_format, "strides")
    if data_format == "NCHW":
        n, c, h, w = shape
        return (n, c, output_length(h, kh, sh, padding), output_length(w, kw, sw, padding))
    n, h, w, c = shape
    return (n, output_length(h, kh, sh, padding), output_length(w, kw, sw, padding), c)


def _upstream(g, shape, dtype):
    """Random upstream gradients: normal, magnitude about 1 (the float32 tolerance holds there)."""
    return g.normal(0.0, 1.0, size=shape).astype(dtype)


def _explain(case: Case, index: tuple) -> str:
    """Which output cells' windows cover the first wrong input cell, and their upstream values."""
    fmt = case.kwargs.get("data_format", "NHWC")
    shape = case.kwargs["value"].shape if "value" in case.kwargs else tuple(case.kwargs["value_shape"])
    kh, kw = tf_window(case.kwargs["ksize"], fmt, "ksize")
    sh, sw = tf_window(case.kwargs["strides"], fmt, "strides")
    padding = case.kwargs["padding"]
    if fmt == "NCHW":
        n, ch, r, c = index
        height, width = shape[2:]
    else:
        n, r, c, ch = index
        height, width = shape[1:3]
    up = case.kwargs["upstream"]
    covering = []
    for i in range(output_length(height, kh, sh, padding)):
        for j in range(output_length(width, kw, sw, padding)):
            rows, cols = window(i, height, kh, sh, padding), window(j, width, kw, sw, padding)
            if rows.start <= r < rows.stop and cols.start <= c < cols.stop:
                u = up[n, ch, i, j] if fmt == "NCHW" else up[n, i, j, ch]
                covering.append(tr("({i}, {j}): upstream {u:.6g}", i=i, j=j, u=float(u)))
    cell = tr("input cell (row {r}, column {c}) of image {n}, channel {ch}", r=r, c=c, n=n, ch=ch)
    if not covering:
        return tr("{cell} lies in no window: its gradient is 0.", cell=cell)
    shown = tr("; ").join(covering[:6]) + (tr("; ") + "..." if len(covering) > 6 else "")
    return tr("{cell} lies in the windows of {count} output cell(s) (row, column): {shown}", cell=cell,
              count=len(covering), shown=shown)


# ----------------------------------------------------------------------------- cases
def _x(g, shape, dtype, ties=True):
    return feature_map(g, shape, dtype, ties=ties)


def _max_case(value, ksize, strides, padding, label, data_format=None, g=None, upstream=None, raises=None):
    fmt = data_format or "NHWC"
    if upstream is None:
        upstream = _upstream(g, pooled_shape(value.shape, ksize, strides, padding, fmt), value.dtype)
    kwargs = dict(upstream=upstream, value=value, ksize=ksize, strides=strides, padding=padding)
    if data_format is not None:
        kwargs["data_format"] = data_format
    return Case(kwargs, label, raises)


def _chapter_map(dtype=np.float32):
    return np.arange(1, 10, dtype=dtype).reshape(1, 3, 3, 1)  # the chapter's 3x3 map as NHWC


def max_pool_backward_visible():
    g = rng(5)
    centre = np.array([[1, 2, 0, 1], [3, 9, 2, 0], [1, 4, 2, 2], [0, 1, 3, 1]], np.float32)[None, :, :, None]
    ties = np.array([[2, 2, 1, 3], [2, 2, 3, 3], [0, 5, 4, 4], [5, 0, 4, 4]], np.float64)[None, :, :, None]
    return [
        _max_case(_chapter_map(), 2, 1, "VALID", "the chapter's 3x3 map, 2x2 windows, stride 1",
                  upstream=np.array([[1, 2], [3, 4]], np.float32).reshape(1, 2, 2, 1)),
        _max_case(centre, 3, 1, "VALID", "overlapping 3x3 windows that share their maximum 9", g=g),
        _max_case(ties, [2, 2], [2, 2], "VALID", "ties: windows with two or four equal maxima", g=g),
        _max_case(_x(g, (1, 4, 5, 1), np.float32), 3, 2, "SAME",
                  "SAME padding: 3x3 windows, stride 2, on a 4x5 map", g=g),
        _max_case(_x(g, (2, 3, 4, 4), np.float32), [1, 1, 2, 2], [1, 1, 1, 2], "VALID",
                  "NCHW: 2 images, 3 channels, ksize and strides given as 4 numbers", data_format="NCHW", g=g),
        _max_case(_x(g, (1, 4, 6, 2), np.float64), (2, 3), [1, 2, 2, 1], "VALID",
                  "float64, a 2x3 window, overlapping rows, 4-number strides", data_format="NHWC", g=g),
        _max_case(_chapter_map(), 2, 1, "VALID", "upstream has the input's shape, not the output's",
                  upstream=np.ones((1, 3, 3, 1), np.float32), raises=ValueError),
        _max_case(_chapter_map(), 4, 1, "VALID", "a VALID 4x4 window does not fit in a 3x3 map",
                  upstream=np.ones((1, 1, 1, 1), np.float32), raises=ValueError),
    ]


def max_pool_backward_hidden(g):
    flat = np.full((1, 4, 4, 1), 1.5, np.float32)
    negative = -np.arange(1, 26, dtype=np.float64).reshape(1, 5, 5, 1)[:, ::-1, ::-1, :].copy()
    cases = [
        _max_case(flat, 2, 1, "VALID", "a constant map: every window is one big tie", g=g),
        _max_case(flat.astype(np.float64), 3, 1, "SAME", "a constant map, SAME 3x3 windows, stride 1", g=g),
        _max_case(negative, 2, 2, "SAME", "an all-negative 5x5 map, SAME: padding is never the maximum", g=g),
        _max_case(_x(g, (1, 3, 3, 1), np.float32), 4, 1, "SAME", "SAME windows larger than the 3x3 map", g=g),
        _max_case(_x(g, (2, 5, 5, 3), np.float32), 2, 3, "VALID", "strides larger than the window: gaps get 0", g=g),
        _max_case(_x(g, (1, 2, 6, 7), np.float64), 3, 2, "SAME", "NCHW float64 with SAME padding",
                  data_format="NCHW", g=g),
        _max_case(_x(g, (2, 6, 6, 2), np.float32), [2], [2], "VALID", "non-overlapping 2x2 windows, 1-number lists", g=g),
        _max_case(_x(g, (1, 5, 5, 1), np.float32), 2, 2, "FULL", "padding 'FULL' is not VALID or SAME",
                  upstream=np.ones((1, 3, 3, 1), np.float32), raises=ValueError),
        _max_case(_x(g, (1, 3, 4, 5), np.float32), 2, 1, "VALID", "NCHW upstream given in NHWC order",
                  data_format="NCHW", upstream=np.ones((1, 3, 4, 3), np.float32), raises=ValueError),
        _max_case(_x(g, (1, 2, 8, 1), np.float64), (1, 9), 1, "VALID", "a VALID window wider than the map",
                  upstream=np.ones((1, 2, 1, 1)), raises=ValueError),
    ]
    for _ in range(20):
        cases.append(_random_case(g, "max"))
    return cases


def _random_case(g, mode):
    """A random small case of either layout, dtype and padding (kept where TF's reference is sound)."""
    fmt = FORMATS[int(g.integers(2))]
    dtype = DTYPES[int(g.integers(2))]
    padding = str(g.choice(["VALID", "SAME"]))
    while True:
        n, c = int(g.integers(1, 3)), int(g.integers(1, 4))
        h, w = (int(v) for v in g.integers(1, 8, size=2))
        top = 5 if padding == "SAME" else None
        kh, kw = int(g.integers(1, (top or h) + 1)), int(g.integers(1, (top or w) + 1))
        sh, sw = (int(v) for v in g.integers(1, 4, size=2))
        if mode == "avg" and padding == "SAME" and (
            references.avg_pool_grad_unreliable(h, kh, sh) or references.avg_pool_grad_unreliable(w, kw, sw)
        ):
            continue
        break
    ksize = kh if kh == kw and g.random() < 0.5 else [kh, kw]
    strides = sh if sh == sw and g.random() < 0.5 else (sh, sw)
    shape = (n, c, h, w) if fmt == "NCHW" else (n, h, w, c)
    label = f"random {fmt} {np.dtype(dtype).name} {h}x{w} map, {padding}, window {kh}x{kw}, strides {sh}x{sw}"
    if mode == "max":
        return _max_case(_x(g, shape, dtype, ties=g.random() < 0.7), ksize, strides, padding, label,
                         data_format=fmt, g=g)
    return _avg_case(shape, dtype, ksize, strides, padding, label, data_format=fmt, g=g)


def max_pool_backward_reference(upstream, value, ksize, strides, padding, data_format="NHWC", *, device_name=None):
    """TensorFlow's dL/dx of ``tf.nn.max_pool2d`` (``tf.GradientTape``, upstream as output_gradients)."""
    return references.tf_pool_gradient(
        value, upstream, tf_window(ksize, data_format, "ksize"), tf_window(strides, data_format, "strides"),
        padding, "max", data_format, device_name=device_name,
    )


register(Exercise(
    name="max_pool_backward",
    function="max_pool_backward",
    signature="(upstream, value, ksize, strides, padding, data_format='NHWC')",
    notebook=NOTEBOOK,
    points={"visible": 2, "hidden": 3},
    visible_cases=max_pool_backward_visible,
    hidden_cases=max_pool_backward_hidden,
    reference=max_pool_backward_reference,
    reference_op="tf.GradientTape over tf.nn.max_pool2d",
    covers="the chapter's map, overlapping windows, ties, SAME padding, NCHW, float64, 1/2/4-number "
           "ksize and strides, the two ValueErrors",
    hints=(
        "Take one window at a time: which single cell of it receives the window's upstream value, and what "
        "does a cell get when it is the maximum of two windows? The windows themselves are notebook 03's "
        "(the same `ksize` and `strides` forms, output size and SAME padding): write those pieces once, in "
        "your helpers cell.",
        "Work channels-last: for NCHW move the channel axis to the end, and back at the end. Check "
        "`upstream`'s shape before anything else, and start from a gradient of zeros in `upstream`'s dtype.",
        "For each output cell, clip its window to the map (the rest is padding, which never receives "
        "gradient), find the window's first maximum in row-major order and add the window's upstream value "
        "there: add, never assign, since windows overlap.",
        "`window.reshape(N, -1, C).argmax(axis=1)` gives each image's and channel's first maximum as a flat "
        "index into the window; `divmod(index, window_width)` turns it into a row and a column inside the "
        "window. Then `grad[...] += upstream[:, i, j, :]`; `np.zeros(value.shape, dtype=upstream.dtype)`, since "
        "`np.zeros(value.shape)` alone is float64.",
    ),
    explain=_explain,
))


# ----------------------------------------------------------------------------- avg_pool_backward
def _avg_case(value_shape, dtype, ksize, strides, padding, label, data_format=None, g=None, upstream=None,
              raises=None):
    fmt = data_format or "NHWC"
    value_shape = tuple(int(v) for v in value_shape)
    if upstream is None:
        upstream = _upstream(g, pooled_shape(value_shape, ksize, strides, padding, fmt), dtype)
    kwargs = dict(upstream=upstream, value_shape=value_shape, ksize=ksize, strides=strides, padding=padding)
    if data_format is not None:
        kwargs["data_format"] = data_format
    return Case(kwargs, label, raises)


def avg_pool_backward_visible():
    g = rng(55)
    return [
        _avg_case((1, 3, 3, 1), np.float32, 2, 1, "VALID", "the chapter's 3x3 map, 2x2 windows, stride 1",
                  upstream=np.array([[1, 2], [3, 4]], np.float32).reshape(1, 2, 2, 1)),
        _avg_case((1, 4, 4, 1), np.float32, 3, 1, "VALID", "overlapping 3x3 windows: the centre is in all four", g=g),
        _avg_case((1, 5, 5, 1), np.float64, 3, 2, "SAME",
                  "SAME 3x3 windows, stride 2: border windows have fewer real cells", g=g),
        _avg_case((1, 5, 4, 2), np.float32, [2, 3], 2, "SAME",
                  "SAME with the extra padding at the bottom and right", g=g),
        _avg_case((2, 3, 4, 4), np.float32, [1, 1, 2, 2], [1, 1, 2, 1], "VALID",
                  "NCHW: 2 images, 3 channels, ksize and strides given as 4 numbers", data_format="NCHW", g=g),
        _avg_case((1, 6, 4, 1), np.float64, (3, 2), [1, 3, 2, 1], "VALID",
                  "float64, a 3x2 window, 4-number strides", data_format="NHWC", g=g),
        _avg_case((1, 4, 4, 1), np.float32, 2, 2, "VALID", "upstream has the input's shape, not the output's",
                  upstream=np.ones((1, 4, 4, 1), np.float32), raises=ValueError),
        _avg_case((1, 3, 3, 1), np.float32, 4, 1, "VALID", "a VALID 4x4 window does not fit in a 3x3 map",
                  upstream=np.ones((1, 1, 1, 1), np.float32), raises=ValueError),
    ]


def avg_pool_backward_hidden(g):
    cases = [
        _avg_case((1, 1, 1, 1), np.float64, 1, 1, "VALID", "a single cell", g=g),
        _avg_case((1, 3, 3, 1), np.float32, 4, 1, "SAME", "SAME windows larger than the 3x3 map", g=g),
        _avg_case((2, 5, 5, 3), np.float32, 2, 3, "VALID", "strides larger than the window: gaps get 0", g=g),
        _avg_case((1, 2, 7, 6), np.float64, 3, 2, "SAME", "NCHW float64 with SAME padding", data_format="NCHW", g=g),
        _avg_case((2, 6, 6, 2), np.float32, [2], [2], "VALID", "non-overlapping 2x2 windows, 1-number lists", g=g),
        _avg_case((1, 7, 7, 1), np.float32, 4, 1, "SAME", "SAME 4x4 windows, stride 1: uneven padding", g=g),
        _avg_case((1, 5, 5, 1), np.float32, 2, 2, "FULL", "padding 'FULL' is not VALID or SAME",
                  upstream=np.ones((1, 3, 3, 1), np.float32), raises=ValueError),
        _avg_case((1, 3, 4, 5), np.float32, 2, 1, "VALID", "NCHW upstream given in NHWC order",
                  data_format="NCHW", upstream=np.ones((1, 3, 4, 3), np.float32), raises=ValueError),
        _avg_case((1, 2, 8, 1), np.float64, (1, 9), 1, "VALID", "a VALID window wider than the map",
                  upstream=np.ones((1, 2, 1, 1)), raises=ValueError),
    ]
    for _ in range(20):
        cases.append(_random_case(g, "avg"))
    return cases


def avg_pool_backward_reference(upstream, value_shape, ksize, strides, padding, data_format="NHWC", *,
                                device_name=None):
    """TensorFlow's dL/dx of ``tf.nn.avg_pool2d`` on a ``tf.constant`` input of ``value_shape``."""
    upstream = np.asarray(upstream)
    value = np.zeros(tuple(value_shape), dtype=upstream.dtype)  # average pooling's gradient ignores the values
    return references.tf_pool_gradient(
        value, upstream, tf_window(ksize, data_format, "ksize"), tf_window(strides, data_format, "strides"),
        padding, "avg", data_format, device_name=device_name,
    )


register(Exercise(
    name="avg_pool_backward",
    function="avg_pool_backward",
    signature="(upstream, value_shape, ksize, strides, padding, data_format='NHWC')",
    notebook=NOTEBOOK,
    points={"visible": 2, "hidden": 3},
    visible_cases=avg_pool_backward_visible,
    hidden_cases=avg_pool_backward_hidden,
    reference=avg_pool_backward_reference,
    reference_op="tf.GradientTape over tf.nn.avg_pool2d",
    covers="the chapter's map, overlapping windows, SAME padding on both sides, NCHW, float64, "
           "1/2/4-number ksize and strides, the two ValueErrors",
    hints=(
        "The same windows as Exercise 1, so the same helpers. For one window: how much of its upstream value "
        "does each of its cells get, and which cells count when the window covers SAME padding?",
        "Every real cell of the window of output cell `(i, j)` receives `upstream[i, j]` divided by the number "
        "of the window's real cells, added to what other windows give it. One slice of the gradient takes a "
        "window's share for every image and channel at once.",
        "With the window clipped to the map, rows `r0:r1` and columns `c0:c1`: `grad[:, r0:r1, c0:c1, :] += "
        "upstream[:, i:i + 1, j:j + 1, :] / ((r1 - r0) * (c1 - c0))` (the `i:i + 1` keeps the axis, so numpy "
        "broadcasts). `kh * kw` is the right divisor only for a window without padding; `upstream /= ...` "
        "would change the caller's array.",
    ),
    explain=_explain,
))
