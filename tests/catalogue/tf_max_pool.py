"""Learner code for 03-tensorflow-max-pool: realistic mistakes and correct variants.

Most mistakes are one learner's loop version (``_BASE``, itself correct: it is also a catalogued
correct variant) with one thing done wrong; :func:`_change` fails loudly if the text it should
change is not there, so a mistake can never silently be the correct code.
"""
from . import Variant

ASSIGNMENT = "03-tensorflow-max-pool"

# Code and formulas the released docstrings must not give away (tests/test_handed_over.py): the
# output lengths, SAME's padding split, the layout change and the reductions are what the learner
# works out from the notebook's sections and hints.
_GEOMETRY = ["(H - kh) // sh + 1", "// sh + 1", "ceil(H / sh)", "-(-", "// 2", "max((", "transpose(0, 2, 3, 1)",
             "np.pad", "clip"]
HANDED_OVER = {
    "max_pool": _GEOMETRY + [".max(axis", "np.empty", "dtype=x.dtype"],
    "avg_pool": _GEOMETRY + [".mean(axis", "np.mean", "np.issubdtype"],
}

# A learner's max_pool: nested loops, the window clipped to the input (padding never wins).
_BASE = '''
def max_pool(value, ksize, strides, padding, data_format="NHWC"):
    if padding not in ("VALID", "SAME"):
        raise ValueError("padding must be 'VALID' or 'SAME', got " + repr(padding))
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format must be 'NHWC' or 'NCHW', got " + repr(data_format))
    if value.ndim != 4:
        raise ValueError("value must be 4-D, got shape " + str(value.shape))

    def two(v, name):
        if isinstance(v, int):
            v = [v]
        v = list(v)
        if len(v) == 1:
            return v[0], v[0]
        if len(v) == 2:
            return v[0], v[1]
        if len(v) == 4:
            if data_format == "NHWC":
                if v[0] != 1 or v[3] != 1:
                    raise ValueError(name + " must look like [1, h, w, 1], got " + str(v))
                return v[1], v[2]
            if v[0] != 1 or v[1] != 1:
                raise ValueError(name + " must look like [1, 1, h, w], got " + str(v))
            return v[2], v[3]
        raise ValueError(name + " needs 1, 2 or 4 numbers, got " + str(v))

    kh, kw = two(ksize, "ksize")
    sh, sw = two(strides, "strides")
    if min(kh, kw, sh, sw) < 1:
        raise ValueError("ksize and strides must be positive")
    x = value
    if data_format == "NCHW":
        x = np.transpose(value, (0, 2, 3, 1))
    N, H, W, C = x.shape
    if padding == "VALID":
        if kh > H or kw > W:
            raise ValueError("the window is larger than the input")
        Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
        pad_top = pad_left = 0
    else:
        Ho, Wo = -(-H // sh), -(-W // sw)
        pad_top = max((Ho - 1) * sh + kh - H, 0) // 2
        pad_left = max((Wo - 1) * sw + kw - W, 0) // 2
    out = np.zeros((N, Ho, Wo, C), dtype=x.dtype)
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                top, left = i * sh - pad_top, j * sw - pad_left
                win = x[n, max(top, 0):top + kh, max(left, 0):left + kw, :]
                out[n, i, j, :] = win.max(axis=(0, 1))
    if data_format == "NCHW":
        out = np.transpose(out, (0, 3, 1, 2))
    return out
'''

# The same learner's avg_pool.
_AVG = (_BASE.replace("def max_pool(", "def avg_pool(")
        .replace("win.max(axis=(0, 1))", "win.mean(axis=(0, 1))")
        .replace('''    if value.ndim != 4:''', '''    if value.dtype.kind != "f":
        raise ValueError("avg_pool needs floats; TensorFlow cannot average " + str(value.dtype))
    if value.ndim != 4:'''))


def _change(source: str, old: str, new: str, count: int = 1) -> str:
    assert source.count(old) == count, f"expected {count} x {old!r} in the learner code"
    return source.replace(old, new)


_SAME_PAD = '''        pad_top = max((Ho - 1) * sh + kh - H, 0) // 2
        pad_left = max((Wo - 1) * sw + kw - W, 0) // 2'''
