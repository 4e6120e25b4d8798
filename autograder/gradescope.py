"""Gradescope: the autograder zip of one assignment, and the grading that runs inside it.

    python -m autograder gradescope 02-pooling-math [--output FILE]    # the instructor, once

writes ``grading/gradescope-02-pooling-math.zip`` (in the git-ignored grading workspace: the zip
holds the grading secret) unless ``--output`` names another file, and warns when git would not
ignore that file.

The zip is what Gradescope's "Configure Autograder" page takes. Its root holds

* ``setup.sh``: Gradescope runs it once, as root, when it builds the autograder's image (Ubuntu):
  it installs Python 3.11 when the image has none (Ubuntu's package, else the deadsnakes PPA),
  makes a virtual environment in ``/autograder/venv`` and installs ``requirements.txt`` (the
  course's exact pins) and the autograder's wheel (``wheels/``) into it;
* ``run_autograder``: run for every submission: it grades the notebook in
  ``/autograder/submission`` (any name: a learner's upload keeps the name it had on their
  machine) with trusted verification and writes ``/autograder/results/results.json``;
* ``requirements.txt``, ``wheels/<the package>.whl``, ``course/<assignment>/<assignment>.ipynb``
  (the released notebook: it tells the grader which cells are the instructor's; the class's own
  language: ``course-zh/`` with ``COURSE_LANGUAGE=zh``), ``scoring.json`` (the course's scoring
  rule from ``nbgrader_config.py``: partial credit or not), and
  ``secret``: the class's grading secret, which the hidden cases are drawn from (taken when the
  zip is built from ``AUTOGRADER_SECRET``, ``AUTOGRADER_SECRET_FILE`` or ``grading/secret``,
  made there when there is none). Gradescope never shows the autograder's files to learners; the
  zip is as secret as ``grading/secret`` itself: never commit it or hand it out.

``results.json`` (Gradescope's format, https://gradescope-autograders.readthedocs.io/en/latest/specs/):
``score`` (the automatic checks' points), ``output`` (a summary for the learner), one test per
check with ``name``, ``number``, ``score``, ``max_score``, ``status``, ``output`` (the learner's
message: the smallest failing case, what differs, a hint), ``tags`` and ``visibility``:
``visible`` for visible checks, ``after_published`` for hidden ones (learners see those when the
instructor publishes the grades), ``stdout_visibility: hidden`` and ``extra_data`` (the versions,
the device, the secret's public fingerprint, the notebook graded, the confinement). Written
answers are graded by hand in Gradescope: they are not in the autograder's score.

Every path is under ``AUTOGRADER_ROOT`` (default ``/autograder``), so the same scripts run in a
simulated layout (tests/test_gradescope.py). ``run_autograder`` uses ``AUTOGRADER_PYTHON``
when set, else the environment ``setup.sh`` made.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

__all__ = ["build", "default_output", "run", "results_json", "main", "ZIP_FILES"]

#: what the zip's root holds besides the wheel (``wheels/*.whl``) and the released notebook
ZIP_FILES = ("setup.sh", "run_autograder", "requirements.txt", "secret")
_EXECUTABLE = 0o100755
_FILE = 0o100644
_SECRET_MODE = 0o100600

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
# Made by `python -m autograder gradescope {assignment}`: Python 3.11, the course's exact pins
# (requirements.txt) and the autograder's wheel (wheels/) in a virtual environment.
set -euxo pipefail
ROOT=${{AUTOGRADER_ROOT:-/autograder}}
SOURCE=$ROOT/source
VENV=$ROOT/venv
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1

if ! command -v python3.11 >/dev/null 2>&1 || ! python3.11 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  apt-get update
  # Ubuntu 22.04 has python3.11 in its own archive; later releases need the deadsnakes PPA.
  if ! apt-get install -y --no-install-recommends python3.11 python3.11-venv; then
    apt-get install -y --no-install-recommends software-properties-common gpg-agent
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update
    apt-get install -y --no-install-recommends python3.11 python3.11-venv
  fi
fi

python3.11 -m venv "$VENV"
"$VENV/bin/python" -m pip install --upgrade pip
"$VENV/bin/python" -m pip install -r "$SOURCE/requirements.txt"
"$VENV/bin/python" -m pip install --no-deps "$SOURCE"/wheels/*.whl
# Fail the image build, not the first submission, when something is missing.
"$VENV/bin/python" -m autograder list >/dev/null
chmod +x "$SOURCE/run_autograder"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission. Made by `python -m autograder gradescope {assignment}`:
# it grades the notebook in $ROOT/submission (trusted verification: the learner's code runs in a
# separate, confined, limited process) and writes $ROOT/results/results.json.
set -uo pipefail
ROOT=${{AUTOGRADER_ROOT:-/autograder}}
SOURCE=$ROOT/source
PYTHON=${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}
# The class's secret comes from the zip's file only (read, then removed from this container).
unset AUTOGRADER_SECRET
export AUTOGRADER_SECRET_FILE=$SOURCE/secret MPLCONFIGDIR=${{MPLCONFIGDIR:-/tmp/matplotlib}}
cd "$SOURCE" || exit 3   # the released notebook (course/ or course-zh/) tells the grader which cells are the instructor's
exec "$PYTHON" -m autograder.gradescope run {assignment} --root "$ROOT"
"""


