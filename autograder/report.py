"""The class report: what an instructor reads the morning after a deadline.

    python -m autograder report [--assignment A]... [--gradebook WORKSPACE/gradebook.db]
                                [--autograded WORKSPACE/autograded] [--output WORKSPACE/report.html]
                                [--language en|zh]

Run it from the course root after ``nbgrader autograde``. ``WORKSPACE`` is the grading workspace,
``grading/`` or the folder ``COURSE_WORKSPACE`` names (:mod:`autograder.workspace`). It

1. reads nbgrader's gradebook (from a copy: the gradebook itself is never written) for the
   assignments someone has submitted (``make course`` registers every assignment; one nobody has
   handed in yet is left out, and said so), or those ``--assignment`` names: their submissions,
   total scores and the score of every grade cell;
2. reads the autograded notebooks' grade cells: a failing check raises ``ExerciseFailed``, whose
   message names "The smallest failing case (<label>):" (in a Chinese notebook
   "最小的未通过用例（<label>）："); those labels are counted per exercise
   (an exercise's grade cells are ``<exercise>_visible`` and ``<exercise>_hidden``); a submission
   that could not be read (see :mod:`autograder.nbgrader_plugin.unreadable`) is listed with its reason;
3. writes one self-contained HTML file (figures embedded as PNG; laid out by the Jinja2 template
   ``autograder/templates/report.html.j2``, which escapes every value): a summary (students,
   submissions, mean and median per assignment), the score histogram of each assignment, the
   pass rate of each autograded grade cell, the most common failing cases, and every student's
   scores.

The page's labels are in the course's language: ``--language``, else ``COURSE_LANGUAGE``, else
English (the template says its texts through ``tr``, :func:`autograder.i18n.tr`).

A missing or empty gradebook gets a message saying what to run, and exit status 1.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from . import report_charts as charts
from .i18n import language as spoken_language, speaking, tr
from .report_failures import NOT_WRITTEN, failure_label, read_failures

__all__ = ["main", "read_gradebook", "read_failures", "render", "failure_label", "defaults",
           "ReportError", "NOT_WRITTEN"]
TOP_CASES = 5  # failing cases listed per exercise and check


class ReportError(Exception):
    """The report cannot be made; the message says why and what to do."""


@dataclasses.dataclass
class Cell:
    """One grade cell of one submission."""

    name: str
    score: float
    max_score: float
    autograded: bool  # a code (test) cell; False for a written answer graded by hand
    needs_manual_grade: bool

    @property
    def passed(self) -> bool:
        return self.max_score > 0 and self.score >= self.max_score - 1e-9


@dataclasses.dataclass
class Submission:
    assignment: str
    student: str
    score: float
    max_score: float
    needs_manual_grade: bool
    cells: list[Cell]
    late_penalty: float = 0.0  # already taken off score


@dataclasses.dataclass
class ClassData:
    """Everything the report shows from the gradebook."""

    students: list[str]
    assignments: dict[str, float]  # name -> max score, in name order
    grade_cells: dict[str, list[tuple[str, float, bool]]]  # assignment -> (cell, points, autograded)
    submissions: list[Submission]
    left_out: list[str] = dataclasses.field(default_factory=list)  # registered, but nobody has submitted them
    unreadable: dict = dataclasses.field(default_factory=dict)  # (student, assignment) -> why it could not be read

    def of(self, assignment: str) -> list[Submission]:
        return [s for s in self.submissions if s.assignment == assignment]


def defaults() -> dict[str, Path]:
    """The report's folders in the grading workspace (``grading/`` or ``$COURSE_WORKSPACE``)."""
    from .workspace import workspace

    root = workspace()
    return {"gradebook": root / "gradebook.db", "autograded": root / "autograded", "output": root / "report.html"}


