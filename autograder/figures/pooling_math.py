"""Figures of 02-pooling-math: every window position of a pooling, step by step.

``pooling_steps`` redraws the chapter's four pictures: every window position over the feature
map, next to the output grid with the cell that window produces. Output values come from
TensorFlow (``references.tf_pool``), not from any learner's code; window positions from
:mod:`autograder.geometry`.
"""
from __future__ import annotations

import numpy as np

from .. import geometry, references
from ..i18n import tr
from ._draw import CELL_EDGE, grid, matrix, pool_mode, rect

__all__ = ["pooling_steps"]


def pooling_steps(feature_map, pool_size, stride, mode="max", columns=2):
    """One panel per window position: the window on the map, and the output cell it fills.

    Args:
        feature_map: array of shape (H, W).
        pool_size, stride: an int or a pair (kh, kw), (sh, sw).
        mode: ``"max"`` or ``"avg"``.
        columns: panels per row.

    Returns:
        The matplotlib ``Figure``: one panel per output cell of TensorFlow's VALID pooling.
    """
    import matplotlib.pyplot as plt

    x = matrix(feature_map, "feature_map")
    kh, kw = geometry.normalize_tuple(pool_size, 2, "pool_size")
    sh, sw = geometry.normalize_tuple(stride, 2, "stride")
    mode = pool_mode(mode)
    rows, cols = geometry.windows(x.shape[0], kh, sh), geometry.windows(x.shape[1], kw, sw)
    pooled = x.astype(np.float64) if mode == "avg" and not np.issubdtype(x.dtype, np.floating) else x
    out = references.tf_pool(pooled[None, :, :, None], (kh, kw), (sh, sw), "VALID", mode)[0, :, :, 0]
    oh, ow = out.shape
    steps = oh * ow
    panel_rows = -(-steps // columns)
    fig, axes = plt.subplots(panel_rows, columns, figsize=(4.2 * columns, 2.6 * panel_rows), squeeze=False)
    for step, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if step >= steps:
            continue
        i, j = divmod(step, ow)
        top, left = rows[i].start, cols[j].start
        window = np.zeros(x.shape, bool)
        window[top:rows[i].stop, left:cols[j].stop] = True
        grid(ax, x, 0, tr("feature map"), highlight=window)
        ax.add_patch(rect(left, top, kw, kh))
        filled = np.arange(steps).reshape(oh, ow) <= step
        current = np.zeros(out.shape, bool)
        current[i, j] = True
        gap = x.shape[1] + 1.5
        grid(ax, out, gap, tr("max-pooled output") if mode == "max" else tr("avg-pooled output"), highlight=current,
             filled=filled)
        ax.add_patch(rect(gap + j, i, 1, 1))
        ax.annotate("", xy=(gap - 0.2, x.shape[0] / 2), xytext=(x.shape[1] + 0.2, x.shape[0] / 2),
                    arrowprops=dict(arrowstyle="->", color=CELL_EDGE))
        ax.set_xlim(-0.2, gap + ow + 0.2)
        ax.set_ylim(max(x.shape[0], oh) + 0.2, -1.0)
        ax.set_aspect("equal")
        ax.set_title(tr("step {n}: window at row {row}, column {column}", n=step + 1, row=top, column=left),
                     fontsize=10)
    fig.tight_layout()
    return fig
