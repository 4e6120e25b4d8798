"""Figures of 06-fast-pooling: ``sliding_window_view`` drawn, and the memory each approach allocates."""
from __future__ import annotations

import numpy as np

from .. import geometry
from ..i18n import tr
from ._draw import CELL_EDGE, HIGHLIGHT, NEUTRAL, WINDOW, rect

__all__ = ["window_view", "memory_bars"]


def window_view(height=4, width=5, ksize=2, strides=1, itemsize=4):
    """``sliding_window_view`` drawn: the input's cells, and the windows the view lets you index.

    Left: a (height, width) map whose cells are numbered by their position in memory. Right:
    ``sliding_window_view(x, (kh, kw))[::sh, ::sw]``, computed here with numpy, each window drawn
    as the small grid of cell numbers it reads. The same numbers appear in several windows when
    windows overlap: they are the same memory, read again, never copied. One window is outlined
    in red in both panels. The title gives the view's shape and its strides in bytes (for
    ``itemsize``-byte values, e.g. 4 for float32).

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt
    from numpy.lib.stride_tricks import sliding_window_view

    kh, kw = geometry.normalize_tuple(ksize, 2, "ksize")
    sh, sw = geometry.normalize_tuple(strides, 2, "strides")
    x = np.arange(height * width, dtype=f"i{itemsize}").reshape(height, width)
    windows = sliding_window_view(x, (kh, kw))[::sh, ::sw]
    out_h, out_w = windows.shape[:2]
    pick = (min(1, out_h - 1), min(2, out_w - 1))
    gap = 0.7
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(0.55 * width + 0.55 * out_w * (kw + gap) + 1.5, 0.55 * max(height, out_h * (kh + gap)) + 1.4),
        gridspec_kw={"width_ratios": [width, out_w * (kw + gap)]})
    r0, c0 = geometry.window(pick[0], height, kh, sh).start, geometry.window(pick[1], width, kw, sw).start
    for r in range(height):
        for c in range(width):
            inside = r0 <= r < r0 + kh and c0 <= c < c0 + kw
            left.add_patch(rect(c, r, 1, 1, face=HIGHLIGHT if inside else "white", edge=CELL_EDGE, lw=1))
            left.text(c + 0.5, r + 0.5, str(x[r, c]), ha="center", va="center", fontsize=9)
    left.add_patch(rect(c0, r0, kw, kh, lw=2.5))
    left.set_xlim(-0.1, width + 0.1)
    left.set_ylim(height + 0.1, -0.1)
    left.set_aspect("equal")
    left.set_axis_off()
    left.set_title(tr("x: {height}x{width}, strides {strides} bytes", height=height, width=width, strides=x.strides),
                   fontsize=9)
    for i in range(out_h):
        for j in range(out_w):
            x0, y0 = j * (kw + gap), i * (kh + gap)
            chosen = (i, j) == pick
            for a in range(kh):
                for b in range(kw):
                    right.add_patch(rect(x0 + b, y0 + a, 1, 1, face=HIGHLIGHT if chosen else "#f4f4f4",
                                          edge="#888888", lw=0.8))
                    right.text(x0 + b + 0.5, y0 + a + 0.5, str(windows[i, j, a, b]), ha="center", va="center",
                               fontsize=8)
            right.add_patch(rect(x0, y0, kw, kh, edge=WINDOW if chosen else "#444444", lw=2.5 if chosen else 1.2))
            right.text(x0 + kw / 2, y0 - 0.08, f"[{i}, {j}]", ha="center", va="bottom", fontsize=7, color="#444444")
    right.set_xlim(-0.2, out_w * (kw + gap))
    right.set_ylim(out_h * (kh + gap), -0.5)
    right.set_aspect("equal")
    right.set_axis_off()
    right.set_title(f"windows = sliding_window_view(x, ({kh}, {kw}))" + (f"[::{sh}, ::{sw}]" if (sh, sw) != (1, 1) else "")
                    + "\n" + tr("shape {shape}, strides {strides} bytes: a view, nothing copied", shape=windows.shape,
                                 strides=windows.strides), fontsize=9)
    fig.tight_layout()
    return fig


def memory_bars(sizes, reference=None, title=None):
    """A horizontal bar per approach: bytes it allocates (``sizes``: label -> bytes), in MB.

    ``reference`` (the input's size in bytes) is drawn as a dashed line, and each bar is
    labelled with its size and its multiple of the input. ``title`` defaults to "memory" (in the
    language spoken).

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt

    title = tr("memory") if title is None else title
    labels = list(sizes)
    values = np.array([sizes[k] for k in labels], dtype=float) / 1e6
    fig, ax = plt.subplots(figsize=(8.5, 0.5 * len(labels) + 1.3))
    colours = [NEUTRAL if v * 1e6 <= (reference or np.inf) * 1.5 else WINDOW for v in values]
    ax.barh(range(len(labels)), values, color=colours)
    for y, v in enumerate(values):
        text = f"{v:.2f} MB" if v >= 0.01 else f"{v * 1e3:.1f} kB"
        if reference:
            ratio = v * 1e6 / reference
            if ratio < 0.01:
                note = tr("(about nothing)")
            elif f"{ratio:.2g}" == "1":
                note = tr("(as large as the input)")
            else:
                note = tr("({ratio:.2g}x the input)", ratio=ratio)
            text += "  " + note
        ax.text(v + values.max() * 0.01, y, text, va="center", fontsize=8)
    if reference:
        ax.axvline(reference / 1e6, color=CELL_EDGE, linestyle="--", linewidth=1)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, values.max() * 1.3)
    ax.set_xlabel(tr("MB allocated (peak, measured with tracemalloc)"))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
