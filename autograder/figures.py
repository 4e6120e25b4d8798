"""The notebooks' pictures, drawn with matplotlib (imported by the notebooks, never pasted).

``pooling_steps`` redraws the chapter's four pictures: every window position over the feature
map, next to the output grid with the cell that window produces. Output values come from
TensorFlow (``autograder.references``), not from any learner's code.
"""
from __future__ import annotations

import numpy as np

from . import references
from .geometry import normalize_tuple, output_length, same_padding_split

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
    kh, kw = normalize_tuple(pool_size, 2, "pool_size")
    sh, sw = normalize_tuple(stride, 2, "stride")
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


# ----------------------------------------------------------------------------- 05-pooling-gradients
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
    k, s = normalize_tuple(ksize, 2, "ksize"), normalize_tuple(strides, 2, "strides")

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
            ax.add_patch(_rect(c, r, 1, 1, face=face, edge="#555555", lw=1))
            ax.text(c + 0.5, r + 0.3, f"{x[r, c]:g}", ha="center", va="center", fontsize=11)
    for (i, j), col in colour.items():
        ax.add_patch(_rect(up_x0 + j, i, 1, 1, face=tuple(0.55 + 0.45 * np.array(to_rgb(col))), edge=col, lw=2))
        ax.text(up_x0 + j + 0.5, i + 0.5, f"{up[i, j]:.2g}", ha="center", va="center", fontsize=11)
    for r in range(h):
        for c in range(w):
            ax.add_patch(_rect(dx_x0 + c, r, 1, 1, face="white" if dx[r, c] == 0 else "#fde0dd", edge="#555555", lw=1))
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


# ----------------------------------------------------------------------------- 04-keras-pooling-layers
def sample_picture():
    """Grace Hopper's portrait in grey, shape (600, 512), float32 in [0, 1] (see ``data.grace_hopper``)."""
    from .data import grace_hopper as _load

    return _load(gray=True)


def max_vs_average(picture, pool_size):
    """The picture, Keras' MaxPooling2D of it and AveragePooling2D of it, side by side.

    Args:
        picture: array of shape (H, W).
        pool_size: an int or a pair; strides = pool_size, padding "valid" (the layers' defaults).

    Returns:
        The matplotlib ``Figure``. The pooled images come from the Keras layers
        (``references.keras_pooling_layer``).
    """
    x = np.asarray(picture, dtype=np.float32)[None, :, :, None]
    pooled = {m: references.keras_pooling_layer(x, pool_size, mode=m)[0, :, :, 0] for m in ("max", "avg")}
    return side_by_side(
        [picture, pooled["max"], pooled["avg"]],
        ["original", f"MaxPooling2D({pool_size})", f"AveragePooling2D({pool_size})"],
    )


EDGE_KERNELS = {
    "vertical edges": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "horizontal edges": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "diagonal edges": [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]],
    "bright spots": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}


def edge_feature_maps(picture, kernels=None):
    """A convolution layer's output by hand: fixed 3x3 kernels, VALID, then ReLU.

    Args:
        picture: array of shape (H, W).
        kernels: dict name -> 3x3 kernel (default :data:`EDGE_KERNELS`).

    Returns:
        (maps, names): float32 array of shape (1, H - 2, W - 2, C), one channel per kernel, computed
        with ``tf.nn.conv2d`` and ``tf.nn.relu``; and the kernels' names.
    """
    from . import tfops

    kernels = kernels or EDGE_KERNELS
    names = list(kernels)
    weights = np.stack([np.asarray(kernels[k], np.float32) for k in names], axis=-1)[:, :, None, :]
    x = np.asarray(picture, dtype=np.float32)[None, :, :, None]
    tf = tfops.tensorflow()
    maps = tfops.run(lambda: tf.nn.relu(tf.nn.conv2d(tfops.constant(x), tfops.constant(weights), 1, "VALID")).numpy())
    return maps, names


