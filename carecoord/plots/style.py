"""One readable style for every figure: colour-blind-safe colours, £ and thousands on axes, real dates.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot state), so they can be
made in a worker, a test or a notebook alike, and are drawn with the Agg canvas when saved.

Example:
    >>> fig, ax = new_figure()
    >>> pounds_axis(ax.yaxis)
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.dates import AutoDateLocator
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from carecoord.results import BASELINE
from carecoord.stats import column_ci

matplotlib.use("Agg")  # files only; never a window

# Okabe & Ito (2008) colour-blind-safe palette; the baseline is black.
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = (
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
)
ARM_COLOURS = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY)
PAYER_COLOURS = {"NHS": BLUE, "council": GREEN, "programme": ORANGE, "all payers": BLACK}
GO_LIVE_COLOUR = "#777777"

RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
}


def arm_colour(arms: list[str], arm: str) -> str:
    """Black for the baseline, then the palette in the scenario's arm order."""
    if arm == BASELINE:
        return BLACK
    others = [a for a in arms if a != BASELINE]
    return ARM_COLOURS[others.index(arm) % len(ARM_COLOURS)] if arm in others else GO_LIVE_COLOUR


def new_figure(rows: int = 1, cols: int = 1, width: float = 8.0, height: float = 4.2, **kwargs) -> tuple[Figure, Axes]:
    """A figure in the house style; returns (figure, axes or array of axes)."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=True, **kwargs)
        for ax in np.atleast_1d(axes).ravel():
            _style(ax)
    return fig, axes


def _style(ax: Axes) -> None:
    for key, value in (("top", False), ("right", False)):
        ax.spines[key].set_visible(value)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.title.set_fontweight("normal")
    ax.title.set_fontsize(10)


def title(fig: Figure, headline: str) -> None:
    """The figure's title says what to see; each panel's own title says what is plotted."""
    width = int(fig.get_figwidth() * 10.5)  # characters that fit at 12 pt
    fig.suptitle(textwrap.fill(headline, width), x=0.01, ha="left", fontsize=12, fontweight="bold")


def pounds(value: float, _pos: object = None) -> str:
    """£ tick labels: £1.2m, £350k, −£40k."""
    sign = "−" if value < 0 else ""
    size = abs(value)
    if size >= 1e6:
        return f"{sign}£{size / 1e6:.2f}".rstrip("0").rstrip(".") + "m"
    if size >= 1e3:
        return f"{sign}£{size / 1e3:,.0f}k"
    return f"{sign}£{size:,.0f}"


def thousands(value: float, _pos: object = None) -> str:
    """Counts with a thousands separator and a real minus sign."""
    text = f"{abs(value):,.0f}" if abs(value) >= 1000 else f"{abs(value):g}"
    return ("−" if value < 0 and text.strip("0.,") else "") + text


def pounds_axis(axis: Axis) -> None:
    axis.set_major_formatter(FuncFormatter(pounds))


def count_axis(axis: Axis) -> None:
    axis.set_major_formatter(FuncFormatter(thousands))


def percent_axis(axis: Axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))


def date_axis(ax: Axes, months: int) -> None:
    """Month ticks with real dates, sparser on long runs; the first tick and every January carry the year."""
    locator = AutoDateLocator(minticks=3, maxticks=max(4, min(8, months)))
    ax.xaxis.set_major_locator(locator)

    def label(value: float, pos: int | None) -> str:
        day = matplotlib.dates.num2date(value)
        return f"{day:%b}\n{day:%Y}" if pos == 0 or day.month == 1 else f"{day:%b}"

    ax.xaxis.set_major_formatter(FuncFormatter(label))


def mark_dates(ax: Axes, dates: dict[str, object], label: str = "go-live") -> None:
    """Dashed vertical lines at go-live dates (one label per distinct date, staggered so none overlap)."""
    by_date: dict[object, list[str]] = {}
    for name, date in dates.items():
        by_date.setdefault(date, []).append(name)
    lo, hi = ax.get_xlim()
    shown = 0
    for date, names in sorted(by_date.items()):
        x = matplotlib.dates.date2num(pd.Timestamp(date))
        if not lo <= x <= hi:
            continue
        ax.axvline(x, color=GO_LIVE_COLOUR, linestyle="--", linewidth=1)
        text = _date_label(label, names, len(dates))
        note = ax.annotate(
            text,
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3 - 11 * shown),
            textcoords="offset points",
            fontsize=8,
            color=GO_LIVE_COLOUR,
            va="top",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85},  # readable over grid lines
            annotation_clip=False,
            clip_on=True,
        )
        # A label is a note on the axes, not part of the layout: left in, a long one squeezes every panel of a
        # constrained-layout figure to make room for it (a services figure of four places was a sliver wide).
        note.set_in_layout(False)
        shown += 1


MAX_NAMED = 2
"""Localities named in a date's label; more are counted ("north, south +3 more")."""


def _date_label(label: str, names: list[str], localities: int) -> str:
    """``go-live`` alone for one locality, ``go-live: all 4 localities`` when they share the date, else names."""
    if localities == 1:
        return label
    if len(names) == localities:
        return f"{label}: all {localities} localities"
    more = f" +{len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else ""
    return f"{label}: {', '.join(names[:MAX_NAMED])}{more}"


def band(values: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean and t-based CI of each column's values across rows (rows = replications): :func:`stats.column_ci`."""
    return column_ci(values, level)


def legend_below(ax: Axes, handles: Iterable | None = None, ncol: int = 4) -> None:
    """The legend under the whole figure, outside the axes, so it never covers an axis label."""
    handles, labels = (list(handles), None) if handles is not None else ax.get_legend_handles_labels()
    if labels is None:
        labels = [h.get_label() for h in handles]
    ax.figure.legend(handles, labels, loc="outside lower center", ncol=min(ncol, max(1, len(labels))), fontsize=9)


def error_bars(ax: Axes, x: object, rows: pd.DataFrame, low: str = "ci_low", high: str = "ci_high", **style) -> None:
    """95% CI whiskers around ``rows['mean']`` (bars and dots of the breakdown and value figures)."""
    yerr = [rows["mean"] - rows[low], rows[high] - rows["mean"]]
    ax.errorbar(x, rows["mean"], yerr=yerr, fmt="none", ecolor="#444444", capsize=style.pop("capsize", 3), **style)
