"""The notebooks' pictures, drawn with matplotlib (imported by the notebooks, never pasted).

One module per notebook, named like the exercise modules in :mod:`autograder.chapter`:

* :mod:`.conv_sizes`: 01-convolution-output-sizes;
* :mod:`.pooling_math`: 02-pooling-math;
* :mod:`.tf_max_pool`: 03-tensorflow-max-pool;
* :mod:`.keras_pooling`: 04-keras-pooling-layers;
* :mod:`.pooling_gradients`: 05-pooling-gradients;
* :mod:`.fast_pooling`: 06-fast-pooling;

and :mod:`._draw` for what they share (colours, rectangles, grids of numbered cells). Every
public name is re-exported here, so a notebook writes ``from autograder.figures import X``.
Pooled values and gradients come from TensorFlow (:mod:`autograder.references`), never from a
learner's code; matplotlib is imported when a figure is drawn, not when this package is.
"""
from .conv_sizes import feature_map_grid, kernel_positions, padding_diagram, side_by_side
from .pooling_math import pooling_steps
from .tf_max_pool import grace_hopper, max_vs_average, same_padding_grid, windows_on_image
from .keras_pooling import (EDGE_KERNELS, edge_feature_maps, feature_maps_before_after, global_pool_per_channel,
                            sample_picture)
from .pooling_gradients import gradient_routes
from .fast_pooling import memory_bars, window_view

__all__ = [
    # 01-convolution-output-sizes
    "side_by_side", "kernel_positions", "feature_map_grid", "padding_diagram",
    # 02-pooling-math
    "pooling_steps",
    # 03-tensorflow-max-pool
    "grace_hopper", "windows_on_image", "same_padding_grid", "max_vs_average",  # max_vs_average: 04 too
    # 04-keras-pooling-layers
    "sample_picture", "EDGE_KERNELS", "edge_feature_maps", "feature_maps_before_after",
    "global_pool_per_channel",
    # 05-pooling-gradients
    "gradient_routes",
    # 06-fast-pooling
    "window_view", "memory_bars",
]
