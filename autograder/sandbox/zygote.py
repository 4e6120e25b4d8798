"""A zygote: learner processes forked from one that has already imported what they need.

Starting a fresh Python and importing numpy and matplotlib costs a learner process most of its
time (hundreds of milliseconds on a small machine); forking a process that has already imported
them costs a few. :class:`Zygote` starts ``python -m autograder.sandbox.zygote`` once per grader,
with the learner process's environment, and asks it for one child per run of the learner's code.

The zygote (this module's :func:`serve`, single-threaded: it only ever forks):

1. imports what learner code and the learner process need (numpy, matplotlib with Agg and
   pyplot, the course's figure helpers, the sandbox's learner side), never the references, the
   judge or the registry, and never a grading secret (its environment has none);
2. for each request on its socket (a ``SOCK_SEQPACKET`` unix socket: one JSON message, with the
   learner's two pipe ends attached as ``SCM_RIGHTS``), forks a child that closes the zygote's
   socket and pipes, starts a new session and runs :func:`autograder.sandbox.learner.main` exactly
   as a freshly started learner process would (the supervisor: control group, walls; the init; the
   learner's process: limits, privileges, Landlock, cells, calls), and answers ``{"id", "pid"}``;
3. reaps its children and answers ``{"exit": pid, "status": returncode}`` for each.

Every limit, wall and the supervisor are set up in the child exactly as in a freshly started
learner process: the tamper, reach and bad-submission suites run on both. The zygote is
single-threaded (it only forks), so its children may make user namespaces.
"""
from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import threading

__all__ = ["Zygote", "ZygoteProcess", "serve"]


# ----------------------------------------------------------------------------- the zygote itself
def _preload() -> None:
    import numpy  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    from .. import cases, outcome, speed, wire  # noqa: F401
    from . import channel, landlock, learner, serve, walls  # noqa: F401
    try:
        from .. import figures  # noqa: F401 - the notebooks' setup cells import it
    except Exception:  # noqa: BLE001 - a figure helper that cannot load only costs time later
        pass


def _child(request: dict, keep_out: tuple[int, ...]) -> None:
    """In the forked child: let go of the zygote, then be the learner's supervisor."""
    try:
        signal.set_wakeup_fd(-1)
        for fd in keep_out:
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
        os.chdir("/")
        from .learner import main

        code = main(request)
    except BaseException:  # noqa: BLE001 - nothing may escape into the zygote's loop
        code = 70
    os._exit(code if isinstance(code, int) else 1)


def serve(sock_fd: int) -> None:
    """The zygote's loop: fork on request (a message with the learner's two pipe ends attached),
    report pids and exits (see the module docstring)."""
    _preload()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sock = socket.socket(fileno=sock_fd)
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)

    def answer(message: dict) -> None:
        sock.send(json.dumps(message).encode())

    while True:
        for key, _ in selector.select():
            if key.fd == wake_read:
                os.read(wake_read, 4096)
                continue
            data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 2)
            if not data:
                return  # the grader went away: so does the zygote
            request = json.loads(data)
            if len(fds) == 2:
                request["in_fd"], request["out_fd"] = fds
                pid = os.fork()
                if pid == 0:
                    _child(request, (sock.fileno(), wake_read, wake_write, selector.fileno()))
                answer({"id": request["id"], "pid": pid})
            else:
                answer({"id": request.get("id"), "pid": None})
            for fd in fds:
                os.close(fd)
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            answer({"exit": pid, "status": os.waitstatus_to_exitcode(status)})


def main(request: dict) -> int:
    serve(int(request["socket"]))
    return 0


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
        from .start import boot_command

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock = ours
        self._proc = subprocess.Popen(boot_command("zygote", {"socket": theirs.fileno()}, python), env=env,
                                      pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/",
                                      start_new_session=True)
        theirs.close()
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self._pids: dict[int, int] = {}  # request id -> pid
        self._exits: dict[int, int] = {}  # pid -> status
        self._next = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = self._sock.recv(1 << 16)
            except OSError:
                break
            if not data:
                break
            try:
                message = json.loads(data)
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

    def start(self, request: dict, fds: tuple[int, int]) -> ZygoteProcess:
        """Fork a learner's supervisor for ``request``, handing it ``fds`` (its two pipe ends);
        raises ``RuntimeError`` when the zygote is gone."""
        with self._lock:
            self._next += 1
            number = self._next
            try:
                socket.send_fds(self._sock, [json.dumps({**request, "id": number}).encode()], list(fds))
            except OSError as exc:
                raise RuntimeError(f"the zygote is gone ({exc})") from None
        with self._changed:
            if not self._changed.wait_for(lambda: number in self._pids or self._dead, timeout=30):
                raise RuntimeError("the zygote did not answer within 30 s")
            if number not in self._pids:
                raise RuntimeError("the zygote died")
            pid = self._pids.pop(number)
            if pid is None:
                raise RuntimeError("the zygote refused the request")
            return ZygoteProcess(pid, self)

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
            self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()



