"""Messages a learner can act on.

A failure names the smallest failing case as a call of the learner's own function, says what
differs (see :mod:`autograder.compare`), where the first wrong element comes from, and shows the
expected output (from TensorFlow) beside the learner's when both are small enough to read. Large
arrays are never printed whole.
"""
from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from .i18n import exercise_text, label, tr

__all__ = ["format_value", "format_array", "failure_report", "pass_report", "practice_note", "SHOW_MAX"]

SHOW_MAX = 64  # arrays with more elements than this are summarised, not printed


def format_value(value: Any) -> str:
    """``value`` as Python source a learner can paste, or a one-line summary when too big."""
    if isinstance(value, np.ndarray):
        if value.size > SHOW_MAX:
            return tr("<{dtype} array of shape {shape}>", dtype=value.dtype, shape=value.shape)
        body = np.array2string(value, separator=", ", max_line_width=10_000, threshold=SHOW_MAX)
        return f"np.array({' '.join(body.split())}, dtype=np.{value.dtype})"
    if isinstance(value, np.generic):
        return f"np.{value.dtype}({value.item()!r})"
    from .compare import safe_repr

    return safe_repr(value, 2000)


def format_array(value: Any, indent: str = "    ") -> str:
    """A readable block for an expected or returned value (summarised when large)."""
    if isinstance(value, np.ndarray):
        if value.size > SHOW_MAX:
            return indent + tr("<{dtype} array of shape {shape}: too large to show>", dtype=value.dtype, shape=value.shape)
        text = np.array2string(value, threshold=SHOW_MAX)
        return textwrap.indent(text + "   " + tr("(shape {shape}, dtype {dtype})", shape=value.shape, dtype=value.dtype),
                               indent)
    from .compare import safe_repr

    return f"{indent}{safe_repr(value, 2000)}"


def _cases(n: int, which: str) -> str:
    """``7 visible cases`` / ``1 hidden case``, in the language spoken."""
    if which == "visible":
        return tr("{n} visible case", n=n) if n == 1 else tr("{n} visible cases", n=n)
    return tr("{n} hidden case", n=n) if n == 1 else tr("{n} hidden cases", n=n)


# What went wrong, in the first line of a failure (what `make check` prints), by Failure.kind
_KIND_LABELS = {
    "values": lambda: tr("wrong values"), "shape": lambda: tr("wrong shape"), "dtype": lambda: tr("wrong dtype"),
    "type": lambda: tr("wrong kind of value"), "raises": lambda: tr("an error that should be raised is not"),
    "error": lambda: tr("an exception"), "name": lambda: tr("a name that is not defined"),
    "stopped": lambda: tr("stopped (too long, or the process crashed)"),
    "mutated": lambda: tr("the input changed in place"), "speed": lambda: tr("too slow"),
}
# The hint for a kind of failure the exercise's own hints (about its windows and formulas) do not help with
_KIND_HINTS = {
    "dtype": lambda: tr("the dtype is part of the answer: the expected value above says which one TensorFlow returns "
                        "for this input. Build your output with that dtype, or cast it at the end with `.astype(...)`."),
    "raises": lambda: tr("the task lists the arguments that must raise an error: check each one first, before "
                         "computing anything, and raise it with a message that names the argument and the value "
                         "received."),
    "error": lambda: tr("your function raised an exception on this case: run the case yourself (the last line) and "
                        "read the traceback; the line it points at is where to look."),
    "name": lambda: tr("a name your function uses is not defined where it runs: did the cell that defines it (your "
                       "helpers cell?) fail, or not run? Run that cell again and read its error."),
    "stopped": lambda: tr("your function did not finish this case in time, or stopped the process: look for a loop "
                          "that never ends, or an array far larger than the input."),
    "mutated": lambda: tr("work on a copy (`x = value.copy()`) or build a new array: never write into the input."),
    "speed": lambda: tr("time your function and the loop on the speed input (`%timeit`): every Python loop over "
                        "output rows, columns or elements must go; the notebook's section on vectorising shows how."),
}


def kind_label(kind: str) -> str:
    """A failure's kind in a few words, in the language spoken."""
    return _KIND_LABELS.get(kind, _KIND_LABELS["values"])()


def failure_report(exercise, which: str, failures: list, total: int, device: str) -> str:
    """The message for a check that failed.

    Args:
        exercise: the :class:`~autograder.registry.Exercise`.
        which: ``"visible"`` or ``"hidden"``.
        failures: :class:`~autograder.judge.Failure` records, smallest case first.
        total: how many cases were run.
        device: where the TensorFlow references ran.
    """
    first = failures[0]
    fn = exercise.function
    if first.case is None:  # the cause comes first, alone: no case count, no unrelated case or hint
        return first.problem
    if all(f.unwritten for f in failures):
        return tr("{fn} is not written yet: replace `raise NotImplementedError()` in its cell with your code.", fn=fn)
    lines = [
        tr("{fn}: {failed} of {cases} failed: {what}.", fn=fn, failed=len(failures), cases=_cases(total, which),
           what=kind_label(first.kind)),
        "",
        tr("The smallest failing case ({label}):", label=label(first.case.label)),
        f"    {first.case.call(fn)}",
        "",
        first.problem,
    ]
    if first.where:
        lines.append(first.where)
    if first.show_values:
        lines += [
            "",
            tr("expected (TensorFlow {op} on {device}):", op=label(exercise.reference_op), device=device),
            format_array(first.expected),
            tr("yours:"),
            format_array(first.actual),
        ]
    others = sorted({label(f.case.label) for f in failures[1:]} - {label(first.case.label)})
    if others:
        lines += ["", tr("Other failing cases: {cases}", cases=tr("; ").join(others[:6]) + (tr("; ") + "..." if len(others) > 6 else ""))]
    hints = exercise_text(exercise, "hints")
    if first.kind in _KIND_HINTS:  # the failure's own kind of hint: a dtype, a missing error, speed...
        lines += ["", tr("Hint: {hint}{more}", hint=_KIND_HINTS[first.kind](), more="")]
    elif hints:
        more = tr(" (more hints, one step at a time, under the exercise in the notebook)") if len(hints) > 1 else ""
        lines += ["", tr("Hint: {hint}{more}", hint=hints[0], more=more)]
    lines += [
        "",
        tr("To try this case yourself: case = autograder.last_failure(); {call}", call=f"{fn}(**case.kwargs)"),
    ]
    return "\n".join(lines)


def pass_report(exercise, which: str, total: int, device: str, tf_version: str) -> str:
    """The line printed when every case passed; it names the library the reference comes from, at its
    own version (a Keras layer's answers are Keras', which has its own version number)."""
    what = tr(" ({covers})", covers=exercise_text(exercise, "covers")) if which == "visible" else ""
    framework, version = "TensorFlow", tf_version
    if exercise.reference_op.startswith("keras."):
        from .tfops import keras_version

        framework, version = "Keras", keras_version()
    return "\u2714 " + tr("{fn}: all {cases} passed{what}. Checked against {framework} {version} {op} on {device}.",
                           fn=exercise.function, cases=_cases(total, which), what=what, framework=framework,
                           version=version, op=label(exercise.reference_op), device=device)


def practice_note(total: int) -> str:
    """Said above a hidden check run without the grading secret (a learner's own machine)."""
    return tr("Practice: the graded hidden cases are your instructor's (drawn from a grading secret you do not "
              "have). These {total} practice cases are built the same way: passing them is a good sign, not a "
              "guarantee.", total=total)
