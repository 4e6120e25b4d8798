"""Fonts that draw the course's Chinese with Simplified Chinese glyphs: 池化, 特征映射, 值...

matplotlib's default font (DejaVu Sans) has no Chinese glyphs: a Chinese title comes out as empty
boxes. A font that has them is not enough either: the Traditional (TC, HK) and Japanese (JP)
faces of the same typeface draw many characters (值, 骨, 令...) and the full-width punctuation
(，：、。) in shapes that mainland learners read as foreign. So the course only ever picks a
Simplified Chinese face. :func:`use_cjk_fonts` (called when a notebook's setup cell asks for
Chinese, ``autograder.use_language("zh")``) keeps the usual sans-serif font first, for Latin text
and digits, and puts a Simplified Chinese font after it in ``font.family``: matplotlib then draws
each character with the first font that has it. The font is the first of these found:

1. one installed on the machine (:data:`SYSTEM_FONTS`: Noto Sans CJK SC or Source Han Sans SC on
   Linux, PingFang SC on macOS, Microsoft YaHei on Windows, WenQuanYi...), never a TC, HK or JP face;
2. Noto Sans SC (SIL Open Font License) from the pinned package ``pylopdf-fonts-zh-cn``
   (:func:`pinned_font_path`), which ``requirements.txt`` installs with the course, so a plain
   machine has one too.

HTML pages in Chinese (the class report, nbgrader's feedback) name the same faces in their CSS
(:data:`CSS_FAMILY`); the browser tests give Chromium the pinned file (``tests/test_browser.py``).
"""
from __future__ import annotations

import re
from pathlib import Path

__all__ = ["SYSTEM_FONTS", "CSS_FAMILY", "cjk_font", "is_simplified", "pinned_font_path", "use_cjk_fonts"]

SYSTEM_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "PingFang SC",
                "Microsoft YaHei", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei")
# The CSS font stack of a Chinese page: the pinned face first, then the machine's Simplified faces.
CSS_FAMILY = ", ".join(f'"{name}"' for name in ("Noto Sans SC",) + tuple(n for n in SYSTEM_FONTS if n != "Noto Sans SC")
                       ) + ", sans-serif"
# Family names of faces that draw Chinese with other regions' glyphs (Noto/Source Han TC, HK, JP, KR...).
_NOT_SIMPLIFIED = re.compile(r"\b(TC|HK|JP|KR|TW|Japanese|Korean|Traditional)\b")


def is_simplified(family: str) -> bool:
    """Whether a font family name is one of the Simplified Chinese faces the course accepts."""
    return family in SYSTEM_FONTS and not _NOT_SIMPLIFIED.search(family)


def pinned_font_path() -> Path | None:
    """The pinned Noto Sans SC file (``pylopdf-fonts-zh-cn``), or ``None`` where it is not installed."""
    try:
        import pylopdf_fonts_zh_cn as pinned
    except ImportError:
        return None
    path = Path(pinned.sans_path())
    return path if path.is_file() else None


def cjk_font() -> str | None:
    """The family name of a Simplified Chinese font, registering the pinned one if needed."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in SYSTEM_FONTS:
        if name in installed:
            return name
    path = pinned_font_path()
    if path is None:
        return None
    from matplotlib.ft2font import FT2Font

    font_manager.fontManager.addfont(str(path))
    return FT2Font(str(path)).family_name


def use_cjk_fonts() -> str | None:
    """Let matplotlib draw Chinese (see the module docstring); the font used, or ``None`` if none."""
    from matplotlib import rcParams

    found = cjk_font()
    if found:
        # matplotlib falls back glyph by glyph along font.family (a generic family such as
        # "sans-serif" stands for its first installed font only): the usual font, then this one
        rcParams["font.family"] = ["sans-serif", found]
    return found
