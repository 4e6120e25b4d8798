"""The learner distribution (``make dist``, tools/make_dist.py): built, unpacked outside the
repository, installed from its wheel into a fresh virtual environment, run there, and scanned.

How the fresh environment gets its packages without a download: ``python -m venv --without-pip``
makes it, and this interpreter's pip installs the wheel into it (``pip --python <venv> install
--no-deps --no-index``), so our package comes only from the wheel. Installing the pinned
third-party packages again would download ~600 MB; instead a ``.pth`` file in the venv's
site-packages names a folder of symbolic links to this interpreter's site-packages entries, every
one but our own (``autograder``, its dist-info, the editable install's hooks). Python appends that
folder after the venv's own site-packages, so the wheel's ``autograder`` is the one imported, and
the repository is on no path: subprocesses run without ``PYTHONPATH`` or any ``AUTOGRADER_``
variable (a learner has no grading secret), from folders outside the repository, and the tests
assert that both the venv's Python and the notebook's kernel import ``autograder`` from the venv.

The notebook run is the learner's own command, ``make check A=02-pooling-math``, in the unpacked
folder, with a submission whose solution cells hold the model answers (``learner_submission``).
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import nbformat
import pytest

from tests.conftest import TEST_SECRET
from tests.helpers import COURSE, ROOT, learner_submission, read, solution_assignments


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_dist = _load("make_dist", ROOT / "tools" / "make_dist.py")
learner_check = _load("learner_check", ROOT / "learner" / "check.py")

NAME = make_dist.NAME
ASSIGNMENT = "02-pooling-math"
INSTRUCTOR_MODULES = ("nbgrader_plugin", "gradebook.py", "sample.py", "report.py", "templates", "exercise_text.py")
LEARNER_MODULES = ("__init__.py", "__main__.py", "kernel.py", "registry.py", "data.py", "figures", "chapter",
                   "references", "judge.py", "secret.py", "cli.py", "batch.py", "trusted.py", "sandbox", "formats.py",
                   "results.py")


def _secrets() -> list[str]:
    return sorted({TEST_SECRET, *make_dist.secrets()})


def _learner_env(venv: Path) -> dict:
    """A learner's environment: the fresh venv first on PATH, no PYTHONPATH, no grading secret, no outer make."""
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "COURSE_WORKSPACE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("AUTOGRADER_")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``make dist`` into a temporary folder: {"folder", "tar", "zip", "wheel"}."""
    return make_dist.build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def unpacked(built, tmp_path_factory) -> Path:
    """The .tar.gz unpacked into a fresh folder outside the repository (never used to build anything)."""
    target = tmp_path_factory.mktemp("learner")
    assert ROOT not in target.parents
    with tarfile.open(built["tar"]) as tar:
        tar.extractall(target, filter="data")
    return target / NAME


@pytest.fixture(scope="module")
def venv(built, tmp_path_factory) -> Path:
    """A folder unpacked from the .tar.gz with a fresh ``.venv``: the wheel installed, third-party packages linked."""
    home = tmp_path_factory.mktemp("home")
    with tarfile.open(built["tar"]) as tar:
        tar.extractall(home, filter="data")
    folder = home / NAME
    venv = folder / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
                    "--no-deps", "--no-index", "--no-cache-dir", str(built["wheel"])], check=True)
    ours = ("autograder", "pooling_course_autograder", "__editable__")
    links = home / "third-party"
    links.mkdir()
    for site_dir in dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]):
        for entry in Path(site_dir).iterdir():
            if not entry.name.startswith(ours) and not entry.name.endswith(".pth") and not (links / entry.name).exists():
                (links / entry.name).symlink_to(entry)
    (site,) = (venv / "lib").glob("python3.*/site-packages")
    (site / "third_party.pth").write_text(f"{links}\n")
    (venv / ".installed").touch()  # the learner Makefile's stamp: setup is done
    return venv


# ----------------------------------------------------------------------------- what is in it
def test_the_folder_holds_the_released_notebooks_the_learner_files_and_the_package(built):
    files = _files(built["folder"])
    for name in ("README.md", "Makefile", "check.py"):
        assert files[name] == (ROOT / "learner" / name).read_bytes()
    for assignment in solution_assignments():
        rel = f"notebooks/{assignment}/{assignment}.ipynb"
        assert files[rel] == (COURSE / assignment / f"{assignment}.ipynb").read_bytes(), rel
    package = {name.split("/", 1)[1] for name in files if name.startswith("autograder/")}
    assert package == {p.as_posix() for p in make_dist.package_files()}
    for module in LEARNER_MODULES:
        assert any(p == module or p.startswith(module + "/") for p in package), f"{module} must ship"
    for module in INSTRUCTOR_MODULES:
        assert not any(p == module or p.startswith(module + "/") for p in package), f"{module} must not ship"
    assert set(files) - {f"autograder/{p}" for p in package} == {
        "README.md", "Makefile", "check.py", "requirements.txt", "pyproject.toml",
        *(f"notebooks/{a}/{a}.ipynb" for a in solution_assignments())}


