"""What the learner's process does once it is walled in and confined: the grader's requests, in order.

Requests (one JSON message each, from the grader) and answers (to the grader):

1. ``{"op": "job", "cells": [{"id", "source"}...], "functions": [names]}``: run the cells in
   order in one namespace (``cell`` messages with ``phase`` ``start`` and ``end``, the end with what
   the cell printed and the error it raised); then ``{"op": "functions", "found": {name: [its
   parameter names] or null}}``;
2. ``{"op": "call", "key", "function", "kwargs"}``: call it on fresh copies of the case's
   arguments; ``{"op": "result", "key", "outcome"}`` (:class:`autograder.outcome.Outcome`);
3. ``{"op": "load", "key", "function" or "baseline", "kwargs"}`` then ``{"op": "run", "key"}`` as
   often as the grader wants: a timed call. The grader reads the CPU time of this process tree
   around each ``run`` and its answer (``result`` with a digest of the value); then ``{"op":
   "fetch", "key", "run"}`` asks for one run's value, which must match that run's digest (and
   which the grader checks against TensorFlow). Nothing here measures or reports a time;
4. ``{"op": "end"}``.

Nothing here is trusted by the grader once a cell has run: learner code can rewrite this module
in its own process. The grader checks every answer against what it asked.
"""
from __future__ import annotations

import inspect
import io
import sys
import traceback

from .. import speed, wire
from ..cases import Case
from ..outcome import call_learner
from .channel import Channel

__all__ = ["serve", "OUTPUT_LIMIT"]

OUTPUT_LIMIT = 10_000  # characters of a cell's stdout or stderr kept for the autograded notebook


def clip(text: str) -> str:
    return text if len(text) <= OUTPUT_LIMIT else text[:OUTPUT_LIMIT] + f"\n... ({len(text) - OUTPUT_LIMIT} more characters)"


def error_of(exc: BaseException) -> dict:
    """The error as a notebook shows it: name, value and the traceback lines of the learner's cell."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<cell ")]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return {"ename": type(exc).__name__, "evalue": clip(str(exc)), "traceback": [clip("".join(lines))]}


class Discard(io.TextIOBase):
    """Where a function's prints go while the checks call it: nowhere."""

    def write(self, text):
        return len(text)


def _compile(source: str, cell_id: str):
    try:
        return compile(source, f"<cell {cell_id}>", "exec")
    except SyntaxError:
        # IPython syntax (magics, !shell): transform it the way IPython would
        from IPython.core.inputtransformer2 import TransformerManager

        return compile(TransformerManager().transform_cell(source), f"<cell {cell_id}>", "exec")


def _run_cells(channel: Channel, cells: list, namespace: dict) -> None:
    for cell in cells:
        cell_id = str(cell["id"])
        channel.send({"op": "cell", "id": cell_id, "phase": "start"})
        out, err, error = io.StringIO(), io.StringIO(), None
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            exec(_compile(cell["source"], cell_id), namespace)  # noqa: S102 - the learner's own code, here only
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt end the cell only
            error = error_of(exc)
        finally:
            sys.stdout, sys.stderr = saved
        channel.send({"op": "cell", "id": cell_id, "phase": "end",
                      "output": {"stdout": clip(out.getvalue()), "stderr": clip(err.getvalue()), "error": error}})


def _parameters(func) -> list | None:
    if not callable(func):
        return None
    try:
        return list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return []


def _failed(exc: BaseException) -> dict:
    bases = [c.__name__ for c in type(exc).__mro__]
    return {"error": bases[0], "error_bases": bases, "message": str(exc)[:2000]}


def serve(channel: Channel) -> None:
    job = channel.receive()
    namespace = {"__name__": "__main__", "__builtins__": __builtins__,
                 "display": lambda *objects, **_: print(*objects)}  # IPython's display, as text
    _run_cells(channel, job.get("cells", []), namespace)
    channel.send({"op": "functions", "found": {name: _parameters(namespace.get(name)) for name in job.get("functions", [])}})
    loaded: dict = {}
    quiet = Discard()
    while True:
        request = channel.receive()
        op, key = request.get("op"), request.get("key")
        if op == "end":
            return
        sys.stdout = sys.stderr = quiet
        try:
            if op == "call":
                case = Case({k: wire.decode(v) for k, v in request["kwargs"].items()}, "")
                outcome = call_learner(namespace.get(request["function"]), case).to_wire()
            elif op == "load":
                if request.get("baseline"):
                    func = speed.load_baseline(request["baseline"])
                else:
                    func = namespace.get(request["function"])
                loaded[key] = (func, {k: wire.decode(v) for k, v in request["kwargs"].items()}, [])
                channel.send({"op": "loaded", "key": key})
                continue
            elif op == "run":  # one timed call of what was loaded: its digest only (cheap to send)
                func, kwargs, values = loaded[key]
                try:
                    values.append(speed.run_once(func, kwargs))
                    outcome = {"digest": speed.fingerprint(values[-1])}
                except Exception as exc:  # noqa: BLE001 - the learner's function failed on the speed input
                    outcome = _failed(exc)
            else:  # "fetch": the value of one timed run, which the grader checks against its digest
                outcome = {"value": wire.encode(loaded[key][2][int(request["run"])])}
        except BaseException as exc:  # noqa: BLE001 - e.g. SystemExit raised by the learner's function
            outcome = _failed(exc)
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        channel.send({"op": "result", "key": key, "outcome": outcome})
