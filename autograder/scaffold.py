"""``python -m autograder new-notebook NN-name``: a new notebook's files, started from a template.

Writes, from the templates in ``docs/template/`` (an instructor's tool: the repository has them,
a learner's copy of the autograder has neither this module nor them):

* ``solutions/<NN-name>/<NN-name>.ipynb`` (from ``notebook.ipynb``): title, setup, one exercise
  (task, solution cell, demo, hint cell, visible and hidden checks), a written answer with a
  rubric, summary and exercises;
* ``autograder/chapter/<module>.py`` (from ``chapter.py.in``): ``NOTEBOOK``, the case builders, the
  TensorFlow reference, ``register(Exercise(...))``;
* ``tests/catalogue/<module>.py`` (from ``catalogue.py.in``): ``ASSIGNMENT``, ``HANDED_OVER``,
  ``MISTAKES``, ``CORRECT``.

Every place the author must fill in says ``TODO(new-notebook)`` (:data:`MARK`); the cases and the
reference raise ``NotImplementedError`` until written, so the notebook's tests fail until then.
Nothing is overwritten: if any of the three files exists, nothing is written.
"""
from __future__ import annotations

import re
from pathlib import Path

from .registry import ASSIGNMENT_NAME

__all__ = ["MARK", "TEMPLATES", "plan", "create", "next_steps"]

MARK = "TODO(new-notebook)"
TEMPLATES = Path("docs") / "template"
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


def _names(assignment: str, module: str | None, exercise: str | None) -> dict[str, str]:
    if not ASSIGNMENT_NAME.fullmatch(assignment):
        raise ValueError(f"the assignment must be two digits, a dash and lower-case words joined by dashes, "
                         f"like 07-pool-sum; received {assignment!r}")
    module = module or assignment[3:].replace("-", "_")
    if not _IDENTIFIER.fullmatch(module):
        raise ValueError(f"the module must be a lower-case Python name like pool_sum; received {module!r} "
                         f"(choose one with --module)")
    exercise = exercise or module
    if not _IDENTIFIER.fullmatch(exercise):
        raise ValueError(f"the exercise must be a lower-case Python name like pool_sum; received {exercise!r}")
    return {"assignment": assignment, "number": assignment[:2], "seed": str(int(assignment[:2])),
            "module": module, "exercise": exercise}


def plan(root: Path, assignment: str, module: str | None = None,
         exercise: str | None = None) -> dict[Path, str]:
    """What :func:`create` would write: ``path -> text``. ``ValueError`` for a bad name,
    ``FileExistsError`` when a file, the assignment or the exercise exists already."""
    root = Path(root)
    names = _names(assignment, module, exercise)
    chapter = root / "autograder" / "chapter"
    targets = {
        root / "solutions" / assignment / f"{assignment}.ipynb": "notebook.ipynb",
        chapter / f"{names['module']}.py": "chapter.py.in",
        root / "tests" / "catalogue" / f"{names['module']}.py": "catalogue.py.in",
    }
    existing = [p for p in [root / "solutions" / assignment, *targets] if p.exists()]
    if existing:
        raise FileExistsError(f"{existing[0]} exists already: new-notebook never overwrites anything")
    taken = [p for p in chapter.glob("*.py") if f'name="{names["exercise"]}"' in p.read_text(encoding="utf-8")]
    if taken:
        raise FileExistsError(f"an exercise called {names['exercise']!r} exists already in {taken[0]}: "
                              f"choose another with --exercise")
    made = {}
    for path, template in targets.items():
        text = (root / TEMPLATES / template).read_text(encoding="utf-8")
        for key, value in names.items():
            text = text.replace(f"__{key}__", value)
        made[path] = text
    return made


def create(root: Path, assignment: str, module: str | None = None, exercise: str | None = None) -> list[Path]:
    """Write the new notebook's three files (all or none); their paths."""
    made = plan(root, assignment, module, exercise)
    for path, text in made.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as f:  # "x": never overwrite, even in a race
            f.write(text)
    return list(made)


def next_steps(assignment: str, paths: list[Path]) -> str:
    """What the author does next, in order."""
    notebook, chapter, catalogue = (str(p) for p in paths)
    return "\n".join([
        f"Next, for {assignment} (docs/adding-a-notebook.md says why and how):",
        f" 1. fill in every {MARK} in {notebook}, {chapter} and {catalogue}",
        "    (the task and solution, the cases, the TensorFlow reference, hints and covers,",
        "    at least 3 catalogued mistakes per exercise, HANDED_OVER fragments); add tests/test_<module>.py;",
        " 2. python -m autograder sync-text     (the hint cell and the checks' first lines)",
        " 3. make course                        (course/, solutions-zh/, course-zh/)",
        f" 4. translate: i18n/zh/{assignment}.json (python -m autograder translate status {assignment}),",
        "    and the exercise's Chinese hints, covers and labels in autograder/locale/zh.json;",
        f" 5. add {assignment}'s row, with its points, to README.md's course map;",
        " 6. make test",
    ])
