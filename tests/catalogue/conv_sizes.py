"""Learner code for 01-convolution-output-sizes: realistic mistakes and correct variants."""
from . import Variant

ASSIGNMENT = "01-convolution-output-sizes"

# What the released docstrings must not give away (the task asks learners to find it: section 2's
# rules as code, the SAME padding found with the probe, a whole-layer formula).
HANDED_OVER = {
    "conv_output_length": ["-(-L // s)", "-(-input_length", "ceil(L / s)", "// s + 1", "L + 2p - span",
                           "span) //"],
    "same_padding": ["before + after", "total // 2", "total - total // 2", "(ceil(L / s) - 1) * s",
                     "- 1) * s + span", "max(0,", "goes after"],
    "conv2d_output_shape": ["// s_h + 1", "ceil(H / s_h)", "(H - span_h)", "span_h = (k_h - 1) * d_h + 1", "-(-"],
}

# ----------------------------------------------------------------------------- conv_output_length
_LEN_HEAD = 'def conv_output_length(input_length, kernel_size, stride=1, padding="valid", dilation=1):\n'
_LEN_CHECKS = '''    if min(input_length, kernel_size, stride, dilation) < 1:
        raise ValueError("sizes must be positive")
'''


def _length(body: str, checks: str = _LEN_CHECKS) -> str:
    return _LEN_HEAD + checks + body


