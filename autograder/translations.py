"""The course in another language: translated notebooks built from the English ones.

The English source notebooks (``solutions/``) are the one source of the course: its cells, their
order, their ids and nbgrader metadata, every exercise, every line of code. A translation adds
only text, in ``i18n/<language>/<assignment>.json``::

    {"cells": {"<cell id>": {"en_sha": "<SHA-256 of the English cell's source>", "source": "..."}}}

:func:`build` writes ``solutions-<language>/<assignment>/<assignment>.ipynb``: the English notebook
with each translated cell's source replaced, the exercise text written from the registry's
translation (hint cells and the visible checks' first lines, :mod:`autograder.exercise_text`),
and ``metadata.autograder.language`` set (the grader then speaks that language); nbgrader
releases it into ``course-<language>/`` as it releases ``solutions/`` into ``course/``.

:func:`problems` is what ``tests/test_translations.py`` asserts is empty: a translated code cell
that differs from the English one in anything but its strings and comments, a cell whose English
changed since its translation was reviewed (``en_sha``), a prose cell left untranslated, a cell
id the English notebook does not have. After reviewing a translation against the English change,
``python -m autograder translate reviewed ASSIGNMENT CELL...`` records the English it matches.
"""
from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import shutil
import tokenize
from pathlib import Path

import nbformat

from . import exercise_text, registry
from .i18n import speaking

__all__ = ["sha", "load", "save", "build", "problems", "mark_reviewed", "code_skeleton", "TRANSLATED"]

TRANSLATED = ("zh",)  # the languages the course has translations for
_CJK = re.compile(r"[\u3400-\u9fff]")


def sha(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _path(root: Path, lang: str, assignment: str) -> Path:
    return Path(root) / "i18n" / lang / f"{assignment}.json"


def load(root: Path, lang: str, assignment: str) -> dict:
    path = _path(root, lang, assignment)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"cells": {}}


def save(root: Path, lang: str, assignment: str, data: dict) -> None:
    path = _path(root, lang, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def code_skeleton(source: str) -> list[tuple[int, str]]:
    """The code's tokens without its strings and comments: what two languages must share."""
    skip = {tokenize.COMMENT, tokenize.STRING, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENCODING, tokenize.ENDMARKER}
    fstring = {getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, n)}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [(0, source)]  # IPython syntax or a broken cell: compare it whole
    return [(t.type, t.string) for t in tokens if t.type not in skip and t.type not in fstring]


def _generated(cell, exercises: dict) -> bool:
    """Cells written from the registry in every language: hint cells."""
    return cell.get("id", "").endswith("-hint") and cell.id[:-5] in exercises


def _needs_words(source: str) -> bool:
    """Whether an English prose cell has words to translate."""
    text = re.sub(r"`[^`]*`|\$[^$]*\$|<[^>]+>|https?://\S+", " ", source)
    return bool(re.search(r"[A-Za-z]{3,}", text))


def build(root: Path, lang: str, assignment: str):
    """The translated source notebook of ``assignment`` (not written)."""
    english = nbformat.read(Path(root) / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    cells = load(root, lang, assignment)["cells"]
    nb = copy.deepcopy(english)
    nb.metadata.setdefault("autograder", {})["language"] = lang
    for cell in nb.cells:
        if cell.get("id") in cells:
            cell.source = cells[cell.id]["source"]
    with speaking(lang):
        exercise_text.sync_notebook(nb, assignment)
    return nb


def write(root: Path, lang: str, assignment: str) -> Path:
    """Build and write ``solutions-<lang>/<assignment>/``, with the English folder's other files."""
    source = Path(root) / "solutions" / assignment
    target = Path(root) / f"solutions-{lang}" / assignment
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file() and path.suffix != ".ipynb":
            shutil.copy(path, target / path.name)
    out = target / f"{assignment}.ipynb"
    nbformat.write(build(root, lang, assignment), out)
    return out


def problems(root: Path, lang: str, assignment: str) -> list[str]:
    """What is wrong with a translation (see the module docstring); empty when it is right."""
    english = nbformat.read(Path(root) / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    cells = load(root, lang, assignment)["cells"]
    exercises = {e.name: e for e in registry.exercises(assignment)}
    found = []
    ids = {c.get("id") for c in english.cells}
    found += [f"{cell_id}: no such cell in the English notebook" for cell_id in cells if cell_id not in ids]
    for cell in english.cells:
        entry = cells.get(cell.get("id"))
        if _generated(cell, exercises):
            if entry:
                found.append(f"{cell.id}: written from the registry's translation, not translated here")
            continue
        if entry is None:
            if cell.cell_type == "markdown" and _needs_words(cell.source):
                found.append(f"{cell.id}: not translated")
            continue
        if entry.get("en_sha") != sha(cell.source):
            found.append(f"{cell.id}: the English changed since this translation was reviewed "
                         f"(`python -m autograder translate reviewed {assignment} {cell.id}` once it is)")
        if cell.cell_type == "code" and code_skeleton(entry["source"]) != code_skeleton(cell.source):
            found.append(f"{cell.id}: the translated code differs from the English in more than strings and comments")
        if cell.cell_type == "markdown" and _needs_words(cell.source) and not _CJK.search(entry["source"]):
            found.append(f"{cell.id}: the translation has no {lang} text")
    return found


def mark_reviewed(root: Path, lang: str, assignment: str, cell_ids: list[str]) -> list[str]:
    """Record that these cells' translations match the English as it is now; the ids recorded."""
    english = {c.get("id"): c for c in nbformat.read(
        Path(root) / "solutions" / assignment / f"{assignment}.ipynb", as_version=4).cells}
    data = load(root, lang, assignment)
    done = []
    for cell_id in cell_ids:
        if cell_id not in data["cells"] or cell_id not in english:
            raise KeyError(f"{assignment}: no translated cell {cell_id!r}")
        data["cells"][cell_id]["en_sha"] = sha(english[cell_id].source)
        done.append(cell_id)
    save(root, lang, assignment, data)
    return done


def command(action: str, assignment: str | None, cells: list[str], lang: str, root: Path = Path(".")) -> int:
    """``python -m autograder translate ACTION``: build, status or reviewed (see the command's help);
    the exit status (1: something to do). ``ValueError`` for bad usage, said in one line."""
    from . import registry

    chosen = [assignment] if assignment else list(registry.assignments())
    if action == "reviewed":
        if not assignment or not cells:
            raise ValueError("reviewed needs ASSIGNMENT and the CELL ids you reviewed")
        try:
            done = mark_reviewed(root, lang, assignment, cells)
        except KeyError as exc:
            raise ValueError(str(exc.args[0])) from None
        print(f"{assignment}: recorded as reviewed against the English: {', '.join(done)}")
        return 0
    if action == "build":
        for name in chosen:
            print(f"wrote {write(root, lang, name)}")
        print(f"Now run `make course` so that course-{lang}/ follows.")
        return 0
    found = {name: problems(root, lang, name) for name in chosen}
    for name, todo in found.items():
        print(f"{name}: {'up to date' if not todo else f'{len(todo)} to do'}")
        for problem in todo:
            print(f"  {problem}")
    return 1 if any(found.values()) else 0
