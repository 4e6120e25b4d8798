"""Images for the notebooks: MNIST when it can be had, digits drawn locally when it cannot.

``load_mnist_sample(n)`` makes the real call ``keras.datasets.mnist.load_data()`` when that call
cannot hang: the file is already in Keras' cache (``$KERAS_HOME`` or ``~/.keras``, then
``datasets/mnist.npz``, with the SHA-256 Keras checks), or the download server accepts a TCP
connection within ``timeout`` seconds (the name lookup and the connection run in a daemon thread
that is abandoned after ``timeout``, so a slow resolver cannot block either). Otherwise, or when
the call fails, it returns digits drawn here with matplotlib's DejaVu Sans font, the same pixels
on every run. The third value returned says which: :data:`MNIST_SOURCE` or
:data:`FALLBACK_SOURCE`. The notebooks never fail for lack of a network.

``sample_photo()`` is a real photograph that ships with matplotlib (``grace_hopper.jpg``).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import threading
from pathlib import Path

import numpy as np

__all__ = [
    "grace_hopper",
    "load_mnist_sample", "synthetic_digits", "mnist_cache_path", "sample_photo",
    "MNIST_SOURCE", "FALLBACK_SOURCE",
]

MNIST_SOURCE = "MNIST (keras.datasets)"
FALLBACK_SOURCE = "synthetic digits drawn locally with matplotlib's DejaVu font (no network)"
# Where keras.datasets.mnist.load_data() downloads from, and the SHA-256 it checks the file with
# (keras/src/datasets/mnist.py, Keras 3.15).
MNIST_HOST = "storage.googleapis.com"
MNIST_PORT = 443
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
DOWNLOAD_TIMEOUT = 60.0  # seconds a socket may stay silent while the 11 MB file downloads
_SEED = 28  # the fallback digits' fixed seed


def mnist_cache_path() -> Path:
    """Where Keras keeps ``mnist.npz``: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return Path(home) / "datasets" / "mnist.npz"


def _cached(path: Path) -> bool:
    """The file is there and is the one Keras expects (else Keras would download it again)."""
    if not path.is_file():
        return False
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == MNIST_SHA256


def _server_answers(host: str, port: int, timeout: float) -> bool:
    """Whether ``host:port`` accepts a TCP connection within ``timeout`` seconds, DNS included."""
    answered = []

    def attempt():
        try:
            with socket.create_connection((host, port), timeout=timeout):
                answered.append(True)
        except (OSError, ValueError):
            pass

    thread = threading.Thread(target=attempt, daemon=True)  # abandoned if the lookup hangs
    thread.start()
    thread.join(timeout)
    return bool(answered)


@contextlib.contextmanager
def _socket_timeout(seconds: float):
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def _keras_load_data():
    """The real call: ``keras.datasets.mnist.load_data()`` (quiet import, download messages kept)."""
    from .tfops import quiet, tensorflow

    tensorflow()
    with quiet():
        import keras
    with _socket_timeout(DOWNLOAD_TIMEOUT):
        return keras.datasets.mnist.load_data()


def load_mnist_sample(n: int = 10, *, timeout: float = 2.0, download: bool = True):
    """The first ``n`` MNIST training images, or ``n`` locally drawn digits when MNIST cannot be had.

    Args:
        n: how many images (1 to 60,000).
        timeout: seconds to wait for the download server before giving up.
        download: ``False`` uses only a cached file, never the network.

    Returns:
        ``(images, labels, source)``: ``images`` uint8 of shape ``(n, 28, 28)`` (values 0-255,
        white digit on black, like MNIST), ``labels`` uint8 of shape ``(n,)``, and ``source``,
        :data:`MNIST_SOURCE` or :data:`FALLBACK_SOURCE`.
    """
    n = int(n)
    if not 1 <= n <= 60_000:
        raise ValueError(f"n must be between 1 and 60000; received {n}")
    reachable = _cached(mnist_cache_path()) or (download and _server_answers(MNIST_HOST, MNIST_PORT, timeout))
    if reachable:
        try:
            (x_train, y_train), _ = _keras_load_data()
            return x_train[:n].copy(), y_train[:n].copy(), MNIST_SOURCE
        except Exception:  # noqa: BLE001 - any failure (network, disk, a bad file) means: draw
            pass
    images, labels = synthetic_digits(n)
    return images, labels, FALLBACK_SOURCE


