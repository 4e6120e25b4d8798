"""The learner's side of the sandbox: ``python -m autograder.sandbox.learner JOB EVENTS``.

1. Set this process's own resource limits from the job (:func:`apply_limits`), before any
   learner code runs: address space, file size, no core dumps.
2. Run the learner's cells in order in one namespace (an exception, even ``SystemExit``, ends
   the cell, not the run).
3. Call each requested function on each case's arguments (received as JSON, see
   :mod:`autograder.wire`) and send back each outcome, one JSON line per event on the events file.

Expected values never enter this process; nothing it sends back is unpickled or executed by the
grader. It imports only what calling a learner needs (:mod:`autograder.outcome`,
:mod:`autograder.wire`, :mod:`autograder.speed`), never the references or the judge.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

__all__ = ["apply_limits", "main"]


def apply_limits(limits: dict) -> None:
    """Limit this process: ``RLIMIT_AS`` (memory_mb), ``RLIMIT_FSIZE`` (file_mb), no core dumps."""
    import resource

    mem = int(limits["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    size = int(limits["file_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


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
    job = json.loads(Path(job_path).read_text())
    apply_limits(job["limits"])

    import inspect

    from .. import speed, wire
    from ..cases import Case
    from ..outcome import call_learner

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
                outcome = {"timing": timing.to_wire()}
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
