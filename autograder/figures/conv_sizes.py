"""Figures of 01-convolution-output-sizes: kernel positions, feature maps, SAME padding along one axis."""
from __future__ import annotations

import numpy as np

from .. import geometry
from ..i18n import tr
from ._draw import CELL_EDGE, NEUTRAL, WINDOW, matrix, rect

__all__ = ["side_by_side", "kernel_positions", "feature_map_grid", "padding_diagram"]


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


def kernel_positions(image, kernel_size=3, positions=((0, 0), (9, 12), (25, 25)), title=None):
    """A kernel's window drawn at a few positions on an image, and how many positions there are.

    Args:
        image: array of shape (H, W).
        kernel_size: the kernel's side k (stride 1, VALID: it fits in (H - k + 1) x (W - k + 1)
            positions).
        positions: (row, column) of each window's top-left cell, each labelled next to its window.
        title: the image's name in the panel title (default: "input image", in the language spoken).

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt

    x = matrix(image, "image")
    k = _positive(kernel_size, "kernel_size")
    title = tr("input image") if title is None else title
    rows, cols = geometry.output_length(x.shape[0], k, 1), geometry.output_length(x.shape[1], k, 1)
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    ax.imshow(x, cmap="gray", interpolation="nearest")
    colours = ("#d62728", "#ff7f0e", "#2ca02c", "#1f77b4", "#9467bd")
    height, width = x.shape
    for n, (r, c) in enumerate(positions):
        if not (0 <= r < rows and 0 <= c < cols):
            raise ValueError(f"positions must hold (row, column) with 0 <= row < {rows} and 0 <= column < {cols} "
                             f"(the window must fit); received {(r, c)!r}")
        colour = colours[n % len(colours)]
        top, left = r - 0.5, c - 0.5  # pixel (r, c) covers [c - 0.5, c + 0.5] in imshow's coordinates
        ax.add_patch(rect(left, top, k, k, edge=colour, lw=2.5))
        # The label sits clear of its box (above it, or below where the image has no room above),
        # inside the image, in white on a patch of the window's colour: legible on dark and bright pixels.
        above = top >= 0.15 * height
        y, va = (top - 0.8, "bottom") if above else (top + k + 0.8, "top")
        centre = left + k / 2
        x_text, ha = ((left, "left") if centre < 0.2 * width else (left + k, "right") if centre > 0.8 * width
                      else (centre, "center"))
        ax.text(x_text, y, f"({r}, {c})", color="white", ha=ha, va=va, fontsize=8, fontweight="bold",
                bbox=dict(boxstyle="round,pad=0.25", facecolor=colour, edgecolor="none"))
    ax.set_xticks([0, x.shape[1] - 1])
    ax.set_yticks([0, x.shape[0] - 1])
    ax.set_title(tr("{title}: {height}x{width}; a {k}x{k} window fits at\n{rows} x {cols} = {count} positions "
                    "(stride 1, VALID)", title=title, height=x.shape[0], width=x.shape[1], k=k, rows=rows, cols=cols,
                    count=rows * cols), fontsize=10)
    fig.tight_layout()
    return fig


def feature_map_grid(maps, columns=8, title=None, cmap="magma"):
    """Every channel of a channels-last stack of feature maps as a small image.

    Args:
        maps: array of shape (H, W, C) (one image's feature maps, NHWC without the N).
        columns: images per row.
        title: the figure's title (default: "feature maps", in the language spoken).

    Returns:
        The matplotlib ``Figure`` (C panels, titled by channel index).
    """
    import matplotlib.pyplot as plt

    maps = np.asarray(maps)
    title = tr("feature maps") if title is None else title
    channels = maps.shape[-1]
    rows = -(-channels // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.35 * columns, 1.45 * rows + 0.5), squeeze=False)
    for c, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if c < channels:
            ax.imshow(maps[..., c], cmap=cmap, interpolation="nearest")
            ax.set_title(f"[..., {c}]", fontsize=7)
    fig.suptitle(tr("{title}: shape {shape} (H, W, C)", title=title, shape=maps.shape), fontsize=10)
    fig.tight_layout()
    return fig


def padding_diagram(input_length, kernel_size, stride=1, dilation=1, ax=None):
    """TensorFlow's SAME padding along one axis: padded cells, input cells, and every window's taps.

    A kernel of ``kernel_size`` taps, ``dilation`` cells apart, spans ``(k - 1) * d + 1`` cells;
    SAME gives ``ceil(L / stride)`` outputs and pads ``(before, after)`` as TensorFlow does
    (:func:`autograder.geometry.same_padding_split`, which ``tests/test_figures.py`` compares with
    what ``tf.nn.conv2d`` reads). Grey cells are padding, each row of dots one window's taps (grey
    where a tap reads padding).

    Returns:
        The matplotlib ``Figure`` that holds ``ax`` (a new one when ``ax`` is ``None``).
    """
    import matplotlib.pyplot as plt

    L, k, s, d = (_positive(v, name) for v, name in ((input_length, "input_length"), (kernel_size, "kernel_size"),
                                                    (stride, "stride"), (dilation, "dilation")))
    span = geometry.span(k, d)
    before, after = geometry.same_padding_split(L, span, s)
    windows = geometry.windows(L, span, s, "SAME")
    out = len(windows)
    cells = before + L + after
    if ax is None:
        fig, ax = plt.subplots(figsize=(0.55 * cells + 2.2, 0.55 * (out + 2) + 0.6))
    else:
        fig = ax.figure
    for c in range(cells):
        pad = c < before or c >= before + L
        ax.add_patch(rect(c, 0, 1, 1, face="#dddddd" if pad else "white", edge=CELL_EDGE, lw=1))
        ax.text(c + 0.5, 0.5, "0" if pad else str(c - before), ha="center", va="center", fontsize=9,
                color="#888888" if pad else "black")
    for i, window in enumerate(windows):
        y = 1.4 + i * 0.55
        taps = [window.start + j * d for j in range(k)]  # input coordinates: < 0 or >= L read padding
        ax.plot([taps[0] + before + 0.5, taps[-1] + before + 0.5], [y, y], color=NEUTRAL, lw=1)
        for tap in taps:
            colour = "#aaaaaa" if tap < 0 or tap >= L else WINDOW
            ax.plot(tap + before + 0.5, y, "o", color=colour, ms=6)
        ax.text(-0.3, y, f"out[{i}]", ha="right", va="center", fontsize=8)
    ax.set_xlim(-1.6, cells + 0.2)
    ax.set_ylim(1.4 + out * 0.55, -0.9)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(tr("SAME, L={L}, kernel {k}, stride {s}, dilation {d}: TensorFlow pads {before} before and "
                    "{after} after; {out} outputs", L=L, k=k, s=s, d=d, before=before, after=after, out=out),
                 fontsize=9)
    return fig


def _positive(value, name: str) -> int:
    """``value`` as an int of at least 1; ``ValueError`` naming ``name`` and the value otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an int of at least 1; received {value!r}")
    return int(value)
