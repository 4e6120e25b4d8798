"""02-pooling-math: the references' semantics, the promised errors, and the dtypes the cases hold.

The exercise checks compare learners with TensorFlow; these tests check that the reference of
``uncovered_cells`` (the zeros of a gradient) says what a forward probe of TensorFlow's pooling
says, that every ValueError the task promises is one TensorFlow or Keras raises too, and that the
float16 and small-integer cases of ``pool2d`` are ones TensorFlow answers within the tolerance.
"""
import numpy as np
import pytest

import autograder
from autograder import compare, references, tfops
from autograder.chapter.pooling_math import pool2d_reference
from autograder.references.pooling import tf_padding
from autograder.secret import hidden_rng
from tests.conftest import TEST_SECRET

ASSIGNMENT = "02-pooling-math"
SECRETS = (None, "class-a", TEST_SECRET)  # the practice cases, another class, this session's


def _cases(name, secret):
    """The visible cases and the hidden ones drawn from ``secret``."""
    exercise = autograder.get(name)
    return exercise.cases("visible") + exercise.hidden_cases(hidden_rng(name, secret))


# ----------------------------------------------------------------------------- uncovered_cells
def _forward_probe(length, pool_size, stride, padding, op):
    """Cells no window reads, from the forward op: pool one one-hot input per cell (a batch of
    them); a cell is read when its one-hot reaches some output."""
    tf = tfops.tensorflow()
    onehots = np.eye(length)[:, :, None]  # (L, L, 1): batch j holds a 1 at cell j
    pooled = tfops.run(lambda: op(tfops.constant(onehots), pool_size, stride, tf_padding(padding)).numpy())
    return tuple(int(j) for j in np.flatnonzero(~(pooled[:, :, 0] != 0).any(axis=1)))


def test_gradient_zeros_agree_with_forward_probes_on_a_grid():
    tf = tfops.tensorflow()
    checked = 0
    for length in range(1, 13):
        for k in range(1, 9):
            for s in range(1, 6):
                for padding in ("VALID", "SAME"):
                    if padding == "VALID" and k > length:
                        continue
                    want = references.uncovered_cells(length, k, s, padding)
                    assert want == _forward_probe(length, k, s, padding, tf.nn.max_pool1d), (length, k, s, padding)
                    assert want == _forward_probe(length, k, s, padding, tf.nn.avg_pool1d), (length, k, s, padding)
                    if padding == "SAME" and s <= k:
                        assert want == (), "SAME with a stride up to the window reads every cell"
                    checked += 1
    assert checked > 700


def test_every_case_agrees_with_the_forward_probe():
    tf = tfops.tensorflow()
    exercise = autograder.get("uncovered_cells")
    for secret in SECRETS:
        for case in _cases("uncovered_cells", secret):
            if case.raises:
                continue
            kw = {"padding": "valid", **case.kwargs}
            got = exercise.reference(**case.kwargs)
            assert isinstance(got, tuple) and all(type(i) is int for i in got)
            assert list(got) == sorted(got)
            assert got == _forward_probe(kw["input_length"], kw["pool_size"], kw["stride"], kw["padding"],
                                         tf.nn.max_pool1d), case.label


@pytest.mark.parametrize("args,expected", [
    ((26, 2, 2, "valid"), ()),  # the chapter's 26-wide map
    ((5, 2, 2, "valid"), (4,)),  # the notebook's first gradient line
    ((7, 2, 3, "valid"), (2, 5, 6)),
    ((5, 2, 2, "SAME"), ()),
    ((5, 3, 4, "same"), (2,)),  # one zero before shifts the windows
    ((6, 3, 4, "same"), (3,)),  # the odd zero goes after
], ids=str)
def test_facts_the_notebook_and_the_labels_state(args, expected):
    assert references.uncovered_cells(*args) == expected


