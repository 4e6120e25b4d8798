"""The grader's side of the learner's process: start it, drive it, time it, stop it.

:func:`run_learner` runs a notebook's learner cells, then the calls the checks need, in a
sandboxed process (:mod:`.learner`), and returns only what came back, checked:

1. a fresh work folder gets the submission's data files (:func:`.files.stage`: regular files
   only, never through a link), a control group is made for the run (:mod:`.cgroups`), two pipes
   are opened, and the learner's side is forked from the zygote (or started as a fresh Python);
2. the supervisor's report of its walls and the learner's process's Landlock report arrive first,
   before any learner code has run: later copies are not read as reports;
3. the cells run in order; then each call is sent on its own and its answer awaited, with a
   limit per cell (``cell_timeout``), per call (``call_timeout``) and for the whole notebook
   (``total_timeout``, cells and calls together, every restart included);
4. a timed call is timed here: the CPU time of the learner's whole process tree (the control
   group's count, else the processes' CPU clocks) is read before the request is sent and after
   its answer arrives. Nothing the learner's process says is a time;
5. every answer must be the one asked for (its ``op`` and ``key``); anything else (a forged or
   garbled message, a message that is too long) stops the process like a crash does.

When the process dies or is stopped (a time limit, ``os._exit``, a segfault, the memory budget, a
message it should not have sent), the grader records where it was, and starts a fresh process
that skips that cell or that function's remaining calls; every other function is still called.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from ..i18n import tr
from . import cgroups, files, held
from .channel import Channel, ChannelError
from .limits import Limits
from .start import learner_env, start

__all__ = ["Call", "LearnerRun", "run_learner", "learner_env", "walls_wanted", "WALLS"]

WALLS = ("landlock", "namespaces", "cgroup")  # what ``confine`` can ask for, one by one


def walls_wanted(confine) -> frozenset:
    """``confine`` as a set of :data:`WALLS`: ``True`` all, ``False`` none, or an iterable of names
    (the tests' controls build one wall at a time, to show what each stops)."""
    if confine is True:
        return frozenset(WALLS)
    if not confine:
        return frozenset()
    chosen = frozenset(confine)
    unknown = chosen - set(WALLS)
    if unknown:
        raise ValueError(f"confine must be True, False or some of {WALLS}; received {sorted(unknown)}")
    return chosen

@dataclasses.dataclass(frozen=True)
class Call:
    """One call the grader asks for: ``function(**kwargs)``; ``key`` identifies it.

    ``timed``: loaded once, then run ``repeats`` times, each run timed from outside; ``baseline``:
    a ``"module:function"`` to time instead of a learner's function (in a process with no cells).
    """

    key: str
    function: str
    kwargs: dict
    timed: bool = False
    baseline: str | None = None
    repeats: int = 5


@dataclasses.dataclass
class LearnerRun:
    """What came back: outcomes by call key, and what went wrong along the way."""

    outcomes: dict = dataclasses.field(default_factory=dict)  # key -> wire dict of an Outcome
    timings: dict = dataclasses.field(default_factory=dict)  # key -> {"runs": [s], "error", "value": best run's}
    missing: set = dataclasses.field(default_factory=set)  # functions the notebook does not define
    signatures: dict = dataclasses.field(default_factory=dict)  # function -> its parameter names
    cell_errors: list = dataclasses.field(default_factory=list)  # "cell <id>: <error>" lines
    broken: dict = dataclasses.field(default_factory=dict)  # function -> why its calls stopped
    outputs: dict = dataclasses.field(default_factory=dict)  # cell id -> {"stdout", "stderr", "error"}
    confinement: dict = dataclasses.field(default_factory=dict)  # which walls held, from the supervisor
    notes: list = dataclasses.field(default_factory=list)  # the grader's notes (files skipped, budget)
    restarts: int = 0
    budget_spent: bool = False


def _signal_name(returncode: int | None) -> str:
    if returncode is None:
        return tr("was stopped")
    if returncode < 0:
        try:
            return tr("killed by {signal}", signal=signal.Signals(-returncode).name)
        except ValueError:
            return tr("killed by signal {number}", number=-returncode)
    return tr("exited with status {status}", status=returncode)


# ----------------------------------------------------------------------------- one learner process
class _Stop(Exception):
    """The learner's process stopped or must be stopped: ``why`` it did."""

    def __init__(self, why: str, kill: bool = True):
        super().__init__(why)
        self.why, self.kill = why, kill


class _Session:
    """One learner process, from its start to its end (see the module)."""

    def __init__(self, proc, channel: Channel, group, limits: Limits, budget_end: float, no_group: str = ""):
        self.proc, self.channel, self.group, self.limits, self.budget_end = proc, channel, group, limits, budget_end
        self.no_group = no_group
        self.where: tuple[str, str] = ("start", "")
        if group is not None and group.cpu_seconds() is not None:
            self.cpu = group.cpu_seconds
        elif os.path.isdir(f"/proc/{proc.pid}/task"):
            self.cpu = lambda: cgroups.tree_cpu_seconds(proc.pid)
        else:  # no /proc (macOS): the grader's own clock, which load stretches but no learner can set
            self.cpu = time.perf_counter

    def _expect(self, op: str, limit: float, **fields) -> dict:
        """The next message, which must be ``op`` with these fields, within ``limit`` seconds."""
        end = min(time.monotonic() + limit, self.budget_end)
        try:
            message = self.channel.receive(max(0.0, end - time.monotonic()))
        except ChannelError as exc:
            if self.proc.poll() is not None or "closed" in str(exc):
                raise _Stop(_signal_name(self._exit_status())) from None
            raise _Stop(tr("sent something that is not a message ({problem}) and was stopped", problem=exc)) from None
        if message is None:
            if time.monotonic() >= self.budget_end:
                raise _Stop("budget")
            raise _Stop(tr("ran longer than {limit:g} s and was stopped", limit=limit))
        if message.get("op") != op or any(message.get(k) != v for k, v in fields.items()):
            raise _Stop(tr("sent a message the grader did not ask for and was stopped"))
        return message

    def _exit_status(self):
        try:
            return self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None

    def handshake(self, result: LearnerRun) -> None:
        walls = self._expect("walls", max(self.limits.cell_timeout, 10.0))
        landlock = self._expect("confinement", max(self.limits.cell_timeout, 10.0))
        if not result.confinement:
            result.confinement = held.account(walls, landlock, self.group, self.no_group)

    def cells(self, cells: list[dict], functions: list[str], result: LearnerRun) -> None:
        self.channel.send({"op": "job", "cells": cells, "functions": functions})
        for cell in cells:
            self._expect("cell", self.limits.cell_timeout, id=cell["id"], phase="start")
            self.where = ("cell", cell["id"])
            end = self._expect("cell", self.limits.cell_timeout, id=cell["id"], phase="end")
            output = _output(end.get("output"))
            result.outputs[cell["id"]] = output
            if output["error"]:
                error = f"{output['error']['ename']}: {output['error']['evalue']}"[:300]
                result.cell_errors.append(tr("cell {name}: {error}", name=cell["id"], error=error))
        self.where = ("between", "")
        found = self._expect("functions", self.limits.cell_timeout).get("found")
        for name in functions:
            params = found.get(name) if isinstance(found, dict) else None
            if isinstance(params, list):
                result.signatures[name] = [str(p)[:100] for p in params][:50]
            else:
                result.missing.add(name)

    def call(self, call: Call, result: LearnerRun) -> None:
        from .. import wire

        self.where = ("call", call.key)
        kwargs = {k: wire.encode(v) for k, v in call.kwargs.items()}
        if not call.timed:
            self.channel.send({"op": "call", "key": call.key, "function": call.function, "kwargs": kwargs})
            result.outcomes[call.key] = _outcome(self._expect("result", self.limits.call_timeout, key=call.key))
            return
        self.channel.send({"op": "load", "key": call.key, "function": call.function, "baseline": call.baseline,
                           "kwargs": kwargs})
        self._expect("loaded", self.limits.call_timeout, key=call.key)
        runs, digests, error = [], [], None
        for _ in range(max(1, call.repeats)):
            before = self.cpu()
            self.channel.send({"op": "run", "key": call.key})
            answer = _outcome(self._expect("result", self.limits.call_timeout, key=call.key))
            runs.append(max(0.0, self.cpu() - before))
            if answer.get("error") is not None or not isinstance(answer.get("digest"), str):
                error = answer if answer.get("error") is not None else {"error": "Invalid", "message": "no digest"}
                break
            digests.append(answer["digest"])
        value = None
        if error is None:
            best = min(range(len(runs)), key=runs.__getitem__)
            self.channel.send({"op": "fetch", "key": call.key, "run": best})
            value = _outcome(self._expect("result", self.limits.call_timeout, key=call.key)).get("value")
            if _fingerprint(value) != digests[best]:
                raise _Stop(tr("sent a value that is not the one it timed and was stopped"))
        result.timings[call.key] = {"runs": runs, "error": error, "value": value}

    def end(self) -> None:
        try:
            self.channel.send({"op": "end"})
        except ChannelError:
            pass
        if self._exit_status() is None:
            stop(self.proc)

    def stop(self) -> None:
        stop(self.proc)


def stop(proc) -> None:
    """Stop the learner's side: ``SIGTERM`` asks the supervisor (which never runs learner code) to
    kill everything below it (the PID namespace's init, or every process of its tree); ``SIGKILL``
    to its whole process group follows if it has not ended within a second."""
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=1.0)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5.0)
    except subprocess.TimeoutExpired:
        pass


