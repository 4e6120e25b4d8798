"""The Chinese course in a real browser: a learner's notebook, the class report and nbgrader's
feedback page draw their Chinese with a Simplified Chinese face, and every Chinese character with it.

Headless Chromium (Debian's, as in tests/test_browser.py, whose JupyterLab fixtures this module
uses) is given the course's pinned font, Noto Sans SC from ``pylopdf-fonts-zh-cn``, through a
fontconfig file that adds its folder to the machine's fonts (``FONTCONFIG_FILE``): what a learner
who installed the course has. For each page, Chromium's DevTools protocol says which platform
fonts it drew a node's text with (``CSS.getPlatformFontsForNode``, with a glyph count per face):

1. a Chinese learner types ``pool2d`` into ``course-zh/02-pooling-math``, runs the notebook and reads
   the visible check's pass line in Chinese; the prose, the pass line and the figure;
2. the class report in Chinese (``autograder.report.render(..., "zh")``), written to a file and opened;
3. the feedback nbgrader generates for a Chinese submission (``nbgrader generate_feedback`` with
   ``COURSE_LANGUAGE=zh``: the course's feedback template), opened from its file.

Each must draw its Chinese with a face :func:`autograder.fonts.is_simplified` accepts, with at least
as many glyphs of that face as the node has Chinese characters (no character left to a box or to
another face), and no Traditional or Japanese face at all. Screenshots of the three pages are kept
in ``artifacts/`` (``browser-zh-*.png``) for a person to look at. Skips as tests/test_browser.py does.
"""
from __future__ import annotations

import os
import re
import shutil

import nbformat
import pytest

from autograder.fonts import is_simplified, pinned_font_path
from tests.helpers import learner_submission, run
from tests.test_browser import (ARTIFACTS, ASSIGNMENT, CHROMIUM_ARGS, TIMEOUT_MS, _cell, _open_notebook,  # noqa: F401
                                _solution, _type_and_run_all, chromium, lab)

pytestmark = pytest.mark.browser

ZH_NOTEBOOK = f"course-zh/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
ZH_PASSED = re.compile(r"\u2714 pool2d：全部 \d+ 个可见用例通过")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
OTHER_REGIONS = re.compile(r"\b(TC|HK|JP|KR|TW)\b|Japanese|Korean|Traditional")


@pytest.fixture(scope="module")
def context(chromium, tmp_path_factory):
    """Chromium with the pinned Noto Sans SC among its fonts, in a Chinese locale."""
    from playwright.sync_api import sync_playwright

    font = pinned_font_path()
    assert font is not None, "requirements.txt pins pylopdf-fonts-zh-cn: run `make setup`"
    home = tmp_path_factory.mktemp("fonts")
    config = home / "fonts.conf"
    config.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{font.parent}</dir>
  <cachedir>{home / 'cache'}</cachedir>
</fontconfig>
""")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-zh-profile")), executable_path=chromium, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000}, locale="zh-CN",
            env={**os.environ, "FONTCONFIG_FILE": str(config)})
        try:
            browser.set_default_timeout(TIMEOUT_MS)
            yield browser
        finally:
            browser.close()


def _faces(tab, selector: str) -> tuple[str, dict[str, int]]:
    """(the text of the first node matching ``selector``, face -> glyphs Chromium drew its text with)."""
    node = tab.locator(selector).first
    node.wait_for(timeout=TIMEOUT_MS)
    text = node.inner_text()
    cdp = tab.context.new_cdp_session(tab)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]["nodeId"]
        found = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert found, f"no node {selector!r}"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": found})["fonts"]
    finally:
        cdp.detach()
    return text, {f["familyName"]: f["glyphCount"] for f in fonts}


def _assert_simplified(tab, selector: str) -> None:
    text, faces = _faces(tab, selector)
    chinese = len(CJK.findall(text))
    assert chinese, f"{selector!r} has no Chinese: {text[:200]!r}"
    other = {face: n for face, n in faces.items() if OTHER_REGIONS.search(face)}
    assert not other, f"{selector!r}: Chinese drawn with a Traditional/Japanese face {other}"
    simplified = sum(n for face, n in faces.items() if is_simplified(face))
    assert simplified >= chinese, (f"{selector!r}: {chinese} Chinese characters, {simplified} drawn with a "
                                   f"Simplified Chinese face; faces used: {faces}")


def _screenshot(tab, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"browser-zh-{name}.png"))


def test_a_chinese_learner_notebook(context, lab):
    """The Chinese course in JupyterLab: the pass line speaks Chinese, the prose, the pass line and the
    figure's labels are drawn with Simplified Chinese glyphs."""
    if not (lab.root / ZH_NOTEBOOK).is_file():
        pytest.fail(f"{ZH_NOTEBOOK} is missing: run `make course`")
    tab = context.new_page()
    try:
        _open_notebook(tab, lab, ZH_NOTEBOOK)
        _type_and_run_all(tab, "pool2d", _solution("pool2d"))
        check = _cell(tab, "pool2d_visible")
        output = check.locator(".jp-OutputArea-output")
        output.filter(has_text=ZH_PASSED).wait_for(timeout=TIMEOUT_MS)
        assert ZH_PASSED.search(output.inner_text()), output.inner_text()
        assert check.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        _assert_simplified(tab, '[data-cell-id="pool2d_visible"] .jp-OutputArea-output pre')
        _assert_simplified(tab, '[data-cell-id="chapter-example"] .jp-RenderedMarkdown p')
        _assert_simplified(tab, '[data-cell-id="chapter-example"] .jp-RenderedMarkdown h2')
        check.scroll_into_view_if_needed()
        _screenshot(tab, "notebook")
        figure = _cell(tab, "four-steps").locator(".jp-OutputArea-output img")
        figure.wait_for(timeout=TIMEOUT_MS)
        figure.scroll_into_view_if_needed()
        figure.screenshot(path=str(ARTIFACTS / "browser-zh-figure.png"))  # drawn by matplotlib: tests/test_fonts.py
        assert figure.bounding_box()["width"] > 200
    finally:
        tab.close()


