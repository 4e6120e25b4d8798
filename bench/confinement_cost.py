"""Benchmark: what the sandbox's walls cost each learner process.

    .venv/bin/python bench/confinement_cost.py [--n 20]

Two measures, each in one run:

1. **The walls, as grading builds them**: ``n`` learner runs (one cell defining a function, one
   call of it) through the grader's own path (:func:`autograder.sandbox.run_learner`, forked from
   one zygote), for each set of walls, interleaved: none; Landlock alone (the sandbox before
   namespaces and control groups); namespaces alone (PID, network, mount with the new root, IPC,
   UTS, the unprivileged user); the control group alone; all of them (what grading uses). Medians
   per run, and each set's difference to none.
2. **Landlock in a fresh Python**:
   ``n`` learner-like processes without and ``n`` with confinement, interleaved (the order
alternates in each pair, after one warm-up of each): each is ``python -c`` with the runner's
environment, in its own temporary working folder, importing what the learner process imports
(``autograder.sandbox.learner``, then ``speed``, ``wire``, ``cases``, ``outcome``, numpy) and
exiting; the confined ones call ``confine(*learner_paths(work))`` in between, where the learner
process will (so numpy is imported under Landlock).
Prints the median wall time per process each way, their difference, and the time ``learner_paths``
and ``confine()`` take inside the process. Not a test: timings depend on the machine and its load.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.sandbox import landlock  # noqa: E402

CHILD = r"""
import json, sys, time
import autograder.sandbox.learner  # what `python -m autograder.sandbox.learner` has loaded when main() starts
timing = {}
if sys.argv[1] == "confined":  # where the learner process will confine itself: before it imports the rest
    start = time.perf_counter()
    from autograder.sandbox.landlock import confine, learner_paths
    imported = time.perf_counter()
    paths = learner_paths(".")
    listed = time.perf_counter()
    confinement = confine(*paths)
    done = time.perf_counter()
    timing = {"import_ms": (imported - start) * 1e3, "paths_ms": (listed - imported) * 1e3,
              "confine_ms": (done - listed) * 1e3, "describe": confinement.describe()}
from autograder import cases, outcome, speed, wire
import numpy
print(json.dumps(timing))
"""


def _run(kind: str) -> tuple[float, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER_", "JPY_", "JUPYTER_"))}
    with tempfile.TemporaryDirectory(prefix="learner-") as work:
        env.update(MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
                   PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0", MPLCONFIGDIR=work,
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CHILD, kind], cwd=work, env=env, capture_output=True, text=True)
        elapsed = (time.perf_counter() - start) * 1e3
    if proc.returncode != 0:
        raise SystemExit(f"the {kind} child failed:\n{proc.stderr}")
    return elapsed, json.loads(proc.stdout.strip().splitlines()[-1])


def walls(n: int) -> None:
    """Measure 1 (see the module)."""
    from autograder.sandbox import Call, Limits, run_learner
    from autograder.sandbox.start import learner_env
    from autograder.sandbox.zygote import Zygote

    sets = {"none": False, "landlock": ("landlock",), "namespaces": ("namespaces",), "cgroup": ("cgroup",),
            "all (grading)": True}
    cells = [{"id": "f", "source": "def f(x):\n    return x + 1\n"}]
    zygote = Zygote(learner_env())
    times: dict = {name: [] for name in sets}
    described = {}
    try:
        for name, confine in sets.items():  # warm-up
            run_learner(cells, [Call("k", "f", {"x": 1})], Limits(), confine=confine, zygote=zygote)
        for i in range(n):
            order = list(sets.items()) if i % 2 == 0 else list(reversed(sets.items()))
            for name, confine in order:
                start = time.perf_counter()
                run = run_learner(cells, [Call("k", "f", {"x": 1})], Limits(), confine=confine, zygote=zygote)
                times[name].append((time.perf_counter() - start) * 1e3)
                if "k" not in run.outcomes:
                    raise SystemExit(f"the learner run with walls {name} failed: {run.broken or run.cell_errors}")
                described[name] = run.confinement.get("describe", "")
    finally:
        zygote.close()
    base = statistics.median(times["none"])
    print(f"{n} learner runs per set of walls through run_learner (one cell, one call; forked from one zygote), "
          f"interleaved")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<14} median {median:7.1f} ms per learner process ({median - base:+6.1f} ms against none; "
              f"min {min(values):.1f}, max {max(values):.1f})")
    print(f"  all walls here: {described['all (grading)']}")


def main(n: int = 20) -> int:
    walls(n)
    print()
    version = landlock.abi()
    _run("plain"), _run("confined")  # warm-up: file caches
    plain, confined, inside = [], [], []
    for i in range(n):
        for kind in (("plain", "confined") if i % 2 == 0 else ("confined", "plain")):
            ms, timing = _run(kind)
            (plain if kind == "plain" else confined).append(ms)
            if timing:
                inside.append(timing)
    med_plain, med_confined = statistics.median(plain), statistics.median(confined)
    paired = statistics.median(c - p for c, p in zip(confined, plain))
    own = {k: statistics.median(t[k] for t in inside) for k in ("import_ms", "paths_ms", "confine_ms")}
    print(f"{n} learner-like processes each way, interleaved (python -c: import autograder.sandbox.learner, [confine], "
          f"speed, wire, cases, outcome, numpy; exit), Landlock ABI {version}")
    print(f"without confinement : median {med_plain:7.1f} ms per process (min {min(plain):.1f}, max {max(plain):.1f})")
    print(f"with confinement    : median {med_confined:7.1f} ms per process "
          f"(min {min(confined):.1f}, max {max(confined):.1f})")
    print(f"difference          : {med_confined - med_plain:+7.1f} ms per learner process "
          f"(medians; paired median {paired:+.1f} ms)")
    print(f"confine() itself    : {own['confine_ms']:7.2f} ms inside the process (median), plus learner_paths() "
          f"{own['paths_ms']:.2f} ms and importing landlock.py {own['import_ms']:.2f} ms")
    print(f"the confined children: {inside[-1]['describe']}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="processes each way (default 20)")
    args = parser.parse_args()
    if args.n < 1:
        parser.error("--n must be at least 1")
    sys.exit(main(args.n))
