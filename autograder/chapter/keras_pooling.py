"""Exercises of ``04-keras-pooling-layers``: Keras' pooling layers written in numpy.

* ``keras_pool(x, pool_size, strides=None, padding="valid", data_format="channels_last", mode="max")``:
  1-D, 2-D or 3-D max or average pooling (the rank of ``x`` says which), checked against
  ``keras.layers.MaxPooling{1,2,3}D`` / ``AveragePooling{1,2,3}D``.
* ``global_pool(x, mode="max", data_format="channels_last", keepdims=False)``: checked against
  ``keras.layers.GlobalMaxPooling{1,2,3}D`` / ``GlobalAveragePooling{1,2,3}D``.
* ``lenet_shapes(input_shape=(28, 28, 1))``: every layer's output shape in the notebook's
  LeNet-style model (:func:`lenet_model`), checked against the model Keras builds.

Every reference is a Keras layer (or model) run through ``autograder.tfops`` (quiet, on the
chosen device); see ``autograder.references.keras_pooling_layer`` for what was found by
experiment. The rules the notebook states, and why:

* **letter case**: Keras takes ``padding`` and ``data_format`` in any letter case (``"SAME"``,
  ``"Valid"``, ``"Channels_First"``: found by experiment, same outputs as lower case; the
  references hand the strings to Keras as written), and so must the learner's functions.
* **dtype**: the layers' default dtype policy is float32, so float16 and float64 inputs come back
  as float32 (a float64 policy is no way out: ``MaxPooling3D``/``AveragePooling3D`` have no
  float64 CPU kernel in TF 2.21). Learners cast to float32 first and return float32.
* **SAME padding** follows TensorFlow: ``ceil(L / s)`` outputs, ``max((L' - 1) s + k - L, 0)``
  padding cells of which the smaller half goes before the input; an average counts only real
  cells, a max ignores the padding (it is never a zero).
* **Errors** (``ValueError``): a bad ``mode``, a rank other than 3, 4, 5 (Keras' own input check),
  a ``pool_size`` tuple of the wrong length (Keras' own argument check), and a VALID window
  larger than the input (Keras would kill the process with SIGFPE or return an empty array, so
  the task asks for a clear error instead); for ``lenet_shapes`` an input too small for the model
  (Keras: "Computed output size would be zero or negative").
"""
from __future__ import annotations

import numpy as np

from .. import references, tfops
from ..geometry import normalize_tuple, window
from ..cases import Case, feature_map, rng
from ..i18n import tr
from ..registry import Exercise, register

NOTEBOOK = "04-keras-pooling-layers"
FLOATS = (np.float16, np.float32, np.float64)
_RANK = {3: 1, 4: 2, 5: 3}


# ----------------------------------------------------------------------------- keras_pool
def keras_pool_reference(x, pool_size, strides=None, padding="valid", data_format="channels_last", mode="max",
                         *, device_name=None):
    """The Keras pooling layer's output for these arguments (see the module docstring)."""
    return references.keras_pooling_layer(x, pool_size, strides, padding, data_format, mode,
                                          device_name=device_name)


def _window_bounds(case: Case, out_index: tuple) -> tuple[list, list]:
    """For one output position: the input rows/cols/... (start, stop) its window covers."""
    kw = case.kwargs
    x = kw["x"]
    n = x.ndim - 2
    first = str(kw.get("data_format", "channels_last")).lower() == "channels_first"
    spatial = x.shape[2:] if first else x.shape[1:-1]
    pool = normalize_tuple(kw["pool_size"], n, "pool_size")
    step = pool if kw.get("strides") is None else normalize_tuple(kw["strides"], n, "strides")
    spans = [window(i, size, k, s, kw.get("padding", "valid")) for i, size, k, s in zip(out_index, spatial, pool, step)]
    return [w.real_start for w in spans], [w.real_stop for w in spans]


