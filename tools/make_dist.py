"""Build what learners get (``make dist``): the learner distribution, its archives and a wheel.

    python tools/make_dist.py [--language en|zh] [--output DIR]
                                                      (DIR: dist/, dist/zh/ for the Chinese course;
                                                      the language defaults to COURSE_LANGUAGE)

Outputs, made from the repository's files alone (no network, never ``grading/``):

    DIR/pooling-course-learner/            the folder learners get (-zh: the Chinese course, its
                                           notebooks from course-zh/ and learner/README.zh.md)
        README.md  Makefile  check.py      the learner's README and two commands (from learner/)
        requirements.txt                   the learners' pins, generated from requirements.txt
        pyproject.toml                     the root's, without the test settings
        notebooks/<assignment>/<assignment>.ipynb    the released notebooks (course/ or course-zh/, byte for byte)
        autograder/                        the package without its instructor-only modules
    DIR/pooling-course-learner.tar.gz      the folder, archived (sorted, fixed times and owners:
    DIR/pooling-course-learner.zip         the same repository gives the same bytes)
    DIR/pooling_course_autograder-<version>-py3-none-any.whl
                                           the learner package for pip-only environments (a
                                           JupyterHub image, Colab): built with ``pip wheel --no-deps
                                           --no-build-isolation`` from a staging copy of the folder,
                                           so it holds exactly the folder's modules

Why a script in ``tools/`` and not a module of ``autograder``: it is an instructor's build step
that reads ``solutions/`` (to scan for leaks) and must never reach learners; inside the package
it would itself be instructor-only material to exclude.

Instructor-only material (:data:`INSTRUCTOR_ONLY`) is what only runs a class: nbgrader's
integration, the gradebook path, sample submissions, the class report and its template, the
authoring tool that writes hints into ``solutions/``. Everything else in ``autograder/`` ships,
because the notebooks (``check``, ``figures``, ``data``), the visible and practice hidden checks
(registry, chapters, references, judge) and a learner's own ``python -m autograder grade``
(batch, trusted, sandbox, formats, results, secret: it holds the mechanism, never a secret) need
it. Nothing else of the repository ships: not ``solutions/``, ``tests/`` (its catalogue of
mistakes), ``grading/``, ``nbgrader_config.py``, ``bench/`` or ``docs/``.

Learner requirements (:data:`LEARNER_PINS`): what running and checking the notebooks needs, at the
root's exact versions: TensorFlow (CPU), Keras, numpy, matplotlib, JupyterLab, ipykernel, and
nbclient, nbconvert and nbformat (``make check`` and the grading command read and run
notebooks). Not nbgrader (the instructor's tool; a class on JupyterHub brings its own) and not the
test tools (pytest, hypothesis, pytest-xdist, playwright).

The build fails (and removes what it made) when :func:`leaks` finds anything in its outputs: a
solution, hidden-test or rubric marker, a line of a model answer or hidden test from
``solutions/``, the grading secret (``AUTOGRADER_SECRET``, ``AUTOGRADER_SECRET_FILE``, any
``grading*/secret`` of the repository), a forbidden folder or an instructor module.
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "pooling-course-learner"
LANGUAGES = ("en", "zh")  # the English course from course/, the Chinese one from course-zh/
sys.path.insert(0, str(ROOT))  # the course's package, also when run by a Python it is not installed in
from autograder.i18n import STUBS  # noqa: E402  (what a released solution cell holds, in each language)
EPOCH = 315532800  # 1980-01-01: every file's time in the archives and the wheel (zip's earliest)

INSTRUCTOR_ONLY = {
    "nbgrader_plugin": "nbgrader's integration (trusted autograde, rubric notes, late penalty, extensions)",
    "gradebook.py": "the gradebook path: `autograde` into nbgrader's database",
    "sample.py": "sample submissions: submits the instructor's solution notebooks",
    "report.py": "the class report from the gradebook",
    "report_charts.py": "the class report's charts",
    "templates": "the class report's HTML template",
    "exercise_text.py": "`sync-text`: writes hints into solutions/ (authoring)",
    "translations.py": "`translate`: builds the translated source notebooks from solutions/ (authoring)",
    "gradescope.py": "`gradescope`: builds the instructor's Gradescope autograder zip (with the class's secret)",
    "scaffold.py": "`new-notebook`: starts a new notebook's files from docs/template/ (authoring)",
}
LEARNER_PINS = ("tensorflow-cpu", "keras", "numpy", "matplotlib", "pylopdf-fonts-zh-cn", "jupyterlab",
                "ipykernel", "nbclient", "nbconvert", "nbformat")
INSTRUCTOR_PINS = ("nbgrader", "pytest", "hypothesis", "pytest-xdist", "playwright", "kubernetes-validate")
LEARNER_FILES = ("README.md", "Makefile", "check.py")  # from learner/ (README.zh.md is the Chinese README.md)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "Rubric", "Model answer")
FORBIDDEN_DIRS = ("solutions", "tests", "grading", "nbgrader_plugin", "templates", "bench", "docs")
FORBIDDEN_FILES = ("nbgrader_config.py", "gradebook.db", "secret") + tuple(f for f in INSTRUCTOR_ONLY if "." in f)
_SKIP = ("__pycache__", ".ipynb_checkpoints", ".pyc", ".egg-info")


# ----------------------------------------------------------------------------- what goes in
def requirement_pins(root: Path = ROOT) -> dict[str, str]:
    """``name -> version`` of the root's ``requirements.txt`` (names lower-case)."""
    pins = {}
    for line in (root / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def learner_requirements(root: Path = ROOT) -> str:
    pins = requirement_pins(root)
    missing = [n for n in LEARNER_PINS if n not in pins]
    if missing:
        raise SystemExit(f"make_dist: requirements.txt does not pin {missing}")
    return ("# The course's pins for learners: the same versions as the course repository's requirements.txt\n"
            "# (generated from it by tools/make_dist.py). The instructor's tools are not here.\n"
            + "".join(f"{n}=={pins[n]}\n" for n in LEARNER_PINS))


def learner_pyproject(root: Path = ROOT) -> str:
    """The root's pyproject.toml without its comments and ``[tool.pytest...]`` sections (the repository's tests)."""
    sections = re.split(r"(?m)^(?=\[)", (root / "pyproject.toml").read_text())
    kept = "".join(s for s in sections if not s.startswith("[tool.pytest"))
    return ("# The course's package for learners (tools/make_dist.py made this from the course's pyproject.toml).\n"
            + "".join(line for line in kept.splitlines(keepends=True) if not line.lstrip().startswith("#")))


def _skipped(path: Path) -> bool:
    return any(part.endswith(_SKIP) or part in _SKIP for part in path.parts)


def package_files(root: Path = ROOT) -> list[Path]:
    """The package's files that ship, relative to ``autograder/``: all but the instructor's and caches."""
    package = root / "autograder"
    shipped = []
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if path.is_file() and not _skipped(rel) and rel.parts[0] not in INSTRUCTOR_ONLY:
            shipped.append(rel)
    return shipped


def _suffix(language: str) -> str:
    if language not in LANGUAGES:
        raise SystemExit(f"make_dist: the language must be one of {', '.join(LANGUAGES)}; received {language!r}")
    return "" if language == "en" else f"-{language}"


def name(language: str = "en") -> str:
    """The distribution's name: ``pooling-course-learner``, ``pooling-course-learner-zh``."""
    return NAME + _suffix(language)


def assignments(root: Path = ROOT, language: str = "en") -> list[str]:
    course = root / ("course" + _suffix(language))
    return sorted(p.name for p in course.iterdir() if p.is_dir() and not p.name.startswith("."))


def build_folder(output: Path, root: Path = ROOT, language: str = "en") -> Path:
    folder = output / name(language)
    for file in LEARNER_FILES:
        translated = root / "learner" / file.replace(".md", f".{language}.md")
        _copy(translated if file.endswith(".md") and translated.is_file() else root / "learner" / file, folder / file)
    (folder / "requirements.txt").write_text(learner_requirements(root))
    (folder / "pyproject.toml").write_text(learner_pyproject(root))
    course = root / ("course" + _suffix(language))
    for assignment in assignments(root, language):
        _copy(course / assignment / f"{assignment}.ipynb", folder / "notebooks" / assignment / f"{assignment}.ipynb")
    for rel in package_files(root):
        _copy(root / "autograder" / rel, folder / "autograder" / rel)
    return folder


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o644)


