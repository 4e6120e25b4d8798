"""04-keras-pooling-layers: what the Keras references do, and that the notebook's rules hold.

The notebook states facts about Keras 3.15 on TensorFlow 2.21 that were found by experiment; these
tests pin them, so an upgrade that changes one fails here first:

* output shapes of every layer kind (a table, like keras' own max_pooling_test.py);
* the default dtype policy: float16/float32/float64 in, float32 out;
* channels_first on the CPU gives the channels_last numbers, transposed;
* SAME padding: ceil(L / s) outputs, the smaller half of the padding first, padding never counted;
* the ValueErrors the task asks for are the ones Keras raises itself (where it raises at all),
  and a VALID window larger than the input never reaches Keras;
* the model the exercise is checked against is the one the notebook builds.
"""
import contextlib
import io

import numpy as np
import pytest

import autograder
from autograder import references, tfops
from autograder.cases import feature_map, rng
from autograder.chapter import keras_pooling
from tests.helpers import read

ASSIGNMENT = "04-keras-pooling-layers"

# (mode, pool_size, strides, padding, data_format, input shape, expected output shape)
SHAPES = [
    ("max", 2, None, "valid", "channels_last", (2, 7, 3), (2, 3, 3)),
    ("avg", 3, 1, "same", "channels_last", (1, 5, 2), (1, 5, 2)),
    ("max", 2, None, "valid", "channels_first", (2, 3, 7), (2, 3, 3)),
    ("max", 2, None, "valid", "channels_last", (1, 28, 28, 32), (1, 14, 14, 32)),
    ("max", 2, None, "valid", "channels_last", (1, 11, 11, 64), (1, 5, 5, 64)),
    ("avg", (2, 3), (1, 2), "same", "channels_last", (2, 5, 5, 1), (2, 5, 3, 1)),
    ("avg", (2, 3), None, "valid", "channels_first", (2, 3, 4, 6), (2, 3, 2, 2)),
    ("max", 2, None, "same", "channels_last", (1, 3, 5, 7, 2), (1, 2, 3, 4, 2)),
    ("avg", (1, 2, 3), 2, "valid", "channels_first", (1, 2, 3, 4, 6), (1, 2, 2, 2, 2)),
]


@pytest.mark.parametrize("mode,pool,strides,padding,data_format,shape,expected", SHAPES)
def test_output_shapes(mode, pool, strides, padding, data_format, shape, expected):
    x = np.zeros(shape, np.float32)
    out = references.keras_pooling_layer(x, pool, strides, padding, data_format, mode)
    assert out.shape == expected


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("rank", [3, 4, 5])
def test_default_dtype_policy_returns_float32(dtype, rank):
    """A layer built without dtype= (what a learner writes) casts to float32; so does the reference."""
    import keras

    x = feature_map(rng(rank), (2,) + (4,) * (rank - 2) + (3,), dtype)
    n = rank - 2
    for mode, name in (("max", f"MaxPooling{n}D"), ("avg", f"AveragePooling{n}D")):
        plain = tfops.run(lambda: getattr(keras.layers, name)(2)(tfops.constant(x)).numpy())
        assert plain.dtype == np.float32
        np.testing.assert_array_equal(references.keras_pooling_layer(x, 2, mode=mode), plain)
    for mode, name in (("max", f"GlobalMaxPooling{n}D"), ("avg", f"GlobalAveragePooling{n}D")):
        plain = tfops.run(lambda: getattr(keras.layers, name)()(tfops.constant(x)).numpy())
        assert plain.dtype == np.float32
        np.testing.assert_array_equal(references.keras_global_pooling_layer(x, mode), plain)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rank", [3, 4, 5])
