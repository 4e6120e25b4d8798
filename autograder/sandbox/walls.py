"""Walls at the operating-system level around the learner's processes, best effort by host.

Landlock (:mod:`.landlock`) confines one process's file, TCP, signal and abstract-socket access
without any privilege. What it cannot do, the kernel's namespaces do, where the grader may make
them (root, or unprivileged user namespaces):

* a **PID namespace**: the learner's first process is PID 1's child in a namespace of its own;
  when that namespace's init ends, the kernel kills every process left in it, however deep the
  chain of forks or however detached (``setsid``) the daemon;
* a **network namespace**: no interface but a loopback that is down, so no network of any kind
  (TCP, UDP, raw and packet sockets, a listener on the grader's 127.0.0.1); abstract unix
  sockets are per network namespace too;
* a **mount namespace** with a new root (a small ``tmpfs``) that holds only what running learner
  code needs, read-only (the Python installation, the ``autograder`` package, the system's
  libraries, a few files; the same list Landlock allows, :func:`.landlock.learner_paths`), a
  fresh ``/proc`` of its own PID namespace, four ``/dev`` nodes, and the learner's work folder:
  a ``tmpfs`` of ``disk_mb`` (one disk budget for every file the process tree writes) holding a
  copy of the staged data files. Path-named unix sockets, the repository, ``grading/``, other
  learners' work folders and home folders are simply not there;
* **IPC and UTS** namespaces (System V shared memory and the host name are its own);
* an **unprivileged user**: as root, the learner's process becomes ``nobody`` (65534) with no
  capabilities (no ``chroot``, no raw sockets, no mounts); without root, the user namespace's
  capabilities are given up by entering a second, empty user namespace.

Why our own ``unshare``/``mount``/``pivot_root`` through ``ctypes`` rather than bubblewrap (which
Flatpak uses, and whose choices this module follows: ``--unshare-all``, a ``tmpfs`` root, read-only
binds of what is needed, a new ``/proc``, ``--die-with-parent``): learner processes are forked
from a zygote that has numpy and matplotlib imported (a few milliseconds instead of a Python
start); bubblewrap can only ``exec`` a new program, which would cost that start again for every
learner process, and one sandbox around the zygote would put every learner in the same
namespaces. The code here is a handful of system calls in a fixed order, run by a process that
has run no learner code, and every step that fails is reported, never hidden.

Order (the supervisor, before any learner code exists): :func:`enter` (``unshare``, the user
namespace's maps, the new root's mounts); then in the namespace's init, :func:`finish` (``/proc``,
``pivot_root``, the old root detached); then in the learner's process, :func:`drop_privileges`.
Where a step is refused, the walls already up stay up and :class:`Walls` says which held.
"""
from __future__ import annotations

import ctypes
import dataclasses
import errno
import os
import platform

__all__ = ["Walls", "enter", "finish", "drop_privileges", "NOBODY"]

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
_ST_FLAGS = ((os.ST_RDONLY, MS_RDONLY), (os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV),
             (os.ST_NOEXEC, MS_NOEXEC))
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
NOBODY = 65534
_DEV = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")
_libc = ctypes.CDLL(None, use_errno=True)


@dataclasses.dataclass
class Walls:
    """Which walls are up around the learner's processes (plain data; the supervisor's own account)."""

    pid_namespace: bool = False
    network_namespace: bool = False
    mount_namespace: bool = False
    ipc_namespace: bool = False
    user: str = "the grader's"  # "nobody" (root grader) or "user namespace" (unprivileged grader)
    disk_mb: int = 0  # the work folder's size, where it is a tmpfs
    reason: str = ""  # what could not be built, and why
    _newroot: str = ""
    _root_grader: bool = False

    def to_dict(self) -> dict:
        return {k: v for k, v in dataclasses.asdict(self).items() if not k.startswith("_")}


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    enc = (lambda v: None if v is None else os.fsencode(v))
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def enter(work: str, read: list[str], write_files: list[str], disk_mb: int, wanted: bool = True) -> Walls:
    """In the supervisor, single-threaded, before it forks: the namespaces and the new root's mounts.

    ``work``: the learner's work folder (its staged data files are copied into the new tmpfs at the
    same path); ``read``: paths bound read-only; ``write_files``: device files bound writable.
    """
    walls = Walls()
    if not wanted:
        walls.reason = "the grader ran it without walls"
        return walls
    root = os.geteuid() == 0
    uid, gid = os.geteuid(), os.getegid()
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | (0 if root else CLONE_NEWUSER)
    try:
        _check(_libc.unshare(ctypes.c_int(flags)), "unshare")
    except OSError as exc:
        walls.reason = (f"no namespaces ({exc.strerror}; they need root or unprivileged user namespaces): "
                        "the learner's processes share the grader's PID, network and mount namespaces")
        return walls
    if not root:
        try:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError as exc:  # the namespaces are made all the same; mounting will likely be refused
            walls.reason = f"the user namespace's maps could not be written ({exc.strerror}); "
    walls.pid_namespace = walls.network_namespace = walls.ipc_namespace = True
    walls._root_grader = root
    try:
        walls._newroot = _build_root(work, read, write_files, disk_mb, root)
        walls.mount_namespace, walls.disk_mb = True, disk_mb
    except OSError as exc:
        walls.reason += (f"no new root ({exc.strerror or exc}): the learner's process sees the host's files "
                         "(Landlock still confines them)")
    return walls


