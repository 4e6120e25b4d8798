"""Running a real class (docs/running-a-class.md): the whole term of one assignment through nbgrader's
own exchange, with the course's `nbgrader_config.py`.

In a temporary course root and a temporary exchange, the instructor imports a roster, sets a due
date, generates and releases 02-pooling-math. Learners, each in their own home folder with their
own `nbgrader_config.py` (course id and exchange), fetch it, fill it in, validate and submit:

    alice  correct                              erin   correct, submitted after the due date
    bob    a catalogued bug in pool2d           frank  a file that is not JSON
    carol  uncovered_cells left as the stub  grace  after the due date, with a 2-day extension
    dave   deleted the pool2d_hidden test cell  ivan   on the roster, never submits

The instructor collects, then autogrades two copies of the class, one with plain `nbgrader autograde`
and one with `python -m autograder autograde --jobs 2`, and the two gradebooks must agree on every
grade cell; carol resubmits (her stub filled in, a test cell deleted) and is regraded alone on both
paths; the written answers are graded through nbgrader's API; feedback is generated, released and
fetched; `nbgrader export` and the class report must agree, the late penalty included. A platform's
zip goes through `zip_collect` into the grading workspace.

The nbgrader commands run in this process through nbgrader's own `NbGraderApp` (what the `nbgrader`
script runs, and how nbgrader's test suite runs them): a fresh `nbgrader` process costs several
seconds of imports per command. Learners pass `--student` to `submit` because they all share this
machine's user here. The fast path runs as its own command, `python -m autograder autograde`.
"""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime
import html
import io
import logging
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from tests.catalogue import catalogue
from tests.docs import documented
from tests.helpers import COURSE, ROOT, SOLUTIONS, env, learner_submission

# nbgrader's own Gradebook.add_submission makes SQLAlchemy warn (autoflush) when it runs in this process
pytestmark = pytest.mark.filterwarnings("ignore:Object of type:sqlalchemy.exc.SAWarning")

A = "02-pooling-math"
COURSE_ID = "understanding-pooling"
WRITTEN = "written_keep_and_discard"
ANSWER = ("Max pooling keeps the strongest response in each window, so whether the feature was there; "
          "it loses where exactly it was. Average pooling suits textures and global pooling at the end.")
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
MANUAL = {"alice": 2, "bob": 1, "carol": 2, "dave": 1.5, "erin": 2, "grace": 2}  # the written answer, by hand
ROSTER = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]  # ivan is added on his own
CLASS_DOC, PAST_DOC = "running-a-class.md", "grading-past-one-machine.md"  # the pages whose commands run here


# ----------------------------------------------------------------------------- configuration (fast)
def _config(tmp_path, monkeypatch, **environ):
    """The course's nbgrader_config.py, executed as nbgrader does (in a scratch folder): (config, namespace)."""
    from traitlets.config import Config

    monkeypatch.chdir(tmp_path)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    if "COURSE_EXCHANGE" not in environ:
        monkeypatch.delenv("COURSE_EXCHANGE", raising=False)
    config = Config()
    namespace = {"get_config": lambda: config, "__file__": str(ROOT / "nbgrader_config.py")}
    path = ROOT / "nbgrader_config.py"
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - the course's own config
    return config, namespace


def _configurable_classes() -> dict[str, list[type]]:
    """Every class nbgrader (and this course) configures, by the name a config file uses."""
    from nbgrader.apps import NbGraderApp
    from nbgrader.exchange import default as exchange_default

    from autograder.nbgrader_plugin import AddRubrics, OptionalStub, TrustedExecute
    from autograder.nbgrader_plugin.extension import ExtensionApp
    from autograder.nbgrader_plugin.late import LatePenaltyPerDay
    from autograder.scoring import Scoring

    classes = NbGraderApp().all_configurable_classes()
    classes += [getattr(exchange_default, name) for name in exchange_default.__all__]
    classes += [TrustedExecute, AddRubrics, OptionalStub, LatePenaltyPerDay, ExtensionApp, Scoring]
    found: dict[str, list[type]] = {}
    for cls in classes:
        for klass in cls.mro():  # a key set on a parent class name reaches its subclasses
            if hasattr(klass, "class_trait_names"):
                found.setdefault(klass.__name__, [])
                if klass not in found[klass.__name__]:
                    found[klass.__name__].append(klass)
    return found


def test_every_configured_class_and_trait_exists_in_nbgrader(tmp_path, monkeypatch):
    """A misspelled class or trait in nbgrader_config.py is silently ignored by traitlets: not here."""
    config, _ = _config(tmp_path, monkeypatch, COURSE_EXCHANGE=str(tmp_path / "exchange"))
    known = _configurable_classes()
    assert config, "the config file set nothing"
    for section, values in list(config.items()):
        assert section in known, f"nbgrader_config.py configures {section}, which nbgrader does not have"
        for key in values:
            assert any(key in cls.class_trait_names(config=True) for cls in known[section]), \
                f"{section}.{key} is not a configurable trait of {section}"
        # and the values are valid for those traits (a Type's import path imports, a number is a number...)
        cls = next(c for c in known[section] if all(k in c.class_trait_names(config=True) for k in values))
        if section in ("TrustedExecute", "AddRubrics", "LatePenaltyPerDay", "AssignLatePenalties", "Scoring",
                       "CourseDirectory", "ZipCollectApp", "FileNameCollectorPlugin", "Exchange", "CsvExportPlugin"):
            instance = cls(config=config)
            for key, value in values.items():
                got = getattr(instance, key)
                assert got == value or (isinstance(got, type) and f"{got.__module__}.{got.__name__}" == value), \
                    (section, key, got, value)


