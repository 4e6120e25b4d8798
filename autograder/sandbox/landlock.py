"""Confine the current process with Landlock, the kernel's unprivileged sandbox (Linux 5.13+).

The learner's process calls :func:`confine` with :func:`learner_paths` before any learner code
runs; from then on the kernel refuses it everything outside those paths: reading ``solutions/``,
the gradebook or the grading secret, writing outside its working folder, TCP connections (ABI 4),
signals to processes outside its sandbox and connections to abstract unix sockets (ABI 6). It
follows the kernel's own sample (``samples/landlock/sandboxer.c``): ask the ABI, handle every
right that ABI knows in one ruleset, add one ``path_beneath`` rule per allowed path, set
``no_new_privs``, restrict. Best effort: on an older kernel it applies what the kernel offers and
:class:`Confinement` says exactly which protections hold; without Landlock it changes nothing and
says so (``describe()`` starts with "NOT confined").

Binding: a small ctypes module of our own (three syscalls through libc's ``syscall``, two
structs, no dependency). Of the bindings on PyPI, ``landlock`` 1.0.0.dev5 handles the file
system only (no network rules, no scopes, no ``TRUNCATE``/``IOCTL_DEV`` negotiation beyond a
cached ABI); ``py-landlock`` 0.1.1 has network and scope rules but is an alpha with one release
(2026-01), defaults to failing on older kernels and refuses any CPU but x86_64 and aarch64;
``landlockpy`` 0.2.0 fits technically (pure Python, ABI 1-11 best effort, network, scopes, TSYNC)
but its first release was 2026-09-22 and three releases came within that month, so it has no
record of being maintained yet, and it would still leave us the parts this module is about
(files get only file rights, which protections hold, the learner's path set). A new dependency
in the security boundary, pinned by others' requirements files, for about 60 lines of syscall
code was not worth it; ``landlockpy`` is the one to revisit once it has a record.

What Landlock does not cover here, whatever the ABI up to 7: UDP (ABI 10) and connections to
pathname unix sockets (ABI 9); files and sockets opened before :func:`confine` (the learner's
process must open nothing it should not keep); threads started before :func:`confine` on ABI < 8
(they keep their freedom: confine before importing numpy, or run OpenBLAS on one thread, as the
runner does). Landlock refuses ``ptrace`` (attaching, ``/proc/<pid>/mem``) to processes outside
the sandbox from ABI 1 on, whatever paths are allowed, but not reading ``/proc/<pid>/environ`` or
``maps`` (found on Linux 6.18, ABI 7): what keeps the grader's environment away is that
:func:`learner_paths` opens nothing of ``/proc`` but the confining process's own entry.
"""
from __future__ import annotations

import ctypes
import dataclasses
import errno
import os
import site
import stat
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path

__all__ = ["Confinement", "abi", "confine", "learner_paths"]

# The syscalls' numbers are the same on every architecture but alpha (asm-generic/unistd.h).
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_RESTRICT_SELF_TSYNC = 1 << 3  # ABI 8: restrict every thread of the process, not only this one

# LANDLOCK_ACCESS_FS_* (include/uapi/linux/landlock.h)
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_REMOVE_DIR, _REMOVE_FILE, _MAKE_CHAR, _MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
_MAKE_REG, _MAKE_SOCK, _MAKE_FIFO, _MAKE_BLOCK, _MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15  # ABI 2, 3, 5
_FS_ABI1 = (1 << 13) - 1  # EXECUTE ... MAKE_SYM
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV  # all a file can get
_READ_RIGHTS = _READ_FILE | _READ_DIR | _EXECUTE
# LANDLOCK_ACCESS_NET_* (ABI 4) and LANDLOCK_SCOPE_* (ABI 6)
_BIND_TCP, _CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1


class _RulesetAttr(ctypes.Structure):
    # struct landlock_ruleset_attr as of ABI 6; older kernels accept it while the later fields are 0
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel's struct is packed: 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _handled_fs(version: int) -> int:
    """The file-system rights a ruleset handles on Landlock ABI ``version`` (0 for none)."""
    if version < 1:
        return 0
    rights = _FS_ABI1
    if version >= 2:
        rights |= _REFER
    if version >= 3:
        rights |= _TRUNCATE
    if version >= 5:
        rights |= _IOCTL_DEV
    return rights


_libc = None


