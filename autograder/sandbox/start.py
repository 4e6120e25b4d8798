"""How the learner's side is started: forked from the zygote, or as a fresh Python.

Either way with the learner's environment (:func:`learner_env`: none of the grader's secrets),
in a session of its own, with no standard input or output, and with the two pipe ends of
:mod:`.channel` as its only open descriptors besides those.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["learner_env", "boot_command", "start", "BOOT"]

# How a fresh learner process or the zygote starts: `python -P -c BOOT REQUEST` (-P: no working
# folder on sys.path, so nothing beside a notebook is imported before the confinement).
BOOT = ("import sys, json; sys.path.append({parent!r}); from autograder.sandbox.{module} import main; "
        "sys.exit(main(json.loads(sys.argv[1])))")


def learner_env() -> dict:
    """The learner process's environment: the grader's, without its secrets and Jupyter's
    settings (no ``AUTOGRADER_*``, ``JPY_*``, ``JUPYTER_*``), with a non-interactive matplotlib,
    one thread for the maths libraries, and TensorFlow quiet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER_", "JPY_", "JUPYTER_"))}
    env.update(MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               TF_CPP_MIN_LOG_LEVEL="3", PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0", PYTHONNOUSERSITE="1")
    return env


def boot_command(module: str, request: dict, python: str | None = None) -> list[str]:
    """``python -P -c BOOT REQUEST`` for ``autograder.sandbox.<module>.main(REQUEST)``."""
    parent = str(Path(__file__).resolve().parents[2])
    return [python or sys.executable, "-P", "-c", BOOT.format(parent=parent, module=module), json.dumps(request)]


def start(request: dict, fds: tuple[int, int], python: str | None, zygote):
    """The learner's supervisor for ``request``, given the pipe ends ``fds``: forked from ``zygote``
    while it lives, else a fresh Python. Returns something with ``pid``, ``poll``, ``wait`` and
    ``send_signal``."""
    if zygote is not None and zygote.alive:
        try:
            return zygote.start(request, fds)
        except RuntimeError:
            pass
    request = {**request, "in_fd": fds[0], "out_fd": fds[1]}
    return subprocess.Popen(boot_command("learner", request, python), cwd="/", env=learner_env(), pass_fds=fds,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
