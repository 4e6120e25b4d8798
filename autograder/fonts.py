"""Fonts that can draw the course's Chinese: figure titles and labels in 池化, 特征映射...

matplotlib's default font (DejaVu Sans) has no Chinese glyphs: a Chinese title comes out as empty
boxes. :func:`use_cjk_fonts` (called when a notebook's setup cell asks for Chinese,
``autograder.use_language("zh")``) keeps the usual sans-serif font first, for Latin text and
digits, and puts a font with Chinese glyphs after it in ``font.family``: matplotlib then draws each
character with the first font that has it. The font is the first of these found:

1. one installed on the machine (:data:`SYSTEM_FONTS`: Noto Sans CJK or Source Han Sans on
   Linux, PingFang on macOS, Microsoft YaHei on Windows, WenQuanYi...);
2. Noto Sans CJK (SIL Open Font License) from the pinned package ``cvttf-notosanscjk-regular``,
   which ``requirements.txt`` installs with the course, so a plain machine has one too.
"""
from __future__ import annotations

__all__ = ["SYSTEM_FONTS", "cjk_font", "use_cjk_fonts"]

SYSTEM_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "PingFang SC",
                "Microsoft YaHei", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans CJK TC", "Noto Sans CJK JP")


def cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs, registering the pinned one if needed."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in SYSTEM_FONTS:
        if name in installed:
            return name
    try:
        import cvttf_NotoSansCJK_Regular as pinned
        from matplotlib.ft2font import FT2Font

        path = pinned.get_TTF_path()
    except (ImportError, FileNotFoundError):
        return None
    font_manager.fontManager.addfont(path)
    return FT2Font(path).family_name


def use_cjk_fonts() -> str | None:
    """Let matplotlib draw Chinese (see the module docstring); the font used, or ``None`` if none."""
    from matplotlib import rcParams

    found = cjk_font()
    if found:
        # matplotlib falls back glyph by glyph along font.family (a generic family such as
        # "sans-serif" stands for its first installed font only): the usual font, then this one
        rcParams["font.family"] = ["sans-serif", found]
    return found
