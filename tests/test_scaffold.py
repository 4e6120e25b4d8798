"""`python -m autograder new-notebook`: the template a new notebook starts from works.

In a copy of the repository (its files, not .venv/ or grading/, and without the course's six
notebooks, their modules and catalogues, so that the new notebook is the copy's only one and nbgrader
releases one notebook, not seven), `new-notebook 07-pool-sum` writes the notebook, its exercise
module and its catalogue. Untouched, the new notebook's tests fail: a
placeholder never passes. Filled in as an author would (a small real exercise, `pool_sum`: the sum
of each window, windows side by side, checked against `tf.nn.avg_pool2d` times the window's area;
6 catalogued mistakes, 2 correct variants; `sync-text`, nbgrader's release, the README row), the
registry, exercise-text, notebook, case, catalogue and docstring tests of the copy pass for it.

The Chinese tests (tests/test_translations.py) are not run in the copy: they need the translated
notebooks of every assignment (solutions-zh/, course-zh/ from `make course`), which are being
finished apart from this test; a new notebook's translation is the translator's step 4 of
`new-notebook`'s next steps (docs/adding-a-notebook.md).
"""
import re
import shutil
import subprocess

import nbformat
import pytest

from autograder import scaffold
from tests.helpers import ROOT, env, run

MARK = scaffold.MARK
A, MODULE = "07-pool-sum", "pool_sum"
_TOP_LEVEL_SKIP = {".venv", ".git", "artifacts", "work", "dist", "build", "downloaded", ".pytest_cache",
                   ".hypothesis", "solutions-zh", "course-zh"}
_EVERYWHERE_SKIP = {"__pycache__", ".ipynb_checkpoints"}


def _ignore(folder, names):
    top = folder == str(ROOT)
    return {n for n in names if n in _EVERYWHERE_SKIP or n.endswith(".egg-info")
            or (top and (n in _TOP_LEVEL_SKIP or n.startswith(("grading", "work-"))))}