def test_class_operations_defaults(tmp_path, monkeypatch):
    """The class-operations settings: an instructor's defaults, the exchange only when asked for."""
    from nbgrader.exchange.default import Exchange

    config, _ = _config(tmp_path, monkeypatch)
    assert config.CourseDirectory.course_id == COURSE_ID
    assert "root" not in config.Exchange, "nbgrader's default exchange unless COURSE_EXCHANGE is set"
    assert Exchange().root == "/usr/local/share/nbgrader/exchange"
    config, _ = _config(tmp_path, monkeypatch, COURSE_EXCHANGE="/srv/exchange")
    assert config.Exchange.root == "/srv/exchange"
    assert config.AssignLatePenalties.plugin_class == "autograder.nbgrader_plugin.late.LatePenaltyPerDay"
    assert config.LatePenaltyPerDay.percent_per_day == 10.0
    # zip_collect inside the grading workspace (git-ignored), never downloaded/ at the repository root
    assert config.ZipCollectApp.downloaded_directory == os.path.join("grading", "downloaded")
    config, _ = _config(tmp_path, monkeypatch, COURSE_WORKSPACE="grading-spring")
    assert config.ZipCollectApp.downloaded_directory == os.path.join("grading-spring", "downloaded")
    ignored = (ROOT / ".gitignore").read_text().split()
    assert {"grading/", "/grading*/", "downloaded/"} <= set(ignored), "learners' work is never committed"


@pytest.mark.parametrize("name, student, notebook", [
    ("smithbob_340934_208490284_02-pooling-math.ipynb", "340934", "02-pooling-math"),
    ("smithbob_late_340934_208490284_02-pooling-math.ipynb", "340934", "02-pooling-math"),
    ("doejane_77_5_02-pooling-math-1.ipynb", "77", "02-pooling-math"),  # Canvas renames a resubmission
    ("doejane_77_5_02-pooling-math (2).ipynb", "77", "02-pooling-math"),  # a browser's second download
    ("doejane_77_5_my-notebook.ipynb", "77", "my-notebook"),  # collected; zip_collect warns about the name
    ("doejane_77_5_02-pooling-math.pdf", None, None),
    ("02-pooling-math.ipynb", None, None),
])
def test_canvas_file_names(tmp_path, monkeypatch, name, student, notebook):
    config, namespace = _config(tmp_path, monkeypatch)
    assert config.FileNameCollectorPlugin.named_regexp == namespace["CANVAS_FILENAMES"], "Canvas is the default"
    path = f"/course/grading/downloaded/{A}/extracted/submissions/{name}"
    found = re.match(config.FileNameCollectorPlugin.named_regexp, path)
    assert (found and (found["student_id"], found["file_id"])) == ((student, notebook) if student else None)


@pytest.mark.parametrize("name, student", [
    ("Jane Doe_123456_assignsubmission_file_02-pooling-math.ipynb", "123456"),  # Moodle < 3.1, or no folders
    ("Jane Doe_123456_assignsubmission_file_/02-pooling-math.ipynb", "123456"),  # a folder per learner
    ("Jane Doe_123456_assignsubmission_onlinetext_/onlinetext.html", None),
])
def test_moodle_file_names(tmp_path, monkeypatch, name, student):
    _, namespace = _config(tmp_path, monkeypatch)
    found = re.match(namespace["MOODLE_FILENAMES"], f"/course/grading/downloaded/{A}/extracted/submissions/{name}")
    assert (found and (found["student_id"], found["file_id"])) == ((student, A) if student else None)


def test_late_penalty_rule():
    from autograder.nbgrader_plugin.late import penalty

    assert repr(penalty(1, 14, 10)) == "1.4", "rounded as the formgrader shows scores (before: 1.4000000000000001)"
    assert penalty(1, 13, 15) == 1.95 and penalty(3 * 86400, 7, 10) == 2.1
    assert penalty(0, 10, 10) == 0
    assert penalty(1, 10, 10) == 1.0  # one second late: one started day
    assert penalty(86400, 10, 10) == 1.0
    assert penalty(86401, 10, 10) == 2.0
    assert penalty(5 * 86400, 8, 25) == 10.0  # nbgrader caps it at the score
    assert penalty(3600, 10, 0) == 0


# ----------------------------------------------------------------------------- nbgrader in this process
@dataclasses.dataclass
class Ran:
    rc: int
    log: str
    out: str


@contextlib.contextmanager
def _inside(cwd: Path, environ: dict[str, str]):
    """Run in ``cwd`` with ``environ`` set; the working folder, environment and sys.path come back."""
    old_cwd, old_env, old_path = os.getcwd(), dict(os.environ), list(sys.path)
    os.chdir(cwd)
    os.environ.update(environ)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        os.environ.clear()
        os.environ.update(old_env)
        sys.path[:] = old_path


def nbgrader(cwd: Path, *argv: str, environ: dict[str, str] | None = None, ok: bool = True) -> Ran:
    """``nbgrader ARGV`` run from ``cwd`` in this process (nbgrader's NbGraderApp, as its script and tests do)."""
    from jupyter_core.application import NoStart
    from nbgrader.apps import NbGraderApp
    from nbgrader.validator import Validator

    log, out = io.StringIO(), io.StringIO()
    old_stream = Validator.stream
    with _inside(cwd, environ or {}), contextlib.redirect_stdout(out):
        Validator.stream = out
        app = NbGraderApp.instance()
        try:
            app.initialize(list(argv))
            app.init_logging(logging.StreamHandler, [log], color=False, subapps=True)
            app.start()
            rc = 0
        except NoStart:  # a command with subcommands (`nbgrader db student import`) ends so when done
            rc = 0
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            Validator.stream = old_stream
            app.reset()
    ran = Ran(rc, log.getvalue(), out.getvalue())
    if ok:
        assert ran.rc == 0, f"nbgrader {' '.join(argv)} failed ({ran.rc}):\n{ran.log[-4000:]}\n{ran.out[-2000:]}"
    return ran


