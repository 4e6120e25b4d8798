"""The 06 benchmark runs end to end on a small batch: it checks the solution against TensorFlow first.

Timings are never asserted (they depend on the machine); only that the script runs, agrees with
TensorFlow and prints a verdict for every ratio it promises.
"""
import re
import subprocess
import sys

from tests.helpers import ROOT


def test_fast_pooling_bench_runs_and_prints_every_ratio():
    proc = subprocess.run([sys.executable, "bench/fast_pooling.py", "--batch", "1", "--repeats", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [line for line in proc.stdout.splitlines() if re.match(r"(max|avg) +\d+x\d+, strides", line)]
    assert len(rows) == 4, proc.stdout
    for row in rows:  # warm fast/TF, cold fast/TF and loop/fast, each with its verdict
        assert len(re.findall(r"\d+(?:\.\d+)?x (?:met|MISSED)", row)) == 3, row
    assert re.search(r"fast/TF <= 2: warm \d of 4, cold \d of 4; loop/fast >= 50: \d of 4\.", proc.stdout), proc.stdout


def test_fast_pooling_bench_rejects_bad_arguments():
    proc = subprocess.run([sys.executable, "bench/fast_pooling.py", "--batch", "0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "--repeats and --batch must be at least 1" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_class_scale_bench_grades_a_small_class_as_expected():
    """bench/class_scale.py on 4 learners (24 notebooks): every score is what the notebook's kind
    implies, and it prints the rate, the stock ratio and the peak memory (no stock sample here)."""
    proc = subprocess.run([sys.executable, "bench/class_scale.py", "--learners", "4", "--stock-sample", "0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 learners x 6 notebooks = 24 notebooks" in proc.stdout
    assert re.search(r"\d+\.\d notebooks per second, \d+\.\d+ s per notebook", proc.stdout), proc.stdout
    assert "scores as expected (model answers full marks, mistakes less): yes" in proc.stdout
    assert re.search(r"peak memory: grader \d+ MB, largest reaped process it started \(zygote, learners\) \d+ MB", proc.stdout)
