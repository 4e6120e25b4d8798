"""Compare what a learner's function returned with what TensorFlow computed.

Checks run in the order a learner can act on: the kind of value, then the shape, then the dtype,
then the values (with a tolerance that depends on the dtype). The result is ``None`` when they
agree, or a :class:`Mismatch` that says what differs, like ``numpy.testing`` does: the tolerance,
how many elements differ ("k of n (p%)"), at most five of them, and the largest differences.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .i18n import tr

__all__ = ["Mismatch", "compare", "tolerance", "safe_repr", "MAX_LISTED"]

MAX_LISTED = 5  # mismatching elements listed in a message

# (rtol, atol) by dtype kind/size. Integers and booleans compare exactly. Float tolerances cover
# a different summation order (numpy's pairwise sums vs TensorFlow's, oneDNN on the CPU, a GPU
# kernel), which moves an average by a few units in the last place, never more.
_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-3),
    np.dtype(np.float32): (1e-5, 1e-6),
    np.dtype(np.float64): (1e-10, 1e-12),
}


def tolerance(dtype) -> tuple[float, float]:
    """``(rtol, atol)`` used for values of ``dtype``; ``(0, 0)`` means exact."""
    dtype = np.dtype(dtype)
    if dtype in _TOLERANCES:
        return _TOLERANCES[dtype]
    if np.issubdtype(dtype, np.floating):
        return (1e-2, 1e-2)  # bfloat16 and other narrow floats
    return (0.0, 0.0)


@dataclasses.dataclass
class Mismatch:
    """How a learner's value differs from the expected one.

    Attributes:
        kind: ``"type"``, ``"shape"``, ``"dtype"`` or ``"values"``.
        summary: one line saying what differs.
        details: extra lines (the listed elements, the largest differences).
        first_index: index of the first differing element (``"values"`` only).
    """

    kind: str
    summary: str
    details: list[str] = dataclasses.field(default_factory=list)
    first_index: tuple[int, ...] | None = None

    def __str__(self) -> str:
        return "\n".join([self.summary, *self.details])


def _type_name(value: Any) -> str:
    if hasattr(value, "wire_type"):  # a value that could not cross from the learner's process
        return f"{value.wire_type} {value.text}"
    if isinstance(value, np.ndarray):
        return tr("a numpy array of shape {shape}, dtype {dtype}", shape=value.shape, dtype=value.dtype)
    if isinstance(value, np.generic):
        return tr("a numpy scalar of dtype {dtype}", dtype=value.dtype)
    return f"{type(value).__name__} {safe_repr(value)}" if value is None or np.isscalar(value) else type(value).__name__


def compare(actual: Any, expected: Any) -> Mismatch | None:
    """``None`` when ``actual`` matches ``expected``, else a :class:`Mismatch`."""
    if isinstance(expected, np.ndarray):
        return _compare_arrays(actual, expected)
    if isinstance(expected, (int, np.integer)) and not isinstance(expected, bool):
        return _compare_ints(actual, int(expected))
    if isinstance(expected, tuple):
        return _compare_tuples(actual, expected)
    if not _equal(actual, expected):
        return Mismatch("values", tr("returned {actual}; expected {expected}", actual=safe_repr(actual),
                                     expected=safe_repr(expected)))
    return None


def _equal(actual: Any, expected: Any) -> bool:
    """Whether two plain values (None, str, float, bool...) are the same value of the same type;
    never raises (an array compared with None, a value whose == misbehaves)."""
    if type(actual) is not type(expected):
        return False
    try:
        return bool(actual == expected)
    except Exception:  # noqa: BLE001 - e.g. an ambiguous truth value
        return False


def safe_repr(value: Any, limit: int = 200) -> str:
    """``repr(value)``, cut at ``limit`` characters; never raises (a huge int, a failing __repr__)."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _compare_ints(actual: Any, expected: int) -> Mismatch | None:
    if isinstance(actual, bool) or not isinstance(actual, (int, np.integer)):
        return Mismatch("type", tr("returned {actual}; expected an int ({expected})", actual=_type_name(actual),
                                   expected=expected))
    if int(actual) != expected:
        return Mismatch("values", tr("returned {actual}; expected {expected}", actual=int(actual), expected=expected))
    return None


def _compare_tuples(actual: Any, expected: tuple) -> Mismatch | None:
    if not isinstance(actual, (tuple, list)):
        return Mismatch("type", tr("returned {actual}; expected a tuple {expected}", actual=_type_name(actual),
                                   expected=safe_repr(expected)))
    if len(actual) != len(expected):
        return Mismatch("shape", tr("returned {n} items {actual}; expected {m}: {expected}", n=len(actual),
                                    actual=safe_repr(tuple(actual)), m=len(expected), expected=safe_repr(expected)))
    for i, (a, e) in enumerate(zip(actual, expected)):
        problem = compare(a, e)
        if problem is not None:
            return Mismatch(problem.kind, tr("item {i}: {summary} (whole value {actual}; expected {expected})", i=i,
                                             summary=problem.summary, actual=safe_repr(tuple(actual)),
                                             expected=safe_repr(expected)))
    return None


def _compare_arrays(actual: Any, expected: np.ndarray) -> Mismatch | None:
    if not isinstance(actual, np.ndarray):
        return Mismatch("type", tr("returned {actual}; expected a numpy array of shape {shape}, dtype {dtype}",
                                   actual=_type_name(actual), shape=expected.shape, dtype=expected.dtype))
    actual = np.asarray(actual).view(np.ndarray)  # a subclass must not change how != behaves
    if actual.shape != expected.shape:
        return Mismatch("shape", tr("returned shape {actual}; expected shape {expected}", actual=actual.shape,
                                    expected=expected.shape))
    if actual.dtype != expected.dtype:
        return Mismatch("dtype", tr("returned dtype {actual}; expected dtype {expected}", actual=actual.dtype,
                                    expected=expected.dtype))
    rtol, atol = tolerance(expected.dtype)
    if rtol == 0 and atol == 0:
        bad = actual != expected
        how = tr("exact comparison for {dtype}", dtype=expected.dtype)
    else:
        close = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
        bad = ~close
        how = tr("{dtype} tolerance rtol={rtol:g}, atol={atol:g}", dtype=expected.dtype, rtol=rtol, atol=atol)
    count = int(np.count_nonzero(bad))
    if count == 0:
        return None
    total = expected.size
    indices = [tuple(int(i) for i in idx) for idx in np.argwhere(bad)[:MAX_LISTED]]
    details = ["  " + tr("index        yours        expected")]
    for idx in indices:
        details.append(f"  {str(idx):<12} {_fmt(actual[idx]):<12} {_fmt(expected[idx])}")
    if count > MAX_LISTED:
        details.append("  " + tr("... and {n} more", n=count - MAX_LISTED))
    with np.errstate(all="ignore"):
        a = actual[bad].astype(np.float64)
        e = expected[bad].astype(np.float64)
        abs_diff = np.abs(a - e)
        rel_diff = abs_diff / np.where(e == 0, np.inf, np.abs(e))
    finite = np.isfinite(abs_diff)
    if finite.any():
        details.append("  " + tr("largest absolute difference {absolute}, largest relative difference {relative}",
                                 absolute=_fmt(abs_diff[finite].max()), relative=_fmt(rel_diff[finite].max())))
    return Mismatch(
        "values",
        tr("{count} of {total} values differ ({percent:.1f}%), {how}:", count=count, total=total,
           percent=100.0 * count / total, how=how),
        details,
        first_index=indices[0],
    )


def _fmt(x: Any) -> str:
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.6g}"
    return str(x.item() if isinstance(x, np.generic) else x)
