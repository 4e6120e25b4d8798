"""Learner code for 06-fast-pooling: realistic mistakes and correct variants.

Three learners' vectorised versions, each itself correct (and catalogued as correct):
``_SWV_MAX`` (``sliding_window_view`` on a padded copy), ``_OFFSETS_MAX`` (``np.maximum`` over
the ``kh * kw`` window offsets) and ``_STRIDED_MAX`` (``as_strided``); ``_SWV_AVG`` for the
average. Most mistakes change one thing in one of them; :func:`_change` fails loudly if the text
it should change is not there, so a mistake can never silently be the correct code. The loop
versions are correct but too slow: they lose the hidden check's speed part only.

Order matters: tests/test_nbgrader.py runs the first mistake of each exercise through real
nbgrader, so max_pool_fast's first one is slow (the speed path) and avg_pool_fast's first one is
wrong (the values path).
"""
from . import Variant

ASSIGNMENT = "06-fast-pooling"

# What the released docstrings must not give away (tests/test_handed_over.py): the output-size and
# padding formulas and the numpy machinery the notebook's sections and hints leave for the learner.
HANDED_OVER = {
    "max_pool_fast": ["-(-", "// sh + 1", "ceil(", "// 2", "sliding_window_view", "as_strided", "np.maximum",
                      "-np.inf", "iinfo", "// kh, kh", "np.pad"],
    "avg_pool_fast": ["-(-", "// sh + 1", "ceil(", "// 2", "sliding_window_view", "as_strided", "np.add",
                      "multiply.outer", "issubdtype", "/ (kh * kw)", "np.pad", "cumsum"],
}

# What every learner's cell starts with: notebook 03's argument checks, as helpers.
_CHECKS = '''
from numpy.lib.stride_tricks import as_strided, sliding_window_view


def _check(value, ksize, strides, padding, data_format):
    if padding not in ("VALID", "SAME"):
        raise ValueError(f"padding must be 'VALID' or 'SAME', got {padding!r}")
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {data_format!r}")
    if np.ndim(value) != 4:
        raise ValueError(f"value must be 4-D, got shape {np.shape(value)}")

    def pair(v, name):
        v = [v] if np.ndim(v) == 0 else list(v)
        if len(v) == 4:
            if v[0] != 1 or v[1 if data_format == "NCHW" else 3] != 1:
                raise ValueError(f"{name}: the batch and channel entries must be 1, got {v}")
            v = v[2:] if data_format == "NCHW" else v[1:3]
        if len(v) == 1:
            v = v * 2
        if len(v) != 2 or min(v) < 1:
            raise ValueError(f"{name} must be 1, 2 or 4 positive numbers, got {v}")
        return int(v[0]), int(v[1])

    (kh, kw), (sh, sw) = pair(ksize, "ksize"), pair(strides, "strides")
    return kh, kw, sh, sw


def _pads(n, k, s, padding):
    """Cells padded (before, after) along one axis."""
    if padding == "VALID":
        if k > n:
            raise ValueError(f"a VALID window of {k} does not fit in {n} cells")
        return 0, 0
    total = max((-(-n // s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2
'''

# Learner A: pad with the dtype's lowest value, view every window, keep every stride-th one.
_SWV_MAX = _CHECKS + '''

def max_pool_fast(value, ksize, strides, padding, data_format="NHWC"):
    kh, kw, sh, sw = _check(value, ksize, strides, padding, data_format)
    x = np.moveaxis(value, 1, -1) if data_format == "NCHW" else value
    (top, bottom), (left, right) = _pads(x.shape[1], kh, sh, padding), _pads(x.shape[2], kw, sw, padding)
    low = np.iinfo(x.dtype).min if x.dtype.kind in "iu" else -np.inf
    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=low)
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    out = windows.max(axis=(-2, -1))
    return np.moveaxis(out, -1, 1) if data_format == "NCHW" else out
'''