def _keras_pool_explain(case: Case, index: tuple) -> str:
    x = case.kwargs["x"]
    first = str(case.kwargs.get("data_format", "channels_last")).lower() == "channels_first"
    batch, channel = index[0], (index[1] if first else index[-1])
    spatial_index = index[2:] if first else index[1:-1]
    starts, stops = _window_bounds(case, spatial_index)
    ranges = [f"{a}:{b}" for a, b in zip(starts, stops)]
    where = [str(batch), str(channel), *ranges] if first else [str(batch), *ranges, str(channel)]
    window = x[(batch, channel) + tuple(slice(a, b) for a, b in zip(starts, stops))] if first else \
        x[(batch,) + tuple(slice(a, b) for a, b in zip(starts, stops)) + (channel,)]
    text = tr("output[{index}] comes from the window x[{where}]", index=", ".join(map(str, index)),
              where=", ".join(where))
    if window.size <= 27:
        text += " = " + " ".join(np.array2string(window, separator=", ").split())
    if str(case.kwargs.get("padding", "valid")).lower() == "same":
        text += tr(" (SAME: only these real cells count; the padding is neither a zero nor part of the average)")
    return text


def _x(g, shape, dtype=np.float32, ties=True):
    return feature_map(g, shape, dtype, ties=ties)


def keras_pool_visible():
    g = rng(4)
    chapter = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
    return [
        Case(dict(x=chapter, pool_size=2, strides=1),
             "the chapter's 3x3 map as a (1, 3, 3, 1) batch, 2x2 window, strides 1"),
        Case(dict(x=_x(g, (2, 4, 6, 3)), pool_size=2),
             "MaxPooling2D(2): strides=None means strides = pool_size; 2 images, 3 channels"),
        Case(dict(x=_x(g, (2, 4, 4, 2)), pool_size=(2, 2), mode="avg"),
             "AveragePooling2D((2, 2)), 2 images, 2 channels"),
        Case(dict(x=_x(g, (2, 7, 3)), pool_size=3, strides=2),
             "MaxPooling1D(3, strides=2) on a (2, 7, 3) sequence batch"),
        Case(dict(x=_x(g, (1, 4, 4, 6, 2)), pool_size=(2, 2, 3), mode="avg"),
             "AveragePooling3D((2, 2, 3)) on one 4x4x6 volume"),
        Case(dict(x=-np.abs(_x(g, (1, 5, 5, 2))) - 1, pool_size=2, padding="same"),
             "MaxPooling2D(2, padding='same') on an all-negative map: the padding is not a zero"),
        Case(dict(x=_x(g, (1, 5, 5, 1)), pool_size=2, padding="same", mode="avg"),
             "AveragePooling2D(2, padding='same'): edge windows average fewer cells"),
        Case(dict(x=_x(g, (2, 3, 4, 6)), pool_size=(2, 3), data_format="channels_first"),
             "channels_first: (N, C, H, W) = (2, 3, 4, 6)"),
        Case(dict(x=_x(g, (2, 4, 4, 3), np.float64), pool_size=2, mode="avg"),
             "a float64 input: the layer returns float32"),
        Case(dict(x=_x(g, (1, 5, 4, 2)), pool_size=2, padding="SAME"),
             "padding='SAME' in capitals: Keras takes any letter case"),
        Case(dict(x=_x(g, (2, 5, 3)), pool_size=2, padding="Valid", mode="avg"),
             "padding='Valid': VALID, whatever the letter case"),
        Case(dict(x=_x(g, (2, 3, 4, 6)), pool_size=2, data_format="Channels_First"),
             "data_format='Channels_First': channels first, whatever the letter case"),
        Case(dict(x=chapter, pool_size=2, strides=1, mode="min"),
             "mode='min' is not a pooling mode", raises=ValueError),
        Case(dict(x=chapter, pool_size=4, strides=1),
             "a VALID 4x4 window does not fit in a 3x3 map", raises=ValueError),
        Case(dict(x=chapter[0, :, :, 0], pool_size=2),
             "a 2-D array (3, 3) has no batch and channel axes", raises=ValueError),
    ]


