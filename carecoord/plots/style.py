"""One readable style for every figure: colour-blind-safe colours, £ and thousands on axes, real dates.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot state), so they can be
made in a worker, a test or a notebook alike, and are drawn with the Agg canvas when saved.

Example:
    >>> fig, ax = new_figure()
    >>> pounds_axis(ax.yaxis)
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from scipy import stats

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
    if arm == "baseline":
        return BLACK
    others = [a for a in arms if a != "baseline"]
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
    """Month ticks with real dates, sparser on long runs."""
    locator = AutoDateLocator(minticks=3, maxticks=max(4, min(8, months)))
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=False))


def mark_dates(ax: Axes, dates: dict[str, object], label: str = "go-live") -> None:
    """Dashed vertical lines at go-live dates (one label per distinct date)."""
    by_date: dict[object, list[str]] = {}
    for name, date in dates.items():
        by_date.setdefault(date, []).append(name)
    lo, hi = ax.get_xlim()
    for date, names in sorted(by_date.items()):
        x = matplotlib.dates.date2num(pd.Timestamp(date))
        if not lo <= x <= hi:
            continue
        ax.axvline(x, color=GO_LIVE_COLOUR, linestyle="--", linewidth=1)
        text = f"{label}: {', '.join(names)}" if len(dates) > 1 else label
        ax.annotate(
            text,
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3),
            textcoords="offset points",
            fontsize=8,
            color=GO_LIVE_COLOUR,
            va="top",
        )


def band(values: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean and t-based CI of each column's values across rows (rows = replications)."""
    n = values.notna().sum()
    mean = values.mean()
    sem = values.std(ddof=1) / np.sqrt(n)
    t = pd.Series(
        [stats.t.ppf(0.5 + level / 2, k - 1) if k > 1 else math.nan for k in n], index=values.columns, dtype=float
    )
    return pd.DataFrame({"mean": mean, "low": mean - t * sem, "high": mean + t * sem})


def legend_below(ax: Axes, handles: Iterable | None = None, ncol: int = 4) -> None:
    kwargs = {"handles": list(handles)} if handles is not None else {}
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=ncol, fontsize=9, **kwargs)