def run_learner(cells: list[dict], calls: list[Call], limits: Limits = Limits(),
                files_from: Path | None = None, python: str | None = None, confine: bool = True,
                zygote=None) -> LearnerRun:
    """Run ``cells`` (dicts with ``id`` and ``source``) then ``calls`` in the sandbox (see the module).

    ``confine``: build every wall the host allows (namespaces, control group, Landlock); ``False``
    runs the learner's code with none of them, a set of :data:`WALLS` only those (the tests' controls). ``zygote``: a
    :class:`~autograder.sandbox.zygote.Zygote` to fork the learner's side from (else a fresh Python).
    """
    result = LearnerRun()
    confine = walls_wanted(confine)
    budget_end = time.monotonic() + limits.total_timeout
    skip_cells: set[str] = set()
    pending = list(calls)
    functions = sorted({c.function for c in calls if c.function})
    for attempt in range(len(cells) + len(functions) + 2):
        where, why = _attempt([c for c in cells if c["id"] not in skip_cells], pending, functions, limits,
                              files_from, python, confine, zygote, budget_end, result, first=attempt == 0)
        done = set(result.outcomes) | set(result.timings)
        pending = [c for c in pending if c.key not in done and c.function not in result.broken
                   and c.function not in result.missing]
        if where is None:
            break
        if why == "budget":
            _spend_budget(limits, pending, result)
            break
        result.restarts += 1
        kind, name = where
        if kind == "cell":
            skip_cells.add(name)
            result.cell_errors.append(tr("cell {name}: the process {why}; that cell was skipped", name=name, why=why))
        elif kind == "call":
            call = next((c for c in calls if c.key == name), None)
            if call is not None:
                result.broken[call.function or call.key] = tr("the call {why}", why=why)
                pending = [c for c in pending if c.function != call.function or (not c.function and c.key != name)]
        else:  # died before, between or after cells and calls
            for c in pending:
                result.broken.setdefault(c.function or c.key, tr("the learner's process {why}", why=why))
            break
        if not pending:
            break
    return result