def _random_pool_case(g, rank):
    n = rank - 2
    hi = {1: 10, 2: 7, 3: 5}[n]
    spatial = tuple(int(v) for v in g.integers(1, hi + 1, size=n))
    batch, channels = int(g.integers(1, 4)), int(g.integers(1, 4))
    padding = str(g.choice(["valid", "same"]))
    pool = tuple(int(g.integers(1, (size if padding == "valid" else size + 2) + 1)) for size in spatial)
    pool_size = pool[0] if len(set(pool)) == 1 and g.random() < 0.6 else pool
    r = g.random()
    strides = None if r < 0.4 else (int(g.integers(1, 4)) if r < 0.7 else tuple(int(v) for v in g.integers(1, 4, size=n)))
    data_format = str(g.choice(["channels_last", "channels_first"]))
    mode = str(g.choice(["max", "avg"]))
    dtype = FLOATS[int(g.integers(len(FLOATS)))]
    shape = (batch, *spatial, channels) if data_format == "channels_last" else (batch, channels, *spatial)
    x = _x(g, shape, dtype, ties=g.random() < 0.7)
    kwargs = dict(x=x, pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, mode=mode)
    label = f"random {n}-D {padding} {mode} pooling, {data_format}, {np.dtype(dtype).name} input of shape {shape}"
    return Case(kwargs, label)


def keras_pool_hidden(g):
    cases = [
        Case(dict(x=-np.abs(_x(g, (2, 6, 2))) - 0.5, pool_size=3, strides=2, padding="same"),
             "MaxPooling1D SAME on all-negative sequences"),
        Case(dict(x=_x(g, (1, 7, 3), ties=False), pool_size=4, strides=1, padding="same", mode="avg"),
             "AveragePooling1D SAME, window 4 stride 1: padding split 1 before, 2 after"),
        Case(dict(x=_x(g, (1, 2, 5, 4, 3)), pool_size=(2, 3, 2), strides=(1, 2, 2), padding="same",
                  data_format="channels_first", mode="avg"),
             "AveragePooling3D SAME, channels_first (N, C, D, H, W)"),
        Case(dict(x=_x(g, (3, 5, 5, 2)), pool_size=2, strides=3),
             "strides larger than the window skip cells"),
        Case(dict(x=_x(g, (4, 6, 6, 4), ties=False), pool_size=(3, 1), mode="avg"),
             "four different images, four channels, a (3, 1) window"),
        Case(dict(x=_x(g, (2, 3, 5, 2), np.float16), pool_size=(1, 2), padding="same", mode="avg"),
             "a float16 input: cast to float32 before averaging"),
        Case(dict(x=_x(g, (1, 3, 3, 3, 1), np.float64, ties=False), pool_size=3, mode="max"),
             "a float64 3-D volume pooled to one cell"),
        Case(dict(x=_x(g, (2, 1, 1, 3)), pool_size=3, padding="same", mode="avg"),
             "SAME on a 1x1 map with a 3x3 window"),
        Case(dict(x=_x(g, (1, 5, 4, 3, 2)), pool_size=2, strides=(2, 1, 2), padding="VALID", mode="max"),
             "padding='VALID' in capitals, 3-D"),
        Case(dict(x=-np.abs(_x(g, (2, 7, 2))) - 1, pool_size=3, strides=2, padding="Same", mode="max"),
             "padding='Same' on all-negative sequences"),
        Case(dict(x=_x(g, (2, 2, 5, 5)), pool_size=(2, 3), strides=2, padding="sAmE",
                  data_format="CHANNELS_FIRST", mode="avg"),
             "padding='sAmE' and data_format='CHANNELS_FIRST'"),
        Case(dict(x=_x(g, (2, 5, 6, 3)), pool_size=3, strides=(1, 2), padding="same", data_format="Channels_Last"),
             "data_format='Channels_Last'"),
        Case(dict(x=_x(g, (2, 5, 1)), pool_size=(2, 2)),
             "pool_size with 2 entries for a 1-D input", raises=ValueError),
        Case(dict(x=_x(g, (1, 2, 2, 2, 2, 1)), pool_size=2),
             "a rank-6 input has no pooling layer", raises=ValueError),
        Case(dict(x=_x(g, (1, 4, 4, 1)), pool_size=2, mode="average"),
             "mode='average' is spelled 'avg' here", raises=ValueError),
        Case(dict(x=_x(g, (1, 2, 6, 3, 1)), pool_size=(3, 2, 2), data_format="channels_last"),
             "a VALID window deeper than the volume", raises=ValueError),
    ]
    for i in range(30):
        cases.append(_random_pool_case(g, (3, 4, 5)[i % 3]))
    return cases


