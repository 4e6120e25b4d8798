"""The fast path over the catalogues: every mistake loses its exercise's points, with a message
that names the failing case; every correct variant keeps full marks.

Fast path: the learner's cells run in this process and ``autograder.verify`` judges them, the same
code the notebooks' test cells call. test_nbgrader.py runs a subset through real nbgrader.
"""
import pytest

import autograder
from tests.catalogue import catalogue
from tests.helpers import learner_namespace

MISTAKES, CORRECT = catalogue()


def _verdicts(assignment, variant):
    namespace = learner_namespace(assignment, {variant.cell: variant.source})
    exercise = autograder.get(variant.exercise)
    func = namespace[exercise.function]
    return exercise, [autograder.verify(exercise.name, func, which) for which in ("visible", "hidden")]


@pytest.mark.parametrize("assignment,variant", MISTAKES, ids=[str(v) for _, v in MISTAKES])
def test_mistake_loses_points_and_names_the_case(assignment, variant):
    exercise, verdicts = _verdicts(assignment, variant)
    earned = sum(v.points for v in verdicts)
    assert earned < exercise.total_points, f"{variant.name} earned full marks"
    for verdict in verdicts:
        if verdict.passed:
            continue
        case = verdict.failures[0].case
        assert case.call(exercise.function) in verdict.message
        assert case.label in verdict.message
        assert "Traceback" not in verdict.message


@pytest.mark.parametrize("assignment,variant", CORRECT, ids=[str(v) for _, v in CORRECT])
def test_correct_variant_gets_full_marks(assignment, variant):
    exercise, verdicts = _verdicts(assignment, variant)
    for verdict in verdicts:
        assert verdict.passed, verdict.message


def test_catalogue_is_big_enough():
    assert len(MISTAKES) >= 5 and len(CORRECT) >= 2
    for exercise in autograder.exercises():
        mine = [v for _, v in MISTAKES if v.exercise == exercise.name]
        assert len(mine) >= 3, f"{exercise.name}: only {len(mine)} catalogued mistakes"


def test_helper_function_in_a_cell_of_its_own_gets_full_marks():
    """A learner who puts a helper in a new cell of their own (the trusted path runs added cells)."""
    from nbformat.v4 import new_code_cell

    from autograder.trusted import Grader
    from tests.helpers import learner_submission

    nb = learner_submission("02-pooling-math", {"pool2d": '''
def pool2d(feature_map, pool_size, stride, mode="max"):
    return _pool_with_helper(np.asarray(feature_map), _pair(pool_size), _pair(stride), mode)
'''})
    helper = new_code_cell('''
def _pair(v):
    return (v, v) if np.isscalar(v) else tuple(v)

def _pool_with_helper(x, k, s, mode):
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', not {mode!r}")
    if k[0] > x.shape[0] or k[1] > x.shape[1]:
        raise ValueError("pool_size is larger than the map")
    rows = range(0, x.shape[0] - k[0] + 1, s[0])
    cols = range(0, x.shape[1] - k[1] + 1, s[1])
    dtype = x.dtype if mode == "max" or x.dtype.kind == "f" else np.float64
    reduce = (lambda w: w.max()) if mode == "max" else (lambda w: w.mean(dtype=np.float64))
    return np.array([[reduce(x[r:r + k[0], c:c + k[1]]) for c in cols] for r in rows], dtype=dtype)
''')
    helper.id = "my-helpers"
    nb.cells.insert([c.id for c in nb.cells].index("pool2d"), helper)
    result = Grader().grade_notebook(nb, "02-pooling-math", "helper")
    assert result.score == result.max_score, [c["message"] for c in result.cells if not c["passed"]]
