"""Containment: one learner's code never outlives its grading, reaches a network, or takes more
than its budget, whatever it does; each wall shown real by a control without it.

The controls run the same learner code with fewer walls (``confine`` names the walls built):
Landlock alone is what the sandbox was before namespaces and control groups, so a control that
gets through with Landlock alone shows the attack is real and that the new wall is what stops it.
Each wall needs the host to allow it (root or user namespaces, a writable cgroup file system):
where it does not, the test skips with the reason the result itself gives.
"""
import os
import socket
import subprocess
import sys
import time

import pytest

from autograder import wire
from autograder.sandbox import Call, Limits, run_learner
from autograder.sandbox.cgroups import available as cgroups_available
from tests.test_sandbox import survivors

LANDLOCK_ONLY = ("landlock",)


def _probe_walls():
    run = run_learner([], [], Limits())
    return run.confinement


WALLS = _probe_walls()
needs_namespaces = pytest.mark.skipif(not (WALLS.get("walls") or {}).get("network_namespace"),
                                      reason=f"no namespaces on this host: {WALLS.get('describe')}")
needs_cgroup = pytest.mark.skipif(not cgroups_available()[0], reason=f"no control group here: {cgroups_available()[1]}")


def _value(run, key="k"):
    assert key in run.outcomes, (run.broken, run.cell_errors)
    return wire.decode(run.outcomes[key]["value"])


def _attempts(checks: dict) -> str:
    """A cell defining ``attempts()``: each check tried once, ``GOT`` or ``DENIED`` with the error."""
    lines = ["import os, socket, sys", "def attempts():", "    out = []"]
    for name, expression in checks.items():
        lines += ["    try:", f"        out.append(({name!r}, 'GOT ' + repr({expression})[:80]))",
                  "    except BaseException as exc:", f"        out.append(({name!r}, 'DENIED ' + type(exc).__name__))"]
    lines.append("    return out")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- processes
CHAIN = """
import os, sys, time
def _chain(depth):
    if depth == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)", TOKEN])
    if os.fork() == 0:
        _chain(depth - 1)
    os._exit(0)
if os.fork() == 0:
    _chain(130)
time.sleep(1.5)
def started():
    return True
"""


def test_a_deep_chain_of_forks_leaves_nothing_running():
    """Before: a 130-deep chain left 31 processes running (the sweep killed one generation a pass)."""
    token = f"chain-{os.getpid()}"
    run = run_learner([{"id": "chain", "source": CHAIN.replace("TOKEN", repr(token))}], [Call("k", "started", {})],
                      Limits())
    assert _value(run) is True
    assert not survivors(token)


def test_the_chain_is_real_without_a_sandbox(tmp_path):
    """The control: the same cell in a plain Python leaves its chain's last process running."""
    token = f"chain-control-{os.getpid()}"
    script = tmp_path / "chain.py"
    script.write_text(CHAIN.replace("TOKEN", repr(token)).replace("_chain(130)", "_chain(5)"))
    subprocess.run([sys.executable, str(script)], timeout=60)
    left = survivors(token, within=0.5)
    try:
        assert left, "the chain's last process should outlive a plain Python"
    finally:
        for pid in left:
            os.kill(pid, 9)


# ----------------------------------------------------------------------------- network
@pytest.fixture
def listeners(tmp_path):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.5)
    path = str(tmp_path / "grader.sock")
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(path)
    unix.listen()
    os.chmod(tmp_path, 0o755)
    os.chmod(path, 0o777)
    yield udp, unix, path
    udp.close()
    unix.close()


def _network_checks(udp_port: int, unix_path: str) -> dict:
    return {
        "udp": f"socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', {udp_port}))",
        "raw": "socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
        "packet": "socket.socket(socket.AF_PACKET, socket.SOCK_RAW)",
        "unix": f"socket.socket(socket.AF_UNIX).connect({unix_path!r})",
        "chroot": "os.chroot('/')",
    }


@needs_namespaces
@pytest.mark.parametrize("walls,reached", [(True, False), (LANDLOCK_ONLY, True)], ids=["walled", "control"])
def test_no_network_of_any_kind(listeners, walls, reached):
    """UDP to the grader's listener, raw and packet sockets, a path-named unix socket, chroot:
    all refused with every wall; with Landlock alone (the control) each one gets through."""
    udp, unix, path = listeners
    checks = _network_checks(udp.getsockname()[1], path)
    run = run_learner([{"id": "net", "source": _attempts(checks)}], [Call("k", "attempts", {})], Limits(),
                      confine=walls)
    got = dict(_value(run))
    if os.geteuid() != 0:  # without root, raw and packet sockets and chroot are refused to the control too
        checks = {k: v for k, v in checks.items() if k in ("udp", "unix")}
    for name in checks:
        assert got[name].startswith("GOT" if reached else "DENIED"), (name, got[name])
    try:
        udp.recvfrom(10)
        delivered = True
    except socket.timeout:
        delivered = False
    assert delivered is reached