# Learner B: a padded copy only for SAME, then np.maximum over the kh * kw window offsets.
_OFFSETS_MAX = _CHECKS + '''

def max_pool_fast(value, ksize, strides, padding, data_format="NHWC"):
    kh, kw, sh, sw = _check(value, ksize, strides, padding, data_format)
    x = value.transpose(0, 2, 3, 1) if data_format == "NCHW" else value
    N, H, W, C = x.shape
    (top, bottom), (left, right) = _pads(H, kh, sh, padding), _pads(W, kw, sw, padding)
    if padding == "SAME":
        low = np.iinfo(x.dtype).min if np.issubdtype(x.dtype, np.integer) else -np.inf
        padded = np.full((N, H + top + bottom, W + left + right, C), low, dtype=x.dtype)
        padded[:, top:top + H, left:left + W] = x
        x = padded
    Ho = (x.shape[1] - kh) // sh + 1
    Wo = (x.shape[2] - kw) // sw + 1
    out = x[:, 0:(Ho - 1) * sh + 1:sh, 0:(Wo - 1) * sw + 1:sw].copy()
    for a in range(kh):
        for b in range(kw):
            np.maximum(out, x[:, a:a + (Ho - 1) * sh + 1:sh, b:b + (Wo - 1) * sw + 1:sw], out=out)
    return out.transpose(0, 3, 1, 2) if data_format == "NCHW" else out
'''

# Learner C: as_strided with the strides numpy reports (so it works on any layout).
_STRIDED_MAX = _CHECKS + '''

def max_pool_fast(value, ksize, strides, padding, data_format="NHWC"):
    kh, kw, sh, sw = _check(value, ksize, strides, padding, data_format)
    x = value.transpose(0, 2, 3, 1) if data_format == "NCHW" else value
    (top, bottom), (left, right) = _pads(x.shape[1], kh, sh, padding), _pads(x.shape[2], kw, sw, padding)
    if padding == "SAME":
        low = np.iinfo(x.dtype).min if x.dtype.kind in "iu" else -np.inf
        x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=low)
    N, H, W, C = x.shape
    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
    sN, sH, sW, sC = x.strides
    windows = as_strided(x, shape=(N, Ho, Wo, kh, kw, C),
                         strides=(sN, sH * sh, sW * sw, sH, sW, sC), writeable=False)
    out = windows.max(axis=(3, 4))
    return out.transpose(0, 3, 1, 2) if data_format == "NCHW" else out
'''

# A learner who loops over every output element (correct, but as slow as the baseline).
_ELEMENT_LOOP_MAX = _CHECKS + '''

def max_pool_fast(value, ksize, strides, padding, data_format="NHWC"):
    kh, kw, sh, sw = _check(value, ksize, strides, padding, data_format)
    x = value.transpose(0, 2, 3, 1) if data_format == "NCHW" else value
    N, H, W, C = x.shape
    (top, _), (left, _) = _pads(H, kh, sh, padding), _pads(W, kw, sw, padding)
    Ho = (H - kh) // sh + 1 if padding == "VALID" else -(-H // sh)
    Wo = (W - kw) // sw + 1 if padding == "VALID" else -(-W // sw)
    out = np.empty((N, Ho, Wo, C), dtype=x.dtype)
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                r, c = i * sh - top, j * sw - left
                for ch in range(C):
                    out[n, i, j, ch] = x[n, max(r, 0):r + kh, max(c, 0):c + kw, ch].max()
    return out.transpose(0, 3, 1, 2) if data_format == "NCHW" else out
'''

