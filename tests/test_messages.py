"""What a learner reads: the smallest failing case as a call, the window, expected vs yours."""
import numpy as np
import pytest

import autograder
from autograder.messages import SHOW_MAX, format_value


def _first_max_only(feature_map, pool_size, stride, mode="max"):
    # a known-wrong pool2d: every output cell is the window's top-left value
    k = pool_size if np.isscalar(pool_size) else pool_size[0]
    s = stride if np.isscalar(stride) else stride[0]
    if mode not in ("max", "avg") or k > min(feature_map.shape):
        raise ValueError("bad arguments")
    h = (feature_map.shape[0] - k) // s + 1
    w = (feature_map.shape[1] - k) // s + 1
    return np.array([[feature_map[i * s, j * s] for j in range(w)] for i in range(h)], dtype=feature_map.dtype)


def test_known_wrong_solution_gets_the_expected_text():
    verdict = autograder.verify("pool2d", _first_max_only)
    assert not verdict.passed and verdict.points == 0
    text = verdict.message
    assert text.startswith("pool2d: ")
    assert "The smallest failing case (the chapter's 3x3 map, 2x2 window, stride 1, default mode):" in text
    assert "pool2d(feature_map=np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=np.int64), pool_size=2, stride=1)" in text
    assert "4 of 4 values differ (100.0%), exact comparison for int64" in text
    assert "output[0, 0] comes from the window feature_map[0:2, 0:2] = [[1, 2], [4, 5]]" in text
    assert "expected (TensorFlow" in text and "[[5 6]\n     [8 9]]" in text
    assert "yours:" in text and "[[1 2]\n     [4 5]]" in text
    assert "Hint:" in text and "autograder.last_failure()" in text


def test_last_failure_is_set_by_the_learners_check_only():
    """check() (the learner's kernel) remembers the smallest failing case; verify() and the
    trusted grader, which judge other people's code, never change it."""
    with pytest.raises(autograder.ExerciseFailed):
        autograder.check("pool2d", _first_max_only)
    first = autograder.last_failure()
    assert first.label.startswith("the chapter's 3x3 map")
    autograder.verify("uncovered_cells", lambda input_length, pool_size, stride, padding="valid": ())
    assert autograder.last_failure() is first


def test_exceptions_name_the_learners_line():
    def pool2d(feature_map, pool_size, stride, mode="max"):
        return feature_map[pool_size] / 0 + undefined_name  # noqa: F821

    text = autograder.verify("pool2d", pool2d).message
    assert "pool2d raised NameError" in text
    assert "line" in text and "undefined_name" in text


def test_stub_gets_one_short_sentence():
    def pool2d(feature_map, pool_size, stride, mode="max"):
        raise NotImplementedError()

    text = autograder.verify("pool2d", pool2d).message
    assert text == "pool2d is not written yet: replace `raise NotImplementedError()` in its cell with your code."


def test_wrong_parameter_names_are_reported_before_any_case():
    def pool2d(x, k, s, mode="max"):
        return x

    text = autograder.verify("pool2d", pool2d).message
    assert "should take the parameters (feature_map, pool_size, stride, mode='max')" in text
    assert "yours takes (x, k, s, mode)" in text


def test_missing_value_error_is_explained():
    def pool2d(feature_map, pool_size, stride, mode="max"):
        from numpy.lib.stride_tricks import sliding_window_view
        k = (pool_size,) * 2 if np.isscalar(pool_size) else pool_size
        s = (stride,) * 2 if np.isscalar(stride) else stride
        if k[0] > feature_map.shape[0] or k[1] > feature_map.shape[1]:
            raise ValueError("too big")
        w = sliding_window_view(feature_map, k)[::s[0], ::s[1]]
        return w.max(axis=(2, 3)) if mode == "max" else w.mean(axis=(2, 3), dtype=float).astype(
            feature_map.dtype if feature_map.dtype.kind == "f" else float)

    text = autograder.verify("pool2d", pool2d).message
    assert "should raise ValueError, but returned ndarray" in text
    assert "mode='min'" in text


def test_large_arrays_are_summarised_not_printed():
    big = np.zeros((20, 20), np.float32)
    assert format_value(big) == "<float32 array of shape (20, 20)>"
    assert big.size > SHOW_MAX


def test_pass_message_says_what_was_checked_and_where(capsys):
    def uncovered_cells(input_length, pool_size, stride, padding="valid"):
        if min(input_length, pool_size, stride) < 1 or padding.lower() not in ("valid", "same"):
            raise ValueError(f"bad arguments {(input_length, pool_size, stride, padding)}")
        if padding.lower() == "valid" and pool_size > input_length:
            raise ValueError("the window does not fit")
        windows = -(-input_length // stride) if padding.lower() == "same" else (input_length - pool_size) // stride + 1
        before = max(0, (windows - 1) * stride + pool_size - input_length) // 2 if padding.lower() == "same" else 0
        read = {c for i in range(windows) for c in range(i * stride - before, i * stride - before + pool_size)}
        return tuple(c for c in range(input_length) if c not in read)

    autograder.check("uncovered_cells", uncovered_cells)
    out = capsys.readouterr()
    visible = len(autograder.get("uncovered_cells").cases("visible"))
    assert out.out.startswith(f"\u2714 uncovered_cells: all {visible} visible cases passed")
    assert "TensorFlow 2.21.0" in out.out and "/CPU:0" in out.out
    assert out.err == ""


def test_check_raises_exercise_failed_not_assertion_error():
    import pytest

    with pytest.raises(autograder.ExerciseFailed) as info:
        autograder.check("uncovered_cells", lambda input_length, pool_size, stride, padding="valid": ())
    assert not isinstance(info.value, AssertionError)
    assert "uncovered_cells(input_length=" in str(info.value)
