"""Learner code for 04-keras-pooling-layers: realistic mistakes and correct variants.

Each ``keras_pool`` mistake is the loop version in ``_KERAS_POOL`` (itself a correct variant) with
one realistic change; the change is written into the source, so every variant reads as complete
code a learner could hand in.
"""
from . import Variant

ASSIGNMENT = "04-keras-pooling-layers"

# Code and formulas the released docstrings must not give away (tests/test_handed_over.py).
HANDED_OVER = {
    "keras_pool": ["(L - k) // s + 1", "// s + 1", "ceil(L / s)", "-(-", "// 2", "max((", "np.moveaxis",
                   "np.ndindex", "astype(np.float32)", ".lower()", "clip"],
    "global_pool": ["axis=(1, 2)", "range(1, x.ndim - 1)", "range(2, x.ndim)", ".max(axis", ".mean(axis",
                    "dtype=np.float32", "astype(np.float32)", ".lower()"],
    "lenet_shapes": ["- 3 + 1", "L - 2", "// 2", "(None, 11, 11, 64)", "(None, 5, 5, 64)", "1600"],
}

_KERAS_POOL = '''import itertools

def keras_pool(x, pool_size, strides=None, padding="valid", data_format="channels_last", mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    x = np.asarray(x)
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"x must have rank 3, 4 or 5, got shape {x.shape}")
    padding, data_format = padding.lower(), data_format.lower()
    n = x.ndim - 2
    pool = (pool_size,) * n if isinstance(pool_size, int) else tuple(pool_size)
    if strides is None:
        strides = pool_size
    step = (strides,) * n if isinstance(strides, int) else tuple(strides)
    if len(pool) != n or len(step) != n:
        raise ValueError(f"pool_size and strides need {n} entries for a {n}-D pooling")
    x = x.astype(np.float32)
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    sizes = x.shape[1:-1]
    if padding == "valid":
        if any(k > L for k, L in zip(pool, sizes)):
            raise ValueError(f"window {pool} is larger than the input {sizes}")
        outs = [(L - k) // s + 1 for L, k, s in zip(sizes, pool, step)]
        pads = [0] * n
    else:
        outs = [-(-L // s) for L, s in zip(sizes, step)]
        pads = [max((o - 1) * s + k - L, 0) // 2 for o, L, k, s in zip(outs, sizes, pool, step)]
    out = np.zeros((x.shape[0], *outs, x.shape[-1]), np.float32)
    axes = tuple(range(1, n + 1))
    for pos in itertools.product(*[range(o) for o in outs]):
        sl = tuple(slice(max(i * s - p, 0), min(i * s - p + k, L))
                   for i, s, p, k, L in zip(pos, step, pads, pool, sizes))
        win = x[(slice(None),) + sl + (slice(None),)]
        out[(slice(None),) + pos + (slice(None),)] = win.max(axis=axes) if mode == "max" else win.mean(axis=axes)
    if data_format == "channels_first":
        out = np.moveaxis(out, -1, 1)
    return out
'''


def _keras_pool(name: str, *changes: tuple[str, str]) -> Variant:
    source = _KERAS_POOL
    for old, new in changes:
        assert source.count(old) == 1, f"{name}: {old!r} must occur exactly once"
        source = source.replace(old, new)
    return Variant("keras_pool", "keras_pool", name, source)


_GLOBAL_POOL = '''def global_pool(x, mode="max", data_format="channels_last", keepdims=False):
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    x = np.asarray(x)
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"x must have rank 3, 4 or 5, got shape {x.shape}")
    x = x.astype(np.float32)
    data_format = data_format.lower()
    if data_format == "channels_last":
        axes = tuple(range(1, x.ndim - 1))
    else:
        axes = tuple(range(2, x.ndim))
    reduce = np.max if mode == "max" else np.mean
    return reduce(x, axis=axes, keepdims=keepdims)
'''