_LEN_MISTAKES = [
    Variant("conv_output_length", "conv_output_length", "off-by-one: no +1 for VALID", _length('''
    span = (kernel_size - 1) * dilation + 1
    if isinstance(padding, str):
        if padding.lower() == "same":
            return -(-input_length // stride)
        if padding.lower() != "valid":
            raise ValueError(f"unknown padding {padding!r}")
        padding = 0
    if padding < 0 or span > input_length + 2 * padding:
        raise ValueError("the kernel does not fit")
    return (input_length + 2 * padding - span) // stride
''')),
    Variant("conv_output_length", "conv_output_length", "ignores dilation", _length('''
    if isinstance(padding, str):
        if padding.lower() == "same":
            return -(-input_length // stride)
        if padding.lower() != "valid":
            raise ValueError(f"unknown padding {padding!r}")
        padding = 0
    if padding < 0 or kernel_size > input_length + 2 * padding:
        raise ValueError("the kernel does not fit")
    return (input_length + 2 * padding - kernel_size) // stride + 1
''')),
    Variant("conv_output_length", "conv_output_length", "dilated span taken as kernel_size * dilation", _length('''
    span = kernel_size * dilation
    if isinstance(padding, str):
        if padding.lower() == "same":
            return -(-input_length // stride)
        if padding.lower() != "valid":
            raise ValueError(f"unknown padding {padding!r}")
        padding = 0
    if padding < 0 or span > input_length + 2 * padding:
        raise ValueError("the kernel does not fit")
    return (input_length + 2 * padding - span) // stride + 1
''')),
    Variant("conv_output_length", "conv_output_length", "padding names compared case-sensitively", _length('''
    span = (kernel_size - 1) * dilation + 1
    if padding == "same":
        return -(-input_length // stride)
    if padding == "valid":
        padding = 0
    elif isinstance(padding, str):
        raise ValueError(f"unknown padding {padding!r}")
    if padding < 0 or span > input_length + 2 * padding:
        raise ValueError("the kernel does not fit")
    return (input_length + 2 * padding - span) // stride + 1
''')),
    Variant("conv_output_length", "conv_output_length", "true division and floor: returns a float", _length('''
    import math
    span = (kernel_size - 1) * dilation + 1
    if isinstance(padding, str):
        if padding.lower() == "same":
            return math.ceil(input_length / stride)
        if padding.lower() != "valid":
            raise ValueError(f"unknown padding {padding!r}")
        padding = 0
    if padding < 0 or span > input_length + 2 * padding:
        raise ValueError("the kernel does not fit")
    return (input_length + 2 * padding - span) / stride // 1 + 1
''')),
    Variant("conv_output_length", "conv_output_length", "SAME computed with floor (L // s)", _length('''
    span = (kernel_size - 1) * dilation + 1
    if isinstance(padding, str):
        if padding.lower() == "same":
            return input_length // stride
        if padding.lower() != "valid":
            raise ValueError(f"unknown padding {padding!r}")
        padding = 0
    if padding < 0 or span > input_length + 2 * padding:
        raise ValueError("the kernel does not fit")
    return (input_length + 2 * padding - span) // stride + 1
''')),
    Variant("conv_output_length", "conv_output_length", "SAME as PyTorch-style padding k // 2 on both sides", _length('''
    span = (kernel_size - 1) * dilation + 1
    if isinstance(padding, str):
        if padding.lower() == "same":
            padding = span // 2
        elif padding.lower() == "valid":
            padding = 0
        else:
            raise ValueError(f"unknown padding {padding!r}")
    if padding < 0 or span > input_length + 2 * padding:
        raise ValueError("the kernel does not fit")
    return (input_length + 2 * padding - span) // stride + 1
''')),
    Variant("conv_output_length", "conv_output_length", "explicit padding added on one side only", _length('''
    span = (kernel_size - 1) * dilation + 1
    if isinstance(padding, str):
        if padding.lower() == "same":
            return -(-input_length // stride)
        if padding.lower() != "valid":
            raise ValueError(f"unknown padding {padding!r}")
        padding = 0
    if padding < 0 or span > input_length + padding:
        raise ValueError("the kernel does not fit")
    return (input_length + padding - span) // stride + 1
''')),
    Variant("conv_output_length", "conv_output_length", "assumes padding is always a string", _length('''
    span = (kernel_size - 1) * dilation + 1
    padding = padding.lower()
    if padding == "same":
        return -(-input_length // stride)
    if padding != "valid":
        raise ValueError(f"unknown padding {padding!r}")
    if span > input_length:
        raise ValueError("the kernel does not fit")
    return (input_length - span) // stride + 1
''')),
    Variant("conv_output_length", "conv_output_length", "no ValueError when the kernel does not fit", _length('''
    span = (kernel_size - 1) * dilation + 1
    if isinstance(padding, str):
        if padding.lower() == "same":
            return -(-input_length // stride)
        if padding.lower() != "valid":
            raise ValueError(f"unknown padding {padding!r}")
        padding = 0
    if padding < 0:
        raise ValueError("negative padding")
    return max(0, (input_length + 2 * padding - span) // stride + 1)
''')),
    Variant("conv_output_length", "conv_output_length", "unknown padding names treated as VALID", _length('''
    span = (kernel_size - 1) * dilation + 1
    if isinstance(padding, str):
        if padding.lower() == "same":
            return -(-input_length // stride)
        padding = 0
    if padding < 0 or span > input_length + 2 * padding:
        raise ValueError("the kernel does not fit")
    return (input_length + 2 * padding - span) // stride + 1
''')),
    Variant("conv_output_length", "conv_output_length", "no check of stride, kernel and dilation", _length('''
    span = (kernel_size - 1) * dilation + 1
    if isinstance(padding, str):
        if padding.lower() == "same":
            return -(-input_length // stride)
        if padding.lower() != "valid":
            raise ValueError(f"unknown padding {padding!r}")
        padding = 0
    if padding < 0 or span > input_length + 2 * padding:
        raise ValueError("the kernel does not fit")
    return (input_length + 2 * padding - span) // stride + 1
''', checks="")),
]

# ----------------------------------------------------------------------------- same_padding
_PAD_HEAD = '''def same_padding(input_length, kernel_size, stride=1, dilation=1):
    if min(input_length, kernel_size, stride, dilation) < 1:
        raise ValueError("sizes must be positive")
'''