# ----------------------------------------------------------------------------- budgets
THREE_PROCESSES = """
import os
def hold(mb):
    pids = []
    for _ in range(3):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            block = bytearray(mb * 1024 * 1024)
            for i in range(0, len(block), 4096):
                block[i] = 1
            os.write(w, b"1")
            import time; time.sleep(5)
            os._exit(0)
        os.close(w)
        pids.append((pid, r))
    held = sum(len(os.read(r, 1)) for _, r in pids)
    for pid, _ in pids:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    return held
"""


@needs_cgroup
@pytest.mark.parametrize("walls,held", [(True, None), (("landlock", "namespaces"), 3)], ids=["walled", "control"])
def test_memory_is_one_budget_for_every_process(walls, held):
    """Three processes of 400 MB each: past a 768 MB budget for the tree (the control, per-process
    limits only, lets all three hold theirs)."""
    limits = Limits(memory_mb=768, call_timeout=20)
    run = run_learner([{"id": "m", "source": THREE_PROCESSES}], [Call("k", "hold", {"mb": 400})], limits, confine=walls)
    if held is None:  # the kernel killed what went past the budget: not all three could hold theirs
        assert "k" not in run.outcomes or _value(run) < 3, run.outcomes
    else:
        assert _value(run) == held


MANY_FILES = """
def write(n, mb):
    written = 0
    try:
        for i in range(n):
            with open(f"f{i}.bin", "wb") as f:
                f.write(b"x" * (mb * 1024 * 1024))
            written += 1
    except OSError as exc:
        return [written, type(exc).__name__]
    return [written, None]
"""


@needs_namespaces
@pytest.mark.parametrize("walls", [True, LANDLOCK_ONLY], ids=["walled", "control"])
def test_disk_is_one_budget_for_every_file(walls):
    """Eight files of 16 MB: each under the per-file limit, together past a 64 MB disk budget."""
    limits = Limits(disk_mb=64, file_mb=16)
    run = run_learner([{"id": "d", "source": MANY_FILES}], [Call("k", "write", {"n": 8, "mb": 16})], limits,
                      confine=walls)
    written, error = _value(run)
    if walls is True:
        assert written <= 4 and error == "OSError", (written, error)
    else:
        assert written == 8 and error is None


MANY_PROCESSES = """
import os, time
def spawn(n):
    started = []
    try:
        for _ in range(n):
            pid = os.fork()
            if pid == 0:
                time.sleep(3)
                os._exit(0)
            started.append(pid)
    except OSError as exc:
        return [len(started), type(exc).__name__]
    return [len(started), None]
"""


@needs_cgroup
@pytest.mark.parametrize("walls", [True, ("landlock",)], ids=["walled", "control"])
def test_the_number_of_processes_is_limited(walls):
    run = run_learner([{"id": "p", "source": MANY_PROCESSES}], [Call("k", "spawn", {"n": 100})], Limits(), confine=walls)
    started, error = _value(run)
    if walls is True:
        assert started < Limits().processes and error in ("BlockingIOError", "OSError"), (started, error)
    else:
        assert started == 100 and error is None


SLOW_CELLS = [{"id": f"slow{i}", "source": "import time\ntime.sleep(1.2)\n"} for i in range(4)]


@pytest.mark.parametrize("total,finished", [(3.0, False), (30.0, True)], ids=["budget", "control"])
def test_a_notebook_of_slow_cells_stops_at_the_total_budget(total, finished):
    """Cells each under the per-cell limit, together past the notebook's total budget (the
    control: the same cells under a larger budget all run)."""
    cells = SLOW_CELLS + [{"id": "f", "source": "def f():\n    return 1\n"}]
    limits = Limits(cell_timeout=2, call_timeout=2, total_timeout=total)
    started = time.monotonic()
    run = run_learner(cells, [Call("k", "f", {})], limits)
    took = time.monotonic() - started
    if finished:
        assert _value(run) == 1 and not run.budget_spent
    else:
        assert run.budget_spent and "k" not in run.outcomes and took < total + 4, took
        assert "time budget of 3 s" in run.broken["f"]
