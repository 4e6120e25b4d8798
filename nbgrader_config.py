"""nbgrader configuration for this course: run every nbgrader command from the repository root.

nbgrader's folders mapped onto the repository:

    source       -> solutions/<assignment>/   instructor notebooks (solutions + hidden tests)
    release      -> course/<assignment>/      learner notebooks, made by `nbgrader generate_assignment`
    submitted    -> grading/submitted/<student>/<assignment>/
    autograded   -> grading/autograded/<student>/<assignment>/
    feedback     -> grading/feedback/<student>/<assignment>/
    gradebook    -> grading/gradebook.db
    export       -> grading/grades.csv

grading/ is git-ignored: it is the instructor's workspace, never part of the course.
"""
import os
import sys

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "understanding-pooling"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"
c.CourseDirectory.submitted_directory = os.path.join("grading", "submitted")
c.CourseDirectory.autograded_directory = os.path.join("grading", "autograded")
c.CourseDirectory.feedback_directory = os.path.join("grading", "feedback")
c.CourseDirectory.solution_directory = os.path.join("grading", "solution")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(os.getcwd(), "grading", "gradebook.db")
os.makedirs("grading", exist_ok=True)

c.CsvExportPlugin.to = os.path.join("grading", "grades.csv")

# nbgrader runs `alembic` (and Jupyter kernels) from PATH: put this interpreter's bin folder first,
# so that `.venv/bin/nbgrader ...` works without activating the virtual environment.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

# A safe runner: a per-cell time limit, and no waiting forever on a runaway submission.
c.ExecutePreprocessor.timeout = 60
c.Execute.timeout = 60

# Released notebooks keep the learner's own stubs; nbgrader's default replacement text.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Trusted grading: the learner's code runs in a separate, limited process and the verdict is
# computed here, never in the learner's kernel (see autograder/nbgrader_plugin.py).
# Fail closed: nbgrader ignores a config file that raises, and would then grade in the learner's
# kernel; SystemExit is not caught, so a broken install stops nbgrader instead.
try:
    from autograder.nbgrader_plugin import autograde_preprocessors, drop_stale_grades, generate_preprocessors
except Exception as exc:  # noqa: BLE001
    raise SystemExit(f"nbgrader_config.py: cannot load the course's autograder ({exc}); run `make setup`") from exc

c.Autograde.autograde_preprocessors = autograde_preprocessors()
# An optional "your helpers" cell is released without `raise NotImplementedError()`.
c.GenerateAssignment.preprocessors = generate_preprocessors()

# Feedback shows each failing case and its hint (the trusted verdict's output) but never the hidden
# tests' source, which stock nbgrader copies into the HTML: strip the hidden region first.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
c.Autograde.pre_convert_hook = drop_stale_grades
c.TolerantExecute.timeout = 60
c.TrustedVerdict.device = os.environ.get("AUTOGRADER_DEVICE", "cpu")
