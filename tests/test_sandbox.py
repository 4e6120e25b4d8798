"""The learner's process and what crosses from it: the pipes, values without pickle, the limits,
and nothing of the learner's outliving its grading."""
import json
import os
import time

import numpy as np
import pytest

from autograder import wire
from autograder.sandbox import Limits
from autograder.sandbox.channel import Channel, ChannelError


def test_messages_written_just_before_the_end_of_the_pipe_are_not_lost():
    read, write = os.pipe()
    sender, receiver = Channel(None, write), Channel(read, None)
    sender.send({"op": "result", "key": "k", "outcome": {"value": 1}})
    sender.send({"op": "functions", "found": {}})
    sender.close()
    assert receiver.receive(1)["key"] == "k" and receiver.receive(1)["op"] == "functions"
    with pytest.raises(ChannelError, match="closed"):
        receiver.receive(1)


@pytest.mark.parametrize("line,problem", [(b"[1, 2]\n", "not a JSON object"), (b"{oops\n", "not JSON"),
                                          (b"1" * 5000 + b"\n", "not"), (b"[" * 100_000 + b"\n", "not JSON")])
def test_a_garbled_message_is_refused_in_one_line(line, problem):
    import threading

    read, write = os.pipe()
    threading.Thread(target=lambda: os.write(write, line), daemon=True).start()
    with pytest.raises(ChannelError, match=problem):
        Channel(read, None).receive(5)


def test_a_message_longer_than_the_cap_is_refused_without_reading_it_all():
    import threading

    read, write = os.pipe()
    threading.Thread(target=lambda: os.write(write, b"x" * (3 << 20)), daemon=True).start()
    with pytest.raises(ChannelError, match="longer than"):
        Channel(read, None, max_message=1 << 20).receive(5)


def test_values_cross_as_plain_data():
    value = (np.arange(6, dtype=np.int32).reshape(2, 3), [1.5, float("nan")], np.float32(2.0), 10**30, None)
    back = wire.decode(json.loads(json.dumps(wire.encode(value))))
    assert isinstance(back, tuple) and back[0].dtype == np.int32 and np.array_equal(back[0], value[0])
    assert back[1][0] == 1.5 and np.isnan(back[1][1]) and back[2].dtype == np.float32 and back[3] == 10**30


def test_objects_and_subclasses_do_not_cross_as_themselves():
    class Liar(np.ndarray):
        def __ne__(self, other):
            return np.zeros(np.shape(other), bool)

    liar = np.zeros((2, 2)).view(Liar)
    back = wire.decode(wire.encode(liar))
    assert type(back) is np.ndarray
    opaque = wire.decode(wire.encode(object()))
    assert isinstance(opaque, wire.Opaque) and opaque.wire_type == "object"
    assert isinstance(wire.decode(wire.encode(np.array(["a"], dtype=object))), wire.Opaque)


def test_learner_process_is_started_without_preexec_fn(monkeypatch):
    """preexec_fn is unsafe when the grader has threads (grade --jobs N): the learner process
    gets a new session from Popen and sets its resource limits itself."""
    import subprocess

    from autograder.sandbox import runner

    seen = {}
    real = subprocess.Popen

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(runner.subprocess, "Popen", spy)
    runner.run_learner([{"id": "a", "source": "x = 1"}], [], Limits())
    assert seen.get("preexec_fn") is None and seen.get("start_new_session") is True


def session_cell(token: str) -> str:
    """A cell that starts a plain child (same session as the learner's process) running ``sleep``
    with ``token`` in its command line, for :func:`session_from_outside` to find."""
    return f"""
import subprocess, sys
_sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", {token!r}])
"""


def session_from_outside(run, token: str):
    """Run ``run`` in a thread and return (its result, the session id, as this process's PID
    namespace sees it, of the learner's child that holds ``token``).

    The learner's own ``os.getsid(0)`` cannot tell: it reads 0 whenever its session's leader is
    outside its PID namespace, and so does this test's when the test runs in a container whose
    session leader is outside the container (one CI machine); two zeros are not one session."""
    import threading

    result = {}
    worker = threading.Thread(target=lambda: result.update(run=run()), daemon=True)
    worker.start()
    session = None
    while worker.is_alive() and session is None:
        for pid in survivors(token, within=0):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    session = int(f.read().rsplit(")", 1)[1].split()[3])  # state ppid pgrp session
            except (OSError, IndexError, ValueError):
                pass
        time.sleep(0.02)
    worker.join(60)
    return result.get("run"), session