def feature_maps_before_after(maps, names, pool_size=2):
    """Each feature map (top row) above its MaxPooling2D(pool_size) output (bottom row).

    Args:
        maps: array of shape (1, H, W, C).
        names: C titles.
        pool_size: the layer's pool_size (strides = pool_size, padding "valid").

    Returns:
        The matplotlib ``Figure``; the pooled maps come from ``keras.layers.MaxPooling2D``.
    """
    import matplotlib.pyplot as plt

    pooled = references.keras_pooling_layer(maps, pool_size, mode="max")
    channels = maps.shape[-1]
    fig, axes = plt.subplots(2, channels, figsize=(3.0 * channels, 6.2), squeeze=False)
    for c in range(channels):
        for row, (data, what) in enumerate(((maps, "feature map"), (pooled, f"MaxPooling2D({pool_size})"))):
            ax = axes[row, c]
            ax.imshow(data[0, :, :, c], cmap="magma", interpolation="nearest")
            ax.set_title(f"{names[c]}\n{what} {data.shape[1]}x{data.shape[2]}", fontsize=9)
            ax.set_axis_off()
    fig.tight_layout()
    return fig


def global_pool_per_channel(maps, names):
    """One number per channel: each map with its global max and global average, and a bar chart.

    Args:
        maps: array of shape (1, H, W, C).
        names: C titles.

    Returns:
        The matplotlib ``Figure``; the numbers come from ``keras.layers.GlobalMaxPooling2D`` and
        ``GlobalAveragePooling2D`` (output shape (1, C)).
    """
    import matplotlib.pyplot as plt

    top = references.keras_global_pooling_layer(maps, "max")[0]
    mean = references.keras_global_pooling_layer(maps, "avg")[0]
    channels = maps.shape[-1]
    fig, axes = plt.subplots(1, channels + 2, figsize=(2.7 * (channels + 2.4), 3.3),
                             gridspec_kw={"width_ratios": [1] * channels + [1.2, 1.2]})
    for c in range(channels):
        axes[c].imshow(maps[0, :, :, c], cmap="magma", interpolation="nearest")
        axes[c].set_title(f"{names[c]}\nmax {top[c]:.2f}, average {mean[c]:.3f}", fontsize=9)
        axes[c].set_axis_off()
    where = np.arange(channels)
    labels = [n.replace(" ", "\n") for n in names]
    shape = f"(1, {maps.shape[1]}, {maps.shape[2]}, {channels}) -> (1, {channels})"
    for ax, values, layer, colour in ((axes[-2], top, "GlobalMaxPooling2D", "#1f77b4"),
                                      (axes[-1], mean, "GlobalAveragePooling2D", "#ff7f0e")):
        ax.bar(where, values, 0.6, color=colour)
        ax.set_xticks(where, labels, fontsize=7)
        ax.set_title(f"{layer}\n{shape}", fontsize=9)
    fig.tight_layout()
    return fig


__all__ += ["sample_picture", "max_vs_average", "edge_feature_maps", "feature_maps_before_after",
            "global_pool_per_channel", "EDGE_KERNELS"]


# ----------------------------------------------------------------------------- 03-tensorflow-max-pool
def grace_hopper(gray: bool = True) -> np.ndarray:
    """Grace Hopper's portrait from matplotlib's sample data (see ``data.grace_hopper``)."""
    from .data import grace_hopper as _load

    return _load(gray)


def _windows(n: int, k: int, s: int, padding: str) -> list[int]:
    """Start of every window along one axis, in input coordinates (negative inside top/left padding)."""

    if padding == "SAME":
        out, (before, _) = output_length(n, k, s, "SAME"), same_padding_split(n, k, s)
        return [i * s - before for i in range(out)]
    return list(range(0, n - k + 1, s))


