"""03-tensorflow-max-pool: the references read arguments as TensorFlow does, every case that must
raise is one TensorFlow rejects (or a documented decision), and the findings the notebook states
about TensorFlow still hold.

Every TensorFlow call here is on inputs it can take: VALID windows larger than the input are
only sent to TensorFlow in a separate process (test_valid_window_too_large_in_a_subprocess).
"""
import subprocess
import sys

import numpy as np
import pytest

import autograder
from autograder import geometry, tfops
from autograder.cases import Case
from autograder.chapter import tf_max_pool as m

tf = tfops.tensorflow()
EXERCISES = ("max_pool", "avg_pool")


def _cases(raises):
    out = []
    for name in EXERCISES:
        for which in ("visible", "hidden"):
            for case in autograder.get(name).cases(which):
                if (case.raises is not None) == raises:
                    out.append(pytest.param(name, case, id=f"{name}-{which}-{case.label}"))
    return out


def _tf_direct(name, case):
    """The case's arguments handed to tf.nn.max_pool / avg_pool exactly as written."""
    op = tf.nn.max_pool if name == "max_pool" else tf.nn.avg_pool
    kw = case.kwargs
    return tfops.run(lambda: op(tfops.constant(kw["value"]), kw["ksize"], kw["strides"], kw["padding"],
                                data_format=kw.get("data_format", "NHWC")).numpy(), device_name="/CPU:0")


@pytest.mark.parametrize("name,case", _cases(raises=False))
def test_reference_reads_ksize_and_strides_like_tensorflow(name, case):
    """The reference turns ksize/strides into pairs (for tf_pool); TF itself, fed the original
    1-, 2- or 4-number forms, must agree."""
    kw = case.kwargs
    expected = autograder.get(name).reference(**kw, device_name="/CPU:0")
    assert expected.dtype == kw["value"].dtype
    if kw.get("data_format") == "NCHW" and kw["value"].dtype != np.float32:
        # TF's CPU kernels pool NCHW for float32 only: compare with TF on a float32 copy (exact for
        # max, which commutes with rounding; within float32 rounding for the average).
        direct = _tf_direct(name, Case({**kw, "value": kw["value"].astype(np.float32)}, case.label))
        if name == "max_pool":
            np.testing.assert_array_equal(expected.astype(np.float32), direct)
        else:
            np.testing.assert_allclose(expected, direct, rtol=1e-5, atol=1e-6)
        return
    direct = _tf_direct(name, case)
    assert direct.dtype == expected.dtype
    np.testing.assert_array_equal(expected, direct)


# Raising cases TensorFlow itself accepts: decisions written in the module docstring and the notebook.
DECIDED = {"a 4-number strides whose channel entry is not 1"}  # TF ignores the channel stride


def _valid_too_large(case):
    kw = case.kwargs
    x = np.asarray(kw["value"])
    if kw["padding"] != "VALID" or x.ndim != 4:
        return False
    fmt = kw.get("data_format", "NHWC")
    try:
        kh, kw_ = geometry.tf_window(kw["ksize"], fmt)
    except ValueError:
        return False
    h, w = x.shape[2:] if fmt == "NCHW" else x.shape[1:3]
    return kh > h or kw_ > w


@pytest.mark.parametrize("name,case", _cases(raises=True))
def test_every_error_case_is_rejected_by_tensorflow_or_decided(name, case):
    if _valid_too_large(case):
        pytest.skip("never sent to TensorFlow in this process (SIGFPE); see the subprocess test")
    assert case.raises is ValueError
    try:
        _tf_direct(name, case)
    except Exception:  # noqa: BLE001 - TF raises ValueError, InvalidArgumentError, UnimplementedError...
        accepted = False
    else:
        accepted = True
    assert accepted == (case.label in DECIDED), f"TensorFlow {'accepts' if accepted else 'rejects'} {case.label!r}"


