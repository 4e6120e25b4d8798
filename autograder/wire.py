"""Values across the process boundary, without pickle.

The learner's process sends back what the learner's functions returned. Unpickling data from
code we do not trust would run that code in the grader, so values travel as JSON: numbers,
strings, lists, tuples, dicts of those, and numpy arrays of plain numeric dtypes (raw bytes in
base64, with dtype and shape). Anything else arrives as an :class:`Opaque` record that only
says what it was; it never compares equal to an expected value. ndarray subclasses arrive as
plain arrays, so a subclass cannot change how comparison behaves.
"""
from __future__ import annotations

import base64
import dataclasses
import math

import numpy as np

__all__ = ["encode", "decode", "Opaque"]

_ARRAY_KINDS = "biufc"  # bool, int, uint, float, complex: no objects, strings or structured data
MAX_BYTES = 64 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Opaque:
    """A value that could not travel: only its type name and a short repr."""

    wire_type: str
    text: str

    def __repr__(self) -> str:
        return self.text


def encode(value, depth: int = 0):
    """``value`` as JSON-able data (see the module docstring)."""
    if depth > 20:
        return {"opaque": "nested too deeply", "text": "..."}
    # numpy first: np.float64 is also a Python float, and must come back as itself
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.kind not in _ARRAY_KINDS or array.dtype.hasobject or array.nbytes > MAX_BYTES:
            return _opaque(value)
        shape = list(array.shape)  # before ascontiguousarray, which makes a 0-d array 1-d
        return {
            "ndarray" if isinstance(value, np.ndarray) else "scalar":
                base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii"),
            "dtype": array.dtype.str,
            "shape": shape,
        }
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)} if not math.isfinite(value) else value
    if isinstance(value, (list, tuple)):
        return {"list" if isinstance(value, list) else "tuple": [encode(v, depth + 1) for v in value]}
    return _opaque(value)


def _opaque(value):
    try:
        text = repr(value)
    except Exception:  # a learner's __repr__ may raise
        text = "<unprintable>"
    return {"opaque": type(value).__name__, "text": text[:200]}


def decode(data):
    """The value :func:`encode` described, built from plain data only."""
    if data is None or isinstance(data, (bool, str, float)):
        return data
    if isinstance(data, int):
        return data
    if isinstance(data, dict):
        if "int" in data:
            return int(data["int"])
        if "float" in data:
            return float(data["float"])
        if "ndarray" in data or "scalar" in data:
            raw = base64.b64decode(data.get("ndarray", data.get("scalar")))
            dtype = np.dtype(data["dtype"])
            if dtype.kind not in _ARRAY_KINDS:
                return Opaque("array", "<array of an unsupported dtype>")
            array = np.frombuffer(raw, dtype=dtype).reshape(data["shape"]).copy()
            return array if "ndarray" in data else array[()]
        if "list" in data:
            return [decode(v) for v in data["list"]]
        if "tuple" in data:
            return tuple(decode(v) for v in data["tuple"])
        if "opaque" in data:
            return Opaque(str(data["opaque"]), str(data.get("text", ""))[:200])
    return Opaque(type(data).__name__, "<unreadable value>")
