"""autograder.geometry against TensorFlow: the formulas the cases, figures and explanations use."""
import numpy as np
import pytest

from autograder import geometry, tfops

tf = tfops.tensorflow()


@pytest.mark.parametrize("n,k,s", [(4, 2, 2), (5, 2, 2), (4, 3, 1), (5, 4, 1), (5, 4, 3), (3, 6, 1), (2, 5, 4),
                                   (6, 3, 4), (7, 2, 3), (6, 3, 2), (1, 1, 1), (8, 8, 8)])
def test_same_windows_are_tensorflows(n, k, s):
    """same_padding_split / window locate TF's SAME windows: averaging distinct powers of two
    tells exactly which real cells each window holds."""
    x = (2.0 ** np.arange(n)).reshape(1, 1, n, 1)
    got = tfops.run(lambda: tf.nn.avg_pool2d(tfops.constant(x), [1, k], [1, s], "SAME").numpy()[0, 0, :, 0],
                    device_name="/CPU:0")
    before, after = geometry.same_padding_split(n, k, s)
    out = geometry.output_length(n, k, s, "same")
    assert len(got) == out and after - before in (0, 1)
    windows = geometry.windows(n, k, s, "SAME")
    assert len(windows) == out
    for value, w in zip(got, windows):
        assert w.stop - w.start == k and w.real > 0
        assert value == x[0, 0, w.real_start:w.real_stop, 0].mean()
    assert windows[0].start == -before and windows[-1].stop - n == max(after, windows[-1].stop - n)


@pytest.mark.parametrize("n,k,s", [(4, 2, 2), (5, 2, 2), (7, 3, 2), (9, 9, 2), (1, 1, 5), (10, 3, 3), (6, 1, 4)])
def test_valid_lengths_and_windows_are_tensorflows(n, k, s):
    x = (2.0 ** np.arange(n)).reshape(1, n, 1)
    got = tfops.run(lambda: tf.nn.avg_pool1d(tfops.constant(x), k, s, "VALID").numpy()[0, :, 0], device_name="/CPU:0")
    assert len(got) == geometry.output_length(n, k, s, "VALID") == geometry.output_length(n, k, s, "valid")
    for value, w in zip(got, geometry.windows(n, k, s)):
        assert not w.padded and value == x[0, w.start:w.stop, 0].mean()


def test_a_valid_window_larger_than_the_input_is_refused():
    with pytest.raises(ValueError, match="does not fit"):
        geometry.output_length(3, 4, 1, "VALID")
    with pytest.raises(ValueError, match="padding must be"):
        geometry.output_length(3, 2, 1, "full")


@pytest.mark.parametrize("data_format,spelling", [
    ("NHWC", 2), ("NHWC", [2]), ("NHWC", (2, 3)), ("NHWC", [1, 2, 3, 1]), ("NHWC", np.int64(3)),
    ("NCHW", 2), ("NCHW", [3]), ("NCHW", (2, 3)), ("NCHW", [1, 1, 2, 3]),
])
def test_ksize_spellings_read_as_tensorflow_reads_them(data_format, spelling):
    """tf_window agrees with the ksize/strides attributes tf.nn.max_pool2d puts on its op.

    Read from a traced graph, so no kernel runs.
    """
    shape = (1, 2, 7, 8) if data_format == "NCHW" else (1, 7, 8, 2)

    def pool(x):
        return tf.nn.max_pool2d(x, spelling, spelling, "VALID", data_format=data_format)

    graph = tfops.run(lambda: tf.function(pool).get_concrete_function(tf.TensorSpec(shape, tf.float32)).graph)
    op = next(o for o in graph.get_operations() if o.type == "MaxPool")
    h, w = (2, 3) if data_format == "NCHW" else (1, 2)
    for attr in ("ksize", "strides"):
        values = list(op.get_attr(attr))
        assert (values[h], values[w]) == geometry.tf_window(spelling, data_format, attr)
        assert [v for i, v in enumerate(values) if i not in (h, w)] == [1, 1]


def test_tf_window_refuses_pooling_over_batch_or_channels():
    with pytest.raises(ValueError, match="ksize"):
        geometry.tf_window([2, 2, 2, 1], "NHWC", "ksize")
    with pytest.raises(ValueError, match="strides"):
        geometry.tf_window([1, 2, 2], "NHWC", "strides")


@pytest.mark.parametrize("value,n,expected", [(2, 2, (2, 2)), (np.int32(3), 3, (3, 3, 3)), ((2, 3), 2, (2, 3)),
                                              ([1, 2, 3], 3, (1, 2, 3))])
def test_normalize_tuple(value, n, expected):
    assert geometry.normalize_tuple(value, n, "pool_size") == expected


@pytest.mark.parametrize("value", [(2, 3), (2.5, 2.5), True, "2", None])
def test_normalize_tuple_names_the_argument_and_the_value(value):
    with pytest.raises(ValueError, match=r"pool_size must be an int or a tuple of 3 ints; received"):
        geometry.normalize_tuple(value, 3, "pool_size")


def test_dilated_span():
    assert geometry.span(3, 1) == 3 and geometry.span(3, 2) == 5 and geometry.span(1, 7) == 1
