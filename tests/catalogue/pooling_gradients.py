"""Learner code for 05-pooling-gradients: realistic mistakes and correct variants.

The mistakes start from one loop-per-cell implementation, written as a learner would write it,
and change the one thing the mistake is about.
"""
from . import Variant

ASSIGNMENT = "05-pooling-gradients"

# What the released docstrings must not give away (tests/test_handed_over.py): the algorithm and the
# formulas the exercises ask for, where the task text and the hints leave them for the learner to find.
HANDED_OVER = {
    "max_pool_backward": ["argmax", "divmod", "unravel_index", "+=", "-(-", "// 2", "(H - kh) // sh",
                          "np.zeros(", "moveaxis"],
    "avg_pool_backward": ["+=", "(r1 - r0)", "/ (kh * kw)", "i:i + 1", "i:i+1", "-(-", "// 2", "np.zeros(",
                          "moveaxis"],
}

# ----------------------------------------------------------------------------- max_pool_backward
_MAX = '''
def max_pool_backward(upstream, value, ksize, strides, padding, data_format="NHWC"):
    if padding not in ("VALID", "SAME"):
        raise ValueError(f"padding must be VALID or SAME, not {padding}")

    def as_pair(v):
        if isinstance(v, int):
            return v, v
        v = list(v)
        if len(v) == 1:
            return v[0], v[0]
        if len(v) == 2:
            return v[0], v[1]
        return (v[2], v[3]) if data_format == "NCHW" else (v[1], v[2])

    kh, kw = as_pair(ksize)
    sh, sw = as_pair(strides)
    x = np.transpose(value, (0, 2, 3, 1)) if data_format == "NCHW" else value
    dy = np.transpose(upstream, (0, 2, 3, 1)) if data_format == "NCHW" else upstream
    N, H, W, C = x.shape
    if padding == "VALID":
        if kh > H or kw > W:
            raise ValueError("the window is larger than the input")
        oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
        pt = pl = 0
    else:
        oh, ow = -(-H // sh), -(-W // sw)
        pt = max((oh - 1) * sh + kh - H, 0) // 2
        pl = max((ow - 1) * sw + kw - W, 0) // 2
    if dy.shape != (N, oh, ow, C):
        raise ValueError(f"upstream has the wrong shape {upstream.shape}")
    dx = np.zeros(x.shape, dtype=upstream.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(oh):
                for j in range(ow):
                    r0, c0 = i * sh - pt, j * sw - pl
                    best, br, bc = -np.inf, -1, -1
                    for a in range(r0, r0 + kh):
                        for b in range(c0, c0 + kw):
                            if 0 <= a < H and 0 <= b < W and x[n, a, b, c] > best:
                                best, br, bc = x[n, a, b, c], a, b
                    dx[n, br, bc, c] += dy[n, i, j, c]
    return np.transpose(dx, (0, 3, 1, 2)) if data_format == "NCHW" else dx
'''


def _max(old: str, new: str, count: int = 1) -> str:
    assert _MAX.count(old) == count, old
    return _MAX.replace(old, new)