register(Exercise(
    name="keras_pool",
    function="keras_pool",
    signature="(x, pool_size, strides=None, padding='valid', data_format='channels_last', mode='max')",
    notebook=NOTEBOOK,
    points={"visible": 2, "hidden": 4},
    visible_cases=keras_pool_visible,
    hidden_cases=keras_pool_hidden,
    reference=keras_pool_reference,
    reference_op="keras.layers.MaxPooling{1,2,3}D / AveragePooling{1,2,3}D (dtype policy float32)",
    covers="the chapter's example, strides=None, 1-D, 2-D and 3-D, SAME max and average, channels_first, "
           "a float64 input, padding and data_format in any letter case, and the three ValueErrors",
    hints=(
        "Ask the layers first: run `layers.MaxPooling1D` and `layers.AveragePooling2D` on small inputs you can "
        "pool by hand (as in the sections *`padding`* and *`data_format`*), with `padding=\"same\"` and "
        "`\"SAME\"`, channels last and first, and say why each output has its shape and values.",
        "Bring every call to one form: `n = x.ndim - 2` spatial axes, `pool_size` and `strides` as tuples of `n` "
        "ints (`strides=None` means `pool_size`), the strings in lower case, float32, channels last (move the "
        "channel axis there and back at the end). Each output position is then the max or mean of one window of "
        "real cells, clipped to the input along every spatial axis.",
        "Per axis, `\"valid\"` gives `(L - k) // s + 1` outputs; `\"same\"` gives `-(-L // s)` and pads "
        "`max((out - 1) * s + k - L, 0) // 2` cells before. `np.ndindex(*out_sizes)` walks over every output "
        "position for any number of axes, and `x[(slice(None), *window, slice(None))]` (a tuple of `slice`s) is "
        "one window for the whole batch and every channel.",
    ),
    explain=_keras_pool_explain,
))


# ----------------------------------------------------------------------------- global_pool
def global_pool_reference(x, mode="max", data_format="channels_last", keepdims=False, *, device_name=None):
    """The Keras global pooling layer's output for these arguments."""
    return references.keras_global_pooling_layer(x, mode, data_format, keepdims, device_name=device_name)


def _global_pool_explain(case: Case, index: tuple) -> str:
    x = case.kwargs["x"]
    first = str(case.kwargs.get("data_format", "channels_last")).lower() == "channels_first"
    n = x.ndim - 2
    batch = index[0]
    channel = index[1] if (first or len(index) == 2) else index[-1]
    spatial = ", ".join([":"] * n)
    where = f"x[{batch}, {channel}, {spatial}]" if first else f"x[{batch}, {spatial}, {channel}]"
    return tr("output[{index}] summarises every position of one channel of one example: {where}",
              index=", ".join(map(str, index)), where=where)


def global_pool_visible():
    g = rng(40)
    return [
        Case(dict(x=_x(g, (2, 3, 3, 4))), "GlobalMaxPooling2D on 2 images with 4 channels"),
        Case(dict(x=_x(g, (3, 5, 2)), mode="avg"), "GlobalAveragePooling1D on 3 sequences"),
        Case(dict(x=_x(g, (2, 2, 3, 4, 3)), mode="avg", keepdims=True),
             "GlobalAveragePooling3D with keepdims=True"),
        Case(dict(x=_x(g, (2, 3, 4, 5)), data_format="channels_first"), "channels_first: (N, C, H, W)"),
        Case(dict(x=_x(g, (2, 3, 4)), mode="avg", data_format="channels_first", keepdims=True),
             "channels_first 1-D with keepdims=True"),
        Case(dict(x=-np.abs(_x(g, (2, 3, 3, 2))) - 1), "all-negative maps: the max is negative"),
        Case(dict(x=_x(g, (2, 4, 4, 3), np.float64, ties=False), mode="avg"),
             "a float64 input: the layer returns float32"),
        Case(dict(x=_x(g, (2, 3, 4, 5)), mode="avg", data_format="Channels_First", keepdims=True),
             "data_format='Channels_First': channels first, whatever the letter case"),
        Case(dict(x=_x(g, (2, 4, 3)), data_format="CHANNELS_LAST"),
             "data_format='CHANNELS_LAST' in capitals"),
        Case(dict(x=_x(g, (1, 3, 3, 1)), mode="sum"), "mode='sum' is not a pooling mode", raises=ValueError),
        Case(dict(x=_x(g, (3, 3))), "a 2-D array (3, 3) has no batch and channel axes", raises=ValueError),
    ]


