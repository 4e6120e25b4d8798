"""Benchmark: a whole course graded on one machine: learners x 6 notebooks, notebooks per second.

    .venv/bin/python bench/class_scale.py [--learners 1000] [--jobs 2] [--stock-sample 6]

Builds a class of L learners, each with the six notebooks (the model answer or a catalogued
mistake, mixed by a fixed rule: two thirds correct), in nbgrader's ``submitted/`` layout, grades it
with the grading command's library (``autograder.batch.grade``: the learner processes forked from
the zygote, every limit and the confinement on, TensorFlow's references computed once), checks
that every score is the one the notebook's kind implies (a model answer full marks, a mistake
less), and prints, from this one run:

* notebooks per second and seconds per notebook (the target: 6,000 notebooks in under 15 minutes
  on 2 cores, about 0.15 s a notebook, TensorFlow's references included);
* the same for stock ``nbgrader autograde`` (tests in the learner's kernel) on a sample of the
  class, and the ratio;
* the peak memory of the grader and of the largest process it started and reaped (the zygote, the
  learner processes: ``ru_maxrss``), read before stock nbgrader runs.

Not a test (``tests/test_bench.py`` runs a small class of it): timings depend on the machine.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.catalogue import catalogue  # noqa: E402
from tests.helpers import COURSE, SOLUTIONS, env, learner_submission, solution_assignments  # noqa: E402


def build(root: Path, learners: int) -> dict:
    """The class under ``root/submitted``; ``(student, assignment) -> True`` where it is a model answer."""
    import nbformat

    assignments = solution_assignments()
    mistakes = {a: [v for b, v in catalogue()[0] if b == a] for a in assignments}
    solutions = {a: learner_submission(a) for a in assignments}
    correct = {}
    for i in range(learners):
        student = f"learner{i:04d}"
        for j, assignment in enumerate(assignments):
            folder = root / "submitted" / student / assignment
            folder.mkdir(parents=True)
            if (i + j) % 3:
                nb, correct[(student, assignment)] = solutions[assignment], True
            else:
                variant = mistakes[assignment][(i // 3) % len(mistakes[assignment])]
                nb, correct[(student, assignment)] = learner_submission(assignment, {variant.cell: variant.source}), False
            nbformat.write(nb, folder / f"{assignment}.ipynb")
    return correct


def stock(root: Path, sample: int) -> float:
    """Seconds per notebook for stock nbgrader autograde on ``sample`` notebooks of the class."""
    assignments = solution_assignments()
    course = root / "stock"
    course.mkdir()
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text().split("# Trusted grading:")[0])
    shutil.copytree(SOLUTIONS, course / "solutions")
    shutil.copytree(COURSE, course / "course")
    chosen = [(f"learner{i // len(assignments):04d}", assignments[i % len(assignments)]) for i in range(sample)]
    seconds = 0.0
    for assignment in sorted({a for _, a in chosen}):
        subprocess.run(["nbgrader", "generate_assignment", assignment, "--force"], cwd=course, env=env(), check=True,
                       capture_output=True)
        for student, a in chosen:
            if a == assignment:
                shutil.copytree(root / "submitted" / student / a, course / "grading" / "submitted" / student / a)
        start = time.perf_counter()
        subprocess.run(["nbgrader", "autograde", assignment], cwd=course, env=env(), capture_output=True)
        seconds += time.perf_counter() - start
    return seconds / max(1, len(chosen))


def main(learners: int = 1000, jobs: int = 2, stock_sample: int = 6) -> int:
    from autograder import batch
    from autograder.secret import ensure

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        correct = build(root, learners)
        notebooks = len(correct)
        secret, _ = ensure()
        start = time.perf_counter()
        results = batch.grade([str(root / "submitted")], jobs=jobs, progress=sys.stderr.isatty(), secret=secret)
        seconds = time.perf_counter() - start
        # before stock nbgrader runs: its processes (a kernel with TensorFlow) would count as children
        me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        wrong = [(r.student, r.assignment, r.score, r.max_score) for r in results
                 if (r.score == r.max_score) != correct[(r.student, r.assignment)] or r.error]
        stock_s = stock(root, stock_sample) if stock_sample else None
    print(f"{learners} learners x 6 notebooks = {notebooks} notebooks, {jobs} jobs, graded in {seconds:.1f} s "
          f"({seconds / 60:.1f} min)")
    print(f"  {notebooks / seconds:6.1f} notebooks per second, {seconds / notebooks:.3f} s per notebook "
          f"(target: 6000 in under 15 min, 0.15 s a notebook)")
    if stock_s is not None:
        print(f"  stock nbgrader autograde on {stock_sample} of them: {stock_s:.2f} s per notebook; "
              f"ratio stock / this: {stock_s / (seconds / notebooks):.0f}x")
    print(f"  peak memory: grader {me:.0f} MB, largest reaped process it started (zygote, learners) {children:.0f} MB")
    print(f"  scores as expected (model answers full marks, mistakes less): "
          f"{'yes' if not wrong else f'NO, {len(wrong)} differ: {wrong[:5]}'}")
    return 0 if not wrong else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--learners", type=int, default=1000)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--stock-sample", type=int, default=6, help="notebooks graded by stock nbgrader (0: none)")
    a = p.parse_args()
    raise SystemExit(main(a.learners, a.jobs, a.stock_sample))