def _utc(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") + " UTC"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# ----------------------------------------------------------------------------- the class
@dataclasses.dataclass
class Learner:
    name: str
    home: Path

    @property
    def environ(self) -> dict[str, str]:
        return {"HOME": str(self.home), "JUPYTER_DATA_DIR": str(self.home / ".local" / "share" / "jupyter"),
                "JUPYTER_CONFIG_DIR": str(self.home / ".jupyter"),
                "JUPYTER_RUNTIME_DIR": str(self.home / ".local" / "share" / "jupyter" / "runtime")}

    @property
    def notebook(self) -> Path:
        return self.home / A / f"{A}.ipynb"

    def nbgrader(self, *argv: str, ok: bool = True) -> Ran:
        return nbgrader(self.home, *argv, environ=self.environ, ok=ok)

    def fetch(self) -> None:
        (argv,) = documented(CLASS_DOC, "nbgrader fetch_assignment A", A=A)
        self.nbgrader(*argv[1:])
        released = nbformat.read(COURSE / A / f"{A}.ipynb", as_version=4)
        fetched = nbformat.read(self.notebook, as_version=4)
        assert [(c.id, c.source) for c in fetched.cells] == [(c.id, c.source) for c in released.cells]

    def hand_in(self, work, validate: bool = True) -> Ran | None:
        """Save ``work`` (a notebook, or text for a broken file) over the fetched notebook, validate, submit."""
        if isinstance(work, str):
            self.notebook.write_text(work)
        else:
            nbformat.write(work, self.notebook)
        checked = self.nbgrader("validate", str(self.notebook), ok=False) if validate else None
        # the one-machine dry run: every learner is this machine's user, so each says who they are
        (argv,) = documented(CLASS_DOC, "nbgrader submit A --student ID", A=A, ID=self.name)
        self.nbgrader(*argv[1:])
        return checked


def _work(replacements: dict[str, str] | None = None, delete: tuple[str, ...] = (), answer: str | None = ANSWER):
    """A learner's notebook: the solution unless ``replacements`` say otherwise, their written answer,
    cells deleted."""
    replacements = dict(replacements or {})
    if answer is not None:
        replacements[WRITTEN] = answer
    else:
        replacements[WRITTEN] = _released()[WRITTEN]  # left as released
    nb = learner_submission(A, replacements)
    nb.cells = [c for c in nb.cells if c.id not in delete]
    return nb


def _released() -> dict[str, str]:
    """The released notebook's cells' source, by cell id."""
    return {c.id: c.source for c in nbformat.read(COURSE / A / f"{A}.ipynb", as_version=4).cells}


def _bug():
    mistakes, _ = catalogue()
    return next(v for a, v in mistakes if a == A and v.exercise == "pool2d")


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    """One assignment's term, from roster to feedback; the course roots and what happened, for the tests."""
    laps, clock = {}, [time.monotonic()]

    def lap(what: str) -> None:
        now = time.monotonic()
        laps[what], clock[0] = now - clock[0], now

    base = tmp_path_factory.mktemp("class")
    root, exchange = base / "course-root", base / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)
    root.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(SOLUTIONS / A, root / "solutions" / A)
    shutil.copytree(COURSE / A, root / "course" / A)
    instructor = {"COURSE_EXCHANGE": str(exchange)}

    def course(*argv, ok=True, at=root):
        return nbgrader(at, *argv, environ=instructor, ok=ok)

    def doc(page, line, ok=True, at=root, replace=None, environ=None, **words):
        """Run a command line of docs/``page`` (A and ID filled in) as the instructor, at ``at``."""
        ran = []
        for argv in documented(page, line, replace, **{"A": A, **words}):
            if argv[0] == "nbgrader":
                ran.append(nbgrader(at, *argv[1:], environ={**instructor, **(environ or {})}, ok=ok))
            else:
                assert argv[:2] == ["python", "-m"] and argv[2] == "autograder", argv
                ran.append(_autograder(at, {**instructor, **(environ or {})}, *argv[3:]))
        return ran[0] if len(ran) == 1 else ran

    # The instructor: roster, due date, generate, release.
    (root / "roster.csv").write_text("id,first_name,last_name,email\n" + "".join(
        f"{s},{s.title()},Learner,{s}@example.org\n" for s in ROSTER))
    doc(CLASS_DOC, "nbgrader db student import roster.csv")
    course("db", "student", "add", "ivan", "--first-name=Ivan", "--last-name=Learner")
    listed = doc(CLASS_DOC, "nbgrader db student list").out
    assert "There are 8 students in the database" in listed and "ivan (Learner, Ivan)" in listed, listed
    doc(CLASS_DOC, 'nbgrader db assignment add A --duedate="2025-03-07 23:59:59 Europe/Paris"',
        replace={"2025-03-07": "2031-03-07"})  # in the future for now; moved below
    doc(CLASS_DOC, "nbgrader generate_assignment A --force")
    doc(CLASS_DOC, "nbgrader release_assignment A")
    assert f"{A} (due: 2031-03-07 22:59:59)" in doc(CLASS_DOC, "nbgrader db assignment list").out  # kept in UTC
    lap("roster, due date, generate, release")
    assert (exchange / COURSE_ID / "outbound" / A / f"{A}.ipynb").is_file()

    learners = {}
    for name in ROSTER + ["ivan"]:
        home = base / "home" / name
        home.mkdir(parents=True)
        (home / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\nc.Exchange.root = {str(exchange)!r}\n")
        learners[name] = Learner(name, home)

    bug = _bug()
    on_time = {
        "alice": _work(),
        "bob": _work({bug.cell: bug.source}),
        "carol": _work({"uncovered_cells": _released()["uncovered_cells"]}),
        "dave": _work(delete=("pool2d_hidden",)),
        "frank": '{"cells": [{"cell_type": "code", "source": "def pool2d(',  # the file a crashed save leaves
    }
    validated = {}
    for name, work in on_time.items():
        learners[name].fetch()
        validated[name] = learners[name].hand_in(work)
    lap("five learners fetch, validate, submit")

    # The due date is now: what comes next is late, unless the learner has an extension.
    due = _now()
    course("db", "assignment", "add", A, f"--duedate={_utc(due)}")
    (argv,) = documented(CLASS_DOC, "python -m autograder.nbgrader_plugin.extension A ID --days 2", A=A, ID="grace")
    extension = _extension(root, instructor, *argv[4:], command=True)  # before she hands in
    assert "grace has until" in extension.out, extension
    time.sleep(0.01)
    learners["erin"].fetch()
    validated["erin"] = learners["erin"].hand_in(_work())
    learners["grace"].fetch()
    learners["grace"].hand_in(_work(), validate=False)
    # ivan never submits: an extension given to him and taken back leaves no record
    assert "ivan has until" in _extension(root, instructor, "ivan", "--hours", "12").out
    (argv,) = documented(CLASS_DOC, "python -m autograder.nbgrader_plugin.extension A ID --remove", A=A, ID="ivan")
    removed = _extension(root, instructor, *argv[4:])
    assert "and the empty record it kept" in removed.out, removed
    doc(CLASS_DOC, "nbgrader collect A")
    assert sorted(p.name for p in (root / "grading" / "submitted").iterdir()) == sorted(ROSTER)
    lap("two late learners, extensions, collect")

    # Three copies of the collected class: plain nbgrader; the fast path (its own command); and the
    # results of `grade --shard`, merged and imported (docs/grading-past-one-machine.md).
    fast, imported = base / "course-root-fast", base / "course-root-results"
    shutil.copytree(root, fast)
    shutil.copytree(root, imported)
    plain_run = doc(CLASS_DOC, "nbgrader autograde A", ok=False)
    lap("nbgrader autograde")
    (argv,) = documented(CLASS_DOC, "python -m autograder autograde --jobs 2 A", A=A)
    fast_run = _run([sys.executable, *argv[1:]], fast, instructor)
    lap("python -m autograder autograde --jobs 2")
    results = _shards_merged_imported(imported, instructor)
    lap("grade --shard 1/2 and 2/2 (at once), merge, report, autograde --results")
    first = {"plain": _gradebook(root), "fast": _gradebook(fast), "results": _gradebook(imported)}

    # carol hands in again after the due date: her stub filled in, but the pool2d_hidden test cell
    # deleted. She is given an extension, collected and regraded alone, on both paths.
    learners["carol"].hand_in(_work(delete=("pool2d_hidden",)), validate=False)
    assert "carol has until" in _extension(root, instructor, "carol", "--days", "1").out
    with _inside(fast, instructor):  # the same extension with nbgrader's API, as docs/running-a-class.md shows it
        from nbgrader.api import Gradebook
        with Gradebook("sqlite:///grading/gradebook.db") as gb: gb.grant_extension(A, "carol", days=1)  # noqa: E701
    regrade = {}
    doc(CLASS_DOC, "nbgrader collect A --update")  # everyone's newer submissions: carol's
    regrade["plain"] = doc(CLASS_DOC, "nbgrader autograde A --student ID --force", ID="carol")
    doc(CLASS_DOC, "nbgrader collect A --student ID --update", ID="carol", at=fast)
    regrade["fast"] = doc(CLASS_DOC, "python -m autograder autograde --jobs 2 A --student ID --force", ID="carol", at=fast)
    lap("carol resubmits, is regraded on both paths")

    # The written answers, graded by hand (what the formgrader does, through nbgrader's API).
    for at in (root, fast):
        with Gradebook(f"sqlite:///{at / 'grading' / 'gradebook.db'}", COURSE_ID) as gb:
            for student, points in MANUAL.items():
                grade = gb.find_grade(WRITTEN, A, A, student)
                grade.manual_score = points
                grade.needs_manual_grade = False
            gb.db.commit()

    # Feedback for everyone, released through the exchange, fetched by learners; carol's again.
    feedback = doc(CLASS_DOC, "nbgrader generate_feedback A", ok=False)
    released = doc(CLASS_DOC, "nbgrader release_feedback A", ok=False)
    fetched = {name: learners[name].nbgrader("fetch_feedback", A) for name in ("bob", "erin", "frank")}
    carol_feedback = doc(CLASS_DOC, "nbgrader generate_feedback A --student ID --force && nbgrader release_feedback A --student ID",
                         ID="carol")
    fetched["carol"] = learners["carol"].nbgrader("fetch_feedback", A)
    lap("feedback")
    course("db", "assignment", "add", "04-keras-pooling-layers")  # registered (as `make course` does), not released
    exported = doc(CLASS_DOC, "nbgrader export")
    course("export", at=fast)
    report = doc(CLASS_DOC, "python -m autograder report")
    formgrader = _formgrader_lists(root, instructor)
    lap("export, report, the formgrader's lists")

    # A platform's zip (Canvas names) through zip_collect, in a second grading workspace beside
    # grading/: graded, exported and reported there, grading/ untouched.
    zipped = _zip_collect(root, instructor, doc)
    # --before-duedate (last): carol's on-time submission instead of her latest
    before = course("collect", A, "--student", "carol", "--before-duedate", at=fast)
    # erin regraded after her written answer was graded by hand: the hand-given points stay, flagged for review
    regrade["erin"] = doc(CLASS_DOC, "python -m autograder autograde --jobs 2 A --student ID --force", ID="erin", at=fast)
    lap("zip_collect into a second workspace, collect --before-duedate")
    print("\n".join(f"{k}: {v:.0f} s" for k, v in laps.items()), file=sys.stderr)
    return dict(root=root, fast=fast, imported=imported, exchange=exchange, learners=learners, due=due,
                validated=validated, plain_run=plain_run, fast_run=fast_run, results=results, first=first,
                regrade=regrade, feedback=feedback, released=released, fetched=fetched, report=report,
                exported=exported, formgrader=formgrader, zipped=zipped, bug=bug, carol_feedback=carol_feedback,
                before=before)


def _shards_merged_imported(root: Path, instructor: dict) -> dict:
    """docs/grading-past-one-machine.md's one-machine block, as written, in a copy of the collected
    class: two shards graded at once, merged, reported, imported into the gradebook."""
    (root / "results").mkdir()
    shard_lines = [
        documented(PAST_DOC, "python -m autograder grade grading/submitted --shard 1/2 --format json --output "
                             "results/shard-1-of-2.json"),
        documented(PAST_DOC, "python -m autograder grade grading/submitted --shard 2/2 --format json --output "
                             "results/shard-2-of-2.json")]
    e = {**env(), **instructor}
    shards = [subprocess.Popen([sys.executable, *argv[1:]], cwd=root, env=e, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE) for (argv,) in shard_lines]  # at once, as on two machines
    graded = [(proc.wait(timeout=900), *proc.communicate()) for proc in shards]
    (merge,) = documented(PAST_DOC, "python -m autograder merge results/shard-1-of-2.json results/shard-2-of-2.json "
                                    "--output results/results.json")
    merged = _run([sys.executable, *merge[1:]], root, instructor)
    (report,) = documented(PAST_DOC, "python -m autograder report --results results/results.json --output "
                                     "results/report.html")
    reported = _run([sys.executable, *report[1:]], root, instructor)
    (argv,) = documented(PAST_DOC, "python -m autograder autograde 02-pooling-math --results results/results.json")
    assert argv[4] == A
    imported = _autograder(root, instructor, *argv[3:])
    return dict(shards=graded, merged=merged, report=reported, imported=imported)


def _formgrader_lists(root: Path, instructor: dict) -> dict:
    """What the formgrader lists for the assignment (its HTTP API answers from nbgrader's NbGraderAPI):
    the submissions, and the notebook's submissions of the manual grading page."""
    from nbgrader.apps import NbGraderApp
    from nbgrader.apps.api import NbGraderAPI

    with _inside(root, instructor):
        app = NbGraderApp.instance()
        try:
            app.initialize([])
            api = NbGraderAPI(app.coursedir, parent=app)
            return {"submissions": {s["student"]: s for s in api.get_submissions(A)},
                    "notebook": {s["student"]: s for s in api.get_notebook_submissions(A, A)}}
        finally:
            app.reset()


def _run(args: list[str], cwd: Path, environ: dict[str, str] | None = None, timeout: int = 900):
    e = env()
    e.update(environ or {})
    return subprocess.run(args, cwd=cwd, env=e, capture_output=True, text=True, timeout=timeout)


def _in_process(cwd: Path, environ: dict[str, str], main, argv: list[str]) -> Ran:
    """A ``main(argv)`` of this repository's commands run from ``cwd``: its exit status and output."""
    out, err = io.StringIO(), io.StringIO()
    with _inside(cwd, environ), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else 1
    return Ran(int(rc or 0), err.getvalue(), out.getvalue())


def _autograder(root: Path, instructor: dict, *argv: str) -> Ran:
    """``python -m autograder ARGV`` in this process (the first autograde runs it as its own command)."""
    from autograder.cli import main

    return _in_process(root, instructor, main, list(argv))


def _extension(root: Path, instructor: dict, student: str, *options: str, command: bool = False) -> Ran:
    """``python -m autograder.nbgrader_plugin.extension A STUDENT OPTIONS``, as a command or in this process."""
    argv = [A, student, *options]
    if command:
        proc = _run([sys.executable, "-m", "autograder.nbgrader_plugin.extension", *argv], root, instructor)
        ran = Ran(proc.returncode, proc.stderr, proc.stdout)
    else:
        from autograder.nbgrader_plugin.extension import main

        ran = _in_process(root, instructor, main, argv)
    assert ran.rc == 0, ran
    return ran


@dataclasses.dataclass
class Cell:
    score: float
    auto_score: float | None
    needs_manual_grade: bool


def _gradebook(root: Path) -> dict:
    """student -> {"cells": {grade cell: Cell}, "penalty": float, "timestamp": ..., "extension": ...}."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}", COURSE_ID) as gb:
        for sub in gb.find_assignment(A).submissions:
            cells = {g.name: Cell(float(g.score), g.auto_score, bool(g.needs_manual_grade))
                     for nb in sub.notebooks for g in nb.grades}
            found[sub.student.id] = {"cells": cells, "penalty": float(sub.late_submission_penalty or 0),
                                     "timestamp": sub.timestamp, "extension": sub.extension,
                                     "score": float(sub.score)}
    return found


def _zip_collect(root: Path, instructor: dict, doc) -> dict:
    """Canvas's download of the class (alice, bob late and resubmitted, dave's notebook under another
    name, a PDF) through zip_collect into a second workspace, grading-zip/, beside grading/; then that
    class graded, exported and reported in its own workspace (``make report`` too), grading/ untouched."""
    workspace = "grading-zip"
    archive = root / workspace / "downloaded" / A / "archive"
    archive.mkdir(parents=True)
    submitted = root / "grading" / "submitted"
    names = {"alice": "alicelearner_1001_9001_02-pooling-math.ipynb",
             "bob": "boblearner_late_1002_9002_02-pooling-math-1.ipynb",  # late, and Canvas's renamed resubmission
             "dave": "davelearner_1004_9004_pooling-homework.ipynb"}  # saved under another name
    with zipfile.ZipFile(archive / "submissions.zip", "w") as zf:
        for student, name in names.items():
            zf.write(submitted / student / A / f"{A}.ipynb", name)
        zf.writestr("carollearner_1003_9003_notes.pdf", b"%PDF-1.4 not a notebook")
    before = _snapshot(root / "grading")
    second = {"COURSE_WORKSPACE": workspace}
    ran = doc(CLASS_DOC, "nbgrader zip_collect A", environ=second)
    again = doc(CLASS_DOC, "nbgrader zip_collect A --force", environ=second)
    collected = {str(p.relative_to(root / workspace / "submitted")): p.read_bytes()
                 for p in sorted((root / workspace / "submitted").rglob("*")) if p.is_file()}
    # that class's own gradebook: the assignment generated into it, dave's notebook renamed (section 6)
    doc(CLASS_DOC, "nbgrader generate_assignment A --force", environ=second)
    misnamed = root / workspace / "submitted" / "1004" / A
    (misnamed / "pooling-homework.ipynb").rename(misnamed / f"{A}.ipynb")
    graded = doc(CLASS_DOC, "python -m autograder autograde --jobs 2 A", environ=second)
    exported = doc(CLASS_DOC, "nbgrader export --assignment A", environ=second)
    reported = doc(CLASS_DOC, "python -m autograder report --assignment A", environ=second)
    make = subprocess.run(["make", "-f", str(ROOT / "Makefile"), "-o", "setup", "-o", ".venv/.installed",
                           f"BIN={Path(sys.executable).parent}", "report", f"COURSE_WORKSPACE={workspace}"],
                          cwd=root, env={**env(), **instructor}, capture_output=True, text=True, timeout=600)
    return {"ran": ran, "again": again, "workspace": root / workspace, "names": names, "collected": collected,
            "graded": graded, "exported": exported, "reported": reported, "make": make,
            "grading_before": before, "grading_after": _snapshot(root / "grading")}


def _snapshot(folder: Path) -> dict:
    """Every file under ``folder`` and its time of last change."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in sorted(folder.rglob("*")) if p.is_file()}


