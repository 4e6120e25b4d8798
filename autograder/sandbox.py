"""Run a learner's notebook code in a separate, limited process and collect what it returns.

Grader side: :func:`run_learner` starts ``python -m autograder.sandbox JOB EVENTS`` in its own
working folder with a memory limit (``RLIMIT_AS``), a file-size limit, no stdin, stdout and
stderr thrown away, and a watchdog: a cell that runs longer than ``cell_timeout`` or a call
longer than ``call_timeout`` gets the whole process group killed (``SIGKILL``: a loop that
ignores interrupts stops too). The learner's process writes one JSON line per event to the
events file; when it dies (a timeout, ``os._exit``, a segfault, the memory limit), the grader
knows which cell or call it was in, records that, and starts a fresh process that skips the
cell, or the rest of that function's calls. Every other function is still called.

Learner side (:func:`main`): run the cells in order in one namespace (an exception, even
``SystemExit``, ends the cell, not the run), then call each requested function on each case's
arguments (received as JSON, see :mod:`autograder.wire`) and send back each outcome. Expected
values never enter this process; nothing it sends back is unpickled or executed by the grader.
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

__all__ = ["Call", "Limits", "LearnerRun", "run_learner", "main"]


@dataclasses.dataclass(frozen=True)
class Limits:
    """Resource limits of the learner's process."""

    cell_timeout: float = 30.0  # seconds per notebook cell
    call_timeout: float = 10.0  # seconds per function call
    memory_mb: int = 4096  # address space (RLIMIT_AS)
    file_mb: int = 64  # largest file it may write (RLIMIT_FSIZE)


@dataclasses.dataclass(frozen=True)
class Call:
    """One call the grader asks for: ``function(**kwargs)``; ``key`` identifies it."""

    key: str
    function: str
    kwargs: dict
    baseline: str | None = None  # "module:function": a timing call against this loop baseline
    repeats: int = 3


@dataclasses.dataclass
class LearnerRun:
    """What came back: outcomes by call key, and what went wrong along the way."""

    outcomes: dict = dataclasses.field(default_factory=dict)  # key -> wire dict of an Outcome
    missing: set = dataclasses.field(default_factory=set)  # functions the notebook does not define
    signatures: dict = dataclasses.field(default_factory=dict)  # function -> its parameter names
    cell_errors: list = dataclasses.field(default_factory=list)  # "cell <id>: <error>" lines
    broken: dict = dataclasses.field(default_factory=dict)  # function -> why its calls stopped
    restarts: int = 0


