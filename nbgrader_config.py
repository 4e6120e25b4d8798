"""nbgrader configuration for this course: run every nbgrader command from the repository root.

nbgrader's folders mapped onto the repository:

    source       -> solutions/<assignment>/   instructor notebooks (solutions + hidden tests)
    release      -> course/<assignment>/      learner notebooks, made by `nbgrader generate_assignment`
    submitted    -> grading/submitted/<student>/<assignment>/
    autograded   -> grading/autograded/<student>/<assignment>/
    feedback     -> grading/feedback/<student>/<assignment>/
    gradebook    -> grading/gradebook.db
    export       -> grading/grades.csv   (the assignments someone has submitted)
    zip_collect  -> grading/downloaded/<assignment>/archive|extracted/

Running a class (exchange, late penalty, zip_collect's file names): the section at the end, and
docs/running-a-class.md.

grading/ is git-ignored: it is the instructor's workspace, never part of the course. COURSE_WORKSPACE
names another (every command and make target follows it: autograder/workspace.py).
"""
import os
import sys

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# The grading workspace: grading/ unless COURSE_WORKSPACE names another folder (`make grade-sample`
# uses grading-samples/, so sample students never enter the real class's gradebook).
WORKSPACE = os.environ.get("COURSE_WORKSPACE") or "grading"

# The course's language: English by default; COURSE_LANGUAGE=zh runs the same course in Chinese
# (the same assignments, grade ids and points, from solutions-zh/ into course-zh/).
LANGUAGE = (os.environ.get("COURSE_LANGUAGE") or "en").lower()
SUFFIX = "" if LANGUAGE == "en" else f"-{LANGUAGE}"

c.CourseDirectory.course_id = "understanding-pooling"
c.CourseDirectory.source_directory = "solutions" + SUFFIX
c.CourseDirectory.release_directory = "course" + SUFFIX
c.CourseDirectory.submitted_directory = os.path.join(WORKSPACE, "submitted")
c.CourseDirectory.autograded_directory = os.path.join(WORKSPACE, "autograded")
c.CourseDirectory.feedback_directory = os.path.join(WORKSPACE, "feedback")
c.CourseDirectory.solution_directory = os.path.join(WORKSPACE, "solution")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(os.getcwd(), WORKSPACE, "gradebook.db")
os.makedirs(WORKSPACE, exist_ok=True)

c.CsvExportPlugin.to = os.path.join(WORKSPACE, "grades.csv")
# grades.csv holds the assignments someone has submitted; the others are named in one line
# (`nbgrader export --assignment NAME` exports one anyway): autograder/nbgrader_plugin/export.py
c.ExportApp.plugin_class = "autograder.nbgrader_plugin.export.SubmittedCsvExport"

# nbgrader runs `alembic` (and Jupyter kernels) from PATH: put this interpreter's bin folder first,
# so that `.venv/bin/nbgrader ...` works without activating the virtual environment.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

# Trusted grading: no kernel, the learner's code runs once, in a separate, limited and confined
# process, and the verdict is computed here, never in the learner's process (autograder/nbgrader_plugin).
# Fail closed: nbgrader ignores a config file that raises, and would then grade in a kernel with the
# learner's code; SystemExit is not caught, so a broken install stops nbgrader instead.
try:
    from autograder.nbgrader_plugin import (autograde_preprocessors, feedback_preprocessors, generate_preprocessors,
                                            protect_copies, sanitize_preprocessors, stale_grades_hook)
    from autograder.nbgrader_plugin.quiet import silence_expected_warnings
except Exception as exc:  # noqa: BLE001
    raise SystemExit(f"nbgrader_config.py: cannot load the course's autograder ({exc}); run `make setup`") from exc
# nbgrader's copies of the files beside a learner's notebook take regular files only, never a link
# (a link to grading/secret would otherwise be copied into the autograded and feedback folders).
protect_copies()

from autograder.i18n import STUBS  # noqa: E402