# ----------------------------------------------------------------------------- the assertions
AUTO = {"pool2d_visible": 2, "pool2d_hidden": 3, "uncovered_cells_visible": 1, "uncovered_cells_hidden": 2}


def _auto(cells: dict) -> dict:
    return {k: v.score for k, v in cells.items() if k in AUTO}


@pytest.mark.nbgrader
@pytest.mark.slow
def test_learners_validate_and_submit_through_the_exchange(term):
    v = term["validated"]
    assert "Success! Your notebook passes all the tests." in v["alice"].out
    assert "Success! Your notebook passes all the tests." in v["erin"].out
    assert "smallest failing case" in v["bob"].out and "pool2d" in v["bob"].out  # the visible check fails
    assert "not written yet" in v["carol"].out
    assert v["frank"].rc != 0 or "Success" not in v["frank"].out
    inbound = [p.name.split("+")[0] for p in (term["exchange"] / COURSE_ID / "inbound").iterdir()]
    assert sorted(inbound) == sorted(["alice", "bob", "carol", "carol", "dave", "erin", "frank", "grace"])


@pytest.mark.nbgrader
@pytest.mark.slow
def test_both_autograde_paths_give_the_same_gradebook(term):
    plain, fast = term["first"]["plain"], term["first"]["fast"]
    assert set(plain) == set(fast)
    for student in plain:
        assert plain[student]["cells"] == fast[student]["cells"], student
        assert plain[student]["penalty"] == fast[student]["penalty"], student
    # and the results of `grade --shard`, merged, imported with `autograde A --results FILE`
    imported = term["first"]["results"]
    assert set(imported) == set(plain)
    for student in plain:
        assert imported[student]["cells"] == plain[student]["cells"], student
        assert imported[student]["penalty"] == plain[student]["penalty"], student
    # after carol's regrade, too
    again = {"plain": _gradebook(term["root"]), "fast": _gradebook(term["fast"])}
    for student in again["plain"]:
        assert {k: v.score for k, v in again["plain"][student]["cells"].items()} == \
               {k: v.score for k, v in again["fast"][student]["cells"].items()}, student
        assert again["plain"][student]["penalty"] == again["fast"][student]["penalty"], student


