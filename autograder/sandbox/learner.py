"""The learner's side of the sandbox: ``python -m autograder.sandbox.learner JOB EVENTS``.

Two processes, so that nothing the learner's code starts outlives its grading:

* the **supervisor** (this process) never runs learner code. It becomes the *child subreaper*
  of everything below it (``PR_SET_CHILD_SUBREAPER``: an orphan, even a ``setsid`` daemon
  that forked twice, is re-parented to it, never to init), forks the runner, waits for it, then
  kills and reaps every process still below it. On ``SIGTERM`` (the grader's time limit) it does
  the same at once. It ends the way the runner ended (its exit status or its signal).
* the **runner** (its child) sets its own resource limits (:func:`apply_limits`), confines itself
  (:mod:`autograder.sandbox.landlock` where the kernel offers it), then:

  1. runs the learner's cells in order in one namespace (an exception, even ``SystemExit``, ends
     the cell, not the run), capturing what each cell prints and the error it raised;
  2. calls each requested function on each case's arguments (received as JSON, see
     :mod:`autograder.wire`) and sends back each outcome, one JSON line per event.

Expected values never enter these processes; nothing they send back is unpickled or executed by
the grader. They import only what calling a learner needs (:mod:`autograder.outcome`,
:mod:`autograder.wire`, :mod:`autograder.speed`), never the references or the judge.
"""
from __future__ import annotations

import ctypes
import io
import json
import os
import signal
import sys
import traceback
from pathlib import Path

__all__ = ["apply_limits", "main", "OUTPUT_LIMIT"]

OUTPUT_LIMIT = 10_000  # characters of a cell's stdout or stderr kept for the autograded notebook
_PR_SET_CHILD_SUBREAPER, _PR_SET_PDEATHSIG = 36, 1


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


# ----------------------------------------------------------------------------- the supervisor
def _prctl(option: int, value: int) -> bool:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux
        return False


def _descendants() -> list[int]:
    """Processes whose parent is this one (orphans included, thanks to the subreaper)."""
    me, found = os.getpid(), []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(me):
            found.append(int(entry))
    return found


def _sweep() -> None:
    """Kill and reap every process below this one, until none is left."""
    for _ in range(100):
        children = _descendants()
        if not children:
            break
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _supervise(run) -> int:
    """Fork ``run`` as the runner, wait, sweep; end like the runner ended."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    runner = os.fork()
    if runner == 0:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # the runner dies with its supervisor
        code = 1
        try:
            code = run()
        finally:
            os._exit(code)

    def stop(signum, frame):
        _sweep()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            status = 1 << 8
            break
        if pid == runner:
            break  # other pids: orphans re-parented here, reaped as they end
    _sweep()
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)  # end by the same signal, so the grader can say which
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1


# ----------------------------------------------------------------------------- the runner
def _confine(wanted: bool) -> dict:
    """Confine this process with Landlock where the kernel offers it; what held, as plain data.

    Before any module that could start a thread is imported (numpy): on kernels before Landlock
    ABI 8 a thread started earlier would keep its freedom.
    """
    from . import landlock

    if not wanted:
        return landlock.Confinement(landlock.abi(), reason="the grader ran it without confinement").to_dict()
    return landlock.confine(*landlock.learner_paths(Path.cwd())).to_dict()


def _compile(source: str, cell_id: str):
    try:
        return compile(source, f"<cell {cell_id}>", "exec")
    except SyntaxError:
        # IPython syntax (magics, !shell): transform it the way IPython would
        from IPython.core.inputtransformer2 import TransformerManager

        return compile(TransformerManager().transform_cell(source), f"<cell {cell_id}>", "exec")


def _clip(text: str) -> str:
    return text if len(text) <= OUTPUT_LIMIT else text[:OUTPUT_LIMIT] + f"\n... ({len(text) - OUTPUT_LIMIT} more characters)"


def _error(exc: BaseException, cell_id: str) -> dict:
    """The error as a notebook shows it: name, value and the traceback lines of the learner's cell."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<cell ")]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return {"ename": type(exc).__name__, "evalue": _clip(str(exc)), "traceback": [_clip("".join(lines))]}


def _run_cells(job, events, namespace) -> None:
    for cell in job["cells"]:
        _emit(events, event="cell_start", id=cell["id"])
        out, err, error = io.StringIO(), io.StringIO(), None
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            exec(_compile(cell["source"], cell["id"]), namespace)  # noqa: S102 - the learner's own code, here only
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt end the cell only
            error = _error(exc, cell["id"])
        finally:
            sys.stdout, sys.stderr = saved
        _emit(events, event="cell_end", id=cell["id"],
              error=None if error is None else f"{error['ename']}: {error['evalue']}"[:300],
              output={"stdout": _clip(out.getvalue()), "stderr": _clip(err.getvalue()), "error": error})


def _run(job: dict, events_path: str) -> int:
    apply_limits(job["limits"])
    confinement = _confine(job.get("confine", True))

    import inspect

    from .. import speed, wire
    from ..cases import Case
    from ..outcome import call_learner

    # loaded before any learner code runs, like speed's clock: a cell cannot swap them
    baselines = {c["baseline"]: speed.load_baseline(c["baseline"]) for c in job["calls"] if c.get("baseline")}
    events = open(events_path, "a", buffering=1)
    _emit(events, event="confinement", **confinement)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__,
                 "display": lambda *objects, **_: print(*objects)}  # IPython's display, as text
    _run_cells(job, events, namespace)
    seen = set()
    for call in job["calls"]:
        name = call["function"]
        if not name and call.get("baseline"):  # the baseline alone, in a process that ran no learner cell
            _emit(events, event="call_start", key=call["key"])
            kwargs = {k: wire.decode(v) for k, v in call["kwargs"].items()}
            runs, _ = speed.time_runs(baselines[call["baseline"]], kwargs, int(call.get("repeats") or 5))
            _emit(events, event="call_end", key=call["key"], outcome={"baseline_runs": list(runs)})
            continue
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
                repeats = int(call.get("repeats") or 5)
                if call.get("baseline_runs"):
                    timing = speed.measure_against(func, call["baseline_runs"], case.kwargs, repeats)
                else:
                    timing = speed.measure(func, baselines[call["baseline"]], case.kwargs, repeats)
                outcome = {"timing": timing.to_wire()}
            else:
                outcome = call_learner(func, case).to_wire()
        except BaseException as exc:  # noqa: BLE001 - e.g. SystemExit raised by the learner's function
            outcome = {"error": type(exc).__name__, "error_bases": [type(exc).__name__], "message": str(exc)}
        _emit(events, event="call_end", key=call["key"], outcome=outcome)
    _emit(events, event="done")
    events.close()
    os._exit(0)  # skip interpreter teardown: the learner's atexit hooks and finalisers don't run


def main(job_path: str, events_path: str) -> int:
    job = json.loads(Path(job_path).read_text())
    return _supervise(lambda: _run(job, events_path))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
