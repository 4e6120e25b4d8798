"""Learner code for 02-pooling-math: realistic mistakes and correct variants."""
from . import Variant

ASSIGNMENT = "02-pooling-math"

# What the released docstrings must not give away: the output size and the window slice of
# pool2d; for uncovered_cells, how the windows are counted and placed (VALID and SAME).
HANDED_OVER = {
    "pool2d": ["(H - kh) // sh + 1", "(W - kw) // sw + 1", "// sh", "i * sh", "i*sh", "j * sw"],
    "uncovered_cells": ["// stride + 1", "// s + 1", "-(-", "i * s", "before =", "total // 2", "np.flatnonzero",
                        "range(0,"],
}

_HEAD = 'def pool2d(feature_map, pool_size, stride, mode="max"):\n'
_PAIRS = '''    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    kh, kw = (pool_size, pool_size) if np.isscalar(pool_size) else pool_size
    sh, sw = (stride, stride) if np.isscalar(stride) else stride
    H, W = feature_map.shape
    if kh > H or kw > W:
        raise ValueError("pool_size is larger than the feature map")
'''


def _pool2d(body: str) -> Variant:
    return _HEAD + _PAIRS + body


_UNCOVERED_HEAD = 'def uncovered_cells(input_length, pool_size, stride, padding="valid"):\n'
_UNCOVERED_SIZES = '''    if min(input_length, pool_size, stride) < 1:
        raise ValueError(f"sizes must be at least 1, got {(input_length, pool_size, stride)}")
'''
_UNCOVERED_MODE = '''    mode = padding.lower()
    if mode not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
'''
_UNCOVERED_FITS = '''    if mode == "valid" and pool_size > input_length:
        raise ValueError(f"a VALID window of {pool_size} does not fit in {input_length} cells")
'''


def _uncovered(body: str, sizes: str = _UNCOVERED_SIZES, fits: str = _UNCOVERED_FITS) -> str:
    """A learner's uncovered_cells: checks (the ones given), then ``body``."""
    return _UNCOVERED_HEAD + sizes + _UNCOVERED_MODE + fits + body


