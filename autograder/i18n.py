"""The languages the autograder speaks: English (the default) and Simplified Chinese.

Everything a learner or an instructor reads from the autograder (check messages, hints, pass
lines, case labels, the class report's labels) is written in English in the code, through
:func:`tr` (messages: an English template with named fields) or :func:`label` (case labels), and
translated from the catalogue ``autograder/locale/<language>.json`` keyed by that English text:

* ``messages``: English template -> translated template (the same ``{fields}``);
* ``labels``: English case label -> translated label; ``label_patterns``: ``[regex, template]``
  pairs for the labels random cases build from their sizes (``\\g<name>`` groups);
* ``exercises``: exercise id -> ``{"hints": [...], "covers": "..."}``.

Which language is spoken:

* in the learner's kernel, the one the notebook's setup cell asks for
  (``autograder.use_language("zh")``; the English and Chinese notebooks differ only in that
  string), else ``COURSE_LANGUAGE`` from the environment, else English: never the machine's locale
  alone;
* in trusted grading, the notebook's own metadata (``metadata.autograder.language``), set when the
  Chinese notebooks are generated (:func:`notebook_language`), for the length of the grading
  (:func:`speaking`, a context variable: each grading thread speaks its notebook's language);
* in the class report, ``--language`` or ``COURSE_LANGUAGE``.

``tests/test_i18n.py`` fails when a template, a label or an exercise text has no translation.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import os
import re
import unicodedata
from importlib import resources

__all__ = ["LANGUAGES", "STUBS", "pad", "language", "use_language", "speaking", "tr", "label", "exercise_text",
           "notebook_language", "catalogue"]

LANGUAGES = ("en", "zh")
# What a released notebook holds in place of a solution, in its own language: nbgrader's
# ClearSolutions ``code_stub`` (then ``raise NotImplementedError()``) and ``text_stub``
# (nbgrader_config.py), and the course's OptionalStub for a "your helpers" cell.
STUBS = {
    "en": {"code": "# YOUR CODE HERE", "text": "YOUR ANSWER HERE",
           "optional": "# YOUR CODE HERE (optional: leave this cell as it is if you need no helpers)"},
    "zh": {"code": "# 在这里编写你的代码", "text": "在这里写下你的回答",
           "optional": "# 在这里编写你的辅助函数（可选：不需要辅助函数时，让这个单元格保持原样即可）"},
}
_speaking: contextvars.ContextVar = contextvars.ContextVar("autograder_language", default=None)
_chosen: list = [None]  # the learner's kernel: what the setup cell asked for


def _check(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; received {lang!r}")
    return lang


def use_language(lang: str) -> None:
    """Speak ``lang`` in this process from now on (what a notebook's setup cell calls); for
    Chinese, matplotlib gets a font that can draw it (:mod:`autograder.fonts`)."""
    _chosen[0] = _check(str(lang).lower())
    if _chosen[0] == "zh":
        from .fonts import use_cjk_fonts

        use_cjk_fonts()


def language() -> str:
    """The language spoken now (see the module docstring for the order)."""
    lang = _speaking.get() or _chosen[0] or (os.environ.get("COURSE_LANGUAGE") or "en").lower()
    return lang if lang in LANGUAGES else "en"


@contextlib.contextmanager
def speaking(lang: str | None):
    """Speak ``lang`` inside the ``with`` block (this thread or task only); ``None``: no change."""
    if lang is None:
        yield
        return
    token = _speaking.set(_check(lang))
    try:
        yield
    finally:
        _speaking.reset(token)


@functools.lru_cache(maxsize=None)
def catalogue(lang: str) -> dict:
    """The translations into ``lang`` (empty for English)."""
    if lang == "en":
        return {"messages": {}, "labels": {}, "label_patterns": [], "exercises": {}}
    text = resources.files("autograder").joinpath("locale", f"{lang}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    data["_patterns"] = [(re.compile(rx), template) for rx, template in data.get("label_patterns", [])]
    return data


def tr(template: str, **fields) -> str:
    """``template`` in the language spoken now, its ``{fields}`` filled in."""
    lang = language()
    if lang != "en":
        template = catalogue(lang)["messages"].get(template, template)
    return template.format(**fields) if fields else template


def label(text: str) -> str:
    """A case label or an exercise's ``reference_op`` (data strings, not templates) in the language
    spoken now: an exact translation, else a pattern's."""
    lang = language()
    if lang == "en":
        return text
    data = catalogue(lang)
    if text in data["labels"]:
        return data["labels"][text]
    numbered = re.fullmatch(r"(.*) \((\d+)\)", text)  # a label numbered by cases.distinct
    if numbered and numbered.group(1) != text:
        base = label(numbered.group(1))
        if base != numbered.group(1):
            return f"{base}（{numbered.group(2)}）"
    for pattern, template in data["_patterns"]:
        found = pattern.fullmatch(text)
        if found:
            return found.expand(template)
    return text


def exercise_text(exercise, field: str):
    """An exercise's ``hints`` (a tuple) or ``covers`` in the language spoken now."""
    lang = language()
    english = getattr(exercise, field)
    if lang == "en":
        return english
    found = catalogue(lang)["exercises"].get(exercise.name, {}).get(field)
    if not found:
        return english
    return tuple(found) if field == "hints" else found


def notebook_language(nb) -> str:
    """The language a notebook says it is written in (its ``metadata.autograder.language``), else English."""
    lang = str(nb.get("metadata", {}).get("autograder", {}).get("language", "en")).lower()
    return lang if lang in LANGUAGES else "en"


def pad(text, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` columns of a terminal or notebook output, where a
    Chinese character (and full-width punctuation: East Asian width W or F) takes two columns, so
    that tables line up in either language: ``f"{pad(name, 31)} {value}"``. ``align``: ``"<"``
    (left, the default) or ``">"`` (right). Text already wider is left as it is."""
    text = str(text)
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    fill = " " * max(0, width - used)
    return fill + text if align == ">" else text + fill
