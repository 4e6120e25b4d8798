"""01-convolution-output-sizes: the references' semantics, the promised errors, the MNIST loader.

The exercise checks compare learners with TensorFlow; these tests check that the references say
what the notebook's prose says TensorFlow does, that every ValueError the tasks promise is one
TensorFlow or Keras raises too, and that the data loader never needs (or waits for) a network.
"""
import time

import numpy as np
import pytest

import autograder
from autograder import data
from autograder.references import convolution as conv_sizes
from tests.helpers import learner_namespace

ASSIGNMENT = "01-convolution-output-sizes"
NAMES = ("conv_output_length", "same_padding", "conv2d_output_shape")


# ----------------------------------------------------------------------------- references
# (arguments, TensorFlow's answer) for facts the notebook's prose states; found by experiment.
LENGTHS = [
    (dict(input_length=28, kernel_size=3), 26),  # the chapter's MNIST example
    (dict(input_length=28, kernel_size=3, padding="same"), 28),
    (dict(input_length=28, kernel_size=3, padding=1), 28),
    (dict(input_length=7, kernel_size=3, stride=2, padding="SAME"), 4),
    (dict(input_length=10, kernel_size=3, dilation=2), 6),
    (dict(input_length=128, kernel_size=3, stride=4), 32),
]
PADDINGS = [
    (dict(input_length=28, kernel_size=3), (1, 1)),
    (dict(input_length=5, kernel_size=4), (1, 2)),  # the odd zero goes after
    (dict(input_length=6, kernel_size=3, stride=2), (0, 1)),
    (dict(input_length=7, kernel_size=3, dilation=2), (2, 2)),
    (dict(input_length=5, kernel_size=1, stride=3), (0, 0)),
]
SHAPES = [
    (dict(input_shape=(None, 28, 28, 1), filters=32, kernel_size=3), (None, 26, 26, 32)),
    (dict(input_shape=(None, 1, 28, 28), filters=32, kernel_size=3, data_format="channels_first"),
     (None, 32, 26, 26)),
    (dict(input_shape=(None, 28, 28, 1), filters=32, kernel_size=3, padding="same"), (None, 28, 28, 32)),
]


@pytest.mark.parametrize("kwargs,expected", LENGTHS, ids=str)
def test_conv_output_length_reference(kwargs, expected):
    assert conv_sizes.conv_output_length_reference(**kwargs) == expected


@pytest.mark.parametrize("kwargs,expected", PADDINGS, ids=str)
def test_same_padding_reference(kwargs, expected):
    assert conv_sizes.same_padding_reference(**kwargs) == expected


@pytest.mark.parametrize("kwargs,expected", SHAPES, ids=str)
def test_conv2d_output_shape_reference(kwargs, expected):
    assert conv_sizes.conv2d_output_shape_reference(**kwargs) == expected


def test_same_padding_reference_matches_the_notebooks_rule_on_a_grid():
    """The rule the solution states (floor half before, the rest after) is what TensorFlow does,
    also where every tap of every window reads padding (the reference then takes the rule)."""
    same_padding = learner_namespace(ASSIGNMENT)["same_padding"]
    for length in range(1, 13):
        for kernel in range(1, 7):
            for stride, dilation in [(1, 1), (2, 1), (3, 1), (5, 1), (1, 2), (1, 3)]:
                mine = same_padding(length, kernel, stride, dilation)
                assert mine == conv_sizes.same_padding_reference(length, kernel, stride, dilation), \
                    (length, kernel, stride, dilation)


def test_same_padding_reference_refuses_a_rule_that_tensorflow_contradicts(monkeypatch):
    """Where the probe sees the padding, TensorFlow decides: a wrong rule is a ReferenceMismatch."""
    monkeypatch.setattr(conv_sizes, "same_padding_rule", lambda L, k, s=1, d=1: (0, k - 1))
    with pytest.raises(conv_sizes.ReferenceMismatch, match="pads"):
        conv_sizes.same_padding_reference(28, 3)


def test_same_length_does_not_depend_on_the_kernel():
    for kernel in range(1, 9):
        assert conv_sizes.conv_output_length_reference(7, kernel, 2, "SAME") == 4


def test_keras_rejects_stride_together_with_dilation():
    """The reason that combination is out of scope (the raw tf.nn.conv2d op accepts it)."""
    keras = conv_sizes.tf_keras()
    with pytest.raises(ValueError, match="dilation_rate"):
        keras.layers.Conv2D(4, 3, strides=2, dilation_rate=2)
    assert conv_sizes.conv_output_length_reference(7, 3, stride=2, padding="same", dilation=2) == 4


@pytest.mark.parametrize("name", NAMES)
def test_cases_stay_in_scope(name):
    """No case combines stride > 1 with dilation > 1; every case has a label."""
    exercise = autograder.get(name)
    for which in ("visible", "hidden"):
        for case in exercise.cases(which):
            assert case.label
            kw = case.kwargs
            strides = np.atleast_1d(kw.get("stride", kw.get("strides", 1)))
            dilations = np.atleast_1d(kw.get("dilation", kw.get("dilation_rate", 1)))
            assert not (strides.max() > 1 and dilations.max() > 1), case.label