MISTAKES = [
    Variant("max_pool_backward", "max_pool_backward", "= instead of += (overlapping windows overwrite)",
            _max("dx[n, br, bc, c] += dy[n, i, j, c]", "dx[n, br, bc, c] = dy[n, i, j, c]")),
    Variant("max_pool_backward", "max_pool_backward", "ties: gradient to the last maximum (>=)",
            _max("x[n, a, b, c] > best:", "x[n, a, b, c] >= best:")),
    Variant("max_pool_backward", "max_pool_backward", "ties: gradient to every tied maximum", _max('''
                    best, br, bc = -np.inf, -1, -1
                    for a in range(r0, r0 + kh):
                        for b in range(c0, c0 + kw):
                            if 0 <= a < H and 0 <= b < W and x[n, a, b, c] > best:
                                best, br, bc = x[n, a, b, c], a, b
                    dx[n, br, bc, c] += dy[n, i, j, c]''', '''
                    a0, b0 = max(r0, 0), max(c0, 0)
                    window = x[n, a0:r0 + kh, b0:c0 + kw, c]
                    mask = window == window.max()
                    dx[n, a0:r0 + kh, b0:c0 + kw, c] += mask * dy[n, i, j, c]''')),
    Variant("max_pool_backward", "max_pool_backward", "upstream ignored: 1 to each maximum",
            _max("dx[n, br, bc, c] += dy[n, i, j, c]", "dx[n, br, bc, c] += 1")),
    Variant("max_pool_backward", "max_pool_backward", "SAME: the extra padding put on top/left", _max('''
        pt = max((oh - 1) * sh + kh - H, 0) // 2
        pl = max((ow - 1) * sw + kw - W, 0) // 2''', '''
        pt = -(-max((oh - 1) * sh + kh - H, 0) // 2)
        pl = -(-max((ow - 1) * sw + kw - W, 0) // 2)''')),
    Variant("max_pool_backward", "max_pool_backward", "SAME: padded with zeros, which can be the maximum", _max('''
                    best, br, bc = -np.inf, -1, -1
                    for a in range(r0, r0 + kh):
                        for b in range(c0, c0 + kw):
                            if 0 <= a < H and 0 <= b < W and x[n, a, b, c] > best:
                                best, br, bc = x[n, a, b, c], a, b
                    dx[n, br, bc, c] += dy[n, i, j, c]''', '''
                    best, br, bc = -np.inf, -1, -1
                    for a in range(r0, r0 + kh):
                        for b in range(c0, c0 + kw):
                            inside = 0 <= a < H and 0 <= b < W
                            v = x[n, a, b, c] if inside else 0.0
                            if v > best:
                                best, br, bc = v, a, b
                    if 0 <= br < H and 0 <= bc < W:
                        dx[n, br, bc, c] += dy[n, i, j, c]''')),
    Variant("max_pool_backward", "max_pool_backward", "NCHW treated as NHWC", _max('''
    x = np.transpose(value, (0, 2, 3, 1)) if data_format == "NCHW" else value
    dy = np.transpose(upstream, (0, 2, 3, 1)) if data_format == "NCHW" else upstream''', '''
    x, dy = value, upstream''').replace(
        'return np.transpose(dx, (0, 3, 1, 2)) if data_format == "NCHW" else dx', "return dx")),
    Variant("max_pool_backward", "max_pool_backward", "np.zeros without dtype: float64 for float32 inputs",
            _max("dx = np.zeros(x.shape, dtype=upstream.dtype)", "dx = np.zeros(x.shape)")),
    Variant("max_pool_backward", "max_pool_backward", "masks the input window in place", _max('''
                    best, br, bc = -np.inf, -1, -1
                    for a in range(r0, r0 + kh):
                        for b in range(c0, c0 + kw):
                            if 0 <= a < H and 0 <= b < W and x[n, a, b, c] > best:
                                best, br, bc = x[n, a, b, c], a, b
                    dx[n, br, bc, c] += dy[n, i, j, c]''', '''
                    a0, b0 = max(r0, 0), max(c0, 0)
                    window = x[n, a0:r0 + kh, b0:c0 + kw, c]   # a view of value
                    window[window != window.max()] = 0          # keep only the maximum
                    a, b = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, a0 + a, b0 + b, c] += dy[n, i, j, c]''')),
]

# ----------------------------------------------------------------------------- avg_pool_backward
_AVG = '''
def avg_pool_backward(upstream, value_shape, ksize, strides, padding, data_format="NHWC"):
    if padding not in ("VALID", "SAME"):
        raise ValueError(f"padding must be VALID or SAME, not {padding}")

    def as_pair(v):
        if isinstance(v, int):
            return v, v
        v = list(v)
        if len(v) == 1:
            return v[0], v[0]
        if len(v) == 2:
            return v[0], v[1]
        return (v[2], v[3]) if data_format == "NCHW" else (v[1], v[2])

    kh, kw = as_pair(ksize)
    sh, sw = as_pair(strides)
    if data_format == "NCHW":
        N, C, H, W = value_shape
        dy = np.transpose(upstream, (0, 2, 3, 1))
    else:
        N, H, W, C = value_shape
        dy = upstream
    if padding == "VALID":
        if kh > H or kw > W:
            raise ValueError("the window is larger than the input")
        oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
        pt = pl = 0
    else:
        oh, ow = -(-H // sh), -(-W // sw)
        pt = max((oh - 1) * sh + kh - H, 0) // 2
        pl = max((ow - 1) * sw + kw - W, 0) // 2
    if dy.shape != (N, oh, ow, C):
        raise ValueError(f"upstream has the wrong shape {upstream.shape}")
    dx = np.zeros((N, H, W, C), dtype=upstream.dtype)
    for i in range(oh):
        for j in range(ow):
            r0, r1 = max(i * sh - pt, 0), min(i * sh - pt + kh, H)
            c0, c1 = max(j * sw - pl, 0), min(j * sw - pl + kw, W)
            count = (r1 - r0) * (c1 - c0)
            for n in range(N):
                for c in range(C):
                    dx[n, r0:r1, c0:c1, c] += dy[n, i, j, c] / count
    return np.transpose(dx, (0, 3, 1, 2)) if data_format == "NCHW" else dx
'''


