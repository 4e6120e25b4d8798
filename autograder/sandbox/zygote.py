"""A zygote: learner processes forked from one that has already imported what they need.

Starting a fresh Python and importing numpy and matplotlib costs a learner process most of its
time (hundreds of milliseconds on a small machine); forking a process that has already imported
them costs a few. :class:`Zygote` starts ``python -m autograder.sandbox.zygote`` once per grader,
with the learner process's environment, and asks it for one child per run of the learner's code.

The zygote (this module's :func:`serve`, single-threaded: it only ever forks):

1. imports what learner code and the learner process need (numpy, matplotlib with Agg and
   pyplot, the course's figure helpers, the sandbox's learner side), never the references, the
   judge or the registry, and never a grading secret (its environment has none);
2. for each request ``{"job", "events", "cwd"}`` on stdin, forks a child that closes the
   zygote's pipes, starts a new session, moves to its working folder and runs
   :func:`autograder.sandbox.learner.main` exactly as ``python -m autograder.sandbox.learner``
   would (the supervisor, then the runner: limits, Landlock, cells, calls), and answers
   ``{"id", "pid"}``;
3. reaps its children and answers ``{"exit": pid, "status": returncode}`` for each.

Every limit, the confinement and the supervisor are set up in the child exactly as in a freshly
started learner process: the tamper, reach and bad-submission suites run on both.
"""
from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import threading

__all__ = ["Zygote", "ZygoteProcess", "serve"]


# ----------------------------------------------------------------------------- the zygote itself
def _preload() -> None:
    import numpy  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    from .. import cases, outcome, speed, wire  # noqa: F401
    from . import landlock, learner  # noqa: F401
    try:
        from .. import figures  # noqa: F401 - the notebooks' setup cells import it
    except Exception:  # noqa: BLE001 - a figure helper that cannot load only costs time later
        pass


def _child(request: dict, pipes: tuple[int, ...]) -> None:
    """In the forked child: let go of the zygote, then be a learner process."""
    try:
        signal.set_wakeup_fd(-1)
        for fd in pipes:
            try:
                os.close(fd)
            except OSError:
                pass
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.chdir(request["cwd"])
        sys.path[0] = request["cwd"]  # as `python -m` puts the working folder first
        from .learner import main

        code = main(request["job"], request["events"])
    except BaseException:  # noqa: BLE001 - nothing may escape into the zygote's loop
        code = 70
    os._exit(code if isinstance(code, int) else 1)


def serve() -> None:
    """The zygote's loop: fork on request, report exits (see the module docstring)."""
    _preload()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    inbox = os.fdopen(0, "rb", buffering=0)
    out = os.fdopen(os.dup(1), "w", buffering=1)
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    pending = b""
    while True:
        for key, _ in selector.select():
            if key.fd == wake_read:
                os.read(wake_read, 4096)
            else:
                chunk = inbox.read(65536)
                if not chunk:
                    return  # the grader went away: so does the zygote
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    request = json.loads(line)
                    pid = os.fork()
                    if pid == 0:
                        _child(request, (0, 1, out.fileno(), wake_read, wake_write, selector.fileno()))
                    out.write(json.dumps({"id": request["id"], "pid": pid}) + "\n")
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            out.write(json.dumps({"exit": pid, "status": os.waitstatus_to_exitcode(status)}) + "\n")


# ----------------------------------------------------------------------------- the grader's side
class ZygoteProcess:
    """A learner process forked by the zygote, with the part of ``subprocess.Popen``'s interface the
    runner uses: ``pid``, ``poll``, ``wait``, ``send_signal``."""

    def __init__(self, pid: int, zygote: "Zygote"):
        self.pid, self._zygote, self.returncode = pid, zygote, None

    def poll(self):
        if self.returncode is None:
            self.returncode = self._zygote._exit_status(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None):
        if self.poll() is None:
            self._zygote._wait_exit(self.pid, timeout)
            if self.poll() is None:
                raise subprocess.TimeoutExpired("learner process", timeout)
        return self.returncode

    def send_signal(self, sig) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)


class Zygote:
    """The grader's handle on one zygote process (thread-safe: one per grader, many jobs)."""

    def __init__(self, env: dict, python: str | None = None):
        self._proc = subprocess.Popen([python or sys.executable, "-m", "autograder.sandbox.zygote"], env=env,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      cwd="/", start_new_session=True)
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self._pids: dict[int, int] = {}  # request id -> pid
        self._exits: dict[int, int] = {}  # pid -> status
        self._next = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self._proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            with self._changed:
                if "pid" in message:
                    self._pids[message["id"]] = message["pid"]
                else:
                    self._exits[message["exit"]] = message["status"]
                self._changed.notify_all()
        with self._changed:  # the zygote died: nothing more will come
            self._dead = True
            self._changed.notify_all()

    _dead = False

    @property
    def alive(self) -> bool:
        return not self._dead and self._proc.poll() is None

    def start(self, job: str, events: str, cwd: str) -> ZygoteProcess:
        """Fork a learner process for ``job``; raises ``RuntimeError`` when the zygote is gone."""
        with self._lock:
            self._next += 1
            request = self._next
            try:
                self._proc.stdin.write((json.dumps({"id": request, "job": job, "events": events, "cwd": cwd})
                                        + "\n").encode())
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise RuntimeError(f"the zygote is gone ({exc})") from None
        with self._changed:
            if not self._changed.wait_for(lambda: request in self._pids or self._dead, timeout=30):
                raise RuntimeError("the zygote did not answer within 30 s")
            if request not in self._pids:
                raise RuntimeError("the zygote died")
            return ZygoteProcess(self._pids.pop(request), self)

    def _exit_status(self, pid: int):
        """The pid's exit status once (then forgotten: ZygoteProcess keeps it), else ``None``."""
        with self._changed:
            if pid in self._exits:
                return self._exits.pop(pid)
            return -signal.SIGKILL if self._dead else None

    def _wait_exit(self, pid: int, timeout: float | None) -> None:
        """Wait until the pid's exit status has come (or the zygote died), at most ``timeout``."""
        with self._changed:
            self._changed.wait_for(lambda: pid in self._exits or self._dead, timeout=timeout)

    def close(self) -> None:
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()


if __name__ == "__main__":
    serve()