def test_the_learner_process_limits_itself_in_its_own_session():
    from autograder.sandbox import Call, run_learner

    token = f"own-session-{os.getpid()}-{time.monotonic_ns()}"
    probe = ("import resource, time\n"
             "def probe():\n"
             "    time.sleep(1.5)\n"
             "    return [resource.getrlimit(resource.RLIMIT_AS)[0],\n"
             "            resource.getrlimit(resource.RLIMIT_FSIZE)[0], resource.getrlimit(resource.RLIMIT_CORE)[0]]\n")
    limits = Limits(memory_mb=1024, file_mb=3)
    cells = [{"id": "sleeper", "source": session_cell(token)}, {"id": "probe", "source": probe}]
    run, session = session_from_outside(lambda: run_learner(cells, [Call("k", "probe", {})], limits), token)
    memory, file_size, core = wire.decode(run.outcomes["k"]["value"])
    assert session is not None, "the learner's child was never seen from outside"
    assert session != os.getsid(0), "the learner's process is in the grader's session"
    assert memory == 1024 * 2**20 and file_size == 3 * 2**20 and core == 0
    assert survivors(token) == []


def test_limits_refuse_values_that_would_blame_the_learner():
    import pytest

    from autograder.sandbox.limits import MIN_MEMORY_MB

    for bad in (dict(cell_timeout=0), dict(call_timeout=-1), dict(memory_mb=MIN_MEMORY_MB - 1), dict(file_mb=0)):
        with pytest.raises(ValueError, match=next(iter(bad))):
            Limits(**bad)


def test_the_smallest_memory_limit_still_runs_numpy():
    from autograder.sandbox import Call, run_learner
    from autograder.sandbox.limits import MIN_MEMORY_MB

    cell = "import numpy as np\ndef total():\n    return int(np.arange(1000).sum())\n"
    run = run_learner([{"id": "c", "source": cell}], [Call("k", "total", {})], Limits(memory_mb=MIN_MEMORY_MB))
    assert not run.cell_errors and wire.decode(run.outcomes["k"]["value"]) == 499500


def daemon_cell(token: str) -> str:
    """A cell that leaves a detached daemon (double fork, its own session) running ``sleep`` with
    ``token`` in its command line, so that a scan of /proc finds it from outside any namespace."""
    return f"""
import os, sys, time
_r, _w = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.write(_w, b"up")
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)", {token!r}])
    os._exit(0)
os.close(_w)
STARTED = os.read(_r, 10) == b"up"
os.wait()
def daemon_started():
    return STARTED
"""


def survivors(token: str, within: float = 3.0) -> list[int]:
    """Processes whose command line holds ``token``, still there after ``within`` seconds."""
    end = time.monotonic() + within
    while True:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        if token.encode() in f.read():
                            found.append(int(entry))
                except OSError:
                    pass
        if not found or time.monotonic() > end:
            return found
        time.sleep(0.05)


def test_no_process_the_learner_starts_outlives_its_grading():
    """Before: a learner cell's setsid daemon survived grading (and could rewrite the gradebook)."""
    from autograder.sandbox import Call, run_learner

    token = f"daemon-{os.getpid()}-a"
    run = run_learner([{"id": "daemon", "source": daemon_cell(token)}], [Call("k", "daemon_started", {})], Limits())
    assert wire.decode(run.outcomes["k"]["value"]) is True
    assert not survivors(token), "the learner's daemon is still running"


def test_a_daemon_started_before_a_hang_is_stopped_with_it():
    from autograder.sandbox import Call, run_learner

    token = f"daemon-{os.getpid()}-b"
    cells = [{"id": "daemon", "source": daemon_cell(token)}, {"id": "hang", "source": "while True:\n    pass\n"}]
    run = run_learner(cells, [Call("k", "daemon_started", {})], Limits(cell_timeout=2, call_timeout=2))
    assert any(e.startswith("cell hang:") and "longer than 2 s" in e for e in run.cell_errors), run.cell_errors
    assert wire.decode(run.outcomes["k"]["value"]) is True and not survivors(token)


def test_cell_outputs_come_back_for_the_autograded_notebook():
    from autograder.sandbox import run_learner

    cells = [{"id": "a", "source": "print('hello')\nimport sys\nprint('warn', file=sys.stderr)"},
             {"id": "b", "source": "x = 1\n1 / 0"}]
    run = run_learner(cells, [], Limits())
    assert run.outputs["a"] == {"stdout": "hello\n", "stderr": "warn\n", "error": None}
    error = run.outputs["b"]["error"]
    assert error["ename"] == "ZeroDivisionError" and "line 2" in error["traceback"][0]


def test_the_readme_states_the_limits_the_code_has():
    """The limits' defaults live in autograder/sandbox/limits.py; the README says the same numbers."""
    from tests.helpers import ROOT

    limits, text = Limits(), (ROOT / "README.md").read_text()
    expected = (f"memory {limits.memory_mb} MB, files {limits.file_mb} MB, disk {limits.disk_mb} MB, "
                f"{limits.processes} processes, {limits.cell_timeout:g} s per cell, {limits.call_timeout:g} s per "
                f"call and {limits.total_timeout:g} s per notebook")
    assert expected in " ".join(text.split()), expected
