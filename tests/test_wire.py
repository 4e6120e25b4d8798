"""Property tests (Hypothesis, derandomized): values cross the process boundary unchanged, and the
comparison's tolerance rules hold for any array."""
import json
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder import wire
from autograder.compare import compare, tolerance

SETTINGS = settings(derandomize=True, max_examples=150, deadline=None)
DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint64,
          np.float16, np.float32, np.float64, np.complex64]
arrays = st.sampled_from(DTYPES).flatmap(
    lambda d: hnp.arrays(d, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)))
scalars = st.sampled_from(DTYPES).flatmap(lambda d: hnp.from_dtype(np.dtype(d)).map(lambda v: np.dtype(d).type(v)))
leaves = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
          | st.text(max_size=8) | arrays | scalars)
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner), max_leaves=8)


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray) or isinstance(a, np.generic):
        return a.dtype == b.dtype and np.shape(a) == np.shape(b) and np.asarray(a).tobytes() == np.asarray(b).tobytes()
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


@SETTINGS
@given(values)
def test_values_round_trip_through_json(value):
    back = wire.decode(json.loads(json.dumps(wire.encode(value))))
    assert _same(back, value), (value, back)


@SETTINGS
@given(st.sampled_from([np.float16, np.float32, np.float64]).flatmap(
    lambda d: hnp.arrays(d, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                         elements=hnp.from_dtype(np.dtype(d), min_value=-1e3, max_value=1e3, allow_nan=False))),
    st.data())
def test_float_values_within_the_tolerance_pass_and_beyond_it_fail(expected, data):
    rtol, atol = tolerance(expected.dtype)
    assert compare(expected.copy(), expected) is None
    index = tuple(data.draw(st.integers(0, n - 1)) for n in expected.shape)
    off = expected.copy()
    step = 3 * (atol + rtol * abs(float(expected[index])))
    off[index] = np.asarray(float(expected[index]) + step).astype(expected.dtype)
    mismatch = compare(off, expected)
    assert mismatch is not None and mismatch.kind == "values" and mismatch.first_index == index
    assert mismatch.summary.startswith(f"1 of {expected.size} values differ")
    near = expected.copy()
    near[index] = np.asarray(float(expected[index]) + 0.25 * step / 3).astype(expected.dtype)
    assert compare(near, expected) is None


@SETTINGS
@given(st.sampled_from([np.int8, np.int32, np.int64, np.uint8]).flatmap(
    lambda d: hnp.arrays(d, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                         elements=st.integers(0, 50))), st.data())
def test_integers_compare_exactly(expected, data):
    assert tolerance(expected.dtype) == (0.0, 0.0)
    index = tuple(data.draw(st.integers(0, n - 1)) for n in expected.shape)
    off = expected.copy()
    off[index] += 1
    mismatch = compare(off, expected)
    assert mismatch.kind == "values" and mismatch.first_index == index and "exact comparison" in mismatch.summary


@SETTINGS
@given(arrays, st.sampled_from(DTYPES))
def test_shape_is_judged_before_dtype_and_dtype_before_values(expected, other):
    wrong_shape = np.zeros(expected.shape + (1,), dtype=other)
    assert compare(wrong_shape, expected).kind == "shape"
    if np.dtype(other) != expected.dtype:
        assert compare(expected.astype(other), expected).kind == "dtype"


def test_numpy_scalars_come_back_as_numpy_scalars():
    """Before: np.int64(13) crossed as array([13]), so a correct answer that returned numpy
    integers (here uncovered_cells, a tuple of np.int64) lost its points under trusted grading while
    passing in the kernel."""
    for value in (np.int64(13), np.float32(2.5), np.bool_(False), np.float64(0.0)):
        back = wire.decode(json.loads(json.dumps(wire.encode(value))))
        assert type(back) is type(value) and back == value and np.shape(back) == ()


def test_a_numpy_integer_answer_keeps_its_marks_under_trusted_grading():
    from autograder.trusted import Grader
    from tests.helpers import learner_submission

    source = ("def uncovered_cells(input_length, pool_size, stride, padding='valid'):\n"
              "    padding = padding.lower()\n"
              "    if padding not in ('valid', 'same') or min(input_length, pool_size, stride) < 1:\n"
              "        raise ValueError(f'bad arguments {(input_length, pool_size, stride, padding)}')\n"
              "    if padding == 'valid' and pool_size > input_length:\n"
              "        raise ValueError('the window does not fit')\n"
              "    n = -(-input_length // stride) if padding == 'same' else (input_length - pool_size) // stride + 1\n"
              "    before = max(0, (n - 1) * stride + pool_size - input_length) // 2 if padding == 'same' else 0\n"
              "    read = np.zeros(input_length, bool)\n"
              "    for i in range(n):\n"
              "        read[max(0, i * stride - before):max(0, i * stride - before + pool_size)] = True\n"
              "    return tuple(np.flatnonzero(~read))  # numpy integers\n")
    result = Grader("cpu").grade_notebook(learner_submission("02-pooling-math", {"uncovered_cells": source}),
                                          "02-pooling-math")
    cells = {c["grade_id"]: c for c in result.cells}
    assert cells["uncovered_cells_visible"]["passed"] and cells["uncovered_cells_hidden"]["passed"], \
        cells["uncovered_cells_visible"]["message"]
