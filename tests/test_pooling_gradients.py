"""05-pooling-gradients: what TensorFlow's pooling gradients really do, and the cases built on them.

* TensorFlow's rule for ties, by experiment, against an independent NumPy model (first maximum
  in row-major order per window, image and channel; windows add up; SAME padding never receives).
* The NCHW paths the reference transposes, and why it must.
* A centred-difference gradient check (cs231n ``gradient_check`` style, relative error) of the
  reference, for average pooling and for max pooling without ties.
* TensorFlow 2.21's CPU ``AvgPoolGrad`` disagreeing with its own forward for some SAME windows
  larger than the input, and the guard that keeps those out of the references.
* The cases: shapes TensorFlow agrees with, errors that really are errors, float32 tolerances that
  absorb a learner's different summation order.
"""
import itertools

import numpy as np
import pytest

import autograder
from autograder import compare, geometry, references, tfops
from autograder.judge import ReferenceCache
from autograder.chapter import pooling_gradients as pg

SEED = 231


# ----------------------------------------------------------------------------- independent models
def _model(x, up, k, s, padding, mode, tie="first", accumulate=np.float64, reverse=False):
    """dL/dx by loops over windows, NHWC. ``tie``: which maximum gets a window's gradient."""
    n_, h, w, c_ = x.shape
    (kh, kw), (sh, sw) = k, s
    oh, top = geometry.output_length(h, kh, sh, padding), geometry.padding_before(h, kh, sh, padding)
    ow, left = geometry.output_length(w, kw, sw, padding), geometry.padding_before(w, kw, sw, padding)
    g = np.zeros(x.shape, accumulate)
    order = list(itertools.product(range(oh), range(ow)))
    for n, c in itertools.product(range(n_), range(c_)):
        for i, j in order[::-1] if reverse else order:
            r0, c0 = max(i * sh - top, 0), max(j * sw - left, 0)
            r1, c1 = min(i * sh - top + kh, h), min(j * sw - left + kw, w)
            win = x[n, r0:r1, c0:c1, c]
            u = accumulate(up[n, i, j, c])
            if mode == "avg":
                g[n, r0:r1, c0:c1, c] += u / accumulate(win.size)
                continue
            hits = np.argwhere(win == win.max())  # row-major order
            if tie == "every":
                for a, b in hits:
                    g[n, r0 + a, c0 + b, c] += u
            else:
                a, b = hits[0] if tie == "first" else hits[-1]
                g[n, r0 + a, c0 + b, c] += u
    return g


def _configs(count, seed, ties=True):
    """Random small configurations: (x NHWC, upstream, k, s, padding)."""
    g = np.random.default_rng(seed)
    for _ in range(count):
        padding = str(g.choice(["VALID", "SAME"]))
        h, w = (int(v) for v in g.integers(1, 8, 2))
        top = 5 if padding == "SAME" else None
        k = (int(g.integers(1, (top or h) + 1)), int(g.integers(1, (top or w) + 1)))
        s = tuple(int(v) for v in g.integers(1, 4, 2))
        shape = (int(g.integers(1, 3)), h, w, int(g.integers(1, 4)))
        x = (g.integers(-3, 4, shape) / 2.0) if ties else g.permutation(np.prod(shape)).reshape(shape) / 7.0
        out = pg.pooled_shape(shape, k, s, padding)
        yield x, g.normal(0.0, 1.0, out), k, s, padding


# ----------------------------------------------------------------------------- TensorFlow's rules
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_gradient_goes_to_the_first_maximum_in_row_major_order(dtype):
    """TF 2.21 on the CPU, by experiment: the whole gradient of a window goes to its first maximum."""
    discriminating = 0
    for x, up, k, s, padding in _configs(60, SEED):
        x, up = x.astype(dtype), up.astype(dtype)
        got = references.tf_pool_gradient(x, up, k, s, padding, "max")
        assert got.dtype == dtype and got.shape == x.shape
        first = _model(x, up, k, s, padding, "max", "first").astype(dtype)
        assert compare.compare(got, first) is None, (k, s, padding)
        for other in ("last", "every"):
            if not np.allclose(_model(x, up, k, s, padding, "max", other).astype(dtype), got):
                discriminating += 1
    assert discriminating > 20, "the configurations must contain ties that tell the rules apart"