def _avg(old: str, new: str, count: int = 1) -> str:
    assert _AVG.count(old) == count, old
    return _AVG.replace(old, new)


MISTAKES += [
    Variant("avg_pool_backward", "avg_pool_backward", "= instead of += (overlapping windows overwrite)",
            _avg("dx[n, r0:r1, c0:c1, c] += dy[n, i, j, c] / count", "dx[n, r0:r1, c0:c1, c] = dy[n, i, j, c] / count")),
    Variant("avg_pool_backward", "avg_pool_backward", "SAME: divides by the full window, padding included",
            _avg("count = (r1 - r0) * (c1 - c0)", "count = kh * kw")),
    Variant("avg_pool_backward", "avg_pool_backward", "SAME: the extra padding put on top/left", _avg('''
        pt = max((oh - 1) * sh + kh - H, 0) // 2
        pl = max((ow - 1) * sw + kw - W, 0) // 2''', '''
        pt = -(-max((oh - 1) * sh + kh - H, 0) // 2)
        pl = -(-max((ow - 1) * sw + kw - W, 0) // 2)''')),
    Variant("avg_pool_backward", "avg_pool_backward", "upstream ignored: 1 / count everywhere",
            _avg("dx[n, r0:r1, c0:c1, c] += dy[n, i, j, c] / count", "dx[n, r0:r1, c0:c1, c] += 1 / count")),
    Variant("avg_pool_backward", "avg_pool_backward", "NCHW treated as NHWC", _avg('''
    if data_format == "NCHW":
        N, C, H, W = value_shape
        dy = np.transpose(upstream, (0, 2, 3, 1))
    else:
        N, H, W, C = value_shape
        dy = upstream''', '''
    N, H, W, C = value_shape
    dy = upstream''').replace(
        'return np.transpose(dx, (0, 3, 1, 2)) if data_format == "NCHW" else dx', "return dx")),
    Variant("avg_pool_backward", "avg_pool_backward", "np.zeros without dtype: float64 for float32 upstream",
            _avg("dx = np.zeros((N, H, W, C), dtype=upstream.dtype)", "dx = np.zeros((N, H, W, C))")),
    Variant("avg_pool_backward", "avg_pool_backward", "divides upstream in place by the window's cells", _avg('''
            for n in range(N):
                for c in range(C):
                    dx[n, r0:r1, c0:c1, c] += dy[n, i, j, c] / count''', '''
            dy[:, i, j, :] /= count   # dy is upstream itself (or a view of it)
            for n in range(N):
                for c in range(C):
                    dx[n, r0:r1, c0:c1, c] += dy[n, i, j, c]''')),
]

