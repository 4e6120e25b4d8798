"""The notebooks' pictures, drawn with matplotlib (imported by the notebooks, never pasted).

``pooling_steps`` redraws the chapter's four pictures: every window position over the feature
map, next to the output grid with the cell that window produces. Output values come from
TensorFlow (``autograder.references``), not from any learner's code.
"""
from __future__ import annotations

import numpy as np

from . import references

__all__ = ["pooling_steps", "side_by_side"]

_WINDOW = "#d62728"
_DONE = "#1f77b4"


def _grid(ax, values, x0, title, highlight=None, filled=None, colour=_WINDOW):
    """Draw ``values`` as a grid of numbered cells whose top-left corner is at ``(x0, 0)``."""
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            shown = filled is None or filled[r, c]
            face = "#fde0dd" if highlight is not None and highlight[r, c] else "white"
            ax.add_patch(_rect(x0 + c, r, 1, 1, face=face, edge="#555555", lw=1))
            if shown:
                v = values[r, c]
                text = f"{v:g}" if isinstance(v, (float, np.floating)) else str(v)
                ax.text(x0 + c + 0.5, r + 0.5, text, ha="center", va="center", fontsize=12)
    ax.text(x0 + cols / 2, -0.35, title, ha="center", va="bottom", fontsize=10)


def _rect(x, y, w, h, face="none", edge=_WINDOW, lw=3):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=face, edgecolor=edge, linewidth=lw)


def pooling_steps(feature_map, pool_size, stride, mode="max", columns=2):
    """One panel per window position: the window on the map, and the output cell it fills.

    Args:
        feature_map: array of shape (H, W).
        pool_size, stride: an int or a pair (kh, kw), (sh, sw).
        mode: ``"max"`` or ``"avg"``.
        columns: panels per row.

    Returns:
        The matplotlib ``Figure`` (H' * W' panels, H' = (H - kh) // sh + 1).
    """
    import matplotlib.pyplot as plt

    from .chapter.pooling_math import pool2d_reference

    x = np.asarray(feature_map)
    kh, kw = references.to_pair(pool_size, "pool_size")
    sh, sw = references.to_pair(stride, "stride")
    out = pool2d_reference(x, (kh, kw), (sh, sw), mode)
    oh, ow = out.shape
    steps = oh * ow
    rows = -(-steps // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.6 * rows), squeeze=False)
    for step, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if step >= steps:
            continue
        i, j = divmod(step, ow)
        window = np.zeros(x.shape, bool)
        window[i * sh:i * sh + kh, j * sw:j * sw + kw] = True
        _grid(ax, x, 0, "feature map", highlight=window)
        ax.add_patch(_rect(j * sw, i * sh, kw, kh))
        filled = np.arange(steps).reshape(oh, ow) <= step
        current = np.zeros(out.shape, bool)
        current[i, j] = True
        gap = x.shape[1] + 1.5
        _grid(ax, out, gap, f"{mode}-pooled output", highlight=current, filled=filled)
        ax.add_patch(_rect(gap + j, i, 1, 1))
        ax.annotate("", xy=(gap - 0.2, x.shape[0] / 2), xytext=(x.shape[1] + 0.2, x.shape[0] / 2),
                    arrowprops=dict(arrowstyle="->", color="#555555"))
        ax.set_xlim(-0.2, gap + ow + 0.2)
        ax.set_ylim(max(x.shape[0], oh) + 0.2, -1.0)
        ax.set_aspect("equal")
        ax.set_title(f"step {step + 1}: window at row {i * sh}, column {j * sw}", fontsize=10)
    fig.tight_layout()
    return fig


def side_by_side(images, titles, cmap="gray"):
    """Show 2-D arrays next to each other with their shapes in the titles."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(images), figsize=(3.2 * len(images), 3.2), squeeze=False)
    for ax, image, title in zip(axes.flat, images, titles):
        image = np.asarray(image)
        ax.imshow(image, cmap=cmap, interpolation="nearest")
        ax.set_title(f"{title}\n{image.shape[0]}x{image.shape[1]}", fontsize=10)
        ax.set_axis_off()
    fig.tight_layout()
    return fig
