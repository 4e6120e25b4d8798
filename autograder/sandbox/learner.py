"""The learner's side of the sandbox: a supervisor, an init, and the learner's process.

Started by the grader (:mod:`.runner`), forked from the zygote or as a fresh Python, with one
end of each of the grader's two pipes (:mod:`.channel`) and a request: the work folder, the
control group to join, the limits, whether to confine. Three processes, so that nothing the
learner's code starts outlives its grading and every wall is built by code that ran no learner
code:

* the **supervisor** joins the run's control group, builds the walls (:func:`.walls.enter`:
  namespaces, the new root) and tells the grader which held: the first message on the pipe,
  sent before any learner code exists. It never runs learner code. With a PID namespace it forks
  the namespace's init and waits; without one it is the *child subreaper* of everything below
  it (``PR_SET_CHILD_SUBREAPER``: orphans and ``setsid`` daemons come back to it) and kills the
  whole tree when the learner's process ends, or at once on ``SIGTERM``;
* the **init** (PID 1 of the namespace) mounts its ``/proc``, enters the new root
  (:func:`.walls.finish`), forks the learner's process and reaps orphans. When it ends, the
  kernel kills everything left in the namespace; a learner cannot signal it;
* the **learner's process** limits itself (:func:`apply_limits`), gives up every privilege
  (:func:`.walls.drop_privileges`), confines itself with Landlock, sends its confinement report
  (the second message, still before any learner code), then does what the grader asks, one
  message at a time: run the cells in order in one namespace (each cell's output and error
  captured), say which functions exist, call a function on one case, load a timed call, run it.

Hidden inputs arrive one call at a time, after every cell has run: no file, no message and no
memory of this process holds a case before the call that receives it. What a function prints
while it is called goes nowhere. Expected values never enter these processes; what they send is
plain JSON (:mod:`autograder.wire`), never unpickled or run by the grader.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys

from .channel import Channel

__all__ = ["apply_limits", "main"]

_PR_SET_CHILD_SUBREAPER, _PR_SET_PDEATHSIG = 36, 1


def apply_limits(limits: dict, own_user: bool) -> None:
    """Per-process limits: ``RLIMIT_AS`` (memory_mb), ``RLIMIT_FSIZE`` (file_mb), no core dumps, and
    ``RLIMIT_NPROC`` (processes) where the learner runs as a user of its own (nobody, or a user
    namespace, where the kernel counts its processes apart from the grader's)."""
    import resource

    mem = int(limits["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    size = int(limits["file_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if own_user:
        resource.setrlimit(resource.RLIMIT_NPROC, (int(limits["processes"]), int(limits["processes"])))


def _prctl(option: int, value: int) -> bool:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux
        return False


# ----------------------------------------------------------------------------- the supervisor
def _tree(root: int) -> list[int]:
    """Every process below ``root`` (from /proc's parent links), deepest last."""
    parents = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().decode(errors="replace").rsplit(")", 1)[-1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, ValueError, IndexError):
                continue
    below, frontier = [], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        below += frontier
    return below


def _sweep(within: float = 5.0) -> None:
    """Kill every process below this one, stopped first so that none forks again, until none is left."""
    import time

    end = time.monotonic() + within
    while time.monotonic() < end:
        tree = _tree(os.getpid())
        if not tree:
            return
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in tree:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        while True:  # reap what came back to us (the subreaper); the rest are reaped by their parents
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break


def _end_like(status: int) -> int:
    """Exit as the learner's process did: its status, or its signal (so the grader can name it)."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1


def main(request: dict) -> int:
    """The supervisor (see the module). ``request``: ``in_fd``, ``out_fd``, ``work``, ``cgroup``
    (the ``cgroup.procs`` files to join), ``limits``, ``walls`` (which to build: ``landlock``,
    ``namespaces``; the control group is the grader's)."""
    from . import landlock, walls

    channel = Channel(int(request["in_fd"]), int(request["out_fd"]))
    work = str(request["work"])
    for procs in request.get("cgroup") or ():
        with open(procs, "w") as f:  # this process, and so everything it starts
            f.write(str(os.getpid()))
    read, write = landlock.learner_paths(work)
    wanted = set(request.get("walls") or ())
    binds = [p for p in read if p != landlock.OWN_PROC]  # the new root gets a /proc of its own
    built = walls.enter(work, binds, [p for p in write if p != work], int(request["limits"]["disk_mb"]),
                        "namespaces" in wanted)
    channel.send({"op": "walls", **built.to_dict()})

    def learner():
        return _learner(channel, built, request, (read, write))

    if not built.pid_namespace:
        return _supervise_tree(learner, channel)
    status_read, status_write = os.pipe()
    init = os.fork()
    if init == 0:
        os.close(status_read)
        os._exit(_init(built, learner, status_write, channel))
    os.close(status_write)
    channel.close()  # the grader sees the end of the pipe when the learner's side is gone

    def stop(signum, frame):  # the grader's time limit: the namespace dies with its init
        os.kill(init, signal.SIGKILL)
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    os.waitpid(init, 0)
    data = os.read(status_read, 64)
    return _end_like(int(data) if data.strip() else 1)


def _supervise_tree(learner, channel: Channel) -> int:
    """Without a PID namespace: the child subreaper of the learner's process tree (see the module)."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    child = os.fork()
    if child == 0:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        code = 1
        try:
            code = learner()
        finally:
            os._exit(code)
    channel.close()

    def stop(signum, frame):
        _sweep()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    status = 1 << 8
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if pid == child:
            break  # other pids: orphans re-parented here, reaped as they end
    _sweep()
    return _end_like(status)


def _init(built, learner, status_write: int, channel: Channel) -> int:
    """PID 1 of the learner's namespace: enter the new root, fork the learner's process, reap."""
    from . import walls

    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # the namespace dies with its supervisor
    try:
        walls.finish(built)
    except OSError:
        return 70  # the new root was half made: nothing of the learner's may run
    child = os.fork()
    if child == 0:
        os.close(status_write)
        code = 1
        try:
            code = learner()
        finally:
            os._exit(code)
    channel.close()
    status = 1 << 8
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if pid == child:
            break
    os.write(status_write, str(status).encode())
    return 0


# ----------------------------------------------------------------------------- the learner's process
def _learner(channel: Channel, built, request: dict, paths) -> int:
    from . import landlock, walls

    work = str(request["work"])
    for name in ("HOME", "TMPDIR", "KERAS_HOME", "MPLCONFIGDIR"):
        os.environ[name] = work  # Keras' and matplotlib's settings, temporary files: in the work folder
    own_user = built.pid_namespace  # nobody, or a user namespace: its processes are counted apart
    apply_limits(request["limits"], own_user)
    user = walls.drop_privileges(built)
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # after the change of user, which clears it
    if "landlock" in set(request.get("walls") or ()):
        held = landlock.confine(*paths).to_dict()
    else:
        held = landlock.Confinement(landlock.abi(), reason="the grader ran it without confinement").to_dict()
    channel.send({"op": "confinement", **held, "user": user})
    from .serve import serve  # and what it imports: before the work folder is on sys.path

    os.chdir(work)
    sys.path.insert(0, work)  # as a notebook's kernel has it: only now, after the confinement
    serve(channel)
    os._exit(0)  # skip interpreter teardown: the learner's atexit hooks and finalisers don't run


if __name__ == "__main__":
    import json

    sys.exit(main(json.loads(sys.argv[1])))