MISTAKES = [
    Variant("pool2d", "pool2d", "off-by-one output size (no +1)", _pool2d('''
    oh, ow = (H - kh) // sh, (W - kw) // sw
    dt = feature_map.dtype if mode == "max" or feature_map.dtype.kind == "f" else np.float64
    out = np.empty((oh, ow), dt)
    for i in range(oh):
        for j in range(ow):
            win = feature_map[i*sh:i*sh+kh, j*sw:j*sw+kw]
            out[i, j] = win.max() if mode == "max" else win.mean()
    return out
''')),
    Variant("pool2d", "pool2d", "np.zeros output: float64 for integer maps", _pool2d('''
    oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = feature_map[i*sh:i*sh+kh, j*sw:j*sw+kw]
            out[i, j] = win.max() if mode == "max" else win.mean()
    return out
''')),
    Variant("pool2d", "pool2d", "stride and window swapped in the slice", _pool2d('''
    oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
    dt = feature_map.dtype if mode == "max" or feature_map.dtype.kind == "f" else np.float64
    out = np.empty((oh, ow), dt)
    for i in range(oh):
        for j in range(ow):
            win = feature_map[i*kh:i*kh+sh, j*kw:j*kw+sw]
            out[i, j] = win.max() if mode == "max" else win.mean()
    return out
''')),
    Variant("pool2d", "pool2d", "integer division in the average", _pool2d('''
    oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
    dt = feature_map.dtype if mode == "max" or feature_map.dtype.kind == "f" else np.float64
    out = np.empty((oh, ow), dt)
    for i in range(oh):
        for j in range(ow):
            win = feature_map[i*sh:i*sh+kh, j*sw:j*sw+kw]
            out[i, j] = win.max() if mode == "max" else win.sum() // win.size
    return out
''')),
    Variant("pool2d", "pool2d", "rows and columns of a pair swapped", _pool2d('''
    kh, kw = kw, kh
    oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
    dt = feature_map.dtype if mode == "max" or feature_map.dtype.kind == "f" else np.float64
    out = np.empty((oh, ow), dt)
    for i in range(oh):
        for j in range(ow):
            win = feature_map[i*sh:i*sh+kh, j*sw:j*sw+kw]
            out[i, j] = win.max() if mode == "max" else win.mean()
    return out
''')),
    Variant("pool2d", "pool2d", "no ValueError for a bad mode (anything else averages)", _HEAD + '''
    kh, kw = (pool_size, pool_size) if np.isscalar(pool_size) else pool_size
    sh, sw = (stride, stride) if np.isscalar(stride) else stride
    H, W = feature_map.shape
    if kh > H or kw > W:
        raise ValueError("pool_size is larger than the feature map")
    oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
    dt = feature_map.dtype if mode == "max" or feature_map.dtype.kind == "f" else np.float64
    out = np.empty((oh, ow), dt)
    for i in range(oh):
        for j in range(ow):
            win = feature_map[i*sh:i*sh+kh, j*sw:j*sw+kw]
            out[i, j] = win.max() if mode == "max" else win.mean()
    return out
'''),
    Variant("pool2d", "pool2d", "max initialised at 0 (fails on all-negative windows)", _pool2d('''
    oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
    dt = feature_map.dtype if mode == "max" or feature_map.dtype.kind == "f" else np.float64
    out = np.empty((oh, ow), dt)
    for i in range(oh):
        for j in range(ow):
            best, total = 0, 0
            for a in range(kh):
                for b in range(kw):
                    v = feature_map[i*sh + a, j*sw + b]
                    best = max(best, v)
                    total += v
            out[i, j] = best if mode == "max" else total / (kh * kw)
    return out
''')),
    Variant("pool2d", "pool2d", "pools the input in place", _pool2d('''
    oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
    for i in range(oh):
        for j in range(ow):
            win = feature_map[i*sh:i*sh+kh, j*sw:j*sw+kw]
            feature_map[i, j] = win.max() if mode == "max" else win.mean()
    return feature_map[:oh, :ow]
''')),
    Variant("pool2d", "pool2d", "average of a float16 map returned as float32", _pool2d('''
    oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
    if mode == "max" or feature_map.dtype == np.float64:
        dt = feature_map.dtype
    elif feature_map.dtype.kind == "f":
        dt = np.float32  # "float32 is precise enough for any other float"
    else:
        dt = np.float64
    out = np.empty((oh, ow), dt)
    for i in range(oh):
        for j in range(ow):
            out[i, j] = feature_map[i*sh:i*sh+kh, j*sw:j*sw+kw].max() if mode == "max" else \
                feature_map[i*sh:i*sh+kh, j*sw:j*sw+kw].mean(dtype=np.float64)
    return out
''')),
    Variant("pool2d", "pool2d", "average dtype np.result_type(dtype, np.float32): an int8 map comes back float32", _pool2d('''
    oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
    if mode == "max" or feature_map.dtype.kind == "f":
        dt = feature_map.dtype
    else:
        dt = np.result_type(feature_map.dtype, np.float32)  # the smallest float that holds the ints
    out = np.empty((oh, ow), dt)
    for i in range(oh):
        for j in range(ow):
            win = feature_map[i*sh:i*sh+kh, j*sw:j*sw+kw]
            out[i, j] = win.max() if mode == "max" else win.mean()
    return out
''')),

    # ------------------------------------------------------------------------- uncovered_cells
    Variant("uncovered_cells", "uncovered_cells", "off by one: the last window that fits is left out", _uncovered('''
    read = set()
    if mode == "valid":
        for start in range(0, input_length - pool_size, stride):
            read.update(range(start, start + pool_size))
    else:
        read = set(range(input_length))
    return tuple(c for c in range(input_length) if c not in read)
''')),
    Variant("uncovered_cells", "uncovered_cells", "SAME handled like VALID: the tail dropped", _uncovered('''
    read = set()
    for start in range(0, input_length - pool_size + 1, stride):
        read.update(range(start, start + pool_size))
    return tuple(c for c in range(input_length) if c not in read)
''', fits="    if pool_size > input_length and mode == \"valid\":\n        raise ValueError(\"too long\")\n")),
    Variant("uncovered_cells", "uncovered_cells", "SAME assumed to read every cell, whatever the stride", _uncovered('''
    if mode == "same":
        return ()
    read = set()
    for start in range(0, input_length - pool_size + 1, stride):
        read.update(range(start, start + pool_size))
    return tuple(c for c in range(input_length) if c not in read)
''')),
    Variant("uncovered_cells", "uncovered_cells", "SAME windows not shifted by the zeros before", _uncovered('''
    read = set()
    starts = range(0, input_length, stride) if mode == "same" else range(0, input_length - pool_size + 1, stride)
    for start in starts:
        read.update(range(start, min(start + pool_size, input_length)))
    return tuple(c for c in range(input_length) if c not in read)
''')),
    Variant("uncovered_cells", "uncovered_cells", "SAME: the odd zero of padding put before the input", _uncovered('''
    n = -(-input_length // stride) if mode == "same" else (input_length - pool_size) // stride + 1
    total = max(0, (n - 1) * stride + pool_size - input_length) if mode == "same" else 0
    before = total - total // 2
    read = set()
    for i in range(n):
        read.update(range(max(0, i * stride - before), min(i * stride - before + pool_size, input_length)))
    return tuple(c for c in range(input_length) if c not in read)
''')),
    Variant("uncovered_cells", "uncovered_cells", "returns the numpy array np.flatnonzero gives", _uncovered('''
    n = -(-input_length // stride) if mode == "same" else (input_length - pool_size) // stride + 1
    before = max(0, (n - 1) * stride + pool_size - input_length) // 2 if mode == "same" else 0
    read = np.zeros(input_length, bool)
    for i in range(n):
        read[max(0, i * stride - before):max(0, i * stride - before + pool_size)] = True
    return np.flatnonzero(~read)
''')),
    Variant("uncovered_cells", "uncovered_cells", "cells counted from np.arange(0.0, L): floats", _uncovered('''
    n = -(-input_length // stride) if mode == "same" else (input_length - pool_size) // stride + 1
    before = max(0, (n - 1) * stride + pool_size - input_length) // 2 if mode == "same" else 0
    read = set()
    for i in range(n):
        read.update(np.arange(i * stride - before, i * stride - before + pool_size))
    return tuple(c for c in np.arange(0.0, input_length) if c not in read)
''')),
    Variant("uncovered_cells", "uncovered_cells", "padding compared case-sensitively", '''
def uncovered_cells(input_length, pool_size, stride, padding="valid"):
    if min(input_length, pool_size, stride) < 1:
        raise ValueError("sizes must be at least 1")
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    if padding == "valid" and pool_size > input_length:
        raise ValueError("the window does not fit")
    n = -(-input_length // stride) if padding == "same" else (input_length - pool_size) // stride + 1
    before = max(0, (n - 1) * stride + pool_size - input_length) // 2 if padding == "same" else 0
    read = set()
    for i in range(n):
        read.update(range(i * stride - before, i * stride - before + pool_size))
    return tuple(c for c in range(input_length) if c not in read)
'''),
    Variant("uncovered_cells", "uncovered_cells", "counts the uncovered cells instead of listing them", _uncovered('''
    n = -(-input_length // stride) if mode == "same" else (input_length - pool_size) // stride + 1
    before = max(0, (n - 1) * stride + pool_size - input_length) // 2 if mode == "same" else 0
    read = set()
    for i in range(n):
        read.update(range(i * stride - before, i * stride - before + pool_size))
    return sum(1 for c in range(input_length) if c not in read)
''')),
    Variant("uncovered_cells", "uncovered_cells", "no ValueError for a VALID window longer than the input", _uncovered('''
    n = -(-input_length // stride) if mode == "same" else max(0, (input_length - pool_size) // stride + 1)
    before = max(0, (n - 1) * stride + pool_size - input_length) // 2 if mode == "same" else 0
    read = set()
    for i in range(n):
        read.update(range(i * stride - before, i * stride - before + pool_size))
    return tuple(c for c in range(input_length) if c not in read)
''', fits="")),
    Variant("uncovered_cells", "uncovered_cells", "sizes not checked: a 0-wide window reads nothing", _uncovered('''
    n = -(-input_length // stride) if mode == "same" else (input_length - pool_size) // stride + 1
    before = max(0, (n - 1) * stride + pool_size - input_length) // 2 if mode == "same" else 0
    read = set()
    for i in range(n):
        read.update(range(i * stride - before, i * stride - before + pool_size))
    return tuple(c for c in range(input_length) if c not in read)
''', sizes="")),
]

