"""One namespace rule, the same in the learner's kernel and at grading (tests/works_locally.py).

Each notebook runs in a real kernel as ``make check`` runs it (learner/check.py: the notebook top
to bottom, demonstrations included, then the practice hidden checks), and is graded by the
grading command and by ``nbgrader autograde``: every exercise gets the same verdict in all three.
A function that leans on a name only a demonstration cell made fails its visible check in the
kernel with a message naming the name and the cell; the same function fails at grading (the
name does not exist there). Keras imported and called in the learner's own cell passes in all
three.
"""
from __future__ import annotations

import importlib.util

import nbformat
import pytest

from tests import works_locally as wl
from tests.helpers import ROOT, course_root, learner_submission, run

A = wl.A


def _check_module():
    spec = importlib.util.spec_from_file_location("learner_check", ROOT / "learner" / "check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("works-locally")
    paths = {}
    for name, replacements in wl.NOTEBOOKS.items():
        path = folder / name / f"{A}.ipynb"
        path.parent.mkdir()
        nbformat.write(learner_submission(A, replacements), path)
        paths[name] = path
    return paths


@pytest.fixture(scope="module")
def kernel(notebooks):
    """The kernel's verdicts, as make check reports them: {notebook: {function: (visible, hidden, line)}}."""
    check = _check_module()
    found = {}
    for name, path in notebooks.items():
        records, _ = check.run(path, timeout=300)
        found[name] = {r["function"]: (r["visible"] == "passed", r["hidden"] == "passed", r["visible_line"])
                       for r in records}
    return found


def test_the_kernel_and_the_grading_command_agree(notebooks, kernel):
    from autograder.trusted import Grader

    grader = Grader("cpu")
    for name, path in notebooks.items():
        result = grader.grade_path(path, A, name)
        graded = {}
        for c in result.cells:
            graded.setdefault(c["exercise"], []).append(c["passed"])
        for function, expected in wl.EXPECTED[name].items():
            visible, hidden, line = kernel[name][function]
            assert visible == hidden == expected == all(graded[function]) == any(graded[function]), \
                (name, function, kernel[name][function], graded[function])


def test_the_kernel_names_the_demo_cell_a_function_leans_on(kernel):
    lines = {f: line for f, (_, _, line) in kernel["demo-names"].items()}
    assert "`tf_length` (cell `tf-lengths`)" in lines["conv_output_length"], lines
    assert "`keras` (cell `tf-keras`)" in lines["conv2d_output_shape"], lines
    assert "`padding` (cell `" in lines["same_padding"], lines  # the demo loop that last bound it


@pytest.mark.nbgrader
def test_nbgrader_autograde_agrees(tmp_path):
    root = course_root(tmp_path / "course", A, submissions={name: learner_submission(A, replacements)
                                                            for name, replacements in wl.NOTEBOOKS.items()})
    run(["nbgrader", "autograde", A], cwd=root, timeout=1500)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        for name, expected in wl.EXPECTED.items():
            for function, passes in expected.items():
                for which in ("visible", "hidden"):
                    grade = gb.find_grade(f"{function}_{which}", A, A, name)
                    assert (grade.auto_score == grade.max_score) is passes, (name, function, which, grade.auto_score)


def test_a_chinese_learner_gets_the_same_verdicts_at_grading():
    from autograder.trusted import Grader

    grader = Grader("cpu")
    for name, replacements in wl.NOTEBOOKS.items():
        result = grader.grade_notebook(learner_submission(A, replacements, language="zh"), A, name)
        for function, expected in wl.EXPECTED[name].items():
            assert all(c["passed"] is expected for c in result.cells if c["exercise"] == function), (name, function)
        assert not any("NameError" in note and "demo" in note for note in result.notes)


def test_the_packaged_demo_cells_are_the_released_ones():
    """autograder/demo_cells.json is what `python -m autograder demo-cells` (run by `make course`)
    makes from course/ and course-zh/: a stale one would miss a demonstration cell."""
    import json

    from autograder import watch

    packaged = json.loads((ROOT / "autograder" / watch.DATA).read_text())
    assert packaged == watch.demo_sources(ROOT), "run `make course` (or `python -m autograder demo-cells`)"
    assert set(packaged) >= {"01-convolution-output-sizes", "02-pooling-math"}
