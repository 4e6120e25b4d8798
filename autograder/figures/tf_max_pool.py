"""Figures of 03-tensorflow-max-pool: windows on a picture, SAME padding in 2-D, max vs average."""
from __future__ import annotations

import numpy as np

from .. import geometry, references
from ._draw import NEUTRAL, matrix, padding_name, padding_split, rect
from .conv_sizes import side_by_side

__all__ = ["grace_hopper", "windows_on_image", "same_padding_grid", "max_vs_avg"]


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
    ax.set_title(title or f"{len(rows)}x{len(cols)} windows of {kh}x{kw}, strides {sh}x{sw}, {padding}",
                 fontsize=10)
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
    ax.set_title(f"{height}x{width} input, {kh}x{kw} window, strides {sh}x{sw}, SAME\n"
                 f"padding: top {top}, bottom {bottom}, left {left}, right {right}; output {out_h}x{out_w}",
                 fontsize=9)
    return ax.figure


def max_vs_avg(feature_map, ksize, strides, padding="VALID", title="feature map", cmap="magma"):
    """A 2-D feature map, its max pool and its average pool side by side (pooled by TensorFlow)."""
    x = matrix(feature_map, "feature_map")[None, :, :, None]
    k, s = geometry.normalize_tuple(ksize, 2, "ksize"), geometry.normalize_tuple(strides, 2, "strides")
    pooled_max = references.tf_pool(x, k, s, padding, "max")[0, :, :, 0]
    pooled_avg = references.tf_pool(x, k, s, padding, "avg")[0, :, :, 0]
    return side_by_side([x[0, :, :, 0], pooled_max, pooled_avg],
                        [title, f"max pool {k[0]}x{k[1]}", f"average pool {k[0]}x{k[1]}"], cmap=cmap)
