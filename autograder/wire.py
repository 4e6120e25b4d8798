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
import binascii
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


MAX_DIGITS = 1000  # an int sent with more digits arrives as an Opaque (Python refuses to print past 4300)
MAX_ITEMS = 100_000  # items of one list or tuple
MAX_DEPTH = 20


def decode(data, depth: int = 0):
    """The value :func:`encode` described, built from plain data only.

    It comes from the learner's process, so anything else (a forged or garbled record, too deep,
    too long, an int of thousands of digits, an array whose bytes do not fit its shape) becomes an
    :class:`Opaque` that compares equal to nothing: it never raises.
    """
    try:
        return _decode(data, depth)
    except (ValueError, TypeError, KeyError, OverflowError, RecursionError, MemoryError, binascii.Error):
        return Opaque(type(data).__name__, "<unreadable value>")


def _decode(data, depth: int):
    if depth > MAX_DEPTH:
        return Opaque("nested", "<nested too deeply>")
    if data is None or isinstance(data, (bool, str, float)):
        return data
    if isinstance(data, int):
        if abs(data).bit_length() > MAX_DIGITS * 3.33:
            return Opaque("int", f"<an int of about {int(abs(data).bit_length() / 3.33)} digits>")
        return data
    if isinstance(data, dict):
        if "int" in data:
            text = str(data["int"])
            if len(text.lstrip("-")) > MAX_DIGITS:
                return Opaque("int", f"<an int of {len(text.lstrip('-'))} digits>")
            return int(text)
        if "float" in data:
            return float(str(data["float"]))
        if "ndarray" in data or "scalar" in data:
            dtype = np.dtype(str(data["dtype"]))
            if dtype.kind not in _ARRAY_KINDS or dtype.hasobject:
                return Opaque("array", "<array of an unsupported dtype>")
            shape = data["shape"]
            if not isinstance(shape, list) or len(shape) > 32 or not all(
                    isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in shape):
                return Opaque("array", "<array with a shape that is not a shape>")
            raw = base64.b64decode(str(data.get("ndarray", data.get("scalar"))), validate=True)
            if len(raw) != math.prod(shape) * dtype.itemsize or len(raw) > MAX_BYTES:
                return Opaque("array", "<array whose bytes do not match its shape>")
            array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
            return array if "ndarray" in data else array[()]
        for kind in ("list", "tuple"):
            if kind in data:
                items = data[kind]
                if not isinstance(items, list) or len(items) > MAX_ITEMS:
                    return Opaque(kind, f"<a {kind} that could not be read>")
                values = [_decode(v, depth + 1) for v in items]
                return values if kind == "list" else tuple(values)
        if "opaque" in data:
            return Opaque(str(data["opaque"])[:100], str(data.get("text", ""))[:200])
    return Opaque(type(data).__name__, "<unreadable value>")