# What a released notebook holds in place of a solution, in the course's language (nbgrader's
# default text in English; in Chinese, "# 在这里编写你的代码" and "在这里写下你的回答").
c.ClearSolutions.code_stub = {"python": STUBS.get(LANGUAGE, STUBS["en"])["code"] + "\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = STUBS.get(LANGUAGE, STUBS["en"])["text"]

c.Autograde.autograde_preprocessors = autograde_preprocessors()
# nbgrader's own steps before grading: first the graded cells found by grade_id and rewritten from the
# release (a pasted test cell never stops the assignment); its warning for every hidden-test cell it
# restores is left unsaid (expected: learners never have the hidden tests), a changed test cell is reported
c.Autograde.sanitize_preprocessors = sanitize_preprocessors()
# A submission that is not valid JSON is graded as the released notebook: zero, its reason in the
# notebook's first cell and the feedback, flagged in the formgrader (autograder/nbgrader_plugin/unreadable.py)
c.Autograde.exporter_class = "autograder.nbgrader_plugin.unreadable.ReadableExporter"
c.Autograde.pre_convert_hook = stale_grades_hook(c.CourseDirectory.db_url)
# SQLAlchemy's "Object of type <SubmittedAssignment> not in session" warning from nbgrader's gradebook: expected
silence_expected_warnings()
c.TrustedExecute.device = os.environ.get("AUTOGRADER_DEVICE", "cpu")
c.AddRubrics.source_directory = c.CourseDirectory.source_directory
# An optional "your helpers" cell is released without `raise NotImplementedError()`.
c.GenerateAssignment.preprocessors = generate_preprocessors()
# Feedback shows each failing case and its hint but never hidden tests or the grader's notes.
c.GenerateFeedback.preprocessors = feedback_preprocessors()
# nbgrader's feedback page with the notebook's language and Simplified Chinese fonts for a Chinese
# notebook (autograder/nbgrader_plugin/feedback.py); the formgrader keeps nbgrader's own exporter.
c.GenerateFeedback.exporter_class = "autograder.nbgrader_plugin.feedback.CourseFeedbackExporter"

# Scoring: all or nothing per check (the default), or partial credit, each check's points in
# proportion to its cases passed (a speed requirement counts as one case), rounded half up to
# `decimals`. Every path reads it here: nbgrader autograde, python -m autograder autograde and grade,
# the Gradescope zip. Results graded under another rule are refused when imported.
c.Scoring.partial_credit = False
c.Scoring.decimals = 1

# ------------------------------------------------------------------------------------------------
# Running a class (docs/running-a-class.md). Change a value here, or for one command on its command
# line: `nbgrader autograde A --LatePenaltyPerDay.percent_per_day=5`.
# ------------------------------------------------------------------------------------------------
# The exchange: nbgrader's default (/usr/local/share/nbgrader/exchange) unless COURSE_EXCHANGE is set.
if os.environ.get("COURSE_EXCHANGE"):
    c.Exchange.root = os.environ["COURSE_EXCHANGE"]

# Late work loses a share of the points per started day after the due date (+ extension), capped at the score.
c.AssignLatePenalties.plugin_class = "autograder.nbgrader_plugin.late.LatePenaltyPerDay"
# The share, in percent of the assignment's points per day: 0 = no penalty, 100 = zero for any late work.
c.LatePenaltyPerDay.percent_per_day = 10.0
# (nbgrader's own alternative, zero for late work: plugin_class = "nbgrader.plugins.LateSubmissionPlugin"
#  and c.LateSubmissionPlugin.penalty_method = "zero".)

# zip_collect works in <workspace>/downloaded/<assignment>/archive|extracted/, never downloaded/ at the root.
c.ZipCollectApp.downloaded_directory = os.path.join(WORKSPACE, "downloaded")
# Learner and notebook from a file name of Canvas's zip: <name>_[late_]<user id>_<file id>_<file name>[-<n>].
CANVAS_FILENAMES = (r"^.*[\\/][^\\/_]+_(?:late_)?(?P<student_id>\d+)_\d+_"
                    r"(?P<file_id>[^\\/]+?)(?:-\d+| ?\(\d+\))?\.ipynb$")
# Moodle's: <Full Name>_<id>_assignsubmission_file_[/]<file name> (its id is per assignment: see the doc).
MOODLE_FILENAMES = (r"^.*[\\/](?P<name>[^\\/_]+)_(?P<student_id>\d+)_assignsubmission_file_[\\/]?"
                    r"(?P<file_id>[^\\/]+?)\.ipynb$")
# The pattern zip_collect applies (to each file's absolute path): Canvas; MOODLE_FILENAMES for Moodle.
c.FileNameCollectorPlugin.named_regexp = CANVAS_FILENAMES