def read_gradebook(path: Path, assignments: list[str] | None = None) -> ClassData:
    """The gradebook's assignments, grade cells and submissions (read from a temporary copy):
    ``assignments``, or else every assignment with at least one submission."""
    path = Path(path)
    if not path.is_file():
        raise ReportError(f"No gradebook at {path}. Run `nbgrader autograde <assignment>` from the course root "
                          "first, or pass --gradebook.")
    if "submitted_assignment" not in _tables(path):  # an empty file, or a database nbgrader never filled
        raise ReportError(f"The gradebook at {path} is empty: nothing has been graded yet. "
                          "Run `nbgrader autograde <assignment>` first.")
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SQLAlchemyError

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "gradebook.db"
        shutil.copyfile(path, copy)  # Gradebook() adds tables and a course row to what it opens
        try:
            with Gradebook(f"sqlite:///{copy}") as gb:
                return _class_data(gb, assignments)
        except SQLAlchemyError as exc:
            raise ReportError(f"Cannot read the gradebook at {path}: {type(exc).__name__}: "
                              f"{str(exc).splitlines()[0]}") from None


def _tables(path: Path) -> set[str]:
    """The tables of an SQLite file, opened read-only."""
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise ReportError(f"Cannot read the gradebook at {path}: {exc}") from None


def _class_data(gb, chosen: list[str] | None = None) -> ClassData:
    assignments, grade_cells, submissions, left_out = {}, {}, [], []
    known = sorted(gb.assignments, key=lambda a: a.name)
    unknown = sorted(set(chosen or ()) - {a.name for a in known})
    if unknown:
        raise ReportError(f"No assignment {', '.join(unknown)} in the gradebook; it has "
                          f"{', '.join(a.name for a in known) or 'none'}.")
    for assignment in known:
        if chosen and assignment.name not in chosen:
            continue
        if not chosen and not assignment.submissions:
            left_out.append(assignment.name)
            continue
        assignments[assignment.name] = float(assignment.max_score)
        grade_cells[assignment.name] = [(c.name, float(c.max_score), c.cell_type == "code")
                                        for nb in assignment.notebooks for c in nb.grade_cells]
        for sub in assignment.submissions:
            cells = [Cell(g.name, float(g.score), float(g.max_score), g.cell_type == "code", bool(g.needs_manual_grade))
                     for nb in sub.notebooks for g in nb.grades]
            # the score after nbgrader's late penalty, as `nbgrader export` computes it
            penalty = float(sub.late_submission_penalty or 0.0)
            submissions.append(Submission(assignment.name, sub.student.id, max(0.0, float(sub.score) - penalty),
                                          float(sub.max_score), bool(sub.needs_manual_grade), cells, penalty))
    return ClassData(sorted(s.id for s in gb.students), assignments, grade_cells, submissions, left_out)


def read_results(paths: list, chosen: list[str] | None = None) -> tuple[ClassData, dict]:
    """The class and its failing cases from JSON results (``grade --format json``, or the shards
    of ``grade --shard K/N``, merged): the automatic checks only (no written answers, no penalty);
    ``chosen``: only these assignments."""
    from .results import MergeError, merge

    try:
        _, results = merge([Path(p) for p in paths])
    except MergeError as exc:
        raise ReportError(str(exc)) from None
    unknown = sorted(set(chosen or ()) - {r.assignment for r in results})
    if unknown:
        raise ReportError(f"No submission of {', '.join(unknown)} in {', '.join(map(str, paths))}.")
    assignments, grade_cells, submissions, unreadable = {}, {}, [], {}
    failures: dict = defaultdict(lambda: defaultdict(list))
    for r in results:
        if chosen and r.assignment not in chosen:
            continue
        if r.error and not any(c["passed"] for c in r.cells):
            unreadable[(r.student, r.assignment)] = r.error
        assignments[r.assignment] = float(r.max_score)
        grade_cells.setdefault(r.assignment, [(c["grade_id"], float(c["max_score"]), True) for c in r.cells])
        cells = [Cell(c["grade_id"], float(c["score"]), float(c["max_score"]), True, False) for c in r.cells]
        submissions.append(Submission(r.assignment, r.student, float(r.score), float(r.max_score), False, cells))
        for c in r.cells if (r.student, r.assignment) not in unreadable else ():
            if not c["passed"]:
                label = failure_label({"ename": "ExerciseFailed", "evalue": c["message"]})
                failures[(r.assignment, c["exercise"], c["which"])][label].append(r.student)
    data = ClassData(sorted({r.student for r in results}), dict(sorted(assignments.items())), grade_cells, submissions,
                     unreadable=unreadable)
    return data, failures


