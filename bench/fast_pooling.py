"""Benchmark of 06-fast-pooling's solution: its kernels against TensorFlow's and against a loop.

    .venv/bin/python bench/fast_pooling.py [--repeats N] [--tf-threads N]

Not a test: it prints numbers and never fails on them. What it does:

1. gets ``max_pool_fast`` and ``avg_pool_fast`` by running the setup cell and the solution cells
   of ``solutions/06-fast-pooling/06-fast-pooling.ipynb`` (as ``tests/helpers.learner_namespace``
   does), so it measures exactly the notebook's solution;
2. on a batch of 32 float32 maps of 64 x 64 x 32 (NHWC, 16 MB), for 2x2 windows with strides 2,
   VALID, and 3x3 windows with strides 2, SAME, checks the solution against TensorFlow's output and
   times it (best of ``--repeats`` runs) against ``tf.nn.max_pool`` / ``tf.nn.avg_pool`` on the CPU
   (warmed up first; the input is a ``tf.constant`` made beforehand, ``.numpy()`` included);
3. times the speed check's loop baselines (``max_pool_loop``, ``avg_pool_loop``: one ``np.max`` /
   ``np.mean`` call per output element) on the first map of the batch only, and scales that time
   by the batch size (the loop's cost is the same for every map). The baselines handle VALID only,
   so for SAME the bench pads that map itself (``-inf`` for max, zeros for the average) and runs
   them VALID: the same number of outputs and the same work per output;
4. prints each ratio beside its target: the solution within 2x of TensorFlow on the CPU, and at
   least 50x faster than the loop.

TensorFlow uses all CPU cores by default (intra-op threads), numpy's ufuncs one:
``--tf-threads 1`` pins TensorFlow to one thread for a like-for-like comparison.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / "06-fast-pooling" / "06-fast-pooling.ipynb"
SHAPE = (32, 64, 64, 32)
CONFIGS = [(2, 2, "VALID"), (3, 2, "SAME")]  # (window, stride, padding)
TARGET_TF = 2.0  # fast time / TensorFlow time at most this
TARGET_LOOP = 50.0  # loop time / fast time at least this


def solution_functions() -> dict:
    """The notebook's setup and solution cells, run in a fresh namespace."""
    namespace: dict = {"__name__": "__bench__"}
    for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and (cell.id == "setup" or meta.get("solution")):
            exec(compile(cell.source, f"<cell {cell.id}>", "exec"), namespace)  # noqa: S102 - our own notebook
    return namespace


def best_seconds(run, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="runs per timing; the best one counts")
    parser.add_argument("--tf-threads", type=int, default=0, help="TensorFlow intra-op threads (0: its default)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from autograder import tfops
    from autograder.chapter.fast_pooling import avg_pool_loop, max_pool_loop

    tf = tfops.tensorflow()
    if args.tf_threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.tf_threads)
    ns = solution_functions()
    kernels = {"max": (ns["max_pool_fast"], tf.nn.max_pool, max_pool_loop, -np.inf),
               "avg": (ns["avg_pool_fast"], tf.nn.avg_pool, avg_pool_loop, 0.0)}

    x = np.random.default_rng(0).normal(size=SHAPE).astype(np.float32)
    tx = tfops.constant(x)
    print(f"06-fast-pooling benchmark: input {SHAPE} float32 NHWC ({x.nbytes / 1e6:.1f} MB), best of {args.repeats}")
    print(f"numpy {np.__version__}, TensorFlow {tf.__version__} on the CPU "
          f"({args.tf_threads or 'default'} intra-op threads), {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    print("loop: timed on the first map of the batch and scaled by the batch size; for SAME on that map "
          "padded by the bench and pooled VALID (same outputs, same work per output)")
    print()
    header = (f"{'op':4} {'window':22} {'fast ms':>8} {'TF ms':>7} {'fast/TF':>8} {'(target <= 2)':14} "
              f"{'loop ms':>9} {'loop/fast':>10} {'(target >= 50)':14}")
    print(header)
    print("-" * len(header))
    met = total = 0
    for k, s, padding in CONFIGS:
        for op, (fast, tf_op, loop, pad_value) in kernels.items():
            ours = fast(x, k, s, padding)
            theirs = tfops.run(lambda: tf_op(tx, k, s, padding).numpy(), device_name="/CPU:0")
            np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
            assert ours.dtype == theirs.dtype
            fast_s = best_seconds(lambda: fast(x, k, s, padding), args.repeats)
            tf_s = tfops.run(lambda: best_seconds(lambda: tf_op(tx, k, s, padding).numpy(), args.repeats),
                             device_name="/CPU:0")
            one = x[:1]
            if padding == "SAME":  # square maps: the same padding on both axes, the odd cell after
                pad = max((-(-SHAPE[1] // s) - 1) * s + k - SHAPE[1], 0)
                sides = (pad // 2, pad - pad // 2)
                one = np.pad(one, ((0, 0), sides, sides, (0, 0)), constant_values=pad_value)
            loop_s = best_seconds(lambda: loop(one, k, s, "VALID"), 1) * SHAPE[0]
            vs_tf, vs_loop = fast_s / tf_s, loop_s / fast_s
            ok_tf, ok_loop = vs_tf <= TARGET_TF, vs_loop >= TARGET_LOOP
            met += ok_tf + ok_loop
            total += 2
            window = f"{k}x{k}, strides {s}, {padding}"
            print(f"{op:4} {window:22} {fast_s * 1e3:8.2f} {tf_s * 1e3:7.2f} {vs_tf:7.2f}x "
                  f"{'met' if ok_tf else 'MISSED':14} {loop_s * 1e3:9.0f} {vs_loop:9.0f}x {'met' if ok_loop else 'MISSED':14}")
    print()
    print(f"{met} of {total} targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
