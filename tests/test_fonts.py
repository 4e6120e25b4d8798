"""Chinese figures draw real glyphs, never empty boxes, and in a Simplified Chinese face.

What is checked is the font matplotlib's Agg renderer actually lays each character out with
(the same ``FT2Font._layout`` call ``RendererAgg.draw_text`` makes, fallback fonts included),
recorded while a course figure draws: a Traditional (TC, HK) or Japanese (JP) face fails.
"""
import subprocess
import sys
import warnings

import pytest

from tests.helpers import ROOT

TEXT = "池化 最大池化 平均池化 特征映射 内核 步幅 填充 值 骨 令 (3x3, -1.5)，：、。"
CJK = range(0x3000, 0xA000)  # CJK punctuation and ideographs: the characters whose face matters


def _run(code_before: str, body: str) -> str:
    script = f"""
import warnings, matplotlib
matplotlib.use("Agg")
{code_before}
import autograder
autograder.use_language("zh")
import matplotlib.pyplot as plt
from matplotlib.backends import backend_agg
used = {{}}
draw_text = backend_agg.RendererAgg.draw_text
def recording(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
    if not ismath:  # the layout draw_text makes: each character with the font that draws it
        for item in self._prepare_font(prop)._layout(s, flags=backend_agg.get_hinting_flag()):
            used.setdefault(item.ft_object.family_name, set()).add(item.char)
    return draw_text(self, gc, x, y, s, prop, angle, ismath, mtext)
backend_agg.RendererAgg.draw_text = recording
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
{body}
print(repr(({{k: "".join(sorted(v)) for k, v in used.items()}},
            [str(w.message) for w in caught if "missing from" in str(w.message)])))
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def _faces(code_before: str = "", body: str = None) -> tuple[dict, list]:
    """(family name -> the characters drawn with it, the "missing from" warnings) of a drawing."""
    import ast

    body = body or (f"    fig, ax = plt.subplots(); ax.set_title({TEXT!r}); ax.set_xlabel('步幅 s（输入的 1 倍）')\n"
                    "    fig.canvas.draw()")
    return ast.literal_eval(_run(code_before, body).splitlines()[-1])


def _chinese_faces(used: dict) -> set[str]:
    return {family for family, chars in used.items() if any(ord(c) in CJK for c in chars)}


def _assert_simplified(used: dict) -> None:
    from autograder.fonts import is_simplified

    faces = _chinese_faces(used)
    assert faces, f"no Chinese character was drawn: {used}"
    wrong = {f: used[f] for f in faces if not is_simplified(f)}
    assert not wrong, f"Chinese drawn in a face that is not Simplified Chinese: {wrong}"


# Hide every installed CJK face: what a plain machine has.
HIDE = ("from matplotlib import font_manager\n"
        "font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist\n"
        "    if not any(w in f.name for w in ('CJK', 'Han', 'Hei', 'Noto Sans SC', 'PingFang', 'YaHei'))]\n")


def test_chinese_text_draws_without_missing_glyphs_in_a_simplified_face():
    used, missing = _faces()
    assert missing == []
    _assert_simplified(used)


def test_the_pinned_noto_sans_sc_serves_where_the_machine_has_none():
    """Hide every installed CJK font from matplotlib: the pinned Noto Sans SC draws the text."""
    used, missing = _faces(HIDE)
    assert missing == []
    assert _chinese_faces(used) == {"Noto Sans SC"}, used


def test_a_machine_with_tc_and_jp_faces_still_draws_simplified():
    """The machine lists Noto Sans CJK TC and JP before any SC face (as a font folder may): the
    course picks Simplified Chinese, the machine's or the pinned one, never those."""
    fake = HIDE + ("import dataclasses\n"
                   "from autograder import fonts\n"
                   "src = fonts.pinned_font_path()\n"
                   "base = font_manager.FontEntry(fname=str(src), name='x', style='normal', variant='normal',\n"
                   "                              weight=400, stretch='normal', size='scalable')\n"
                   "font_manager.fontManager.ttflist[:0] = [dataclasses.replace(base, name=n) for n in\n"
                   "    ('Noto Sans CJK TC', 'Noto Sans CJK JP', 'Noto Sans CJK HK', 'Source Han Sans TW')]\n")
    chosen = _run(fake, "    print('chosen:', fonts.cjk_font())")
    used, missing = _faces(fake)
    assert "Noto Sans SC" in chosen
    assert missing == []
    _assert_simplified(used)


@pytest.mark.parametrize("assignment", ["02-pooling-math", "06-fast-pooling"])
def test_course_figures_draw_their_chinese_in_a_simplified_face(assignment):
    body = ("    from autograder import i18n\n"
            "    import tests.test_figures as t\n"
            "    with i18n.speaking('zh'):\n"
            f"        for figs in t.CALLS[{assignment!r}]().values():\n"
            "            for fig in figs:\n"
            "                fig.canvas.draw()\n")
    used, missing = _faces(body=body)
    assert missing == []
    _assert_simplified(used)


def test_the_check_rejects_traditional_and_japanese_faces():
    """The control: the check above fails on the faces the course must not use."""
    for family in ("Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK HK", "Noto Sans TC", "Source Han Sans TW"):
        with pytest.raises(AssertionError, match="not Simplified"):
            _assert_simplified({family: "值骨令"})
    _assert_simplified({"Noto Sans SC": "值骨令", "DejaVu Sans": "3x"})


def test_without_the_font_the_check_would_see_boxes():
    """The control: matplotlib's default font alone misses the glyphs, and the tests above would say so."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.sans-serif": ["DejaVu Sans"]}):
            fig, ax = plt.subplots()
            ax.set_title(TEXT)
            fig.canvas.draw()
        plt.close(fig)
    assert any("missing from" in str(w.message) for w in caught)


def test_the_pinned_file_is_noto_sans_sc():
    """The pinned package's file names itself Noto Sans SC and declares the GB2312 code page (Simplified)
    and not Big5 (Traditional) in its OS/2 table."""
    from fontTools.ttLib import TTFont

    from autograder.fonts import pinned_font_path

    path = pinned_font_path()
    assert path is not None, "requirements.txt pins pylopdf-fonts-zh-cn: run `make setup`"
    font = TTFont(path)
    assert font["name"].getDebugName(1) == "Noto Sans SC"
    pages = font["OS/2"].ulCodePageRange1
    assert pages & (1 << 18) and not pages & (1 << 20)


def test_the_feedback_page_names_the_faces_the_figures_use():
    """nbgrader's feedback template (a Jinja file, which cannot import autograder.fonts) lists the same
    Simplified Chinese faces, in the same order, as the figures and the class report."""
    from autograder.fonts import CSS_FAMILY

    template = (ROOT / "autograder" / "templates" / "feedback" / "course_feedback.html.j2").read_text(encoding="utf-8")
    assert CSS_FAMILY.removesuffix(", sans-serif") in template
