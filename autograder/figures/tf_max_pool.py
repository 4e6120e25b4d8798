"""Figures of 03-tensorflow-max-pool: windows on a picture, SAME padding in 2-D, max vs average.

``max_vs_average`` serves 04-keras-pooling-layers too (with Keras' layers instead of ``tf.nn``).
"""
from __future__ import annotations

import numpy as np

from .. import geometry, references
from ..i18n import tr
from ._draw import NEUTRAL, matrix, padding_name, padding_split, rect
from .conv_sizes import side_by_side

__all__ = ["grace_hopper", "windows_on_image", "same_padding_grid", "max_vs_average"]


def grace_hopper(gray: bool = True) -> np.ndarray:
    """Grace Hopper's portrait from matplotlib's sample data (see ``data.grace_hopper``)."""
    from ..data import grace_hopper as _load

    return _load(gray)


def windows_on_image(image, ksize, strides, padding="VALID", highlight=((0, 0),), ax=None, title=None):
    """Every pooling window drawn over a picture (``image``: (H, W) or (H, W, 3)).

    Thin grey outlines show all windows, thick red ones the windows at the output positions
    ``(i, j)`` in ``highlight``; with SAME, the padded border is drawn dashed around the picture.
    Window positions and padding come from :mod:`autograder.geometry` (TensorFlow's rule).

    Returns:
        The matplotlib ``Figure`` that holds ``ax`` (a new one when ``ax`` is ``None``).
    """
    import matplotlib.pyplot as plt

    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"image must have shape (H, W) or (H, W, 3); received shape {image.shape}")
    height, width = image.shape[:2]
    kh, kw = geometry.normalize_tuple(ksize, 2, "ksize")
    sh, sw = geometry.normalize_tuple(strides, 2, "strides")
    padding = padding_name(padding)
    rows, cols = geometry.windows(height, kh, sh, padding), geometry.windows(width, kw, sw, padding)
    for i, j in highlight:
        if not (0 <= i < len(rows) and 0 <= j < len(cols)):
            raise ValueError(f"highlight must hold output positions (i, j) with 0 <= i < {len(rows)} and "
                             f"0 <= j < {len(cols)}; received {(i, j)!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5.6))
    ax.imshow(image, cmap="gray", interpolation="nearest", extent=(0, width, height, 0))
    for r in rows:
        for c in cols:
            ax.add_patch(rect(c.start, r.start, kw, kh, edge="#dddddd", lw=0.6))
    for i, j in highlight:
        ax.add_patch(rect(cols[j].start, rows[i].start, kw, kh, lw=2.5))
    top, bottom = padding_split(height, kh, sh, padding)
    left, right = padding_split(width, kw, sw, padding)
    if top or left or bottom or right:
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((-left, -top), width + left + right, height + top + bottom, fill=False,
                               linestyle="--", edgecolor=NEUTRAL, linewidth=1.5))
    ax.set_xlim(-left - 4, width + right + 4)
    ax.set_ylim(height + bottom + 4, -top - 4)
    ax.set_axis_off()
    ax.set_title(title or tr("{n_rows}x{n_cols} windows of {kh}x{kw}, strides {sh}x{sw}, {padding}", n_rows=len(rows),
                             n_cols=len(cols), kh=kh, kw=kw, sh=sh, sw=sw, padding=padding), fontsize=10)
    return ax.figure


