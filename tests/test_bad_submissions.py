"""Bad submissions: a clear message and zero on what they break, everything else graded normally,
the batch finishes, and no stale grade survives. Both paths: the grading command's Grader (all
of them, fast) and one real `nbgrader autograde` over the whole batch."""
import shutil

import nbformat
import pytest

from autograder.sandbox import Limits
from autograder.trusted import Grader
from tests.bad_submissions import ASSIGNMENT as A
from tests.bad_submissions import BAD
from tests.helpers import COURSE, ROOT, SOLUTIONS, learner_submission, run

LIMITS = Limits(cell_timeout=5, call_timeout=3, memory_mb=2048)


def _write(folder, name):
    make, _ = BAD[name]
    made = make(learner_submission(A))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{A}.ipynb"
    if isinstance(made, bytes):
        path.write_bytes(made)
    else:
        nbformat.write(made, path)
    return path


def _assert_expected(name, cells):
    _, expected = BAD[name]
    for exercise, (full, text) in expected.items():
        mine = [c for c in cells if c["exercise"] == exercise]
        if full:
            assert all(c["score"] == c["max_score"] for c in mine), (name, exercise, [c["message"] for c in mine])
        else:
            assert all(c["score"] == 0 for c in mine), (name, exercise)
            assert all(text in c["message"] for c in mine), (name, exercise, [c["message"][:400] for c in mine])


@pytest.mark.parametrize("name", sorted(BAD))
def test_grading_command_isolates_the_damage(name, tmp_path):
    path = _write(tmp_path / name, name)
    result = Grader(limits=LIMITS).grade_path(path, A, name)
    _assert_expected(name, result.cells)


@pytest.mark.parametrize("kind", ["link", "fifo", "too large"])
def test_a_notebook_that_is_not_a_plain_file_is_not_read(kind, tmp_path, monkeypatch):
    """The grader reads the notebook by sandbox.files' rule: a link (to a secret: a parse error
    would quote it) or a FIFO (a read would block the class run) is not opened, and a notebook
    over the size limit is not loaded; each gets zero with the reason, without running anything."""
    import os

    from autograder.sandbox import files

    path = tmp_path / f"{A}.ipynb"
    target = tmp_path / "secret"
    target.write_text("the-grading-secret\n")
    if kind == "link":
        os.symlink(target, path)
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        nbformat.write(learner_submission(A), path)
        monkeypatch.setattr(files, "MAX_NOTEBOOK_BYTES", 1000)
    result = Grader(limits=LIMITS).grade_path(path, A, kind)
    assert "could not be read" in result.error and all(c["score"] == 0 for c in result.cells), result.error
    assert {"link": "a symbolic link", "fifo": "a FIFO", "too large": "larger than"}[kind] in result.error
    assert "the-grading-secret" not in result.error


def test_memory_limit_stops_a_large_allocation(tmp_path):
    """2 GB would fit in this machine; the learner's process may use 1 GB."""
    nb = learner_submission(A, {"pool2d": '''
def pool2d(feature_map, pool_size, stride, mode="max"):
    return np.ones((2 * 1024**3 // 8,), dtype=np.float64)
'''})
    result = Grader(limits=Limits(memory_mb=1024)).grade_notebook(nb, A, "memory")
    pool2d = [c for c in result.cells if c["exercise"] == "pool2d"]
    assert all(c["score"] == 0 and "MemoryError" in c["message"] for c in pool2d)


@pytest.mark.nbgrader
def test_nbgrader_batch_finishes_matches_the_command_and_leaves_no_stale_grade(tmp_path):
    root = tmp_path / "course-root"
    root.mkdir()
    config = (ROOT / "nbgrader_config.py").read_text() + (
        "\nc.TrustedExecute.cell_timeout = 5\nc.TrustedExecute.call_timeout = 3\nc.TrustedExecute.memory_mb = 2048\n")
    (root / "nbgrader_config.py").write_text(config)
    shutil.copytree(SOLUTIONS / A, root / "solutions" / A)
    shutil.copytree(COURSE / A, root / "course" / A)
    run(["nbgrader", "generate_assignment", A, "--force"], cwd=root)
    submitted = root / "grading" / "submitted"
    # first, "malformed_json" hands in a correct notebook and is graded: full marks
    nbformat.write(learner_submission(A), (submitted / "malformed_json" / A).mkdir(parents=True) or
                   submitted / "malformed_json" / A / f"{A}.ipynb")
    run(["nbgrader", "autograde", A], cwd=root)
    for name in BAD:
        if name == "malformed_json":
            shutil.rmtree(submitted / name / A)
        _write(submitted / name / A, name)
    # the notebook that is not JSON is graded as the release (zero, its reason said); the batch finishes
    proc = run(["nbgrader", "autograde", A, "--force"], cwd=root, timeout=1800, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "autograder, malformed_json: 02-pooling-math/02-pooling-math.ipynb could not be read" in proc.stderr

    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        for name in BAD:
            try:
                grades = {g.name: g.score for g in gb.find_submission_notebook(A, A, name).grades}
            except MissingEntry:
                grades = {}  # no grades at all (zero in the export)
            command = Grader(limits=LIMITS).grade_path(submitted / name / A / f"{A}.ipynb", A, name)
            ours = {c["grade_id"]: c["score"] for c in command.cells}
            for grade_id, score in ours.items():
                assert grades.get(grade_id, 0) == score, (name, grade_id, grades.get(grade_id), score)
