"""The package's layout: small modules, and no import cycle between them (read with ast)."""
import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "autograder"
MAX_LINES = 400
MODULES = sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The package modules ``path`` imports, at the top or inside functions."""
    name = _name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("autograder")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if not base.startswith("autograder"):
                continue
            for alias in node.names:  # `from . import x` imports the module x
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in KNOWN else base)
    return {m for m in found if m in KNOWN and m != name}


KNOWN = {_name(p) for p in MODULES}
GRAPH = {_name(p): _imports(p) for p in MODULES}


def _cycle():
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(GRAPH):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle_between_the_packages_modules():
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    saved = dict(GRAPH)
    try:
        GRAPH["autograder.wire"] = GRAPH["autograder.wire"] | {"autograder.judge"}
        assert _cycle() is not None
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by job"


def test_the_learner_process_imports_only_what_calling_a_learner_needs():
    """autograder.sandbox.learner (the learner's process) reaches neither the references nor the judge."""
    reach, todo = set(), ["autograder.sandbox.learner"]
    while todo:
        node = todo.pop()
        for nxt in GRAPH[node] - reach:
            reach.add(nxt)
            todo.append(nxt)
    assert not reach & {"autograder.judge", "autograder.references", "autograder.registry", "autograder.kernel",
                        "autograder.trusted"}, sorted(reach)
