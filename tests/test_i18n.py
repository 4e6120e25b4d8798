"""The autograder speaks the notebook's language: every English template it says has a Chinese
translation with the same fields, and a check run in Chinese says everything in Chinese."""
import ast
import re
import string

import numpy as np
import pytest

import autograder
from autograder import i18n
from tests.helpers import ROOT

ZH = i18n.catalogue("zh")


def _templates() -> list[str]:
    found = []
    for path in sorted((ROOT / "autograder").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr" and node.args:
                value = node.args[0]
                assert isinstance(value, ast.Constant), f"{path.relative_to(ROOT)}:{node.lineno}: tr() takes a literal"
                if value.value not in found:
                    found.append(value.value)
    for path in sorted((ROOT / "autograder" / "templates").glob("*.j2")):  # Jinja2 templates: tr("...")
        for text in re.findall(r"\btr\(\"([^\"]*)\"", path.read_text(encoding="utf-8")):
            if text not in found:
                found.append(text)
    return found


TEMPLATES = _templates()


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# Fields a translation leaves out on purpose, each with its reason (none today).
LEFT_OUT: dict = {}


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_has_a_chinese_translation_with_the_same_fields(template):
    translated = ZH["messages"].get(template)
    assert translated, f"no Chinese for {template!r} in autograder/locale/zh.json"
    assert _fields(translated) == _fields(template) - LEFT_OUT.get(template, set())
    words = re.sub(r"\{[^}]*\}", "", template)
    if re.search(r"[A-Za-z]{2}", words.replace("NotImplementedError", "").replace("autograder", "")):
        assert re.search(r"[\u4e00-\u9fff]", translated), f"{translated!r} is not in Chinese"


def test_no_translation_is_left_without_its_template():
    stale = set(ZH["messages"]) - set(TEMPLATES)
    assert not stale, f"translations of templates the code no longer says: {sorted(stale)[:5]}"


def test_the_language_comes_from_the_notebook_never_from_the_locale_alone(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("COURSE_LANGUAGE", raising=False)
    assert i18n.language() == "en"
    monkeypatch.setenv("COURSE_LANGUAGE", "zh")
    assert i18n.language() == "zh"
    with i18n.speaking("en"):
        assert i18n.language() == "en"
    assert i18n.notebook_language({"metadata": {"autograder": {"language": "zh"}}}) == "zh"
    assert i18n.notebook_language({"metadata": {}}) == "en"
    with pytest.raises(ValueError, match="language must be one of"):
        i18n.use_language("fr")


def test_a_failed_check_in_chinese():
    exercise = autograder.exercises()[0]
    with i18n.speaking("zh"):
        verdict = autograder.verify(exercise.name, lambda **kwargs: None)
    assert "未通过" in verdict.message and "最小的未通过用例" in verdict.message, verdict.message


# ----------------------------------------------------------------------------- case labels, hints, covers

CJK = re.compile(r"[\u4e00-\u9fff]")


def _labels_under(secret) -> dict[str, list[str]]:
    from autograder import registry

    saved = list(registry._SECRET)
    registry.use_secret(secret)
    try:
        return {e.name: [c.label for which in ("visible", "hidden") for c in e.cases(which)]
                for e in autograder.exercises()}
    finally:
        registry._SECRET[:] = saved


@pytest.mark.parametrize("secret", ["pooling-course-test-secret", "another-grading-secret", "a-third-secret", None],
                         ids=["test-secret", "secret-2", "secret-3", "practice"])
def test_every_case_label_has_a_chinese_translation(secret):
    untranslated = []
    for name, labels in _labels_under(secret).items():
        for text in labels:
            with i18n.speaking("zh"):
                translated = i18n.label(text)
            if not CJK.search(translated):
                untranslated.append(f"{name}: {text!r}")
    assert not untranslated, f"{len(untranslated)} labels without Chinese, e.g. {untranslated[:5]}"


def test_label_patterns_compile_and_keep_their_groups():
    for rx, template in ZH["label_patterns"]:
        pattern = re.compile(rx)
        used = set(re.findall(r"\\g<(\w+)>", template))
        assert used <= set(pattern.groupindex), (rx, template)
        assert CJK.search(template), template


@pytest.mark.parametrize("exercise", autograder.exercises(), ids=lambda e: e.name)
def test_every_exercise_has_chinese_hints_and_covers(exercise):
    with i18n.speaking("zh"):
        hints, covers = i18n.exercise_text(exercise, "hints"), i18n.exercise_text(exercise, "covers")
    assert len(hints) == len(exercise.hints)
    for english, chinese in zip(exercise.hints, hints):
        assert CJK.search(chinese), chinese
        assert sorted(re.findall(r"`[^`]*`", english)) == sorted(re.findall(r"`[^`]*`", chinese)), (english, chinese)
    assert CJK.search(covers) and covers != exercise.covers


def _wrong(exercise):
    """The reference's answer, one value off: a failure that reaches the explanation."""
    def wrong(**kwargs):
        try:
            right = exercise.reference(**kwargs)
        except Exception:  # noqa: BLE001 - a case that must raise: return something instead
            return None
        if hasattr(right, "numpy") or isinstance(right, np.ndarray):
            right = np.array(right)
            if right.size:
                right.flat[-1] += 1
            return right
        if isinstance(right, tuple) and right and all(isinstance(v, int) for v in right):
            return (right[0] + 1,) + right[1:]
        if isinstance(right, list):
            return right[:-1]
        if isinstance(right, (int, float)):
            return right + 1
        return None
    return wrong


def _english_sentences(message: str) -> list[str]:
    kept = []
    for line in message.splitlines():
        if line.startswith(" ") or "TensorFlow" in line:  # code, arrays, the reference op's own name
            continue
        kept.append(re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", "", line))
    return re.findall(r"\b[A-Za-z]+ [a-z]+ [a-z]+\b", "\n".join(kept))


@pytest.mark.parametrize("exercise", autograder.exercises(), ids=lambda e: e.name)
def test_a_failure_of_every_exercise_is_said_in_chinese(exercise):
    with i18n.speaking("zh"):
        verdict = autograder.verify(exercise.name, _wrong(exercise))
    assert not verdict.passed
    message = verdict.message
    assert "最小的未通过用例（" in message and "提示：" in message, message
    assert not _english_sentences(message), (_english_sentences(message), message)
    with i18n.speaking("zh"):
        assert i18n.label(verdict.failures[0].case.label) in message


@pytest.mark.parametrize("exercise", [e for e in autograder.exercises() if e.explain], ids=lambda e: e.name)
def test_explanations_are_said_in_chinese(exercise):
    explained = 0
    for case in exercise.cases("visible") + exercise.cases("hidden")[:12]:
        try:
            right = np.asarray(exercise.reference(**case.fresh_kwargs()))
        except Exception:  # noqa: BLE001 - a case that must raise has nothing to explain
            continue
        if right.dtype == object or not right.size:
            continue
        for flat in (0, right.size - 1):
            index = tuple(int(i) for i in np.unravel_index(flat, right.shape))
            english = exercise.explain(case, index)
            with i18n.speaking("zh"):
                chinese = exercise.explain(case, index)
            assert re.search(r"[a-z]{4,} [a-z]{2,}", english), english
            assert CJK.search(chinese), chinese
            assert not _english_sentences(chinese), (english, chinese)
            explained += 1
    assert explained


# ----------------------------------------------------------------------------- the grader's notes
@pytest.mark.parametrize("lang, heading", [("en", "**For the grader** (never shown to the learner)"),
                                           ("zh", "**供评分者阅读**（学习者永远看不到）")])
def test_the_graders_note_speaks_the_notebooks_language(tmp_path, lang, heading):
    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook

    from autograder.nbgrader_plugin.cells import AddRubrics

    def answer(source):
        return new_markdown_cell(source, id="why_same",
                                 metadata={"nbgrader": {"grade": True, "solution": True, "points": 1}})

    (tmp_path / "02-pooling-math").mkdir()
    source = new_notebook(cells=[answer("### BEGIN SOLUTION\nThe model answer.\n### END SOLUTION")])
    nbformat.write(source, tmp_path / "02-pooling-math" / "02-pooling-math.ipynb")
    submitted = new_notebook(cells=[answer("my answer")], metadata={"autograder": {"language": lang}})
    resources = {"nbgrader": {"assignment": "02-pooling-math", "notebook": "02-pooling-math"}}
    with i18n.speaking("en" if lang == "zh" else "zh"):  # the notebook's language wins over the process's
        nb, _ = AddRubrics(source_directory=str(tmp_path)).preprocess(submitted, resources)
    note = nb.cells[1].source
    assert note.startswith(heading) and "`why_same`" in note and note.endswith("The model answer."), note


def test_the_reference_and_the_learners_line_are_said_in_chinese_around_the_names():
    """The words around TensorFlow's names in "checked against ..." and "(at line N of f)"."""
    import autograder
    from autograder import judge

    ops = {e.reference_op for e in autograder.exercises()}
    for op in ops:
        assert i18n.label(op) == op  # English: unchanged
        with i18n.speaking("zh"):
            said = i18n.label(op)
        words = re.sub(r"\b(tf|keras|layers?|nn|compute_output_shape|output|shape|dtype|float32|SAME|VALID)\b"
                       r"|[\w.]*[A-Z_{}0-9][\w.{},]*|tf\.[\w.]+", "", said)
        assert not re.search(r"\b[a-z]{3,}\b", words), (op, said)
    assert judge._where("line 3 of pool2d: return x") == "line 3 of pool2d: return x"
    with i18n.speaking("zh"):
        assert judge._where("line 3 of pool2d: return x") == "pool2d 的第 3 行: return x"