def _syscall(number: int, *args) -> int:
    """``syscall(number, *args)``: the result, or OSError with the errno."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
        _libc.prctl.restype = ctypes.c_int
    result = _libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def _probe() -> tuple[int, str]:
    """(ABI, why it is 0): asks the kernel, never raises."""
    if not sys.platform.startswith("linux"):
        return 0, f"Landlock is Linux only; this is {sys.platform}"
    try:
        version = _syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
        return int(version), ""
    except AttributeError as exc:  # a C library without syscall() or prctl()
        return 0, f"this C library cannot make the Landlock system calls: {exc}"
    except OSError as exc:
        if exc.errno == errno.EOPNOTSUPP:
            return 0, "Landlock is built into this kernel but not enabled (boot option lsm=...,landlock)"
        if exc.errno == errno.ENOSYS:
            return 0, "this kernel has no Landlock"
        return 0, f"this kernel's Landlock does not answer: {exc.strerror or exc}"


def abi() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is missing or disabled. Never raises."""
    return _probe()[0]


_PROTECTIONS = (("filesystem", "file system"), ("network", "TCP"), ("signals", "signals"),
                ("abstract_sockets", "abstract sockets"))


@dataclasses.dataclass(frozen=True)
class Confinement:
    """Which protections hold for the process that called :func:`confine`.

    Attributes:
        abi: the kernel's Landlock ABI (0: none).
        filesystem: reading and writing are limited to the allowed paths.
        network: TCP bind and connect are refused.
        signals: signals to processes outside the sandbox are refused.
        abstract_sockets: connections to abstract unix sockets outside the sandbox are refused.
        reason: why a protection does not hold, or what it leaves open ("" when all hold fully).
    """

    abi: int
    filesystem: bool = False
    network: bool = False
    signals: bool = False
    abstract_sockets: bool = False
    reason: str = ""

    def describe(self) -> str:
        """One plain line: what holds, or that nothing does."""
        held = [label for name, label in _PROTECTIONS if getattr(self, name)]
        if not held:
            why = self.reason or "Landlock was not applied"
            return f"NOT confined: {why}; the learner's code can read and write whatever the grader's user can"
        line = f"confined by Landlock ABI {self.abi}: {', '.join(held)}"
        if len(held) < len(_PROTECTIONS):
            line = "partly " + line
        return f"{line} ({self.reason})" if self.reason else line

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Confinement":
        """The inverse of :meth:`to_dict`, strict: it comes from another process."""
        kinds = {"bool": bool, "int": int, "str": str}
        types = {f.name: kinds[f.type] for f in dataclasses.fields(cls)}
        if not isinstance(data, dict) or set(data) != set(types):
            raise ValueError(f"a Confinement needs exactly the keys {sorted(types)}; received {data!r:.200}")
        for name, kind in types.items():
            value = data[name]
            if type(value) is not kind:  # noqa: E721 - True is an int, 1 is not a bool
                raise ValueError(f"Confinement.{name} must be a {kind.__name__}; received {value!r:.100}")
        return cls(**data)


def _open_path(path) -> int | None:
    """An ``O_PATH`` descriptor of ``path``, or None when it does not exist (or cannot be opened)."""
    try:
        return os.open(os.fspath(path), os.O_PATH | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENAMETOOLONG):
            return None
        raise


def _other_threads() -> int:
    try:
        return len(os.listdir("/proc/self/task")) - 1
    except OSError:
        return 0


def confine(read: Iterable, write: Iterable) -> Confinement:
    """Confine this process (and every process it starts) to reading ``read`` and writing ``write``.

    ``read`` paths get READ_FILE, READ_DIR and EXECUTE; ``write`` paths every file-system right;
    a path that is a file gets only the rights a file can have. Paths that do not exist are
    skipped. Irreversible. Never raises for a kernel without Landlock or a failing syscall (the
    result says what holds); raises TypeError for something that is not a path.
    """
    read, write = [os.fspath(p) for p in read], [os.fspath(p) for p in write]
    version = abi()
    if version < 1:
        return Confinement(0, reason=_probe()[1] or "this kernel has no Landlock")
    fs = _handled_fs(version)
    attr = _RulesetAttr(fs, _BIND_TCP | _CONNECT_TCP if version >= 4 else 0,
                        _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if version >= 6 else 0)
    try:
        ruleset = _syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)),
                           ctypes.c_uint32(0))
    except OSError as exc:
        return Confinement(version, reason=f"landlock_create_ruleset failed: {exc.strerror}")
    try:
        skipped = []
        for paths, rights in ((read, _READ_RIGHTS), (write, fs)):
            for path in paths:
                fd = _open_path(path)
                if fd is None:
                    continue
                try:
                    allowed = rights & fs
                    if not stat.S_ISDIR(os.fstat(fd).st_mode):
                        allowed &= _FILE_RIGHTS
                    rule = _PathBeneathAttr(allowed, fd)
                    _syscall(_SYS_ADD_RULE, ctypes.c_long(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                             ctypes.byref(rule), ctypes.c_uint32(0))
                except OSError as exc:  # e.g. a file system Landlock cannot tag: that path stays closed
                    skipped.append(f"{path} ({exc.strerror})")
                finally:
                    os.close(fd)
        others = _other_threads()
        flags = _RESTRICT_SELF_TSYNC if version >= 8 else 0
        try:
            if _libc.prctl(_PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0),
                           ctypes.c_ulong(0)) != 0:
                err = ctypes.get_errno()
                raise OSError(err, f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(err)}")
            try:
                _syscall(_SYS_RESTRICT_SELF, ctypes.c_long(ruleset), ctypes.c_uint32(flags))
            except OSError as exc:
                if not (flags and exc.errno == errno.EINVAL):
                    raise
                flags = 0  # a kernel that does not take TSYNC after all: this thread, as before ABI 8
                _syscall(_SYS_RESTRICT_SELF, ctypes.c_long(ruleset), ctypes.c_uint32(flags))
        except OSError as exc:
            return Confinement(version, reason=f"landlock_restrict_self failed: {exc.strerror}")
    finally:
        os.close(ruleset)
    return Confinement(version, filesystem=True, network=version >= 4, signals=version >= 6,
                       abstract_sockets=version >= 6, reason=_gaps(version, others, bool(flags), skipped))