_WRONG_SIDE = '''        pad_top = (max((Ho - 1) * sh + kh - H, 0) + 1) // 2
        pad_left = (max((Wo - 1) * sw + kw - W, 0) + 1) // 2'''

_ZERO_PADDED_MAX = '''
def max_pool(value, ksize, strides, padding, data_format="NHWC"):
    if padding not in ("VALID", "SAME") or data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"bad padding {padding!r} or data_format {data_format!r}")
    if value.ndim != 4:
        raise ValueError("value must be 4-D")
    nchw = data_format == "NCHW"

    def pair(v):
        v = [v] if np.ndim(v) == 0 else list(v)
        if len(v) == 4:
            if v[0] != 1 or v[1 if nchw else 3] != 1:
                raise ValueError(f"batch and channel entries must be 1: {v}")
            v = v[2:] if nchw else v[1:3]
        if len(v) not in (1, 2) or min(v) < 1:
            raise ValueError(f"bad window or stride {v}")
        return (v[0], v[-1])

    (kh, kw), (sh, sw) = pair(ksize), pair(strides)
    x = value.transpose(0, 2, 3, 1) if nchw else value
    H, W = x.shape[1:3]
    if padding == "SAME":
        Ho, Wo = -(-H // sh), -(-W // sw)
        ph = max((Ho - 1) * sh + kh - H, 0)
        pw = max((Wo - 1) * sw + kw - W, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    elif kh > H or kw > W:
        raise ValueError("window larger than the input")
    Ho, Wo = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
    out = np.empty((x.shape[0], Ho, Wo, x.shape[3]), x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            out[:, i, j, :] = x[:, i * sh:i * sh + kh, j * sw:j * sw + kw, :].max(axis=(1, 2))
    return out.transpose(0, 3, 1, 2) if nchw else out
'''

MISTAKES = [
    # ---------------------------------------------------------------- max_pool
    Variant("max_pool", "max_pool", "zero padding for SAME (a padded 0 beats negative values)", _ZERO_PADDED_MAX),
    Variant("max_pool", "max_pool", "SAME padding on the wrong side (the odd cell before)",
            _change(_BASE, _SAME_PAD, _WRONG_SIDE)),
    Variant("max_pool", "max_pool", "only the first channel is pooled (copied to every channel)",
            _change(_BASE, "win.max(axis=(0, 1))", "win[:, :, 0].max()")),
    Variant("max_pool", "max_pool", "stride and window swapped in the window start",
            _change(_BASE, "top, left = i * sh - pad_top, j * sw - pad_left",
                    "top, left = i * kh - pad_top, j * kw - pad_left")),
    Variant("max_pool", "max_pool", "4-number ksize always read as [1, kh, kw, 1], also for NCHW",
            _change(_BASE, '''            if data_format == "NHWC":''', '''            if True:''')),
    Variant("max_pool", "max_pool", "np.zeros output: float64 whatever the input dtype",
            _change(_BASE, "out = np.zeros((N, Ho, Wo, C), dtype=x.dtype)", "out = np.zeros((N, Ho, Wo, C))")),
    Variant("max_pool", "max_pool", "padding compared case-insensitively (accepts 'same')",
            _change(_BASE, '''    if padding not in ("VALID", "SAME"):''', '''    padding = padding.upper()
    if padding not in ("VALID", "SAME"):''')),
    Variant("max_pool", "max_pool", "SAME output size rounded down instead of up",
            _change(_BASE, "Ho, Wo = -(-H // sh), -(-W // sw)", "Ho, Wo = H // sh, W // sw")),
    # ---------------------------------------------------------------- avg_pool
    Variant("avg_pool", "avg_pool", "padding counted in the SAME average (divides by kh * kw)",
            _change(_AVG, "win.mean(axis=(0, 1))", "win.sum(axis=(0, 1)) / (kh * kw)")),
    Variant("avg_pool", "avg_pool", "NCHW treated as NHWC (no transpose)",
            _change(_change(_AVG, '''    if data_format == "NCHW":
        x = np.transpose(value, (0, 2, 3, 1))
''', ""), '''    if data_format == "NCHW":
        out = np.transpose(out, (0, 3, 1, 2))
''', "")),
    Variant("avg_pool", "avg_pool", "the batch ignored: only the first map is pooled",
            _change(_AVG, "for n in range(N):", "for n in range(1):")),
    Variant("avg_pool", "avg_pool", "divides the window in place (changes the input)",
            _change(_AVG, "out[n, i, j, :] = win.mean(axis=(0, 1))", '''win /= win.shape[0] * win.shape[1]
                out[n, i, j, :] = win.sum(axis=(0, 1))''')),
    Variant("avg_pool", "avg_pool", "SAME padding on the wrong side (the odd cell before)",
            _change(_AVG, _SAME_PAD, _WRONG_SIDE)),
    Variant("avg_pool", "avg_pool", "np.zeros output: float32 input returns float64",
            _change(_AVG, "out = np.zeros((N, Ho, Wo, C), dtype=x.dtype)", "out = np.zeros((N, Ho, Wo, C))")),
    Variant("avg_pool", "avg_pool", "integers averaged as float64 (notebook 02's rule) instead of ValueError",
            _change(_AVG, '''    if value.dtype.kind != "f":
        raise ValueError("avg_pool needs floats; TensorFlow cannot average " + str(value.dtype))
''', '''    if value.dtype.kind != "f":
        value = value.astype(np.float64)
''')),
]

