"""Benchmark of 06-fast-pooling's solution: its kernels against TensorFlow's, numpy's floor and a loop.

    .venv/bin/python bench/fast_pooling.py [--repeats N] [--tf-threads N] [--batch N]

Not a test: it prints numbers and never fails on them. What it does:

1. gets ``max_pool_fast`` and ``avg_pool_fast`` by running the setup cell and the solution cells
   of ``solutions/06-fast-pooling/06-fast-pooling.ipynb`` (with ``tests.helpers.learner_namespace``),
   so it measures exactly the notebook's solution;
2. on a batch of 32 float32 maps of 64 x 64 x 32 (NHWC, 16 MB), for 2x2 windows with strides 2,
   VALID, and 3x3 windows with strides 2, SAME, checks the solution against TensorFlow's output,
   then times (best of ``--repeats`` runs) the solution, ``tf.nn.max_pool`` / ``tf.nn.avg_pool`` on
   the CPU (warmed up first; the input is a ``tf.constant`` made beforehand, ``.numpy()``
   included) and numpy's floor, under two cache conditions:

   * **warm**: each one run back to back, so its input (16 MB) stays in the CPU's last-level cache
     from one run to the next;
   * **cold**: the three interleaved, and a 128 MB buffer written before every timed run, so each
     one starts with its input in main memory, as a batch larger than the cache always does;

   numpy's floor is the least any single-threaded numpy kernel must do: read the input once
   (``x.max()``) and write the output once (``out.fill(0)``);
3. times the speed check's loop baselines (``max_pool_loop``, ``avg_pool_loop``: one ``np.max`` /
   ``np.mean`` call per output element) on the first map of the batch only, and scales that time
   by the batch size (the loop's cost is the same for every map). The baselines handle VALID only,
   so for SAME the bench pads that map itself (``-inf`` for max, zeros for the average) and runs
   them VALID: the same number of outputs and the same work per output;
4. prints each ratio beside its target: the solution within 2x of TensorFlow on the CPU (warm and
   cold), and at least 50x faster than the loop.

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

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MAP = (64, 64, 32)  # one map: height, width, channels
CONFIGS = [(2, 2, "VALID"), (3, 2, "SAME")]  # (window, stride, padding)
TARGET_TF = 2.0  # fast time / TensorFlow time at most this
TARGET_LOOP = 50.0  # loop time / fast time at least this
FLUSH_BYTES = 128 * 2**20  # written before each cold run: more than any CPU's last-level cache here


def best_seconds(run, repeats: int) -> float:
    """Warm: the best of `repeats` runs back to back."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def best_cold_seconds(runs: list, repeats: int) -> list[float]:
    """Cold: the runs interleaved, the caches flushed before each one; the best of `repeats` each."""
    flush = np.zeros(FLUSH_BYTES // 4, np.float32)
    best = [float("inf")] * len(runs)
    for _ in range(repeats):
        for i, run in enumerate(runs):
            np.add(flush, 1.0, out=flush)  # evicts the input, which the last run may have left in cache
            start = time.perf_counter()
            run()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="runs per timing; the best one counts")
    parser.add_argument("--tf-threads", type=int, default=0, help="TensorFlow intra-op threads (0: its default)")
    parser.add_argument("--batch", type=int, default=32, help="maps in the batch (32; fewer for a quick run)")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.batch < 1 or args.tf_threads < 0:
        parser.error("--repeats and --batch must be at least 1, --tf-threads at least 0")

    sys.path.insert(0, str(ROOT))
    from autograder import tfops
    from autograder.chapter.fast_pooling import avg_pool_loop, max_pool_loop
    from tests.helpers import learner_namespace

    tf = tfops.tensorflow()
    if args.tf_threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.tf_threads)
    ns = learner_namespace("06-fast-pooling")  # the notebook's setup and solution cells
    kernels = {"max": (ns["max_pool_fast"], tf.nn.max_pool, max_pool_loop, -np.inf),
               "avg": (ns["avg_pool_fast"], tf.nn.avg_pool, avg_pool_loop, 0.0)}

    shape = (args.batch, *MAP)
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    tx = tfops.constant(x)
    print(f"06-fast-pooling benchmark: input {shape} float32 NHWC ({x.nbytes / 1e6:.1f} MB), best of {args.repeats}")
    print(f"numpy {np.__version__} (one thread), TensorFlow {tf.__version__} on the CPU "
          f"({args.tf_threads or 'default'} intra-op threads), {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    print("warm: each kernel run back to back (its input stays in cache); cold: interleaved, caches flushed "
          "before each run")
    print("floor: numpy reading the input once and writing the output once (x.max() + out.fill(0))")
    print("loop: timed on the first map of the batch and scaled by the batch size; for SAME on that map "
          "padded by the bench and pooled VALID (same outputs, same work per output)")
    print()
    header = (f"{'op':4} {'window':22} {'warm: fast ms':>13} {'TF ms':>6} {'fast/TF':>8} {'(<= 2)':7} "
              f"{'cold: fast ms':>13} {'TF ms':>6} {'fast/TF':>8} {'(<= 2)':7} {'fast/floor':>10} "
              f"{'loop/fast':>10} {'(>= 50)':7}")
    print(header)
    print("-" * len(header))
    met = {"warm": 0, "cold": 0, "loop": 0}
    rows = 0
    for k, s, padding in CONFIGS:
        for op, (fast, tf_op, loop, pad_value) in kernels.items():
            ours = fast(x, k, s, padding)
            theirs = tfops.run(lambda: tf_op(tx, k, s, padding).numpy(), device_name="/CPU:0")
            np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
            assert ours.dtype == theirs.dtype
            out = np.empty_like(ours)
            run_fast = lambda: fast(x, k, s, padding)  # noqa: E731
            run_tf = lambda: tf_op(tx, k, s, padding).numpy()  # noqa: E731
            run_floor = lambda: (x.max(), out.fill(0))  # noqa: E731
            with tf.device("/CPU:0"):
                warm = [best_seconds(run, args.repeats) for run in (run_fast, run_tf, run_floor)]
                cold = best_cold_seconds([run_fast, run_tf, run_floor], args.repeats)
            one = x[:1]
            if padding == "SAME":  # square maps: the same padding on both axes, the odd cell after
                pad = max((-(-MAP[0] // s) - 1) * s + k - MAP[0], 0)
                sides = (pad // 2, pad - pad // 2)
                one = np.pad(one, ((0, 0), sides, sides, (0, 0)), constant_values=pad_value)
            loop_s = best_seconds(lambda: loop(one, k, s, "VALID"), 1) * args.batch
            vs_warm, vs_cold, vs_loop = warm[0] / warm[1], cold[0] / cold[1], loop_s / warm[0]
            ok = {"warm": vs_warm <= TARGET_TF, "cold": vs_cold <= TARGET_TF, "loop": vs_loop >= TARGET_LOOP}
            for key in met:
                met[key] += ok[key]
            rows += 1
            window = f"{k}x{k}, strides {s}, {padding}"
            print(f"{op:4} {window:22} {warm[0] * 1e3:13.2f} {warm[1] * 1e3:6.2f} {vs_warm:7.2f}x {verdict(ok['warm']):7} "
                  f"{cold[0] * 1e3:13.2f} {cold[1] * 1e3:6.2f} {vs_cold:7.2f}x {verdict(ok['cold']):7} "
                  f"{warm[0] / warm[2]:9.1f}x {vs_loop:9.0f}x {verdict(ok['loop']):7}")
    print()
    print(f"fast/TF <= {TARGET_TF:g}: warm {met['warm']} of {rows}, cold {met['cold']} of {rows}; "
          f"loop/fast >= {TARGET_LOOP:g}: {met['loop']} of {rows}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