def _mountpoint(newroot: str, path: str, is_dir: bool) -> str:
    target = newroot + path
    if is_dir:
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "w").close()
    return target


def _bind(newroot: str, path: str, writable: bool = False) -> None:
    target = _mountpoint(newroot, path, os.path.isdir(path))
    _mount(path, target, None, MS_BIND | MS_REC)
    kept = 0  # the flags the original mount has: a user namespace may not clear them
    try:
        have = os.statvfs(path).f_flag
        kept = sum(ms for st, ms in _ST_FLAGS if have & st)
    except OSError:
        pass
    device = path.startswith("/dev/")
    flags = MS_REMOUNT | MS_BIND | MS_NOSUID | kept | (0 if writable else MS_RDONLY) | (0 if device else MS_NODEV)
    _mount(None, target, None, flags)


def _build_root(work: str, read: list[str], write_files: list[str], disk_mb: int, root: bool) -> str:
    """A tmpfs root holding binds of ``read``, the devices, and a tmpfs work folder with the staged files."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing mounted here reaches the host, nor back
    newroot = os.path.join(os.path.dirname(work), "root")
    os.makedirs(newroot, exist_ok=True)
    _mount("tmpfs", newroot, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0755")
    for name in os.listdir("/"):  # /lib -> usr/lib and the like: the loader and ld.so.cache use them
        if os.path.islink("/" + name):
            os.symlink(os.readlink("/" + name), os.path.join(newroot, name))
    for path in read:
        _bind(newroot, path)
    for path in dict.fromkeys([*_DEV, *write_files]):
        if os.path.exists(path):
            _bind(newroot, path, writable=True)
    os.makedirs(newroot + "/proc", exist_ok=True)
    target = _mountpoint(newroot, work, True)
    if not os.path.lexists(newroot + "/tmp"):
        os.symlink(work, newroot + "/tmp")  # what is written to /tmp counts against the disk budget
    owner = f",uid={NOBODY},gid={NOBODY}" if root else ""
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(disk_mb)}m,mode=0700{owner}")
    for entry in os.scandir(work):  # the staged data files (regular files, made by the grader)
        if entry.is_file(follow_symlinks=False):
            with open(entry.path, "rb") as src, open(os.path.join(target, entry.name), "xb") as dst:
                dst.write(src.read())
            if root:
                os.chown(os.path.join(target, entry.name), NOBODY, NOBODY)
    return newroot


def finish(walls: Walls) -> None:
    """In the PID namespace's init, before it forks the learner's process: a ``/proc`` of this PID
    namespace, then the new root becomes ``/`` and the host's root is detached."""
    if not walls.mount_namespace:
        return
    newroot = walls._newroot
    try:
        _mount("proc", newroot + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        old = newroot + "/.old-root"
        os.makedirs(old, exist_ok=True)
        number = _PIVOT_ROOT.get(platform.machine())
        if number is not None:
            _check(_libc.syscall(ctypes.c_long(number), os.fsencode(newroot), os.fsencode(old)), "pivot_root")
            os.chdir("/")
            _check(_libc.umount2(b"/.old-root", ctypes.c_int(MNT_DETACH)), "umount the old root")
            os.rmdir("/.old-root")
        else:  # switch_root's way: move the new root over / and chroot into it
            os.chdir(newroot)
            _mount(newroot, "/", None, 8192)  # MS_MOVE
            os.chroot(".")
            os.chdir("/")
        _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    except OSError as exc:
        walls.mount_namespace = False
        walls.reason = f"the new root could not be entered ({exc.strerror or exc})"
        raise


def drop_privileges(walls: Walls) -> str:
    """In the learner's process, before any learner code: give up every privilege; who it runs as."""
    if walls._root_grader and os.geteuid() == 0:
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)  # from uid 0 to another: every capability is gone
        return "nobody"
    if walls.pid_namespace and not walls._root_grader:
        try:  # the namespaces' capabilities are left behind in an empty, nested user namespace
            _check(_libc.unshare(ctypes.c_int(CLONE_NEWUSER)), "unshare a nested user namespace")
            return "user namespace"
        except OSError as exc:
            if exc.errno != errno.EPERM:
                raise
    return walls.user