def same_padding_grid(height, width, ksize, strides, ax=None):
    """SAME padding as TensorFlow places it: real cells, padded cells, and every window.

    Real cells are white and numbered by position, padded cells grey; each window is outlined
    in its own colour (slightly inset, so overlapping windows stay visible) and labelled with the
    output cell it makes. An odd number of padded cells puts the extra one after (bottom/right).
    The padding and the windows come from :mod:`autograder.geometry` (TensorFlow's rule).

    Returns:
        The matplotlib ``Figure`` that holds ``ax`` (a new one when ``ax`` is ``None``).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    kh, kw = geometry.normalize_tuple(ksize, 2, "ksize")
    sh, sw = geometry.normalize_tuple(strides, 2, "strides")
    top, bottom = geometry.same_padding_split(height, kh, sh)
    left, right = geometry.same_padding_split(width, kw, sw)
    rows, cols = geometry.windows(height, kh, sh, "SAME"), geometry.windows(width, kw, sw, "SAME")
    out_h, out_w = len(rows), len(cols)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.75 * (width + left + right) + 1, 0.75 * (height + top + bottom) + 1.2))
    for r in range(-top, height + bottom):
        for c in range(-left, width + right):
            real = 0 <= r < height and 0 <= c < width
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor="white" if real else "#d9d9d9",
                                   edgecolor="#777777", linewidth=0.8, hatch=None if real else "//"))
            if real:
                ax.text(c + 0.5, r + 0.5, f"{r * width + c}", ha="center", va="center", fontsize=8, color="#444444")
    colours = plt.get_cmap("tab10")
    for i, row in enumerate(rows):
        for j, col in enumerate(cols):
            inset = 0.06 + 0.05 * ((i * out_w + j) % 4)
            colour = colours((i * out_w + j) % 10)
            ax.add_patch(Rectangle((col.start + inset, row.start + inset), kw - 2 * inset, kh - 2 * inset,
                                   fill=False, edgecolor=colour, linewidth=2))
            ax.text(col.start + inset + 0.05, row.start + inset + 0.05, f"({i},{j})", color=colour, fontsize=7,
                    ha="left", va="top")
    ax.set_xlim(-left - 0.2, width + right + 0.2)
    ax.set_ylim(height + bottom + 0.2, -top - 0.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(tr("{height}x{width} input, {kh}x{kw} window, strides {sh}x{sw}, SAME\npadding: top {top}, "
                    "bottom {bottom}, left {left}, right {right}; output {out_h}x{out_w}", height=height, width=width,
                    kh=kh, kw=kw, sh=sh, sw=sw, top=top, bottom=bottom, left=left, right=right, out_h=out_h,
                    out_w=out_w), fontsize=9)
    return ax.figure


def max_vs_average(image, pool_size, strides=None, padding="VALID", title=None, cmap="gray", api="keras"):
    """A 2-D image, its max pooling and its average pooling side by side, each titled with its shape.

    Used by 03-tensorflow-max-pool (``api="tf.nn"``: a feature map pooled by ``tf.nn.max_pool2d``
    and ``tf.nn.avg_pool2d``, through ``references.tf_pool``) and 04-keras-pooling-layers
    (``api="keras"``: a photograph pooled by ``keras.layers.MaxPooling2D`` and
    ``AveragePooling2D``, through ``references.keras_pooling_layer``). Both pool with
    TensorFlow's own kernels; only the titles and the dtype differ (Keras' layers compute in
    float32; ``tf.nn`` keeps a floating image's dtype and pools other images as float32).

    Args:
        image: array of shape (H, W).
        pool_size: an int or a pair (kh, kw): the window.
        strides: an int or a pair; ``None`` means ``pool_size`` (the layers' default).
        padding: ``"VALID"`` or ``"SAME"``, any letter case.
        title: the first panel's title (default: "original", in the language spoken).
        cmap: the colour map of all three panels.
        api: ``"keras"`` or ``"tf.nn"``: which TensorFlow API pools, and names the panels.

    Returns:
        The matplotlib ``Figure``.
    """
    picture = matrix(image, "image")
    title = tr("original") if title is None else title
    window = geometry.normalize_tuple(pool_size, 2, "pool_size")
    step = window if strides is None else geometry.normalize_tuple(strides, 2, "strides")
    padding = padding_name(padding)
    if api == "keras":
        x = picture.astype(np.float32)[None, :, :, None]
        pooled = [references.keras_pooling_layer(x, window, step, padding.lower(), mode=m)[0, :, :, 0]
                  for m in ("max", "avg")]
        arguments = f"{pool_size}" + ("" if strides is None else f", strides={strides}") + (
            "" if padding == "VALID" else f", padding={padding.lower()!r}")
        names = [f"MaxPooling2D({arguments})", f"AveragePooling2D({arguments})"]
    elif api == "tf.nn":
        x = (picture if np.issubdtype(picture.dtype, np.floating) else picture.astype(np.float32))[None, :, :, None]
        pooled = [references.tf_pool(x, window, step, padding, m)[0, :, :, 0] for m in ("max", "avg")]
        size = f"{window[0]}x{window[1]}" + (
            "" if step == window else tr(", strides {sh}x{sw}", sh=step[0], sw=step[1])) + (
            "" if padding == "VALID" else tr(", SAME"))
        names = [tr("max pool {size}", size=size), tr("average pool {size}", size=size)]
    else:
        raise ValueError(f"api must be 'keras' or 'tf.nn'; received {api!r}")
    return side_by_side([picture, *pooled], [title, *names], cmap=cmap)