def test_the_chinese_class_report(context, tmp_path):
    from autograder import report

    def cells(visible, hidden):
        return [report.Cell("pool2d_visible", visible, 2.0, True, False), report.Cell("pool2d_hidden", hidden, 3.0, True, False)]

    data = report.ClassData(
        students=["李华", "王芳", "ada"], assignments={ASSIGNMENT: 5.0},
        grade_cells={ASSIGNMENT: [("pool2d_visible", 2.0, True), ("pool2d_hidden", 3.0, True)]},
        submissions=[report.Submission(ASSIGNMENT, "李华", 2.0, 5.0, False, cells(2.0, 0.0)),
                     report.Submission(ASSIGNMENT, "王芳", 5.0, 5.0, False, cells(2.0, 3.0)),
                     report.Submission(ASSIGNMENT, "ada", 0.0, 5.0, False, cells(0.0, 0.0))])
    failures = {(ASSIGNMENT, "pool2d", "hidden"): {"3x4 特征映射上的步幅 (2, 1)": ["李华"]}}
    page = tmp_path / "report.html"
    page.write_text(report.render(data, failures, {"gradebook": "grading/gradebook.db", "autograded": "grading/autograded"},
                                  "zh"), encoding="utf-8")
    tab = context.new_page()
    try:
        tab.goto(page.as_uri())
        _assert_simplified(tab, "h1")
        _assert_simplified(tab, "table th")
        _screenshot(tab, "report")
    finally:
        tab.close()


def test_the_chinese_feedback_page(context, lab):
    """nbgrader's feedback for a Chinese submission whose uncovered_cells is still a stub."""
    zh = {"COURSE_LANGUAGE": "zh", "COURSE_WORKSPACE": "grading-zh"}
    run(["nbgrader", "generate_assignment", ASSIGNMENT, "--force"], cwd=lab.root, extra_env=zh)
    folder = lab.root / "grading-zh" / "submitted" / "li" / ASSIGNMENT
    folder.mkdir(parents=True)
    stub = next(c.source for c in nbformat.read(lab.root / ZH_NOTEBOOK, as_version=4).cells if c.id == "uncovered_cells")
    nbformat.write(learner_submission(ASSIGNMENT, {"uncovered_cells": stub}, language="zh"), folder / f"{ASSIGNMENT}.ipynb")
    run(["nbgrader", "autograde", ASSIGNMENT], cwd=lab.root, extra_env=zh)
    run(["nbgrader", "generate_feedback", ASSIGNMENT], cwd=lab.root, extra_env=zh)
    html = lab.root / "grading-zh" / "feedback" / "li" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    text = html.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in text and "得分" in text and "Noto Sans SC" in text
    tab = context.new_page()
    try:
        tab.goto(html.as_uri())
        _assert_simplified(tab, ".panel-heading h4")
        _assert_simplified(tab, ".text_cell_render h2")
        failed = tab.locator(".output_error pre, .output_subarea pre", has_text="尚未实现").first
        failed.scroll_into_view_if_needed()
        _screenshot(tab, "feedback")
    finally:
        tab.close()
        shutil.rmtree(lab.root / "grading-zh", ignore_errors=True)
