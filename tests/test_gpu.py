"""GPU checks: the script runs everywhere; the GPU comparison itself needs a GPU and skips without."""
import subprocess
import sys

import pytest

from autograder import tfops
from tests.helpers import ROOT


def _has_gpu() -> bool:
    return bool(tfops.tensorflow().config.list_logical_devices("GPU"))


def test_gpu_script_says_when_it_skips():
    proc = subprocess.run([sys.executable, "bench/gpu_check.py"], cwd=ROOT, capture_output=True, text=True, timeout=3000)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if not _has_gpu():
        assert "GPU checks skipped" in proc.stdout
    else:
        assert "verdicts agree on both devices" in proc.stdout


@pytest.mark.gpu
def test_gpu_references_give_the_same_verdicts():
    if not _has_gpu():
        pytest.skip("no GPU visible to TensorFlow on this machine: GPU reference checks skipped "
                    "(run bench/gpu_check.py on a GPU machine with tensorflow[and-cuda]==2.21.0)")
    import autograder
    from tests.helpers import learner_namespace

    for exercise in autograder.exercises():
        func = learner_namespace(exercise.notebook)[exercise.function]
        for which in ("visible", "hidden"):
            assert autograder.verify(exercise.name, func, which, device="gpu").passed