# ----------------------------------------------------------------------------- building the zip
def _course_root() -> Path:
    """Where the course's files are: the current folder when it is a course root, else the checkout
    the package comes from."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[1]):
        if (root / "pyproject.toml").is_file() and (root / "requirements.txt").is_file() and (root / "course").is_dir():
            return root
    raise FileNotFoundError("no course checkout here: run this from the course's root (where requirements.txt, "
                            "pyproject.toml and course/ are)")


def _wheel(root: Path, into: Path) -> Path:
    """A wheel of the autograder package, built from a copy of its sources (the checkout stays clean)."""
    with tempfile.TemporaryDirectory(prefix="autograder-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(root / name, src / name)
        shutil.copytree(root / "autograder", src / "autograder",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                               "--wheel-dir", str(into), str(src)], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"pip wheel failed: {(done.stderr or done.stdout).strip()[-800:]}")
    wheels = sorted(into.glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"pip wheel made {len(wheels)} wheels in {into}")
    return wheels[0]


def _add(zf: zipfile.ZipFile, name: str, data: bytes, mode: int = _FILE) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def default_output(assignment: str) -> Path:
    """``grading/gradescope-<assignment>.zip`` (the workspace ``COURSE_WORKSPACE`` names, if any)."""
    from .workspace import workspace

    return workspace() / f"gradescope-{assignment}.zip"


def _not_ignored(path: Path) -> bool:
    """Whether ``path`` lies in a git work tree that does not ignore it (it could be committed)."""
    try:
        inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=path.parent, capture_output=True,
                                text=True, timeout=30)
        if inside.returncode or inside.stdout.strip() != "true":
            return False
        ignored = subprocess.run(["git", "check-ignore", "-q", path.name], cwd=path.parent, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return ignored.returncode == 1


def build(assignment: str, output: str | Path | None = None) -> tuple[Path, str | None]:
    """Write the autograder zip of ``assignment`` (default: :func:`default_output`); returns
    ``(path, note)`` (``note``: where a new grading secret was made, and a warning when git would
    not ignore the zip; else ``None``). ``ValueError`` for an unknown assignment."""
    from . import registry
    from .secret import ensure

    if assignment not in registry.assignments():
        raise ValueError(f"no assignment {assignment!r}; the course has {', '.join(registry.assignments())}")
    import json
    import os

    from .scoring import from_course

    root = _course_root()
    language = (os.environ.get("COURSE_LANGUAGE") or "en").lower()
    folder = "course" if language == "en" else f"course-{language}"  # the class's own release
    release = root / folder / assignment / f"{assignment}.ipynb"
    if not release.is_file():
        raise FileNotFoundError(f"no released notebook at {release}: run `make course` first")
    scoring = from_course(root).key()
    secret, note = ensure()
    output = Path(output) if output else default_output(assignment)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="autograder-gradescope-") as tmp:
        wheel = _wheel(root, Path(tmp))
        partial = output.with_name(output.name + ".partial")
        with zipfile.ZipFile(partial, "w") as zf:
            _add(zf, "setup.sh", SETUP_SH.format(assignment=assignment).encode(), _EXECUTABLE)
            _add(zf, "run_autograder", RUN_AUTOGRADER.format(assignment=assignment).encode(), _EXECUTABLE)
            _add(zf, "requirements.txt", (root / "requirements.txt").read_bytes())
            _add(zf, f"wheels/{wheel.name}", wheel.read_bytes())
            _add(zf, f"{folder}/{assignment}/{assignment}.ipynb", release.read_bytes())
            _add(zf, "scoring.json", json.dumps({"partial_credit": scoring[0], "decimals": scoring[1]}).encode())
            _add(zf, "secret", (secret + "\n").encode(), _SECRET_MODE)
        partial.replace(output)
    if _not_ignored(output):
        warning = (f"warning: {output} holds the grading secret and git does not ignore it: never commit it "
                   f"(the default, {default_output(assignment)}, is in the git-ignored grading workspace)")
        note = f"{note}\n{warning}" if note else warning
    return output, note


# ----------------------------------------------------------------------------- grading one submission
def _choose(submission: Path, assignment: str) -> tuple[Path | None, list[str]]:
    """The notebook to grade and notes on the choice: the one named after the assignment, else the
    only one, else the most recently changed. The upload is the learner's: a notebook that is a
    link (to the zip's secret, to ``/proc/self/environ``) or not a regular file is never chosen, and
    is named in the notes; folders that are links are not entered."""
    from .sandbox.files import is_regular

    found, notes = [], []
    for folder, dirs, files in (os.walk(submission, followlinks=False) if submission.is_dir() else ()):
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        for name in sorted(files):
            path = Path(folder) / name
            if not name.endswith(".ipynb") or name.startswith("._"):
                continue
            if is_regular(path):
                found.append(path)
            else:
                notes.append(f"not graded: {path.relative_to(submission)} (a link or not a regular file: "
                             f"hand in the notebook itself)")
    if not found:
        return None, notes
    exact = [p for p in found if p.name == f"{assignment}.ipynb"]
    chosen = exact[0] if exact else max(found, key=lambda p: (p.stat().st_mtime, str(p)))
    if chosen.name != f"{assignment}.ipynb":
        notes.append(f"graded {chosen.name} as {assignment} (the notebook's name does not matter here)")
    others = [p.name for p in found if p != chosen]
    if others:
        notes.append(f"{len(found)} notebooks were submitted: graded {chosen.relative_to(submission)}; "
                     f"not graded: {', '.join(others)}")
    return chosen, notes


def results_json(result, head: dict, notes=(), seconds: float | None = None) -> dict:
    """Gradescope's results.json for one :class:`~autograder.trusted.NotebookResult` (or a result
    read back from JSON): one test per check, hidden checks shown once grades are published."""
    from . import registry

    numbers = {e.name: i for i, e in enumerate(registry.exercises(result.assignment), 1)}
    tests = []
    for cell in result.cells:
        exercise, which = cell["exercise"], cell["which"]
        tests.append({
            "name": f"{exercise}: {which} checks",
            "number": f"{numbers.get(exercise, 0)}.{1 if which == 'visible' else 2}",
            "score": cell["score"], "max_score": cell["max_score"],
            "status": "passed" if cell["passed"] else "failed",
            "output": cell["message"],
            "tags": [exercise, which],
            "visibility": "after_published" if which == "hidden" else "visible",
        })
    lines = [f"{result.assignment}: {result.score}/{result.max_score} points from the automatic checks.",
             "Visible checks are shown now; hidden checks (more cases of the same kind) when grades are published. "
             "Written answers are graded by hand."]
    if result.error:
        lines.insert(0, result.error)
    lines += [f"Note: {n}" for n in [*notes, *result.notes]]
    data = {"score": result.score, "output": "\n".join(lines), "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {**{k: head.get(k) for k in ("autograder", "tensorflow", "device", "cases_from")},
                           "notebook": Path(result.path).name if result.path else None,
                           "confinement": (result.confinement or {}).get("describe")}}
    if seconds is not None:
        data["execution_time"] = round(seconds, 1)
    return data


def _empty(assignment: str, reason: str) -> dict:
    """results.json when nothing could be graded: every check at zero, with the reason."""
    from . import registry

    tests = [{"name": f"{e.name}: {w} checks", "number": f"{i}.{1 if w == 'visible' else 2}", "score": 0,
              "max_score": e.points[w], "status": "failed", "output": reason, "tags": [e.name, w],
              "visibility": "visible"}
             for i, e in enumerate(registry.exercises(assignment), 1) for w in ("visible", "hidden")]
    return {"score": 0, "output": reason, "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def _write(results_dir: Path, data: dict) -> None:
    results_dir.mkdir(parents=True, exist_ok=True)
    partial = results_dir / "results.json.partial"
    partial.write_text(json.dumps(data, indent=2) + "\n")
    partial.replace(results_dir / "results.json")


def _read_secret() -> str | None:
    """The secret from the zip's file, read once; the file is then removed from this container
    (Gradescope starts every submission from the image, so the next one has it again): without
    Landlock, the learner's process could otherwise read it."""
    from .secret import FILE_ENV

    path = os.environ.get(FILE_ENV)
    if not path:
        return None
    try:
        value = Path(path).read_text().strip()
    except OSError:
        return None
    if value and not os.environ.get("AUTOGRADER_KEEP_SECRET_FILE"):
        try:
            Path(path).unlink()
        except OSError:
            pass
    return value or None