# Notebook 03's loop over output rows and columns (vectorised over the batch and the channels).
_ROWS_COLUMNS_LOOP_MAX = _CHECKS + '''

def max_pool_fast(value, ksize, strides, padding, data_format="NHWC"):
    kh, kw, sh, sw = _check(value, ksize, strides, padding, data_format)
    x = value.transpose(0, 2, 3, 1) if data_format == "NCHW" else value
    N, H, W, C = x.shape
    (top, _), (left, _) = _pads(H, kh, sh, padding), _pads(W, kw, sw, padding)
    Ho = (H - kh) // sh + 1 if padding == "VALID" else -(-H // sh)
    Wo = (W - kw) // sw + 1 if padding == "VALID" else -(-W // sw)
    out = np.empty((N, Ho, Wo, C), dtype=x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            r, c = i * sh - top, j * sw - left
            out[:, i, j, :] = x[:, max(r, 0):r + kh, max(c, 0):c + kw, :].max(axis=(1, 2))
    return out.transpose(0, 3, 1, 2) if data_format == "NCHW" else out
'''

# Learner A's average: zero padding for the sums, a padded map of ones to count the real cells.
_SWV_AVG = _CHECKS + '''

def avg_pool_fast(value, ksize, strides, padding, data_format="NHWC"):
    if not np.issubdtype(np.asarray(value).dtype, np.floating):
        raise ValueError(f"TensorFlow cannot average {np.asarray(value).dtype}: pass floats")
    kh, kw, sh, sw = _check(value, ksize, strides, padding, data_format)
    x = np.moveaxis(value, 1, -1) if data_format == "NCHW" else value
    (top, bottom), (left, right) = _pads(x.shape[1], kh, sh, padding), _pads(x.shape[2], kw, sw, padding)
    pads = ((0, 0), (top, bottom), (left, right), (0, 0))
    sums = sliding_window_view(np.pad(x, pads), (kh, kw), axis=(1, 2))[:, ::sh, ::sw].sum(axis=(-2, -1))
    ones = np.pad(np.ones(x.shape[1:3], dtype=x.dtype), pads[1:3])
    counts = sliding_window_view(ones, (kh, kw))[::sh, ::sw].sum(axis=(-2, -1))
    out = sums / counts[:, :, None]
    return np.moveaxis(out, -1, 1) if data_format == "NCHW" else out
'''

_ELEMENT_LOOP_AVG = (_ELEMENT_LOOP_MAX.replace("def max_pool_fast(", "def avg_pool_fast(")
                     .replace("ch].max()", "ch].mean()")
                     .replace('''    kh, kw, sh, sw = _check(''', '''    if not np.issubdtype(np.asarray(value).dtype, np.floating):
        raise ValueError("avg_pool_fast needs floats")
    kh, kw, sh, sw = _check('''))


def _change(source: str, old: str, new: str, count: int = 1) -> str:
    assert source.count(old) == count, f"expected {count} x {old!r} in the learner code"
    return source.replace(old, new)


_CROP_RESHAPE = '''    Ho = (x.shape[1] - kh) // sh + 1'''

