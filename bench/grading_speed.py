"""Benchmark: stock `nbgrader autograde` against `python -m autograder grade`, same 20 submissions.

    .venv/bin/python bench/grading_speed.py [--submissions 20] [--jobs 2]

Builds a temporary course root holding 20 submissions of 02-pooling-math (the solution, the
stub and catalogued mistakes, in turn), grades them with stock nbgrader (the tests run in each
learner's kernel: nbgrader's default pipeline, no TrustedVerdict) and with the grading command,
in this one run, and prints seconds per submission for each, their ratio, and whether the
scores agree. Target: the command at least 10x faster than stock nbgrader, same scores.
Not a test: timings depend on the machine; run it on a quiet one.
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

A = "02-pooling-math"


def main(submissions: int = 20, jobs: int = 2) -> int:
    import nbformat
    from nbgrader.api import Gradebook

    mistakes = [v for a, v in catalogue()[0] if a == A]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        stock_config = (ROOT / "nbgrader_config.py").read_text().split("# Trusted grading:")[0]
        (root / "nbgrader_config.py").write_text(stock_config)
        shutil.copytree(SOLUTIONS / A, root / "solutions" / A)
        shutil.copytree(COURSE / A, root / "course" / A)
        subprocess.run(["nbgrader", "generate_assignment", A, "--force"], cwd=root, env=env(), check=True,
                       capture_output=True)
        for i in range(submissions):
            kind = i % (len(mistakes) + 2)
            nb = (learner_submission(A) if kind == 0 else read(A, COURSE) if kind == 1
                  else learner_submission(A, {mistakes[kind - 2].cell: mistakes[kind - 2].source}))
            folder = root / "grading" / "submitted" / f"s{i:02d}" / A
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{A}.ipynb")

        start = time.perf_counter()
        subprocess.run(["nbgrader", "autograde", A], cwd=root, env=env(), check=True, capture_output=True)
        stock_s = time.perf_counter() - start

        start = time.perf_counter()
        out = root / "command.json"
        proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(root / "grading" / "submitted"),
                               "--jobs", str(jobs), "--format", "json", "--output", str(out)],
                              cwd=ROOT, env=env(), capture_output=True, text=True)
        command_s = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            print(proc.stderr)
            return 1

        agree = True
        with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
            for sub in json.loads(out.read_text())["submissions"]:
                grades = {g.name: g.score for g in gb.find_submission_notebook(A, A, sub["student"]).grades}
                for cell in sub["cells"]:
                    agree &= grades.get(cell["grade_id"]) == cell["score"]

    print(f"{submissions} submissions of {A}")
    print(f"stock nbgrader autograde : {stock_s / submissions:6.2f} s per submission ({stock_s:.1f} s in all)")
    print(f"python -m autograder grade --jobs {jobs}: {command_s / submissions:6.2f} s per submission "
          f"({command_s:.1f} s in all, TensorFlow's references included)")
    print(f"ratio stock / command    : {stock_s / command_s:6.1f}x   (target: at least 10x)")
    print(f"same scores              : {'yes' if agree else 'NO'}")
    return 0 if agree else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--submissions", type=int, default=20)
    p.add_argument("--jobs", type=int, default=2)
    a = p.parse_args()
    raise SystemExit(main(a.submissions, a.jobs))
