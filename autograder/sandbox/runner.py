"""The grader's side of the learner's process: start it, watch it, collect what it returns.

:func:`run_learner` starts ``python -m autograder.sandbox.learner JOB EVENTS`` in a new session
and its own temporary working folder, with no stdin, stdout and stderr thrown away; the learner
process sets its own resource limits (:class:`~autograder.sandbox.limits.Limits`) before it runs
any learner code (:mod:`autograder.sandbox.learner`). A watchdog here: a cell that runs longer than ``cell_timeout`` or a call
longer than ``call_timeout`` gets the whole process group killed (``SIGKILL``: a loop that
ignores interrupts stops too). The learner's process writes one JSON line per event to the
events file; when it dies (a timeout, ``os._exit``, a segfault, the memory limit), the grader
knows which cell or call it was in, records that, and starts a fresh process that skips the
cell, or the rest of that function's calls. Every other function is still called.
"""
from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..i18n import tr
from .limits import Limits

__all__ = ["Call", "LearnerRun", "run_learner", "learner_env"]


@dataclasses.dataclass(frozen=True)
class Call:
    """One call the grader asks for: ``function(**kwargs)``; ``key`` identifies it."""

    key: str
    function: str
    kwargs: dict
    baseline: str | None = None  # "module:function": a timing call against this loop baseline
    repeats: int = 5
    baseline_runs: tuple | None = None  # the baseline's runs, timed before: time the learner's function only


@dataclasses.dataclass
class LearnerRun:
    """What came back: outcomes by call key, and what went wrong along the way."""

    outcomes: dict = dataclasses.field(default_factory=dict)  # key -> wire dict of an Outcome
    missing: set = dataclasses.field(default_factory=set)  # functions the notebook does not define
    signatures: dict = dataclasses.field(default_factory=dict)  # function -> its parameter names
    cell_errors: list = dataclasses.field(default_factory=list)  # "cell <id>: <error>" lines
    broken: dict = dataclasses.field(default_factory=dict)  # function -> why its calls stopped
    outputs: dict = dataclasses.field(default_factory=dict)  # cell id -> {"stdout", "stderr", "error"}
    confinement: dict = dataclasses.field(default_factory=dict)  # what the learner process's confinement held
    restarts: int = 0


def _signal_name(returncode: int) -> str:
    if returncode < 0:
        try:
            return tr("killed by {signal}", signal=signal.Signals(-returncode).name)
        except ValueError:
            return tr("killed by signal {number}", number=-returncode)
    return tr("exited with status {status}", status=returncode)


