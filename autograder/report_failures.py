"""The class report's failing cases: read from the autograded notebooks' test cells.

Each failing check's message names its smallest failing case ("The smallest failing case
(LABEL):", in either language); the report counts learners per label. Under partial credit a
failing check is a stream output with the points as the cell's value, not an error.
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

__all__ = ["failure_label", "read_failures", "NOT_WRITTEN"]

NOT_WRITTEN = "not written yet (still raises NotImplementedError)"
_SMALLEST = re.compile(r"(?:The smallest failing case \((?P<en>.*)\):|最小的未通过用例（(?P<zh>.*)）：)[ \t]*$", re.M)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CHECK = re.compile(r"^(?P<exercise>.+)_(?P<which>visible|hidden)$")


def failure_label(output: dict) -> str:
    """The label of the smallest failing case in an error output, or what else went wrong."""
    evalue = output.get("evalue", "") or ""
    text = _ANSI.sub("", evalue + "\n" + "\n".join(output.get("traceback", []) or []))
    found = _SMALLEST.search(text)
    if found:
        return found.group("en") if found.group("en") is not None else found.group("zh")
    if output.get("ename") == "NotImplementedError" or "is not written yet" in text or "尚未实现" in text:
        return NOT_WRITTEN
    first = next((line.strip() for line in evalue.splitlines() if line.strip()), "")
    return f"{output.get('ename', 'error')}: {first}"[:160]


def read_failures(autograded: Path, data) -> dict[tuple[str, str, str], dict[str, list[str]]]:
    """(assignment, exercise, check) -> failing-case label -> students, from the autograded notebooks of
    ``data`` (the report's ``ClassData``);
    and, into ``data.unreadable``, why a submission that could not be read was not."""
    import nbformat

    from .nbgrader_plugin.unreadable import reason

    failures: dict = defaultdict(lambda: defaultdict(list))
    for sub in data.submissions:
        folder = Path(autograded) / sub.student / sub.assignment
        for path in sorted(folder.glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            why = reason(nb)
            if why:
                data.unreadable[(sub.student, sub.assignment)] = why
                continue  # its checks all failed for that one reason, which says nothing about the exercises
            for cell in nb.cells:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if cell.cell_type != "code" or not meta.get("grade"):
                    continue
                name = meta.get("grade_id", cell.get("id", ""))
                match = _CHECK.match(name)
                exercise, which = (match["exercise"], match["which"]) if match else (name, "")
                outputs = cell.get("outputs", [])
                partial = any(o.get("output_type") == "execute_result" for o in outputs)  # partial credit
                for output in outputs:
                    if output.get("output_type") == "error" or (partial and output.get("output_type") == "stream"):
                        shown = output if output.get("output_type") == "error" else {
                            "ename": "ExerciseFailed", "evalue": "".join(output.get("text", ""))}
                        failures[(sub.assignment, exercise, which)][failure_label(shown)].append(sub.student)
                        break  # one failure per cell and submission
    return failures