def test_ties_in_the_smallest_examples():
    one = np.ones((1, 1, 1, 1), np.float32)
    flat = references.tf_pool_gradient(np.ones((1, 3, 3, 1), np.float32), one, (3, 3), (3, 3), "VALID", "max")
    assert flat[0, :, :, 0].tolist() == [[1, 0, 0], [0, 0, 0], [0, 0, 0]]
    cross = np.array([[0, 5, 0], [5, 0, 5], [0, 5, 0]], np.float64)[None, :, :, None]
    got = references.tf_pool_gradient(cross, one.astype(np.float64), (3, 3), (3, 3), "VALID", "max")
    assert got[0, :, :, 0].tolist() == [[0, 1, 0], [0, 0, 0], [0, 0, 0]]  # (0, 1) comes before (1, 0)
    up = np.arange(1, 5, dtype=np.float32).reshape(1, 2, 2, 1)  # each window decides alone, then they add
    got = references.tf_pool_gradient(np.ones((1, 3, 3, 1), np.float32), up, (2, 2), (1, 1), "VALID", "max")
    assert got[0, :, :, 0].tolist() == [[1, 2, 0], [3, 4, 0], [0, 0, 0]]


def test_same_padding_never_receives_and_all_negative_maps_still_route():
    x = -np.arange(1, 26, dtype=np.float64).reshape(1, 5, 5, 1)
    up = np.random.default_rng(SEED).normal(size=(1, 3, 3, 1))
    got = references.tf_pool_gradient(x, up, (2, 2), (2, 2), "SAME", "max")
    np.testing.assert_allclose(got.sum(), up.sum())  # nothing lost to the padding