def learner_env() -> dict:
    """The learner process's environment: the grader's, without its secrets and Jupyter's
    settings (no ``AUTOGRADER_*``, ``JPY_*``, ``JUPYTER_*``), with a non-interactive matplotlib,
    one thread for the maths libraries, and TensorFlow quiet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER_", "JPY_", "JUPYTER_"))}
    env.update(MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               TF_CPP_MIN_LOG_LEVEL="3", PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0", PYTHONNOUSERSITE="1")
    return env


def run_learner(cells: list[dict], calls: list[Call], limits: Limits = Limits(),
                files_from: Path | None = None, python: str | None = None, confine: bool = True,
                zygote=None) -> LearnerRun:
    """Run ``cells`` (dicts with ``id`` and ``source``) then ``calls`` in a limited process.

    ``confine``: the learner process confines itself with Landlock where the kernel offers it.
    ``zygote``: a :class:`~autograder.sandbox.zygote.Zygote` to fork the learner process from
    (much cheaper than starting a Python); without one, or if it has died, a fresh Python.
    """
    from .. import wire

    result = LearnerRun()
    skip_cells: set[str] = set()
    pending = list(calls)
    for attempt in range(len(cells) + len({c.function for c in calls}) + 2):
        with tempfile.TemporaryDirectory(prefix="learner-") as work:
            work = Path(work)
            if files_from is not None and files_from.is_dir():
                _copy_small_files(files_from, work)
            job = {
                "limits": dataclasses.asdict(limits),
                "confine": bool(confine),
                "cells": [c for c in cells if c["id"] not in skip_cells],
                "calls": [{"key": c.key, "function": c.function, "baseline": c.baseline, "repeats": c.repeats,
                           "baseline_runs": list(c.baseline_runs) if c.baseline_runs else None,
                           "kwargs": {k: wire.encode(v) for k, v in c.kwargs.items()}} for c in pending],
            }
            job_path, events_path = work / ".job.json", work / ".events.jsonl"
            job_path.write_text(json.dumps(job))
            events_path.touch()
            proc = None
            if zygote is not None and zygote.alive:
                try:
                    proc = zygote.start(str(job_path), str(events_path), str(work))
                except RuntimeError:
                    proc = None
            if proc is None:
                # A new session (its own process group: a kill reaches every child it starts); the
                # learner process sets its resource limits itself (no preexec_fn: the grader has threads).
                proc = subprocess.Popen(
                    [python or sys.executable, "-m", "autograder.sandbox.learner", str(job_path), str(events_path)],
                    cwd=work, env=learner_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, start_new_session=True,
                )
            where, why = _watch(proc, events_path, limits, result)
        done = {k for k in result.outcomes}
        pending = [c for c in pending if c.key not in done and c.function not in result.broken
                   and c.function not in result.missing]
        if where is None:  # finished normally
            break
        result.restarts += 1
        kind, name = where
        if kind == "cell":
            skip_cells.add(name)
            result.cell_errors.append(tr("cell {name}: the process {why}; that cell was skipped", name=name, why=why))
        elif kind == "call":
            call = next(c for c in calls if c.key == name)
            result.broken[call.function] = tr("the call {why}", why=why)
            pending = [c for c in pending if c.function != call.function]
        else:  # died before or between cells and calls
            for c in pending:
                result.broken.setdefault(c.function, tr("the learner's process {why}", why=why))
            break
        if not pending:
            break
    return result


def _watch(proc, events_path: Path, limits: Limits, result: LearnerRun):
    """Follow the events until the process ends; kill it on a timeout.

    Returns ``(None, "")`` when the process finished its job, else ``((kind, name), why)`` for
    where it stopped: ``("cell", id)``, ``("call", key)`` or ``("start", "")``.
    """
    current: tuple[str, str] = ("start", "")
    started = time.monotonic()
    finished = False
    position = 0
    buffer = b""
    while True:
        # poll first, read second: events written just before the process ended are still read
        returncode = proc.poll()
        with open(events_path, "rb") as f:
            f.seek(position)
            chunk = f.read()
        position += len(chunk)
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            kind = event.get("event")
            if kind == "cell_start":
                current, started = ("cell", str(event.get("id"))), time.monotonic()
            elif kind == "cell_end":
                if event.get("error"):
                    result.cell_errors.append(tr("cell {name}: {error}", name=event.get("id"), error=str(event["error"])[:300]))
                if isinstance(event.get("output"), dict):
                    result.outputs[str(event.get("id"))] = _output(event["output"])
            elif kind == "confinement" and not result.confinement:  # the first one: later ones are forged
                result.confinement = _confinement({k: v for k, v in event.items() if k != "event"})
                current, started = ("between", ""), time.monotonic()
            elif kind == "function":
                name = str(event.get("name"))
                if event.get("missing"):
                    result.missing.add(name)
                else:
                    result.signatures[name] = [str(p) for p in event.get("parameters", [])][:50]
            elif kind == "call_start":
                current, started = ("call", str(event.get("key"))), time.monotonic()
            elif kind == "call_end":
                result.outcomes[str(event.get("key"))] = event.get("outcome") or {}
                current, started = ("between", ""), time.monotonic()
            elif kind == "done":
                finished = True
        if returncode is not None:
            if finished:
                return None, ""
            return (current if current[0] != "between" else ("start", "")), _signal_name(returncode)
        limit = limits.call_timeout if current[0] == "call" else limits.cell_timeout
        if time.monotonic() - started > limit:
            _stop(proc)
            return ((current if current[0] != "between" else ("start", "")),
                    tr("ran longer than {limit:g} s and was stopped", limit=limit))
        time.sleep(0.02)


def _stop(proc) -> None:
    """Stop the learner's process and everything it started.

    ``SIGTERM`` asks its supervisor (which never runs learner code) to kill every process below
    it, ``setsid`` daemons included, and exit; ``SIGKILL`` to the whole group follows if it has
    not ended within a second.
    """
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=1.0)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _confinement(data: dict) -> dict:
    """What the learner process reported about its confinement, checked, with a plain line."""
    from .landlock import Confinement

    try:
        held = Confinement.from_dict(data)
    except ValueError:
        held = Confinement(0, reason="the learner's process sent no readable report of its confinement")
    return {**held.to_dict(), "describe": held.describe()}


def _output(data: dict) -> dict:
    """A cell's captured output, each field checked (it comes from the learner's process)."""
    error = data.get("error")
    if isinstance(error, dict):
        error = {"ename": str(error.get("ename", ""))[:200], "evalue": str(error.get("evalue", ""))[:12000],
                 "traceback": [str(line)[:12000] for line in (error.get("traceback") or [])][:20]}
    else:
        error = None
    return {"stdout": str(data.get("stdout") or "")[:12000], "stderr": str(data.get("stderr") or "")[:12000],
            "error": error}


def _copy_small_files(source: Path, target: Path, max_bytes: int = 16 * 1024 * 1024) -> None:
    """Files beside the notebook (data the notebook reads), not notebooks, not large ones."""
    import shutil

    for path in source.iterdir():
        if path.is_file() and path.suffix != ".ipynb" and path.stat().st_size <= max_bytes:
            shutil.copy(path, target / path.name)


