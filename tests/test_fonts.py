"""Chinese figures draw real glyphs, never empty boxes, with the pinned font on a plain machine too."""
import subprocess
import sys
import warnings

from tests.helpers import ROOT

TEXT = "池化 最大池化 平均池化 特征映射 内核 步幅 填充 (3x3, -1.5)"


def _draw_and_warn(code_before: str = "") -> list[str]:
    script = f"""
import warnings, matplotlib
matplotlib.use("Agg")
{code_before}
import autograder
autograder.use_language("zh")
import matplotlib.pyplot as plt
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    fig, ax = plt.subplots()
    ax.set_title({TEXT!r}); ax.set_xlabel("步幅 s"); fig.canvas.draw()
print("|".join(str(w.message) for w in caught if "missing from" in str(w.message)))
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return [m for m in proc.stdout.strip().split("|") if m]


def test_chinese_text_draws_without_missing_glyphs():
    assert _draw_and_warn() == []


def test_the_pinned_font_serves_where_the_machine_has_none():
    """Hide every installed CJK font from matplotlib: the pinned Noto Sans CJK still draws the text."""
    hide = ("from matplotlib import font_manager\n"
            "from autograder import fonts\n"
            "font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist\n"
            "                                    if f.name not in fonts.SYSTEM_FONTS and 'CJK' not in f.name]\n"
            "fonts.SYSTEM_FONTS = ()\n")
    assert _draw_and_warn(hide) == []


def test_without_the_font_the_check_would_see_boxes():
    """The control: matplotlib's default font alone misses the glyphs, and the test above would say so."""
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