def global_pool_hidden(g):
    cases = [
        Case(dict(x=_x(g, (1, 1, 1, 5)), mode="avg"), "a 1x1 map: the output is the input's channels"),
        Case(dict(x=_x(g, (4, 2, 2, 2, 2), np.float16), mode="max", data_format="channels_first", keepdims=True),
             "float16 channels_first 3-D with keepdims"),
        Case(dict(x=-np.abs(_x(g, (3, 7, 2))) - 0.25, keepdims=True), "all-negative sequences, keepdims"),
        Case(dict(x=_x(g, (5, 3, 3, 1), ties=False), mode="avg"), "five images, one channel"),
        Case(dict(x=_x(g, (2, 3, 2, 3, 4)), mode="max", data_format="channels_First"),
             "data_format='channels_First', 3-D"),
        Case(dict(x=_x(g, (3, 2, 4, 2)), mode="avg", data_format="Channels_Last", keepdims=True),
             "data_format='Channels_Last' with keepdims"),
        Case(dict(x=_x(g, (2, 2, 2, 2, 2, 2)), mode="avg"), "a rank-6 input", raises=ValueError),
        Case(dict(x=_x(g, (2, 3, 3, 2)), mode="mean"), "mode='mean' is spelled 'avg' here", raises=ValueError),
    ]
    for i in range(24):
        rank = (3, 4, 5)[i % 3]
        n = rank - 2
        spatial = tuple(int(v) for v in g.integers(1, {1: 9, 2: 6, 3: 4}[n] + 1, size=n))
        batch, channels = int(g.integers(1, 5)), int(g.integers(1, 5))
        data_format = str(g.choice(["channels_last", "channels_first"]))
        mode = str(g.choice(["max", "avg"]))
        keepdims = bool(g.random() < 0.4)
        dtype = FLOATS[int(g.integers(len(FLOATS)))]
        shape = (batch, *spatial, channels) if data_format == "channels_last" else (batch, channels, *spatial)
        x = _x(g, shape, dtype, ties=g.random() < 0.7)
        cases.append(Case(dict(x=x, mode=mode, data_format=data_format, keepdims=keepdims),
                          f"random {n}-D global {mode}, {data_format}, keepdims={keepdims}, "
                          f"{np.dtype(dtype).name} input of shape {shape}"))
    return cases


register(Exercise(
    name="global_pool",
    function="global_pool",
    signature="(x, mode='max', data_format='channels_last', keepdims=False)",
    notebook=NOTEBOOK,
    points={"visible": 1, "hidden": 2},
    visible_cases=global_pool_visible,
    hidden_cases=global_pool_hidden,
    reference=global_pool_reference,
    reference_op="keras.layers.GlobalMaxPooling{1,2,3}D / GlobalAveragePooling{1,2,3}D (dtype policy float32)",
    covers="1-D, 2-D and 3-D, max and average, channels_first, keepdims, negatives, a float64 input, "
           "data_format in any letter case, and the two ValueErrors",
    hints=(
        "A global pooling layer is a window pooling layer whose window is the whole map. Which axes of `x` does it "
        "reduce, and which does it keep, for each `data_format`?",
        "numpy reduces several axes in one call, and keeps them as 1s if asked: no loop is needed. Read "
        "`data_format` in any letter case and cast to float32 first, as the layer does.",
        "The spatial axes are `tuple(range(1, x.ndim - 1))` for channels_last and `tuple(range(2, x.ndim))` for "
        "channels_first; `x.max(axis=axes, keepdims=keepdims)` or `x.mean(axis=axes, keepdims=keepdims, "
        "dtype=np.float32)`.",
    ),
    explain=_global_pool_explain,
))