def _gaps(version: int, other_threads: int, all_threads: bool, skipped: list[str]) -> str:
    gaps = []
    if version < 3:
        gaps.append(f"Landlock ABI {version}: files outside the allowed paths can still be truncated (needs 3)")
    if version < 4:
        gaps.append(f"Landlock ABI {version}: no TCP rules (needs 4)")
    if version < 6:
        gaps.append(f"Landlock ABI {version}: no signal or abstract socket scoping (needs 6)")
    if other_threads and not all_threads:
        gaps.append(f"{other_threads} thread(s) started before confine() are not confined (needs ABI 8)")
    if skipped:
        gaps.append("no rule could be added for " + ", ".join(skipped))
    return "; ".join(gaps)


# What learner code needs besides the Python installation and the system's libraries, found by
# tracing a learner-like process (strace -e open,openat): the dynamic loader's cache (extension
# modules loaded after confine()), the time zone, the CPU lists glibc's sysconf and OpenBLAS read,
# and the /dev nodes a notebook may open (os.devnull, os.urandom's fallback). Of /proc, only the
# confining process's own entry (/proc/self, opened by that process): never the grader's.
_SYSTEM_LIBRARIES = ("/usr/lib", "/lib", "/lib64", "/usr/lib64", "/usr/local/lib")
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/sys/devices/system/cpu/online",
                 "/sys/devices/system/cpu/possible", "/dev/urandom")
_SYSTEM_WRITABLE = ("/dev/null",)
OWN_PROC = "/proc/self"
_SYSTEM_PREFIXES = ("/", "/usr", "/usr/local")


def learner_paths(work_dir) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(read, write)`` for :func:`confine`: what running learner code needs, nothing more.

    Read: the Python installation (``sys.base_prefix``, ``sys.prefix``, the site-packages
    folders), the ``autograder`` package's own folder (never its parent: in a checkout that is
    the repository, with ``solutions/`` and ``grading/``), the system's libraries and a few files
    (see ``_SYSTEM_FILES``), and ``/proc/self`` (left unresolved: it names the entry of whichever
    process confines itself). Write: ``work_dir`` and ``/dev/null``. Paths are resolved, existing
    ones only, without duplicates or paths inside another of the same set.
    """
    import autograder

    package = Path(autograder.__file__).resolve().parent
    repository = package.parent
    prefixes = []
    for prefix in dict.fromkeys([sys.base_prefix, sys.prefix]):
        prefix = Path(prefix).resolve()
        if prefix == repository or prefix in repository.parents or str(prefix) in _SYSTEM_PREFIXES:
            # a Python installed above the repository, or the system's (/usr holds nbgrader's default
            # exchange, /usr/local/share/nbgrader/exchange): only its library folders, not the prefix
            paths = sysconfig.get_paths(vars={"base": str(prefix), "platbase": str(prefix),
                                              "installed_base": str(prefix), "installed_platbase": str(prefix)})
            prefixes += [paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")]
        else:
            prefixes.append(prefix)
    read = [*prefixes, *site.getsitepackages(), package, *_SYSTEM_LIBRARIES, *_SYSTEM_FILES]
    write = [work_dir, *_SYSTEM_WRITABLE]
    # "/proc/self" as it is, resolved by the process that confines itself: its own /proc entry and
    # no other process's (TensorFlow aborts when it cannot read its own maps and status)
    return _tidy(read) + (OWN_PROC,), _tidy(write)


def _tidy(paths) -> tuple[str, ...]:
    """Resolved, existing, in order, without duplicates or paths inside an earlier-or-later one."""
    resolved = []
    for p in paths:
        try:
            p = Path(p).resolve(strict=True)
        except OSError:
            continue
        if p not in resolved:
            resolved.append(p)
    return tuple(str(p) for p in resolved
                 if not any(q != p and q.is_dir() and q in p.parents for q in resolved))
