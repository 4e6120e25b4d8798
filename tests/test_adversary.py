"""Trusted grading, second review: no forged grade and no secret read, on either path.

The attacks (tests/adversary.py) are a class of stubs that do none of the work, each trying one
way to points or to the instructor's secrets: links beside the notebook, a notebook that is a
link, a classmate's folder nested in one's own, renamed test cell ids with decoys, a notebook
without ids, a pasted test cell, script in a written answer, a forged events file. The class is
graded by the grading command and by plain ``nbgrader autograde`` (then ``generate_feedback``):
every stub earns 0, the honest classmate keeps 8, and no secret, gradebook, solution or
classmate's text appears in any result, autograded notebook or feedback. Each attack's control
shows it is real on the unprotected code (the old copy, the old placement by id, nbgrader's own
checks and templates, an in-process clock).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys

import nbformat
import pytest

from tests import adversary
from tests.helpers import course_root, env, learner_submission, run

A = adversary.A
STUBS = ["links", "linked", "mallory", "decoy", "noids", "pasted", "xss", "spoof"]
FILE_SECRET = f"file-secret-{secrets.token_hex(8)}"
ENV_SECRET = f"env-secret-{secrets.token_hex(8)}"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course root with the repository's nbgrader config, the release, a grading secret, a gradebook,
    and the attackers' class in grading/submitted/."""
    root = course_root(tmp_path_factory.mktemp("adversary") / "course", A)
    (root / "grading" / "secret").write_text(FILE_SECRET + "\n")
    adversary.build(root / "grading" / "submitted", {
        "secret": str(root / "grading" / "secret"), "gradebook": str(root / "grading" / "gradebook.db"),
        "solution": str(root / "solutions" / A / f"{A}.ipynb")})
    return root


def _grading_env() -> dict:
    return {**env(), "AUTOGRADER_SECRET": ENV_SECRET}


@pytest.fixture(scope="module")
def fast(course):
    """The grading command over the class: (exit status, {student: record}, stderr)."""
    out = course / "results.json"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", "grading/submitted", "--jobs", "2",
                           "--format", "json", "--output", str(out)], cwd=course, env=_grading_env(),
                          capture_output=True, text=True, timeout=900)
    data = json.loads(out.read_text())
    return proc.returncode, {s["student"]: s for s in data["submissions"]}, proc.stderr, out.read_text()


@pytest.fixture(scope="module")
def graded(course):
    """Plain `nbgrader autograde`, then `generate_feedback`: the gradebook's scores per student."""
    run(["nbgrader", "autograde", A], cwd=course, timeout=1500, extra_env={"AUTOGRADER_SECRET": ENV_SECRET})
    run(["nbgrader", "generate_feedback", A], cwd=course, timeout=600)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions(A)}