@pytest.mark.nbgrader
@pytest.mark.slow
@pytest.mark.parametrize("path", ["plain", "fast"])
def test_each_learner_gets_what_they_earned(term, path):
    book = term["first"][path]
    full = dict(AUTO)
    assert _auto(book["alice"]["cells"]) == full
    assert _auto(book["bob"]["cells"]) == {**full, "pool2d_visible": 0, "pool2d_hidden": 0}
    assert _auto(book["carol"]["cells"]) == {**full, "uncovered_cells_visible": 0, "uncovered_cells_hidden": 0}
    dave = book["dave"]["cells"]
    assert _auto(dave) == {**full, "pool2d_hidden": 0}
    assert dave["pool2d_hidden"].auto_score == 0 and not dave["pool2d_hidden"].needs_manual_grade
    assert _auto(book["erin"]["cells"]) == full and _auto(book["grace"]["cells"]) == full
    assert "frank" not in book or book["frank"]["score"] == 0  # unreadable: zero, the others graded
    assert "ivan" not in book
    # late penalty: erin is late by seconds: one started day, 10% of the 10 points
    assert book["erin"]["penalty"] == 1.0
    assert book["grace"]["penalty"] == 0 and book["grace"]["extension"] == datetime.timedelta(days=2)
    assert all(book[s]["penalty"] == 0 for s in ("alice", "bob", "carol", "dave"))