CORRECT = [
    Variant("pool2d", "pool2d", "vectorised with sliding_window_view, helper in the cell", '''
from numpy.lib.stride_tricks import sliding_window_view

def _as_pair(v):
    return (int(v), int(v)) if np.ndim(v) == 0 else tuple(int(x) for x in v)

def pool2d(feature_map, pool_size, stride, mode="max"):
    if mode not in {"max", "avg"}:
        raise ValueError("unknown mode %r: use 'max' or 'avg'" % (mode,))
    (kh, kw), (sh, sw) = _as_pair(pool_size), _as_pair(stride)
    x = np.asarray(feature_map)
    if kh > x.shape[0] or kw > x.shape[1]:
        raise ValueError("window %s does not fit in %s" % ((kh, kw), x.shape))
    windows = sliding_window_view(x, (kh, kw))[::sh, ::sw]
    if mode == "max":
        return windows.max(axis=(-2, -1))
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    return windows.mean(axis=(-2, -1), dtype=dtype).astype(dtype)
'''),
    Variant("pool2d", "pool2d", "lists of lists built, converted at the end, float64 sums", '''
def pool2d(feature_map, pool_size, stride, mode="max"):
    x = np.array(feature_map)
    if mode != "max" and mode != "avg":
        raise ValueError(f"bad mode: {mode}")
    kh, kw = pool_size if isinstance(pool_size, (tuple, list)) else (pool_size, pool_size)
    sh, sw = stride if isinstance(stride, (tuple, list)) else (stride, stride)
    if kh > x.shape[0] or kw > x.shape[1]:
        raise ValueError("pool_size too large")
    rows = []
    for top in range(0, x.shape[0] - kh + 1, sh):
        row = []
        for left in range(0, x.shape[1] - kw + 1, sw):
            window = x[top:top + kh, left:left + kw]
            row.append(window.max() if mode == "max" else window.astype(np.float64).sum() / window.size)
        rows.append(row)
    out_dtype = x.dtype if mode == "max" or x.dtype.kind == "f" else np.float64
    return np.array(rows, dtype=out_dtype)
'''),
    Variant("uncovered_cells", "uncovered_cells", "a boolean mask, returned as a list of ints", '''
import math

def uncovered_cells(input_length, pool_size, stride, padding="valid"):
    name = str(padding).upper()
    if name not in ("VALID", "SAME"):
        raise ValueError("unknown padding: " + repr(padding))
    if input_length < 1 or pool_size < 1 or stride < 1:
        raise ValueError("input_length, pool_size and stride must be positive")
    if name == "VALID" and pool_size > input_length:
        raise ValueError("pool_size is longer than the input")
    read = np.zeros(input_length, dtype=bool)
    if name == "VALID":
        for start in range(0, input_length - pool_size + 1, stride):
            read[start:start + pool_size] = True
    else:
        windows = math.ceil(input_length / stride)
        total = max((windows - 1) * stride + pool_size - input_length, 0)
        for i in range(windows):
            start = i * stride - total // 2
            read[max(start, 0):max(start + pool_size, 0)] = True
    return [int(i) for i in np.flatnonzero(~read)]
'''),
    Variant("uncovered_cells", "uncovered_cells", "gaps between windows and the tail, numpy integers in a tuple", '''
def uncovered_cells(input_length, pool_size, stride, padding="valid"):
    for name, value in {"input_length": input_length, "pool_size": pool_size, "stride": stride}.items():
        if value <= 0:
            raise ValueError(f"{name} must be positive, not {value}")
    if padding.casefold() == "same":
        count = (input_length + stride - 1) // stride
        shift = max(0, (count - 1) * stride + pool_size - input_length) // 2
    elif padding.casefold() == "valid":
        if pool_size > input_length:
            raise ValueError(f"window {pool_size} > input {input_length}")
        count, shift = (input_length - pool_size) // stride + 1, 0
    else:
        raise ValueError(f"padding {padding!r}: expected 'valid' or 'same'")
    cells = np.arange(input_length)
    offset = (cells + shift) % stride
    window_of = (cells + shift) // stride
    read = (offset < pool_size) & (window_of < count)
    # windows longer than the stride also reach into the next ones' cells
    for back in range(1, -(-pool_size // stride)):
        earlier = window_of - back
        read |= (earlier >= 0) & (earlier < count) & (offset + back * stride < pool_size)
    return tuple(cells[~read])
'''),
]