def _render(digit: int, angle: float) -> np.ndarray:
    """One digit drawn with DejaVu Sans Bold on a 112 x 112 canvas: float array in [0, 1]."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1), dpi=112)
    canvas = FigureCanvasAgg(fig)
    fig.patch.set_facecolor("black")
    fig.text(0.5, 0.5, str(digit), color="white", ha="center", va="center", fontsize=60,
             family="DejaVu Sans", weight="bold", rotation=angle)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba(), dtype=np.float64)
    return rgba[..., 0] / 255.0


def _mnist_like(big: np.ndarray) -> np.ndarray:
    """Fit the drawn digit in a 20 x 20 box, centred by its centre of mass in 28 x 28 (as MNIST)."""
    rows, cols = np.nonzero(big > 0.05)
    crop = big[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    scale = 20.0 / max(crop.shape)
    h, w = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    # area average: each small pixel is the mean of the big pixels that fall in it
    r_edges = np.linspace(0, crop.shape[0], h + 1)
    c_edges = np.linspace(0, crop.shape[1], w + 1)
    small = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            r0, r1 = int(r_edges[i]), max(int(r_edges[i]) + 1, int(np.ceil(r_edges[i + 1])))
            c0, c1 = int(c_edges[j]), max(int(c_edges[j]) + 1, int(np.ceil(c_edges[j + 1])))
            small[i, j] = crop[r0:r1, c0:c1].mean()
    canvas = np.zeros((28, 28))
    mass = small.sum()
    cy = (small.sum(axis=1) * np.arange(h)).sum() / mass
    cx = (small.sum(axis=0) * np.arange(w)).sum() / mass
    top = int(np.clip(round(14 - cy), 0, 28 - h))
    left = int(np.clip(round(14 - cx), 0, 28 - w))
    canvas[top:top + h, left:left + w] = small
    return np.clip(np.round(canvas * 255.0), 0, 255).astype(np.uint8)


def synthetic_digits(n: int = 10, seed: int = _SEED):
    """``n`` MNIST-like digits drawn with matplotlib's DejaVu Sans (no network, no files).

    Digit ``i`` shows ``labels[i]``, the labels cycling through a seeded order of 0-9, each drawn
    with a small seeded slant. The same ``n`` and ``seed`` give the same pixels on every run.

    Returns:
        ``(images, labels)``: uint8 arrays of shapes ``(n, 28, 28)`` and ``(n,)``.
    """
    from .cases import rng

    gen = rng(seed)
    order = gen.permutation(10)
    labels = np.array([order[i % 10] for i in range(n)], dtype=np.uint8)
    angles = gen.uniform(-12.0, 12.0, size=n)
    cache: dict[tuple[int, float], np.ndarray] = {}
    images = np.zeros((n, 28, 28), np.uint8)
    for i, (label, angle) in enumerate(zip(labels, np.round(angles, 1))):
        key = (int(label), float(angle))
        if key not in cache:
            cache[key] = _mnist_like(_render(*key))
        images[i] = cache[key]
    return images, labels


def grace_hopper(gray: bool = True) -> np.ndarray:
    """Grace Hopper's portrait, the sample photograph that ships with matplotlib, as float32 in [0, 1].

    The one loader of the course's real picture (``matplotlib.cbook.get_sample_data``: nothing is
    downloaded). Returns shape (600, 512) grey levels (luma of the RGB picture) when ``gray``,
    else (600, 512, 3).
    """
    import matplotlib.cbook as cbook
    import matplotlib.image as mpimg

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        rgb = mpimg.imread(f, format="jpg")[..., :3].astype(np.float32) / np.float32(255)
    return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32) if gray else rgb


def sample_photo(size: int = 128) -> np.ndarray:
    """Grace Hopper's portrait (:func:`grace_hopper`), a centred square shrunk to ``(size, size)``.

    The square is shrunk by averaging blocks of pixels; float32 grey levels in [0, 1].
    """
    grey = grace_hopper().astype(np.float64)
    side = min(grey.shape)
    top, left = (grey.shape[0] - side) // 2, (grey.shape[1] - side) // 2
    square = grey[top:top + side, left:left + side]
    block = side // int(size)
    square = square[:block * size, :block * size]
    return square.reshape(size, block, size, block).mean(axis=(1, 3)).astype(np.float32)
