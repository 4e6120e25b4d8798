"""GPU check: do verdicts depend on where TensorFlow's references run?

    .venv/bin/python bench/gpu_check.py            # needs tensorflow[and-cuda]==2.21.0 and a GPU

On a machine with a GPU it

1. computes every exercise's references (visible and hidden cases) on the GPU and on the CPU and
   prints, per exercise, whether the comparison the learners get (autograder.compare, with its
   dtype tolerances) accepts the GPU answer for the CPU one, and the largest differences;
2. grades the instructor's solutions and the released stubs with references from each device
   and prints whether the verdicts agree;
3. times tf.nn.max_pool / tf.nn.avg_pool on the GPU and the CPU for the benchmark shapes.

On a machine without a GPU it says so and exits 0. Exit status 1 when any verdict differs.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHAPES = [((32, 64, 64, 32), (2, 2), (2, 2), "VALID"), ((32, 64, 64, 32), (3, 3), (2, 2), "SAME")]


def _largest_difference(a, b) -> float:
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            return float("inf")
        return float(np.nanmax(np.abs(a - b))) if a.size else 0.0
    except (TypeError, ValueError):
        return 0.0 if a == b else float("inf")


def references_agree() -> bool:
    import autograder
    from autograder.judge import ReferenceCache
    from autograder.compare import compare

    ok = True
    on_cpu, on_gpu = ReferenceCache("/CPU:0"), ReferenceCache("/GPU:0")
    print("1. references, GPU against CPU (the learners' tolerances)")
    for exercise in autograder.exercises():
        worst, rejected, total = 0.0, 0, 0
        for which in ("visible", "hidden"):
            for index, case in enumerate(exercise.cases(which)):
                if case.raises:
                    continue
                cpu = on_cpu.expected(exercise, which, index)
                gpu = on_gpu.expected(exercise, which, index)
                total += 1
                worst = max(worst, _largest_difference(gpu, cpu))
                rejected += compare(gpu, cpu) is not None
        ok &= rejected == 0
        print(f"   {exercise.name:<22} {total:3d} cases  largest |GPU - CPU| = {worst:.3g}  "
              f"{'agree' if rejected == 0 else f'{rejected} DIFFER beyond tolerance'}")
    return ok


def verdicts_agree() -> bool:
    import autograder
    from autograder.trusted import Grader

    print("2. verdicts of the solutions and the stubs, references on each device")
    ok = True
    for folder in ("solutions", "course"):
        for assignment in sorted(p.name for p in (ROOT / folder).iterdir() if p.is_dir()):
            path = ROOT / folder / assignment / f"{assignment}.ipynb"
            if not autograder.exercises(assignment):
                continue
            cpu = Grader("cpu").grade_path(path, assignment)
            gpu = Grader("gpu").grade_path(path, assignment)
            same = [c["score"] for c in cpu.cells] == [c["score"] for c in gpu.cells]
            ok &= same
            print(f"   {folder}/{assignment:<30} CPU {cpu.score}/{cpu.max_score}  GPU {gpu.score}/{gpu.max_score}  "
                  f"{'agree' if same else 'DIFFER'}")
    return ok


def timings() -> None:
    from autograder import tfops

    tf = tfops.tensorflow()
    print("3. tf.nn pooling, best of 10 (ms)")
    for shape, k, s, padding in SHAPES:
        x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
        for name, op in (("max_pool", tf.nn.max_pool), ("avg_pool", tf.nn.avg_pool)):
            row = []
            for device in ("/GPU:0", "/CPU:0"):
                with tf.device(device):
                    xt = tf.constant(x)
                    op(xt, k, s, padding).numpy()  # warm up
                    best = float("inf")
                    for _ in range(10):
                        start = time.perf_counter()
                        op(xt, k, s, padding).numpy()
                        best = min(best, time.perf_counter() - start)
                row.append(best * 1e3)
            print(f"   {name} {shape} {k} stride {s} {padding}: GPU {row[0]:.3f} ms, CPU {row[1]:.3f} ms, "
                  f"CPU/GPU {row[1] / row[0]:.1f}x")


def main() -> int:
    from autograder import tfops

    tf = tfops.tensorflow()
    gpus = tf.config.list_logical_devices("GPU")
    if not gpus:
        print(f"No GPU visible to TensorFlow {tf.__version__} ({'built with CUDA' if tf.test.is_built_with_cuda() else 'a CPU-only build'}): "
              "GPU checks skipped. On a GPU machine install tensorflow[and-cuda]==2.21.0 and rerun.")
        return 0
    print(f"TensorFlow {tf.__version__} on {gpus[0].name}")
    ok = references_agree()
    ok &= verdicts_agree()
    timings()
    print("verdicts agree on both devices" if ok else "VERDICTS DEPEND ON THE DEVICE")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