def _copy(tmp_path):
    """The repository's files without the course's notebooks: the new one is the copy's only notebook
    (nbgrader's release of a notebook takes some 20 s here, and the course-in-sync test releases all)."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=_ignore)
    for folder in ("solutions", "course"):
        for assignment in (repo / folder).iterdir():
            shutil.rmtree(assignment)
    for folder in ("autograder/chapter", "tests/catalogue"):
        for module in (repo / folder).glob("*.py"):
            if module.name != "__init__.py":
                module.unlink()
    return repo


def _in_copy(repo, *args, check=True):
    return run(list(args), cwd=repo, check=check, extra_env={"PYTHONPATH": str(repo)})


def test_no_placeholder_of_the_template_is_left_in_the_course():
    left = [str(p.relative_to(ROOT)) for folder in ("solutions", "autograder/chapter", "tests/catalogue")
            for p in sorted((ROOT / folder).rglob("*")) if p.is_file() and p.suffix in (".py", ".ipynb")
            and MARK in p.read_text(encoding="utf-8")]
    assert not left, f"{MARK} left in {left}: fill them in (docs/adding-a-notebook.md)"


def test_new_notebook_refuses_bad_names_and_never_overwrites(tmp_path):
    shutil.copytree(ROOT / "docs" / "template", tmp_path / "docs" / "template")
    shutil.copytree(ROOT / "autograder" / "chapter", tmp_path / "autograder" / "chapter",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for bad in ("7-pool-sum", "07_pool_sum", "07-Pool-Sum", "07-pool-", "pool-sum"):
        with pytest.raises(ValueError, match="two digits"):
            scaffold.create(tmp_path, bad)
    with pytest.raises(ValueError, match="--module"):
        scaffold.create(tmp_path, "07-3d-pool")
    with pytest.raises(FileExistsError, match="pool2d"):
        scaffold.create(tmp_path, "07-pool-sum", exercise="pool2d")
    made = scaffold.create(tmp_path, A)
    assert [p.relative_to(tmp_path).as_posix() for p in made] == [
        f"solutions/{A}/{A}.ipynb", f"autograder/chapter/{MODULE}.py", f"tests/catalogue/{MODULE}.py"]
    before = {p: p.read_text() for p in made}
    made[0].write_text(before[made[0]] + " ")
    with pytest.raises(FileExistsError, match="never overwrites"):
        scaffold.create(tmp_path, A, module="other_name")
    assert not (tmp_path / "autograder" / "chapter" / "other_name.py").exists()
    assert made[0].read_text() == before[made[0]] + " "
    nb = nbformat.read(made[0], as_version=4)
    nbformat.validate(nb)
    assert [c.id for c in nb.cells if c.metadata.get("nbgrader")] == [
        MODULE, f"{MODULE}-hint", f"{MODULE}_visible", f"{MODULE}_hidden", "written_answer"]
    assert all(c.metadata["nbgrader"]["schema_version"] == 3 for c in nb.cells if c.metadata.get("nbgrader"))
    assert not re.search(r"__(assignment|number|seed|module|exercise)__", "".join(before.values())), "a template field was left unfilled"


def test_the_cli_says_what_to_do_next(tmp_path):
    shutil.copytree(ROOT / "docs" / "template", tmp_path / "docs" / "template")
    (tmp_path / "autograder" / "chapter").mkdir(parents=True)
    proc = run(["python", "-m", "autograder", "new-notebook", A], cwd=tmp_path, extra_env={"PYTHONPATH": str(ROOT)})
    for step in ("sync-text", "make course", f"i18n/zh/{A}.json", "README.md", "make test", MARK):
        assert step in proc.stdout, step
    again = run(["python", "-m", "autograder", "new-notebook", A], cwd=tmp_path, check=False,
                extra_env={"PYTHONPATH": str(ROOT)})
    assert again.returncode == 2 and "exists already" in again.stderr and len(again.stderr.splitlines()) == 1


# ----------------------------------------------------------------------------- filling the template in
SOLUTION = '''def pool_sum(feature_map, pool_size):
    """The sum of each window of a 2-D feature map, the windows side by side (stride = window).

    Args:
        feature_map: numpy array of shape (H, W), any integer or float dtype; left unchanged.
        pool_size: int k (a k x k window) or pair (kh, kw).

    Returns:
        a new float64 numpy array, one sum per window that fits in the map, in the windows'
        order; cells after the last whole window are not read.

    Raises:
        ValueError: a window side below 1, or a window larger than the map.
    """
    ### BEGIN SOLUTION
    x = np.asarray(feature_map)
    kh, kw = (int(pool_size), int(pool_size)) if np.ndim(pool_size) == 0 else (int(pool_size[0]), int(pool_size[1]))
    if kh < 1 or kw < 1:
        raise ValueError(f"pool_size must be at least 1; received {pool_size!r}")
    if kh > x.shape[0] or kw > x.shape[1]:
        raise ValueError(f"a {kh}x{kw} window does not fit in a map of shape {x.shape}")
    oh, ow = x.shape[0] // kh, x.shape[1] // kw
    return x[:oh * kh, :ow * kw].astype(np.float64).reshape(oh, kh, ow, kw).sum(axis=(1, 3))
    ### END SOLUTION'''

CELLS = {
    "title": f"# 07 · Summing pooling windows\n\nAverage pooling divides each window's sum by its area. This "
             f"notebook asks for the sum itself.\n\n| exercise | points |\n| --- | --- |\n| 1. `pool_sum` | 3 |\n"
             f"| 2. a written answer | 2 |",
    "idea": "## Sum pooling\n\nA window's sum is its mean times the number of cells it covers.",
    "ex1-task": "## Exercise 1: `pool_sum` (3 points)\n\nWrite `pool_sum(feature_map, pool_size)`: the sum of "
                "each window, windows side by side. It returns float64 and raises `ValueError` for a window "
                "that does not fit.",
    "pool_sum": SOLUTION,
    "pool_sum-demo": "print(pool_sum(np.arange(1, 17).reshape(4, 4), 2))  # [[14. 22.] [46. 54.]]",
    "ex2-task": "## Exercise 2: sum or mean? (2 points)\n\nWhen would a sum be a better summary than a mean?",
    "written_answer": "### BEGIN SOLUTION\n**Model answer.** When the total amount matters, as when counting.\n\n"
                      "**Rubric** (2 points): 1 point for the total, 1 point for an example.\n### END SOLUTION",
    "summary": "## Summary\n\n* A window's sum is its mean times its area.",
    "exercises": "## Exercises\n\n1. Write `pool_sum` with a stride.",
}
HIDDEN_FIRST_LINE = "# Hidden check (2 points): seeded maps and windows of every shape, all negatives, a 1x1 map."

CHAPTER = {
    "def pool_sum_reference(feature_map, *,": "def pool_sum_reference(feature_map, pool_size, *,",
    '    return _todo("the TensorFlow reference of pool_sum")\n': '''    kh, kw = normalize_tuple(pool_size, 2, "pool_size")
    x = np.asarray(feature_map, dtype=np.float64)[None, :, :, None]
    mean = references.tf_pool(x, (kh, kw), (kh, kw), "VALID", "avg", "NHWC", device_name=device_name)
    return mean[0, :, :, 0] * (kh * kw)
''',
    '''    return _todo("the visible cases of pool_sum") or [
        Case(dict(feature_map=feature_map(g, (4, 4), np.float32)), "a 4x4 float32 map"),
    ]''': '''    return [
        Case(dict(feature_map=np.arange(1, 17).reshape(4, 4), pool_size=2), "the 4x4 example, 2x2 windows"),
        Case(dict(feature_map=feature_map(g, (5, 7), np.float32), pool_size=(2, 3)),
             "a rectangular window given as a pair: a row and a column left over"),
        Case(dict(feature_map=feature_map(g, (6, 6), np.int32), pool_size=3), "an int32 map: float64 sums"),
        Case(dict(feature_map=feature_map(g, (3, 3), np.float64), pool_size=4), "a 4x4 window in a 3x3 map",
             raises=ValueError),
        Case(dict(feature_map=feature_map(g, (4, 4), np.float64), pool_size=0), "pool_size 0", raises=ValueError),
    ]''',
    '''    cases = _todo("the named hidden cases of pool_sum") or []
    for _ in range(20):
        h, w = (int(v) for v in g.integers(1, 9, size=2))
        cases.append(Case(dict(feature_map=feature_map(g, (h, w), np.float64)), f"random {h}x{w} float64 map"))
''': '''    cases = [
        Case(dict(feature_map=-np.arange(1, 17, dtype=np.int32).reshape(4, 4), pool_size=2), "an all-negative map"),
        Case(dict(feature_map=np.full((1, 1), 2.5), pool_size=1), "a 1x1 map"),
        Case(dict(feature_map=feature_map(g, (3, 8), np.float32), pool_size=(3, 8)), "the window is the whole map"),
        Case(dict(feature_map=feature_map(g, (7, 2), np.int64), pool_size=(3, 1)), "a tall window, a row left over"),
        Case(dict(feature_map=feature_map(g, (4, 4), np.int32), pool_size=(2, 5)), "a window wider than the map",
             raises=ValueError),
        Case(dict(feature_map=feature_map(g, (4, 4), np.float32), pool_size=(0, 2)), "a window 0 cells tall",
             raises=ValueError),
    ]
    for _ in range(20):
        h, w = (int(v) for v in g.integers(1, 9, size=2))
        kh, kw = int(g.integers(1, h + 1)), int(g.integers(1, w + 1))
        dtype = (np.int32, np.float32, np.float64)[int(g.integers(3))]
        cases.append(Case(dict(feature_map=feature_map(g, (h, w), dtype), pool_size=kh if kh == kw else (kh, kw)),
                          f"random {h}x{w} {np.dtype(dtype).name} map, window ({kh}, {kw})"))
''',
    'signature="(feature_map)",  # TODO(new-notebook): str(inspect.signature(the solution\'s function))':
        'signature="(feature_map, pool_size)",',
    'reference_op="TODO(new-notebook): tf.nn.the_op"': 'reference_op="tf.nn.avg_pool2d (VALID) times the window\'s area"',
    'covers="TODO(new-notebook): what the visible cases test, in a few words"':
        'covers="the 4x4 example, a pair window with cells left over, an int32 map, a window too large and pool_size 0"',
    '"TODO(new-notebook): a nudge: where to look, what to try"': '"How many whole windows fit along each axis?"',
    '"TODO(new-notebook): the idea"': '"Cut the map to whole windows, then add up each window."',
    '"TODO(new-notebook): the formula"': '"`H\' = H // kh`; reshape to `(H\', kh, W\', kw)` and sum axes 1 and 3."',
}

_HEAD = "def pool_sum(feature_map, pool_size):\n    x = np.asarray(feature_map)\n" \
        "    kh, kw = (pool_size, pool_size) if np.ndim(pool_size) == 0 else tuple(pool_size)\n"
_FITS = "    if kh < 1 or kw < 1 or kh > x.shape[0] or kw > x.shape[1]:\n        raise ValueError('bad window')\n"
_WHOLE = "    oh, ow = x.shape[0] // kh, x.shape[1] // kw\n"
CATALOGUE = {
    '"pool_sum": [],  # TODO(new-notebook): fragments of the solution': '"pool_sum": ["reshape(", "sum(axis", "// kh"],',
    "    # TODO(new-notebook): code a learner could really write, wrong; at least 3 per exercise, e.g.\n": f'''
    Variant("pool_sum", "pool_sum", "the mean of each window", {_HEAD + _FITS + _WHOLE!r}
            "    return x[:oh*kh, :ow*kw].astype(float).reshape(oh, kh, ow, kw).mean(axis=(1, 3))\\n"),
    Variant("pool_sum", "pool_sum", "the input's dtype kept", {_HEAD + _FITS + _WHOLE!r}
            "    return x[:oh*kh, :ow*kw].reshape(oh, kh, ow, kw).sum(axis=(1, 3), dtype=x.dtype)\\n"),
    Variant("pool_sum", "pool_sum", "no ValueError for a window larger than the map", {_HEAD + _WHOLE!r}
            "    return x[:oh*kh, :ow*kw].astype(float).reshape(oh, kh, ow, kw).sum(axis=(1, 3))\\n"),
    Variant("pool_sum", "pool_sum", "a partial last window summed too", {_HEAD + _FITS!r}
            "    oh, ow = -(-x.shape[0] // kh), -(-x.shape[1] // kw)\\n"
            "    x = np.pad(x.astype(float), ((0, oh*kh - x.shape[0]), (0, ow*kw - x.shape[1])))\\n"
            "    return x.reshape(oh, kh, ow, kw).sum(axis=(1, 3))\\n"),
    Variant("pool_sum", "pool_sum", "overlapping windows: stride 1", {_HEAD + _FITS!r}
            "    return np.array([[x[i:i+kh, j:j+kw].sum(dtype=float) for j in range(x.shape[1] - kw + 1)]\\n"
            "                     for i in range(x.shape[0] - kh + 1)])\\n"),
    Variant("pool_sum", "pool_sum", "a pair read as (kw, kh)", {_HEAD.replace("tuple(pool_size)", "tuple(pool_size)[::-1]")
                                                                 + _FITS + _WHOLE!r}
            "    return x[:oh*kh, :ow*kw].astype(float).reshape(oh, kh, ow, kw).sum(axis=(1, 3))\\n"),
''',
    "    # Variant(\"pool_sum\", \"pool_sum\", \"what the learner did\", '''def pool_sum(feature_map): ...'''),\n": "",
    "    # TODO(new-notebook): correct code written differently from the solution; 2 per exercise.\n": f'''
    Variant("pool_sum", "pool_sum", "two loops over the windows", {_HEAD + _FITS + _WHOLE!r}
            "    out = np.zeros((oh, ow))\\n"
            "    for i in range(oh):\\n"
            "        for j in range(ow):\\n"
            "            out[i, j] = x[i*kh:(i+1)*kh, j*kw:(j+1)*kw].sum(dtype=np.float64)\\n"
            "    return out\\n"),
    Variant("pool_sum", "pool_sum", "sliding_window_view, every kh-th and kw-th window", {_HEAD + _FITS!r}
            "    from numpy.lib.stride_tricks import sliding_window_view\\n"
            "    return sliding_window_view(x, (kh, kw))[::kh, ::kw].sum(axis=(-2, -1), dtype=np.float64)\\n"),
''',
}


def _replace(path, replacements):
    text = path.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, f"the template changed: {old[:60]!r} is not in {path.name}"
        text = text.replace(old, new)
    return text


def _fill(repo):
    """Fill every placeholder of the three files in, as an author would."""
    chapter = repo / "autograder" / "chapter" / f"{MODULE}.py"
    text = _replace(chapter, CHAPTER)
    text = re.sub(r'^""".*?"""', '"""Exercises of ``07-pool-sum``: the sum of each pooling window."""',
                  text, count=1, flags=re.S)
    text = re.sub(r"# Delete _todo.*?\n\n\n", "", text, count=1, flags=re.S)  # the helper, once unused
    chapter.write_text(text, encoding="utf-8")
    catalogue = repo / "tests" / "catalogue" / f"{MODULE}.py"
    text = _replace(catalogue, CATALOGUE)
    text = re.sub(r'^""".*?"""', '"""Learner code for 07-pool-sum: realistic mistakes and correct variants."""',
                  text, count=1, flags=re.S)
    catalogue.write_text(text, encoding="utf-8")
    path = repo / "solutions" / A / f"{A}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.source = CELLS.get(cell.id, cell.source)
        if cell.id == f"{MODULE}_hidden":
            cell.source = "\n".join([HIDDEN_FIRST_LINE] + cell.source.splitlines()[1:])
    nbformat.write(nb, path)
    readme = repo / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.startswith("| 06 |"))
    lines.insert(last + 1, f"| 07 | `{A}` | the sum of each window | `{MODULE}` (1+2) | 3 auto + 2 written |\n")
    readme.write_text("".join(lines), encoding="utf-8")


TESTS = ["tests/test_registry.py", "tests/test_exercise_text.py", "tests/test_notebooks.py", "tests/test_cases.py",
         "tests/test_catalogue.py", "tests/test_handed_over.py", "tests/test_scaffold.py"]
THE_NEW_NOTEBOOKS = (f"{A} or {MODULE} or catalogue_is_big_enough or readme_course_map or no_placeholder "
                     "or assignments_are_the_solution_folders or every_solution_folder")


def _pytest(repo, select):
    return subprocess.run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfp", *TESTS, "-k", select],
                          cwd=repo, env={**env(), "PYTHONPATH": str(repo)},
                          capture_output=True, text=True, timeout=600)


@pytest.mark.nbgrader
def test_the_template_fails_untouched_and_passes_filled_in(tmp_path):
    repo = _copy(tmp_path)
    _in_copy(repo, "python", "-m", "autograder", "new-notebook", A)
    untouched = _pytest(repo, THE_NEW_NOTEBOOKS)
    assert untouched.returncode == 1, untouched.stdout[-3000:]
    failed = set(re.findall(r"^FAILED (\S+)", untouched.stdout, re.M))
    for must_fail in (f"tests/test_registry.py::test_exercise_has_cases_hint_and_unique_id[{MODULE}]",
                      f"tests/test_exercise_text.py::test_the_notebook_says_what_the_registry_says[{MODULE}]",
                      "tests/test_exercise_text.py::test_the_readme_course_map_has_the_registrys_points",
                      f"tests/test_notebooks.py::test_solution_runs_top_to_bottom_without_errors_or_stderr[{A}]",
                      f"tests/test_cases.py::test_case_labels_are_unique_within_an_exercise[{MODULE}]",
                      "tests/test_catalogue.py::test_catalogue_is_big_enough",
                      f"tests/test_handed_over.py::test_the_released_docstring_hands_nothing_over[{MODULE}]",
                      "tests/test_scaffold.py::test_no_placeholder_of_the_template_is_left_in_the_course"):
        assert must_fail in failed, (must_fail, untouched.stdout[-3000:])
    assert "TODO(new-notebook)" in untouched.stdout  # the failures say what is left to do

    _fill(repo)
    _in_copy(repo, "python", "-m", "autograder", "sync-text")
    _in_copy(repo, "nbgrader", "generate_assignment", A, "--force")
    filled = _pytest(repo, THE_NEW_NOTEBOOKS + " or course_is_what_nbgrader_generates")
    assert filled.returncode == 0, filled.stdout[-5000:]
    passed = set(re.findall(r"^PASSED (.+)$", filled.stdout, re.M))
    for must_pass in ("tests/test_notebooks.py::test_course_is_what_nbgrader_generates",
                      f"tests/test_notebooks.py::test_solution_runs_top_to_bottom_without_errors_or_stderr[{A}]",
                      f"tests/test_notebooks.py::test_notebook_is_clean[{A}-course]",
                      f"tests/test_registry.py::test_grade_cells_match_the_registry[{MODULE}]",
                      f"tests/test_exercise_text.py::test_the_notebook_says_what_the_registry_says[{MODULE}]",
                      "tests/test_exercise_text.py::test_the_readme_course_map_has_the_registrys_points",
                      f"tests/test_cases.py::test_case_labels_are_unique_within_an_exercise[{MODULE}]",
                      "tests/test_catalogue.py::test_catalogue_is_big_enough",
                      f"tests/test_handed_over.py::test_the_released_docstring_hands_nothing_over[{MODULE}]",
                      "tests/test_scaffold.py::test_no_placeholder_of_the_template_is_left_in_the_course"):
        assert must_pass in passed, (must_pass, filled.stdout[-3000:])
    assert len([p for p in passed if "test_catalogue.py::test_mistake" in p]) == 6
    assert len([p for p in passed if "test_catalogue.py::test_correct" in p]) == 2
