"""autograder.compare: kind, shape, dtype, then values, with tolerances by dtype."""
import numpy as np
import pytest

from autograder.compare import MAX_LISTED, compare, tolerance


def test_equal_arrays_match():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    assert compare(a.copy(), a) is None


def test_list_instead_of_array_is_a_type_problem():
    m = compare([[1, 2]], np.array([[1, 2]]))
    assert m.kind == "type" and "list" in m.summary and "numpy array" in m.summary


def test_shape_is_checked_before_dtype_and_values():
    m = compare(np.zeros((3, 3)), np.zeros((2, 2), dtype=np.int32))
    assert m.kind == "shape" and "(3, 3)" in m.summary and "(2, 2)" in m.summary


def test_dtype_is_checked_before_values():
    m = compare(np.array([5.0, 6.0]), np.array([5, 6], dtype=np.int64))
    assert m.kind == "dtype" and "float64" in m.summary and "int64" in m.summary


def test_value_mismatch_counts_lists_and_measures():
    expected = np.zeros((4, 4), dtype=np.float32)
    actual = expected.copy()
    actual[0, 1] = 1.0
    actual[3, 3] = -2.0
    m = compare(actual, expected)
    assert m.kind == "values"
    assert "2 of 16 values differ (12.5%)" in m.summary
    assert "rtol=1e-05" in m.summary
    assert m.first_index == (0, 1)
    text = str(m)
    assert "(0, 1)" in text and "(3, 3)" in text and "largest absolute difference 2" in text


def test_at_most_five_elements_are_listed():
    m = compare(np.ones(20, dtype=np.int32), np.zeros(20, dtype=np.int32))
    assert sum(line.strip().startswith("(") for line in m.details) == MAX_LISTED
    assert "and 15 more" in str(m)


@pytest.mark.parametrize("dtype,delta,ok", [
    (np.float32, 1e-7, True), (np.float32, 1e-3, False),
    (np.float64, 1e-14, True), (np.float64, 1e-8, False),
    (np.int32, 1, False),
])
def test_tolerance_depends_on_dtype(dtype, delta, ok):
    expected = np.array([1.0, 2.0]).astype(dtype)
    actual = (expected + np.array(delta).astype(dtype)).astype(dtype)
    assert (compare(actual, expected) is None) == ok


def test_integers_are_exact():
    assert tolerance(np.int64) == (0.0, 0.0)


def test_nan_matches_nan():
    assert compare(np.array([np.nan, 1.0]), np.array([np.nan, 1.0])) is None


def test_ints_must_be_ints():
    assert compare(13, 13) is None
    assert compare(np.int64(13), 13) is None
    m = compare(13.0, 13)
    assert m.kind == "type" and "float" in m.summary
    assert compare(True, 1).kind == "type"
    assert "returned 12; expected 13" in compare(12, 13).summary


def test_tuples_compare_item_by_item():
    assert compare((0, 1), (0, 1)) is None
    assert compare([0, 1], (0, 1)) is None
    m = compare((1, 0), (0, 1))
    assert m.kind == "values" and "item 0" in m.summary