def _global_pool(name: str, *changes: tuple[str, str]) -> Variant:
    source = _GLOBAL_POOL
    for old, new in changes:
        assert source.count(old) == 1, f"{name}: {old!r} must occur exactly once"
        source = source.replace(old, new)
    return Variant("global_pool", "global_pool", name, source)


_LENET = '''def lenet_shapes(input_shape=(28, 28, 1)):
    h, w, c = input_shape
    shapes = []
    h, w, c = h - 2, w - 2, 32
    if h < 1 or w < 1:
        raise ValueError(f"input {input_shape} is too small for the first convolution")
    shapes.append((None, h, w, c))
    h, w = (h - 2) // 2 + 1, (w - 2) // 2 + 1
    if h < 1 or w < 1:
        raise ValueError(f"input {input_shape} is too small for the first pooling")
    shapes.append((None, h, w, c))
    h, w, c = h - 2, w - 2, 64
    if h < 1 or w < 1:
        raise ValueError(f"input {input_shape} is too small for the second convolution")
    shapes.append((None, h, w, c))
    h, w = (h - 2) // 2 + 1, (w - 2) // 2 + 1
    if h < 1 or w < 1:
        raise ValueError(f"input {input_shape} is too small for the second pooling")
    shapes.append((None, h, w, c))
    shapes.append((None, h * w * c))
    shapes.append((None, 128))
    shapes.append((None, 10))
    return shapes
'''


def _lenet(name: str, *changes: tuple[str, str], count: int = 1) -> Variant:
    source = _LENET
    for old, new in changes:
        assert source.count(old) >= count, f"{name}: {old!r} must occur"
        source = source.replace(old, new)
    return Variant("lenet_shapes", "lenet_shapes", name, source)