def test_valid_window_too_large_in_a_subprocess():
    """Why the guard exists: raise, empty tensor, or the whole process killed, by size and dtype."""
    script = """
import numpy as np
from autograder import tfops
tf = tfops.tensorflow()
def pool(dtype, size, k):
    x = tfops.constant(np.ones((1, size, size, 1), dtype))
    return tfops.run(lambda: tf.nn.max_pool2d(x, k, 1, "VALID").shape, device_name="/CPU:0")
print("float64, one too large:", tuple(pool(np.float64, 3, 4)), flush=True)
print("int32, one too large:", tuple(pool(np.int32, 3, 4)), flush=True)
try:
    pool(np.float32, 3, 5)
except Exception as e:
    print("float32, two too large:", type(e).__name__, flush=True)
pool(np.float32, 3, 4)
print("float32, one too large: survived", flush=True)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert "float64, one too large: (1, 0, 0, 1)" in proc.stdout
    assert "int32, one too large: (1, 0, 0, 1)" in proc.stdout
    assert "float32, two too large: InvalidArgumentError" in proc.stdout
    assert "survived" not in proc.stdout and proc.returncode != 0  # SIGFPE in TF 2.21 on the CPU


def test_padded_cells_never_win_and_averages_skip_them():
    x = -np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
    got = m.max_pool_reference(x, 2, 2, "SAME")
    np.testing.assert_array_equal(got[0, :, :, 0], [[-1, -3], [-7, -9]])
    ones = m.avg_pool_reference(np.ones((1, 4, 4, 1)), 3, 1, "SAME")
    np.testing.assert_array_equal(ones, np.ones((1, 4, 4, 1)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tensorflow_max_skips_nan_as_the_notebook_says(dtype):
    values = np.array([[1.0, np.nan, np.nan, np.nan, -np.inf, -np.inf],
                       [3.0, 2.0, np.nan, np.nan, -np.inf, -np.inf]], dtype).reshape(1, 2, 6, 1)
    pooled = m.max_pool_reference(values, 2, 2, "VALID")[0, 0, :, 0]
    lowest = np.finfo(dtype).min
    np.testing.assert_array_equal(pooled, np.array([3.0, lowest, lowest], dtype))
    averaged = m.avg_pool_reference(values, 2, 2, "VALID")[0, 0, :, 0]
    assert np.isnan(averaged[:2]).all() and averaged[2] == -np.inf


def test_tensorflow_wants_padding_in_capitals():
    chapter = tfops.constant(np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1))
    for padding in ("same", "valid", "Same"):
        with pytest.raises(Exception, match="not in the list of allowed values"):
            tfops.run(lambda: tf.nn.max_pool2d(chapter, 2, 2, padding), device_name="/CPU:0")


def test_explain_names_batch_channel_and_the_padded_window():
    x = np.arange(2 * 3 * 5 * 5, dtype=np.float32).reshape(2, 3, 5, 5)
    case = Case(dict(value=x, ksize=[1, 1, 2, 2], strides=[1, 1, 2, 2], padding="SAME", data_format="NCHW"), "t")
    text = m.explain(case, (1, 2, 2, 2))
    assert "output[1, 2, 2, 2] (batch 1, channel 2)" in text
    assert "rows 4:6, columns 4:6 of value[1, 2, :, :]" in text
    assert "0 rows on top and 1 at the bottom" in text and "0 columns on the left and 1 on the right" in text
    assert "only rows 4:5, columns 4:5 are real (1 of 4 cells)" in text
    assert text.endswith(f"[[{x[1, 2, 4, 4]:g}.]]")
    nhwc = Case(dict(value=np.moveaxis(x, 1, -1), ksize=2, strides=2, padding="VALID"), "t")
    assert "of value[0, :, :, 1]" in m.explain(nhwc, (0, 1, 0, 1))


@pytest.mark.parametrize("secret", ["class-a", "class-b", None], ids=["secret-a", "secret-b", "practice"])
def test_cases_are_small_and_cover_the_task_whatever_the_secret(secret, monkeypatch):
    """The named edge cases, not the luck of a secret's draw, make the coverage."""
    from autograder import registry

    monkeypatch.setattr(registry, "_SECRET", [secret, True])
    for name in EXERCISES:
        exercise = autograder.get(name)
        hidden = exercise.cases("hidden")
        everything = exercise.cases("visible") + hidden
        assert max(np.asarray(c.kwargs["value"]).size for c in everything) <= 800  # loops stay fast
        returning = [c for c in everything if c.raises is None]
        assert {c.kwargs.get("data_format", "NHWC") for c in returning} == {"NHWC", "NCHW"}
        assert {c.kwargs["padding"] for c in returning} == {"VALID", "SAME"}
        forms = {len(c.kwargs["ksize"]) if isinstance(c.kwargs["ksize"], (list, tuple)) else 0 for c in returning}
        assert forms == {0, 1, 2, 4}
        dtypes = {c.kwargs["value"].dtype.name for c in returning}
        assert dtypes >= ({"int32", "int64", "float32", "float64"} if name == "max_pool" else {"float32", "float64"})
        assert any(c.kwargs["value"].shape[0] > 1 for c in returning)
        labels = [c.label for c in everything]
        assert len(labels) == len(set(labels)), "labels name the failing case: keep them unique"


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.float16,
                                   np.float64])