@pytest.mark.nbgrader
@pytest.mark.slow
def test_a_broken_file_does_not_stop_the_class(term):
    """frank's file is not JSON: graded as the release (zero, the reason said), everyone else graded;
    before, nbgrader failed on him (exit 1) and he had no autograded notebook and no feedback."""
    for log, rc in ((term["plain_run"].log, term["plain_run"].rc), (term["fast_run"].stderr, term["fast_run"].returncode)):
        assert rc == 0, log[-3000:]
        assert "autograder, frank: 02-pooling-math/02-pooling-math.ipynb could not be read (NotJSONError" in log
        assert "There was an error processing" not in log
    assert "grading 7 submissions" in term["fast_run"].stderr
    nb = nbformat.read(term["root"] / "grading" / "autograded" / "frank" / A / f"{A}.ipynb", as_version=4)
    assert nb.cells[0].id == "autograder-unreadable" and "This submission could not be read" in nb.cells[0].source
    assert "NotJSONError" in nb.cells[0].source


@pytest.mark.nbgrader
@pytest.mark.slow
def test_the_formgrader_lists_the_unreadable_notebook_with_zero_and_a_flag(term):
    """What the formgrader's pages list (its HTTP API answers from nbgrader's NbGraderAPI): frank is
    autograded, scored 0 and flagged (before: "(not autograded)", missing from the manual grading list)."""
    lists = term["formgrader"]
    assert set(lists["notebook"]) == set(ROSTER), "everyone who handed something in, frank too"
    frank = lists["notebook"]["frank"]
    assert frank["score"] == 0 and frank["flagged"] is True and frank["needs_manual_grade"] is False
    assert not any(s["flagged"] for name, s in lists["notebook"].items() if name != "frank")
    assert lists["submissions"]["frank"]["autograded"] is True and lists["submissions"]["frank"]["score"] == 0


@pytest.mark.nbgrader
@pytest.mark.slow
def test_nbgraders_expected_warnings_are_not_shown(term):
    """Before: `Attribute 'checksum' for cell pool2d_hidden has changed!` for every learner, SQLAlchemy's
    SAWarning for each new submission, `display_data_priority` not recognized in the feedback."""
    fast = term["fast_run"].stderr  # its own process: every warning it printed is here
    for noise in ("has changed!", "SAWarning", "not in session"):
        assert noise not in fast, noise
    assert "has changed!" not in term["plain_run"].log
    assert "not recognized by" not in term["feedback"].log
    # dave's test cell: deleted, put back and reported (a change that is the learner's, still said)
    assert "the learner deleted cell pool2d_hidden" in term["plain_run"].log


@pytest.mark.nbgrader
@pytest.mark.slow
def test_shards_merged_and_imported_as_documented(term):
    """docs/grading-past-one-machine.md's block: two shards (3 and 4 learners of 7), merge, report,
    then `autograde A --results FILE` writes them into the gradebook without grading again."""
    results = term["results"]
    sizes = []
    for rc, out, err in results["shards"]:
        assert rc in (0, 1), err
        assert out.startswith("Summary: ") and "graded" in out, out
        sizes.append(int(re.search(r"shard \d/2: (\d+) of 7 learners", err).group(1)))
    assert sorted(sizes) == [3, 4], sizes
    merged = results["merged"]
    assert merged.returncode == 1, merged.stderr  # points were lost
    assert merged.stdout.startswith("autograder merge: merged 2 shards (1/2, 2/2): 7 submissions of 7 learners into "
                                    "results/results.json"), merged.stdout
    assert results["report"].returncode == 0 and "7 submissions of 7 students" in results["report"].stdout
    imported = results["imported"]
    assert imported.rc == 0, imported.log[-3000:]
    assert "grading 0 submissions of 02-pooling-math" in imported.log and "(7 more taken from results/results.json)" \
        in imported.log, imported.log[-2000:]
    assert "Unrecognized alias" not in imported.log


