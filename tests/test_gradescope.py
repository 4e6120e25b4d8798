"""Gradescope: `python -m autograder gradescope` builds the autograder zip, and its run_autograder,
run in a simulated Gradescope layout (a temporary AUTOGRADER_ROOT in place of /autograder, the
package installed from the zip's own wheel), writes a results.json that follows Gradescope's
documented format for a correct notebook, a buggy one, one named otherwise, and an empty upload.

setup.sh is not run here (it installs system packages as root); what can be checked of it is:
it parses, and every file it names is in the zip."""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile

import jsonschema
import nbformat
import pytest

from autograder.secret import fingerprint
from tests.catalogue import catalogue
from tests.conftest import TEST_SECRET
from tests.docs import documented
from tests.helpers import ROOT, learner_submission

A = "02-pooling-math"

# Gradescope's results.json, from https://gradescope-autograders.readthedocs.io/en/latest/specs/
# ("Output format"): every key is optional there except that a score must be given at the top or on
# every test; this project always gives the top-level score. Unknown keys are refused here so that
# a misspelt key (which Gradescope would silently ignore) fails the test.
_VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["score", "tests"],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": _FORMAT,
        "test_output_format": _FORMAT,
        "test_name_format": _FORMAT,
        "visibility": _VISIBILITY,
        "stdout_visibility": _VISIBILITY,
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number", "minimum": 0},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "name_format": _FORMAT,
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": _FORMAT,
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": _VISIBILITY,
                    "extra_data": {"type": "object"},
                },
            },
        },
    },
}


