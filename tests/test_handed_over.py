"""Docstrings state the contract, never the answer: no released exercise docstring holds a fragment
of its own solution (the output-size formula, the padding split, the algorithm's key call).

Each notebook's catalogue module (tests/catalogue/<module>.py) lists, per exercise, the fragments
that would hand the answer over (``HANDED_OVER``)."""
import ast
import importlib
import pkgutil

import pytest

import autograder
from tests import catalogue
from tests.helpers import COURSE, read

FRAGMENTS = {}
for _module in pkgutil.iter_modules(catalogue.__path__):
    FRAGMENTS.update(getattr(importlib.import_module(f"tests.catalogue.{_module.name}"), "HANDED_OVER", {}))


def _docstring(assignment: str, function: str) -> str:
    cell = next(c for c in read(assignment, COURSE).cells if c.get("id") == function)
    tree = ast.parse(cell.source)
    found = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function), None)
    assert found is not None, f"the released cell {function} has no def {function}"
    return ast.get_docstring(found) or ""


@pytest.mark.parametrize("exercise", autograder.exercises(), ids=lambda e: e.name)
def test_the_released_docstring_hands_nothing_over(exercise):
    fragments = FRAGMENTS.get(exercise.name)
    assert fragments, f"tests/catalogue lists no HANDED_OVER fragments for {exercise.name}"
    doc = _docstring(exercise.notebook, exercise.function)
    assert doc.strip(), f"{exercise.function} has no docstring: state its contract"
    found = [f for f in fragments if f in doc]
    assert not found, f"{exercise.function}'s docstring hands over {found}"


def test_the_check_can_fail():
    """A docstring with the formula in it is caught."""
    fragment = FRAGMENTS["max_pool_fast"][0]
    assert fragment in f"def max_pool_fast(...):\n    '''H' = {fragment}'''"
