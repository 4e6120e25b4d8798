"""The class report's two charts (:mod:`autograder.report`), as base64 PNG for its self-contained
HTML: a score histogram per assignment, and each autograded grade cell's pass rate. Their words
are said through :func:`autograder.i18n.tr`, in the report's language."""
from __future__ import annotations

import base64
import io
import statistics

from .i18n import tr

__all__ = ["histograms", "histogram_figure", "pass_rate_figure"]


def _png(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def histograms(data) -> str:
    """One score histogram per assignment, as base64 PNG."""
    return _png(histogram_figure(data))


def histogram_figure(data):
    """The figure of :func:`histograms` (a matplotlib ``Figure``)."""
    from matplotlib.figure import Figure

    names = list(data.assignments)
    cols = max(1, min(3, len(names)))  # a class with no assignment yet: one empty panel
    rows = -(-len(names) // cols)
    fig = Figure(figsize=(4.2 * cols, 3.2 * rows))
    for i, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, i + 1)
        scores = [s.score for s in data.of(name)]
        top = data.assignments[name]
        bins = [b - 0.5 for b in range(int(top) + 2)] if top <= 40 else 20
        counts, _, _ = ax.hist(scores, bins=bins, range=None if top <= 40 else (0, top), color="#4c72b0",
                               edgecolor="white")
        if scores:
            ax.axvline(statistics.mean(scores), color="#c44e52", linestyle="--", label=tr("mean {mean:.1f}", mean=statistics.mean(scores)))
            # the legend sits in headroom above the tallest bar, never over one (in either language)
            ax.set_ylim(0, max(counts.max(), 1) * 1.5)
            ax.legend(loc="upper left", frameon=False, borderaxespad=0.2)
        ax.set_title(f"{name} (n={len(scores)})")
        ax.set_xlabel(tr("total score (of {top:g})", top=top))
        ax.set_ylabel(tr("submissions"))
        ax.set_xlim(-0.5, top + 0.5)
        ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig


def pass_rate_figure(rows) -> str | None:
    from matplotlib.figure import Figure

    rows = [r for r in rows if r[4]]
    if not rows:
        return None
    fig = Figure(figsize=(7.5, 0.45 * len(rows) + 1.2))
    ax = fig.add_subplot()
    labels = [f"{a}: {c}" for a, c, *_ in rows][::-1]
    rates = [100 * p / n for *_, p, n in rows][::-1]
    bars = ax.barh(labels, rates, color="#55a868")
    for bar, (*_, p, n) in zip(bars, rows[::-1]):
        ax.text(min(bar.get_width() + 1, 88), bar.get_y() + bar.get_height() / 2, f"{p}/{n}", va="center")
    ax.set_xlim(0, 100)
    ax.set_xlabel(tr("submissions passing (%)"))
    fig.tight_layout()
    return _png(fig)