def _tf_refuses_length(kw, padding_default):
    """Whether TensorFlow's shape inference, or a Keras Conv1D, refuses these 1-D arguments."""
    kw = dict(kw)
    padding = kw.pop("padding", padding_default)
    args = (kw["input_length"], kw["kernel_size"], kw.get("stride", 1), padding, kw.get("dilation", 1))
    try:
        conv_sizes._static_length(*args)
    except (ValueError, TypeError):
        return True
    if isinstance(padding, str):  # Keras checks sizes that TensorFlow's shape inference lets through
        keras = conv_sizes.tf_keras()
        try:
            layer = keras.layers.Conv1D(1, args[1], strides=args[2], padding=padding.lower(), dilation_rate=args[4])
            layer.compute_output_shape((None, args[0], 1))
        except ValueError:
            return True
    return False


@pytest.mark.parametrize("name,padding", [("conv_output_length", "valid"), ("same_padding", "same")])
def test_every_promised_error_is_refused_by_tensorflow_or_keras(name, padding):
    exercise = autograder.get(name)
    for which in ("visible", "hidden"):
        for case in exercise.cases(which):
            if case.raises:
                assert case.raises is ValueError
                assert _tf_refuses_length(case.kwargs, padding), case.label


def test_every_promised_conv2d_error_is_a_keras_value_error():
    exercise = autograder.get("conv2d_output_shape")
    for which in ("visible", "hidden"):
        for case in exercise.cases(which):
            if case.raises:
                with pytest.raises(ValueError):
                    conv_sizes.conv2d_output_shape_reference(**case.kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_solution_passes_and_a_wrong_answer_names_the_case(name):
    namespace = learner_namespace(ASSIGNMENT)
    exercise = autograder.get(name)
    for which in ("visible", "hidden"):
        assert autograder.verify(name, namespace[exercise.function], which).passed
    verdict = autograder.verify(name, lambda **kwargs: 0, "visible")
    assert not verdict.passed
    first = verdict.failures[0].case
    assert first.call(exercise.function) in verdict.message and first.label in verdict.message


# ----------------------------------------------------------------------------- data
@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No cached MNIST and a download host that cannot be resolved."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(data, "MNIST_HOST", "mnist.invalid")
    return tmp_path


def test_fallback_without_network_is_quick_and_labelled(offline):
    start = time.monotonic()
    images, labels, source = data.load_mnist_sample(n=12, timeout=1.0)
    assert time.monotonic() - start < 10
    assert source == data.FALLBACK_SOURCE and "no network" in source
    assert images.shape == (12, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (12,) and labels.dtype == np.uint8
    assert set(labels[:10].tolist()) == set(range(10))
    assert all(image.max() > 200 and image[0].max() == 0 for image in images)  # a digit, black border


def test_unanswering_server_waits_at_most_the_timeout(offline, monkeypatch):
    monkeypatch.setattr(data, "MNIST_HOST", "192.0.2.1")  # TEST-NET-1 (RFC 5737): never answers
    calls = []
    monkeypatch.setattr(data, "_keras_load_data", lambda: calls.append(1))
    start = time.monotonic()
    _, _, source = data.load_mnist_sample(n=1, timeout=0.5)
    assert time.monotonic() - start < 5
    assert source == data.FALLBACK_SOURCE and not calls


def test_download_false_never_touches_the_network(offline, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr(data, "_server_answers", no_network)
    monkeypatch.setattr(data, "_keras_load_data", no_network)
    assert data.load_mnist_sample(n=2, download=False)[2] == data.FALLBACK_SOURCE


def test_fallback_is_deterministic():
    a_images, a_labels = data.synthetic_digits(10)
    b_images, b_labels = data.synthetic_digits(10)
    assert np.array_equal(a_images, b_images) and np.array_equal(a_labels, b_labels)
    c_images, _ = data.synthetic_digits(10, seed=1)
    assert not np.array_equal(a_images, c_images)


def test_corrupt_cache_is_not_trusted(offline):
    path = data.mnist_cache_path()
    assert str(path).startswith(str(offline))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not mnist")
    start = time.monotonic()
    assert data.load_mnist_sample(n=1, timeout=0.5)[2] == data.FALLBACK_SOURCE
    assert time.monotonic() - start < 5


def test_cached_mnist_is_loaded_with_keras(offline, monkeypatch):
    """With a valid cache the real keras call is made; the sample is its first n images."""
    monkeypatch.setattr(data, "_cached", lambda path: True)
    x = np.arange(5 * 28 * 28, dtype=np.uint8).reshape(5, 28, 28)
    y = np.array([5, 0, 4, 1, 9], np.uint8)
    monkeypatch.setattr(data, "_keras_load_data", lambda: ((x, y), (x[:1], y[:1])))
    images, labels, source = data.load_mnist_sample(n=3)
    assert source == data.MNIST_SOURCE
    assert np.array_equal(images, x[:3]) and labels.tolist() == [5, 0, 4]


def test_failing_keras_call_falls_back(offline, monkeypatch):
    def fails():
        raise Exception("URL fetch failure")

    monkeypatch.setattr(data, "_cached", lambda path: True)
    monkeypatch.setattr(data, "_keras_load_data", fails)
    assert data.load_mnist_sample(n=1)[2] == data.FALLBACK_SOURCE


def test_sample_photo_ships_with_matplotlib():
    photo = data.sample_photo(64)
    assert photo.shape == (64, 64) and photo.dtype == np.float32
    assert 0.0 <= photo.min() < photo.max() <= 1.0