# ----------------------------------------------------------------------------- correct variants
CORRECT = [
    Variant("max_pool_backward", "max_pool_backward", "the loop-per-cell version the mistakes start from", _MAX),
    Variant("max_pool_backward", "max_pool_backward", "-inf padding, sliding_window_view, np.add.at", '''
from numpy.lib.stride_tricks import sliding_window_view


def _pair(v, data_format):
    v = np.atleast_1d(v).astype(int).tolist()
    if len(v) == 4:
        v = v[2:] if data_format == "NCHW" else v[1:3]
    return (v[0], v[-1])


def max_pool_backward(upstream, value, ksize, strides, padding, data_format="NHWC"):
    if padding not in {"VALID", "SAME"}:
        raise ValueError("padding: expected 'VALID' or 'SAME', got %r" % (padding,))
    (kh, kw), (sh, sw) = _pair(ksize, data_format), _pair(strides, data_format)
    x = np.asarray(value)
    dy = np.asarray(upstream)
    if data_format == "NCHW":
        x, dy = x.transpose(0, 2, 3, 1), dy.transpose(0, 2, 3, 1)
    N, H, W, C = x.shape
    if padding == "SAME":
        oh, ow = -(-H // sh), -(-W // sw)
        ph, pw = max((oh - 1) * sh + kh - H, 0), max((ow - 1) * sw + kw - W, 0)
        top, left = ph // 2, pw // 2
        xp = np.pad(x.astype(np.float64), ((0, 0), (top, ph - top), (left, pw - left), (0, 0)),
                    constant_values=-np.inf)
    else:
        if kh > H or kw > W:
            raise ValueError("window %s larger than input %s" % ((kh, kw), (H, W)))
        top = left = 0
        xp = x.astype(np.float64)
    windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]  # N, oh, ow, C, kh, kw
    if windows.shape[:4] != dy.shape:
        raise ValueError("upstream shape %s does not match the output %s" % (dy.shape, windows.shape[:4]))
    first = windows.reshape(windows.shape[:4] + (-1,)).argmax(-1)
    n, i, j, c = np.indices(first.shape)
    rows = i * sh + first // kw - top
    cols = j * sw + first % kw - left
    grad = np.zeros((N, H, W, C), np.float64)
    np.add.at(grad, (n, rows, cols, c), dy.astype(np.float64))
    grad = grad.astype(dy.dtype)
    return grad.transpose(0, 3, 1, 2) if data_format == "NCHW" else grad
'''),
    Variant("avg_pool_backward", "avg_pool_backward", "the loop-per-cell version the mistakes start from", _AVG),
    Variant("avg_pool_backward", "avg_pool_backward", "loop over window offsets, counts from a pooled map of ones", '''
def avg_pool_backward(upstream, value_shape, ksize, strides, padding, data_format="NHWC"):
    def pair(v):
        v = [v] if np.isscalar(v) else list(v)
        if len(v) == 4:
            v = v[2:] if data_format == "NCHW" else v[1:3]
        return int(v[0]), int(v[-1])

    if padding != "VALID" and padding != "SAME":
        raise ValueError(f"unknown padding {padding!r}")
    kh, kw = pair(ksize)
    sh, sw = pair(strides)
    dy = np.asarray(upstream)
    if data_format == "NCHW":
        N, C, H, W = value_shape
        dy = np.moveaxis(dy, 1, 3)
    else:
        N, H, W, C = value_shape
    if padding == "VALID" and (kh > H or kw > W):
        raise ValueError("VALID window larger than the input")
    oh = (H - kh) // sh + 1 if padding == "VALID" else -(-H // sh)
    ow = (W - kw) // sw + 1 if padding == "VALID" else -(-W // sw)
    if dy.shape != (N, oh, ow, C):
        raise ValueError(f"upstream should have shape {(N, oh, ow, C)}, got {dy.shape}")
    ph = max((oh - 1) * sh + kh - H, 0)
    pw = max((ow - 1) * sw + kw - W, 0)
    # a padded canvas: real cells are ones, padding zeros; count[i, j] = real cells per window
    real = np.pad(np.ones((H, W)), ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2)))
    count = np.zeros((oh, ow))
    for a in range(kh):
        for b in range(kw):
            count += real[a:a + sh * (oh - 1) + 1:sh, b:b + sw * (ow - 1) + 1:sw]
    share = dy.astype(np.float64) / count[None, :, :, None]
    canvas = np.zeros((N, H + ph, W + pw, C))
    for a in range(kh):
        for b in range(kw):
            canvas[:, a:a + sh * (oh - 1) + 1:sh, b:b + sw * (ow - 1) + 1:sw, :] += share
    grad = canvas[:, ph // 2:ph // 2 + H, pw // 2:pw // 2 + W, :].astype(dy.dtype)
    return np.ascontiguousarray(np.moveaxis(grad, 3, 1)) if data_format == "NCHW" else grad
'''),
]
