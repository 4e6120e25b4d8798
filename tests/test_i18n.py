"""The autograder speaks the notebook's language: every English template it says has a Chinese
translation with the same fields, and a check run in Chinese says everything in Chinese."""
import ast
import re
import string

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
    return found


TEMPLATES = _templates()


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_has_a_chinese_translation_with_the_same_fields(template):
    translated = ZH["messages"].get(template)
    assert translated, f"no Chinese for {template!r} in autograder/locale/zh.json"
    assert _fields(translated) == _fields(template)
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
