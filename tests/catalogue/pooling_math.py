"""Learner code for 02-pooling-math: realistic mistakes and correct variants."""
from . import Variant

ASSIGNMENT = "02-pooling-math"

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
    Variant("pool_output_length", "pool_output_length", "forgets the +1 for VALID", '''
def pool_output_length(input_length, pool_size, stride, padding="valid"):
    if padding.lower() == "valid":
        return (input_length - pool_size) // stride
    return -(-input_length // stride)
'''),
    Variant("pool_output_length", "pool_output_length", "floor instead of ceil for SAME", '''
def pool_output_length(input_length, pool_size, stride, padding="valid"):
    if padding.lower() == "valid":
        return (input_length - pool_size) // stride + 1
    return input_length // stride
'''),
    Variant("pool_output_length", "pool_output_length", "padding compared case-sensitively", '''
def pool_output_length(input_length, pool_size, stride, padding="valid"):
    if padding == "valid":
        return (input_length - pool_size) // stride + 1
    return -(-input_length // stride)
'''),
    Variant("pool_output_length", "pool_output_length", "true division returns a float", '''
def pool_output_length(input_length, pool_size, stride, padding="valid"):
    import math
    if padding.lower() == "valid":
        return math.floor((input_length - pool_size) / stride) + 1.0
    return math.ceil(input_length / stride) * 1.0
'''),
    Variant("pool_output_length", "pool_output_length", "SAME computed like VALID with the window", '''
def pool_output_length(input_length, pool_size, stride, padding="valid"):
    if padding.lower() == "valid":
        return (input_length - pool_size) // stride + 1
    return (input_length - pool_size + pool_size // 2) // stride + 1
'''),
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
    Variant("pool_output_length", "pool_output_length", "math.ceil and a dictionary", '''
import math

def pool_output_length(input_length, pool_size, stride, padding="valid"):
    rules = {
        "valid": lambda: (input_length - pool_size) // stride + 1,
        "same": lambda: math.ceil(input_length / stride),
    }
    return int(rules[padding.lower()]())
'''),
]
