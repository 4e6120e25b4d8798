"""Figures of 05-pooling-gradients: where each upstream gradient value lands in the input."""
from __future__ import annotations

import numpy as np

from .. import geometry, references
from ._draw import rect

__all__ = ["gradient_routes"]

_ROUTE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                  "#bcbd22", "#17becf")


def gradient_routes(value, upstream, ksize, strides, padding="VALID", mode="max"):
    """Where each upstream value lands in the input: arrows and colours from output to input cells.

    Three grids side by side: the input map ``value`` (each cell tinted with the colour of every
    output cell whose gradient reaches it), the upstream gradient dL/dy (one colour per output
    cell), and dL/dx. An arrow goes from each output cell to every input cell it sends gradient
    to (one cell for max pooling, the window's real cells for average pooling). The routes and
    dL/dx come from TensorFlow (``references.tf_pool_gradient``): the route of output cell
    ``(i, j)`` is the gradient for an upstream that is 1 there and 0 elsewhere.

    Args:
        value: array of shape (H, W): one image, one channel.
        upstream: array of shape (H', W'): dL/dy.
        ksize, strides: an int or a pair (kh, kw), (sh, sw).
        padding: ``"VALID"`` or ``"SAME"``.
        mode: ``"max"`` or ``"avg"``.

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb

    x = np.asarray(value, dtype=np.float64)
    up = np.asarray(upstream, dtype=np.float64)
    k, s = geometry.normalize_tuple(ksize, 2, "ksize"), geometry.normalize_tuple(strides, 2, "strides")

    def grad(u):
        return references.tf_pool_gradient(x[None, :, :, None], u[None, :, :, None], k, s, padding, mode)[0, :, :, 0]

    dx = grad(up)
    oh, ow = up.shape
    routes = {}
    for i in range(oh):
        for j in range(ow):
            one = np.zeros_like(up)
            one[i, j] = 1.0
            routes[i, j] = np.argwhere(grad(one) != 0)
    colour = {(i, j): _ROUTE_COLOURS[(i * ow + j) % len(_ROUTE_COLOURS)] for i in range(oh) for j in range(ow)}

    h, w = x.shape
    gap = 2.5
    up_x0 = w + gap
    dx_x0 = up_x0 + ow + gap
    fig, ax = plt.subplots(figsize=(1.0 * (dx_x0 + w) + 0.5, 1.0 * max(h, oh) + 1.4))
    senders = {}
    for key, cells in routes.items():
        for r, c in cells:
            senders.setdefault((int(r), int(c)), []).append(key)
    for r in range(h):
        for c in range(w):
            got = senders.get((r, c), [])
            face = "white"
            if got:
                rgb = np.mean([to_rgb(colour[key]) for key in got], axis=0)
                face = tuple(0.55 + 0.45 * rgb)  # a light tint of the senders' colours
            ax.add_patch(rect(c, r, 1, 1, face=face, edge="#555555", lw=1))
            ax.text(c + 0.5, r + 0.3, f"{x[r, c]:g}", ha="center", va="center", fontsize=11)
    for (i, j), col in colour.items():
        ax.add_patch(rect(up_x0 + j, i, 1, 1, face=tuple(0.55 + 0.45 * np.array(to_rgb(col))), edge=col, lw=2))
        ax.text(up_x0 + j + 0.5, i + 0.5, f"{up[i, j]:.2g}", ha="center", va="center", fontsize=11)
    for r in range(h):
        for c in range(w):
            ax.add_patch(rect(dx_x0 + c, r, 1, 1, face="white" if dx[r, c] == 0 else "#fde0dd", edge="#555555", lw=1))
            ax.text(dx_x0 + c + 0.5, r + 0.5, f"{dx[r, c]:.3g}", ha="center", va="center", fontsize=10)
    many = max(len(cells) for cells in routes.values()) > 1
    for (i, j), cells in routes.items():
        start = (up_x0 + j + 0.15, i + 0.5)
        for r, c in cells:
            dr, dc = (i - (oh - 1) / 2) * 0.12, (j - (ow - 1) / 2) * 0.2  # each sender its own landing spot
            end = (c + 0.5 + dc, r + 0.68 + dr)
            ax.annotate("", xy=end, xytext=start, arrowprops=dict(
                arrowstyle="->", color=colour[i, j], lw=1.0 if many else 1.8, alpha=0.55 if many else 0.9,
                shrinkA=0, shrinkB=2, connectionstyle="arc3,rad=0.25"))
    what = "its window's first maximum" if mode == "max" else "every real cell of its window, divided equally"
    ax.text(w / 2, -0.35, "input x (tinted: receives gradient)", ha="center", va="bottom", fontsize=10)
    ax.text(up_x0 + ow / 2, -0.35, "upstream dL/dy", ha="center", va="bottom", fontsize=10)
    ax.text(dx_x0 + w / 2, -0.35, "dL/dx (TensorFlow)", ha="center", va="bottom", fontsize=10)
    ax.set_title(f"{mode} pooling, {k[0]}x{k[1]} windows, strides {s[0]}x{s[1]}, {padding}: "
                 f"each upstream value goes to {what}", fontsize=10, pad=18)
    ax.set_xlim(-0.3, dx_x0 + w + 0.3)
    ax.set_ylim(max(h, oh) + 0.3, -1.0)
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.tight_layout()
    return fig
