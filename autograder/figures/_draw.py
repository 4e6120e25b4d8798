"""What the figures share: colours, outlined rectangles, grids of numbered cells, argument checks.

Grids are drawn in data coordinates with one unit per cell: cell ``(r, c)`` of a grid whose
top-left corner is at ``(x0, y0)`` covers ``[x0 + c, x0 + c + 1] x [y0 + r, y0 + r + 1]``, and the
y axis points down (callers set ``ylim`` from bottom to top), so rows read like an array's.

Window geometry is never computed here: it comes from :mod:`autograder.geometry`.
"""
from __future__ import annotations

import numpy as np

from .. import geometry

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


def matrix(value, name: str) -> np.ndarray:
    """``value`` as a 2-D numpy array; ``ValueError`` naming ``name`` and the shape received otherwise."""
    array = np.asarray(value)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (H, W); received shape {array.shape}")
    return array


def pool_mode(mode) -> str:
    """``mode`` checked: ``"max"`` or ``"avg"``."""
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg'; received {mode!r}")
    return mode


def padding_name(padding) -> str:
    """``padding`` in upper case, checked: ``"VALID"`` or ``"SAME"`` (any letter case accepted)."""
    upper = str(padding).upper()
    if upper not in geometry.PADDINGS:
        raise ValueError(f"padding must be 'VALID' or 'SAME' (any letter case); received {padding!r}")
    return upper


def padding_split(n: int, k: int, s: int, padding: str) -> tuple[int, int]:
    """Cells padded ``(before, after)`` along one axis: SAME's split from :mod:`autograder.geometry`, or none."""
    return geometry.same_padding_split(n, k, s) if padding_name(padding) == "SAME" else (0, 0)
