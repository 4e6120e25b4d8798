"""The Chinese course: built from the English one, the same exercises, graded the same, in Chinese.

* every translation is complete and reviewed against the English as it is now, its code differs
  from the English only in strings and comments (:func:`autograder.translations.problems`);
* ``solutions-zh/`` is exactly what ``translate build`` makes, and both Chinese folders are clean;
* the same cells in the same order, the same ids, grade ids, points and nbgrader metadata;
* the grader speaks Chinese to a Chinese notebook: a catalogued mistake of every exercise loses
  its points with a message in Chinese (the model answers' full marks and the stubs' zero in
  Chinese: tests/test_nbgrader_zh.py, through the real nbgrader).
(nbgrader generating ``course-zh/`` and the real ``nbgrader autograde`` of a Chinese class:
tests/test_nbgrader_zh.py; JupyterLab in Chinese: tests/test_browser.py.)
"""
import json
import re

import nbformat
import pytest

import autograder
from autograder import translations
from autograder.i18n import STUBS
from autograder.trusted import Grader
from tests.catalogue import catalogue
from tests.helpers import ROOT, learner_submission, nbgrader_meta, read, solution_assignments

ASSIGNMENTS = solution_assignments()
ZH_SOLUTIONS, ZH_COURSE = ROOT / "solutions-zh", ROOT / "course-zh"
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_translation_is_complete_reviewed_and_only_text(assignment):
    problems = translations.problems(ROOT, "zh", assignment)
    assert not problems, "\n".join(problems[:10])


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solutions_zh_is_what_translate_build_makes(assignment):
    built = translations.build(ROOT, "zh", assignment)
    on_disk = nbformat.read(ZH_SOLUTIONS / assignment / f"{assignment}.ipynb", as_version=4)
    assert json.loads(nbformat.writes(built)) == json.loads(nbformat.writes(on_disk)), \
        "solutions-zh/ is stale: run `make course`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_same_cells_same_order_same_grading(assignment):
    english, chinese = read(assignment), nbformat.read(ZH_SOLUTIONS / assignment / f"{assignment}.ipynb", as_version=4)
    assert [c.id for c in english.cells] == [c.id for c in chinese.cells]
    assert chinese.metadata.autograder.language == "zh" and chinese.metadata.kernelspec.name == "python3"
    for en, zh in zip(english.cells, chinese.cells):
        assert (en.cell_type, nbgrader_meta(en)) == (zh.cell_type, nbgrader_meta(zh)), en.id
        if en.cell_type == "code":
            assert translations.code_skeleton(en.source) == translations.code_skeleton(zh.source), en.id


@pytest.mark.parametrize("folder", [ZH_SOLUTIONS, ZH_COURSE], ids=["solutions-zh", "course-zh"])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_chinese_notebooks_are_clean_and_in_chinese(folder, assignment):
    nb = nbformat.read(folder / assignment / f"{assignment}.ipynb", as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"stale output in {cell.id}"
    prose = [c for c in nb.cells if c.cell_type == "markdown"]
    assert sum(bool(CJK.search(c.source)) for c in prose) >= 0.9 * len(prose)
    setup = next(c for c in nb.cells if c.id == "setup")
    assert 'autograder.use_language("zh")' in setup.source


@pytest.mark.parametrize("language, folder", [("en", ROOT / "course"), ("zh", ZH_COURSE)])
def test_released_stubs_speak_the_notebooks_language(language, folder):
    """Each solution cell is released with its language's stub (nbgrader's code_stub and text_stub,
    the course's optional stub: autograder.i18n.STUBS) and never with another language's."""
    own = STUBS[language]
    others = [s for lang, stubs in STUBS.items() if lang != language for s in stubs.values()]
    seen = set()
    for assignment in ASSIGNMENTS:
        for cell in nbformat.read(folder / assignment / f"{assignment}.ipynb", as_version=4).cells:
            if not nbgrader_meta(cell).get("solution"):
                continue
            assert not [s for s in others if s in cell.source], f"{assignment} {cell.id}: {cell.source!r}"
            if cell.cell_type == "markdown":
                assert cell.source.strip() == own["text"], f"{assignment} {cell.id}"
                seen.add("text")
            elif cell.metadata.get("autograder", {}).get("optional"):
                assert own["optional"] in cell.source and "raise" not in cell.source, f"{assignment} {cell.id}"
                seen.add("optional")
            else:
                assert re.search(re.escape(own["code"]) + r"\n\s*raise NotImplementedError\(\)", cell.source), \
                    f"{assignment} {cell.id}"
                seen.add("code")
    assert seen == {"text", "optional", "code"}
    if language == "zh":
        assert all(CJK.search(s) for s in own.values())


@pytest.fixture(scope="module")
def grader():
    return Grader("cpu")



MISTAKES, _ = catalogue()


@pytest.mark.parametrize("exercise", autograder.exercises(), ids=lambda e: e.name)
def test_a_mistake_gets_its_message_in_chinese(exercise, grader):
    variant = next(v for a, v in MISTAKES if v.exercise == exercise.name)
    result = grader.grade_notebook(learner_submission(exercise.notebook, {variant.cell: variant.source}, language="zh"),
                                   exercise.notebook, "zh-mistake")
    mine = [c for c in result.cells if c["exercise"] == exercise.name]
    assert any(c["score"] == 0 for c in mine), variant.name
    failed = next(c for c in mine if not c["passed"])
    english = re.sub(r"`[^`]*`|\([^)]*\)|[A-Za-z_]+\(|\w+=|[A-Z]+|tf\.\S+|np\.\S+", "", failed["message"].splitlines()[0])
    assert CJK.search(failed["message"].splitlines()[0]), failed["message"][:400]
    assert not re.search(r"\b(the|of|cases|failed|smallest|should|returned)\b", english), failed["message"][:400]