def windows_on_image(image, ksize, strides, padding="VALID", highlight=((0, 0),), ax=None, title=None):
    """Every pooling window drawn over a picture (``image``: (H, W) or (H, W, 3)).

    Thin grey outlines show all windows, thick red ones the windows at the output positions in
    ``highlight``; with SAME, the padded border is drawn dashed around the picture.
    """
    import matplotlib.pyplot as plt

    image = np.asarray(image)
    height, width = image.shape[:2]
    kh, kw = normalize_tuple(ksize, 2, "ksize")
    sh, sw = normalize_tuple(strides, 2, "strides")
    rows, cols = _windows(height, kh, sh, padding), _windows(width, kw, sw, padding)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5.6))
    ax.imshow(image, cmap="gray", interpolation="nearest", extent=(0, width, height, 0))
    for r in rows:
        for c in cols:
            ax.add_patch(_rect(c, r, kw, kh, edge="#dddddd", lw=0.6))
    for i, j in highlight:
        ax.add_patch(_rect(cols[j], rows[i], kw, kh, lw=2.5))
    top, left = -min(rows[0], 0), -min(cols[0], 0)
    bottom, right = max(rows[-1] + kh - height, 0), max(cols[-1] + kw - width, 0)
    if top or left or bottom or right:
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((-left, -top), width + left + right, height + top + bottom, fill=False,
                               linestyle="--", edgecolor="#1f77b4", linewidth=1.5))
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
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle


    kh, kw = normalize_tuple(ksize, 2, "ksize")
    sh, sw = normalize_tuple(strides, 2, "strides")
    (out_h, (top, bottom)), (out_w, (left, right)) = ((output_length(n, k, s, "SAME"), same_padding_split(n, k, s))
                                                      for n, k, s in ((height, kh, sh), (width, kw, sw)))
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
    for i in range(out_h):
        for j in range(out_w):
            r0, c0 = i * sh - top, j * sw - left
            inset = 0.06 + 0.05 * ((i * out_w + j) % 4)
            colour = colours((i * out_w + j) % 10)
            ax.add_patch(Rectangle((c0 + inset, r0 + inset), kw - 2 * inset, kh - 2 * inset, fill=False,
                                   edgecolor=colour, linewidth=2))
            ax.text(c0 + inset + 0.05, r0 + inset + 0.05, f"({i},{j})", color=colour, fontsize=7,
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
    x = np.asarray(feature_map)[None, :, :, None]
    k, s = normalize_tuple(ksize, 2, "ksize"), normalize_tuple(strides, 2, "strides")
    pooled_max = references.tf_pool(x, k, s, padding, "max")[0, :, :, 0]
    pooled_avg = references.tf_pool(x, k, s, padding, "avg")[0, :, :, 0]
    return side_by_side([x[0, :, :, 0], pooled_max, pooled_avg],
                        [title, f"max pool {k[0]}x{k[1]}", f"average pool {k[0]}x{k[1]}"], cmap=cmap)


# ----------------------------------------------------------------------------- 01-convolution-output-sizes
def kernel_positions(image, kernel_size=3, positions=((0, 0), (9, 12), (25, 25)), title="input image"):
    """A kernel's window drawn at a few positions on an image, and how many positions there are.

    Args:
        image: array of shape (H, W).
        kernel_size: the kernel's side k (stride 1, VALID: it fits in (H - k + 1) x (W - k + 1)
            positions).
        positions: (row, column) of each window's top-left cell.
        title: the image's name in the panel title.

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt

    x = np.asarray(image)
    k = int(kernel_size)
    rows, cols = x.shape[0] - k + 1, x.shape[1] - k + 1
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    ax.imshow(x, cmap="gray", interpolation="nearest")
    colours = ("#d62728", "#ff7f0e", "#2ca02c", "#1f77b4", "#9467bd")
    for n, (r, c) in enumerate(positions):
        colour = colours[n % len(colours)]
        ax.add_patch(_rect(c - 0.5, r - 0.5, k, k, edge=colour, lw=2.5))
        ax.text(c + k / 2 - 0.5, r - 0.9, f"({r}, {c})", color=colour, ha="center", va="bottom", fontsize=8,
                fontweight="bold")
    ax.set_xticks([0, x.shape[1] - 1])
    ax.set_yticks([0, x.shape[0] - 1])
    ax.set_title(f"{title}: {x.shape[0]}x{x.shape[1]}; a {k}x{k} window fits at\n"
                 f"{rows} x {cols} = {rows * cols} positions (stride 1, VALID)", fontsize=10)
    fig.tight_layout()
    return fig


def feature_map_grid(maps, columns=8, title="feature maps", cmap="magma"):
    """Every channel of a channels-last stack of feature maps as a small image.

    Args:
        maps: array of shape (H, W, C) (one image's feature maps, NHWC without the N).
        columns: images per row.

    Returns:
        The matplotlib ``Figure`` (C panels, titled by channel index).
    """
    import matplotlib.pyplot as plt

    maps = np.asarray(maps)
    channels = maps.shape[-1]
    rows = -(-channels // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.35 * columns, 1.45 * rows + 0.5), squeeze=False)
    for c, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if c < channels:
            ax.imshow(maps[..., c], cmap=cmap, interpolation="nearest")
            ax.set_title(f"[..., {c}]", fontsize=7)
    fig.suptitle(f"{title}: shape {maps.shape} (H, W, C)", fontsize=10)
    fig.tight_layout()
    return fig


def padding_diagram(input_length, kernel_size, stride=1, dilation=1, ax=None):
    """TensorFlow's SAME padding along one axis: padded cells, input cells, and every window's taps.

    The padding ``(before, after)`` comes from TensorFlow itself
    (``autograder.chapter.conv_sizes.same_padding_reference`` probes ``tf.nn.conv2d``).

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt

    from .chapter.conv_sizes import same_padding_reference

    L, k, s, d = int(input_length), int(kernel_size), int(stride), int(dilation)
    before, after = same_padding_reference(L, k, s, d)
    out = -(-L // s)
    cells = before + L + after
    if ax is None:
        fig, ax = plt.subplots(figsize=(0.55 * cells + 2.2, 0.55 * (out + 2) + 0.6))
    else:
        fig = ax.figure
    for c in range(cells):
        pad = c < before or c >= before + L
        ax.add_patch(_rect(c, 0, 1, 1, face="#dddddd" if pad else "white", edge="#555555", lw=1))
        ax.text(c + 0.5, 0.5, "0" if pad else str(c - before), ha="center", va="center", fontsize=9,
                color="#888888" if pad else "black")
    for i in range(out):
        y = 1.4 + i * 0.55
        taps = [i * s + j * d for j in range(k)]
        ax.plot([taps[0] + 0.5, taps[-1] + 0.5], [y, y], color=_DONE, lw=1)
        for t in taps:
            colour = "#aaaaaa" if t < before or t >= before + L else _WINDOW
            ax.plot(t + 0.5, y, "o", color=colour, ms=6)
        ax.text(-0.3, y, f"out[{i}]", ha="right", va="center", fontsize=8)
    ax.set_xlim(-1.6, cells + 0.2)
    ax.set_ylim(1.4 + out * 0.55, -0.9)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"SAME, L={L}, kernel {k}, stride {s}, dilation {d}: TensorFlow pads "
                 f"{before} before and {after} after; {out} outputs", fontsize=9)
    return fig


__all__ += ["kernel_positions", "feature_map_grid", "padding_diagram"]


# ----------------------------------------------------------------------------- 06-fast-pooling
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

    kh, kw = normalize_tuple(ksize, 2, "ksize")
    sh, sw = normalize_tuple(strides, 2, "strides")
    x = np.arange(height * width, dtype=f"i{itemsize}").reshape(height, width)
    windows = sliding_window_view(x, (kh, kw))[::sh, ::sw]
    out_h, out_w = windows.shape[:2]
    pick = (min(1, out_h - 1), min(2, out_w - 1))
    gap = 0.7
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(0.55 * width + 0.55 * out_w * (kw + gap) + 1.5, 0.55 * max(height, out_h * (kh + gap)) + 1.4),
        gridspec_kw={"width_ratios": [width, out_w * (kw + gap)]})
    for r in range(height):
        for c in range(width):
            r0, c0 = pick[0] * sh, pick[1] * sw
            inside = r0 <= r < r0 + kh and c0 <= c < c0 + kw
            left.add_patch(_rect(c, r, 1, 1, face="#fde0dd" if inside else "white", edge="#555555", lw=1))
            left.text(c + 0.5, r + 0.5, str(x[r, c]), ha="center", va="center", fontsize=9)
    left.add_patch(_rect(pick[1] * sw, pick[0] * sh, kw, kh, lw=2.5))
    left.set_xlim(-0.1, width + 0.1)
    left.set_ylim(height + 0.1, -0.1)
    left.set_aspect("equal")
    left.set_axis_off()
    left.set_title(f"x: {height}x{width}, strides {x.strides} bytes", fontsize=9)
    for i in range(out_h):
        for j in range(out_w):
            x0, y0 = j * (kw + gap), i * (kh + gap)
            chosen = (i, j) == pick
            for a in range(kh):
                for b in range(kw):
                    right.add_patch(_rect(x0 + b, y0 + a, 1, 1, face="#fde0dd" if chosen else "#f4f4f4",
                                          edge="#888888", lw=0.8))
                    right.text(x0 + b + 0.5, y0 + a + 0.5, str(windows[i, j, a, b]), ha="center", va="center",
                               fontsize=8)
            right.add_patch(_rect(x0, y0, kw, kh, edge=_WINDOW if chosen else "#444444", lw=2.5 if chosen else 1.2))
            right.text(x0 + kw / 2, y0 - 0.08, f"[{i}, {j}]", ha="center", va="bottom", fontsize=7, color="#444444")
    right.set_xlim(-0.2, out_w * (kw + gap))
    right.set_ylim(out_h * (kh + gap), -0.5)
    right.set_aspect("equal")
    right.set_axis_off()
    right.set_title(f"windows = sliding_window_view(x, ({kh}, {kw}))" + (f"[::{sh}, ::{sw}]" if (sh, sw) != (1, 1) else "")
                    + f"\nshape {windows.shape}, strides {windows.strides} bytes: a view, nothing copied",
                    fontsize=9)
    fig.tight_layout()
    return fig


def memory_bars(sizes, reference=None, title="memory"):
    """A horizontal bar per approach: bytes it allocates (``sizes``: label -> bytes), in MB.

    ``reference`` (the input's size in bytes) is drawn as a dashed line, and each bar is
    labelled with its size and its multiple of the input.

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt

    labels = list(sizes)
    values = np.array([sizes[k] for k in labels], dtype=float) / 1e6
    fig, ax = plt.subplots(figsize=(8.5, 0.5 * len(labels) + 1.3))
    colours = [_DONE if v * 1e6 <= (reference or np.inf) * 1.5 else _WINDOW for v in values]
    ax.barh(range(len(labels)), values, color=colours)
    for y, v in enumerate(values):
        text = f"{v:.2f} MB" if v >= 0.01 else f"{v * 1e3:.1f} kB"
        if reference:
            ratio = v * 1e6 / reference
            text += f"  ({ratio:.2g}x the input)" if ratio >= 0.01 else "  (about nothing)"
        ax.text(v + values.max() * 0.01, y, text, va="center", fontsize=8)
    if reference:
        ax.axvline(reference / 1e6, color="#555555", linestyle="--", linewidth=1)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, values.max() * 1.3)
    ax.set_xlabel("MB allocated (peak, measured with tracemalloc)")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


__all__ += ["window_view", "memory_bars"]
