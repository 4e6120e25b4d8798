"""Keras' pooling layers on numpy inputs (notebook 04).

Found by experiment (TF 2.21, Keras 3.15, CPU):
* a pooling layer built with the default dtype policy ("float32") casts float16 and float64
  inputs to float32 and returns float32; with dtype="float64" it keeps float64 in 1-D and 2-D,
  but MaxPooling3D/AveragePooling3D have no float64 (or float16) CPU kernel and fail. The
  references build every layer with dtype="float32" (the default, passed explicitly so that a
  changed keras.json or global mixed-precision policy cannot move them);
* data_format="channels_first" works on the CPU for every dtype: Keras' TensorFlow backend
  transposes to channels_last, pools and transposes back;
* ``padding`` and ``data_format`` may be written in any letter case: ``MaxPooling2D(2, padding="SAME")``
  and ``data_format="Channels_First"`` give the lower-case layer's outputs (Keras lowers
  ``data_format`` in the constructor and its TensorFlow backend upper-cases ``padding``); the
  references check the strings in lower case but hand them to Keras exactly as written, so that
  a Keras that stopped taking them would fail here, not be hidden;
* a VALID window larger than the input reaches tf.nn.max_pool unguarded: one larger kills the
  process (SIGFPE) for max pooling, so such calls never reach Keras here.
"""
from __future__ import annotations

import numpy as np

from .. import tfops
from ..geometry import normalize_tuple
from .pooling import refuse_oversized_valid

__all__ = ["keras_pooling_layer", "keras_global_pooling_layer", "POOL_RANKS", "DATA_FORMATS"]

POOL_RANKS = {3: 1, 4: 2, 5: 3}  # input rank -> spatial dimensions (1-D, 2-D, 3-D layers)
DATA_FORMATS = ("channels_last", "channels_first")


def _keras_check(x, mode, data_format):
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg'; received {mode!r}")
    if str(data_format).lower() not in DATA_FORMATS:
        raise ValueError(f"data_format must be one of {DATA_FORMATS}; received {data_format!r}")
    if x.ndim not in POOL_RANKS:
        raise ValueError(f"x must have rank 3, 4 or 5 (1-D, 2-D or 3-D pooling); received shape {x.shape}")
    return POOL_RANKS[x.ndim]


def keras_pooling_layer(x, pool_size, strides=None, padding="valid", data_format="channels_last", mode="max",
                        *, device_name=None):
    """``keras.layers.MaxPooling{1,2,3}D`` / ``AveragePooling{1,2,3}D`` applied to ``x``.

    The layer is chosen by ``x.ndim`` (3 -> 1-D, 4 -> 2-D, 5 -> 3-D) and ``mode``, built with
    the default dtype policy (float32), ``padding`` and ``data_format`` as written (any letter
    case), and called on ``tf.constant(x)``.

    Returns:
        numpy array: the layer's output values, shape and dtype (float32).
    """
    x = np.asarray(x)
    n = _keras_check(x, mode, data_format)
    pool = normalize_tuple(pool_size, n, "pool_size")
    step = pool if strides is None else normalize_tuple(strides, n, "strides")
    if str(padding).lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same' (any letter case); received {padding!r}")
    if min(pool) < 1 or min(step) < 1:
        raise ValueError(f"pool_size {pool} and strides {step} must be positive")
    spatial = x.shape[2:] if str(data_format).lower() == "channels_first" else x.shape[1:-1]
    refuse_oversized_valid(padding, pool, spatial, "Keras")
    name = ("MaxPooling" if mode == "max" else "AveragePooling") + f"{n}D"

    def call():
        import keras  # after tfops.tensorflow(): inside run, quiet

        layer = getattr(keras.layers, name)(pool_size=pool, strides=step, padding=padding,
                                            data_format=data_format, dtype="float32")
        return layer(tfops.constant(x)).numpy()

    tfops.tensorflow()
    return tfops.run(call, device_name=device_name)


def keras_global_pooling_layer(x, mode="max", data_format="channels_last", keepdims=False, *, device_name=None):
    """``keras.layers.GlobalMaxPooling{1,2,3}D`` / ``GlobalAveragePooling{1,2,3}D`` applied to ``x``.

    Chosen by ``x.ndim`` and ``mode``, built with the default dtype policy (float32).

    Returns:
        numpy array of shape (N, C), or with ``keepdims`` (N, 1, ..., 1, C) / (N, C, 1, ..., 1); float32.
    """
    x = np.asarray(x)
    n = _keras_check(x, mode, data_format)
    name = ("GlobalMaxPooling" if mode == "max" else "GlobalAveragePooling") + f"{n}D"

    def call():
        import keras

        layer = getattr(keras.layers, name)(data_format=data_format, keepdims=bool(keepdims), dtype="float32")
        return layer(tfops.constant(x)).numpy()

    tfops.tensorflow()
    return tfops.run(call, device_name=device_name)