def _pass_rates(data: ClassData) -> list[tuple[str, str, float, int, int]]:
    """(assignment, grade cell, points, passed, graded) for every autograded grade cell."""
    rows = []
    for assignment, cells in data.grade_cells.items():
        for name, points, autograded in cells:
            if not autograded:
                continue
            graded = [c for s in data.of(assignment) for c in s.cells if c.name == name]
            rows.append((assignment, name, points, sum(c.passed for c in graded), len(graded)))
    return rows


def _stats(scores: list[float]) -> tuple[str, str, str, str]:
    if not scores:
        return ("-",) * 4
    return (f"{statistics.mean(scores):.2f}", f"{statistics.median(scores):g}", f"{min(scores):g}", f"{max(scores):g}")


def _score(sub: Submission | None, top: float, unreadable: bool = False) -> str:
    """A student's score in the per-student table, after nbgrader's late penalty (as `nbgrader export`
    says it), the penalty shown; * when written answers await grading by hand; a submission that
    could not be read says so."""
    if sub is None:
        return tr("not submitted")
    late = tr(" (late: -{penalty:g})", penalty=sub.late_penalty) if sub.late_penalty else ""
    bad = tr(" (could not be graded)") if unreadable else ""
    return f"{sub.score:g}/{top:g}" + ("*" if sub.needs_manual_grade else "") + late + bad


def _failing_cases(failures: dict, rates: list) -> list[list]:
    """The failing-cases table's rows: per exercise and check (in grade-cell order) the most frequent cases."""
    rows = []
    order = {(a, c): i for i, (a, c, *_) in enumerate(rates)}
    for (assignment, exercise, which), labels in sorted(
            failures.items(), key=lambda kv: order.get((kv[0][0], f"{kv[0][1]}_{kv[0][2]}"), 1e9)):
        # most frequent first; untouched stubs last (they say nothing about mistakes)
        ranked = sorted(labels.items(), key=lambda kv: (kv[0] == NOT_WRITTEN, -len(kv[1]), kv[0]))
        for label, students in ranked[:TOP_CASES]:
            shown = ", ".join(sorted(students)[:8]) + (", ..." if len(students) > 8 else "")
            if label == NOT_WRITTEN:
                label = tr("not written yet (still raises NotImplementedError)")
            rows.append([assignment, exercise, _check_name(which), label, len(students), shown])
        if len(ranked) > TOP_CASES:
            rows.append([assignment, exercise, _check_name(which), tr("... {n} more cases", n=len(ranked) - TOP_CASES),
                         sum(len(s) for _, s in ranked[TOP_CASES:]), ""])
    return rows


def _check_name(which: str) -> str:
    """A check's name in the failing-cases table: visible or hidden, in the language spoken."""
    return {"visible": tr("visible"), "hidden": tr("hidden")}.get(which, which)


def _tr_html(template: str, **fields):
    """The template's ``tr``: the translated template is the course's own (it may hold ``<b>``),
    every field is escaped."""
    from markupsafe import Markup

    from . import i18n

    return Markup(i18n.tr(template)).format(**fields)  # the template's texts: tests/test_i18n.py reads them


