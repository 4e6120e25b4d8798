"""Every heading, section or cell that a hint, a message or a notebook's prose cites exists, in both
languages.

What counts as a citation (English / Chinese):

* an italic title in a sentence that speaks of sections: "the sections *`ksize` and `strides`* and
  *Where TensorFlow puts the padded cells*" / "*TensorFlow 把填充元素放在哪里* 两节";
* a numbered section: "section 2", "(notebook 01, sections 2 and 3)" / "第 2 节", "笔记本 01 的第 2 节和第 3 节";
* a quoted cell: the "your helpers" cell / “你的辅助函数”单元格.

A title is found when a heading of the notebook is that title, or starts with it and a colon
("## `ksize` and `strides`: 1, 2 or 4 numbers"); a number when a heading starts with it ("## 2. ").
The texts read: every markdown cell of ``solutions/`` and ``solutions-zh/`` (prose and the hint
cells written from the registry) and every exercise's hints in the registry (English) and in
``autograder/locale/zh.json`` (Chinese): a failure message shows its exercise's first hint.
"""
import re

import nbformat
import pytest

from autograder import i18n, registry
from tests.helpers import ROOT, solution_assignments

ASSIGNMENTS = solution_assignments()
FOLDERS = {"en": ROOT / "solutions", "zh": ROOT / "solutions-zh"}
SECTION_WORD = {"en": re.compile(r"\bsections?\b", re.I), "zh": re.compile(r"节")}
SENTENCES = {"en": re.compile(r"(?<=[.;?!])\s+|\n"), "zh": re.compile(r"(?<=[。；？！])|\n")}
ITALIC = re.compile(r"(?<![*\w\\])\*(?![\s*])([^*\n]+?)(?<![\s\\])\*(?![*\w])")
NOTEBOOK = {"en": re.compile(r"\b[Nn]otebook (\d\d)\b"), "zh": re.compile(r"笔记本 ?(\d\d)")}
NUMBERS = {"en": re.compile(r"\bsections? (\d+)(?:,? and (\d+))?"), "zh": re.compile(r"第 ?(\d+) ?节(?:和第 ?(\d+) ?节)?")}
BOOK = re.compile(r"Mastering TensorFlow|《")
CELL = {"en": re.compile(r"[\"“]([^\"”\n]+)[\"”] cell\b"), "zh": re.compile(r"“([^”\n]+)”单元格")}


def headings(lang: str, assignment: str) -> list[str]:
    nb = nbformat.read(FOLDERS[lang] / assignment / f"{assignment}.ipynb", as_version=4)
    return [line.lstrip("#").strip() for cell in nb.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if re.match(r"#{1,6} ", line)]


def _by_number(prefix: str) -> str:
    return next(a for a in ASSIGNMENTS if a.startswith(prefix))


def citations(text: str, lang: str) -> list[tuple[str | None, str, str]]:
    """``(cited notebook's number or None for this one, "title" | "number" | "cell", what)``."""
    found = []
    for sentence in SENTENCES[lang].split(text):
        if BOOK.search(sentence):
            continue  # the book's own chapter and section, not this course's
        other = NOTEBOOK[lang].search(sentence)
        where = other.group(1) if other else None
        if SECTION_WORD[lang].search(sentence):
            for span in ITALIC.finditer(sentence):
                title = span.group(1).strip()
                if re.search(r"[A-Za-z\u4e00-\u9fff]{2}", title) and not re.search(r"[=+\[\]]|\s[:*]\s", title):
                    found.append((where, "title", title))
            for numbers in NUMBERS[lang].finditer(sentence):
                found += [(where, "number", n) for n in numbers.groups() if n]
        found += [(None, "cell", m.group(1)) for m in CELL[lang].finditer(sentence)]
    return found


def _exists(kind: str, what: str, titles: list[str]) -> bool:
    if kind == "number":
        return any(re.match(rf"{what}\.\s", t) for t in titles)
    what = what.casefold()
    return any(t.casefold() == what or re.match(re.escape(what) + r"\s*[:：]", t.casefold()) for t in titles)


def _missing(text: str, lang: str, assignment: str) -> list[str]:
    out = []
    for where, kind, what in citations(text, lang):
        target = _by_number(where) if where else assignment
        if not _exists(kind, what, headings(lang, target)):
            out.append(f"{target} ({lang}) has no heading for the cited {kind} {what!r}")
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_what_a_notebook_cites_exists(assignment, lang):
    nb = nbformat.read(FOLDERS[lang] / assignment / f"{assignment}.ipynb", as_version=4)
    problems = [f"{cell.id}: {p}" for cell in nb.cells if cell.cell_type == "markdown"
                for p in _missing(cell.source, lang, assignment)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_what_each_hint_cites_exists(lang):
    problems, cited = [], 0
    with i18n.speaking(lang):
        for assignment in ASSIGNMENTS:
            for exercise in registry.exercises(assignment):
                for hint in i18n.exercise_text(exercise, "hints"):
                    cited += len(citations(hint, lang))
                    problems += [f"{exercise.name}: {p}" for p in _missing(hint, lang, assignment)]
    assert not problems, "\n".join(problems)
    assert cited >= 5, "the hints' citations were not found: is the pattern still right?"


@pytest.mark.parametrize("lang, text, assignment, expected", [
    ("zh", "规则在 *`ksize` 和 `strides`* 与 *TensorFlow 把填充单元放在哪里* 两节中。", "03-tensorflow-max-pool",
     ["TensorFlow 把填充单元放在哪里"]),
    ("zh", "比较 *SAME 平均只除以真实单元的个数* 一节中打印出的两个平均值", "03-tensorflow-max-pool",
     ["SAME 平均只除以真实单元的个数"]),
    ("en", "The sections *`ksize` and `strides`* and *Where TensorFlow puts the zeros* have the rules.",
     "03-tensorflow-max-pool", ["Where TensorFlow puts the zeros"]),
    ("en", "And SAME padding (notebook 01, sections 2 and 9)?", "02-pooling-math", ["9"]),
    ("zh", "把辅助函数写在“你的帮手”单元格中。", "03-tensorflow-max-pool", ["你的帮手"]),
])
def test_a_missing_heading_is_found(lang, text, assignment, expected):
    """The control: the review's two broken citations (issue 23), and made-up ones, are reported."""
    missing = _missing(text, lang, assignment)
    assert [m.split("cited ", 1)[1].split(" ", 1)[1].strip("'") for m in missing] == expected, missing
