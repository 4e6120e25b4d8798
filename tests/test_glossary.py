"""The Chinese course says each thing one way: ``i18n/zh/glossary``'s term, never a forbidden variant.

The Chinese material is every file of the repository with Chinese in it, whatever made it: the
translations (``i18n/zh/*.json``), the messages and labels (``autograder/locale/zh.json``, which the
figures draw their labels from), the built notebooks (``solutions-zh/``, ``course-zh/``), the
Chinese docs, the README's Chinese section, the nbgrader stubs, the learner distribution's files.
This repository's tests (which quote wrong words on purpose) and the glossary itself are left out.
"""
import re

import pytest

from tests.helpers import ROOT

GLOSSARY = ROOT / "i18n" / "zh" / "glossary"
CJK = re.compile(r"[\u3400-\u9fff]")
SKIP_DIRS = {".git", ".venv", "tests", "artifacts", "dist", "build", "grading", "grading-samples", "work", "work-zh",
             "node_modules", "__pycache__", ".pytest_cache", ".hypothesis"}
SUFFIXES = {".json", ".ipynb", ".md", ".py", ".j2", ".txt", ".yml", ".in", ""}


def glossary() -> list[dict]:
    entries = []
    for number, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split("|")]
        assert len(fields) in (3, 4), f"glossary line {number}: four fields separated by ' | ': {line!r}"
        english, term, forbidden, allowed = (fields + [""])[:4]
        split = lambda text: [w.strip() for w in text.split("、") if w.strip()]  # noqa: E731
        entries.append({"line": number, "english": english, "term": term, "forbidden": split(forbidden),
                        "allowed": split(allowed)})
    return entries


def chinese_files() -> list:
    found = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(p in SKIP_DIRS or p.startswith(".") for p in parts[:-1]) or not path.is_file() or path == GLOSSARY:
            continue
        if path.suffix not in SUFFIXES or path.name.startswith("."):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if CJK.search(text):
            found.append((path, text))
    return found


def variants(text: str, entries: list[dict]) -> list[tuple[str, str, str]]:
    """(forbidden word, the glossary's term, context) for every forbidden word in ``text``."""
    out = []
    for entry in entries:
        masked = text
        for word in sorted(entry["allowed"], key=len, reverse=True):
            masked = masked.replace(word, "\0" * len(word))
        for word in entry["forbidden"]:
            for found in re.finditer(re.escape(word), masked):
                context = text[max(0, found.start() - 15):found.end() + 15].replace("\n", " ")
                out.append((word, entry["term"], context))
    return out


def test_the_glossary_is_well_formed():
    entries = glossary()
    assert len(entries) >= 20
    for entry in entries:
        assert CJK.search(entry["term"]) and entry["english"], entry
    # a forbidden word inside a term (单元 in 单元格, 最大池 in 最大池化) must be allowed there
    for entry in entries:
        for other in entries:
            for word in entry["forbidden"]:
                if word in other["term"]:
                    assert any(word in a and a in other["term"] for a in entry["allowed"]), \
                        f"{word!r} (forbidden for {entry['english']}) is in the term {other['term']!r}: allow it"


def test_the_material_is_found():
    names = {p.relative_to(ROOT).as_posix() for p, _ in chinese_files()}
    for expected in ("autograder/locale/zh.json", "i18n/zh/02-pooling-math.json", "README.md",
                     "course-zh/02-pooling-math/02-pooling-math.ipynb", "solutions-zh/06-fast-pooling/06-fast-pooling.ipynb"):
        assert expected in names, expected
    assert any(n.startswith("docs/zh/") for n in names), "the Chinese instructor docs"


def test_no_forbidden_variant_anywhere_in_the_chinese_material():
    entries = glossary()
    problems = []
    for path, text in chinese_files():
        seen = set()
        for word, term, context in variants(text, entries):
            if (word, context) not in seen:
                seen.add((word, context))
                problems.append(f"{path.relative_to(ROOT)}: {word!r} (say {term!r}): ...{context}...")
    assert not problems, f"{len(problems)} forbidden variants:\n" + "\n".join(problems[:60])


@pytest.mark.parametrize("text, word", [
    ("在单元下方画出各个窗口", "单元"),
    ("每个格恰好属于一个窗口", "格"),
    ("一个 3x3 映射", "映射"),
    ("开启和关闭 Intel 的 oneDNN 内核", "oneDNN 内核"),
    ("这 46 个练习用例", "练习用例"),
    ("它还没有写", "还没有写"),
    ("竖直边缘", "竖直"),
    ("6 阶输入", "阶"),
])
def test_the_check_finds_the_variants_the_review_found(text, word):
    """The control: sentences from the review of issue 23 are caught, their allowed neighbours are not."""
    assert word in [w for w, _, _ in variants(text, glossary())]


@pytest.mark.parametrize("text", ["运行这个单元格", "特征映射的网格", "聚合统计量", "最大池化和平均池化", "格蕾丝·霍珀"])
def test_allowed_words_pass(text):
    assert variants(text, glossary()) == []