# ----------------------------------------------------------------------------- archives and wheel
def _members(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def build_archives(folder: Path) -> list[Path]:
    """``.tar.gz`` and ``.zip`` of ``folder`` (its name as the top folder): sorted, fixed times and owners."""
    tar_path, zip_path = folder.with_name(folder.name + ".tar.gz"), folder.with_name(folder.name + ".zip")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in _members(folder):
            info = tarfile.TarInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}")
            info.size, info.mtime, info.mode = path.stat().st_size, EPOCH, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with open(path, "rb") as f:
                tar.addfile(info, f)
    with open(tar_path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buffer.getvalue())
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in _members(folder):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", (1980, 1, 1, 0, 0, 0))
            info.external_attr, info.compress_type = 0o644 << 16, zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return [tar_path, zip_path]


def build_wheel(folder: Path, output: Path) -> Path:
    """The package's wheel, built from a staging copy of ``folder`` (its pyproject, README, package)."""
    with tempfile.TemporaryDirectory(prefix="pooling-dist-") as tmp:
        stage, wheels = Path(tmp) / "stage", Path(tmp) / "wheels"
        for name in ("pyproject.toml", "README.md"):
            _copy(folder / name, stage / name)
        shutil.copytree(folder / "autograder", stage / "autograder")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("AUTOGRADER_")}
        env["SOURCE_DATE_EPOCH"] = str(EPOCH)
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                               "--no-cache-dir", "--wheel-dir", str(wheels), str(stage)],
                              cwd=tmp, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"make_dist: pip wheel failed:\n{proc.stdout}\n{proc.stderr}")
        (made,) = wheels.glob("*.whl")
        return Path(shutil.copy(made, output / made.name))


