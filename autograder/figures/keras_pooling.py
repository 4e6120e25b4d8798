"""Figures of 04-keras-pooling-layers: Keras' pooling layers on a photograph and on feature maps.

The photograph's max vs average figure is :func:`autograder.figures.tf_max_pool.max_vs_average`,
shared with 03-tensorflow-max-pool; this notebook uses its default, ``api="keras"``.
"""
from __future__ import annotations

import numpy as np

from .. import references
from ..i18n import tr

__all__ = ["sample_picture", "EDGE_KERNELS", "edge_feature_maps", "feature_maps_before_after",
           "global_pool_per_channel"]


def sample_picture():
    """Grace Hopper's portrait in grey, shape (600, 512), float32 in [0, 1] (see ``data.grace_hopper``)."""
    from ..data import grace_hopper as _load

    return _load(gray=True)


EDGE_KERNELS = {
    "vertical edges": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "horizontal edges": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "diagonal edges": [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]],
    "bright spots": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}


def _kernel_name(name: str) -> str:
    """A kernel's name as the figures show it: :data:`EDGE_KERNELS`' names in the language spoken, others as given."""
    shown = {"vertical edges": tr("vertical edges"), "horizontal edges": tr("horizontal edges"),
             "diagonal edges": tr("diagonal edges"), "bright spots": tr("bright spots")}
    return shown.get(name, name)


def edge_feature_maps(picture, kernels=None):
    """A convolution layer's output by hand: fixed 3x3 kernels, VALID, then ReLU.

    Args:
        picture: array of shape (H, W).
        kernels: dict name -> 3x3 kernel (default :data:`EDGE_KERNELS`).

    Returns:
        (maps, names): float32 array of shape (1, H - 2, W - 2, C), one channel per kernel, computed
        with ``tf.nn.conv2d`` and ``tf.nn.relu``; and the kernels' names.
    """
    from .. import tfops

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
        for row, (data, what) in enumerate(((maps, tr("feature map")), (pooled, f"MaxPooling2D({pool_size})"))):
            ax = axes[row, c]
            ax.imshow(data[0, :, :, c], cmap="magma", interpolation="nearest")
            ax.set_title(f"{_kernel_name(names[c])}\n{what} {data.shape[1]}x{data.shape[2]}", fontsize=9)
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
        axes[c].set_title(_kernel_name(names[c]) + "\n" + tr("max {top:.2f}, average {mean:.3f}", top=top[c],
                                                                     mean=mean[c]), fontsize=9)
        axes[c].set_axis_off()
    where = np.arange(channels)
    labels = [_kernel_name(n).replace(" ", "\n") for n in names]
    shape = f"(1, {maps.shape[1]}, {maps.shape[2]}, {channels}) -> (1, {channels})"
    for ax, values, layer, colour in ((axes[-2], top, "GlobalMaxPooling2D", "#1f77b4"),
                                      (axes[-1], mean, "GlobalAveragePooling2D", "#ff7f0e")):
        ax.bar(where, values, 0.6, color=colour)
        ax.set_xticks(where, labels, fontsize=7)
        ax.set_title(f"{layer}\n{shape}", fontsize=9)
    fig.tight_layout()
    return fig
