"""The class report's charts: the histogram's legend never covers a bar, in English or in Chinese."""
from types import SimpleNamespace

import pytest

from autograder import i18n
from autograder.report_charts import histogram_figure, histograms


def _data(scores_by_assignment):
    tops = {name: 10.0 for name in scores_by_assignment}
    return SimpleNamespace(assignments=tops,
                           of=lambda name: [SimpleNamespace(score=s) for s in scores_by_assignment[name]])


# Every bar equally tall (nowhere free for "best" to put a legend), a tall bar at the far left
# (under where a legend goes first), a class that all got full marks.
CLASSES = {"flat": [s for s in range(11) for _ in range(3)], "left": [0] * 9 + [3, 7, 10], "full": [10] * 5}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_legend_covers_no_bar(lang):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from autograder.fonts import use_cjk_fonts

    with i18n.speaking(lang):
        if lang == "zh":
            assert use_cjk_fonts()
        fig = histogram_figure(_data(CLASSES))
        FigureCanvasAgg(fig).draw()
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            legend = ax.get_legend().get_window_extent(renderer)
            bars = [p.get_window_extent(renderer) for p in ax.patches if p.get_height() > 0]
            covered = [b for b in bars if legend.overlaps(b)]
            assert not covered, f"{ax.get_title()}: the legend {legend} covers {covered}"
        assert histograms(_data(CLASSES))  # the PNG the report embeds
