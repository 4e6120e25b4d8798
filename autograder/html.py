"""Learner content made safe to show in an instructor's browser: markdown rendered, then cleaned.

Every page an instructor opens with learner content is an attack surface: nbgrader's formgrader
runs in the instructor's logged-in Jupyter server, where a script can read ``grading/secret``
through the contents API or open a terminal. :func:`clean_markdown` renders a learner's markdown
with nbconvert's own renderer (so it looks as it did, maths included) and keeps only an
allow-list of tags and attributes (bleach): no script, no event handler, no ``javascript:`` link,
no style, no frame, no form. Markdown renders the cleaned HTML as it is, so the result can take
the markdown's place in the notebook.
"""
from __future__ import annotations

__all__ = ["clean_markdown", "clean_html", "TAGS"]

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
ATTRIBUTES = {"a": ["href", "title"], "img": ["src", "alt", "title", "width", "height"], "td": ["align"],
              "th": ["align"], "code": ["class"], "span": ["class"], "div": ["class"], "pre": ["class"]}
PROTOCOLS = frozenset({"http", "https", "mailto"})


def clean_html(html: str) -> str:
    """``html`` with every tag, attribute and URL scheme outside the allow-lists removed."""
    import bleach

    return bleach.clean(html, tags=TAGS, attributes=ATTRIBUTES, protocols=PROTOCOLS, strip=True,
                        strip_comments=True)


def clean_markdown(source: str) -> str:
    """A learner's markdown as clean HTML (see the module)."""
    from nbconvert.filters import markdown2html

    if not isinstance(source, str):
        source = "".join(source)
    return clean_html(markdown2html(source))