def test_channels_first_is_channels_last_transposed(dtype, rank):
    g = rng(100 + rank)
    x = feature_map(g, (2,) + tuple(int(v) for v in g.integers(3, 7, size=rank - 2)) + (3,), dtype)
    first = np.moveaxis(x, -1, 1)
    for mode in ("max", "avg"):
        for padding in ("valid", "same"):
            last = references.keras_pooling_layer(x, 2, 1, padding, "channels_last", mode)
            chf = references.keras_pooling_layer(first, 2, 1, padding, "channels_first", mode)
            np.testing.assert_array_equal(np.moveaxis(chf, 1, -1), last)
        g_last = references.keras_global_pooling_layer(x, mode, "channels_last", True)
        g_first = references.keras_global_pooling_layer(first, mode, "channels_first", True)
        np.testing.assert_array_equal(np.moveaxis(g_first, 1, -1), g_last)


def _same_pool_1d(x, k, s, mode):
    """Independent reading of the notebook's SAME rule, one sequence of floats."""
    length = len(x)
    out = -(-length // s)
    before = max((out - 1) * s + k - length, 0) // 2
    cells = [x[max(i * s - before, 0):min(i * s - before + k, length)] for i in range(out)]
    return np.array([c.max() if mode == "max" else c.astype(np.float64).mean() for c in cells])


def test_same_padding_rule_of_the_notebook():
    g = rng(7)
    for length in range(1, 9):
        for k in range(1, 11):
            for s in range(1, 5):
                x = feature_map(g, (1, length, 1), np.float32, ties=False) - 5.0  # all negative
                for mode in ("max", "avg"):
                    got = references.keras_pooling_layer(x, k, s, "same", mode=mode)[0, :, 0]
                    np.testing.assert_allclose(got, _same_pool_1d(x[0, :, 0], k, s, mode), rtol=1e-6,
                                               err_msg=f"L={length} k={k} s={s} {mode}")


def test_valid_window_larger_than_the_input_never_reaches_keras(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the reference called TensorFlow")

    monkeypatch.setattr(tfops, "run", refuse)
    for shape, pool in (((1, 3, 3, 1), 4), ((1, 3, 1), 5), ((1, 2, 6, 3, 1), (3, 2, 2))):
        with pytest.raises(ValueError, match="VALID window"):
            references.keras_pooling_layer(np.zeros(shape, np.float32), pool, 1)


def test_keras_raises_the_value_errors_the_task_asks_for():
    import keras

    def raises(fn):
        with pytest.raises(ValueError):
            tfops.run(fn)

    x2 = tfops.constant(np.zeros((3, 3), np.float32))
    raises(lambda: keras.layers.MaxPooling2D(2)(x2))  # rank 2: Keras' input check
    raises(lambda: keras.layers.GlobalMaxPooling2D()(x2))
    raises(lambda: keras.layers.MaxPooling1D((2, 2)))  # pool_size of the wrong length
    for case in autograder.get("lenet_shapes").cases("visible") + autograder.get("lenet_shapes").cases("hidden"):
        if case.raises is not None:
            raises(lambda: keras_pooling.lenet_model(**case.kwargs))
        else:
            assert keras_pooling.lenet_shapes_reference(**case.kwargs)


def test_notebook_builds_the_registered_model():
    """The notebook's build_lenet and autograder's lenet_model make the same layers."""
    cell = next(c for c in read(ASSIGNMENT).cells if c.id == "lenet-model")
    tf = autograder.tensorflow()
    import keras
    from keras import layers

    namespace = {"keras": keras, "layers": layers, "tf": tf, "np": np}
    with contextlib.redirect_stdout(io.StringIO()):
        tfops.run(lambda: exec(cell.source, namespace))  # noqa: S102 - our own notebook

    def described(model):
        out = []
        for layer in model.layers:
            config = {k: v for k, v in layer.get_config().items() if k != "name"}
            out.append((type(layer).__name__, config, tuple(layer.output.shape)))
        return out

    for shape in ((28, 28, 1), (32, 32, 3)):
        mine = tfops.run(lambda: described(namespace["build_lenet"](shape)))
        theirs = tfops.run(lambda: described(keras_pooling.lenet_model(shape)))
        assert mine == theirs


def test_cases_use_only_what_the_task_promises():
    for name in ("keras_pool", "global_pool"):
        exercise = autograder.get(name)
        for which in ("visible", "hidden"):
            for case in exercise.cases(which):
                x = case.kwargs["x"]
                assert x.dtype in (np.float16, np.float32, np.float64), case.label
                assert case.kwargs.get("padding", "valid").lower() in ("valid", "same")
                assert case.kwargs.get("data_format", "channels_last").lower() in ("channels_last", "channels_first")


def _other_case(case):
    """The case's padding and data_format where they are not written in lower case (issue #16)."""
    return {k: v for k in ("padding", "data_format") if (v := case.kwargs.get(k)) is not None and v != v.lower()}


@pytest.mark.parametrize("which", ["visible", "hidden"])
def test_cases_write_padding_and_data_format_in_other_letter_cases(which):
    """Keras takes any letter case, so the checks send some: both strings, both exercises, both checks."""
    for name, keys in (("keras_pool", {"padding", "data_format"}), ("global_pool", {"data_format"})):
        cases = [c for c in autograder.get(name).cases(which) if c.raises is None]
        written = set().union(*(_other_case(c) for c in cases))
        assert written == keys, f"{name} {which}: no case writes {keys - written} in another letter case"
    paddings = {c.kwargs.get("padding", "valid") for c in autograder.get("keras_pool").cases(which) if c.raises is None}
    assert {p.upper() for p in paddings if p != p.lower()} == {"SAME", "VALID"}


def test_keras_takes_padding_and_data_format_in_any_letter_case():
    """Every case that writes them otherwise: the layer, given the string as written, pools exactly
    like the layer given it in lower case (and the reference hands it over as written)."""
    checked = 0
    for name in ("keras_pool", "global_pool"):
        exercise = autograder.get(name)
        for case in exercise.cases("visible") + exercise.cases("hidden"):
            other = _other_case(case)
            if not other or case.raises is not None:
                continue
            lowered = {**case.kwargs, **{k: v.lower() for k, v in other.items()}}
            np.testing.assert_array_equal(exercise.reference(**case.kwargs), exercise.reference(**lowered),
                                          err_msg=case.label)
            checked += 1
    assert checked >= 10


def test_the_reference_hands_padding_and_data_format_to_keras_as_written(monkeypatch):
    import keras

    seen = []
    for name in ("MaxPooling2D", "GlobalAveragePooling1D"):
        layer = getattr(keras.layers, name)

        def spy(*args, _layer=layer, **kwargs):
            seen.append((kwargs.get("padding"), kwargs["data_format"]))
            return _layer(*args, **kwargs)

        monkeypatch.setattr(keras.layers, name, spy)
    x = feature_map(rng(5), (1, 2, 5, 5), np.float32)
    references.keras_pooling_layer(x, 2, None, "SAME", "Channels_First", "max")
    references.keras_global_pooling_layer(x[:, :, 0], "avg", "CHANNELS_FIRST")
    assert seen == [("SAME", "Channels_First"), (None, "CHANNELS_FIRST")]


def test_keras_rejects_what_no_letter_case_makes_valid():
    """Letter case only: TensorFlow's names and misspellings stay errors (no case sends them)."""
    import keras

    x = tfops.constant(np.zeros((1, 4, 4, 1), np.float32))
    for data_format in ("NHWC", "channels-first"):
        with pytest.raises(ValueError, match="data_format"):
            tfops.run(lambda: keras.layers.MaxPooling2D(2, data_format=data_format))
    with pytest.raises(Exception):  # noqa: B017 - InvalidArgumentError from TensorFlow's kernel
        tfops.run(lambda: keras.layers.MaxPooling2D(2, padding="full")(x))