_PAD_MISTAKES = [
    Variant("same_padding", "same_padding", "symmetric: total // 2 on both sides", _PAD_HEAD + '''
    out = -(-input_length // stride)
    total = max(0, (out - 1) * stride + (kernel_size - 1) * dilation + 1 - input_length)
    return (total // 2, total // 2)
'''),
    Variant("same_padding", "same_padding", "the odd cell on the wrong side (before)", _PAD_HEAD + '''
    out = -(-input_length // stride)
    total = max(0, (out - 1) * stride + (kernel_size - 1) * dilation + 1 - input_length)
    return (total - total // 2, total // 2)
'''),
    Variant("same_padding", "same_padding", "ignores dilation", _PAD_HEAD + '''
    out = -(-input_length // stride)
    total = max(0, (out - 1) * stride + kernel_size - input_length)
    return (total // 2, total - total // 2)
'''),
    Variant("same_padding", "same_padding", "total = kernel_size - 1 whatever the stride", _PAD_HEAD + '''
    total = (kernel_size - 1) * dilation
    return (total // 2, total - total // 2)
'''),
    Variant("same_padding", "same_padding", "no max(0, ...): negative padding when stride > kernel", _PAD_HEAD + '''
    out = -(-input_length // stride)
    total = (out - 1) * stride + (kernel_size - 1) * dilation + 1 - input_length
    return (total // 2, total - total // 2)
'''),
    Variant("same_padding", "same_padding", "true division: returns floats", _PAD_HEAD + '''
    import math
    out = math.ceil(input_length / stride)
    total = max(0, (out - 1) * stride + (kernel_size - 1) * dilation + 1 - input_length)
    return (math.floor(total / 2) * 1.0, total - math.floor(total / 2) * 1.0)
'''),
    Variant("same_padding", "same_padding", "output count with floor (L // s)", _PAD_HEAD + '''
    out = input_length // stride
    total = max(0, (out - 1) * stride + (kernel_size - 1) * dilation + 1 - input_length)
    return (total // 2, total - total // 2)
'''),
    Variant("same_padding", "same_padding", "no ValueError for bad sizes", '''
def same_padding(input_length, kernel_size, stride=1, dilation=1):
    out = -(-input_length // stride) if stride else input_length
    total = max(0, (out - 1) * stride + (kernel_size - 1) * dilation + 1 - input_length)
    return (total // 2, total - total // 2)
'''),
]

# ----------------------------------------------------------------------------- conv2d_output_shape
_SHAPE_HEAD = '''def conv2d_output_shape(input_shape, filters, kernel_size, strides=1, padding="valid",
                        data_format="channels_last", dilation_rate=1):
'''
_SHAPE_CHECKS = '''    padding = padding.lower()
    data_format = data_format.lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"unknown data_format {data_format!r}")
    if len(input_shape) != 4:
        raise ValueError("input_shape must be (batch, ...) with 4 entries")
    if filters < 1:
        raise ValueError("filters must be positive")
    ks = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    ss = (strides, strides) if isinstance(strides, int) else tuple(strides)
    ds = (dilation_rate, dilation_rate) if isinstance(dilation_rate, int) else tuple(dilation_rate)
'''
_SHAPE_LENGTH = '''
    def length(n, k, s, d):
        span = (k - 1) * d + 1
        if padding == "same":
            return -(-n // s)
        if span > n:
            raise ValueError(f"a kernel spanning {span} does not fit in {n}")
        return (n - span) // s + 1
'''


def _shape(body: str, checks: str = _SHAPE_CHECKS, length: str = _SHAPE_LENGTH) -> str:
    return _SHAPE_HEAD + checks + length + body


_CORRECT_TAIL = '''
    if data_format == "channels_last":
        batch, h, w, _ = input_shape
        return (batch, length(h, ks[0], ss[0], ds[0]), length(w, ks[1], ss[1], ds[1]), filters)
    batch, _, h, w = input_shape
    return (batch, filters, length(h, ks[0], ss[0], ds[0]), length(w, ks[1], ss[1], ds[1]))
'''