# ----------------------------------------------------------------------------- grader side
def _limit(limits: Limits):
    def apply():  # runs in the child between fork and exec
        import resource

        os.setsid()  # its own process group: a kill reaches every child it starts
        mem = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        size = limits.file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _signal_name(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exited with status {returncode}"


def run_learner(cells: list[dict], calls: list[Call], limits: Limits = Limits(),
                files_from: Path | None = None, python: str | None = None) -> LearnerRun:
    """Run ``cells`` (dicts with ``id`` and ``source``) then ``calls`` in a limited process."""
    from . import wire

    result = LearnerRun()
    skip_cells: set[str] = set()
    pending = list(calls)
    for attempt in range(len(cells) + len({c.function for c in calls}) + 2):
        with tempfile.TemporaryDirectory(prefix="learner-") as work:
            work = Path(work)
            if files_from is not None and files_from.is_dir():
                _copy_small_files(files_from, work)
            job = {
                "cells": [c for c in cells if c["id"] not in skip_cells],
                "calls": [{"key": c.key, "function": c.function, "baseline": c.baseline, "repeats": c.repeats,
                           "kwargs": {k: wire.encode(v) for k, v in c.kwargs.items()}} for c in pending],
            }
            job_path, events_path = work / ".job.json", work / ".events.jsonl"
            job_path.write_text(json.dumps(job))
            events_path.touch()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER_", "JPY_", "JUPYTER_"))}
            env.update(MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
                       TF_CPP_MIN_LOG_LEVEL="3", PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
            proc = subprocess.Popen(
                [python or sys.executable, "-m", "autograder.sandbox", str(job_path), str(events_path)],
                cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, preexec_fn=_limit(limits),
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
            result.cell_errors.append(f"cell {name}: the process {why}; that cell was skipped")
        elif kind == "call":
            call = next(c for c in calls if c.key == name)
            result.broken[call.function] = f"the call {why}"
            pending = [c for c in pending if c.function != call.function]
        else:  # died before or between cells and calls
            for c in pending:
                result.broken.setdefault(c.function, f"the learner's process {why}")
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
                    result.cell_errors.append(f"cell {event.get('id')}: {str(event['error'])[:300]}")
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
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            return (current if current[0] != "between" else ("start", "")), f"ran longer than {limit:g} s and was stopped"
        time.sleep(0.02)


def _copy_small_files(source: Path, target: Path, max_bytes: int = 16 * 1024 * 1024) -> None:
    """Files beside the notebook (data the notebook reads), not notebooks, not large ones."""
    import shutil

    for path in source.iterdir():
        if path.is_file() and path.suffix != ".ipynb" and path.stat().st_size <= max_bytes:
            shutil.copy(path, target / path.name)


# ----------------------------------------------------------------------------- learner side
def _emit(stream, **event):
    stream.write(json.dumps(event) + "\n")
    stream.flush()


def _compile(source: str, cell_id: str):
    try:
        return compile(source, f"<cell {cell_id}>", "exec")
    except SyntaxError:
        # IPython syntax (magics, !shell): transform it the way IPython would
        from IPython.core.inputtransformer2 import TransformerManager

        return compile(TransformerManager().transform_cell(source), f"<cell {cell_id}>", "exec")


def main(job_path: str, events_path: str) -> int:
    import inspect

    from . import speed, wire
    from .cases import Case
    from .check import call_learner

    job = json.loads(Path(job_path).read_text())
    # loaded before any learner code runs, like speed's clock: a cell cannot swap them
    baselines = {c["baseline"]: speed.load_baseline(c["baseline"]) for c in job["calls"] if c.get("baseline")}
    events = open(events_path, "a", buffering=1)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    for cell in job["cells"]:
        _emit(events, event="cell_start", id=cell["id"])
        error = None
        try:
            exec(_compile(cell["source"], cell["id"]), namespace)  # noqa: S102 - the learner's own code, here only
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt end the cell only
            error = f"{type(exc).__name__}: {exc}"
        _emit(events, event="cell_end", id=cell["id"], error=error)
    seen = set()
    for call in job["calls"]:
        name = call["function"]
        func = namespace.get(name)
        if name not in seen:
            seen.add(name)
            if not callable(func):
                _emit(events, event="function", name=name, missing=True)
            else:
                try:
                    params = list(inspect.signature(func).parameters)
                except (TypeError, ValueError):
                    params = []
                _emit(events, event="function", name=name, parameters=params)
        if not callable(func):
            continue
        _emit(events, event="call_start", key=call["key"])
        case = Case({k: wire.decode(v) for k, v in call["kwargs"].items()}, "")
        try:
            if call.get("baseline"):
                timing = speed.measure(func, baselines[call["baseline"]], case.kwargs, int(call.get("repeats") or 3))
                outcome = {"value": wire.encode(timing)}
            else:
                outcome = call_learner(func, case).to_wire()
        except BaseException as exc:  # noqa: BLE001 - e.g. SystemExit raised by the learner's function
            outcome = {"error": type(exc).__name__, "error_bases": [type(exc).__name__], "message": str(exc)}
        _emit(events, event="call_end", key=call["key"], outcome=outcome)
    _emit(events, event="done")
    events.close()
    os._exit(0)  # skip interpreter teardown: the learner's atexit hooks and finalisers don't run


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