def _cli(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The zip built by the command (with the test secret), unpacked, and its wheel installed in a
    folder of its own (what setup.sh's virtual environment would hold)."""
    tmp = tmp_path_factory.mktemp("gradescope")
    # docs/grading-past-one-machine.md's command as written, from a folder of its own: the zip goes
    # into that folder's grading workspace (the package's checkout gives the course's files)
    (argv,) = documented("grading-past-one-machine.md", "python -m autograder gradescope 02-pooling-math")
    done = _cli(*argv[3:], cwd=tmp, env={k: v for k, v in os.environ.items() if k != "COURSE_WORKSPACE"})
    assert done.returncode == 0, done.stderr
    zip_path = tmp / "grading" / f"gradescope-{A}.zip"
    assert f"Wrote {zip_path.relative_to(tmp)}" in done.stdout and "secret" in done.stdout
    unpacked = tmp / "unpacked"
    _unzip(zip_path, unpacked)
    wheels = sorted((unpacked / "wheels").glob("*.whl"))
    site = tmp / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                                "--target", str(site), *map(str, wheels)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    return {"zip": zip_path, "unpacked": unpacked, "site": site}


def _unzip(zip_path, into):
    """Unpack as `unzip` does: with the files' Unix modes (Python's extractall drops them)."""
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            path = zf.extract(info, into)
            mode = stat.S_IMODE(info.external_attr >> 16)
            if mode:
                os.chmod(path, mode)


def _env(site, root):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable, PYTHONPATH=str(site))
    return env


def _gradescope_layout(built, tmp_path, notebooks: dict):
    """A fresh /autograder: source/ (the zip's files), run_autograder beside it, submission/."""
    root = tmp_path / "autograder"
    shutil.copytree(built["unpacked"], root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    for name, nb in notebooks.items():
        nbformat.write(nb, root / "submission" / name)
    return root


def _run(built, root):
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=_env(built["site"], root),
                          capture_output=True, text=True, timeout=900)
    results = root / "results" / "results.json"
    assert results.is_file(), done.stderr
    data = json.loads(results.read_text())
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert TEST_SECRET not in results.read_text()
    return done, data


def test_the_zip_holds_what_the_scripts_name(built):
    with zipfile.ZipFile(built["zip"]) as zf:
        infos = {i.filename: i for i in zf.infolist()}
    names = set(infos)
    assert {"setup.sh", "run_autograder", "requirements.txt", "secret",
            f"course/{A}/{A}.ipynb"} <= names, names
    wheels = [n for n in names if re.fullmatch(r"wheels/pooling_course_autograder-[^/]+-py3-none-any\.whl", n)]
    assert len(wheels) == 1, names
    for script in ("setup.sh", "run_autograder"):  # Gradescope runs them as they are: executable
        assert stat.S_IMODE(infos[script].external_attr >> 16) & 0o111, script
    assert stat.S_IMODE(infos["secret"].external_attr >> 16) == 0o600
    unpacked = built["unpacked"]
    assert (unpacked / "requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()
    assert (unpacked / "secret").read_text().strip() == TEST_SECRET
    assert not any(n.startswith("solutions/") for n in names)
    for script in ("setup.sh", "run_autograder"):
        parsed = subprocess.run(["bash", "-n", str(unpacked / script)], capture_output=True, text=True)
        assert parsed.returncode == 0, parsed.stderr
    setup = (unpacked / "setup.sh").read_text()
    assert '"$SOURCE/requirements.txt"' in setup and '"$SOURCE"/wheels/*.whl' in setup
    assert "python3.11 -m venv" in setup and "ppa:deadsnakes/ppa" in setup
    run = (unpacked / "run_autograder").read_text()
    assert "AUTOGRADER_ROOT:-/autograder" in run and f"autograder.gradescope run {A}" in run
    # the wheel holds the whole package, templates included
    with zipfile.ZipFile(unpacked / wheels[0]) as wheel:
        inside = set(wheel.namelist())
    package = {str(p.relative_to(ROOT)) for p in (ROOT / "autograder").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert package <= inside, package - inside


def test_the_command_refuses_an_unknown_assignment(tmp_path):
    done = _cli("gradescope", "99-nothing", "--output", str(tmp_path / "a.zip"))
    assert done.returncode == 2 and "no assignment '99-nothing'" in done.stderr
    assert not (tmp_path / "a.zip").exists()


def test_the_zip_goes_to_the_grading_workspace_and_a_committable_one_is_warned_about(tmp_path):
    workspace = tmp_path / "workspace"
    done = _cli("gradescope", A, env={**os.environ, "COURSE_WORKSPACE": str(workspace)})
    assert done.returncode == 0, done.stderr
    assert (workspace / f"gradescope-{A}.zip").is_file() and "git does not ignore" not in done.stderr
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    done = _cli("gradescope", A, "--output", str(repo / "autograder.zip"))
    assert done.returncode == 0 and (repo / "autograder.zip").is_file(), done.stderr
    assert "holds the grading secret and git does not ignore it" in done.stderr


def test_run_autograder_uses_the_wheel_of_the_zip(built, tmp_path):
    done = subprocess.run([sys.executable, "-c", "import autograder.gradescope as g; print(g.__file__)"],
                          cwd=tmp_path, env=_env(built["site"], tmp_path), capture_output=True, text=True)
    assert done.stdout.strip().startswith(str(built["site"])), done.stdout + done.stderr


def test_a_correct_notebook_gets_every_point(built, tmp_path):
    root = _gradescope_layout(built, tmp_path, {f"{A}.ipynb": learner_submission(A)})
    done, data = _run(built, root)
    assert done.returncode == 0, done.stderr
    assert data["score"] == 8 == sum(t["max_score"] for t in data["tests"])
    assert [t["status"] for t in data["tests"]] == ["passed"] * 4
    assert {t["visibility"] for t in data["tests"] if "hidden" in t["name"]} == {"after_published"}
    assert {t["visibility"] for t in data["tests"] if "visible" in t["name"]} == {"visible"}
    assert data["stdout_visibility"] == "hidden" and data["visibility"] == "visible"
    assert data["extra_data"]["cases_from"] == fingerprint(TEST_SECRET)  # the class's cases, not practice
    assert not (root / "source" / "secret").exists()  # read, then removed from this container


def test_a_buggy_notebook_loses_its_exercise_with_the_failing_case(built, tmp_path):
    variant = next(v for a, v in catalogue()[0] if a == A and v.exercise == "pool2d")
    root = _gradescope_layout(built, tmp_path, {f"{A}.ipynb": learner_submission(A, {variant.cell: variant.source})})
    done, data = _run(built, root)
    assert done.returncode == 0, done.stderr
    tests = {t["name"]: t for t in data["tests"]}
    assert tests["pool2d: visible checks"]["status"] == "failed"
    assert "The smallest failing case" in tests["pool2d: visible checks"]["output"]
    assert tests["uncovered_cells: visible checks"]["score"] == 1
    assert data["score"] < 8


def test_a_notebook_named_otherwise_is_graded(built, tmp_path):
    root = _gradescope_layout(built, tmp_path, {"Copy of my homework.ipynb": learner_submission(A)})
    done, data = _run(built, root)
    assert done.returncode == 0, done.stderr
    assert data["score"] == 8
    assert "graded Copy of my homework.ipynb" in data["output"]


def test_an_empty_submission_gets_zero_and_says_why(built, tmp_path):
    root = _gradescope_layout(built, tmp_path, {})
    done, data = _run(built, root)
    assert done.returncode == 0, done.stderr
    assert data["score"] == 0 and "No notebook" in data["output"]
    assert len(data["tests"]) == 4 and all(t["score"] == 0 for t in data["tests"])


ENV_SECRET = "gradescope-env-secret-0c1d"


def _run_keeping_the_secret(built, root):
    """run_autograder with the zip's secret file kept on disk and a secret in the grader's environment:
    what a learner's links reach for."""
    env = {**_env(built["site"], root), "AUTOGRADER_KEEP_SECRET_FILE": "1", "AUTOGRADER_SECRET": ENV_SECRET}
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True, timeout=900)
    text = (root / "results" / "results.json").read_text()
    assert TEST_SECRET not in text and ENV_SECRET not in text and "AUTOGRADER_" not in text
    return done, json.loads(text)


def test_a_notebook_that_is_a_link_is_neither_read_nor_graded(built, tmp_path):
    """An upload whose notebook is a link to the zip's secret (a parse error would quote it) and a
    second one linked to an honest notebook elsewhere: nothing is graded, both are named."""
    root = _gradescope_layout(built, tmp_path, {})
    nbformat.write(learner_submission(A), root / "honest.ipynb")
    os.symlink(root / "source" / "secret", root / "submission" / f"{A}.ipynb")
    os.symlink(root / "honest.ipynb", root / "submission" / "mine.ipynb")
    done, data = _run_keeping_the_secret(built, root)
    assert done.returncode == 0, done.stderr
    assert data["score"] == 0 and "No notebook" in data["output"], data["output"]
    assert f"not graded: {A}.ipynb" in data["output"] and "not graded: mine.ipynb" in data["output"]


def test_control_reading_the_linked_notebook_quotes_the_secret(built, tmp_path):
    """The attack is real without the wall: the old chooser (rglob) picked the link, and reading it
    as a notebook (nbformat.read, the old grade_path) put the secret in the error message."""
    root = _gradescope_layout(built, tmp_path, {})
    link = root / "submission" / f"{A}.ipynb"
    os.symlink(root / "source" / "secret", link)
    assert list((root / "submission").rglob("*.ipynb")) == [link]
    with pytest.raises(Exception) as err:
        nbformat.read(link, as_version=4)
    assert TEST_SECRET in str(err.value)


def test_links_beside_an_uploaded_notebook_reach_nothing(built, tmp_path):
    """A stub that prints every file beside it, with links to the secret file and the grader's
    environment: the links are named and not given, the stub earns nothing."""
    from tests import adversary

    root = _gradescope_layout(built, tmp_path, {f"{A}.ipynb": learner_submission(A, adversary.stub(adversary.READ_BESIDE))})
    adversary.links(root / "submission", {"secret.txt": str(root / "source" / "secret"),
                                          "environ.txt": "/proc/self/environ"})
    done, data = _run_keeping_the_secret(built, root)
    assert done.returncode == 0, done.stderr
    assert data["score"] == 0
    assert "secret.txt: a symbolic link, not copied" in data["output"]
    assert "environ.txt: a symbolic link, not copied" in data["output"]


def test_without_the_secret_nothing_is_graded(built, tmp_path):
    root = _gradescope_layout(built, tmp_path, {f"{A}.ipynb": learner_submission(A)})
    (root / "source" / "secret").unlink()
    done, data = _run(built, root)
    assert done.returncode == 3
    assert data["score"] == 0 and "no grading secret" in data["output"]


def test_a_chinese_class_zip_holds_the_chinese_release(tmp_path, monkeypatch):
    """Before: COURSE_LANGUAGE=zh packed the English released notebook, so every Chinese demo cell
    ran at grading and failed."""
    import json as json_module

    from autograder.gradescope import build

    monkeypatch.setenv("COURSE_LANGUAGE", "zh")
    monkeypatch.chdir(ROOT)
    path, _ = build(A, tmp_path / "zh.zip")
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert f"course-zh/{A}/{A}.ipynb" in names and f"course/{A}/{A}.ipynb" not in names
        release = json_module.loads(zf.read(f"course-zh/{A}/{A}.ipynb"))
        assert release["metadata"]["autograder"]["language"] == "zh"
        assert json_module.loads(zf.read("scoring.json")) == {"partial_credit": False, "decimals": 1}
