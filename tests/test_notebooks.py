"""The notebooks: clean, in sync with nbgrader's output, and the solutions run top to bottom."""
import json
import re
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.i18n import STUBS

from tests.helpers import COURSE, ROOT, SOLUTIONS, nbgrader_meta, notebook_path, read, run, solution_assignments

ASSIGNMENTS = solution_assignments()
ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@pytest.mark.parametrize("folder", [SOLUTIONS, COURSE], ids=["solutions", "course"])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_is_clean(folder, assignment):
    nb = read(assignment, folder)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids)), "cell ids must be unique"
    for cell in nb.cells:
        assert ID.match(cell.id), f"unstable or invalid cell id {cell.id!r}"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"stale output in {cell.id}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_course_holds_no_solutions_or_hidden_tests(assignment):
    text = notebook_path(assignment, COURSE).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "Rubric"):
        assert marker not in text
    for cell in read(assignment, COURSE).cells:
        if nbgrader_meta(cell).get("solution") and cell.cell_type == "code":
            if cell.metadata.get("autograder", {}).get("optional"):  # a "your helpers" cell: nothing to raise
                assert STUBS["en"]["optional"] in cell.source and "raise" not in cell.source, cell.id
            else:
                assert "raise NotImplementedError()" in cell.source


def test_course_is_what_nbgrader_generates(tmp_path):
    """course/ is exactly `nbgrader generate_assignment` applied to solutions/ (never hand-edited)."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(SOLUTIONS, tmp_path / "solutions")
    run(["nbgrader", "generate_assignment", "*", "--force"], cwd=tmp_path)  # every assignment, one start
    made = sorted(p.relative_to(tmp_path / "course") for p in (tmp_path / "course").rglob("*") if p.is_file())
    have = sorted(p.relative_to(COURSE) for p in COURSE.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts)
    assert made == have, "course/ has different files: run `make course`"
    for rel in made:
        a, b = (tmp_path / "course" / rel), (COURSE / rel)
        if rel.suffix == ".ipynb":
            assert json.loads(a.read_text()) == json.loads(b.read_text()), f"{rel} is stale: run `make course`"
        else:
            assert a.read_bytes() == b.read_bytes(), f"{rel} is stale: run `make course`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_runs_top_to_bottom_without_errors_or_stderr(assignment, tmp_path):
    nb = read(assignment)
    work = tmp_path / assignment
    shutil.copytree(SOLUTIONS / assignment, work)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{cell.id}: {output.ename}: {output.evalue}"
            assert output.get("name") != "stderr", f"{cell.id} wrote to stderr: {output.text[:500]}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_setup_cell_does_not_import_tensorflow(assignment):
    """Trusted grading runs the setup cell for every submission: TensorFlow's import (seconds)
    belongs in a cell of its own, so learners' processes pay it only when their code needs it."""
    setup = next(c for c in read(assignment).cells if c.id == "setup")
    assert "tensorflow" not in setup.source and "keras" not in setup.source