@pytest.mark.nbgrader
@pytest.mark.slow
@pytest.mark.parametrize("path", ["plain", "fast"])
def test_regrading_one_learner_a_resubmission_without_a_test_cell(term, path):
    before = term["first"][path]["carol"]["cells"]
    assert before["pool2d_hidden"].score == 3
    after = _gradebook(term["root" if path == "plain" else "fast"])
    carol = after["carol"]["cells"]
    assert _auto(carol) == {**AUTO, "pool2d_hidden": 0}, "the earlier 3 points of pool2d_hidden do not stand"
    assert not carol["pool2d_hidden"].needs_manual_grade
    assert after["carol"]["penalty"] == 0 and after["carol"]["extension"] == datetime.timedelta(days=1)
    assert after["carol"]["timestamp"] > term["due"]
    others = term["first"][path]
    for student in ("alice", "bob", "dave", "erin", "grace"):  # only carol was regraded
        assert _auto(after[student]["cells"]) == _auto(others[student]["cells"]), student


def _export(root: Path) -> dict[str, dict]:
    with open(root / "grading" / "grades.csv") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


@pytest.mark.nbgrader
@pytest.mark.slow
def test_export_and_report_agree_late_penalty_included(term):
    rows = _export(term["root"])
    assert set(rows) == set(ROSTER) | {"ivan"}
    # 04 is registered (as `make course` registers every assignment), nobody submitted it: left out, and said
    assert {r["assignment"] for r in rows.values()} == {A}
    assert "Left out of the export, as nobody has submitted them yet: 04-keras-pooling-layers" in term["exported"].log
    expected = {"alice": 10, "bob": 8 - 5 + 1, "carol": 5 + 2, "dave": 5 + 1.5, "erin": 10 - 1, "grace": 10,
                "frank": 0, "ivan": 0}
    assert {s: float(r["score"]) for s, r in rows.items()} == expected
    assert float(rows["erin"]["raw_score"]) == 10 and float(rows["erin"]["late_submission_penalty"]) == 1.0
    fast = _export(term["fast"])  # the fast path's copy, graded by hand the same way, exports the same
    assert {s: (r["raw_score"], r["late_submission_penalty"], r["score"]) for s, r in fast.items()} == \
           {s: (r["raw_score"], r["late_submission_penalty"], r["score"]) for s, r in rows.items()}
    report = term["report"]
    assert report.rc == 0 and "8 students" in report.out, report
    page = (term["root"] / "grading" / "report.html").read_text()
    cells = [[html.unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
             for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)]
    shown = {r[0]: r[1] for r in cells if len(r) == 2 and r[0] in ROSTER + ["ivan"]}
    assert shown["ivan"] == "not submitted"
    assert shown["erin"] == "9/10 (late: -1)"
    assert shown["frank"] == "0/10 (could not be graded)", "an unreadable notebook: zero, and why"
    assert any(r[:2] == ["frank", A] and r[2].startswith("NotJSONError") for r in cells), "listed with its reason"
    assert "04-keras-pooling-layers" not in shown.get("student", "") and "04-keras-pooling-layers" in page
    for student, total in expected.items():
        if student != "ivan":
            assert float(shown[student].split("/")[0]) == total, (student, shown[student])


@pytest.mark.nbgrader
@pytest.mark.slow
def test_feedback_released_and_fetched(term):
    assert term["feedback"].rc == 0, term["feedback"].log[-3000:]
    assert term["released"].rc == 0, term["released"].log[-3000:]
    bob = term["learners"]["bob"].home / A / "feedback"
    pages = list(bob.glob(f"*/{A}.html"))
    assert len(pages) == 1, term["fetched"]["bob"].log
    page = pages[0].read_text()
    assert "The smallest failing case" in page and "Hint:" in page
    assert "BEGIN HIDDEN TESTS" not in page and "hidden=True" not in page
    assert "For the grader" not in page and "Rubric" not in page and "Model answer" not in page
    erin = list((term["learners"]["erin"].home / A / "feedback").glob(f"*/{A}.html"))
    assert len(erin) == 1, term["fetched"]["erin"].log
    page = erin[0].read_text()
    assert "Late submission penalty (Score: -1.0)" in page and "9.0 / 10.0" in page
    frank = list((term["learners"]["frank"].home / A / "feedback").glob(f"*/{A}.html"))
    assert len(frank) == 1, term["fetched"]["frank"].log  # before: none (nbgrader could not read his file)
    assert "This submission could not be read" in frank[0].read_text()


@pytest.mark.nbgrader
@pytest.mark.slow
def test_zip_collect_into_the_grading_workspace(term):
    zipped, root = term["zipped"], term["root"]
    submitted = zipped["workspace"] / "submitted"
    collected = zipped["collected"]
    assert sorted({name.split("/")[0] for name in collected}) == ["1001", "1002", "1004"]  # not the PDF
    for student, number, name in (("alice", "1001", A), ("bob", "1002", A), ("dave", "1004", "pooling-homework")):
        got = collected[f"{number}/{A}/{name}.ipynb"]
        assert got == (root / "grading" / "submitted" / student / A / f"{A}.ipynb").read_bytes()
        assert f"{number}/{A}/timestamp.txt" not in collected, "Canvas's names carry no time"
    assert "Invalid submission notebook name 'pooling-homework.ipynb'" in zipped["ran"].log
    # a time written by hand is what nbgrader's autograde reads (CourseDirectory.get_existing_timestamp)
    from nbgrader.coursedir import CourseDirectory

    (submitted / "1002" / A / "timestamp.txt").write_text("2025-03-08 10:30:00 UTC")
    assert CourseDirectory().get_existing_timestamp(str(submitted / "1002" / A)) == datetime.datetime(2025, 3, 8, 10, 30)
    assert (zipped["workspace"] / "downloaded" / A / "extracted").is_dir()
    assert not (root / "downloaded").exists(), "zip_collect must not write downloaded/ at the course root"


