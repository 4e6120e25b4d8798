"""The Chinese learner distribution (``make dist COURSE_LANGUAGE=zh``): the Chinese notebooks, the
Chinese README, no instructor material, and ``make check`` in Chinese in a fresh virtual environment.

The fresh environment is made as tests/test_dist.py makes it (the wheel installed into a ``venv
--without-pip``, this environment's third-party packages linked, so nothing downloads); the full
install of the pins from the registry was run by hand (docs/zh/chinese-edition.md says how).
"""
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

import nbformat
import pytest

from tests.helpers import ROOT, learner_submission, solution_assignments
from tests.test_dist import _learner_env, make_dist

ASSIGNMENT = "02-pooling-math"
NAME = make_dist.name("zh")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return make_dist.build(tmp_path_factory.mktemp("dist-zh"), language="zh")


def test_the_chinese_folder_holds_the_chinese_notebooks_and_readme(built):
    folder = built["folder"]
    assert folder.name == NAME == "pooling-course-learner-zh"
    for assignment in solution_assignments():
        shipped = folder / "notebooks" / assignment / f"{assignment}.ipynb"
        assert shipped.read_bytes() == (ROOT / "course-zh" / assignment / f"{assignment}.ipynb").read_bytes()
    assert (folder / "README.md").read_bytes() == (ROOT / "learner" / "README.zh.md").read_bytes()
    assert (folder / "check.py").read_bytes() == (ROOT / "learner" / "check.py").read_bytes()
    assert not [leak for path in built.values() for leak in make_dist.leaks(path)]


def test_a_chinese_model_answer_is_a_leak(built, tmp_path):
    """The scan knows the Chinese model answers (solutions-zh/), not only the English ones."""
    nb = nbformat.read(ROOT / "solutions-zh" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    written = next(c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution"))
    sentence = next(s for s in written.source.replace("\n", "").split("。") if len(s) >= 25 and "SOLUTION" not in s)
    planted = tmp_path / "notes.md"
    planted.write_text(sentence + "。\n", encoding="utf-8")
    assert any("model answer" in leak for leak in make_dist.leaks(tmp_path))


def test_make_check_speaks_chinese_in_a_fresh_venv(built, tmp_path):
    home = tmp_path / "home"
    with tarfile.open(built["tar"]) as tar:
        tar.extractall(home, filter="data")
    folder = home / NAME
    venv = folder / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
                    "--no-deps", "--no-index", "--no-cache-dir", str(built["wheel"])], check=True)
    links = home / "third-party"
    links.mkdir()
    ours = ("autograder", "pooling_course_autograder", "__editable__")
    for site_dir in dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]):
        for entry in Path(site_dir).iterdir():
            if not entry.name.startswith(ours) and not entry.name.endswith(".pth") and not (links / entry.name).exists():
                (links / entry.name).symlink_to(entry)
    (site,) = (venv / "lib").glob("python3.*/site-packages")
    (site / "third_party.pth").write_text(f"{links}\n")
    (venv / ".installed").touch()
    submission = folder / "work" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    submission.parent.mkdir(parents=True)
    nbformat.write(learner_submission(ASSIGNMENT, language="zh"), submission)
    env = {k: v for k, v in _learner_env(venv).items() if k != "COURSE_LANGUAGE"}
    proc = subprocess.run(["make", "check", f"A={ASSIGNMENT}"], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=600)
    out = proc.stdout
    assert proc.returncode == 0, out[-3000:] + proc.stderr[-3000:]
    for function in ("pool2d", "uncovered_cells"):
        assert f"\u2714 {function:<22} 可见检查：通过" in out, out
    assert out.count("本地自测的隐藏用例：通过") == 2, out
    assert "可见检查通过 2/2。隐藏检查通过 2/2（本地自测用例" in out, out
    assert "visible check" not in out and "Practice" not in out, out
