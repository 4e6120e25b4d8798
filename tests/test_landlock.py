"""Landlock confinement of the learner's process (autograder/sandbox/landlock.py).

Every check runs in a fresh child process that confines itself with ``learner_paths(work)`` and
then tries something, printing a JSON verdict; most checks have a control, the same attempt from
an unconfined child, so that a denial means Landlock and not something else. A part needs the
Landlock ABI that brings its protection and skips with the reason on an older kernel (all of them
where the kernel has no Landlock); the unit tests at the end run everywhere.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading

import pytest

from autograder.sandbox import landlock
from autograder.sandbox.landlock import Confinement
from tests.helpers import ROOT

ABI = landlock.abi()


def needs(version: int, what: str):
    if ABI == 0:
        reason = f"this kernel has no Landlock ({landlock._probe()[1]}): {what} not checked"
    else:
        reason = f"Landlock ABI {ABI} < {version}: {what} not checked"
    return pytest.mark.skipif(ABI < version, reason=reason)


# The child: confine (or not), run each check (Python statements that set `result`), print one JSON line.
CHILD = r"""
import json, os, sys
from autograder.sandbox import landlock
args = json.loads(sys.argv[1])
verdict = {"confinement": None, "checks": {}}
shared = dict(args.get("vars", {}))
exec(args.get("before", ""), shared)
if args["confine"]:
    if args.get("simulate_abi") is not None:
        landlock.abi = lambda: args["simulate_abi"]
    read, write = landlock.learner_paths(args["work"])
    verdict["confinement"] = landlock.confine([*read, *args.get("extra_read", [])], write).to_dict()
for name, source in args["checks"].items():
    scope = dict(shared)
    try:
        exec(source, scope)
        result = scope.get("result")
        plain = isinstance(result, (str, int, float, bool, list, type(None)))
        verdict["checks"][name] = {"ok": True, "result": result if plain else repr(result)}
    except BaseException as exc:
        verdict["checks"][name] = {"ok": False, "error": type(exc).__name__, "message": str(exc)[:300]}