def _texts(folder) -> str:
    """Every file under ``folder`` as text (what an instructor or a learner could open)."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append(path.read_bytes().decode(errors="replace"))
    return "\n".join(found)


def _leaks(text: str) -> list[str]:
    """Secrets and foreign texts that must never appear: both secrets, the gradebook's header, the
    model answer's code, the grader's environment."""
    model = "out[i, j] = window.max()"  # a line of 02's model answer, never in a learner's stub
    return [s for s in (FILE_SECRET, ENV_SECRET, "SQLite format 3", model, "AUTOGRADER_SECRET") if s in text]


# ----------------------------------------------------------------------------- the grading command
def test_the_grading_command_gives_every_stub_zero_and_the_honest_learner_full_marks(fast):
    status, results, stderr, _ = fast
    assert results["ada"]["score"] == 8, results["ada"]["cells"]
    for student in set(STUBS) - {"linked"}:
        assert results[student]["score"] == 0, (student, [(c["grade_id"], c["score"]) for c in results[student]["cells"]])
    assert results["linked"]["score"] == 0 and "symbolic link" in results["linked"]["error"]
    assert "nested inside another submission" in stderr  # mallory's copy of "ada" was not graded
    assert status == 1


def test_no_secret_reaches_the_grading_commands_results(fast):
    _, _, _, text = fast
    assert not _leaks(text), _leaks(text)


def test_links_beside_the_notebook_are_named_and_not_given(fast):
    """Links (to the secret, the gradebook, the grader's environment, /proc/self/pagemap) are named
    in the learner's notes and never followed; notebooks beside the notebook are never data."""
    notes = "\n".join(fast[1]["links"]["notes"])
    for name in ("secret.txt", "gradebook.db", "environ.txt", "pagemap.bin"):
        assert f"{name}: a symbolic link" in notes, notes
    returned = "\n".join(c["message"] for c in fast[1]["links"]["cells"])
    assert "solution.ipynb=" not in returned and "classmate.ipynb=" not in returned and "secret.txt=" not in returned


def test_a_forged_events_file_does_not_change_the_confinement_report(fast):
    confinement = fast[1]["spoof"]["confinement"]
    assert confinement.get("abi") != 42 and "42" not in confinement.get("describe", "")


# ----------------------------------------------------------------------------- plain nbgrader autograde
@pytest.mark.nbgrader
def test_nbgrader_autograde_gives_every_stub_zero_and_grades_the_whole_class(graded):
    """The pasted test cell no longer stops the assignment: every learner has a score."""
    assert graded["ada"] == 8
    for student in set(STUBS) - {"mallory"}:  # nbgrader never looks inside mallory's folder
        assert graded[student] == 0, (student, graded)
    assert graded["mallory"] == 0


@pytest.mark.nbgrader
def test_nothing_of_the_graders_reaches_autograded_notebooks_or_feedback(course, graded):
    for folder in ("autograded", "feedback"):
        text = _texts(course / "grading" / folder)
        assert not _leaks(text), (folder, _leaks(text))
    copied = {p.name for p in (course / "grading" / "autograded" / "links" / A).iterdir()}
    assert copied == {f"{A}.ipynb", "timestamp.txt"} or copied == {f"{A}.ipynb"}, copied
    feedback = {p.name for p in (course / "grading" / "feedback" / "links" / A).iterdir()}
    assert feedback <= {f"{A}.html", "timestamp.txt"}, feedback


@pytest.mark.nbgrader
def test_a_written_answer_cannot_carry_script_to_the_grader_or_the_feedback(course, graded):
    nb = nbformat.read(course / "grading" / "autograded" / "xss" / A / f"{A}.ipynb", as_version=4)
    answers = [c.source for c in nb.cells if c.cell_type == "markdown"
               and c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    assert answers and all("onerror" not in a and "javascript:" not in a and "The answer is 4." in a for a in answers)
    html = (course / "grading" / "feedback" / "xss" / A / f"{A}.html").read_text()
    assert "onerror" not in html and "javascript:window" not in html and "The answer is 4." in html


# ----------------------------------------------------------------------------- the controls
def test_control_the_old_copy_gave_the_learner_the_secret_and_the_environment(course, tmp_path):
    """What the grader used to do with the files beside a notebook: is_file() and shutil.copy follow links
    (here the copying process is this test's, whose environment holds the tests' grading secret)."""
    source, target = course / "grading" / "submitted" / "links" / A, tmp_path / "work"
    target.mkdir()
    for path in source.iterdir():  # the old _copy_small_files, but for the pagemap (below)
        if path.name != "pagemap.bin" and path.is_file() and path.suffix != ".ipynb" \
                and path.stat().st_size <= 16 * 1024 * 1024:
            shutil.copy(path, target / path.name)
    assert FILE_SECRET in (target / "secret.txt").read_text()
    assert f"AUTOGRADER_SECRET={os.environ['AUTOGRADER_SECRET']}" in (target / "environ.txt").read_bytes().decode(
        errors="replace")
    # /proc/self/pagemap says it is empty and is not: the old size check let it through, and copying
    # it wrote gigabytes (this control reads 4 MB of it and stops; a full copy fills the disk)
    pagemap = source / "pagemap.bin"
    assert pagemap.is_file() and pagemap.stat().st_size == 0
    with open(pagemap, "rb") as f:
        assert len(f.read(4 * 1024 * 1024)) == 4 * 1024 * 1024


def test_control_the_old_identity_gave_a_linked_notebook_the_classmates_name(course):
    linked = course / "grading" / "submitted" / "linked" / A / f"{A}.ipynb"
    assert linked.resolve().parts[-3] == "ada"  # the old rule: the learner from the resolved path


def _old_placement_score(nb) -> float:
    """nbgrader's own scoring after the old placement: verdicts on the cells whose *id* is a test id."""
    from nbgrader.utils import determine_grade

    from autograder.nbgrader_plugin import verdict_outputs

    tests = {f"{e}_{w}" for e in ("pool2d", "uncovered_cells") for w in ("visible", "hidden")}
    total = 0.0
    for cell in nb.cells:
        if cell.get("id") in tests:
            cell["outputs"] = verdict_outputs(False, "failed")
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and cell.get("cell_type") == "code":
            cell.setdefault("outputs", [])
            total += determine_grade(cell)[0] or 0
    return total


@pytest.mark.parametrize("attack", ["decoy", "noids"])
def test_control_placing_verdicts_by_cell_id_gave_a_stub_full_marks(course, attack):
    nb = nbformat.read(course / "grading" / "submitted" / attack / A / f"{A}.ipynb", as_version=4)
    assert _old_placement_score(nb) == 8


def test_control_a_pasted_test_cell_stops_stock_nbgrader(course):
    from nbgrader.preprocessors import CheckCellMetadata
    from nbgrader.nbgraderformat import SchemaTooOldError

    nb = nbformat.read(course / "grading" / "submitted" / "pasted" / A / f"{A}.ipynb", as_version=4)
    with pytest.raises(SchemaTooOldError):
        CheckCellMetadata().preprocess(nb, {})


def test_control_nbgraders_own_templates_keep_the_script(course):
    from nbconvert.filters import markdown2html

    assert "onerror" in markdown2html(adversary.XSS)  # what the formgrade template does with an answer


# ----------------------------------------------------------------------------- speed and the fallback process
def _rows_columns_loop():
    from tests.catalogue import fast_pooling as cat

    return next(v for v in cat.MISTAKES if "rows and columns" in v.name)


# A clock that stands still while the learner's function runs and jumps while the baseline does:
# measure() reads it twice around each (learner, baseline) pair of runs.
CLOCK_PATCH = ("\nimport itertools as _it\nimport autograder.speed as _speed\n_calls = _it.count(1)\n"
               "_speed._clock = lambda: float(next(_calls) // 4)\n")


def test_patching_the_clock_no_longer_buys_speed():
    """Before: a correct loop (6x) got 12/12 once its helpers cell replaced autograder.speed._clock
    in its own process. The grader now reads the CPU time of the learner's processes itself."""
    from autograder.trusted import Grader

    from tests.helpers import read

    loop = _rows_columns_loop()
    helpers = next(c.source for c in read("06-fast-pooling").cells if c.get("id") == "helpers") + CLOCK_PATCH
    nb = learner_submission("06-fast-pooling", {loop.cell: loop.source, "helpers": helpers})
    result = Grader("cpu").grade_notebook(nb, "06-fast-pooling", "clock")
    speed_cells = [c for c in result.cells if c["exercise"] == loop.exercise]
    assert all(not c["passed"] for c in speed_cells), [(c["grade_id"], c["message"][:200]) for c in speed_cells]
    assert any("not fast enough" in c["message"] for c in speed_cells)


def test_control_the_patched_clock_fools_a_clock_in_the_learners_process():
    from autograder import registry, speed
    from tests.helpers import learner_namespace

    loop = _rows_columns_loop()
    fn = learner_namespace("06-fast-pooling", {loop.cell: loop.source})[loop.exercise]
    exercise = registry.get(loop.exercise)
    baseline = speed.load_baseline(exercise.speed.baseline)
    honest = speed.measure(fn, baseline, exercise.speed.input("visible"), 3).ratio
    namespace: dict = {}
    real = speed._clock
    try:
        exec(CLOCK_PATCH, namespace)  # noqa: S102 - the learner's helpers cell, in the learner's own process
        fooled = speed.measure(fn, baseline, exercise.speed.input("visible"), 3).ratio
    finally:
        speed._clock = real
    assert honest < exercise.speed.min_ratio <= fooled, (honest, fooled)


SHADOW = "import os\nopen(os.environ.get('MARKER', '/tmp/never'), 'w').write('ran')\nfrom inspect import *\n"


def test_a_module_beside_the_notebook_is_not_imported_before_the_confinement(tmp_path):
    """Before: the fresh learner process put its folder first on sys.path before Landlock, so a
    traceback.py handed in beside the notebook ran unconfined."""
    from autograder.trusted import Grader

    folder = tmp_path / "sub" / A
    folder.mkdir(parents=True)
    marker = tmp_path / "marker"
    (folder / "traceback.py").write_text(SHADOW.replace("os.environ.get('MARKER', '/tmp/never')", repr(str(marker))))
    nbformat.write(learner_submission(A), folder / f"{A}.ipynb")
    result = Grader("cpu", zygote=False).grade_path(folder / f"{A}.ipynb", A, "shadow")
    assert result.score == 8 and not marker.exists()


def test_control_a_module_beside_a_script_shadows_the_standard_library(tmp_path):
    marker = tmp_path / "marker"
    (tmp_path / "traceback.py").write_text(SHADOW.replace("os.environ.get('MARKER', '/tmp/never')", repr(str(marker))))
    subprocess.run([sys.executable, "-c", "import traceback"], cwd=tmp_path, timeout=60, env={"PATH": os.environ["PATH"]})
    assert marker.exists()


# ----------------------------------------------------------------------------- one learner never stops the class
HUGE_INT = "def pool2d(feature_map, pool_size, stride, mode='max'):\n    return 10 ** 5000\n"
FORGED = '''import json, os
def _forge(message):
    for fd in sorted(int(f) for f in os.listdir("/proc/self/fd")):
        try:
            os.write(fd, (json.dumps(message) + "\\n").encode())
        except OSError:
            pass
def pool2d(feature_map, pool_size, stride, mode="max"):
    _forge({"op": "result", "key": "pool2d/hidden/999", "outcome": {"value": {"int": "9" * 5000}}})
    _forge({"op": "functions", "found": {"pool2d": None}})
    return None
'''
BUGGY = "def uncovered_cells(input_length, pool_size, stride, padding='valid'):\n    return ()\n"
BATCH = {"ada": {}, "bob": {"uncovered_cells": BUGGY}, "huge": {"pool2d": HUGE_INT}, "forged": {"pool2d": FORGED}}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Five learners of 02 in one class: two honest (one with a bug), three that try to stop the
    class (a huge int, forged messages on the pipe, a pasted test cell); graded by the grading
    command with two jobs and by `python -m autograder autograde`."""
    students = {student: learner_submission(A, replacements) for student, replacements in BATCH.items()}
    students["pasted"] = adversary.pasted_test_cell(learner_submission(A))
    root = course_root(tmp_path_factory.mktemp("batch") / "course", A, submissions=students)
    out = root / "fast.json"
    fast_run = subprocess.run([sys.executable, "-m", "autograder", "grade", "grading/submitted", "--jobs", "2",
                               "--format", "json", "--output", str(out)], cwd=root, env=env(), capture_output=True,
                              text=True, timeout=900)
    autograde = subprocess.run([sys.executable, "-m", "autograder", "autograde", "--jobs", "2", A], cwd=root, env=env(),
                               capture_output=True, text=True, timeout=1500)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        book = {s.student.id: s.score for s in gb.assignment_submissions(A)}
    return fast_run, json.loads(out.read_text()) if out.exists() else None, autograde, book


def _alone(student: str) -> dict:
    from autograder.trusted import Grader

    result = Grader("cpu").grade_notebook(learner_submission(A, BATCH.get(student, {})), A, student)
    return {c["grade_id"]: c["score"] for c in result.cells}


def test_the_grading_command_grades_the_others_exactly_as_alone(batch):
    fast_run, data, _, _ = batch
    assert data is not None, fast_run.stderr[-2000:]
    assert fast_run.returncode == 1, fast_run.stderr[-2000:]  # points lost, no grader failure
    records = {s["student"]: s for s in data["submissions"]}
    assert set(records) == {"ada", "bob", "huge", "forged", "pasted"}
    for student in ("ada", "bob"):
        assert {c["grade_id"]: c["score"] for c in records[student]["cells"]} == _alone(student)
    for student in ("huge", "forged"):
        pool2d = [c for c in records[student]["cells"] if c["exercise"] == "pool2d"]
        assert all(c["score"] == 0 for c in pool2d) and not records[student]["error"], records[student]
    assert records["pasted"]["score"] == 8  # a pasted copy of a test cell is a plain cell: the work still counts


@pytest.mark.nbgrader
def test_python_m_autograder_autograde_grades_every_learner(batch):
    _, _, autograde, book = batch
    assert autograde.returncode == 0, autograde.stderr[-3000:]
    assert book == {"ada": 8, "bob": 5, "huge": 3, "forged": 3, "pasted": 8}, book


def test_a_tuple_holding_an_array_where_none_is_expected_is_a_wrong_answer_not_a_crash():
    from autograder.trusted import Grader

    source = ("def lenet_shapes(input_shape=(28, 28, 1)):\n    import numpy as np\n"
              "    return tuple((np.zeros(2), 0, 0, 0) for _ in range(7))\n")
    result = Grader("cpu").grade_notebook(learner_submission("04-keras-pooling-layers", {"lenet_shapes": source}),
                                          "04-keras-pooling-layers", "arrays")
    lenet = [c for c in result.cells if c["exercise"] == "lenet_shapes"]
    assert result.error is None and not result.grader_notes
    assert all(c["score"] == 0 for c in lenet) and "expected None" in lenet[0]["message"], lenet[0]["message"][:400]