MISTAKES = [
    # ---------------------------------------------------------------- max_pool_fast
    Variant("max_pool_fast", "max_pool_fast", "correct but loops over output elements (too slow)",
            _ELEMENT_LOOP_MAX),
    Variant("max_pool_fast", "max_pool_fast",
            "notebook 03's loop over output rows and columns pasted in (correct, too slow)", _ROWS_COLUMNS_LOOP_MAX),
    Variant("max_pool_fast", "max_pool_fast", "SAME padded with zeros (np.pad's default): 0 beats negative values",
            _change(_SWV_MAX, ", constant_values=low)", ")")),
    Variant("max_pool_fast", "max_pool_fast", "reshape trick without cropping the rows and columns VALID drops",
            _change(_OFFSETS_MAX, _CROP_RESHAPE, '''    if padding == "VALID" and (kh, kw) == (sh, sw):
        out = x.reshape(N, H // kh, kh, W // kw, kw, C).max(axis=(2, 4))
        return out.transpose(0, 3, 1, 2) if data_format == "NCHW" else out
''' + _CROP_RESHAPE)),
    Variant("max_pool_fast", "max_pool_fast", "reshape trick used for every VALID window, also when strides != ksize",
            _change(_OFFSETS_MAX, _CROP_RESHAPE, '''    if padding == "VALID":
        Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
        out = x[:, :Ho * kh, :Wo * kw].reshape(N, Ho, kh, Wo, kw, C).max(axis=(2, 4))
        return out.transpose(0, 3, 1, 2) if data_format == "NCHW" else out
''' + _CROP_RESHAPE)),
    Variant("max_pool_fast", "max_pool_fast", "as_strided without the window step in the output strides",
            _change(_STRIDED_MAX, "strides=(sN, sH * sh, sW * sw, sH, sW, sC)", "strides=(sN, sH, sW, sH, sW, sC)")),
    Variant("max_pool_fast", "max_pool_fast",
            "as_strided strides computed from the shape: wrong for the transposed (non-contiguous) NCHW view",
            _change(_STRIDED_MAX, "    sN, sH, sW, sC = x.strides",
                    "    sC = x.itemsize\n    sN, sH, sW = H * W * C * sC, W * C * sC, C * sC")),
    Variant("max_pool_fast", "max_pool_fast", "sliding_window_view without the strides: a window at every cell",
            _change(_SWV_MAX, "axis=(1, 2))[:, ::sh, ::sw]", "axis=(1, 2))")),
    Variant("max_pool_fast", "max_pool_fast", "NCHW ignored: always pools axes 1 and 2",
            _change(_change(_SWV_MAX, '''    x = np.moveaxis(value, 1, -1) if data_format == "NCHW" else value''', "    x = value"),
                    '''    return np.moveaxis(out, -1, 1) if data_format == "NCHW" else out''', "    return out")),
    Variant("max_pool_fast", "max_pool_fast", "dtype changed: -inf padding on a float64 copy, never cast back",
            _change(_SWV_MAX, "    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=low)",
                    "    x = np.pad(x.astype(np.float64), ((0, 0), (top, bottom), (left, right), (0, 0)), "
                    "constant_values=-np.inf)")),
    Variant("max_pool_fast", "max_pool_fast", "first offset's slice not copied: np.maximum(out=...) writes into the input",
            _change(_OFFSETS_MAX, "0:(Wo - 1) * sw + 1:sw].copy()", "0:(Wo - 1) * sw + 1:sw]")),
    # ---------------------------------------------------------------- avg_pool_fast
    Variant("avg_pool_fast", "avg_pool_fast", "padding counted in the SAME average (divides by kh * kw)",
            _change(_SWV_AVG, "    out = sums / counts[:, :, None]", "    out = sums / (kh * kw)")),
    Variant("avg_pool_fast", "avg_pool_fast", "SAME padding split the other way (the odd cell before)",
            _change(_SWV_AVG, "    return total // 2, total - total // 2", "    return total - total // 2, total // 2")),
    Variant("avg_pool_fast", "avg_pool_fast", "reshape trick without cropping the rows and columns VALID drops",
            _change(_SWV_AVG, "    pads = ((0, 0), (top, bottom), (left, right), (0, 0))\n",
                    '''    if padding == "VALID" and (kh, kw) == (sh, sw):
        N, H, W, C = x.shape
        out = x.reshape(N, H // kh, kh, W // kw, kw, C).mean(axis=(2, 4))
        return np.moveaxis(out, -1, 1) if data_format == "NCHW" else out
    pads = ((0, 0), (top, bottom), (left, right), (0, 0))
''')),
    Variant("avg_pool_fast", "avg_pool_fast", "NCHW ignored: always pools axes 1 and 2",
            _change(_change(_SWV_AVG, '''    x = np.moveaxis(value, 1, -1) if data_format == "NCHW" else value''', "    x = value"),
                    '''    return np.moveaxis(out, -1, 1) if data_format == "NCHW" else out''', "    return out")),
    Variant("avg_pool_fast", "avg_pool_fast", "dtype changed: sums of a float64 copy, float32 in gives float64 out",
            _change(_SWV_AVG, "sliding_window_view(np.pad(x, pads)", "sliding_window_view(np.pad(x.astype(np.float64), pads)")),
    Variant("avg_pool_fast", "avg_pool_fast", "sliding_window_view without the strides: a window at every cell",
            _change(_change(_SWV_AVG, "axis=(1, 2))[:, ::sh, ::sw]", "axis=(1, 2))"), "(kh, kw))[::sh, ::sw]", "(kh, kw))")),
    Variant("avg_pool_fast", "avg_pool_fast", "integers averaged as float64 (notebook 02's rule) instead of ValueError",
            _change(_SWV_AVG, '''    if not np.issubdtype(np.asarray(value).dtype, np.floating):
        raise ValueError(f"TensorFlow cannot average {np.asarray(value).dtype}: pass floats")''',
                    '''    if not np.issubdtype(np.asarray(value).dtype, np.floating):
        value = np.asarray(value, dtype=np.float64)''')),
    Variant("avg_pool_fast", "avg_pool_fast", "correct but loops over output elements (too slow)", _ELEMENT_LOOP_AVG),
]