MISTAKES = [
    # ------------------------------------------------------------------ keras_pool
    _keras_pool("strides=None treated as 1 (overlapping windows)",
                ("        strides = pool_size\n", "        strides = 1\n")),
    _keras_pool("channels_first treated as channels_last",
                ("    if data_format == \"channels_first\":\n        x = np.moveaxis(x, 1, -1)\n", ""),
                ("    if data_format == \"channels_first\":\n        out = np.moveaxis(out, -1, 1)\n", "")),
    _keras_pool("SAME average divides by the whole window (padding counted)",
                ("win.max(axis=axes) if mode == \"max\" else win.mean(axis=axes)",
                 "win.max(axis=axes) if mode == \"max\" else win.sum(axis=axes) / np.prod(pool)")),
    Variant("keras_pool", "keras_pool", "SAME pads with zeros (the average divides by the real cells)", '''
import itertools

def keras_pool(x, pool_size, strides=None, padding="valid", data_format="channels_last", mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    x = np.asarray(x)
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"x must have rank 3, 4 or 5, got shape {x.shape}")
    padding, data_format = padding.lower(), data_format.lower()
    n = x.ndim - 2
    pool = (pool_size,) * n if isinstance(pool_size, int) else tuple(pool_size)
    step = pool if strides is None else ((strides,) * n if isinstance(strides, int) else tuple(strides))
    if len(pool) != n or len(step) != n:
        raise ValueError(f"pool_size and strides need {n} entries")
    x = x.astype(np.float32)
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    sizes = x.shape[1:-1]
    if padding == "valid":
        if any(k > L for k, L in zip(pool, sizes)):
            raise ValueError("the window does not fit")
        outs = [(L - k) // s + 1 for L, k, s in zip(sizes, pool, step)]
        widths = [(0, 0)] * x.ndim
    else:
        outs = [-(-L // s) for L, s in zip(sizes, step)]
        total = [max((o - 1) * s + k - L, 0) for o, L, k, s in zip(outs, sizes, pool, step)]
        widths = [(0, 0)] + [(t // 2, t - t // 2) for t in total] + [(0, 0)]
    real = np.pad(np.ones(x.shape, np.float32), widths)  # 1 where a cell is real, 0 in the padding
    x = np.pad(x, widths)  # zeros around the input
    out = np.zeros((x.shape[0], *outs, x.shape[-1]), np.float32)
    axes = tuple(range(1, n + 1))
    for pos in itertools.product(*[range(o) for o in outs]):
        sl = (slice(None),) + tuple(slice(i * s, i * s + k) for i, s, k in zip(pos, step, pool)) + (slice(None),)
        if mode == "max":
            value = x[sl].max(axis=axes)
        else:
            value = x[sl].sum(axis=axes) / real[sl].sum(axis=axes)
        out[(slice(None),) + pos + (slice(None),)] = value
    if data_format == "channels_first":
        out = np.moveaxis(out, -1, 1)
    return out
'''),
    _keras_pool("keeps the input's dtype (float64 stays float64)",
                ("    x = x.astype(np.float32)\n", ""),
                ("np.zeros((x.shape[0], *outs, x.shape[-1]), np.float32)", "np.zeros((x.shape[0], *outs, x.shape[-1]), x.dtype)")),
    _keras_pool("output made with np.zeros: float64",
                ("np.zeros((x.shape[0], *outs, x.shape[-1]), np.float32)", "np.zeros((x.shape[0], *outs, x.shape[-1]))")),
    _keras_pool("pools only the first channel",
                ("np.zeros((x.shape[0], *outs, x.shape[-1]), np.float32)", "np.zeros((x.shape[0], *outs, 1), np.float32)"),
                ("win = x[(slice(None),) + sl + (slice(None),)]", "win = x[(slice(None),) + sl + (slice(0, 1),)]")),
    _keras_pool("pools only the first example of the batch",
                ("np.zeros((x.shape[0], *outs, x.shape[-1]), np.float32)", "np.zeros((1, *outs, x.shape[-1]), np.float32)"),
                ("win = x[(slice(None),) + sl + (slice(None),)]", "win = x[(slice(0, 1),) + sl + (slice(None),)]")),
    _keras_pool("rank taken from pool_size: an int pool_size means 2-D",
                ("    n = x.ndim - 2\n", "    n = 2 if isinstance(pool_size, int) else len(pool_size)\n")),
    _keras_pool("SAME puts the larger half of the padding before the input",
                ("max((o - 1) * s + k - L, 0) // 2", "(max((o - 1) * s + k - L, 0) + 1) // 2")),
    _keras_pool("VALID output size rounded up (a partial last window)",
                ("outs = [(L - k) // s + 1 for", "outs = [-(-(L - k) // s) + 1 for")),
    _keras_pool("padding compared case-sensitively: ValueError for 'SAME'",
                ("    padding, data_format = padding.lower(), data_format.lower()\n",
                 "    if padding not in (\"valid\", \"same\"):\n"
                 "        raise ValueError(f\"padding must be 'valid' or 'same', got {padding!r}\")\n"
                 "    data_format = data_format.lower()\n")),
    _keras_pool("padding compared case-sensitively: 'VALID' pooled as 'same'",
                ("    padding, data_format = padding.lower(), data_format.lower()\n",
                 "    data_format = data_format.lower()\n")),
    _keras_pool("data_format compared case-sensitively: 'Channels_First' pooled as channels_last",
                ("    padding, data_format = padding.lower(), data_format.lower()\n",
                 "    padding = padding.lower()\n")),
    _keras_pool("data_format compared case-sensitively: ValueError for 'Channels_First'",
                ("    padding, data_format = padding.lower(), data_format.lower()\n",
                 "    padding = padding.lower()\n"
                 "    if data_format not in (\"channels_last\", \"channels_first\"):\n"
                 "        raise ValueError(f\"unknown data_format {data_format!r}\")\n")),
    _keras_pool("no ValueError for a VALID window larger than the input",
                ("        if any(k > L for k, L in zip(pool, sizes)):\n"
                 "            raise ValueError(f\"window {pool} is larger than the input {sizes}\")\n", "")),
    # ------------------------------------------------------------------ global_pool
    _global_pool("reduces the batch axis too",
                 ("axes = tuple(range(1, x.ndim - 1))", "axes = tuple(range(0, x.ndim - 1))"),
                 ("axes = tuple(range(2, x.ndim))", "axes = (0,) + tuple(range(2, x.ndim))")),
    _global_pool("keepdims keeps a single 1 instead of one per spatial axis",
                 ("    return reduce(x, axis=axes, keepdims=keepdims)\n",
                  "    out = reduce(x, axis=axes)\n"
                  "    if keepdims:\n"
                  "        out = out[:, None, :] if data_format == \"channels_last\" else out[:, :, None]\n"
                  "    return out\n")),
    _global_pool("keepdims ignored",
                 ("reduce(x, axis=axes, keepdims=keepdims)", "reduce(x, axis=axes)")),
    _global_pool("channels_first treated as channels_last",
                 ("    if data_format == \"channels_last\":\n        axes = tuple(range(1, x.ndim - 1))\n"
                  "    else:\n        axes = tuple(range(2, x.ndim))\n",
                  "    axes = tuple(range(1, x.ndim - 1))\n")),
    _global_pool("keeps the input's dtype (float64 stays float64)",
                 ("    x = x.astype(np.float32)\n", "")),
    _global_pool("written for images only: always axes (1, 2)",
                 ("axes = tuple(range(1, x.ndim - 1))", "axes = (1, 2)"),
                 ("axes = tuple(range(2, x.ndim))", "axes = (2, 3)")),
    _global_pool("data_format compared case-sensitively: ValueError for 'Channels_First'",
                 ("    data_format = data_format.lower()\n",
                  "    if data_format not in (\"channels_last\", \"channels_first\"):\n"
                  "        raise ValueError(f\"data_format must be 'channels_last' or 'channels_first', got {data_format!r}\")\n")),
    _global_pool("data_format compared case-sensitively: 'CHANNELS_LAST' reduced as channels_first",
                 ("    data_format = data_format.lower()\n", "")),
    _global_pool("pools only the first example of the batch",
                 ("    return reduce(x, axis=axes, keepdims=keepdims)\n",
                  "    return reduce(x[:1], axis=axes, keepdims=keepdims)\n")),
    # ------------------------------------------------------------------ lenet_shapes
    _lenet("pooling rounds up (like padding='same')",
           ("h, w = (h - 2) // 2 + 1, (w - 2) // 2 + 1", "h, w = -(-h // 2), -(-w // 2)"), count=2),
    _lenet("convolutions keep the size (as if padding='same')",
           ("h, w, c = h - 2, w - 2, 32", "h, w, c = h, w, 32"),
           ("h, w, c = h - 2, w - 2, 64", "h, w, c = h, w, 64")),
    _lenet("channels not changed by the convolutions",
           ("h, w, c = h - 2, w - 2, 32", "h, w = h - 2, w - 2"),
           ("h, w, c = h - 2, w - 2, 64", "h, w = h - 2, w - 2")),
    _lenet("batch axis written as 1 instead of None",
           ("(None, ", "(1, ")),
    _lenet("no batch axis",
           ("(None, ", "(")),
    _lenet("Flatten forgets the channels",
           ("shapes.append((None, h * w * c))", "shapes.append((None, h * w))")),
    _lenet("a 3x3 convolution takes 3 off each side",
           ("h, w, c = h - 2, w - 2, 32", "h, w, c = h - 3, w - 3, 32"),
           ("h, w, c = h - 2, w - 2, 64", "h, w, c = h - 3, w - 3, 64")),
    Variant("lenet_shapes", "lenet_shapes", "no ValueError: sizes go to 0 or below", '''
def lenet_shapes(input_shape=(28, 28, 1)):
    h, w, _ = input_shape
    h, w = h - 2, w - 2
    out = [(None, h, w, 32)]
    h, w = h // 2, w // 2
    out.append((None, h, w, 32))
    h, w = h - 2, w - 2
    out.append((None, h, w, 64))
    h, w = h // 2, w // 2
    out.append((None, h, w, 64))
    out += [(None, h * w * 64), (None, 128), (None, 10)]
    return out
'''),
]