CORRECT = [
    Variant("max_pool", "max_pool", "nested loops, windows clipped to the input", _BASE),
    Variant("max_pool", "max_pool", "np.pad with -inf on a float64 copy, sliding_window_view, cast back", '''
from numpy.lib.stride_tricks import sliding_window_view


def _numbers(v, name, channels_first):
    v = [int(v)] if np.ndim(v) == 0 else [int(n) for n in v]
    if len(v) == 4:
        if v[0] != 1 or v[1 if channels_first else 3] != 1:
            raise ValueError(f"{name}: no pooling over the batch or the channels, got {v}")
        v = v[2:] if channels_first else v[1:3]
    if len(v) == 1:
        v = v * 2
    if len(v) != 2 or min(v) <= 0:
        raise ValueError(f"{name} must be 1, 2 or 4 positive numbers, got {v}")
    return v


def max_pool(value, ksize, strides, padding, data_format="NHWC"):
    if data_format not in {"NHWC", "NCHW"}:
        raise ValueError(f"unknown data_format {data_format!r}")
    if padding not in {"SAME", "VALID"}:
        raise ValueError(f"unknown padding {padding!r}; TensorFlow wants 'SAME' or 'VALID'")
    if np.ndim(value) != 4:
        raise ValueError(f"expected a 4-D tensor, got {np.ndim(value)}-D")
    cf = data_format == "NCHW"
    (kh, kw), (sh, sw) = _numbers(ksize, "ksize", cf), _numbers(strides, "strides", cf)
    x = np.moveaxis(value, 1, -1) if cf else value
    pads = []
    for n, k, s in ((x.shape[1], kh, sh), (x.shape[2], kw, sw)):
        if padding == "VALID":
            if k > n:
                raise ValueError(f"VALID window {k} > input {n}")
            pads.append((0, 0))
        else:
            total = max((-(-n // s) - 1) * s + k - n, 0)
            pads.append((total // 2, total - total // 2))
    padded = np.pad(x.astype(np.float64), [(0, 0), *pads, (0, 0)], constant_values=-np.inf)
    windows = sliding_window_view(padded, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    out = windows.max(axis=(-2, -1)).astype(value.dtype)
    return np.moveaxis(out, -1, 1) if cf else out
'''),
    Variant("max_pool", "max_pool", "pure Python loops over every cell, best starts as None", '''
def max_pool(value, ksize, strides, padding, data_format="NHWC"):
    if padding != "VALID" and padding != "SAME":
        raise ValueError("padding should be VALID or SAME")
    if data_format != "NHWC" and data_format != "NCHW":
        raise ValueError("data_format should be NHWC or NCHW")
    if len(value.shape) != 4:
        raise ValueError("value should have 4 dimensions")
    k = [ksize] if type(ksize) is int else list(ksize)
    s = [strides] if type(strides) is int else list(strides)
    for name, v in (("ksize", k), ("strides", s)):
        if len(v) not in (1, 2, 4):
            raise ValueError(name + " should have 1, 2 or 4 numbers")
        if len(v) == 4 and (v[0] != 1 or v[1 if data_format == "NCHW" else 3] != 1):
            raise ValueError(name + " cannot pool over the batch or channels")
    def hw(v):
        if len(v) == 1:
            return v[0], v[0]
        if len(v) == 2:
            return v[0], v[1]
        return (v[2], v[3]) if data_format == "NCHW" else (v[1], v[2])
    kh, kw = hw(k)
    sh, sw = hw(s)
    if kh <= 0 or kw <= 0 or sh <= 0 or sw <= 0:
        raise ValueError("ksize and strides should be positive")
    if data_format == "NCHW":
        N, C, H, W = value.shape
    else:
        N, H, W, C = value.shape
    def get(n, c, r, q):
        return value[n, c, r, q] if data_format == "NCHW" else value[n, r, q, c]
    if padding == "VALID":
        if kh > H or kw > W:
            raise ValueError("window does not fit")
        Ho, Wo, top, left = (H - kh) // sh + 1, (W - kw) // sw + 1, 0, 0
    else:
        Ho, Wo = (H + sh - 1) // sh, (W + sw - 1) // sw
        top = max((Ho - 1) * sh + kh - H, 0) // 2
        left = max((Wo - 1) * sw + kw - W, 0) // 2
    shape = (N, C, Ho, Wo) if data_format == "NCHW" else (N, Ho, Wo, C)
    out = np.empty(shape, dtype=value.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best = None
                    for a in range(kh):
                        for b in range(kw):
                            r, q = i * sh - top + a, j * sw - left + b
                            if 0 <= r < H and 0 <= q < W:
                                v = get(n, c, r, q)
                                if best is None or v > best:
                                    best = v
                    if data_format == "NCHW":
                        out[n, c, i, j] = best
                    else:
                        out[n, i, j, c] = best
    return out
'''),
    Variant("avg_pool", "avg_pool", "nested loops, windows clipped to the input", _AVG),
    Variant("avg_pool", "avg_pool", "np.pad with zeros: window sums divided by a padded count of real cells", '''
def avg_pool(value, ksize, strides, padding, data_format="NHWC"):
    if not np.issubdtype(value.dtype, np.floating):
        raise ValueError("TensorFlow's avg_pool takes float tensors only, not " + str(value.dtype))
    if padding not in ["VALID", "SAME"]:
        raise ValueError("padding must be exactly 'VALID' or 'SAME', not %r" % (padding,))
    if data_format not in ["NHWC", "NCHW"]:
        raise ValueError("data_format must be 'NHWC' or 'NCHW', not %r" % (data_format,))
    if value.ndim != 4:
        raise ValueError("need a 4-D input")
    first = data_format == "NCHW"

    def spatial(v):
        v = np.atleast_1d(v).tolist()
        if len(v) == 4:
            if v[0] != 1 or (v[1] if first else v[3]) != 1:
                raise ValueError("only spatial pooling: batch and channel entries must be 1")
            v = v[2:4] if first else v[1:3]
        elif len(v) == 1:
            v = [v[0], v[0]]
        elif len(v) != 2:
            raise ValueError("ksize/strides: 1, 2 or 4 numbers")
        if min(v) < 1:
            raise ValueError("ksize/strides must be >= 1")
        return v

    (kh, kw), (sh, sw) = spatial(ksize), spatial(strides)
    x = np.transpose(value, (0, 2, 3, 1)) if first else value
    N, H, W, C = x.shape
    widths = []
    for n, k, s in ((H, kh, sh), (W, kw, sw)):
        if padding == "VALID":
            if k > n:
                raise ValueError("VALID window larger than the input")
            widths.append((0, 0))
        else:
            need = max(((n + s - 1) // s - 1) * s + k - n, 0)
            widths.append((need // 2, need - need // 2))
    sums = np.pad(x.astype(np.float64), [(0, 0)] + widths + [(0, 0)])
    ones = np.pad(np.ones((H, W)), widths)
    Ho = (sums.shape[1] - kh) // sh + 1
    Wo = (sums.shape[2] - kw) // sw + 1
    out = np.empty((N, Ho, Wo, C), dtype=value.dtype)
    for i in range(Ho):
        for j in range(Wo):
            rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
            out[:, i, j, :] = sums[:, rows, cols, :].sum(axis=(1, 2)) / ones[rows, cols].sum()
    return np.transpose(out, (0, 3, 1, 2)) if first else out
'''),
]
