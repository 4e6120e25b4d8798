"""The class report (autograder.report) on a small course graded by the real nbgrader.

Three students hand in 02-pooling-math: ``ada`` the solution, ``bob`` the untouched stub, ``cyd``
a ``pool2d`` whose output is one row and one column too small. One ``nbgrader autograde`` grades
them all; the report must show their scores, the pass rates and cyd's smallest failing case.
The report is kept as artifacts/class-report.html (git-ignored).
"""
from __future__ import annotations

import base64
import html
import re
import shutil
import subprocess
import sys

import nbformat
import numpy as np
import pytest

import autograder
from autograder import i18n, report
from tests.catalogue import pooling_math as pooling_math_catalogue
from tests.helpers import COURSE, ROOT, SOLUTIONS, env, learner_submission, read, run

ASSIGNMENT = "02-pooling-math"
# A learner's pool2d that forgets the "+ 1" of the output size formula (from the catalogue).
OFF_BY_ONE = next(v.source for v in pooling_math_catalogue.MISTAKES if v.name.startswith("off-by-one"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course root with three autograded submissions (one `nbgrader autograde` call)."""
    root = tmp_path_factory.mktemp("report-course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(SOLUTIONS, root / "solutions")
    shutil.copytree(COURSE, root / "course")
    run(["nbgrader", "generate_assignment", ASSIGNMENT, "--force"], cwd=root)
    submissions = {
        "ada": learner_submission(ASSIGNMENT),
        "bob": read(ASSIGNMENT, COURSE),
        "cyd": learner_submission(ASSIGNMENT, {"pool2d": OFF_BY_ONE}),
    }
    for student, nb in submissions.items():
        folder = root / "grading" / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    run(["nbgrader", "autograde", ASSIGNMENT], cwd=root, timeout=1200)
    return root


def _rows(page: str) -> list[list[str]]:
    """Every table row of the page, as lists of cell texts."""
    return [[html.unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)]


def _smallest_failing_label() -> str:
    """The label the autograder gives OFF_BY_ONE's smallest failing visible case (fast path)."""
    namespace = {"np": np}
    exec(OFF_BY_ONE, namespace)  # noqa: S102 - our own test source
    verdict = autograder.verify("pool2d", namespace["pool2d"], "visible")
    assert verdict.failures, "the off-by-one pool2d must fail its visible check"
    return verdict.failures[0].case.label


@pytest.mark.nbgrader
def test_report_from_the_course_root(graded):
    """`python -m autograder report` with its defaults, run where nbgrader runs."""
    proc = subprocess.run([sys.executable, "-m", "autograder", "report"], cwd=graded, env=env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 submissions of 3 students" in proc.stdout
    page = (graded / "grading" / "report.html").read_text()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    shutil.copy(graded / "grading" / "report.html", ROOT / "artifacts" / "class-report.html")  # to look at
    rows = _rows(page)

    # The score histogram, embedded as a PNG.
    image = re.search(r'<img alt="score histogram per assignment" src="data:image/png;base64,([^"]+)"', page)
    assert image and base64.b64decode(image.group(1)).startswith(b"\x89PNG\r\n\x1a\n")
    assert "<img alt=\"pass rate per grade cell\"" in page
    assert "http://" not in page and "https://" not in page, "the page must be self-contained"

    # Pass rates per grade cell: only ada passes pool2d; ada and cyd pass uncovered_cells.
    rates = {r[1]: r[3:] for r in rows if len(r) == 5 and r[0] == ASSIGNMENT}
    assert rates["pool2d_visible"] == ["1/3", "33%"]
    assert rates["pool2d_hidden"] == ["1/3", "33%"]
    assert rates["uncovered_cells_visible"] == ["2/3", "67%"]
    assert "written_keep_and_discard" not in rates, "written answers have no pass rate"

    # The most common failing cases: cyd's smallest failing case, and bob's empty stub.
    failing = [r for r in rows if len(r) == 6 and r[0] == ASSIGNMENT]
    label = _smallest_failing_label()
    assert [ASSIGNMENT, "pool2d", "visible", label, "1", "cyd"] in failing, failing
    assert [ASSIGNMENT, "pool2d", "visible", report.NOT_WRITTEN, "1", "bob"] in failing, failing
    assert not [r for r in failing if r[1] == "uncovered_cells" and "cyd" in r[5]]

    # Scores: the summary and every student's total (ada's and cyd's written answers, the model
    # answer, still to grade by hand; bob left the written cell untouched: zero, nothing to grade).
    pool2d = autograder.get("pool2d").total_points
    auto = sum(e.total_points for e in autograder.exercises(ASSIGNMENT))
    total = auto + 2  # the written answer's points
    scores = {r[0]: r[1] for r in rows if len(r) == 2 and r[0] in ("ada", "bob", "cyd")}
    assert scores == {"ada": f"{auto}/{total}*", "bob": f"0/{total}", "cyd": f"{auto - pool2d}/{total}*"}
    summary = next(r for r in rows if len(r) == 10 and r[0] == ASSIGNMENT)
    mean, median = (auto + 0 + auto - pool2d) / 3, auto - pool2d
    assert summary[1:5] == ["3", str(total), f"{mean:.2f}", f"{median:g}"]
    assert "<b>3</b> students, <b>3</b> submissions" in page


def test_missing_gradebook_says_what_to_run(tmp_path, capsys):
    output = tmp_path / "report.html"
    assert report.main(gradebook=tmp_path / "gradebook.db", autograded=tmp_path, output=output) == 1
    err = capsys.readouterr().err
    assert "No gradebook at" in err and "nbgrader autograde" in err
    assert not output.exists()


def test_empty_gradebook_says_what_to_run(tmp_path, capsys):
    (tmp_path / "gradebook.db").touch()
    assert report.main(gradebook=tmp_path / "gradebook.db", autograded=tmp_path, output=tmp_path / "r.html") == 1
    assert "is empty" in capsys.readouterr().err


def test_command_line_error_is_a_message_not_a_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder", "report", "--gradebook", str(tmp_path / "none.db")],
                          cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "No gradebook at" in proc.stderr and "Traceback" not in proc.stderr


def test_failure_label_reads_the_message_and_other_errors():
    message = "\npool2d: 3 of 7 visible cases failed.\n\nThe smallest failing case (stride (2, 1) in a 3x4 map):\n    pool2d(...)"
    assert report.failure_label({"ename": "ExerciseFailed", "evalue": message}) == "stride (2, 1) in a 3x4 map"
    coloured = {"ename": "ExerciseFailed", "evalue": "",
                "traceback": ["\x1b[0;31mThe smallest failing case (ties, negatives):\x1b[0m"]}
    assert report.failure_label(coloured) == "ties, negatives"
    stub = {"ename": "ExerciseFailed", "evalue": "\npool2d is not written yet: replace ..."}
    assert report.failure_label(stub) == report.NOT_WRITTEN
    assert report.failure_label({"ename": "NameError", "evalue": "name 'pool2d' is not defined"}) == \
        "NameError: name 'pool2d' is not defined"


def test_learner_text_is_escaped():
    """Student ids, failing-case labels and paths reach the page escaped (no nbgrader run: a hand-built ClassData)."""
    evil, amp = "<script>alert(1)</script>", "Tom & Jerry"
    cells = [report.Cell("pool2d_visible", 0.0, 3.0, True, False)]
    data = report.ClassData(students=[evil, amp], assignments={ASSIGNMENT: 3.0},
                            grade_cells={ASSIGNMENT: [("pool2d_visible", 3.0, True)]},
                            submissions=[report.Submission(ASSIGNMENT, s, 0.0, 3.0, False, cells) for s in (evil, amp)])
    failures = {(ASSIGNMENT, "pool2d", "visible"): {f"{evil} & <b>ties</b>": [evil, amp]}}
    page = report.render(data, failures, {"gradebook": "a&b/gradebook.db", "autograded": "<i>graded</i>"})

    assert "<script" not in page and "<b>ties" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;ties&lt;/b&gt;" in page
    assert "Tom &amp; Jerry" in page and "Tom & Jerry" not in page
    assert "a&amp;b/gradebook.db" in page and "&lt;i&gt;graded&lt;/i&gt;" in page
    rows = _rows(page)
    assert [evil, "0/3"] in rows and [amp, "0/3"] in rows
    assert [ASSIGNMENT, "pool2d", "visible", f"{evil} & <b>ties</b>", "2", f"{evil}, {amp}"] in rows
    # The figures are still embedded as PNG (base64 passes through escaping unchanged).
    image = re.search(r'<img alt="score histogram per assignment" src="data:image/png;base64,([^"]+)"', page)
    assert image and base64.b64decode(image.group(1)).startswith(b"\x89PNG\r\n\x1a\n")


def test_the_report_in_chinese_reads_chinese_messages(monkeypatch):
    """``report --language zh`` (or COURSE_LANGUAGE=zh): the page's labels in Chinese, the failing-case
    labels read from Chinese messages (a hand-built ClassData, no nbgrader run)."""
    import warnings

    from autograder.cli import parser

    assert parser().parse_args(["report", "--language", "zh"]).language == "zh"
    assert parser().parse_args(["report"]).language is None  # then COURSE_LANGUAGE, else English
    message = ("\npool2d：7 个可见用例中有 3 个未通过。\n\n最小的未通过用例（3x4 特征映射上的步幅 (2, 1)）：\n"
               "    pool2d(...)\n")
    assert report.failure_label({"ename": "ExerciseFailed", "evalue": message}) == "3x4 特征映射上的步幅 (2, 1)"
    coloured = {"ename": "ExerciseFailed", "evalue": "", "traceback": ["\x1b[0;31m最小的未通过用例（并列，负数）：\x1b[0m"]}
    assert report.failure_label(coloured) == "并列，负数"
    not_written = i18n.catalogue("zh")["messages"][
        "{fn} is not written yet: replace `raise NotImplementedError()` in its cell with your code."]
    stub = {"ename": "ExerciseFailed", "evalue": "\n" + not_written.format(fn="pool2d")}
    assert report.failure_label(stub) == report.NOT_WRITTEN

    cells = [report.Cell("pool2d_visible", 0.0, 3.0, True, False)]
    data = report.ClassData(students=["ada", "bob"], assignments={ASSIGNMENT: 3.0},
                            grade_cells={ASSIGNMENT: [("pool2d_visible", 3.0, True)]},
                            submissions=[report.Submission(ASSIGNMENT, s, 0.0, 3.0, False, cells) for s in ("ada", "bob")])
    failures = {(ASSIGNMENT, "pool2d", "visible"): {
        report.failure_label({"ename": "ExerciseFailed", "evalue": message}): ["ada"],
        report.failure_label(stub): ["bob"]}}
    monkeypatch.delenv("COURSE_LANGUAGE", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        page = report.render(data, failures, {"gradebook": "grading/gradebook.db", "autograded": "grading/autograded"},
                             "zh")
    assert not [w for w in caught if "missing from" in str(w.message)], "a figure label without a CJK font"
    assert "<html lang=zh-CN>" in page and "<h1>班级报告</h1>" in page and "<b>2</b> 名学生，<b>2</b> 份提交" in page
    rows = _rows(page)
    assert ["作业", "练习", "检查", "最小的未通过用例", "提交数", "学生"] in rows
    assert [ASSIGNMENT, "pool2d", "可见", "3x4 特征映射上的步幅 (2, 1)", "1", "ada"] in rows
    assert [ASSIGNMENT, "pool2d", "可见", i18n.catalogue("zh")["messages"]["not written yet (still raises NotImplementedError)"], "1", "bob"] in rows
    words = re.sub(r"<[^>]+>|data:image/png;base64,[^\"]+|\{[^}]*\}", " ", page.split("</style>")[1])
    english = [w for w in re.findall(r"\b[A-Za-z]{4,}\b", words)
               if w not in {"pooling", "math", "grading", "gradebook", "autograded", "NotImplementedError", "pool2d"}]
    assert not english, english
    # the same class in English: the existing labels, unchanged
    page = report.render(data, failures, {"gradebook": "g.db", "autograded": "a"}, "en")
    assert "<b>2</b> students, <b>2</b> submissions" in page and "<h1>Class report</h1>" in page
    assert [ASSIGNMENT, "pool2d", "visible", report.NOT_WRITTEN, "1", "bob"] in _rows(page)


@pytest.mark.nbgrader
def test_two_workspaces_side_by_side_and_only_what_was_submitted(graded):
    """`report` reads and writes the workspace COURSE_WORKSPACE names (before: always grading/); an
    assignment registered but never handed in (as `make course` registers all six) is left out and
    said so, and `--assignment` picks assignments."""
    from nbgrader.api import Gradebook

    other = graded / "grading-spring"
    shutil.copytree(graded / "grading", other, ignore=shutil.ignore_patterns("report.html"))
    with Gradebook(f"sqlite:///{other / 'gradebook.db'}") as gb:
        gb.add_assignment("01-convolution-output-sizes")  # registered, nobody submitted it
        gb.remove_submission(ASSIGNMENT, "bob")  # and this class differs from grading/'s
    before = {p: p.stat().st_mtime_ns for p in (graded / "grading").rglob("*")}

    def report_in(workspace, *args):
        return subprocess.run([sys.executable, "-m", "autograder", "report", *args], cwd=graded, capture_output=True,
                              text=True, timeout=300, env={**env(), "COURSE_WORKSPACE": workspace})

    done = report_in("grading-spring")
    assert done.returncode == 0, done.stderr
    assert "Wrote grading-spring/report.html: 2 submissions of 3 students in 1 assignments." in done.stdout
    assert "left out, as nobody has submitted them yet: 01-convolution-output-sizes" in done.stderr
    page = (other / "report.html").read_text()
    assert "grading-spring/gradebook.db" in page and "01-convolution-output-sizes" in page.split("<h2>")[0]
    assert ["student", ASSIGNMENT] in _rows(page), "one column: the assignment that was handed in"
    assert {p: p.stat().st_mtime_ns for p in (graded / "grading").rglob("*")} == before, "grading/ untouched"
    picked = report_in("grading-spring", "--assignment", "01-convolution-output-sizes", "--assignment", ASSIGNMENT,
                       "--output", str(other / "picked.html"))
    assert picked.returncode == 0, picked.stderr
    rows = _rows((other / "picked.html").read_text())
    assert ["student", "01-convolution-output-sizes", ASSIGNMENT] in rows
    assert next(r for r in rows if r[0] == "bob")[1:] == ["not submitted", "not submitted"]
    unknown = report_in("grading-spring", "--assignment", "07-nothing")
    assert unknown.returncode == 1 and "No assignment 07-nothing in the gradebook" in unknown.stderr
