"""Figures of 05-pooling-gradients: where each upstream gradient value lands in the input."""
from __future__ import annotations

import numpy as np

from .. import geometry, references
from ..i18n import tr
from ._draw import CELL_EDGE, HIGHLIGHT, matrix, padding_name, pool_mode, rect

__all__ = ["gradient_routes"]

_ROUTE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                  "#bcbd22", "#17becf")

# The routes are drawn like wires. Inside an input cell (one unit square, y pointing down) the
# top band carries the wires and the arrowheads and the bottom band the cell's number, so no
# wire or arrowhead covers a number. Each output cell (i, j), the n-th of N in row-major order,
# owns a lane: a vertical wire in the gap between the input and dL/dy, a horizontal wire just
# under the top edge of every input row it sends to (``_WIRE_TOP`` to ``_WIRE_BOTTOM`` below it,
# by n), and a landing column inside the cell (by n); its arrows stop at ``_HEAD_Y``.
_LABEL_Y = 0.72
_WIRE_TOP, _WIRE_BOTTOM = 0.06, 0.24
_HEAD_Y = 0.44


def _tint(colour, amount=0.45):
    """``colour`` mixed with white: ``amount`` of the colour, the rest white."""
    from matplotlib.colors import to_rgb

    return tuple(1 - amount + amount * np.asarray(to_rgb(colour)))


def _label(ax, x, y, text, face, fontsize=11):
    """A cell's number, drawn above the arrows on a patch of the cell's face so arrows pass under it."""
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=5,
            bbox=dict(boxstyle="round,pad=0.12", facecolor=face, edgecolor="none"))


