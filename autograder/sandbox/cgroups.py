"""One control group per learner run: one memory budget, a process count and the CPU clock of the
whole process tree, kept by the kernel (the grader's side; the learner's process only joins it).

Per-process limits (``RLIMIT_AS``) let three processes hold 4 GB each; a control group adds up
everything the learner's processes use. The grader makes the group before the learner's
process starts, sets its limits, reads its CPU time around each timed call (nothing inside the
group can change that count), kills whatever is left in it when grading ends, and removes it.

Both kinds of control-group file systems are used, where the grader may write them:

* **cgroup v2** (``cgroup2`` mounted, the grader's own group delegated to it, the usual case of
  systemd hosts and of a container with its own cgroup namespace): a child group with
  ``memory.max``, ``memory.swap.max``, ``pids.max``; ``cpu.stat``'s ``usage_usec``; ``memory.events``'s
  ``oom_kill``; ``cgroup.kill``.
* **cgroup v1** (the ``memory``, ``pids`` and ``cpuacct`` hierarchies mounted separately, as on
  older hosts and some VMs): one child group in each, ``memory.limit_in_bytes``, ``pids.max``,
  ``cpuacct.usage``, ``memory.oom_control``'s ``oom_kill``.

Where neither can be written (an unprivileged user on a laptop, most CI runners), :func:`create`
returns ``None`` with the reason, and the learner's process falls back to per-process limits;
every result says which held.
"""
from __future__ import annotations

import itertools
import os
import signal
import time
from pathlib import Path

__all__ = ["Group", "create", "available", "tree_cpu_seconds"]

_MOUNTS = "/proc/self/mountinfo"
_counter = itertools.count()


def _mounts() -> list[tuple[str, str, str]]:
    """``(mount point, file-system type, super options)`` of every cgroup mount."""
    found = []
    try:
        lines = Path(_MOUNTS).read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) > 4 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
            found.append((fields[4].replace("\\040", " "), tail[0], tail[2]))
    return found


def _own_paths() -> dict[str, str]:
    """This process's group per hierarchy: ``{"": path}`` for v2, ``{"memory": path, ...}`` for v1."""
    own = {}
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                own[name] = path
    except (OSError, ValueError):
        pass
    return own


class Group:
    """A learner run's control group (one directory per hierarchy). Made by :func:`create`."""

    def __init__(self, version: int, folders: dict[str, Path], memory_mb: int, processes: int):
        self.version, self.folders = version, folders
        self.memory_mb, self.processes = memory_mb, processes

    @property
    def procs_files(self) -> list[str]:
        """The files a process writes its pid to, to join the group (each hierarchy's)."""
        return [str(folder / "cgroup.procs") for folder in dict.fromkeys(self.folders.values())]

    def _read(self, controller: str, name: str) -> str:
        return (self.folders[controller] / name).read_text()

    def cpu_seconds(self) -> float | None:
        """CPU time used by every process that ever was in the group (threads and children included)."""
        try:
            if self.version == 2:
                for line in self._read("", "cpu.stat").splitlines():
                    key, _, value = line.partition(" ")
                    if key == "usage_usec":
                        return int(value) / 1e6
                return None
            return int(self._read("cpuacct", "cpuacct.usage")) / 1e9
        except (OSError, ValueError, KeyError):
            return None

    def out_of_memory(self) -> bool:
        """Whether the kernel refused memory to the group (it then kills one of its processes)."""
        try:
            if self.version == 2:
                for line in self._read("", "memory.events").splitlines():
                    key, _, value = line.partition(" ")
                    if key in ("oom_kill", "oom_group_kill") and int(value) > 0:
                        return True
                return False
            for line in self._read("memory", "memory.oom_control").splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value) > 0
            return int(self._read("memory", "memory.failcnt")) > 0
        except (OSError, ValueError, KeyError):
            return False

    def pids(self) -> set[int]:
        found = set()
        for procs in self.procs_files:
            try:
                found.update(int(p) for p in Path(procs).read_text().split())
            except (OSError, ValueError):
                pass
        return found

    def kill_all(self, within: float = 5.0) -> bool:
        """Kill every process in the group until none is left; whether it emptied."""
        if self.version == 2:
            try:
                (self.folders[""] / "cgroup.kill").write_text("1")
            except OSError:
                pass
        end = time.monotonic() + within
        while True:
            left = self.pids()
            if not left:
                return True
            if time.monotonic() > end:
                return False
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.01)

    def remove(self) -> None:
        """Kill what is left, then remove the group's directories."""
        self.kill_all()
        for folder in dict.fromkeys(self.folders.values()):
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # the last processes are still being torn down
                    time.sleep(0.01)

    def describe(self) -> str:
        return (f"cgroup v{self.version}: {self.memory_mb} MB of memory and {self.processes} processes "
                f"for the whole process tree")


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def _v2(mount: str, own: dict, memory_mb: int, processes: int, name: str) -> Group:
    parent = Path(mount) / own.get("", "/").lstrip("/")
    wanted = {"memory", "pids"}
    enabled = set((parent / "cgroup.subtree_control").read_text().split())
    if not wanted <= enabled:
        available_here = set((parent / "cgroup.controllers").read_text().split())
        if not wanted <= available_here:
            raise OSError(f"cgroup v2 at {parent} does not offer {', '.join(sorted(wanted - available_here))}")
        # fails with EBUSY where the grader's own group holds processes ("no internal processes")
        _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in sorted(wanted - enabled)))
    folder = parent / name
    folder.mkdir()
    try:
        _write(folder / "memory.max", str(memory_mb * 1024 * 1024))
        if (folder / "memory.swap.max").exists():
            _write(folder / "memory.swap.max", "0")
        _write(folder / "pids.max", str(processes))
    except OSError:
        folder.rmdir()
        raise
    return Group(2, {"": folder}, memory_mb, processes)