CORRECT = [
    _keras_pool("loops over itertools.product, clipped windows"),
    Variant("keras_pool", "keras_pool", "vectorised: NaN padding and sliding_window_view", '''
from numpy.lib.stride_tricks import sliding_window_view

def keras_pool(x, pool_size, strides=None, padding="valid", data_format="channels_last", mode="max"):
    if mode not in {"max", "avg"}:
        raise ValueError("unknown mode %r: use 'max' or 'avg'" % (mode,))
    padding, data_format = str(padding).lower(), str(data_format).lower()
    x = np.array(x, dtype=np.float32)
    if not 3 <= x.ndim <= 5:
        raise ValueError("need an input of rank 3, 4 or 5, got rank %d" % x.ndim)
    n = x.ndim - 2
    k = tuple(int(v) for v in np.broadcast_to(pool_size, (n,)))
    s = k if strides is None else tuple(int(v) for v in np.broadcast_to(strides, (n,)))
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    spatial = x.shape[1:-1]
    if padding == "same":
        outs = [-(-L // st) for L, st in zip(spatial, s)]
        total = [max((o - 1) * st + kk - L, 0) for o, st, kk, L in zip(outs, s, k, spatial)]
        x = np.pad(x, [(0, 0)] + [(t // 2, t - t // 2) for t in total] + [(0, 0)], constant_values=np.nan)
    elif any(kk > L for kk, L in zip(k, spatial)):
        raise ValueError(f"a valid window {k} does not fit in {spatial}")
    windows = sliding_window_view(x, k, axis=tuple(range(1, n + 1)))
    windows = windows[(slice(None),) + tuple(slice(None, None, st) for st in s)]
    last = tuple(range(-n, 0))
    out = np.nanmax(windows, axis=last) if mode == "max" else np.nanmean(windows, axis=last)
    out = out.astype(np.float32)
    return np.moveaxis(out, -1, 1) if data_format == "channels_first" else out
'''),
    _global_pool("np.max / np.mean over the spatial axes"),
    Variant("global_pool", "global_pool", "moves channels last, reshapes to (N, positions, C)", '''
def global_pool(x, mode="max", data_format="channels_last", keepdims=False):
    if mode != "max" and mode != "avg":
        raise ValueError("mode should be 'max' or 'avg', not " + repr(mode))
    x = np.asarray(x)
    if x.ndim < 3 or x.ndim > 5:
        raise ValueError("expected a 3-D, 4-D or 5-D input, got shape " + str(x.shape))
    data_format = data_format.upper()
    if data_format == "CHANNELS_FIRST":
        x = np.moveaxis(x, 1, -1)
    n, c = x.shape[0], x.shape[-1]
    flat = x.reshape(n, -1, c).astype(np.float32)
    out = flat.max(axis=1) if mode == "max" else flat.sum(axis=1) / np.float32(flat.shape[1])
    if keepdims:
        ones = (1,) * (x.ndim - 2)
        out = out.reshape((n,) + ones + (c,)) if data_format == "CHANNELS_LAST" else out.reshape((n, c) + ones)
    return out
'''),
    _lenet("one step at a time, a check after each"),
    Variant("lenet_shapes", "lenet_shapes", "a table of layers and math.floor", '''
import math

LAYERS = [("conv", 32), ("pool", None), ("conv", 64), ("pool", None)]

def lenet_shapes(input_shape=(28, 28, 1)):
    size = list(input_shape[:2])
    channels = input_shape[2]
    result = []
    for kind, filters in LAYERS:
        if kind == "conv":
            size = [d - 3 + 1 for d in size]
            channels = filters
        else:
            size = [math.floor((d - 2) / 2) + 1 for d in size]
        if min(size) <= 0:
            raise ValueError(f"{kind} layer gets a non-positive size {size} for input {input_shape}")
        result.append((None, *size, channels))
    result.append((None, size[0] * size[1] * channels))
    result += [(None, 128), (None, 10)]
    return result
'''),
]
