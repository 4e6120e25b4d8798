"""The feedback page's exporter: nbgrader's feedback page with the notebook's language and fonts.

:class:`CourseFeedbackExporter` is nbgrader's ``HTMLExporter`` with one more template,
``autograder/templates/feedback/course_feedback.html.j2``, which extends nbgrader's own
``feedback/index.html.j2``: for a Chinese notebook (``metadata.autograder.language``) the page says
``lang="zh-CN"``, its headings and labels are Chinese, and its CSS names the Simplified Chinese
faces first (:data:`autograder.fonts.CSS_FAMILY`, the faces the figures use). Only
``nbgrader generate_feedback`` uses it (``GenerateFeedback.exporter_class`` in nbgrader_config.py);
the formgrader keeps nbgrader's plain ``HTMLExporter`` and its own templates.
"""
from __future__ import annotations

import os

import nbgrader
from nbconvert.exporters import HTMLExporter
from traitlets import default

__all__ = ["CourseFeedbackExporter", "TEMPLATES"]

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates")
_NBGRADER_TEMPLATES = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "templates")


class CourseFeedbackExporter(HTMLExporter):
    """nbgrader's feedback exporter, with the course's template in front of nbgrader's."""

    @default("template_file")
    def _template_file_default(self):
        return "course_feedback.html.j2"

    @default("template_paths")
    def _template_paths(self, prune=True, root_dirs=None):
        # this course's feedback/ folder first, then nbgrader's (whose index.html.j2 ours extends)
        paths = super()._template_paths(prune=prune, root_dirs=root_dirs)
        extra = [os.path.join(base, "feedback") for base in (TEMPLATES, _NBGRADER_TEMPLATES)]
        return extra + [p for p in paths if p not in extra]