CORRECT = [
    Variant("max_pool_fast", "max_pool_fast", "sliding_window_view on a copy padded with the dtype's lowest value",
            _SWV_MAX),
    Variant("max_pool_fast", "max_pool_fast", "np.maximum over the window offsets, padded copy for SAME only",
            _OFFSETS_MAX),
    Variant("max_pool_fast", "max_pool_fast", "as_strided with the array's own strides", _STRIDED_MAX),
    Variant("max_pool_fast", "max_pool_fast", "reshape trick when the windows tile (after cropping), else offsets",
            _change(_OFFSETS_MAX, _CROP_RESHAPE, '''    if padding == "VALID" and (kh, kw) == (sh, sw):
        Ho, Wo = H // kh, W // kw
        x = x[:, :Ho * kh, :Wo * kw]
        out = x.reshape(N, Ho, kh, Wo, kw, C).max(axis=(2, 4))
        return out.transpose(0, 3, 1, 2) if data_format == "NCHW" else out
''' + _CROP_RESHAPE)),
    Variant("avg_pool_fast", "avg_pool_fast", "sliding_window_view sums, a padded map of ones counts the real cells",
            _SWV_AVG),
    Variant("avg_pool_fast", "avg_pool_fast", "summed-area table (cumulative sums in float64), cast back", _CHECKS + '''

def avg_pool_fast(value, ksize, strides, padding, data_format="NHWC"):
    if np.asarray(value).dtype.kind != "f":
        raise ValueError("avg_pool_fast averages floats only, like tf.nn.avg_pool")
    kh, kw, sh, sw = _check(value, ksize, strides, padding, data_format)
    x = value.transpose(0, 2, 3, 1) if data_format == "NCHW" else value
    N, H, W, C = x.shape
    (top, bottom), (left, right) = _pads(H, kh, sh, padding), _pads(W, kw, sw, padding)
    Ho = (H + top + bottom - kh) // sh + 1
    Wo = (W + left + right - kw) // sw + 1
    table = np.zeros((N, H + 1, W + 1, C))  # table[:, i, j] = sum of x[:, :i, :j]
    table[:, 1:, 1:] = x.cumsum(axis=1, dtype=np.float64).cumsum(axis=2)
    r0 = np.clip(np.arange(Ho) * sh - top, 0, H)
    r1 = np.clip(np.arange(Ho) * sh - top + kh, 0, H)
    c0 = np.clip(np.arange(Wo) * sw - left, 0, W)
    c1 = np.clip(np.arange(Wo) * sw - left + kw, 0, W)
    sums = (table[:, r1][:, :, c1] - table[:, r0][:, :, c1]
            - table[:, r1][:, :, c0] + table[:, r0][:, :, c0])
    out = (sums / np.multiply.outer(r1 - r0, c1 - c0)[:, :, None]).astype(x.dtype)
    return out.transpose(0, 3, 1, 2) if data_format == "NCHW" else out
'''),
]
