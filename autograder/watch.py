"""One namespace rule, the same in the learner's kernel as at grading.

At grading, a notebook's code runs in one namespace: the setup cell, the learner's exercise cells,
and any cell the learner added or changed; never the notebook's own demonstration cells left as
released (:func:`autograder.trusted.learner_cells`). In JupyterLab every cell the learner runs
feeds the same namespace, so a function could lean on a name only a demonstration cell makes (a
demo's helper, a stray loop variable, a module a demo imported) and pass its visible check, then
fail at grading with a ``NameError``.

So the learner's kernel keeps count: once ``autograder`` is imported (the setup cell), IPython's
``pre_run_cell`` and ``post_run_cell`` events record, for each cell run, the names it bound and
whether it raised. :func:`grading_gaps` then lists the globals a learner's function reads (its
bytecode's global loads, and those of the functions of the notebook it calls, transitively)
that only a demonstration cell bound; ``check`` fails the visible check on them, saying which
name and which cell. A demonstration cell is recognised as grading does: by its source, exactly
as released (:data:`DEMO_SOURCES`, written by ``python -m autograder demo-cells``, kept in sync
with ``course/`` and ``course-zh/`` by the tests), whatever its id.
"""
from __future__ import annotations

import dis
import hashlib
import json
import types
from importlib import resources

__all__ = ["install", "grading_gaps", "failed_cells", "demo_hash", "DATA"]

DATA = "demo_cells.json"  # {assignment: {hash of a demonstration cell's source: its id}}, both languages
_IPYTHON_NAMES = {"In", "Out", "_", "__", "___", "_i", "_ii", "_iii", "_oh", "_dh", "_sh", "exit", "quit",
                  "get_ipython"}
_state = {"installed": False, "before": None, "current": None, "binder": {}, "failed": {}}


def demo_hash(source: str) -> str:
    return hashlib.sha256(source.strip().encode()).hexdigest()[:16]


def _demos() -> dict:
    try:
        return json.loads(resources.files("autograder").joinpath(DATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def install() -> bool:
    """Follow the cells the learner's kernel runs (once; nothing outside IPython)."""
    if _state["installed"]:
        return True
    try:
        shell = get_ipython()  # noqa: F821 - IPython's builtin, in a kernel only
    except NameError:
        return False
    if shell is None:
        return False
    shell.events.register("pre_run_cell", _before)
    shell.events.register("post_run_cell", _after)
    _state.update(installed=True, shell=shell)
    return True


def _snapshot() -> dict:
    return {k: id(v) for k, v in _state["shell"].user_ns.items()}


def _bound(source: str) -> set[str]:
    """The names a cell's own statements bind at its top level (an import of a module already
    imported elsewhere binds it again, though nothing in the namespace changes)."""
    import ast

    try:
        tree = ast.parse(_state["shell"].transform_cell(source))
    except Exception:  # noqa: BLE001 - what cannot be parsed binds what the namespace shows
        return set()
    names, nodes = set(), list(tree.body)
    while nodes:
        node = nodes.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        nodes += [child for child in ast.iter_child_nodes(node)
                  if not isinstance(child, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                            ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp))]
    return names


def _before(info) -> None:
    source = getattr(info, "raw_cell", "") or ""
    _state["current"] = (getattr(info, "cell_id", None) or "", demo_hash(source), source)
    _state["before"] = _snapshot()


def _after(result) -> None:
    cell_id, digest, source = _state["current"] or ("", "", "")
    before = _state["before"] or {}
    named = _bound(source)
    for name, value in _state["shell"].user_ns.items():
        if name in _IPYTHON_NAMES or name.startswith("_i") or (name.startswith("_") and name[1:].isdigit()):
            continue
        if before.get(name) != id(value) or name in named:
            _state["binder"][name] = (cell_id, digest)
    error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
    if error is not None:
        _state["failed"][cell_id] = f"{type(error).__name__}: {error}"[:300]
    else:
        _state["failed"].pop(cell_id, None)


def _globals_read(func, seen: set) -> dict[str, object]:
    """The globals ``func`` reads, and those of the notebook's functions it reads, transitively."""
    found = {}
    code = getattr(func, "__code__", None)
    namespace = getattr(func, "__globals__", {})
    if code is None or id(code) in seen:
        return found
    seen.add(id(code))
    codes = [code]
    while codes:
        current = codes.pop()
        for instruction in dis.get_instructions(current):
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME") and instruction.argval in namespace:
                found[instruction.argval] = namespace[instruction.argval]
        codes += [c for c in current.co_consts if isinstance(c, types.CodeType)]
    for value in list(found.values()):
        if isinstance(value, types.FunctionType) and value.__module__ == "__main__":
            found.update(_globals_read(value, seen))
    return found


def grading_gaps(assignment: str, func) -> list[tuple[str, str]]:
    """``(name, cell id)`` for each global ``func`` needs that only a demonstration cell bound: at
    grading that cell does not run, so the name would not exist. The cell is named as released
    (found by its source: a kernel run outside JupyterLab may not know cell ids)."""
    if not _state["installed"]:
        return []
    demos = _demos().get(assignment, {})
    gaps = []
    for name in sorted(_globals_read(func, set())):
        cell_id, digest = _state["binder"].get(name, ("", ""))
        if digest in demos:
            gaps.append((name, demos[digest] or cell_id))
    return gaps


def failed_cells() -> dict[str, str]:
    """``{cell id: error}`` of the cells whose last run raised."""
    return dict(_state["failed"])


def demo_sources(root) -> dict[str, dict[str, str]]:
    """What :data:`DATA` holds, from the released notebooks under ``root`` (``course/`` and every
    ``course-<language>/``): each assignment's demonstration cells (code cells that are neither the
    learner's nor graded, but the setup cell), by the hash of their source."""
    from pathlib import Path

    import nbformat

    found: dict[str, dict] = {}
    for folder in sorted(Path(root).glob("course*")):
        for path in sorted(folder.glob("*/*.ipynb")):
            if path.stem != path.parent.name:
                continue
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if cell.cell_type == "code" and cell.get("id") != "setup" and not meta.get("solution") \
                        and not meta.get("grade"):
                    found.setdefault(path.stem, {})[demo_hash(cell.source)] = cell.get("id", "")
    return {assignment: dict(sorted(cells.items())) for assignment, cells in sorted(found.items())}


def write_demo_sources(root) -> str:
    """Write :data:`DATA` into the package from ``root``'s released notebooks; its path."""
    from pathlib import Path

    path = Path(__file__).with_name(DATA)
    path.write_text(json.dumps(demo_sources(root), indent=1) + "\n")
    return str(path)
