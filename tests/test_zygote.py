"""The zygote: learner processes forked from a pre-imported one keep every protection of a fresh
learner process (limits, new session, supervisor, confinement), hold none of the zygote's pipes,
and the grader carries on with fresh processes if the zygote dies."""
import os

import pytest

from autograder import wire
from autograder.sandbox import Call, Limits, run_learner
from autograder.sandbox.runner import learner_env
from autograder.sandbox.zygote import Zygote
from tests.test_sandbox import daemon_cell, session_cell, session_from_outside, survivors

PROBE = """
import os, resource, time
def probe():
    time.sleep(1.5)
    fds = []
    for fd in range(3, 64):
        try:
            os.fstat(fd)
            fds.append(fd)
        except OSError:
            pass
    return [resource.getrlimit(resource.RLIMIT_AS)[0], fds]
"""


@pytest.fixture(scope="module")
def zygote():
    made = Zygote(learner_env())
    yield made
    made.close()


def test_a_forked_learner_process_is_limited_in_its_own_session_with_no_pipe_of_the_zygotes(zygote):
    token = f"zygote-session-{os.getpid()}"
    cells = [{"id": "sleeper", "source": session_cell(token)}, {"id": "probe", "source": PROBE}]
    run, session = session_from_outside(
        lambda: run_learner(cells, [Call("k", "probe", {})], Limits(memory_mb=1024), zygote=zygote), token)
    memory, fds = wire.decode(run.outcomes["k"]["value"])
    assert session is not None and session != os.getsid(0), "the forked learner is in the grader's session"
    assert session != zygote._proc.pid, "the forked learner is in the zygote's session"
    assert memory == 1024 * 2**20
    assert len(fds) <= 2, f"file descriptors left open in the learner's process: {fds}"  # its two pipe ends


def test_a_forked_learner_process_is_confined_and_supervised(zygote):
    token = f"zygote-daemon-{os.getpid()}"
    run = run_learner([{"id": "daemon", "source": daemon_cell(token)}], [Call("k", "daemon_started", {})], Limits(),
                      zygote=zygote)
    assert run.confinement.get("filesystem") or run.confinement.get("abi") == 0, run.confinement
    assert wire.decode(run.outcomes["k"]["value"]) is True and not survivors(token)


def test_a_hang_a_crash_and_an_exit_in_a_forked_process(zygote):
    cells = [{"id": "hang", "source": "while True:\n    pass"},
             {"id": "f", "source": "import os\ndef f():\n    os._exit(3)\ndef g():\n    return 42\n"}]
    run = run_learner(cells, [Call("f", "f", {}), Call("g", "g", {})], Limits(cell_timeout=2, call_timeout=2),
                      zygote=zygote)
    assert any(e.startswith("cell hang:") for e in run.cell_errors)
    assert "exited with status 3" in run.broken["f"] and wire.decode(run.outcomes["g"]["value"]) == 42


def test_the_grader_carries_on_with_fresh_processes_when_the_zygote_dies():
    dead = Zygote(learner_env())
    dead._proc.kill()
    dead._proc.wait()
    run = run_learner([{"id": "c", "source": "def f():\n    return 1\n"}], [Call("k", "f", {})], Limits(), zygote=dead)
    assert wire.decode(run.outcomes["k"]["value"]) == 1
