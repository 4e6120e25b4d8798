"""What of a submission folder the learner's process gets: regular files only, never through a link.

A notebook may read small data files handed in beside it. The grader copies them, and the grader
is not confined, so every name in the folder is the learner's choice and hostile: a symbolic link
to ``grading/secret``, ``/proc/self/environ`` or a classmate's notebook, a FIFO that blocks a
read, a device, ``/proc/self/pagemap`` (size 0, gigabytes to read). So:

* only entries directly in the folder (no sub-folders), looked at with ``lstat``: a link, a
  folder, a FIFO, a socket or a device is skipped whatever it points to;
* each file is opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked again on the open descriptor
  (same inode as the ``lstat``, still a regular file): a file swapped for a link in between is
  skipped too;
* at most :data:`MAX_FILES` files, each at most :data:`MAX_FILE_BYTES`, :data:`MAX_TOTAL_BYTES`
  together; notebooks and names starting with a dot are not data;
* every skipped entry is named, with the reason, for the result's notes.

The notebook itself is read by the same rule (:func:`read_notebook`): a notebook that is a link
(to ``grading/secret``, to ``/proc/self/environ``: a parse error would quote what it read), a
FIFO or a device is not read, and one larger than :data:`MAX_NOTEBOOK_BYTES` is not loaded.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["stage", "read_notebook", "is_regular", "MAX_FILES", "MAX_FILE_BYTES", "MAX_TOTAL_BYTES", "MAX_NOTEBOOK_BYTES"]

MAX_FILES = 32
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_TOTAL_BYTES = 32 * 1024 * 1024
MAX_NOTEBOOK_BYTES = 100 * 1000 * 1000  # nbgrader's own default max_file_size (100000 kB)


class NotANotebookFile(ValueError):
    """The submitted notebook is not a regular file the grader may read; the message says why."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return "not a regular file"


def stage(source: Path, target: Path) -> list[str]:
    """Copy the data files directly in ``source`` into ``target`` (see the module); the skipped, as
    ``"<name>: <why>"``. ``source`` itself may be anything the grader was given; what is inside it
    is never followed."""
    skipped, total, copied = [], 0, 0
    try:
        names = sorted(os.listdir(source))
    except OSError as exc:
        return [f"{source}: the folder could not be listed ({exc.strerror})"]
    for name in names:
        if name.startswith(".") or name.endswith(".ipynb"):
            continue
        path = os.path.join(source, name)
        try:
            info = os.lstat(path)
        except OSError as exc:
            skipped.append(f"{name}: {exc.strerror}")
            continue
        if not stat.S_ISREG(info.st_mode):
            skipped.append(f"{name}: {_kind(info.st_mode)}, not copied")
            continue
        if copied >= MAX_FILES:
            skipped.append(f"{name}: more than {MAX_FILES} files beside the notebook")
            continue
        if info.st_size > MAX_FILE_BYTES or total + info.st_size > MAX_TOTAL_BYTES:
            skipped.append(f"{name}: too large ({info.st_size} bytes; at most {MAX_FILE_BYTES} a file, "
                           f"{MAX_TOTAL_BYTES} together)")
            continue
        why = _copy(path, info, target / name)
        if why:
            skipped.append(f"{name}: {why}")
            continue
        copied += 1
        total += info.st_size
    return skipped


def is_regular(path) -> bool:
    """Whether ``path`` itself (not where a link points) is a regular file."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _open_same(path, info: os.stat_result) -> int:
    """A descriptor of the regular file ``lstat`` saw as ``info``, opened without following a link;
    ``OSError`` if it cannot be opened, ``ValueError`` if it is no longer that file."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    opened = os.fstat(fd)
    if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
        os.close(fd)
        raise ValueError("changed while it was read")
    return fd


def _copy(path: str, info: os.stat_result, destination: Path) -> str | None:
    """Copy one regular file without following a link; why not, or ``None``."""
    try:
        fd = _open_same(path, info)
    except OSError as exc:
        return f"could not be opened ({exc.strerror})"
    except ValueError:
        return "changed while it was copied"
    try:
        remaining = MAX_FILE_BYTES + 1
        with open(destination, "xb") as out:
            while remaining > 0:
                chunk = os.read(fd, min(1 << 20, remaining))
                if not chunk:
                    break
                out.write(chunk)
                remaining -= len(chunk)
        if remaining <= 0:
            destination.unlink()
            return "grew past the size limit while it was copied"
    except OSError as exc:
        return f"could not be copied ({exc.strerror})"
    finally:
        os.close(fd)
    return None


def read_notebook(path: Path) -> str:
    """The text of a submitted notebook, read without following a link (see the module).

    Raises :class:`NotANotebookFile` with the learner-facing reason for a link, a FIFO, a device or
    a file over :data:`MAX_NOTEBOOK_BYTES`; ``OSError`` when it cannot be opened."""
    name = os.path.basename(path)
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise NotANotebookFile(f"{name} is {_kind(info.st_mode)}, not a notebook file: it was not read. "
                               f"Hand in the notebook itself")
    try:
        fd = _open_same(path, info)
    except ValueError as exc:
        raise NotANotebookFile(f"{name} {exc}") from None
    with os.fdopen(fd, "rb") as f:
        data = f.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise NotANotebookFile(f"{name} is larger than the limit of {MAX_NOTEBOOK_BYTES:,} bytes: it was not read")
    return data.decode("utf-8")
