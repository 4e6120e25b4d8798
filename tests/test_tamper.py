"""The tamper suite: tricks on in-kernel grading earn nothing under trusted grading.

Every trick runs through both paths: the grading command's :class:`autograder.trusted.Grader`
and plain ``nbgrader autograde`` with the root ``nbgrader_config.py`` (TrustedExecute in place of
nbgrader's Execute: no kernel). The same submissions graded by stock nbgrader (the tests run in
the learner's kernel) show that the tricks are real: one trick of each kind by default,
every trick with ``TAMPER_STOCK=all`` (about 3 more minutes).
"""
import os
import shutil

import nbformat
import pytest

from autograder.trusted import Grader
from tests import tamper
from tests.helpers import COURSE, ROOT, SOLUTIONS, learner_submission, run

TRICKS = sorted(tamper.TRICKS)
A = tamper.ASSIGNMENT


def test_there_are_at_least_ten_distinct_tricks():
    assert len(TRICKS) >= 10


@pytest.mark.parametrize("trick", TRICKS)
def test_trick_earns_nothing_under_the_grading_command(trick):
    nb = learner_submission(A, tamper.replacements(trick))
    result = Grader().grade_notebook(nb, A, trick)
    assert result.error is None
    assert result.score == 0, [(c["grade_id"], c["score"]) for c in result.cells if c["score"]]


# Stock nbgrader costs a kernel and TensorFlow's import per notebook: by default the control that the
# tricks are real runs on one trick of each kind (an IPython hook, a patched library, an import hook,
# a rebound grader function, patched grader internals); TAMPER_STOCK=all runs every trick.
STOCK_SAMPLE = ["input_transformer_blanks_later_cells", "numpy_comparisons_patched", "import_hook_fakes_tensorflow",
                "check_rebound_to_a_no_op", "expected_values_replaced"]


def _course_root(path, trusted: bool, tricks=TRICKS):
    path.mkdir()
    config = (ROOT / "nbgrader_config.py").read_text()
    if not trusted:  # stock nbgrader: drop the trusted pipeline's registration
        config = config.split("# Trusted grading:")[0]
    (path / "nbgrader_config.py").write_text(config)
    shutil.copytree(SOLUTIONS / A, path / "solutions" / A)
    shutil.copytree(COURSE / A, path / "course" / A)
    run(["nbgrader", "generate_assignment", A, "--force"], cwd=path)
    for trick in tricks:
        folder = path / "grading" / "submitted" / trick / A
        folder.mkdir(parents=True)
        nbformat.write(learner_submission(A, tamper.replacements(trick)), folder / f"{A}.ipynb")
    run(["nbgrader", "autograde", A], cwd=path, timeout=1800)
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{path / 'grading' / 'gradebook.db'}") as gb:
        for trick in tricks:
            nb = gb.find_submission_notebook(A, A, trick)
            scores[trick] = sum(g.score for g in nb.grades if g.auto_score is not None)
    return scores


def test_the_stock_sample_names_real_tricks():
    assert set(STOCK_SAMPLE) <= set(TRICKS) - tamper.CAUGHT_BY_STOCK


@pytest.mark.nbgrader
def test_tricks_fool_stock_nbgrader_but_not_ours(tmp_path):
    ours = _course_root(tmp_path / "trusted", trusted=True)  # every trick through the trusted nbgrader
    assert all(score == 0 for score in ours.values()), ours
    everything = os.environ.get("TAMPER_STOCK") == "all"
    sample = TRICKS if everything else STOCK_SAMPLE
    stock = _course_root(tmp_path / "stock", trusted=False, tricks=sample)
    fooled = {t for t, s in stock.items() if s > 0}
    # the tricks are real: in the learner's kernel they earn points (stock nbgrader catches two)
    assert fooled == set(sample) - tamper.CAUGHT_BY_STOCK, f"fooled stock nbgrader: {sorted(fooled)}"
    assert len(fooled) >= (10 if everything else len(STOCK_SAMPLE))
