"""``nbgrader export`` for this course: the assignments the class has handed in, and a word on the others.

``make course`` (``nbgrader generate_assignment '*'``) registers every assignment of the course in
the gradebook, released or not. nbgrader's ``CsvExportPlugin`` writes a row for every assignment
and every learner, so an assignment nobody has submitted yet shows as every learner's 0.0.
:class:`SubmittedCsvExport` (``ExportApp.plugin_class`` in ``nbgrader_config.py``) writes nbgrader's
CSV, unchanged, for the assignments at least one learner has submitted (a learner who handed
nothing in still has their row with 0), and says in one line which assignments it left out and
how to export one anyway: ``nbgrader export --assignment NAME`` (nbgrader's own option; with it,
exactly the assignments named are written, submitted or not).
"""
from __future__ import annotations

from nbgrader.plugins import CsvExportPlugin

__all__ = ["SubmittedCsvExport"]


class SubmittedCsvExport(CsvExportPlugin):
    """nbgrader's CSV export of the assignments someone has submitted (see the module)."""

    def export(self, gradebook) -> None:
        if not self.assignment:
            submitted = [a.name for a in gradebook.assignments if a.submissions]
            left_out = sorted(a.name for a in gradebook.assignments if not a.submissions)
            if left_out and submitted:
                self.log.warning("Left out of the export, as nobody has submitted them yet: %s (to export one "
                                 "anyway: nbgrader export --assignment NAME)", ", ".join(left_out))
                self.assignment = submitted
        super().export(gradebook)
