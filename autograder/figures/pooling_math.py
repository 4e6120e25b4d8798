"""Figures of 02-pooling-math: every window position of a pooling, step by step.

``pooling_steps`` redraws the chapter's four pictures: every window position over the feature
map, next to the output grid with the cell that window produces. Output values come from
TensorFlow (``autograder.references``), not from any learner's code.
"""
from __future__ import annotations

import numpy as np

from .. import references
from ._draw import grid, rect

__all__ = ["pooling_steps"]


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

    from ..chapter.pooling_math import pool2d_reference

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
        grid(ax, x, 0, "feature map", highlight=window)
        ax.add_patch(rect(j * sw, i * sh, kw, kh))
        filled = np.arange(steps).reshape(oh, ow) <= step
        current = np.zeros(out.shape, bool)
        current[i, j] = True
        gap = x.shape[1] + 1.5
        grid(ax, out, gap, f"{mode}-pooled output", highlight=current, filled=filled)
        ax.add_patch(rect(gap + j, i, 1, 1))
        ax.annotate("", xy=(gap - 0.2, x.shape[0] / 2), xytext=(x.shape[1] + 0.2, x.shape[0] / 2),
                    arrowprops=dict(arrowstyle="->", color="#555555"))
        ax.set_xlim(-0.2, gap + ow + 0.2)
        ax.set_ylim(max(x.shape[0], oh) + 0.2, -1.0)
        ax.set_aspect("equal")
        ax.set_title(f"step {step + 1}: window at row {i * sh}, column {j * sw}", fontsize=10)
    fig.tight_layout()
    return fig