# ----------------------------------------------------------------------------- lenet_shapes
def lenet_model(input_shape=(28, 28, 1)):
    """The notebook's LeNet-style model (the definition the exercise is checked against).

    ``Input(input_shape)`` -> ``Conv2D(32, 3, relu)`` -> ``MaxPooling2D(2)`` -> ``Conv2D(64, 3, relu)``
    -> ``MaxPooling2D(2)`` -> ``Flatten()`` -> ``Dense(128, relu)`` -> ``Dense(10, softmax)``;
    every Conv2D and MaxPooling2D with Keras' defaults: padding "valid", channels_last, pooling
    strides = pool_size. Call under ``tfops.run`` (quiet).
    """
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=tuple(input_shape)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


def lenet_shapes_reference(input_shape=(28, 28, 1), *, device_name=None):
    """Each layer's output shape in the model Keras builds, batch as None: a tuple of tuples."""
    tfops.tensorflow()
    model = tfops.run(lenet_model, input_shape, device_name=device_name)
    return tuple(tuple(None if d is None else int(d) for d in layer.output.shape) for layer in model.layers)


def lenet_shapes_visible():
    return [
        Case(dict(), "the default MNIST input (28, 28, 1)"),
        Case(dict(input_shape=(32, 32, 3)), "a 32x32 RGB image (CIFAR-10)"),
        Case(dict(input_shape=(10, 12, 1)), "the smallest input whose last pool still fits: 10 rows"),
        Case(dict(input_shape=(9, 9, 1)), "a 9x9 input: the second pool gets a 1x1 map", raises=ValueError),
    ]


def lenet_shapes_hidden(g):
    cases = [
        Case(dict(input_shape=(29, 29, 1)), "29x29: odd sizes where pooling drops a row"),
        Case(dict(input_shape=(64, 48, 3)), "a 64x48 RGB image"),
        Case(dict(input_shape=(12, 30, 2)), "a wide 12x30 input with 2 channels"),
        Case(dict(input_shape=(28, 6, 1)), "a 28x6 strip: too narrow", raises=ValueError),
        Case(dict(input_shape=(2, 2, 1)), "a 2x2 input: the first convolution does not fit", raises=ValueError),
        Case(dict(input_shape=(6, 40, 1)), "6 rows: the second convolution gets 2 rows", raises=ValueError),
    ]
    for _ in range(12):
        h, w = (int(v) for v in g.integers(10, 97, size=2))
        c = int(g.integers(1, 5))
        cases.append(Case(dict(input_shape=(h, w, c)), f"a random {h}x{w}x{c} input"))
    return cases


register(Exercise(
    name="lenet_shapes",
    function="lenet_shapes",
    signature="(input_shape=(28, 28, 1))",
    notebook=NOTEBOOK,
    points={"visible": 1, "hidden": 2},
    visible_cases=lenet_shapes_visible,
    hidden_cases=lenet_shapes_hidden,
    reference=lenet_shapes_reference,
    reference_op="keras.Sequential (layer.output.shape of each layer)",
    covers="the MNIST and CIFAR-10 inputs, the smallest input that fits, and a ValueError for a too small one",
    hints=(
        "Look at `model.summary()` above for the default input and follow one side length through it: which "
        "layers change the height and width, which change the channels, which change neither?",
        "Each layer's output is the next layer's input: compute the sizes one layer at a time with the output "
        "length of a VALID window (notebooks 01 and 02), and check each as soon as you have it (a size below 1 is "
        "a `ValueError`). `Flatten` multiplies what is left; `Dense(n)` outputs `(None, n)` whatever it gets.",
        "A 3x3 VALID convolution: $L \\to L - 2$, 32 then 64 channels; `MaxPooling2D(2)`: "
        "$L \\to \\lfloor (L - 2)/2 \\rfloor + 1$, the channels kept.",
    ),
))
