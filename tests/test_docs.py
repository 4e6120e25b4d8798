"""Every command of docs/ runs in a test as the page writes it, or cannot run on one machine and says why.

A test runs a documented command by taking it from its page (``tests/docs.py``'s ``documented(PAGE,
LINE)``), so a page and its test cannot drift apart: before, docs gave `autograde A --results FILE`,
which no test ran and which graded everything again. This module reads every test's
``documented(...)`` calls (their literal arguments) and every command line of docs/*.md."""
import ast
import re

import pytest

from tests.docs import DOCS, ROOT, commands, documented

# Lines that cannot run on one machine, or are this repository's own build: why, by pattern.
ELSEWHERE = [
    (r"^(sudo|curl) ", "root or the network: a server's set-up"),
    (r"^docker ", "a container daemon (.github/workflows/image.yml builds and runs the image)"),
    (r"^kubectl ", "a cluster (deploy/k8s/grade-class.sh runs these against tests/fake_kubectl.py)"),
    (r"^helm ", "a Kubernetes cluster for Zero to JupyterHub (tests/test_hub.py checks its config.yaml offline)"),
    (r"^for .* do sudo ", "root: a server's set-up"),
    (r"^git clone ", "the network"),
    (r"^printf .*\| sudo tee ", "root: a server's set-up"),
    (r"^jupyter (labextension|server extension) ", "a hub user's own Jupyter set-up"),
    (r"^(export|mkdir) ", "the shell's own set-up before the commands that follow"),
    (r"^make (setup|test|course)\b", "this repository's build and CI (bash .ci/run runs make test)"),
    (r"^make grade-ui$", "opens JupyterLab for a person (tests/test_browser.py opens the formgrader)"),
    (r"^python -m autograder (new-notebook|sync-text|translate) ", "authoring: tests/test_scaffold.py, "
                                                                   "test_exercise_text.py, test_translations.py"),
    (r"^python -m autograder (sync-text|translate status)$", "authoring: tests/test_exercise_text.py, "
                                                              "test_translations.py"),
]


def _documented_in_tests() -> set[tuple[str, str]]:
    """(page, line) of every ``documented(PAGE, LINE, ...)`` call in tests/ (and of ``doc(PAGE, LINE, ...)``,
    test_class.py's runner around it); PAGE a literal or a module-level name bound to one."""
    found = set()
    for path in sorted((ROOT / "tests").glob("*.py")):
        if path.name == "test_docs.py":
            continue
        tree = ast.parse(path.read_text())
        names = {}
        for node in tree.body:
            if isinstance(node, ast.Assign):
                for target, value in _pairs(node):
                    if isinstance(target, ast.Name) and isinstance(value, ast.Constant) and isinstance(value.value, str):
                        names[target.id] = value.value
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("documented", "doc") and \
                    len(node.args) >= 2:
                page, line = node.args[:2]
                page = names.get(page.id) if isinstance(page, ast.Name) else getattr(page, "value", None)
                if isinstance(page, str) and isinstance(line, ast.Constant):
                    found.add((page, line.value))
    return found


def _pairs(node: ast.Assign):
    for target in node.targets:
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            yield from zip(target.elts, node.value.elts)
        else:
            yield target, node.value


PAGES = sorted(p.name for p in DOCS.glob("*.md"))


@pytest.mark.parametrize("page", PAGES)
def test_every_command_of_the_docs_runs_in_a_test_or_says_why_not(page):
    run = _documented_in_tests()
    missing = []
    for line in commands(page):
        if (page, line) in run or any(re.search(pattern, line) for pattern, _ in ELSEWHERE):
            continue
        missing.append(line)
    assert not missing, f"docs/{page}: no test runs these as written: {missing}"


def test_what_the_tests_run_is_still_in_the_docs():
    for page, line in sorted(_documented_in_tests()):
        assert line in commands(page), f"a test runs `{line}`, which docs/{page} no longer shows"


def test_the_documented_order_is_the_order_that_runs():
    """The command as the page writes it, placeholders replaced: `--results` stays after the assignment."""
    (argv,) = documented("grading-past-one-machine.md",
                         "python -m autograder autograde 02-pooling-math --results results/results.json")
    assert argv == ["python", "-m", "autograder", "autograde", "02-pooling-math", "--results", "results/results.json"]
    one, two = documented("running-a-class.md",
                          "nbgrader generate_feedback A --student ID --force && nbgrader release_feedback A --student ID",
                          A="02-pooling-math", ID="ada")
    assert one[-3:] == ["--student", "ada", "--force"] and two == ["nbgrader", "release_feedback", "02-pooling-math",
                                                                   "--student", "ada"]