def test_the_wheel_holds_the_folders_package_and_nothing_else(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = [n for n in wheel.namelist() if not n.endswith("/")]
        modules = {n: wheel.read(n) for n in names if not n.startswith("pooling_course_autograder-")}
    folder = _files(built["folder"])
    assert modules == {name: data for name, data in folder.items() if name.startswith("autograder/")}
    assert {n.split("/")[0] for n in names} == {"autograder", "pooling_course_autograder-0.1.0.dist-info"}


def test_the_archives_hold_the_same_files_as_the_folder(built, tmp_path):
    with zipfile.ZipFile(built["zip"]) as zf:
        zf.extractall(tmp_path / "zip")
    with tarfile.open(built["tar"]) as tar:
        tar.extractall(tmp_path / "tar", filter="data")
    assert _files(tmp_path / "zip" / NAME) == _files(tmp_path / "tar" / NAME) == _files(built["folder"])


def test_the_learner_pins_are_the_roots_exact_versions(built):
    root = make_dist.requirement_pins()
    text = (built["folder"] / "requirements.txt").read_text()
    pins = dict(line.split("==") for line in text.splitlines() if line and not line.startswith("#"))
    assert pins == {name: root[name] for name in make_dist.LEARNER_PINS}
    for name in ("tensorflow-cpu", "keras", "numpy", "matplotlib", "jupyterlab", "ipykernel", "nbclient", "nbformat"):
        assert name in pins
    assert not set(pins) & set(make_dist.INSTRUCTOR_PINS)
    # every pin of the root is a decision: for learners or the instructor's only
    assert set(root) == set(make_dist.LEARNER_PINS) | set(make_dist.INSTRUCTOR_PINS)


def test_the_build_is_reproducible_from_the_repositorys_files_alone(built, tmp_path):
    """A copy of the repository's files (git's tracked and untracked-but-not-ignored: no grading/,
    no .venv, no dist/) builds the very same bytes."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    copy = tmp_path / "repository"
    for rel in filter(None, listed):
        if (ROOT / rel).is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, copy / rel)
    assert not (copy / "grading").exists()
    again = make_dist.build(tmp_path / "dist", root=copy)
    for kind in ("tar", "zip", "wheel"):
        assert again[kind].name == built[kind].name
        assert again[kind].read_bytes() == built[kind].read_bytes(), f"the {kind} differs between two builds"


# ----------------------------------------------------------------------------- the scan
def test_nothing_of_the_instructors_is_in_the_unpacked_distribution_or_the_wheel(built, unpacked):
    assert make_dist.leaks(unpacked, _secrets()) == []
    assert make_dist.leaks(built["wheel"], _secrets()) == []
    # the same, said plainly, without the scan's own code
    everything = {**_files(unpacked)}
    with zipfile.ZipFile(built["wheel"]) as wheel:
        everything.update({f"wheel:{n}": wheel.read(n) for n in wheel.namelist()})
    for name, data in everything.items():
        parts = name.removeprefix("wheel:").split("/")
        assert not {"solutions", "tests", "grading", "nbgrader_plugin"} & set(parts), name
        assert parts[-1] not in ("gradebook.py", "report.py", "sample.py", "exercise_text.py", "secret"), name
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Rubric", "Model answer", *_secrets()):
            assert marker.encode() not in data, f"{marker!r} in {name}"


def _plant_solution_in_notebook(folder):
    """A released stub replaced by the instructor's answer, without its markers."""
    path = folder / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    answer = next(c.source for c in read(ASSIGNMENT).cells if c.id == "uncovered_cells")
    answer = "\n".join(line for line in answer.splitlines() if "SOLUTION" not in line)
    next(c for c in nb.cells if c.id == "uncovered_cells").source = answer
    nbformat.write(nb, path)
    return f"notebooks/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"


def _plant_model_answer(folder):
    """A written answer's model text pasted into a file (its first line after the marker)."""
    cell = next(c for c in read(ASSIGNMENT).cells if c.id == "written_keep_and_discard")
    line = next(l for l in cell.source.splitlines() if len(l) > 80).replace("**Model answer.** ", "")
    with open(folder / "autograder" / "messages.py", "a") as f:
        f.write(f"\n# {line}\n")
    return "autograder/messages.py"


PLANTS = {
    "solution marker": lambda f: (_append(f / "check.py", "# ### BEGIN SOLUTION\n"), "check.py")[1],
    "hidden tests marker": lambda f: (_append(f / "README.md", "### BEGIN HIDDEN TESTS\n"), "README.md")[1],
    "rubric": lambda f: (_append(f / "README.md", "Rubric: 2 points for ...\n"), "README.md")[1],
    "model answer": _plant_model_answer,
    "solution in a cell": _plant_solution_in_notebook,
    "grading secret": lambda f: (_append(f / "autograder" / "data.py", f"# {TEST_SECRET}\n"), "autograder/data.py")[1],
    "solutions folder": lambda f: (_copy(ROOT / "course" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                                         f / "solutions" / "x.ipynb"), "solutions/x.ipynb")[1],
    "tests folder": lambda f: (_copy(ROOT / "tests" / "helpers.py", f / "tests" / "helpers.py"), "tests/helpers.py")[1],
    "grading secret file": lambda f: (_append(f / "grading" / "secret", "0123456789abcdef\n"), "grading/secret")[1],
    "instructor module": lambda f: (_copy(ROOT / "autograder" / "gradebook.py", f / "autograder" / "gradebook.py"),
                                    "autograder/gradebook.py")[1],
    "nbgrader plugin": lambda f: (_copy(ROOT / "autograder" / "nbgrader_plugin" / "late.py",
                                        f / "autograder" / "nbgrader_plugin" / "late.py"),
                                  "autograder/nbgrader_plugin/late.py")[1],
}


def _append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        f.write(text)


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_the_scan_catches_a_planted_leak_in_the_folder_its_archives_and_the_wheel(plant, built, tmp_path):
    folder = tmp_path / NAME
    shutil.copytree(built["folder"], folder)
    where = PLANTS[plant](folder)
    assert any(leak.startswith(where + ":") for leak in make_dist.leaks(folder, _secrets())), plant
    tar_path, zip_path = make_dist.build_archives(folder)
    for archive in (tar_path, zip_path):
        assert any(leak.startswith(f"{NAME}/{where}:") for leak in make_dist.leaks(archive, _secrets())), archive.name
    if where.startswith("autograder/"):  # the wheel: the package's files only
        wheel = tmp_path / built["wheel"].name
        with zipfile.ZipFile(built["wheel"]) as src, zipfile.ZipFile(wheel, "w") as dst:
            for name in src.namelist():
                if name != where:
                    dst.writestr(name, src.read(name))
            dst.write(folder / where, where)
        assert any(leak.startswith(where + ":") for leak in make_dist.leaks(wheel, _secrets()))


def test_the_build_fails_and_keeps_nothing_when_its_scan_finds_a_leak(tmp_path):
    copy = tmp_path / "repository"
    for name in ("learner", "autograder", "course", "solutions"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("requirements.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, copy / name)
    _append(copy / "autograder" / "figures" / "_draw.py", "# ### BEGIN HIDDEN TESTS\n")
    with pytest.raises(SystemExit, match="(?s)would leak instructor material.*_draw.py: the marker 'BEGIN HIDDEN TESTS'"):
        make_dist.build(tmp_path / "dist", root=copy)
    assert list((tmp_path / "dist").iterdir()) == []


# ----------------------------------------------------------------------------- installed and run
def test_the_fresh_venv_imports_the_package_from_the_wheel_and_runs_a_practice_hidden_check(venv, tmp_path):
    modules = sorted("autograder." + p.with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
                     for p in make_dist.package_files() if p.suffix == ".py" and p.name != "__main__.py")
    answer = next(c.source for c in read(ASSIGNMENT).cells if c.id == "uncovered_cells")
    script = "\n".join([
        "import importlib, importlib.util, json, sys",
        f"modules = {modules!r}",
        "for name in modules: importlib.import_module(name)",
        "import autograder",
        "absent = [n for n in ('autograder.nbgrader_plugin', 'autograder.gradebook', 'autograder.report',"
        " 'autograder.sample', 'autograder.exercise_text') if importlib.util.find_spec(n)]",
        answer,
        "from autograder import check",
        "check('uncovered_cells', uncovered_cells, hidden=True)",
        "print(json.dumps({'file': autograder.__file__, 'path': sys.path, 'absent': absent}))",
    ])
    proc = subprocess.run([str(venv / "bin" / "python"), "-c", script], cwd=tmp_path, env=_learner_env(venv),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    *messages, last = proc.stdout.strip().splitlines()
    found = json.loads(last)
    (site,) = (venv / "lib").glob("python3.*/site-packages")
    assert Path(found["file"]) == site / "autograder" / "__init__.py"
    assert found["absent"] == [], "instructor modules are importable"
    assert not any(p and (Path(p) == ROOT or ROOT in Path(p).parents) for p in found["path"]), found["path"]
    text = "\n".join(messages)
    assert text.startswith("Practice: the graded hidden cases are your instructor's"), text
    assert "\u2714 uncovered_cells: all" in text and "hidden case" in text


def test_make_check_in_the_unpacked_folder_runs_the_visible_and_practice_hidden_checks(venv):
    folder = venv.parent
    submission = folder / "work" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    submission.parent.mkdir(parents=True)
    nbformat.write(learner_submission(ASSIGNMENT), submission)
    handed_in = submission.read_bytes()
    proc = subprocess.run(["make", "check", f"A={ASSIGNMENT}"], cwd=folder, env=_learner_env(venv),
                          capture_output=True, text=True, timeout=600)
    out = proc.stdout
    assert proc.returncode == 0, out[-3000:] + proc.stderr[-3000:]
    (site,) = (venv / "lib").glob("python3.*/site-packages")
    assert f"kernel {venv / 'bin' / 'python'}, autograder from {site / 'autograder'})" in out, out
    for function in ("pool2d", "uncovered_cells"):
        assert f"\u2714 {function:<22} visible check: passed" in out, out
    assert out.count("practice hidden cases: passed") == 2, out
    assert "Visible checks passed: 2 of 2. Hidden checks passed: 2 of 2 (practice cases" in out
    # the learner's copy is neither overwritten by `make check` nor saved by it; the others were copied
    assert submission.read_bytes() == handed_in
    for assignment in solution_assignments():
        assert (folder / "work" / assignment / f"{assignment}.ipynb").is_file()
    assert not list(folder.rglob("secret")), "a grading secret was made on the learner's side"
    dry = subprocess.run(["make", "-n", "lab"], cwd=folder, env=_learner_env(venv), capture_output=True, text=True)
    assert f"{venv / 'bin' / 'jupyter'} lab --notebook-dir=work" in dry.stdout, dry.stdout + dry.stderr


def test_the_command_line_works_without_the_instructor_modules(venv, tmp_path):
    """The learner's copy: `list` and `grade` work (grade on practice cases, making no secret); an
    instructor's command says in one line that it is the instructor's."""
    python, env = str(venv / "bin" / "python"), _learner_env(venv)
    listed = subprocess.run([python, "-m", "autograder", "list"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "pool2d" in listed.stdout
    for command in ("report", "autograde 02-pooling-math", "sample 02-pooling-math", "sync-text", "translate status",
                    "gradescope 02-pooling-math", "new-notebook 07-pool-sum"):
        proc = subprocess.run([python, "-m", "autograder", *command.split()], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
        assert proc.returncode == 2, (command, proc.stderr[-2000:])
        assert len(proc.stderr.strip().splitlines()) == 1 and "instructor" in proc.stderr, (command, proc.stderr)
    notebook = tmp_path / "02-pooling-math.ipynb"
    nbformat.write(learner_submission("02-pooling-math"), notebook)
    graded = subprocess.run([python, "-m", "autograder", "grade", str(notebook)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert graded.returncode == 0, graded.stdout + graded.stderr[-2000:]
    assert "practice cases" in graded.stderr and "8/8" in graded.stdout
    assert not list(tmp_path.rglob("secret")), "a learner's grade made a grading secret"


# ----------------------------------------------------------------------------- check.py's reading of cells
def _cell(*outputs):
    return nbformat.v4.new_code_cell("check('x', f)", outputs=[nbformat.from_dict(o) for o in outputs])


def test_check_py_reads_each_kind_of_check_outcome():
    passed = {"output_type": "stream", "name": "stdout", "text": "\u2714 pool2d: all 7 visible cases passed.\n"}
    practice = {"output_type": "stream", "name": "stdout", "text": "Practice: the graded ...\n\u2714 pool2d: all 9\n"}
    failed = {"output_type": "error", "ename": "ExerciseFailed", "evalue": "\npool2d(...) returned the wrong shape",
              "traceback": []}
    stub = {"output_type": "error", "ename": "ExerciseFailed", "evalue": "\npool2d raised NotImplementedError",
            "traceback": []}
    missing = {"output_type": "error", "ename": "NameError", "evalue": "name 'pool2d' is not defined", "traceback": []}
    assert learner_check._outcome(_cell(passed))[:2] == ("passed", "\u2714 pool2d: all 7 visible cases passed.")
    assert learner_check._outcome(_cell(practice))[0] == "passed"
    assert learner_check._outcome(_cell(failed))[:2] == ("failed", "pool2d(...) returned the wrong shape")
    assert learner_check._outcome(_cell(stub))[0] == "not done"
    assert learner_check._outcome(_cell(missing))[0] == "failed"
    assert learner_check._outcome(_cell())[0] == "did not run"


@pytest.mark.parametrize("assignment", solution_assignments())
def test_check_py_finds_every_exercise_of_each_released_notebook(assignment):
    from autograder import registry

    nb = nbformat.read(COURSE / assignment / f"{assignment}.ipynb", as_version=4)
    found = [(name, function) for name, function, _ in learner_check.visible_checks(nb)]
    assert found == [(e.name, e.function) for e in registry.exercises(assignment)]