print(json.dumps(verdict))
"""


def run_child(work, checks: dict, *, confine=True, variables=None, extra_read=(), simulate_abi=None,
              before="") -> dict:
    """Run ``checks`` in a fresh child (``before`` runs first, before confining), return its verdict."""
    args = {"work": str(work), "confine": confine, "checks": checks, "vars": variables or {}, "before": before,
            "extra_read": [str(p) for p in extra_read], "simulate_abi": simulate_abi}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               MPLCONFIGDIR=str(work), MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    verdict = json.loads(proc.stdout.strip().splitlines()[-1])
    if confine and simulate_abi is None:
        confinement = Confinement.from_dict(verdict["confinement"])
        assert confinement.filesystem and confinement.abi == ABI, confinement.describe()
    return verdict


def denied(verdict, name):
    check = verdict["checks"][name]
    return not check["ok"] and check["error"] == "PermissionError"


def allowed(verdict, name):
    return verdict["checks"][name]["ok"]


@pytest.fixture
def layout(tmp_path):
    """A work dir with siblings standing for solutions/, grading/ (the gradebook) and another folder."""
    work, solutions, grading, elsewhere = (tmp_path / n for n in ("work", "solutions", "grading", "elsewhere"))
    for folder in (work, solutions, grading, elsewhere):
        folder.mkdir()
    (solutions / "01-pooling.ipynb").write_text('{"answer": 42}')
    (grading / "gradebook.db").write_bytes(b"SQLite format 3\0grades")
    (grading / "secret").write_text("grading-secret")
    (work / "data.txt").write_text("the learner's data")
    return {"work": work, "solution": str(solutions / "01-pooling.ipynb"), "gradebook": str(grading / "gradebook.db"),
            "secret": str(grading / "secret"), "elsewhere": str(elsewhere), "root": str(ROOT)}


READS = {
    "solution": "result = open(solution).read()",
    "gradebook": "result = open(gradebook, 'rb').read().decode('latin-1')",
    "secret": "result = open(secret).read()",
    "repository": "import os\nresult = sorted(os.listdir(root))",
    "own data": "result = open('data.txt').read()",
}


@needs(1, "file-system confinement")
def test_files_outside_the_allowed_set_cannot_be_read(layout):
    variables = {k: v for k, v in layout.items() if k != "work"}
    control = run_child(layout["work"], READS, confine=False, variables=variables)
    assert all(allowed(control, name) for name in READS), control
    confined = run_child(layout["work"], READS, variables=variables)
    for name in ("solution", "gradebook", "secret", "repository"):
        assert denied(confined, name), (name, confined["checks"][name])
    assert confined["checks"]["own data"] == {"ok": True, "result": "the learner's data"}


WRITES = {
    "outside": "open(elsewhere + '/note.txt', 'w').write('x')",
    "outside dir": "import os\nos.mkdir(elsewhere + '/new')",
    "gradebook": "open(gradebook, 'ab').write(b'forged')",
    "inside": ("import os, pathlib\npathlib.Path('out.txt').write_text('ok')\nos.mkdir('sub')\n"
               "os.rename('out.txt', 'sub/out.txt')\nresult = pathlib.Path('sub/out.txt').read_text()\n"
               "os.remove('sub/out.txt')\nos.rmdir('sub')"),
    "devnull": "import os\nopen(os.devnull, 'w').write('quiet')",
}


@needs(1, "file-system confinement")
def test_writing_is_limited_to_the_work_dir(layout):
    variables = {k: v for k, v in layout.items() if k != "work"}
    confined = run_child(layout["work"], WRITES, variables=variables)
    for name in ("outside", "outside dir", "gradebook"):
        assert denied(confined, name), (name, confined["checks"][name])
    assert confined["checks"]["inside"] == {"ok": True, "result": "ok"}
    assert allowed(confined, "devnull"), confined["checks"]["devnull"]
    assert os.listdir(layout["elsewhere"]) == [] and open(layout["gradebook"], "rb").read().endswith(b"grades")


@needs(3, "truncating files outside the allowed set")
def test_files_outside_cannot_be_truncated(layout):
    confined = run_child(layout["work"], {"truncate": "import os\nos.truncate(gradebook, 0)"},
                         variables={"gradebook": layout["gradebook"]})
    assert denied(confined, "truncate"), confined["checks"]
    assert os.path.getsize(layout["gradebook"]) > 0


@needs(4, "TCP confinement")
def test_tcp_connections_and_binds_are_refused(layout):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        checks = {
            "connect": "import socket\nsocket.create_connection(('127.0.0.1', port), timeout=10).close()",
            "bind": "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen(1)\ns.close()",
        }
        control = run_child(layout["work"], checks, confine=False, variables={"port": port})
        confined = run_child(layout["work"], checks, variables={"port": port})
    assert allowed(control, "connect") and allowed(control, "bind"), control
    assert denied(confined, "connect") and denied(confined, "bind"), confined["checks"]


@needs(6, "signal scoping")
def test_the_grader_cannot_be_signalled():
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers can only be set in the main thread: signal scoping not checked")
    received = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    try:
        checks = {"probe": "import os\nos.kill(grader, 0)",
                  "terminate": "import os, signal\nos.kill(grader, signal.SIGTERM)"}
        with tempfile.TemporaryDirectory() as work:
            confined = run_child(work, checks, variables={"grader": os.getpid()})
            assert received == []
            control = run_child(work, checks, confine=False, variables={"grader": os.getpid()})
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert denied(confined, "probe") and denied(confined, "terminate"), confined["checks"]
    assert allowed(control, "probe") and allowed(control, "terminate"), control
    assert received == [signal.SIGTERM]


@needs(6, "abstract unix socket scoping")
def test_abstract_unix_sockets_outside_are_refused(layout):
    name = f"\0autograder-landlock-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(name)
        listener.listen(8)
        checks = {"connect": "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect(name)\ns.close()"}
        control = run_child(layout["work"], checks, confine=False, variables={"name": name})
        confined = run_child(layout["work"], checks, variables={"name": name})
    assert allowed(control, "connect"), control
    assert denied(confined, "connect"), confined["checks"]


@needs(1, "file-system confinement and the ptrace restriction")
def test_the_graders_environment_cannot_be_read(layout):
    """Denied because learner_paths opens nothing of /proc but the confining process's own entry
    (TensorFlow reads its own maps and status). That is what protects it: Landlock's own ptrace
    restriction refuses attaching (and /proc/<pid>/mem) to processes outside the sandbox, but on
    Linux 6.18 (ABI 7) a confined process that is allowed /proc can read the grader's
    /proc/<pid>/environ and maps, so the rest of /proc must stay closed."""
    checks = {"environ": "result = len(open(f'/proc/{grader}/environ', 'rb').read())",
              "mem": "open(f'/proc/{grader}/mem', 'rb').close()",
              "own status": "result = open('/proc/self/status').read()[:5]"}
    variables = {"grader": os.getpid()}
    control = run_child(layout["work"], checks, confine=False, variables=variables)
    assert allowed(control, "environ"), control  # (mem may be refused here too: Yama's ptrace_scope)
    confined = run_child(layout["work"], checks, variables=variables)
    assert denied(confined, "environ") and denied(confined, "mem"), confined["checks"]
    assert allowed(confined, "own status"), confined["checks"]
    with_proc = run_child(layout["work"], checks, variables=variables, extra_read=["/proc"])
    assert allowed(with_proc, "own status"), with_proc["checks"]  # /proc itself is open here
    assert denied(with_proc, "mem"), with_proc["checks"]  # the ptrace restriction, whatever the paths


LEARNER_CODE = {
    "numpy": ("import numpy as np\na = np.arange(12.0).reshape(3, 4)\n"
              "result = float((a @ a.T).trace() + np.linalg.norm(a))"),
    "matplotlib": ("import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
                   "fig, ax = plt.subplots()\nax.plot([1, 3, 2])\nax.set_title('pooling')\nfig.savefig('plot.png')\n"
                   "import os\nresult = os.path.getsize('plot.png')"),
    "learner module": ("import autograder.sandbox.learner, autograder.speed, autograder.wire, autograder.outcome\n"
                       "result = 'ok'"),
    "ipython": ("from IPython.core.inputtransformer2 import TransformerManager\n"
                "result = TransformerManager().transform_cell('%time x = 1\\n')"),
    "tempfile": ("import tempfile\nwith tempfile.NamedTemporaryFile() as f:\n    f.write(b'x')\n"
                 "result = tempfile.gettempdir()"),
    "time": "import time\nresult = time.strftime('%Y', time.localtime())",
}


@needs(1, "learner code under confinement")
def test_learner_code_still_runs_confined(layout):
    confined = run_child(layout["work"], LEARNER_CODE)
    failed = {name: check for name, check in confined["checks"].items() if not check["ok"]}
    assert not failed, failed
    assert confined["checks"]["numpy"]["result"] > 0
    assert confined["checks"]["matplotlib"]["result"] > 1000 and (layout["work"] / "plot.png").is_file()
    assert "run_line_magic" in confined["checks"]["ipython"]["result"]
    assert confined["checks"]["tempfile"]["result"] == str(layout["work"])  # /tmp is closed: the work dir


THREAD = """
import threading, queue
jobs, answers = queue.Queue(), queue.Queue()
def worker():
    path = jobs.get()
    try:
        answers.put(open(path).read())
    except OSError as exc:
        answers.put(type(exc).__name__)
