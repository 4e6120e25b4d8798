"""Give a learner more time on an assignment, the way nbgrader stores it.

    python -m autograder.nbgrader_plugin.extension ASSIGNMENT STUDENT --days 2 [--hours H] [--minutes M] [--weeks W]
    python -m autograder.nbgrader_plugin.extension ASSIGNMENT STUDENT --remove

Run it from the course root, like nbgrader: it reads the same ``nbgrader_config.py`` (gradebook,
course id). nbgrader 0.9.6 has no command for extensions. It keeps one on the learner's
submission (``SubmittedAssignment.extension``, a time added to the assignment's due date when it
decides how late a submission is), and ``Gradebook.grant_extension`` only works once that
submission exists, that is after the learner's work has been autograded, while extensions are
usually given before the due date. This command

* checks the assignment (generated, with a due date: nbgrader fails on an extension without one)
  and the learner (in the roster);
* creates the learner's submission record if there is none yet (nbgrader's
  ``update_or_create_submission``, as ``nbgrader autograde`` does), its grades marked as nothing to
  grade by hand until the work arrives;
* sets the extension: the given time replaces any earlier one (extensions do not add up);
* ``--remove`` takes the extension away, and deletes a record this command made for work that
  never came.

Penalties are worked out when autograding: an extension given after a learner was autograded
counts once they are autograded again (``nbgrader autograde ASSIGNMENT --student ID --force``).
"""
from __future__ import annotations

import datetime
import sys

from nbgrader.apps.baseapp import NbGrader, nbgrader_flags
from traitlets import Bool, Float

__all__ = ["ExtensionApp", "grant", "main"]

aliases = {
    "log-level": "Application.log_level",
    "db": "CourseDirectory.db_url",
    "course-dir": "CourseDirectory.root",
    "weeks": "ExtensionApp.weeks",
    "days": "ExtensionApp.days",
    "hours": "ExtensionApp.hours",
    "minutes": "ExtensionApp.minutes",
}
flags = dict(nbgrader_flags)
flags["remove"] = ({"ExtensionApp": {"remove": True}}, "Take the learner's extension away.")


class ExtensionError(Exception):
    """The extension cannot be given; the message says why."""


def grant(gb, assignment: str, student: str, *, weeks: float = 0, days: float = 0, hours: float = 0,
          minutes: float = 0, remove: bool = False) -> str:
    """Give (or with ``remove``, take away) ``student``'s extension on ``assignment``; what was done."""
    from nbgrader.api import MissingEntry

    try:
        found = gb.find_assignment(assignment)
    except MissingEntry:
        raise ExtensionError(f"No assignment '{assignment}' in the gradebook: run "
                             f"`nbgrader generate_assignment {assignment}` first.") from None
    if not found.notebooks:
        raise ExtensionError(f"'{assignment}' has no notebooks in the gradebook yet: run "
                             f"`nbgrader generate_assignment {assignment}` first.")
    if found.duedate is None:
        raise ExtensionError(f"'{assignment}' has no due date, so an extension means nothing (and nbgrader "
                             f"would fail on it): `nbgrader db assignment add {assignment} "
                             f"--duedate='YYYY-MM-DD HH:MM:SS TZ'`.")
    try:
        gb.find_student(student)
    except MissingEntry:
        raise ExtensionError(f"No learner '{student}' in the gradebook: add them first (`nbgrader db student add "
                             f"{student}` or `nbgrader db student import roster.csv`).") from None

    length = datetime.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
    try:
        submission = gb.find_submission(assignment, student)
    except MissingEntry:
        submission = None
    if remove:
        if submission is None:
            return f"{student} has no extension on {assignment}."
        if submission.timestamp is None and not _graded(submission):
            gb.remove_submission(assignment, student)  # the placeholder this command made: no work came
            return f"Removed {student}'s extension on {assignment} (and the empty record it kept)."
        gb.grant_extension(assignment, student)  # no time given: nbgrader removes the extension
        return f"Removed {student}'s extension on {assignment}."
    if length <= datetime.timedelta(0):
        raise ExtensionError("Give the extension's length: --days, --hours, --minutes or --weeks (or --remove).")
    if submission is None:
        submission = gb.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.needs_manual_grade = False  # nothing handed in yet: nothing to grade by hand
        gb.db.commit()
    gb.grant_extension(assignment, student, minutes=minutes, hours=hours, days=days, weeks=weeks)
    due = found.duedate + length
    return f"{student} has until {due:%Y-%m-%d %H:%M:%S} UTC for {assignment} (an extension of {length})."


def _graded(submission) -> bool:
    """Whether nbgrader has autograded anything of this submission."""
    return any(g.auto_score is not None or g.manual_score is not None
               for notebook in submission.notebooks for g in notebook.grades)


class ExtensionApp(NbGrader):
    """``python -m autograder.nbgrader_plugin.extension``: see the module."""

    name = "autograder-extension"
    description = "Give a learner more time on an assignment (nbgrader's per-learner extension)."
    examples = """
        python -m autograder.nbgrader_plugin.extension 02-pooling-math alice --days 2
        python -m autograder.nbgrader_plugin.extension 02-pooling-math alice --hours 36
        python -m autograder.nbgrader_plugin.extension 02-pooling-math alice --remove
        """
    aliases = aliases
    flags = flags

    weeks = Float(0.0, help="Weeks of extension.").tag(config=True)
    days = Float(0.0, help="Days of extension.").tag(config=True)
    hours = Float(0.0, help="Hours of extension.").tag(config=True)
    minutes = Float(0.0, help="Minutes of extension.").tag(config=True)
    remove = Bool(False, help="Take the learner's extension away.").tag(config=True)

    def start(self):
        super().start()
        if len(self.extra_args) != 2:
            self.fail("Usage: python -m autograder.nbgrader_plugin.extension ASSIGNMENT STUDENT --days N "
                      "(or --hours, --minutes, --weeks; or --remove)")
        assignment, student = self.extra_args
        from nbgrader.api import Gradebook

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                done = grant(gb, assignment, student, weeks=self.weeks, days=self.days, hours=self.hours,
                             minutes=self.minutes, remove=self.remove)
            except ExtensionError as exc:
                self.fail(str(exc))
        self.log.info(done)
        print(done)


def main(argv: list[str] | None = None) -> int:
    app = ExtensionApp()
    try:
        app.initialize(sys.argv[1:] if argv is None else argv)
        app.start()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