_SHAPE_MISTAKES = [
    Variant("conv2d_output_shape", "conv2d_output_shape", "channels_first treated as channels_last", _shape('''
    batch, h, w, _ = input_shape
    return (batch, length(h, ks[0], ss[0], ds[0]), length(w, ks[1], ss[1], ds[1]), filters)
''')),
    Variant("conv2d_output_shape", "conv2d_output_shape", "filters put last for channels_first too", _shape('''
    if data_format == "channels_last":
        batch, h, w, _ = input_shape
    else:
        batch, _, h, w = input_shape
    return (batch, length(h, ks[0], ss[0], ds[0]), length(w, ks[1], ss[1], ds[1]), filters)
''')),
    Variant("conv2d_output_shape", "conv2d_output_shape", "batch None replaced by 1", _shape('''
    batch = input_shape[0] if input_shape[0] is not None else 1
    if data_format == "channels_last":
        _, h, w, _ = input_shape
        return (batch, length(h, ks[0], ss[0], ds[0]), length(w, ks[1], ss[1], ds[1]), filters)
    _, _, h, w = input_shape
    return (batch, filters, length(h, ks[0], ss[0], ds[0]), length(w, ks[1], ss[1], ds[1]))
''')),
    Variant("conv2d_output_shape", "conv2d_output_shape", "keeps the input's channels instead of filters", _shape('''
    if data_format == "channels_last":
        batch, h, w, c = input_shape
        return (batch, length(h, ks[0], ss[0], ds[0]), length(w, ks[1], ss[1], ds[1]), c)
    batch, c, h, w = input_shape
    return (batch, c, length(h, ks[0], ss[0], ds[0]), length(w, ks[1], ss[1], ds[1]))
''')),
    Variant("conv2d_output_shape", "conv2d_output_shape", "ignores dilation_rate", _shape('''
    ds = (1, 1)
''' + _CORRECT_TAIL)),
    Variant("conv2d_output_shape", "conv2d_output_shape", "padding compared case-sensitively", _shape(
        _CORRECT_TAIL, checks=_SHAPE_CHECKS.replace("    padding = padding.lower()\n", ""))),
    Variant("conv2d_output_shape", "conv2d_output_shape", "true division: float sizes", _shape(
        _CORRECT_TAIL, length='''
    def length(n, k, s, d):
        import math
        span = (k - 1) * d + 1
        if padding == "same":
            return math.ceil(n / s) * 1.0
        if span > n:
            raise ValueError(f"a kernel spanning {span} does not fit in {n}")
        return (n - span) / s // 1 + 1
''')),
    Variant("conv2d_output_shape", "conv2d_output_shape", "input_shape taken as (H, W, C) when it has 3 entries", _shape('''
    if len(input_shape) == 3:
        input_shape = (None, *input_shape)
''' + _CORRECT_TAIL, checks=_SHAPE_CHECKS.replace(
        '''    if len(input_shape) != 4:
        raise ValueError("input_shape must be (batch, ...) with 4 entries")
''', ""))),
    Variant("conv2d_output_shape", "conv2d_output_shape", "a pair kernel_size: the first entry used for both axes", _shape('''
    ks, ss, ds = (ks[0], ks[0]), (ss[0], ss[0]), (ds[0], ds[0])
''' + _CORRECT_TAIL)),
    Variant("conv2d_output_shape", "conv2d_output_shape", "drops the batch axis", _shape('''
    if data_format == "channels_last":
        _, h, w, _ = input_shape
        return (length(h, ks[0], ss[0], ds[0]), length(w, ks[1], ss[1], ds[1]), filters)
    _, _, h, w = input_shape
    return (filters, length(h, ks[0], ss[0], ds[0]), length(w, ks[1], ss[1], ds[1]))
''')),
    Variant("conv2d_output_shape", "conv2d_output_shape", "no check of data_format: anything but channels_last is channels_first", _shape(
        _CORRECT_TAIL, checks=_SHAPE_CHECKS.replace(
            '''    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"unknown data_format {data_format!r}")
''', ""))),
]

MISTAKES = _LEN_MISTAKES + _PAD_MISTAKES + _SHAPE_MISTAKES