@pytest.mark.nbgrader
@pytest.mark.slow
def test_a_second_workspace_beside_grading(term):
    """The zip's class in grading-zip/: generated, autograded, exported, reported (by the command and by
    `make report COURSE_WORKSPACE=grading-zip`) there; grading/ not touched by any of it."""
    zipped = term["zipped"]
    workspace = zipped["workspace"]
    assert zipped["grading_after"] == zipped["grading_before"], "nothing in grading/ was written or changed"
    assert zipped["graded"].rc == 0, zipped["graded"].log[-3000:]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}", COURSE_ID) as gb:
        scores = {s.student.id: s.score for s in gb.find_assignment(A).submissions}
    plain = term["first"]["plain"]  # the same notebooks, graded in grading/ (their written answers not yet by hand)
    assert scores == {number: sum(_auto(plain[student]["cells"]).values())
                      for number, student in (("1001", "alice"), ("1002", "bob"), ("1004", "dave"))}
    with open(workspace / "grades.csv") as f:
        assert sorted(row["student_id"] for row in csv.DictReader(f)) == ["1001", "1002", "1004"]
    assert "Wrote grading-zip/report.html: 3 submissions of 3 students in 1 assignments." in zipped["reported"].out
    make = zipped["make"]
    assert make.returncode == 0, make.stderr
    assert "Wrote grading-zip/report.html: 3 submissions of 3 students" in make.stdout, make.stdout
    assert "1004" in (workspace / "report.html").read_text() and "alice" not in (workspace / "report.html").read_text()


@pytest.mark.nbgrader
@pytest.mark.slow
def test_regraded_feedback_and_collect_before_the_due_date(term):
    assert all(ran.rc == 0 for ran in term["carol_feedback"])
    pages = list((term["learners"]["carol"].home / A / "feedback").glob(f"*/{A}.html"))
    assert len(pages) == 1, term["fetched"]["carol"].log  # her resubmission's feedback (the first was never released)
    page = pages[0].read_text()
    assert "pool2d_hidden is missing from the notebook" in page and "Late submission penalty" not in page
    # `collect --before-duedate` took carol's last submission before the due date, not her latest
    stamp = (term["fast"] / "grading" / "submitted" / "carol" / A / "timestamp.txt").read_text()
    from nbgrader.utils import parse_utc

    assert parse_utc(stamp) <= term["due"], stamp


def _make_n(*args):
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    proc = subprocess.run(["make", "-n", "-o", "setup", "-o", ".venv/.installed", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("target, expected", [
    (documented(CLASS_DOC, "make autograde A=02-pooling-math")[0][1:] + ["NBGRADER_ARGS=--student alice --force"],
     "-m autograder autograde --jobs 2 02-pooling-math --student alice --force"),
    (["grade-ui"], "jupyter lab --notebook-dir=."),
    (["report"], "-m autograder report"),
    (["grade"], "-m autograder grade grading/submitted --jobs 2"),
    (["grade", "COURSE_WORKSPACE=grading-zh"], "-m autograder grade grading-zh/submitted --jobs 2"),
    (["clean-grading", "CONFIRM=yes", "COURSE_WORKSPACE=grading-zh"], 'rm -rf -- "grading-zh"'),
])
def test_make_targets_run_the_documented_commands(target, expected):
    """docs/running-a-class.md's `make` lines are the commands the test above runs (`make -n` prints
    them), in the workspace COURSE_WORKSPACE names (before: `make grade` always read grading/)."""
    assert expected in _make_n(*target)


def test_make_help_lists_every_target_in_a_line_each():
    """Before: `make help` printed lines 2-16 of the Makefile, from mid-sentence to two lines of code."""
    text = _make_n("help").replace("echo ", "")  # -n shows the recipe; run it for real below
    assert text
    proc = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0 and lines[0].startswith("make TARGET"), proc.stdout
    phony = re.search(r"^\.PHONY: (.*)$", (ROOT / "Makefile").read_text(), re.M).group(1).split()
    listed = [re.match(r"  make (\S+) +\S", line).group(1) for line in lines[1:]]
    assert sorted(listed) == sorted(phony), (listed, phony)
    assert not any(":=" in line or "$(" in line for line in lines), proc.stdout


@pytest.mark.nbgrader
@pytest.mark.slow
def test_regrading_after_grading_by_hand_keeps_the_hand_given_points(term):
    assert term["regrade"]["erin"].rc == 0, term["regrade"]["erin"]
    erin = _gradebook(term["fast"])["erin"]
    assert erin["cells"][WRITTEN].score == MANUAL["erin"] and erin["cells"][WRITTEN].needs_manual_grade
    assert _auto(erin["cells"]) == AUTO and erin["penalty"] == 1.0


def test_the_documented_alternatives_exist_in_nbgrader():
    """docs/running-a-class.md's other settings: nbgrader's `zero` penalty, refusing learners off the roster."""
    from traitlets.config import Config
    from nbgrader.converters import Autograde
    from nbgrader.plugins import LateSubmissionPlugin
    from nbgrader.preprocessors import AssignLatePenalties

    config = Config()
    config.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"
    config.LateSubmissionPlugin.penalty_method = "zero"
    config.Autograde.create_student = False
    assert AssignLatePenalties(config=config).plugin_class is LateSubmissionPlugin
    assert LateSubmissionPlugin(config=config).late_submission_penalty("x", 7.5, 10) == 7.5
    assert Autograde(config=config).create_student is False


def test_a_setting_is_overridden_on_the_command_line(tmp_path):
    """`nbgrader autograde A --LatePenaltyPerDay.percent_per_day=5` beats the config file's 10."""
    from nbgrader.apps import NbGraderApp

    from autograder.nbgrader_plugin.late import LatePenaltyPerDay

    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    with _inside(tmp_path, {}):
        for argv, expected in (([], 10.0), (["--LatePenaltyPerDay.percent_per_day=5"], 5.0)):
            app = NbGraderApp.instance()
            try:
                app.initialize(["autograde", A, *argv])
                assert LatePenaltyPerDay(parent=app.subapp).percent_per_day == expected
            finally:
                app.reset()
