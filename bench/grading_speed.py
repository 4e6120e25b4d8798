"""Benchmark: the four ways to grade the same submissions, timed in one run.

    .venv/bin/python bench/grading_speed.py [--submissions 10] [--jobs 2] [--assignment 02-pooling-math]

Builds a temporary course root holding N submissions of one assignment (the solution, the stub and
catalogued mistakes, in turn) and grades them, in this one run, with

1. **stock** ``nbgrader autograde`` (nbgrader's own pipeline: the tests run in each learner's kernel);
2. **trusted** ``nbgrader autograde`` with the course's ``nbgrader_config.py`` (no kernel: the
   learner's code runs once, in the confined sandbox; target: no slower than stock);
3. the **fast gradebook path** ``python -m autograder autograde --jobs J`` (the same gradebook as 2,
   submissions graded in parallel first; target: at least 10x faster than stock);
4. the **grading command** ``python -m autograder grade --jobs J`` (no gradebook);

and prints seconds per submission for each (each a fresh process: its start and TensorFlow's
references included), the ratios to stock, and whether every grade cell's score agrees between
the three trusted paths (and, for the submissions without tricks, with stock). Not a test: timings
depend on the machine; run it on a quiet one.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.catalogue import catalogue  # noqa: E402
from tests.helpers import COURSE, SOLUTIONS, env, learner_submission, read  # noqa: E402


def _course(root: Path, assignment: str, config: str, submissions: list) -> None:
    import nbformat

    root.mkdir()
    (root / "nbgrader_config.py").write_text(config)
    shutil.copytree(SOLUTIONS / assignment, root / "solutions" / assignment)
    shutil.copytree(COURSE / assignment, root / "course" / assignment)
    subprocess.run(["nbgrader", "generate_assignment", assignment, "--force"], cwd=root, env=env(), check=True,
                   capture_output=True)
    for student, nb in submissions:
        folder = root / "grading" / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")


def _timed(args: list, cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, env=env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds


def _gradebook_scores(root: Path, assignment: str) -> dict:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        for sub in gb.find_assignment(assignment).submissions:
            for nb in sub.notebooks:
                for grade in nb.grades:
                    if grade.cell_type == "code":
                        scores[(sub.student.id, grade.name)] = grade.score
    return scores


def main(n: int = 10, jobs: int = 2, assignment: str = "02-pooling-math") -> int:
    mistakes = [v for a, v in catalogue()[0] if a == assignment]
    submissions = []
    for i in range(n):
        kind = i % (len(mistakes) + 2)
        nb = (learner_submission(assignment) if kind == 0 else read(assignment, COURSE) if kind == 1
              else learner_submission(assignment, {mistakes[kind - 2].cell: mistakes[kind - 2].source}))
        submissions.append((f"s{i:02d}", nb))
    config = (ROOT / "nbgrader_config.py").read_text()
    nbgrader = [str(Path(sys.executable).parent / "nbgrader"), "autograde", assignment]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        roots = {name: tmp / name for name in ("stock", "trusted", "fast")}
        _course(roots["stock"], assignment, config.split("# Trusted grading:")[0], submissions)
        _course(roots["trusted"], assignment, config, submissions)
        _course(roots["fast"], assignment, config, submissions)
        seconds = {
            "stock nbgrader autograde": _timed(nbgrader, roots["stock"]),
            "trusted nbgrader autograde": _timed(nbgrader, roots["trusted"]),
            f"python -m autograder autograde --jobs {jobs}": _timed(
                [sys.executable, "-m", "autograder", "autograde", "--jobs", str(jobs), assignment], roots["fast"]),
        }
        out = tmp / "command.json"
        seconds[f"python -m autograder grade --jobs {jobs}"] = _timed(
            [sys.executable, "-m", "autograder", "grade", str(roots["fast"] / "grading" / "submitted"), "--jobs",
             str(jobs), "--format", "json", "--output", str(out)], ROOT)
        trusted, fast = _gradebook_scores(roots["trusted"], assignment), _gradebook_scores(roots["fast"], assignment)
        stock = _gradebook_scores(roots["stock"], assignment)
        command = {(s["student"], c["grade_id"]): float(c["score"]) for s in json.loads(out.read_text())["submissions"]
                   for c in s["cells"]}
    agree = trusted == fast and all(command[k] == v for k, v in trusted.items() if k in command)
    stock_agrees = stock == trusted
    base = seconds["stock nbgrader autograde"]
    print(f"{n} submissions of {assignment} (solution, stub and catalogued mistakes), {jobs} jobs where parallel")
    for name, s in seconds.items():
        print(f"  {name:<40} {s / n:7.2f} s per submission ({s:6.1f} s in all)  stock / this: {base / s:5.1f}x")
    print(f"  trusted paths agree on every grade cell : {'yes' if agree else 'NO'}")
    print(f"  stock nbgrader agrees with them         : {'yes' if stock_agrees else 'no (see the tamper suite)'}")
    return 0 if agree else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--submissions", type=int, default=10)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--assignment", default="02-pooling-math")
    a = p.parse_args()
    raise SystemExit(main(a.submissions, a.jobs, a.assignment))