CORRECT = [
    Variant("conv_output_length", "conv_output_length", "padding turned into a number of zeros first", '''
import math

def conv_output_length(input_length, kernel_size, stride=1, padding="valid", dilation=1):
    for name, value in [("input_length", input_length), ("kernel_size", kernel_size),
                        ("stride", stride), ("dilation", dilation)]:
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")
    effective = dilation * (kernel_size - 1) + 1
    if isinstance(padding, str) and padding.upper() == "SAME":
        return int(math.ceil(input_length / stride))
    if isinstance(padding, str) and padding.upper() == "VALID":
        zeros = 0
    elif isinstance(padding, int) and padding >= 0:
        zeros = padding
    else:
        raise ValueError(f"padding must be 'valid', 'same' or an int >= 0, got {padding!r}")
    room = input_length + 2 * zeros - effective
    if room < 0:
        raise ValueError("the dilated kernel is larger than the padded input")
    return room // stride + 1
'''),
    Variant("conv_output_length", "conv_output_length", "counting window positions in a loop", '''
def conv_output_length(input_length, kernel_size, stride=1, padding="valid", dilation=1):
    if kernel_size <= 0 or stride <= 0 or dilation <= 0 or input_length <= 0:
        raise ValueError("sizes must be positive")
    if isinstance(padding, str):
        mode = padding.lower()
        if mode not in ("valid", "same"):
            raise ValueError("bad padding " + padding)
        if mode == "same":
            return len(range(0, input_length, stride))
        padding = 0
    if padding < 0:
        raise ValueError("padding must not be negative")
    last_start = input_length + 2 * padding - (kernel_size - 1) * dilation - 1
    count = len(range(0, last_start + 1, stride))
    if count == 0:
        raise ValueError("kernel larger than input")
    return count
'''),
    Variant("same_padding", "same_padding", "total from the SAME output count, split with divmod", '''
def same_padding(input_length, kernel_size, stride=1, dilation=1):
    if input_length < 1 or kernel_size < 1 or stride < 1 or dilation < 1:
        raise ValueError("all sizes must be >= 1")
    outputs = (input_length + stride - 1) // stride
    needed = (outputs - 1) * stride + dilation * (kernel_size - 1) + 1
    total = needed - input_length if needed > input_length else 0
    half, odd = divmod(total, 2)
    return half, half + odd
'''),
    Variant("same_padding", "same_padding", "TensorFlow's own formula with the remainder", '''
def same_padding(input_length, kernel_size, stride=1, dilation=1):
    if min(input_length, kernel_size, stride, dilation) <= 0:
        raise ValueError(f"bad sizes {(input_length, kernel_size, stride, dilation)}")
    effective = (kernel_size - 1) * dilation + 1
    if input_length % stride == 0:
        total = max(effective - stride, 0)
    else:
        total = max(effective - input_length % stride, 0)
    return (total // 2, total - total // 2)
'''),
    Variant("conv2d_output_shape", "conv2d_output_shape", "a list built axis by axis, converted to a tuple", '''
def conv2d_output_shape(input_shape, filters, kernel_size, strides=1, padding="valid",
                        data_format="channels_last", dilation_rate=1):
    pad = str(padding).lower()
    fmt = str(data_format).lower()
    if pad not in {"valid", "same"}:
        raise ValueError(f"padding: expected 'valid' or 'same', got {padding!r}")
    if fmt not in {"channels_last", "channels_first"}:
        raise ValueError(f"data_format: expected 'channels_last' or 'channels_first', got {data_format!r}")
    if len(input_shape) != 4:
        raise ValueError(f"input_shape must be (N, H, W, C) or (N, C, H, W), got {input_shape!r}")
    if filters <= 0:
        raise ValueError("filters must be positive")
    spatial = [1, 2] if fmt == "channels_last" else [2, 3]
    def two(v):
        return [v, v] if isinstance(v, int) else list(v)
    out = list(input_shape)
    for axis, k, s, d in zip(spatial, two(kernel_size), two(strides), two(dilation_rate)):
        n = input_shape[axis]
        if pad == "same":
            out[axis] = (n + s - 1) // s
        else:
            span = d * (k - 1) + 1
            if span > n:
                raise ValueError(f"kernel spans {span} cells but the input has {n}")
            out[axis] = (n - span) // s + 1
    out[3 if fmt == "channels_last" else 1] = filters
    return tuple(out)
'''),
    Variant("conv2d_output_shape", "conv2d_output_shape", "transpose channels_first to channels_last and back", '''
import math

def conv2d_output_shape(input_shape, filters, kernel_size, strides=1, padding="valid",
                        data_format="channels_last", dilation_rate=1):
    if len(input_shape) != 4:
        raise ValueError("input_shape needs a batch axis and 3 more")
    if data_format.lower() == "channels_first":
        n, c, h, w = input_shape
        n, h2, w2, f = conv2d_output_shape((n, h, w, c), filters, kernel_size, strides, padding,
                                           "channels_last", dilation_rate)
        return (n, f, h2, w2)
    if data_format.lower() != "channels_last":
        raise ValueError("data_format must be channels_last or channels_first")
    if padding.lower() not in ("valid", "same") or filters < 1:
        raise ValueError("padding must be valid or same, filters positive")
    kh, kw = np.broadcast_to(kernel_size, 2).tolist()
    sh, sw = np.broadcast_to(strides, 2).tolist()
    dh, dw = np.broadcast_to(dilation_rate, 2).tolist()
    n, h, w, _ = input_shape
    if padding.lower() == "same":
        return (n, math.ceil(h / sh), math.ceil(w / sw), filters)
    eh, ew = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    if eh > h or ew > w:
        raise ValueError("the kernel does not fit in the image")
    return (n, (h - eh) // sh + 1, (w - ew) // sw + 1, filters)
'''),
]
