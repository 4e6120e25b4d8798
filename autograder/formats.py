"""The grading command's output formats: a table, JSON, JUnit XML, Gradescope's results.json."""
from __future__ import annotations

import json
import re
from xml.etree import ElementTree

__all__ = ["FORMATS", "as_table", "as_json", "as_junit", "as_gradescope", "printable", "render", "summary"]

FORMATS = ("table", "json", "junit", "gradescope")


# Characters a terminal or an XML parser acts on: C0/C1 controls (escape sequences that rewrite the
# instructor's terminal; XML 1.0 refuses most of them) and the bidirectional overrides that reorder
# what is shown. A student id is a folder name, a note names a learner's file: both are hostile.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def printable(text: str) -> str:
    """``text`` with every control or bidirectional-override character written as its escape
    (``\\x1b``, ``\\u202e``); newlines and tabs are kept."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def _first_line(text: str) -> str:
    return next((line for line in text.strip().splitlines() if line.strip()), "")


def as_table(results) -> str:
    lines = []
    for r in results:
        lines.append(f"{r.student or r.path}  {r.assignment}  {r.score}/{r.max_score}")
        if r.error:
            lines.append(f"  ! {r.error}")
        for c in r.cells:
            mark = "\u2714" if c["passed"] else "\u2718"
            lines.append(f"  {mark} {c['grade_id']:<32} {c['score']}/{c['max_score']}  {_first_line(c['message'])[:100]}")
    return printable("\n".join(lines))


def as_json(results, head: dict) -> str:
    """The results as :mod:`autograder.results` writes them (``head``: its header)."""
    from . import results as results_module

    return results_module.dump(head, results)


def as_junit(results) -> str:
    suites = ElementTree.Element("testsuites")
    for r in results:
        cells = r.cells
        suite = ElementTree.SubElement(suites, "testsuite", name=f"{r.student}/{r.assignment}",
                                       tests=str(len(cells)), failures=str(sum(not c["passed"] for c in cells)))
        for c in cells:
            case = ElementTree.SubElement(suite, "testcase", classname=f"{r.assignment}.{r.student}", name=c["grade_id"])
            if c["passed"]:
                ElementTree.SubElement(case, "system-out").text = c["message"]
            else:
                failure = ElementTree.SubElement(case, "failure", message=_first_line(c["message"])[:200])
                failure.text = c["message"]
    for element in suites.iter():  # a folder name or a note may hold characters XML 1.0 refuses
        element.attrib = {k: printable(v) for k, v in element.attrib.items()}
        if element.text:
            element.text = printable(element.text)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)


def as_gradescope(results) -> str:
    """Gradescope's ``results.json`` for one submission; ``ValueError`` for any other count."""
    if len(results) != 1:
        raise ValueError(f"--format gradescope writes one submission's results.json; {len(results)} were found")
    r = results[0]
    tests = [dict(name=c["grade_id"], score=c["score"], max_score=c["max_score"],
                  status="passed" if c["passed"] else "failed", output=c["message"],
                  visibility="after_published" if c["which"] == "hidden" else "visible") for c in r.cells]
    return json.dumps({"score": r.score, "output": r.error or f"{r.assignment}: {r.score}/{r.max_score}",
                       "tests": tests, "visibility": "visible", "stdout_visibility": "hidden"}, indent=2)


def render(results, fmt: str, head: dict) -> str:
    """``results`` in format ``fmt`` (one of :data:`FORMATS`); ``head``: the JSON header."""
    return {"table": as_table, "json": lambda r: as_json(r, head), "junit": as_junit,
            "gradescope": as_gradescope}[fmt](results)


def summary(results) -> str:
    """The line after a grading run's results: how many were graded, with full marks, with points
    lost (and how many points), how many could not be graded, the grader's own problems."""
    graded = len(results)
    full = sum(r.score == r.max_score and not r.error for r in results)
    unreadable = sum(bool(r.error) for r in results)
    lost = sum(r.max_score - r.score for r in results)
    top = sum(r.max_score for r in results)
    problems = len({note for r in results for note in getattr(r, "grader_notes", ())})
    return (f"Summary: {graded} graded: {full} with full marks, {graded - full} with points lost ({lost:g} of "
            f"{top:g} points{f'; {unreadable} could not be graded' if unreadable else ''}); "
            f"problems of the grader itself: {problems}.")