def _tensorflow_or_keras_refuses(length, pool_size, stride, padding):
    """Whether TensorFlow's shape inference (a traced tf.function) or a Keras layer refuses."""
    tf = tfops.tensorflow()
    import keras

    try:
        fn = tf.function(lambda x: tf.nn.avg_pool1d(x, pool_size, stride, str(padding).upper()))
        with tfops.quiet():
            fn.get_concrete_function(tf.TensorSpec([1, length, 1], tf.float64))
    except (ValueError, TypeError, tf.errors.InvalidArgumentError):
        return True
    try:
        layer = keras.layers.AveragePooling1D(pool_size, stride, str(padding).lower())
        layer.compute_output_shape((None, length, 1))
    except (ValueError, ZeroDivisionError):
        return True
    return False


def test_every_promised_error_is_refused_by_tensorflow_or_keras():
    exercise = autograder.get("uncovered_cells")
    seen = 0
    for secret in SECRETS:
        for case in _cases("uncovered_cells", secret):
            if case.raises:
                assert case.raises is ValueError
                kw = {"padding": "valid", **case.kwargs}
                assert _tensorflow_or_keras_refuses(kw["input_length"], kw["pool_size"], kw["stride"],
                                                    kw["padding"]), case.label
                with pytest.raises(ValueError):
                    exercise.reference(**case.kwargs)
                seen += 1
    assert seen >= len(SECRETS) * 7


def test_the_reference_refuses_what_tensorflow_must_not_see():
    for args in [(3, 4, 1, "valid"), (8, 0, 1, "same"), (8, 2, 0, "same"), (8, 2, 2, "full")]:
        with pytest.raises(ValueError):
            references.uncovered_cells(*args)


# ----------------------------------------------------------------------------- pool2d dtypes
NAMED_DTYPES = {("float16", "avg"), ("float16", "max"), ("int8", "avg"), ("int8", "max"), ("int16", "avg"),
                ("uint8", "avg")}


def test_every_secret_checks_the_dtype_rule_for_small_dtypes():
    for secret in SECRETS:
        cases = autograder.get("pool2d").hidden_cases(hidden_rng("pool2d", secret))
        got = {(c.kwargs["feature_map"].dtype.name, c.kwargs.get("mode", "max")) for c in cases if not c.raises}
        assert got >= NAMED_DTYPES, secret


def test_reference_dtypes_follow_the_notebooks_rule():
    for dtype in (np.float16, np.float32, np.float64, np.int8, np.uint8, np.int16, np.int32, np.int64):
        x = (np.arange(12) % 7).reshape(3, 4).astype(dtype)
        assert pool2d_reference(x, 2, 1, "max").dtype == dtype
        want = dtype if np.issubdtype(dtype, np.floating) else np.float64
        assert pool2d_reference(x, 2, 1, "avg").dtype == want


def test_float16_averages_of_the_cases_are_the_exact_means_within_the_tolerance():
    """TensorFlow's float16 average, on the cases' maps (quarter steps: exact window sums), agrees
    with the exact mean rounded to float16 within compare's float16 tolerance, so a learner who
    averages in float64 and one who averages in float16 both pass."""
    checked = 0
    for secret in SECRETS:
        for case in _cases("pool2d", secret):
            x = case.kwargs["feature_map"]
            if case.raises or x.dtype != np.float16 or case.kwargs.get("mode") != "avg":
                continue
            got = pool2d_reference(**case.kwargs)
            kh, kw = (case.kwargs["pool_size"],) * 2 if np.isscalar(case.kwargs["pool_size"]) else case.kwargs["pool_size"]
            sh, sw = (case.kwargs["stride"],) * 2 if np.isscalar(case.kwargs["stride"]) else case.kwargs["stride"]
            exact = np.array([[x[i * sh:i * sh + kh, j * sw:j * sw + kw].astype(np.float64).mean()
                               for j in range(got.shape[1])] for i in range(got.shape[0])])
            assert compare.compare(exact.astype(np.float16), got) is None, case.label
            in_float16 = np.array([[x[i * sh:i * sh + kh, j * sw:j * sw + kw].mean(dtype=np.float16)
                                    for j in range(got.shape[1])] for i in range(got.shape[0])], np.float16)
            assert compare.compare(in_float16, got) is None, case.label
            checked += 1
    assert checked >= len(SECRETS)