def _close(fds: list) -> None:
    """Close each descriptor of ``fds`` once, and empty the list."""
    while fds:
        try:
            os.close(fds.pop())
        except OSError:
            pass


def _spend_budget(limits: Limits, pending: list[Call], result: LearnerRun) -> None:
    result.budget_spent = True
    why = tr("was not run: the notebook's time budget of {limit:g} s (cells and calls together) ran out",
             limit=limits.total_timeout)
    result.notes.append(why)
    for c in pending:
        result.broken.setdefault(c.function or c.key, why)


def _attempt(cells, calls, functions, limits, files_from, python, confine, zygote, budget_end, result, first):
    """One learner process: ``(None, "")`` when it finished, else ``(where, why)`` it stopped."""
    with tempfile.TemporaryDirectory(prefix="learner-") as base:
        os.chmod(base, 0o711)  # the learner's user (nobody, when the grader is root) reaches its folder
        work = Path(base) / "work"
        work.mkdir()
        if files_from is not None and Path(files_from).is_dir():
            skipped = files.stage(Path(files_from), work)
            if first:
                result.notes += [tr("not given to the notebook: {what}", what=s) for s in skipped]
        if os.geteuid() == 0:
            os.chown(work, 65534, 65534)
        group, no_group = (cgroups.create(limits.memory_mb, limits.processes) if "cgroup" in confine
                           else (None, "the grader ran it without a control group"))
        to_learner, from_grader = os.pipe()
        to_grader, from_learner = os.pipe()
        theirs = [to_learner, from_learner]  # the learner's ends: closed here once it has them
        request = {"work": str(work), "cgroup": group.procs_files if group else [], "walls": sorted(confine),
                   "limits": dataclasses.asdict(limits)}
        proc = channel = None
        try:
            channel = Channel(to_grader, from_grader)
            proc = start(request, (to_learner, from_learner), python, zygote)
            _close(theirs)
            session = _Session(proc, channel, group, limits, budget_end, no_group)
            try:
                session.handshake(result)
                session.cells(cells, functions, result)
                for call in calls:
                    if call.function in result.missing:
                        continue
                    session.call(call, result)
                session.end()
                return None, ""
            except (_Stop, ChannelError) as stopped:
                why = stopped.why if isinstance(stopped, _Stop) else str(stopped)
                session.stop()
                if group is not None and group.out_of_memory():
                    why = tr("ran out of its memory budget ({mb} MB for all its processes) and was stopped",
                             mb=limits.memory_mb)
                where = session.where if session.where[0] in ("cell", "call") else ("start", "")
                return where, why
        finally:
            _close(theirs)  # never twice: another thread may already have the same numbers
            if channel is not None:
                channel.close()
            else:
                _close([to_grader, from_grader])
            if proc is not None and proc.poll() is None:
                stop(proc)
            if group is not None:
                group.remove()


def _fingerprint(value) -> str | None:
    from .. import speed, wire

    try:
        return speed.fingerprint(wire.decode(value))
    except Exception:  # noqa: BLE001 - a value that cannot be read matches no digest
        return None


def _outcome(message: dict) -> dict:
    outcome = message.get("outcome")
    return outcome if isinstance(outcome, dict) else {"error": "Invalid", "message": "no outcome"}


def _output(data) -> dict:
    """A cell's captured output, each field checked (it comes from the learner's process)."""
    data = data if isinstance(data, dict) else {}
    error = data.get("error")
    if isinstance(error, dict):
        error = {"ename": str(error.get("ename", ""))[:200], "evalue": str(error.get("evalue", ""))[:12000],
                 "traceback": [str(line)[:12000] for line in (error.get("traceback") or [])][:20]}
    else:
        error = None
    return {"stdout": str(data.get("stdout") or "")[:12000], "stderr": str(data.get("stderr") or "")[:12000],
            "error": error}
