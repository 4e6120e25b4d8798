"""autograder.tfops: a quiet TensorFlow import, exact dtypes, the device choice."""
import os
import subprocess
import sys

import numpy as np
import pytest

from autograder import tfops
from tests.helpers import ROOT


def test_import_and_first_op_write_nothing_to_stderr():
    # A fresh process, as in a new kernel: TensorFlow's C++ start-up lines would land on fd 2.
    code = (
        "import numpy as np\n"
        "from autograder import references\n"
        "print(references.tf_pool(np.ones((1, 3, 3, 1), np.float32), (2, 2), (1, 1), 'VALID').shape)\n"
    )
    env = dict(os.environ)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "(1, 2, 2, 1)"
    assert proc.stderr == ""


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float64, np.float32])
def test_constant_keeps_the_dtype_across_calls(dtype):
    from autograder.references import tf_pool

    x = np.arange(16).reshape(1, 4, 4, 1).astype(dtype)
    for _ in range(3):  # plain numpy inputs drifted to float32 on later calls; constants do not
        out = tf_pool(x, (2, 2), (2, 2), "VALID")
        assert out.dtype == dtype


def test_device_choice():
    assert tfops.device("cpu") == "/CPU:0"
    assert tfops.device("auto") in ("/CPU:0", "/GPU:0")
    with pytest.raises(tfops.DeviceError, match="received 'tpu'"):
        tfops.device("tpu")


def test_gpu_choice_without_gpu_is_clear():
    tf = tfops.tensorflow()
    if tf.config.list_logical_devices("GPU"):
        pytest.skip("a GPU is present: the no-GPU message cannot be tested here")
    with pytest.raises(tfops.DeviceError, match="no GPU"):
        tfops.device("gpu")


def test_dangerous_valid_windows_never_reach_tensorflow():
    from autograder.references import tf_pool, uncovered_cells

    # a VALID window one larger than a float32 input kills TF 2.21's process (SIGFPE)
    with pytest.raises(ValueError, match="not sent to TensorFlow"):
        tf_pool(np.ones((1, 3, 3, 1), np.float32), (4, 4), (1, 1), "VALID")
    with pytest.raises(ValueError, match="not sent to TensorFlow"):
        uncovered_cells(3, 4, 1, "valid")


def test_channels_first_on_cpu_for_any_float():
    from autograder.references import tf_pool

    x = np.random.default_rng(0).normal(size=(2, 3, 5, 5))
    for dtype in (np.float32, np.float64):
        nchw = tf_pool(x.astype(dtype), (2, 2), (2, 2), "SAME", "max", "NCHW")
        nhwc = tf_pool(np.moveaxis(x, 1, -1).astype(dtype), (2, 2), (2, 2), "SAME", "max", "NHWC")
        assert nchw.dtype == dtype
        np.testing.assert_array_equal(nchw, np.moveaxis(nhwc, -1, 1))


def _overlap(quiet, threads: int = 8, rounds: int = 200) -> None:
    """Threads entering and leaving ``quiet()`` at once, as the grader's reference threads do."""
    import threading

    start = threading.Barrier(threads)

    def work():
        start.wait()
        for _ in range(rounds):
            with quiet():
                pass

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def _stderr_state():
    import os
    import sys
    import warnings

    info = os.fstat(2)
    return sys.stderr, (info.st_dev, info.st_ino), warnings.filters


def test_quiet_gives_stderr_back_when_grading_threads_overlap():
    """Before: each entry saved what was there, so overlapping threads could put /dev/null (or a
    StringIO) back last, and a --jobs 2 run lost its summary line and its "grader problem" notes."""
    from autograder import tfops

    before = _stderr_state()
    for _ in range(3):
        _overlap(tfops.quiet)
        assert _stderr_state() == before


def test_control_a_quiet_that_saves_on_every_entry_loses_stderr():
    import contextlib
    import io
    import os
    import sys

    @contextlib.contextmanager
    def old_quiet():  # the previous tfops.quiet, less its warnings filter
        with contextlib.redirect_stderr(io.StringIO()):
            saved = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                os.close(devnull)

    before = _stderr_state()
    stderr, fd = sys.stderr, os.dup(2)
    try:
        lost = False
        for _ in range(20):
            _overlap(old_quiet)
            if _stderr_state()[:2] != before[:2]:
                lost = True
                break
        assert lost, "overlapping entries never lost stderr in 20 tries"
    finally:
        os.dup2(fd, 2)
        os.close(fd)
        sys.stderr = stderr