early = threading.Thread(target=worker, daemon=True)
early.start()
"""


@needs(1, "threads started before confine()")
def test_threads_started_before_confine_are_confined_from_abi_8_only(layout):
    """Landlock restricts the calling thread (and what it starts); a thread already running keeps
    its freedom unless the kernel takes TSYNC (ABI 8). The Confinement says so."""
    checks = {"early thread": "jobs.put(solution)\nresult = answers.get(timeout=30)",
              "main thread": READS["solution"]}
    verdict = run_child(layout["work"], checks, before=THREAD, variables={"solution": layout["solution"]})
    confinement = Confinement.from_dict(verdict["confinement"])
    assert denied(verdict, "main thread")
    early = verdict["checks"]["early thread"]["result"]
    if ABI >= 8:
        assert early == "PermissionError" and "thread" not in confinement.reason, (early, confinement)
    else:
        assert early == '{"answer": 42}', early  # the gap, shown
        assert "1 thread(s) started before confine() are not confined (needs ABI 8)" in confinement.reason
        assert confinement.describe().endswith("(1 thread(s) started before confine() are not confined (needs ABI 8))")


@pytest.mark.parametrize("simulated", [1, 2, 3, 4, 5, 6])
def test_an_older_abi_confines_what_it_can_and_says_so(layout, simulated):
    """Best effort, on this kernel: a ruleset built for an older ABI holds what that ABI knows,
    the rest stays open, and the Confinement says exactly that."""
    if ABI < simulated:
        kernel = f"Landlock ABI {ABI} < {simulated}" if ABI else "this kernel has no Landlock"
        pytest.skip(f"{kernel}: cannot simulate ABI {simulated}, best effort not checked")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        checks = {"solution": READS["solution"],
                  "connect": "import socket\nsocket.create_connection(('127.0.0.1', port), timeout=10).close()",
                  "truncate": "import os\nos.truncate(gradebook, 3)"}
        verdict = run_child(layout["work"], checks, simulate_abi=simulated,
                            variables={"solution": layout["solution"], "port": listener.getsockname()[1],
                                       "gradebook": layout["gradebook"]})
    confinement = Confinement.from_dict(verdict["confinement"])
    assert confinement.abi == simulated and confinement.filesystem
    assert (confinement.network, confinement.signals) == (simulated >= 4, simulated >= 6)
    assert denied(verdict, "solution")
    assert denied(verdict, "connect") == confinement.network
    assert denied(verdict, "truncate") == (simulated >= 3)
    line = confinement.describe()
    if simulated < 6:
        assert line.startswith(f"partly confined by Landlock ABI {simulated}: file system")
        assert "no signal or abstract socket scoping (needs 6)" in line
    else:
        assert line == "confined by Landlock ABI 6: file system, TCP, signals, abstract sockets"
    assert ("no TCP rules (needs 4)" in line) == (simulated < 4)
    assert ("can still be truncated (needs 3)" in line) == (simulated < 3)


# --- everywhere, with or without Landlock ---------------------------------------------------------

def test_describe_says_not_confined_plainly():
    nothing = Confinement(0, reason="this kernel has no Landlock")
    assert nothing.describe() == ("NOT confined: this kernel has no Landlock; the learner's code can read and "
                                  "write whatever the grader's user can")
    assert Confinement(7).describe().startswith("NOT confined: ")
    full = Confinement(7, True, True, True, True)
    assert full.describe() == "confined by Landlock ABI 7: file system, TCP, signals, abstract sockets"


def test_confinement_travels_as_json_and_rejects_anything_else():
    c = Confinement(3, True, False, False, False, "Landlock ABI 3: no TCP rules (needs 4)")
    assert Confinement.from_dict(json.loads(json.dumps(c.to_dict()))) == c
    for bad in ({**c.to_dict(), "filesystem": 1}, {**c.to_dict(), "abi": "7"}, {**c.to_dict(), "extra": True},
                {k: v for k, v in c.to_dict().items() if k != "reason"}, ["not", "a", "dict"]):
        with pytest.raises(ValueError):
            Confinement.from_dict(bad)


def test_without_landlock_confine_changes_nothing_and_says_so(layout):
    """abi() made to answer 0, in a child (if it did confine, the test's own process would be)."""
    verdict = run_child(layout["work"], {"solution": READS["solution"]}, simulate_abi=0,
                        variables={"solution": layout["solution"]})
    confinement = Confinement.from_dict(verdict["confinement"])
    assert not (confinement.filesystem or confinement.network or confinement.signals or confinement.abstract_sockets)
    assert confinement.describe().startswith("NOT confined: ")
    assert allowed(verdict, "solution")


def test_abi_never_raises_and_confine_rejects_non_paths():
    assert isinstance(landlock.abi(), int) and landlock.abi() >= 0
    with pytest.raises(TypeError):
        landlock.confine([42], [])  # checked before anything is applied


def test_learner_paths_open_the_package_not_the_repository(tmp_path):
    read, write = landlock.learner_paths(tmp_path)
    package = str((ROOT / "autograder").resolve())
    assert str(tmp_path.resolve()) in write and "/dev/null" in write
    assert any(package == p or package.startswith(p + os.sep) for p in read)
    for path in read + write:
        assert os.path.exists(path), path
        if path == landlock.OWN_PROC:
            continue
        # no allowed path is the repository or above it, nor inside solutions/, grading/ or tests/
        assert not (ROOT.resolve() == os.path.realpath(path) or str(ROOT.resolve()).startswith(path + os.sep)), path
        for private in ("solutions", "grading", "tests"):
            assert not (path + os.sep).startswith(str(ROOT.resolve() / private) + os.sep), path
    assert landlock.OWN_PROC in read  # left unresolved: the confining process's own entry, no other
    assert not any(p == "/proc" or (p.startswith("/proc/") and p != landlock.OWN_PROC) or p == "/etc"
                   for p in read + write)


def test_confinement_cost_bench_runs():
    proc = subprocess.run([sys.executable, "bench/confinement_cost.py", "--n", "1"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "per learner process" in proc.stdout and "confine() itself" in proc.stdout, proc.stdout