def _scoring(root: Path) -> tuple:
    """The course's scoring rule the zip was built with (``scoring.json`` beside the release)."""
    import json

    for folder in (root / "source", root):
        try:
            data = json.loads((folder / "scoring.json").read_text())
            return bool(data.get("partial_credit")), int(data.get("decimals", 1))
        except (OSError, ValueError, TypeError):
            continue
    return (False, 1)


def run(assignment: str, root: str | Path = "/autograder") -> int:
    """Grade the submission under ``root`` into ``root/results/results.json``.

    Exit status: 0 results written (points lost are results); 3 the autograder could not grade
    (no secret, the grader failed): results.json then says so, and the instructor regrades.
    """
    from .results import header
    from .sandbox import Limits
    from .secret import fingerprint
    from .trusted import Grader

    root = Path(root)
    results_dir = root / "results"
    started = time.monotonic()
    secret = _read_secret()
    if not secret:
        _write(results_dir, _empty(assignment, "The autograder is not set up correctly (it has no grading secret), "
                                               "so nothing was graded. This is not your fault: tell your instructor."))
        print("run_autograder: no grading secret in the autograder's files: rebuild the zip with "
              "`python -m autograder gradescope`", file=sys.stderr)
        return 3
    nb, notes = _choose(root / "submission", assignment)
    if nb is None:
        _write(results_dir, _empty(assignment, " ".join([
            f"No notebook (.ipynb) was found in your submission. Upload your {assignment}.ipynb "
            f"(File > Download in JupyterLab) and submit again.", *[f"Note: {n}." for n in notes]])))
        print(f"run_autograder: no notebook in {root / 'submission'}", file=sys.stderr)
        return 0
    try:
        grader = Grader(None, Limits(), secret, scoring=_scoring(root))
        result = grader.grade_path(nb, assignment, "submission")
        head = header(grader.device_name, fingerprint(secret), scoring=grader.scoring)
    except Exception as exc:  # noqa: BLE001 - the grader's own failure: say so, never blame the learner
        _write(results_dir, _empty(assignment, f"The autograder itself failed ({type(exc).__name__}); this is not "
                                               f"your fault. Your instructor will regrade your submission."))
        print(f"run_autograder: the grader failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 3
    _write(results_dir, results_json(result, head, notes, time.monotonic() - started))
    from .formats import as_table

    print(as_table([result]))  # Gradescope's stdout: the instructor's view of this run
    print(f"cases from {head['cases_from']}, {head['device']}, TensorFlow {head['tensorflow']}; "
          f"{(result.confinement or {}).get('describe', 'confinement unknown')}")
    return 0


# ----------------------------------------------------------------------------- command line
def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.gradescope run ASSIGNMENT [--root DIR]``: what ``run_autograder`` calls."""
    p = argparse.ArgumentParser(prog="python -m autograder.gradescope")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="grade the submission of a Gradescope layout into results/results.json")
    r.add_argument("assignment")
    r.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    args = p.parse_args(argv)
    return run(args.assignment, args.root)


if __name__ == "__main__":
    sys.exit(main())