def _v1(mounts: dict, own: dict, memory_mb: int, processes: int, name: str) -> Group:
    folders = {}
    try:
        for controller in ("memory", "pids", "cpuacct"):
            folder = Path(mounts[controller]) / own.get(controller, "/").lstrip("/") / name
            folder.mkdir()
            folders[controller] = folder
        _write(folders["memory"] / "memory.limit_in_bytes", str(memory_mb * 1024 * 1024))
        swap = folders["memory"] / "memory.memsw.limit_in_bytes"
        if swap.exists():
            _write(swap, str(memory_mb * 1024 * 1024))
        _write(folders["pids"] / "pids.max", str(processes))
    except (OSError, KeyError):
        for folder in folders.values():
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    return Group(1, folders, memory_mb, processes)


def create(memory_mb: int, processes: int) -> tuple[Group | None, str]:
    """A new group for one learner run with these limits, or ``(None, why not)``."""
    mounts, own = _mounts(), _own_paths()
    name = f"autograder-{os.getpid()}-{next(_counter)}"
    reasons = []
    v2 = [m for m in mounts if m[1] == "cgroup2"]
    if v2 and "" in own:
        try:
            return _v2(v2[0][0], own, memory_mb, processes, name), ""
        except OSError as exc:
            reasons.append(f"cgroup v2: {exc.strerror or exc}")
    v1 = {}
    for point, kind, options in mounts:
        if kind == "cgroup":
            for controller in ("memory", "pids", "cpuacct"):
                if controller in options.split(","):
                    v1.setdefault(controller, point)
    if {"memory", "pids", "cpuacct"} <= set(v1):
        try:
            return _v1(v1, own, memory_mb, processes, name), ""
        except (OSError, KeyError) as exc:
            reasons.append(f"cgroup v1: {getattr(exc, 'strerror', None) or exc}")
    if not reasons:
        reasons.append("no cgroup file system with the memory and pids controllers is mounted")
    return None, "; ".join(reasons)


_AVAILABLE: list = []


def available() -> tuple[bool, str]:
    """Whether this grader can make learner groups here (tried once, then remembered)."""
    if not _AVAILABLE:
        group, why = create(256, 8)
        if group is not None:
            group.remove()
        _AVAILABLE[:] = [group is not None, why]
    return _AVAILABLE[0], _AVAILABLE[1]


# ----------------------------------------------------------------------------- without a group
def _clock_of(pid: int) -> float:
    """The CPU time of process ``pid`` (all its threads), from the kernel's per-process CPU clock."""
    try:
        return time.clock_gettime(((~pid) << 3) | 2)  # MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)
    except OSError:
        return 0.0


def _children(pid: int) -> list[int]:
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found += [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        pass
    return found


def tree_cpu_seconds(root: int) -> float:
    """CPU time of ``root`` and every live process below it, with what their reaped children used."""
    total, frontier, seen = 0.0, [root], set()
    tick = os.sysconf("SC_CLK_TCK")
    while frontier:
        pid = frontier.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _clock_of(pid)
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().decode(errors="replace").rsplit(")", 1)[-1].split()
            total += (int(fields[13]) + int(fields[14])) / tick  # cutime, cstime: waited-for children
        except (OSError, ValueError, IndexError):
            pass
        frontier += _children(pid)
    return total
