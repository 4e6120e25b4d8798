"""Window geometry of pooling and convolution: every formula written once.

Along one axis of ``n`` cells, a window of ``k`` cells that moves by ``s`` (and, for a dilated
kernel of ``k`` taps ``d`` cells apart, spans ``(k - 1) * d + 1`` cells):

* **VALID** keeps only the windows that fit: ``n' = (n - k) // s + 1`` (needs ``k <= n``).
* **SAME** starts a window at every multiple of ``s`` inside the input: ``n' = ceil(n / s)``,
  whatever the window. TensorFlow pads ``total = max((n' - 1) * s + k - n, 0)`` cells:
  ``total // 2`` before the input and the rest (the odd one) after it.
* Window ``i`` covers the input cells ``[i * s - before, i * s - before + k)``; the part inside
  ``[0, n)`` holds its *real* cells. A max ignores the padding; an average divides by the
  number of real cells.

These formulas build cases, draw figures and explain failures. They are never the expected
answer of a case: that always comes from TensorFlow (:mod:`autograder.references`).

Arguments are normalised like Keras' ``standardize_tuple``: :func:`normalize_tuple` turns an int
or a sequence into a tuple of ``n`` ints; :func:`tf_window` reads TensorFlow's ``ksize`` /
``strides`` forms (an int, or 1, 2 or 4 numbers, four in ``data_format`` order).
"""
from __future__ import annotations

import dataclasses
import numbers
from typing import Sequence

__all__ = [
    "normalize_tuple", "tf_window", "span", "output_length", "same_padding_split", "padding_before",
    "Window", "window", "windows", "PADDINGS",
]

PADDINGS = ("VALID", "SAME")


def _is_int(value) -> bool:
    """An int or a numpy integer, not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def normalize_tuple(value, n: int, name: str) -> tuple[int, ...]:
    """``value`` as a tuple of ``n`` ints: ``2`` -> ``(2, 2)`` (n=2); ``(2, 3)`` stays ``(2, 3)``.

    Raises:
        ValueError: naming ``name`` and the value received, when a sequence has another length
            or holds something other than ints.
    """
    if _is_int(value):
        return (int(value),) * n
    try:
        items = tuple(value)
    except TypeError:
        raise ValueError(f"{name} must be an int or a tuple of {n} ints; received {value!r}") from None
    if len(items) != n or not all(_is_int(v) for v in items):
        raise ValueError(f"{name} must be an int or a tuple of {n} ints; received {value!r}")
    return tuple(int(v) for v in items)


def tf_window(value, data_format: str = "NHWC", name: str = "ksize") -> tuple[int, int]:
    """TensorFlow's 2-D ``ksize`` or ``strides`` as ``(rows, cols)``.

    An int ``k`` or ``[k]`` means ``(k, k)``; ``[kh, kw]`` is ``(kh, kw)``; four numbers follow
    ``data_format``: ``[1, kh, kw, 1]`` for NHWC, ``[1, 1, kh, kw]`` for NCHW, whose batch and
    channel entries must be 1 (``tf.nn.max_pool2d``'s rule).

    Raises:
        ValueError: naming ``name`` and the value received, for any other form.
    """
    if _is_int(value):
        return (int(value), int(value))
    items = [int(v) for v in value]
    if len(items) == 1:
        return (items[0], items[0])
    if len(items) == 2:
        return (items[0], items[1])
    if len(items) == 4:
        h, w = (2, 3) if data_format.upper() == "NCHW" else (1, 2)
        if any(items[i] != 1 for i in range(4) if i not in (h, w)):
            raise ValueError(f"{name}: pooling over the batch or channel axis is not supported; received {items}")
        return (items[h], items[w])
    raise ValueError(f"{name} must be an int or 1, 2 or 4 ints; received {items}")


def span(kernel_size: int, dilation: int = 1) -> int:
    """Cells a kernel of ``kernel_size`` taps, ``dilation`` apart, spans: ``(k - 1) * d + 1``."""
    return (int(kernel_size) - 1) * int(dilation) + 1


def _padding(padding: str) -> str:
    upper = str(padding).upper()
    if upper not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same' (any letter case); received {padding!r}")
    return upper


def output_length(n: int, k: int, s: int, padding: str = "VALID") -> int:
    """Output cells along one axis: VALID ``(n - k) // s + 1``, SAME ``ceil(n / s)``.

    ``padding`` in any letter case. VALID with ``k > n`` raises ``ValueError``.
    """
    if _padding(padding) == "SAME":
        return -(-int(n) // int(s))
    if k > n:
        raise ValueError(f"a VALID window of {k} cells does not fit in {n}")
    return (int(n) - int(k)) // int(s) + 1


def same_padding_split(n: int, k: int, s: int) -> tuple[int, int]:
    """SAME's ``(before, after)`` padding along one axis.

    ``total = max((ceil(n / s) - 1) * s + k - n, 0)``; ``before = total // 2``, ``after`` the rest.
    """
    out = -(-int(n) // int(s))
    total = max((out - 1) * int(s) + int(k) - int(n), 0)
    return total // 2, total - total // 2


def padding_before(n: int, k: int, s: int, padding: str) -> int:
    """Cells padded before the input: ``same_padding_split(...)[0]`` for SAME, 0 for VALID."""
    return same_padding_split(n, k, s)[0] if _padding(padding) == "SAME" else 0


@dataclasses.dataclass(frozen=True)
class Window:
    """Where output cell ``i`` along one axis reads.

    ``start:stop`` in input coordinates (negative, or past the input's end, where it covers
    padding); ``real_start:real_stop`` the part inside the input.
    """

    start: int
    stop: int
    real_start: int
    real_stop: int

    @property
    def real(self) -> int:
        """How many real (not padding) cells the window holds."""
        return max(self.real_stop - self.real_start, 0)

    @property
    def padded(self) -> bool:
        return (self.start, self.stop) != (self.real_start, self.real_stop)


def window(i: int, n: int, k: int, s: int, padding: str = "VALID") -> Window:
    """The window of output cell ``i`` along an axis of ``n`` cells (see :class:`Window`)."""
    start = int(i) * int(s) - padding_before(n, k, s, padding)
    return Window(start, start + int(k), max(start, 0), min(start + int(k), int(n)))


def windows(n: int, k: int, s: int, padding: str = "VALID") -> list[Window]:
    """Every output cell's window along one axis, in order."""
    return [window(i, n, k, s, padding) for i in range(output_length(n, k, s, padding))]


def output_shape(spatial: Sequence[int], ksize: Sequence[int], strides: Sequence[int], padding: str) -> tuple[int, ...]:
    """:func:`output_length` of each spatial axis."""
    return tuple(output_length(n, k, s, padding) for n, k, s in zip(spatial, ksize, strides))


__all__ += ["output_shape"]
