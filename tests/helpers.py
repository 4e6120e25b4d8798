"""Shared test helpers: the repository's paths, notebooks, and learner code run in-process."""
from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
COURSE = ROOT / "course"
BIN = Path(sys.executable).parent


def notebook_path(assignment: str, folder: Path = SOLUTIONS) -> Path:
    return folder / assignment / f"{assignment}.ipynb"


def read(assignment: str, folder: Path = SOLUTIONS):
    return nbformat.read(notebook_path(assignment, folder), as_version=4)


def solution_assignments() -> list[str]:
    return sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and not p.name.startswith("."))


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def learner_namespace(assignment: str, replacements: dict[str, str] | None = None) -> dict:
    """Run a notebook's setup cell and its solution code cells (no demos, no tests) in-process.

    ``replacements`` maps a solution cell id to other source (a learner's version of the cell).
    This is the fast path for broad sweeps; the real ``nbgrader autograde`` runs in test_nbgrader.
    """
    replacements = replacements or {}
    nb = read(assignment)
    namespace: dict = {"__name__": "__learner__"}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        if cell.id == "setup" or meta.get("solution"):
            source = replacements.get(cell.id, cell.source)
            exec(compile(source, f"<cell {cell.id}>", "exec"), namespace)  # noqa: S102
    return namespace


def with_replacements(assignment: str, replacements: dict[str, str], folder: Path = SOLUTIONS):
    """The notebook with some solution cells' source replaced (a simulated learner submission)."""
    nb = copy.deepcopy(read(assignment, folder))
    unknown = set(replacements) - {c.id for c in nb.cells}
    assert not unknown, f"no cells {unknown} in {assignment}"
    for cell in nb.cells:
        if cell.id in replacements:
            cell.source = replacements[cell.id]
    return nb


def learner_submission(assignment: str, replacements: dict[str, str] | None = None, language: str = "en",
                       course: Path | None = None):
    """What a learner hands in: the released notebook with every solution cell filled in.

    Solution cells get the instructor's answer unless ``replacements`` gives the learner's own.
    Test cells stay as released (no hidden tests), like a real submission. ``language="zh"``: the
    Chinese course's notebook and answers; ``course``: another release folder than the repository's.
    """
    suffix = "" if language == "en" else f"-{language}"
    source = ROOT / f"solutions{suffix}"
    solved = {c.id: c.source for c in read(assignment, source).cells if nbgrader_meta(c).get("solution")}
    solved.update(replacements or {})
    return with_replacements(assignment, solved, course or ROOT / f"course{suffix}")


def env() -> dict:
    """Environment for nbgrader/jupyter subprocesses: this interpreter's bin folder first on PATH."""
    e = dict(os.environ)
    e["PATH"] = str(BIN) + os.pathsep + e.get("PATH", "")
    return e


def run(args: list[str], cwd: Path, timeout: int = 600, check: bool = True,
        extra_env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a command (``nbgrader`` etc. from this environment); fail with its output if it fails."""
    proc = subprocess.run(args, cwd=cwd, env={**env(), **(extra_env or {})}, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0 or not check, f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def course_root(root: Path, assignment: str, config_extra: str = "", submissions: dict | None = None) -> Path:
    """A course root for the real nbgrader commands: the repository's ``nbgrader_config.py`` (plus
    ``config_extra``), the assignment's source and release, ``nbgrader generate_assignment`` run
    (the gradebook made), and ``submissions`` (``{student: notebook}``) in ``grading/submitted/``."""
    import shutil

    import nbformat

    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + config_extra)
    shutil.copytree(SOLUTIONS / assignment, root / "solutions" / assignment)
    shutil.copytree(COURSE / assignment, root / "course" / assignment)
    run(["nbgrader", "generate_assignment", assignment, "--force"], cwd=root)
    for student, nb in (submissions or {}).items():
        folder = root / "grading" / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")
    return root
