"""autograder.figures: its public names, its imports, every notebook's calls, and SAME geometry as TensorFlow's.

Figures draw under matplotlib's Agg backend and are closed after each test. Geometry is checked
by reading back what a figure drew (its rectangles), never by asking the function that drew it.
"""
import ast
import importlib
import importlib.util
import inspect
import math
import pkgutil
import re
import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import autograder.figures as figures  # noqa: E402
from autograder import tfops  # noqa: E402
from tests.helpers import ROOT, read, solution_assignments  # noqa: E402

# Notebook -> the module that draws its figures (named like its autograder/chapter/ module).
MODULES = {
    "01-convolution-output-sizes": "conv_sizes",
    "02-pooling-math": "pooling_math",
    "03-tensorflow-max-pool": "tf_max_pool",
    "04-keras-pooling-layers": "keras_pooling",
    "05-pooling-gradients": "pooling_gradients",
    "06-fast-pooling": "fast_pooling",
}
CONSTANTS = {"EDGE_KERNELS"}  # public data, not functions


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _module(name):
    return importlib.import_module(f"autograder.figures.{name}")


# ----------------------------------------------------------------------------- (a) the public names
def test_all_names_every_public_function_of_the_package_and_nothing_else():
    names = figures.__all__
    assert len(names) == len(set(names)), "a name appears twice in __all__"
    for name in names:
        value = getattr(figures, name)
        if name in CONSTANTS:
            assert isinstance(value, dict), name
        else:
            assert inspect.isfunction(value), f"{name} is not a function"
            assert value.__module__.startswith("autograder.figures."), f"{name} comes from {value.__module__}"
    modules = [info.name for info in pkgutil.iter_modules(figures.__path__)]
    assert sorted(m for m in modules if not m.startswith("_")) == sorted(MODULES.values())
    public = set()
    for module_name in MODULES.values():  # _draw is private: its helpers are not figures
        module = _module(module_name)
        defined = {name for name, value in vars(module).items()
                   if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")}
        assert defined <= set(getattr(module, "__all__", [])), f"{module_name}: public but not in its __all__"
        public |= defined | (set(getattr(module, "__all__", [])) & CONSTANTS)
    assert public == set(names), f"missing from __all__: {public - set(names)}; not defined: {set(names) - public}"


def test_each_module_says_which_notebook_it_serves():
    for notebook, module_name in MODULES.items():
        assert (ROOT / "solutions" / notebook).is_dir()
        assert _module(module_name).__doc__.startswith(f"Figures of {notebook}:"), module_name
        assert importlib.util.find_spec(f"autograder.chapter.{module_name}") is not None, module_name


# ----------------------------------------------------------------------------- (b) no autograder.chapter
def test_no_module_of_the_package_imports_autograder_chapter():
    for path in (ROOT / "autograder" / "figures").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported = [node.module or ""] + [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            else:
                continue
            assert not any("chapter" in name for name in imported), f"{path.name}:{node.lineno} imports {imported}"


def test_importing_and_drawing_leave_autograder_chapter_unimported():
    """Importing a chapter module registers its exercises: the figures must not do it, not even
    lazily (the figures that once did are drawn here)."""
    script = textwrap.dedent("""
        import sys
        import matplotlib
        matplotlib.use("Agg")
        import numpy as np
        import autograder.figures as f
        print("after import:", sorted(m for m in sys.modules if m.startswith("autograder.chapter")))
        f.pooling_steps(np.arange(1, 10).reshape(3, 3), pool_size=2, stride=1)
        f.same_padding_grid(5, 5, ksize=2, strides=2)
        f.windows_on_image(np.zeros((10, 9)), ksize=4, strides=3, padding="SAME")
        f.padding_diagram(5, 4)
        print("after drawing:", sorted(m for m in sys.modules if m.startswith("autograder.chapter")))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "after import: []" in proc.stdout and "after drawing: []" in proc.stdout, proc.stdout


# ----------------------------------------------------------------------------- (c) the notebooks' calls
def _notebook_imports(assignment):
    """Names a solution notebook imports from autograder.figures."""
    names = set()
    for cell in read(assignment).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and node.module == "autograder.figures":
                names |= {alias.name for alias in node.names}
    return names


def _calls_01():
    from autograder.data import load_mnist_sample

    images, labels, _ = load_mnist_sample(n=10, download=False)
    digit = images[0]
    out = {"kernel_positions": [figures.kernel_positions(digit, kernel_size=3, positions=[(0, 0), (9, 12), (25, 25)],
                                                        title=f"digit {labels[0]}")]}
    feature_map = np.random.default_rng(0).normal(size=(26, 26)).astype(np.float32)
    out["side_by_side"] = [figures.side_by_side([digit, feature_map],
                                                ["input image", "feature map (3x3 edge kernel, VALID)"])]
    maps = np.random.default_rng(1).normal(size=(26, 26, 32)).astype(np.float32)
    out["feature_map_grid"] = [figures.feature_map_grid(maps, columns=8, title="32 feature maps of one digit")]
    out["padding_diagram"] = [figures.padding_diagram(L, k, stride=s, dilation=d)
                              for L, k, s, d in [(5, 4, 1, 1), (6, 3, 2, 1), (7, 3, 1, 2)]]
    return out


def _calls_02():
    grid = np.array([[1, 3, 2, 0], [4, 6, 1, 1], [0, 2, 9, 5], [1, 1, 3, 4]])
    return {"pooling_steps": [figures.pooling_steps(np.arange(1, 10).reshape(3, 3), pool_size=2, stride=1, mode="max"),
                              figures.pooling_steps(grid, pool_size=2, stride=2, mode="max")]}


def _calls_03():
    out = {}
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6))
    out["same_padding_grid"] = [figures.same_padding_grid(5, 5, ksize=2, strides=2, ax=axes[0]),
                                figures.same_padding_grid(4, 6, ksize=3, strides=2, ax=axes[1])]
    photo = figures.grace_hopper()
    assert photo.shape == (600, 512) and photo.dtype == np.float32
    out["grace_hopper"] = []
    fig, axes = plt.subplots(1, 2, figsize=(10, 5.6))
    out["windows_on_image"] = [
        figures.windows_on_image(photo, ksize=64, strides=64, padding="VALID", highlight=[(0, 0), (2, 4)], ax=axes[0]),
        figures.windows_on_image(photo, ksize=96, strides=80, padding="SAME", highlight=[(0, 0), (7, 6)], ax=axes[1]),
    ]
    edges = np.maximum(np.diff(photo, axis=1, prepend=0), 0).astype(np.float32)  # a ReLU'd edge map, (600, 512)
    out["max_vs_average"] = [figures.max_vs_average(edges, pool_size=8, strides=8, padding="VALID",
                                                    title="vertical-edge feature map", cmap="magma", api="tf.nn")]
    return out


def _calls_04():
    picture = figures.sample_picture()
    assert picture.shape == (600, 512) and picture.dtype == np.float32
    out = {"sample_picture": [], "max_vs_average": [figures.max_vs_average(picture, pool_size=8)]}
    thumbnail = picture.reshape(150, 4, 128, 4).mean(axis=(1, 3))  # the notebook's AveragePooling2D(4)
    maps, names = figures.edge_feature_maps(thumbnail)
    assert maps.shape == (1, 148, 126, 4) and len(names) == 4
    out["edge_feature_maps"] = []
    out["feature_maps_before_after"] = [figures.feature_maps_before_after(maps, names, pool_size=2)]
    out["global_pool_per_channel"] = [figures.global_pool_per_channel(maps, names)]
    return out


def _calls_05():
    overlap_map = np.array([[1, 2, 0, 1], [3, 9, 2, 0], [1, 4, 2, 2], [0, 1, 3, 1]])
    return {"gradient_routes": [
        figures.gradient_routes(overlap_map, upstream=np.array([[0.5, -1.0], [2.0, 1.5]]), ksize=3, strides=1),
        figures.gradient_routes(np.arange(1, 10).reshape(3, 3), upstream=np.array([[1.0, 2.0], [3.0, 4.0]]),
                                ksize=2, strides=1, mode="avg"),
        figures.gradient_routes(np.arange(1, 17).reshape(4, 4), upstream=np.array([[1.0, 2.0], [3.0, 4.0]]),
                                ksize=3, strides=2, padding="SAME", mode="avg"),
    ]}


def _calls_06():
    batch = 8 * 64 * 64 * 16 * 4
    sizes = {"the input, (8, 64, 64, 16) float32": batch, "sliding_window_view(batch, (3, 3))": 1_200,
             "view.max(axis=(-2, -1))": 1_970_000, "np.ascontiguousarray(view)": 17_700_000,
             "SAME: np.pad(batch, ..., -inf)": 2_230_000}
    return {"window_view": [figures.window_view(4, 5, ksize=2, strides=1), figures.window_view(5, 5, ksize=3, strides=2)],
            "memory_bars": [figures.memory_bars(sizes, reference=batch,
                                                title="3x3 windows, stride 1: memory allocated")]}


CALLS = dict(zip(MODULES, (_calls_01, _calls_02, _calls_03, _calls_04, _calls_05, _calls_06)))


def test_every_notebook_imports_only_public_figures_and_every_figure_is_called():
    assert sorted(CALLS) == solution_assignments()
    imported = set()
    for assignment in CALLS:
        names = _notebook_imports(assignment)
        assert names <= set(figures.__all__), f"{assignment} imports {names - set(figures.__all__)}"
        imported |= names
    assert imported == set(figures.__all__) - CONSTANTS, "a public figure no notebook uses"


@pytest.mark.parametrize("assignment", list(CALLS))
def test_each_figure_draws_as_its_notebook_calls_it(assignment):
    """The calls above are the notebook's (same arguments; stand-in data where the notebook
    computes it with TensorFlow first), one entry per name the notebook imports."""
    drawn = CALLS[assignment]()
    assert set(drawn) == _notebook_imports(assignment)
    for name, results in drawn.items():
        for fig in results:
            assert isinstance(fig, Figure), f"{name} returned {type(fig).__name__}"
            fig.canvas.draw()  # lays out every artist, as showing it in the notebook would


def test_max_vs_average_titles_say_which_api_pooled():
    image = np.arange(64, dtype=np.float32).reshape(8, 8)
    keras_titles = [ax.get_title() for ax in figures.max_vs_average(image, pool_size=2).axes]
    assert keras_titles == ["original\n8x8", "MaxPooling2D(2)\n4x4", "AveragePooling2D(2)\n4x4"]
    tf_titles = [ax.get_title() for ax in figures.max_vs_average(image, 3, strides=2, padding="same", api="tf.nn").axes]
    assert tf_titles == ["original\n8x8", "max pool 3x3, strides 2x2, SAME\n4x4", "average pool 3x3, strides 2x2, SAME\n4x4"]
    with pytest.raises(ValueError, match="api must be 'keras' or 'tf.nn'; received 'torch'"):
        figures.max_vs_average(image, 2, api="torch")


# ----------------------------------------------------------------------------- (d) SAME geometry is TensorFlow's
def _tf_real_spans(height, width, k, s):
    """For each output cell of ``tf.nn.max_pool2d(..., "SAME")``: the first and last real row and
    column of its window, read off max pools of the row index, minus the row index, and so on."""
    tf = tfops.tensorflow()
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    x = np.stack([rows, -rows, cols, -cols], axis=-1)[None].astype(np.float32)
    y = tfops.run(lambda: tf.nn.max_pool2d(tfops.constant(x), list(k), list(s), "SAME").numpy()[0],
                  device_name="/CPU:0")
    return -y[..., 1], y[..., 0], -y[..., 3], y[..., 2]  # first row, last row, first column, last column


def _bounds(patch):
    """``(row start, row stop, column start, column stop)`` of the cells a (possibly inset) rectangle outlines."""
    x, y, w, h = patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height()
    return math.floor(y + 1e-9), math.ceil(y + h - 1e-9), math.floor(x + 1e-9), math.ceil(x + w - 1e-9)


def _assert_windows_are_tensorflows(windows, height, width, k, s):
    first_r, last_r, first_c, last_c = _tf_real_spans(height, width, k, s)
    assert len(windows) == first_r.size, f"{len(windows)} windows drawn; TensorFlow's output has {first_r.shape}"
    for (i, j), (r0, r1, c0, c1) in zip(np.ndindex(first_r.shape), windows):
        assert (r1 - r0, c1 - c0) == tuple(k), f"window {(i, j)} drawn {r1 - r0}x{c1 - c0}"
        real = (max(r0, 0), min(r1, height) - 1, max(c0, 0), min(c1, width) - 1)
        assert real == (first_r[i, j], last_r[i, j], first_c[i, j], last_c[i, j]), f"window {(i, j)}"


@pytest.mark.parametrize("height,width,k,s", [(5, 5, (2, 2), (2, 2)), (4, 6, (3, 3), (2, 2)),
                                              (5, 7, (4, 3), (1, 2)), (3, 2, (5, 4), (1, 3))])
def test_same_padding_grid_draws_tensorflows_windows_and_padding(height, width, k, s):
    ax = figures.same_padding_grid(height, width, ksize=k, strides=s).axes[0]
    windows = [_bounds(p) for p in ax.patches if not p.get_fill()]
    _assert_windows_are_tensorflows(windows, height, width, k, s)
    # The padded cells drawn are exactly the cells the windows cover outside the input.
    cells = {(round(p.get_y()), round(p.get_x())) for p in ax.patches if p.get_fill()}
    padded = {(round(p.get_y()), round(p.get_x())) for p in ax.patches if p.get_fill() and p.get_hatch() == "//"}
    covered = {(r, c) for r0, r1, c0, c1 in windows for r in range(r0, r1) for c in range(c0, c1)}
    assert cells == covered
    assert padded == {(r, c) for r, c in covered if not (0 <= r < height and 0 <= c < width)}


def test_windows_on_image_draws_tensorflows_same_windows_and_padded_border():
    height, width, k, s = 10, 9, (4, 4), (3, 3)
    ax = figures.windows_on_image(np.zeros((height, width)), ksize=k, strides=s, padding="SAME").axes[0]
    grey = to_rgba("#dddddd")
    windows = [_bounds(p) for p in ax.patches if p.get_edgecolor() == grey]
    _assert_windows_are_tensorflows(windows, height, width, k, s)
    (border,) = [p for p in ax.patches if p.get_linestyle() == "--"]
    r0, r1, c0, c1 = _bounds(border)
    assert (r0, r1, c0, c1) == (min(w[0] for w in windows), max(w[1] for w in windows),
                                min(w[2] for w in windows), max(w[3] for w in windows))


@pytest.mark.parametrize("L,k,s,d", [(5, 4, 1, 1), (6, 3, 2, 1), (7, 3, 1, 2)])
def test_padding_diagram_pads_what_the_conv2d_probe_reads(L, k, s, d):
    """Notebook 01 says its diagrams draw what the probe (tf.nn.conv2d) finds."""
    from autograder.chapter.conv_sizes import same_padding_reference

    ax = figures.padding_diagram(L, k, stride=s, dilation=d).axes[0]
    grey = [to_rgba("#dddddd") == p.get_facecolor() for p in sorted(ax.patches, key=lambda p: p.get_x())]
    before = grey.index(False)
    after = len(grey) - before - L
    assert grey[before:before + L] == [False] * L
    assert (before, after) == same_padding_reference(L, k, s, d)


# ----------------------------------------------------------------------------- (e) in Chinese
CALLER_TEXT_ONLY = {"side_by_side"}  # its titles are the caller's own (the Chinese notebook passes Chinese ones)


@pytest.mark.parametrize("assignment", list(CALLS))
def test_each_figure_speaks_chinese_with_a_font_that_draws_it(assignment):
    """In a Chinese notebook (``autograder.use_language("zh")``), every figure's own texts are
    Chinese and matplotlib draws them with a CJK font: no "Glyph ... missing" warning."""
    import warnings

    from autograder import i18n
    from autograder.fonts import use_cjk_fonts

    with matplotlib.rc_context(), i18n.speaking("zh"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert use_cjk_fonts(), "no font with Chinese glyphs (requirements.txt pins pylopdf-fonts-zh-cn)"
        drawn = CALLS[assignment]()
        for name, results in drawn.items():
            for fig in results:
                fig.canvas.draw()
                texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
                if name not in CALLER_TEXT_ONLY:
                    assert any(re.search(r"[\u4e00-\u9fff]", t) for t in texts), (name, texts)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not missing, missing[:3]