# ----------------------------------------------------------------------------- the leak scan
def secrets(root: Path = ROOT) -> list[str]:
    """Every grading secret this machine knows of: the environment's, the named file's, the workspaces'."""
    found = [os.environ.get("AUTOGRADER_SECRET", "")]
    files = [*root.glob("grading*/secret")]
    if os.environ.get("AUTOGRADER_SECRET_FILE"):
        files.append(Path(os.environ["AUTOGRADER_SECRET_FILE"]))
    if os.environ.get("COURSE_WORKSPACE"):
        files.append(root / os.environ["COURSE_WORKSPACE"] / "secret")
    for path in files:
        try:
            found.append(path.read_text())
        except OSError:
            pass
    return sorted({s.strip() for s in found if s.strip()})


def _block_lines(text: str, begin: str, end: str) -> list[list[str]]:
    """The non-blank lines, stripped, of each block between a ``begin`` and an ``end`` marker line."""
    blocks, current = [], None
    for line in text.splitlines():
        stripped = line.strip()
        if begin in stripped:
            current = []
        elif end in stripped and current is not None:
            blocks.append(current)
            current = None
        elif current is not None and stripped:
            current.append(stripped)
    return blocks


def _cells(text: str) -> list[tuple[str, str]]:
    """``(cell type, source)`` of a notebook's cells (``text``: the notebook's JSON)."""
    return [(c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
            for c in json.loads(text)["cells"]]


def instructor_snippets(root: Path = ROOT) -> set[str]:
    """Pieces of the model answers and hidden tests in ``solutions/``, any one of which is a leak:
    of code, any three lines in a row (stripped, blank lines left out; a shorter block whole, from
    30 characters); of prose, any sentence of 40 characters or more; never text the released
    notebooks hold too."""
    released = {line.strip() for path in root.glob("course*/*/*.ipynb") for _, src in _cells(path.read_text())
                for line in src.splitlines()}
    snippets = set()
    for path in [*root.glob("solutions/*/*.ipynb"), *root.glob("solutions-*/*/*.ipynb")]:  # every language's
        for kind, src in _cells(path.read_text()):
            for block in (_block_lines(src, "BEGIN SOLUTION", "END SOLUTION")
                          + _block_lines(src, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")):
                if kind == "markdown":
                    snippets |= {s for line in block if line not in released
                                 for s in re.split(r"(?<=[.!?])\s+|(?<=[。！？；])", line)
                                 if len(s) >= (40 if s.isascii() else 20)}
                    continue
                windows = [block] if len(block) < 3 else [block[i:i + 3] for i in range(len(block) - 2)]
                snippets |= {"\n".join(w) for w in windows if not set(w) <= released and sum(map(len, w)) >= 30}
    return snippets


def _normalised(name: str, data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    if name.endswith(".ipynb"):
        try:
            text = "\n".join(src for _, src in _cells(text))
        except (ValueError, KeyError, TypeError):
            pass
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _entries(path: Path):
    """``(name, bytes)`` of every file in a folder, a ``.tar.gz`` or a ``.zip``/``.whl``."""
    if path.is_dir():
        for p in _members(path):
            yield p.relative_to(path).as_posix(), p.read_bytes()
    elif path.name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(path) as tar:
            for m in tar.getmembers():
                if m.isfile():
                    yield m.name, tar.extractfile(m).read()
    else:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if not name.endswith("/"):
                    yield name, zf.read(name)


def leaks(path: Path, known_secrets: list[str] | None = None, root: Path = ROOT) -> list[str]:
    """What in ``path`` (a folder, archive or wheel) must not reach learners; ``[]`` when nothing."""
    known_secrets = secrets(root) if known_secrets is None else known_secrets
    snippets = instructor_snippets(root)
    found = []
    for name, data in _entries(path):
        parts = name.split("/")
        if set(parts[:-1]) & set(FORBIDDEN_DIRS) or any(p.startswith("grading") for p in parts[:-1]):
            found.append(f"{name}: an instructor's folder")
        if parts[-1] in FORBIDDEN_FILES:
            found.append(f"{name}: an instructor's file")
        raw = data.decode("utf-8", errors="replace")
        found += [f"{name}: the marker {m!r}" for m in MARKERS if m in raw]
        found += [f"{name}: a grading secret" for s in known_secrets if s in raw]
        text = _normalised(name, data)
        found += [f"{name}: a line of a model answer or hidden test: {s.splitlines()[0][:60]!r}"
                  for s in sorted(snippets) if s in text]
        if name.endswith(".ipynb"):
            found += [f"{name}: {problem}" for problem in _notebook_problems(raw)]
    return found


def _notebook_problems(text: str) -> list[str]:
    """A solution cell that is not a stub, a grader's note cell."""
    problems = []
    try:
        cells = json.loads(text)["cells"]
    except (ValueError, KeyError):
        return ["not a notebook"]
    for cell in cells:
        meta, source = cell.get("metadata", {}), "".join(cell.get("source", ""))
        if "rubric" in meta.get("autograder", {}):
            problems.append(f"cell {cell.get('id')}: a grader's note")
        if meta.get("nbgrader", {}).get("solution"):
            stub = ("raise NotImplementedError()" in source or any(s["optional"] in source for s in STUBS.values())
                    if cell["cell_type"] == "code" else any(s["text"] in source for s in STUBS.values()))
            if not stub:
                problems.append(f"cell {cell.get('id')}: a solution cell that is not the released stub")
    return problems


# ----------------------------------------------------------------------------- the command
def build(output: Path, root: Path = ROOT, language: str = "en") -> dict[str, Path]:
    """Make every output in ``output`` (replacing earlier ones); fail, removing them, on a leak.
    The folder is scanned before anything is made from it, the archives and the wheel after.
    ``language``: ``"zh"`` builds the Chinese course (course-zh/, the Chinese README)."""
    output.mkdir(parents=True, exist_ok=True)
    top = name(language)
    _remove([output / top, output / f"{top}.tar.gz", output / f"{top}.zip",
             *output.glob("pooling_course_autograder-*.whl")])
    made = {"folder": build_folder(output, root, language)}
    _refuse_leaks(made, root)
    made["tar"], made["zip"] = build_archives(made["folder"])
    made["wheel"] = build_wheel(made["folder"], output)
    _refuse_leaks(made, root, skip="folder")
    return made


def _refuse_leaks(made: dict[str, Path], root: Path, skip: str = "") -> None:
    found = [f"{p.name}/{leak}" for kind, p in made.items() if kind != skip for leak in leaks(p, root=root)]
    if found:
        _remove(made.values())
        raise SystemExit("make_dist: the distribution would leak instructor material (nothing was kept):\n  "
                         + "\n  ".join(found))


def _remove(paths) -> None:
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="tools/make_dist.py", description="Build the learner distribution.")
    p.add_argument("--language", choices=LANGUAGES, default=(os.environ.get("COURSE_LANGUAGE") or "en").lower(),
                   help="the course's language (default: COURSE_LANGUAGE, else en)")
    p.add_argument("--output", type=Path, default=None,
                   help="where to write it (default: dist/, and dist/zh/ for the Chinese course)")
    args = p.parse_args(argv)
    output = args.output or (ROOT / "dist" if args.language == "en" else ROOT / "dist" / args.language)
    made = build(output.resolve(), language=args.language)
    for kind, path in made.items():
        print(f"{kind:<7} {path}")
    print(f"{len(package_files())} package files, {len(assignments(language=args.language))} notebooks; "
          "scanned: no instructor material.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