def test_numpy_arrays_come_back_as_float32_tensors_keep_their_dtype(dtype):
    """The notebook's *Integer tensors*: under tfops.run (a device scope, as in the notebook) every
    max pooling spelling converts a numpy array to float32; a tf.constant keeps its dtype."""
    array = np.arange(16).astype(dtype).reshape(1, 4, 4, 1)
    ops = (lambda v: tf.nn.max_pool(v, 2, 2, "VALID"), lambda v: tf.nn.max_pool2d(v, 2, 2, "VALID"),
           lambda v: tf.compat.v1.nn.max_pool(v, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"))
    for op in ops:
        assert tfops.run(lambda: op(array).numpy()).dtype == np.float32
        kept = tfops.run(lambda: op(tfops.constant(array)).numpy())
        assert kept.dtype == dtype
        np.testing.assert_array_equal(kept[0, :, :, 0], np.array([[5, 7], [13, 15]], dtype))


def test_int64_through_a_numpy_array_is_rounded_to_float32():
    array = np.full((1, 2, 2, 1), 2**24 + 1, np.int64)
    assert tfops.run(lambda: tf.nn.max_pool(array, 2, 2, "VALID").numpy()).ravel()[0] == 2**24
    assert tfops.run(lambda: tf.nn.max_pool(tfops.constant(array), 2, 2, "VALID").numpy()).ravel()[0] == 2**24 + 1


def test_the_sobel_maps_bright_right_border_is_the_convolutions_zero_padding():
    """The notebook's explanation of the stripe in its feature map, checked on the same photo."""
    from autograder.figures import grace_hopper

    photo = grace_hopper()
    sobel = tfops.constant(np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float32).reshape(3, 3, 1, 1))

    def edges(padding):
        x = tfops.constant(photo[None, :, :, None])
        return tfops.run(lambda: tf.nn.relu(tf.nn.conv2d(x, sobel, 1, padding)).numpy()[0, :, :, 0])

    same, valid = edges("SAME"), edges("VALID")
    left = photo[:-2, -2] + 2 * photo[1:-1, -2] + photo[2:, -2]  # the right neighbours are padded zeros
    np.testing.assert_allclose(same[1:-1, -1], left, rtol=1e-5, atol=1e-6)
    assert not same[:, 0].any()  # the left border's response is negative: ReLU sets it to 0
    assert same[:, -1].mean() > 10 * same[:, :-1].mean()
    assert valid.shape == (photo.shape[0] - 2, photo.shape[1] - 2)
    assert valid[:, -1].mean() < 3 * valid[:, :-1].mean()


def test_helpers_cell_left_as_released_and_self_contained_exercises_get_full_marks():
    """The helpers cell is optional: a learner who leaves its stub and writes each exercise on its
    own (the catalogue's loop versions) gets full marks on the trusted path."""
    from autograder.trusted import Grader
    from tests.catalogue.tf_max_pool import _AVG, _BASE
    from tests.helpers import COURSE, learner_submission, read

    stub = next(c.source for c in read("03-tensorflow-max-pool", COURSE).cells if c.id == "helpers")
    assert "raise" not in stub
    nb = learner_submission("03-tensorflow-max-pool", {"helpers": stub, "max_pool": _BASE, "avg_pool": _AVG})
    result = Grader().grade_notebook(nb, "03-tensorflow-max-pool", "no-helpers")
    assert result.score == result.max_score, [c["message"] for c in result.cells if not c["passed"]]


def test_a_failing_helpers_cell_fails_the_exercises_that_call_it_naming_the_helper():
    """What the notebook's *Your helpers* section says happens when the helpers cell fails."""
    from autograder.trusted import Grader
    from tests.helpers import learner_submission, read

    source = next(c.source for c in read("03-tensorflow-max-pool").cells if c.id == "helpers")
    broken = source.replace("def check_arguments(value, padding, data_format):",
                            "def check_arguments(value, padding, data_format)")
    assert broken != source
    nb = learner_submission("03-tensorflow-max-pool", {"helpers": broken})
    result = Grader().grade_notebook(nb, "03-tensorflow-max-pool", "broken-helpers")
    assert result.score == 0
    assert any(note.startswith("cell helpers: SyntaxError") for note in result.notes)
    for cell in result.cells:
        assert "NameError: name 'check_arguments' is not defined" in cell["message"]
        assert "these cells failed" in cell["message"] and "cell helpers: SyntaxError" in cell["message"], \
            "the message names the failed cell, not only the missing name"