def test_avg_pool_gradient_divides_by_the_real_cells():
    for x, up, k, s, padding in _configs(60, SEED + 1):
        if padding == "SAME" and any(references.avg_pool_grad_unreliable(n, kk, ss)
                                     for n, kk, ss in zip(x.shape[1:3], k, s)):
            continue
        got = references.tf_pool_gradient(x, up, k, s, padding, "avg")
        np.testing.assert_allclose(got, _model(x, up, k, s, padding, "avg"), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nchw_is_the_nhwc_gradient_transposed(mode, dtype):
    for x, up, k, s, padding in _configs(15, SEED + 2):
        if mode == "avg" and padding == "SAME" and any(references.avg_pool_grad_unreliable(n, kk, ss)
                                                       for n, kk, ss in zip(x.shape[1:3], k, s)):
            continue
        x, up = x.astype(dtype), up.astype(dtype)
        nhwc = references.tf_pool_gradient(x, up, k, s, padding, mode)
        nchw = references.tf_pool_gradient(np.moveaxis(x, 3, 1), np.moveaxis(up, 3, 1), k, s, padding, mode,
                                           "NCHW")
        assert compare.compare(nchw, np.moveaxis(nhwc, 3, 1)) is None


def test_tensorflow_has_no_nchw_max_pool_gradient_on_the_cpu():
    """Why the reference transposes NCHW to NHWC (TF 2.21): the CPU MaxPoolGrad is NHWC only."""
    tf = tfops.tensorflow()
    x = tfops.constant(np.ones((1, 1, 2, 2), np.float32))

    def grad():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.nn.max_pool2d(x, 2, 2, "VALID", data_format="NCHW")
        return tape.gradient(y, x)

    with pytest.raises(tf.errors.InvalidArgumentError, match="only supports NHWC"):
        tfops.run(grad, device_name="/CPU:0")


def test_avg_pool_nchw_float32_direct_agrees_with_the_transposed_path():
    tf = tfops.tensorflow()
    g = np.random.default_rng(SEED)
    x = g.normal(size=(2, 3, 5, 6)).astype(np.float32)
    up = g.normal(size=(2, 3, 3, 3)).astype(np.float32)

    def direct():
        xt = tfops.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = tf.nn.avg_pool2d(xt, 3, 2, "SAME", data_format="NCHW")
        return tape.gradient(y, xt, output_gradients=tfops.constant(up)).numpy()

    try:
        got = tfops.run(direct, device_name="/CPU:0")
    except tf.errors.InvalidArgumentError:
        pytest.skip("CPU NCHW average pooling needs oneDNN (TF_ENABLE_ONEDNN_OPTS is off)")
    assert compare.compare(got, references.tf_pool_gradient(x, up, (3, 3), (2, 2), "SAME", "avg", "NCHW")) is None


# ----------------------------------------------------------------------------- centred differences
def _rel_error(a, b):
    """cs231n's relative error: max |a - b| / max(1e-8, |a| + |b|)."""
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def _numeric_gradient(f, x, h=1e-5):
    """Centred differences of the scalar ``f`` at ``x`` (cs231n eval_numerical_gradient)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        plus = f(x)
        x[index] = old - h
        minus = f(x)
        x[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad


def _loss(mode, up, k, s, padding, data_format="NHWC"):
    """L(x) = sum(upstream * pool(x)) in float64, with TensorFlow's forward pooling."""
    def f(x):
        y = references.tf_pool(x, k, s, padding, mode, data_format)
        return float(np.sum(up * y))
    return f


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_avg_pool_reference_passes_a_centred_difference_gradient_check(data_format):
    for x, up, k, s, padding in itertools.islice(_configs(40, SEED + 3, ties=False), 12):
        if padding == "SAME" and any(references.avg_pool_grad_unreliable(n, kk, ss)
                                     for n, kk, ss in zip(x.shape[1:3], k, s)):
            continue
        if data_format == "NCHW":
            x, up = np.moveaxis(x, 3, 1).copy(), np.moveaxis(up, 3, 1).copy()
        analytic = references.tf_pool_gradient(x, up, k, s, padding, "avg", data_format)
        numeric = _numeric_gradient(_loss("avg", up, k, s, padding, data_format), x.copy())
        assert _rel_error(analytic, numeric) < 1e-7, (x.shape, k, s, padding)


def test_max_pool_reference_passes_a_centred_difference_gradient_check_without_ties():
    for x, up, k, s, padding in itertools.islice(_configs(40, SEED + 4, ties=False), 12):
        analytic = references.tf_pool_gradient(x, up, k, s, padding, "max")
        numeric = _numeric_gradient(_loss("max", up, k, s, padding), x.copy(), h=1e-6)
        assert _rel_error(analytic, numeric) < 1e-7, (x.shape, k, s, padding)


# ----------------------------------------------------------------------------- TF 2.21's AvgPoolGrad
def _eigen_avg_gradient(x, up, k, s):
    """TensorFlow's float64 SAME AvgPoolGrad straight from the tape (no guard): the Eigen kernel."""
    tf = tfops.tensorflow()

    def grad():
        xt = tfops.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = tf.nn.avg_pool2d(xt, list(k), list(s), "SAME")
        return tape.gradient(y, xt, output_gradients=tfops.constant(up)).numpy()

    return tfops.run(grad, device_name="/CPU:0")


def test_the_avg_guard_marks_exactly_where_tensorflow_disagrees_with_its_forward():
    """Unguarded float64 SAME gradients vs centred differences of TF's own forward, one axis at a time.

    Where ``avg_pool_grad_unreliable`` is False TensorFlow must be right (the references rely on it);
    where it is True TF 2.21 is wrong (if a TensorFlow upgrade fixes its kernel, this test says the
    guard can go).
    """
    g = np.random.default_rng(SEED)
    flagged = 0
    for n, k, s in itertools.product(range(1, 7), range(1, 10), range(1, 4)):
        x = g.normal(size=(1, 1, n, 1))
        up = g.normal(size=(1, 1, -(-n // s), 1))
        got = _eigen_avg_gradient(x, up, (1, k), (1, s))
        model = _model(x, up, (1, k), (1, s), "SAME", "avg")
        wrong = not np.allclose(got, model, rtol=1e-10, atol=1e-12)
        assert wrong == references.avg_pool_grad_unreliable(n, k, s), (n, k, s)
        flagged += wrong
    assert flagged > 0
    with pytest.raises(ValueError, match="AvgPoolGrad"):
        references.tf_pool_gradient(np.zeros((1, 1, 4, 1)), np.zeros((1, 1, 4, 1)), (1, 5), (1, 1), "SAME", "avg")


def test_the_smallest_disagreement_against_centred_differences():
    x = np.arange(1.0, 5.0).reshape(1, 1, 4, 1)  # 4 cells, a SAME window of 5, stride 1
    up = np.ones((1, 1, 4, 1))
    numeric = _numeric_gradient(_loss("avg", up, (1, 5), (1, 1), "SAME"), x.copy())
    np.testing.assert_allclose(numeric[0, 0, :, 0], [5 / 6, 7 / 6, 7 / 6, 5 / 6], rtol=1e-8)
    assert _rel_error(_eigen_avg_gradient(x, up, (1, 5), (1, 1)), numeric) > 1e-2  # TF 2.21: 0.75, 1.083, ...


# ----------------------------------------------------------------------------- the cases
EXERCISES = ["max_pool_backward", "avg_pool_backward"]


def _all_cases(name):
    exercise = autograder.get(name)
    return exercise, [(w, i, c) for w in ("visible", "hidden") for i, c in enumerate(exercise.cases(w))]


def _tf_forward_shape(case):
    kw = case.kwargs
    fmt = kw.get("data_format", "NHWC")
    shape = kw["value"].shape if "value" in kw else kw["value_shape"]
    k, s = geometry.tf_window(kw["ksize"], fmt, "ksize"), geometry.tf_window(kw["strides"], fmt, "strides")
    return references.tf_pool(np.zeros(shape, np.float32), k, s, kw["padding"], "max", fmt).shape


@pytest.mark.parametrize("name", EXERCISES)
def test_cases_are_what_tensorflow_pools(name):
    exercise, cases = _all_cases(name)
    kinds = set()
    for which, index, case in cases:
        kw = case.kwargs
        fmt = kw.get("data_format", "NHWC")
        if case.raises is not None:
            valid = kw["padding"] in ("VALID", "SAME")
            if valid:
                try:
                    valid = _tf_forward_shape(case) == kw["upstream"].shape
                except ValueError:  # a VALID window larger than the input
                    valid = False
            assert not valid, f"{case.label}: TensorFlow could take this; it must not be an error case"
            continue
        assert _tf_forward_shape(case) == kw["upstream"].shape, case.label
        assert kw["upstream"].dtype in (np.float32, np.float64)
        assert not np.all(kw["upstream"] == 1), f"{case.label}: upstream must be random, never only ones"
        if "value" in kw:
            assert kw["value"].dtype == kw["upstream"].dtype
        kinds |= {fmt, kw["padding"], kw["upstream"].dtype.name}
        expected = exercise.reference(**kw)
        assert expected.shape == (kw["value"].shape if "value" in kw else kw["value_shape"])
        assert expected.dtype == kw["upstream"].dtype
    assert kinds >= {"NHWC", "NCHW", "VALID", "SAME", "float32", "float64"}


@pytest.mark.parametrize("name", EXERCISES)
def test_visible_cases_cover_overlap_where_overwriting_fails(name):
    """At least one visible case has a cell in several windows with different upstream values."""
    exercise, _ = _all_cases(name)
    for case in exercise.cases("visible"):
        kw = case.kwargs
        if case.raises is None and kw.get("data_format", "NHWC") == "NHWC":
            k, s = geometry.tf_window(kw["ksize"], name="ksize"), geometry.tf_window(kw["strides"], name="strides")
            if k[0] > s[0] or k[1] > s[1]:
                return
    pytest.fail("no overlapping windows among the visible cases")


def test_max_cases_hold_ties_that_tell_the_rules_apart():
    exercise, cases = _all_cases("max_pool_backward")
    for which in ("visible", "hidden"):
        telling = 0
        for w, i, case in cases:
            kw = case.kwargs
            if w != which or case.raises is not None:
                continue
            fmt = kw.get("data_format", "NHWC")
            x, up = kw["value"], kw["upstream"]
            if fmt == "NCHW":
                x, up = np.moveaxis(x, 1, 3), np.moveaxis(up, 1, 3)
            k, s = geometry.tf_window(kw["ksize"], fmt, "ksize"), geometry.tf_window(kw["strides"], fmt, "strides")
            first = _model(x, up, k, s, kw["padding"], "max", "first")
            telling += not np.allclose(first, _model(x, up, k, s, kw["padding"], "max", "last"))
        assert telling >= 1, which


@pytest.mark.parametrize("name", EXERCISES)
def test_float32_tolerance_absorbs_a_learners_summation_order(name):
    """A learner who accumulates in float32, in either order of the windows, still passes.

    TensorFlow sums overlapping windows in its own order; compare's float32 tolerance (rtol 1e-5,
    atol 1e-6) must absorb the difference. With upstream of magnitude about 1 (the cases') it does,
    with room to spare.
    """
    exercise, cases = _all_cases(name)
    mode = "max" if name == "max_pool_backward" else "avg"
    checked = 0
    for which, index, case in cases:
        kw = case.kwargs
        if case.raises is not None or kw["upstream"].dtype != np.float32:
            continue
        fmt = kw.get("data_format", "NHWC")
        up = kw["upstream"]
        x = kw["value"] if "value" in kw else np.zeros(kw["value_shape"], np.float32)
        if fmt == "NCHW":
            x, up = np.moveaxis(x, 1, 3), np.moveaxis(up, 1, 3)
        k, s = geometry.tf_window(kw["ksize"], fmt, "ksize"), geometry.tf_window(kw["strides"], fmt, "strides")
        expected = ReferenceCache("/CPU:0").expected(exercise, which, index)
        for reverse in (False, True):
            mine = _model(x, up, k, s, kw["padding"], mode, accumulate=np.float32, reverse=reverse)
            mine = np.moveaxis(mine, 3, 1) if fmt == "NCHW" else mine
            assert compare.compare(mine, expected) is None, case.label
        checked += 1
    assert checked >= 10


def test_a_wrong_solution_gets_a_message_naming_the_overlapping_case():
    from tests.catalogue.pooling_gradients import MISTAKES

    variant = next(v for v in MISTAKES if v.exercise == "max_pool_backward" and v.name.startswith("= instead"))
    namespace = {"np": np}
    exec(variant.source, namespace)  # noqa: S102 - our own catalogue
    verdict = autograder.verify("max_pool_backward", namespace["max_pool_backward"])
    assert not verdict.passed
    assert "overlapping 3x3 windows that share their maximum 9" in verdict.message
    assert "lies in the windows of 4 output cell(s)" in verdict.message
    assert "max_pool_backward(upstream=np.array(" in verdict.message


def test_gradient_routes_draws_one_arrow_per_route():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from autograder.figures import gradient_routes

    x = np.array([[1, 2, 0, 1], [3, 9, 2, 0], [1, 4, 2, 2], [0, 1, 3, 1]])
    fig = gradient_routes(x, np.array([[0.5, -1.0], [2.0, 1.5]]), 3, 1)
    assert len(fig.axes[0].texts) >= 4 + 16 + 16 + 4  # one arrow per output cell (max), plus the labels
    plt.close(fig)
    fig = gradient_routes(x, np.array([[1.0, 2.0], [3.0, 4.0]]), 2, 2, "VALID", mode="avg")
    arrows = [t for t in fig.axes[0].texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == 16  # four windows of four cells
    plt.close(fig)


# ----------------------------------------------------------------------------- the helpers cell
def test_the_helpers_cell_is_shared_and_a_broken_one_names_itself():
    """The model answer's exercises call the helpers cell: the trusted grader runs the cells top to bottom in
    one namespace (full marks), and a helpers cell that stops with an error fails both exercises, its error
    reported under the cell's id."""
    from autograder.trusted import Grader
    from tests.helpers import learner_submission, read

    helpers = next(c for c in read(pg.NOTEBOOK).cells if c.id == "helpers")
    assert helpers.metadata["autograder"] == {"optional": True}
    grader = Grader(device="cpu")
    solution = grader.grade_notebook(learner_submission(pg.NOTEBOOK), pg.NOTEBOOK, "solution")
    assert solution.score == solution.max_score == 10, [c["message"] for c in solution.cells if not c["passed"]]
    broken = helpers.source.replace("def backward_windows(", "raise RuntimeError('half-written')\n\n\ndef backward_windows(")
    assert broken != helpers.source
    result = grader.grade_notebook(learner_submission(pg.NOTEBOOK, {"helpers": broken}), pg.NOTEBOOK, "broken")
    assert result.score == 0
    assert any(note.startswith("cell helpers:") and "half-written" in note for note in result.notes), result.notes
    for cell in result.cells:
        assert "backward_windows" in cell["message"], cell["message"]