def gradient_routes(value, upstream, ksize, strides, padding="VALID", mode="max"):
    """Where each upstream value lands in the input: arrows and colours from output to input cells.

    Three grids side by side: the input map ``value`` (each cell tinted with the colour of every
    output cell whose gradient reaches it), the upstream gradient dL/dy (one colour per output
    cell), and dL/dx. An arrow goes from each output cell to every input cell it sends gradient
    to (one cell for max pooling, the window's real cells for average pooling). The routes and
    dL/dx come from TensorFlow (``references.tf_pool_gradient``): the route of output cell
    ``(i, j)`` is the gradient for an upstream that is 1 there and 0 elsewhere.

    The routes are drawn like wires, so that many of them stay readable: each output cell has
    its own colour, its own lane between the input and dL/dy, its own wire along the top edge of
    every input row it sends to, and its own landing column inside the cells; an arrow drops
    from that wire into each cell the value reaches. Wires and arrowheads keep to the top half
    of the input cells and the numbers to the bottom half, so neither covers a number.

    Args:
        value: array of shape (H, W): one image, one channel.
        upstream: array of shape (H', W'): dL/dy.
        ksize, strides: an int or a pair (kh, kw), (sh, sw).
        padding: ``"VALID"`` or ``"SAME"``.
        mode: ``"max"`` or ``"avg"``.

    Returns:
        The matplotlib ``Figure`` (one axes).
    """
    import matplotlib.pyplot as plt

    x = matrix(value, "value").astype(np.float64)
    up = matrix(upstream, "upstream").astype(np.float64)
    k, s = geometry.normalize_tuple(ksize, 2, "ksize"), geometry.normalize_tuple(strides, 2, "strides")
    padding, mode = padding_name(padding), pool_mode(mode)

    def grad(u):
        return references.tf_pool_gradient(x[None, :, :, None], u[None, :, :, None], k, s, padding, mode)[0, :, :, 0]

    dx = grad(up)
    oh, ow = up.shape
    routes = {}
    for i in range(oh):
        for j in range(ow):
            one = np.zeros_like(up)
            one[i, j] = 1.0
            routes[i, j] = [(int(r), int(c)) for r, c in np.argwhere(grad(one) != 0)]
    colour = {(i, j): _ROUTE_COLOURS[(i * ow + j) % len(_ROUTE_COLOURS)] for i in range(oh) for j in range(ow)}
    senders = {}
    for key, cells in routes.items():
        for cell in cells:
            senders.setdefault(cell, []).append(key)

    h, w = x.shape
    senders_n = oh * ow
    lane_gap = 0.22
    up_x0 = w + 0.6 + lane_gap * senders_n
    up_y0 = max((h - oh) / 2, 0)  # the upstream grid faces the middle of the input
    dx_x0 = up_x0 + ow + 1.8
    fig, ax = plt.subplots(figsize=(0.95 * (dx_x0 + w) + 0.6, 0.95 * max(h, oh) + 1.6))
    for r in range(h):
        for c in range(w):
            got = senders.get((r, c), [])
            face = tuple(np.mean([_tint(colour[key]) for key in got], axis=0)) if got else "white"
            ax.add_patch(rect(c, r, 1, 1, face=face, edge=CELL_EDGE, lw=1))
            _label(ax, c + 0.5, r + _LABEL_Y, f"{x[r, c]:g}", face)
    for (i, j), col in colour.items():
        face = _tint(col, 0.55)
        ax.add_patch(rect(up_x0 + j, up_y0 + i, 1, 1, face=face, edge=col, lw=2))
        _label(ax, up_x0 + j + 0.5, up_y0 + i + 0.3, f"{up[i, j]:.2g}", face)
    for r in range(h):
        for c in range(w):
            face = "white" if dx[r, c] == 0 else HIGHLIGHT
            ax.add_patch(rect(dx_x0 + c, r, 1, 1, face=face, edge=CELL_EDGE, lw=1))
            ax.text(dx_x0 + c + 0.5, r + 0.5, f"{dx[r, c]:.3g}", ha="center", va="center", fontsize=10)
    for (i, j), cells in routes.items():
        n = i * ow + j
        lane_x = w + 0.4 + lane_gap * (senders_n - 1 - n)  # the first sender's lane nearest dL/dy
        wire_dy = _WIRE_TOP + (_WIRE_BOTTOM - _WIRE_TOP) * n / max(senders_n - 1, 1)
        land_dx = 0.12 + 0.76 * (n + 0.5) / senders_n
        exit_y = up_y0 + i + 0.62 + 0.3 * (j + 0.5) / ow  # under the sender's number
        rows = sorted({r for r, _ in cells})
        style = dict(color=colour[i, j], lw=1.4, alpha=0.9, zorder=3, solid_capstyle="butt")
        ax.plot([up_x0 + j + 0.5, lane_x], [exit_y, exit_y], **style)  # out of the sender, to its lane
        if rows:
            ys = [exit_y] + [r + wire_dy for r in rows]
            ax.plot([lane_x, lane_x], [min(ys), max(ys)], **style)  # down (or up) the lane
        for r in rows:
            reach = min(c for rr, c in cells if rr == r)
            ax.plot([lane_x, reach + land_dx], [r + wire_dy, r + wire_dy], **style)  # along the row
        for r, c in cells:
            ax.annotate("", xy=(c + land_dx, r + _HEAD_Y), xytext=(c + land_dx, r + wire_dy), zorder=4,
                        arrowprops=dict(arrowstyle="-|>", mutation_scale=10, color=colour[i, j], lw=1.4,
                                        shrinkA=0, shrinkB=0))
    what = tr("its window's first maximum") if mode == "max" else tr("every real cell of its window, divided equally")
    ax.text(w / 2, -0.3, tr("input x (tinted: receives gradient)"), ha="center", va="bottom", fontsize=10)
    ax.text(up_x0 + ow / 2, up_y0 - 0.3, tr("upstream dL/dy"), ha="center", va="bottom", fontsize=10)
    ax.text(dx_x0 + w / 2, -0.3, tr("dL/dx (TensorFlow)"), ha="center", va="bottom", fontsize=10)
    pooling = tr("max pooling") if mode == "max" else tr("avg pooling")
    ax.set_title(tr("{pooling}, {kh}x{kw} windows, strides {sh}x{sw}, {padding}:\neach upstream value goes to {what}",
                    pooling=pooling, kh=k[0], kw=k[1], sh=s[0], sw=s[1], padding=padding, what=what), fontsize=10)
    ax.set_xlim(-0.3, dx_x0 + w + 0.3)
    ax.set_ylim(max(h, oh) + 0.3, -0.9)
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.tight_layout()
    return fig
