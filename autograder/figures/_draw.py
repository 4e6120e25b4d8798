"""What the figures share: their colours, outlined rectangles and grids of numbered cells.

Grids are drawn in data coordinates with one unit per cell: cell ``(r, c)`` of a grid whose
top-left corner is at ``(x0, y0)`` covers ``[x0 + c, x0 + c + 1] x [y0 + r, y0 + r + 1]``, and the
y axis points down (callers set ``ylim`` from bottom to top), so rows read like an array's.
"""
from __future__ import annotations

import numpy as np

WINDOW = "#d62728"
"""A pooling window's outline, and what stands out (red)."""

NEUTRAL = "#1f77b4"
"""What does not stand out: a kernel's taps, a bar within budget (blue)."""

HIGHLIGHT = "#fde0dd"
"""The face of the cells a window covers (light red)."""

CELL_EDGE = "#555555"
"""The edge of an ordinary cell (dark grey)."""


def rect(x, y, w, h, face="none", edge=WINDOW, lw=3):
    """A matplotlib ``Rectangle`` with its top-left corner at ``(x, y)`` (the y axis points down)."""
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=face, edgecolor=edge, linewidth=lw)


def cell_text(value) -> str:
    """A cell's value as a short label: floats with ``:g``, anything else with ``str``."""
    return f"{value:g}" if isinstance(value, (float, np.floating)) else str(value)


def grid(ax, values, x0, title, highlight=None, filled=None):
    """Draw ``values`` (2-D) as numbered cells whose top-left corner is at ``(x0, 0)``.

    ``highlight`` (a boolean array of the same shape) gives cells the :data:`HIGHLIGHT` face;
    ``filled`` (likewise) says which cells show their value (all when ``None``). ``title`` is
    written centred above the grid.
    """
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            face = HIGHLIGHT if highlight is not None and highlight[r, c] else "white"
            ax.add_patch(rect(x0 + c, r, 1, 1, face=face, edge=CELL_EDGE, lw=1))
            if filled is None or filled[r, c]:
                ax.text(x0 + c + 0.5, r + 0.5, cell_text(values[r, c]), ha="center", va="center", fontsize=12)
    ax.text(x0 + cols / 2, -0.35, title, ha="center", va="bottom", fontsize=10)