@functools.cache
def _template():
    """The page's template, autoescaped: every value rendered into it is escaped."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("autograder", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    return env.get_template("report.html.j2")


def render(data: ClassData, failures: dict, sources: dict[str, str], lang: str | None = None) -> str:
    """The report as one HTML page (autograder/templates/report.html.j2 lays it out), its labels in
    ``lang`` (default: the language spoken, see :mod:`autograder.i18n`)."""
    import matplotlib

    lang = lang or spoken_language()
    with speaking(lang), matplotlib.rc_context():
        if lang == "zh":
            from .fonts import use_cjk_fonts

            use_cjk_fonts()  # the figures' Chinese labels
        return _render(data, failures, sources, lang)


def _render(data: ClassData, failures: dict, sources: dict[str, str], lang: str) -> str:
    all_scores = [s.score for s in data.submissions]
    summary = []
    for name, top in data.assignments.items():
        subs = data.of(name)
        summary.append([name, len(subs), f"{top:g}", *_stats([s.score for s in subs]), sum(s.score >= top for s in subs),
                        sum(s.needs_manual_grade for s in subs), len(data.students) - len({s.student for s in subs})])
    rates = _pass_rates(data)
    by_key = {(s.student, s.assignment): s for s in data.submissions}
    student_scores = [[student, *(_score(by_key.get((student, name)), top, (student, name) in data.unreadable)
                                  for name, top in data.assignments.items())]
                      for student in data.students]
    from .fonts import CSS_FAMILY

    return _template().render(
        tr=_tr_html, lang={"zh": "zh-CN"}.get(lang, lang),
        # Chinese pages name the Simplified Chinese faces first (the same faces the figures use)
        font_family=CSS_FAMILY.replace(", sans-serif", ", system-ui, sans-serif") if lang == "zh"
        else "system-ui, " + CSS_FAMILY, made=f"{datetime.datetime.now():%Y-%m-%d %H:%M}", sources=sources,
        n_students=len(data.students), n_submissions=len(data.submissions),
        overall={"mean": f"{statistics.mean(all_scores):.2f}", "median": f"{statistics.median(all_scores):g}"}
        if all_scores else None,
        summary=summary, histograms=charts.histograms(data), pass_rate_figure=charts.pass_rate_figure(rates),
        pass_rates=[[a, c, f"{p:g}", f"{k}/{n}", f"{100 * k / n:.0f}%" if n else "-"] for a, c, p, k, n in rates],
        failing_cases=_failing_cases(failures, rates), assignments=list(data.assignments),
        student_scores=student_scores, left_out=data.left_out,
        unreadable=[[student, assignment, why] for (student, assignment), why in sorted(data.unreadable.items())])


def main(gradebook: str | Path | None = None, autograded: str | Path | None = None, output: str | Path | None = None,
         results: list | None = None, language: str | None = None, assignments: list[str] | None = None) -> int:
    """Write the class report; 0 when written, 1 (with a message, no traceback) when it cannot be.

    ``gradebook``, ``autograded``, ``output``: default :func:`defaults`. ``results``: JSON results
    files to report on instead. ``language``: ``"en"`` or ``"zh"`` (default ``COURSE_LANGUAGE``,
    else English). ``assignments``: only these (default: every assignment with a submission)."""
    where = defaults()
    gradebook, autograded = Path(gradebook or where["gradebook"]), Path(autograded or where["autograded"])
    output = Path(output or where["output"])
    if results:
        try:
            data, failures = read_results(results, assignments)
        except ReportError as exc:
            print(f"report: {exc}", file=sys.stderr)
            return 1
        return _write(render(data, failures, {"results": ", ".join(map(str, results))}, language), output, data,
                      language)
    try:
        data = read_gradebook(gradebook, assignments)
        if not data.submissions:
            raise ReportError(f"The gradebook at {gradebook} has no submissions yet. Collect them into "
                              f"{gradebook.parent / 'submitted'}/ and run `nbgrader autograde <assignment>` first.")
    except ReportError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 1
    with speaking(language):
        if data.left_out:
            print(tr("report: left out, as nobody has submitted them yet: {assignments} (--assignment NAME reports one "
                     "anyway)", assignments=", ".join(data.left_out)), file=sys.stderr)
        if not autograded.is_dir():
            print(tr("report: no autograded notebooks at {autograded}: the failing cases table will be empty.",
                     autograded=autograded), file=sys.stderr)
    failures = read_failures(autograded, data)
    return _write(render(data, failures, {"gradebook": str(gradebook), "autograded": str(autograded)}, language),
                  output, data, language)


def _write(page: str, output, data: ClassData, language: str | None = None) -> int:
    """Write the page; what was written is said in the report's language."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    with speaking(language):
        print(tr("Wrote {output}: {submissions} submissions of {students} students in {assignments} assignments.",
                 output=output, submissions=len(data.submissions), students=len(data.students),
                 assignments=len(data.assignments)))
    return 0
