"""Secrets kept: what a learner's code tries to read or reach from the grader gets nothing, on both
grading paths (the grading command's Grader, and plain `nbgrader autograde`).

The tricks (tests/reach.py) return what they got as their answer, so a reach that worked would
show in the verdict message; the unconfined control shows that the tricks are real. Landlock must
be there for the confinement to hold: parts that need a newer Landlock ABI than the kernel has
are skipped with a reason, and the whole module says so when the kernel has none.
"""
import os
import shutil
import signal
import socket
import threading

import nbformat
import pytest

from autograder.sandbox import landlock
from autograder.trusted import Grader
from tests import reach
from tests.helpers import COURSE, ROOT, SOLUTIONS, learner_submission, run

A = reach.A
ABI = landlock.abi()
pytestmark = pytest.mark.skipif(ABI == 0, reason="this kernel has no Landlock: the learner's process is NOT "
                                                  "confined here, and these checks cannot pass")
NEEDS = {"tcp_connection": 4, "signal_the_grader": 6}  # Landlock ABI each protection needs
FILES = {"read_solutions", "read_gradebook", "read_secret_file", "list_the_repository",
         "find_the_repository_from_the_package", "write_outside_the_work_folder"}


class World:
    """Targets planted by the test: files outside the sandbox, a TCP listener, a signal counter."""

    def __init__(self, base):
        self.base = base
        (base / "grading").mkdir()
        self.gradebook = base / "grading" / "gradebook.db"
        self.gradebook.write_bytes(b"SQLite format 3\x00 stand-in gradebook")
        self.secret = base / "grading" / "secret"
        self.secret.write_text("the-instructors-secret\n")
        self.outside = base / "outside.txt"
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.connections = 0
        self.signals = 0
        threading.Thread(target=self._accept, daemon=True).start()
        self._old = signal.signal(signal.SIGUSR1, self._count)

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def _count(self, *_):
        self.signals += 1

    def targets(self, root=ROOT, grading=None):
        """Paths the tricks reach for; ``grading``: a real grading workspace (else the stand-ins)."""
        gradebook, secret = (grading / "gradebook.db", grading / "secret") if grading else (self.gradebook, self.secret)
        return dict(solutions=str(root / "solutions" / A / f"{A}.ipynb"), gradebook=str(gradebook),
                    secret=str(secret), root=str(root), outside=str(self.outside),
                    port=self.server.getsockname()[1], pid=os.getpid())

    def close(self):
        signal.signal(signal.SIGUSR1, self._old)
        self.server.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    made = World(tmp_path_factory.mktemp("reach"))
    yield made
    made.close()


@pytest.fixture(scope="module")
def graders():
    """One grader each way for the module: TensorFlow's answers are computed once."""
    return {True: Grader("cpu"), False: Grader("cpu", confine=False)}


def _messages(result) -> str:
    return "\n".join(c["message"] for c in result.cells if c["exercise"] == "pool2d")


def _needs(trick):
    if ABI < NEEDS.get(trick, 1):
        pytest.skip(f"Landlock ABI {ABI} here: {trick} needs ABI {NEEDS[trick]} to be refused")


@pytest.mark.parametrize("trick", sorted(reach.tricks({k: "x" for k in ("solutions", "gradebook", "secret", "root",
                                                                         "outside", "port", "pid")})))
def test_the_grading_command_gives_a_reach_nothing(trick, world, graders):
    _needs(trick)
    source = reach.tricks(world.targets())[trick]
    result = graders[True].grade_notebook(learner_submission(A, {"pool2d": source}), A, trick)
    text = _messages(result)
    assert "DENIED:" in text and "GOT:" not in text, text[:600]
    assert sum(c["score"] for c in result.cells if c["exercise"] == "pool2d") == 0
    assert result.confinement.get("filesystem"), result.confinement
    assert not world.outside.exists() and world.connections == 0 and world.signals == 0


@pytest.mark.parametrize("trick", sorted(FILES | {"tcp_connection", "signal_the_grader"}))
def test_the_tricks_are_real_without_confinement(trick, world, graders):
    """The control: the same learner code, unconfined, gets what it reached for."""
    source = reach.tricks(world.targets())[trick]
    result = graders[False].grade_notebook(learner_submission(A, {"pool2d": source}), A, trick)
    assert "GOT:" in _messages(result), _messages(result)[:600]
    world.outside.unlink(missing_ok=True)
    world.connections = world.signals = 0


def test_hidden_cases_listed_without_the_secret_are_not_the_graded_ones(world):
    """Hard-coding the answers of the hidden cases a learner can list (the practice ones, without the
    instructor's secret) earns none of the hidden points when graded with the secret."""
    import autograder
    from autograder import registry

    saved = registry._SECRET[:]
    try:
        registry.use_secret(None)
        practice = autograder.get("pool2d").cases("hidden")
        table = {(c.kwargs["feature_map"].tobytes(), str(c.kwargs["pool_size"]), str(c.kwargs["stride"]),
                  c.kwargs.get("mode", "max")) for c in practice}
    finally:
        registry._SECRET[:] = saved
    graded = autograder.get("pool2d").cases("hidden")
    random_graded = [c for c in graded if c.label.startswith("random")]
    assert random_graded
    listed = {(c.kwargs["feature_map"].tobytes(), str(c.kwargs["pool_size"]), str(c.kwargs["stride"]),
               c.kwargs.get("mode", "max")) for c in random_graded}
    assert not listed & table, "a graded random case was listed without the secret"


@pytest.mark.nbgrader
def test_nbgrader_autograde_gives_a_reach_nothing(tmp_path, world):
    """Plain `nbgrader autograde` with the course's config: every trick a student, one run."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(SOLUTIONS / A, root / "solutions" / A)
    shutil.copytree(COURSE / A, root / "course" / A)
    run(["nbgrader", "generate_assignment", A, "--force"], cwd=root)
    (root / "grading" / "secret").write_text("the-instructors-secret\n")  # as `ensure()` makes it
    tricks = reach.tricks(world.targets(root, root / "grading"))
    for trick, source in tricks.items():
        folder = root / "grading" / "submitted" / trick / A
        folder.mkdir(parents=True)
        nbformat.write(learner_submission(A, {"pool2d": source}), folder / f"{A}.ipynb")
    run(["nbgrader", "autograde", A], cwd=root, timeout=1200)
    for trick in tricks:
        if ABI < NEEDS.get(trick, 1):
            continue
        nb = nbformat.read(root / "grading" / "autograded" / trick / A / f"{A}.ipynb", as_version=4)
        text = "\n".join(str(o.get("evalue", "")) + str(o.get("text", "")) for c in nb.cells
                         if c.get("id", "").startswith("pool2d_") for o in c.get("outputs", []))
        assert "DENIED:" in text and "GOT:" not in text, (trick, text[:400])
    assert not world.outside.exists() and world.connections == 0 and world.signals == 0
