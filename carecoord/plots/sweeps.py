"""Figures of a parameter sweep: each metric against each swept parameter, and a tornado chart.

Both take a tidy sweep table: one column per swept parameter, plus ``point, replication, arm,
locality, metric, value`` (one row per design point x replication x arm x locality x metric).
A one-at-a-time sweep varies one parameter per point and leaves the others at their base value.

Example:
    >>> fig = one_at_a_time(sweep, metric="admissions_avoided", arm="integrated")
    >>> fig = tornado(sweep, metric="admissions_avoided", arm="integrated")
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from carecoord.display import LABELS
from carecoord.plots.style import BLACK, BLUE, VERMILLION, band, count_axis, legend_below, new_figure, title

SWEEP_COLUMNS = ("point", "replication", "arm", "locality", "metric", "value")


def swept_parameters(sweep: pd.DataFrame) -> list[str]:
    """The parameter columns (everything that is not a standard column) that take more than one value."""
    columns = [c for c in sweep.columns if c not in SWEEP_COLUMNS]
    return [c for c in columns if sweep[c].nunique(dropna=True) > 1]


def base_values(sweep: pd.DataFrame, parameters: list[str]) -> dict[str, object]:
    """Each parameter's base value: the one shared by most design points (one-at-a-time designs)."""
    points = sweep.drop_duplicates("point")
    return {p: points[p].mode().iloc[0] for p in parameters}


def _select(sweep: pd.DataFrame, metric: str, arm: str, locality: str) -> pd.DataFrame:
    rows = sweep[(sweep["metric"] == metric) & (sweep["arm"] == arm) & (sweep["locality"] == locality)]
    if rows.empty:
        raise ValueError(f"sweep has no rows for metric={metric!r}, arm={arm!r}, locality={locality!r}")
    return rows


def _varied_alone(rows: pd.DataFrame, parameter: str, base: dict[str, object]) -> pd.DataFrame:
    """Rows where only ``parameter`` (if anything) differs from its base value."""
    keep = np.ones(len(rows), dtype=bool)
    for other, value in base.items():
        if other != parameter:
            keep &= (rows[other] == value).to_numpy()
    return rows[keep]


def point_band(rows: pd.DataFrame, parameter: str) -> pd.DataFrame:
    """Mean and 95% CI across replications at each value of a parameter."""
    wide = rows.pivot_table(index="replication", columns=parameter, values="value")
    return band(wide).reset_index(names=parameter)


def one_at_a_time(
    sweep: pd.DataFrame, metric: str = "admissions_avoided", arm: str = "integrated", locality: str = "all"
) -> Figure:
    """The metric against each swept parameter (others at their base value), mean and 95% band."""
    rows = _select(sweep, metric, arm, locality)
    parameters = swept_parameters(rows)
    base = base_values(rows, parameters)
    cols = min(3, max(1, len(parameters)))
    n_rows = int(np.ceil(len(parameters) / cols)) or 1
    fig, axes = new_figure(n_rows, cols, width=3.6 * cols + 0.6, height=3.0 * n_rows + 0.8, sharey=True)
    axes = np.atleast_1d(axes).ravel()
    label = LABELS.get(metric, metric.replace("_", " "))
    for ax, parameter in zip(axes, parameters, strict=False):
        table = point_band(_varied_alone(rows, parameter, base), parameter)
        ax.plot(table[parameter], table["mean"], color=BLUE, marker="o", linewidth=1.8)
        ax.fill_between(table[parameter], table["low"], table["high"], color=BLUE, alpha=0.2, linewidth=0)
        ax.axvline(base[parameter], color=BLACK, linestyle=":", linewidth=1)
        ax.set_title(parameter.split(".")[-1].replace("_", " "), loc="left")
        ax.set_xlabel(parameter, fontsize=7)
        count_axis(ax.yaxis)
    for ax in axes[len(parameters) :]:
        ax.set_axis_off()
    axes[0].set_ylabel(label.lower())
    title(fig, f"{label} ({arm}) against each swept parameter — dotted: base value; bands: 95% CI")
    return fig


def tornado_table(
    sweep: pd.DataFrame, metric: str = "admissions_avoided", arm: str = "integrated", locality: str = "all"
) -> pd.DataFrame:
    """Per parameter: the mean metric at its lowest and highest value (others at base), widest swing first."""
    rows = _select(sweep, metric, arm, locality)
    parameters = swept_parameters(rows)
    base = base_values(rows, parameters)
    out = []
    for parameter in parameters:
        means = _varied_alone(rows, parameter, base).groupby(parameter)["value"].mean().sort_index()
        out.append(
            {
                "parameter": parameter,
                "low_value": means.index[0],
                "high_value": means.index[-1],
                "at_low": means.iloc[0],
                "at_high": means.iloc[-1],
            }
        )
    table = pd.DataFrame(out)
    base_mean = _varied_alone(rows, "", base)["value"].mean()
    table["base"] = base_mean
    table["swing"] = (table["at_high"] - table["at_low"]).abs()
    return table.sort_values("swing", ascending=False, ignore_index=True)


def tornado(
    sweep: pd.DataFrame, metric: str = "admissions_avoided", arm: str = "integrated", locality: str = "all"
) -> Figure:
    """Tornado chart: how far the metric moves across each parameter's range, widest at the top."""
    table = tornado_table(sweep, metric, arm, locality)
    fig, ax = new_figure(width=8, height=1.4 + 0.5 * len(table))
    base = float(table["base"].iloc[0]) if len(table) else 0.0
    y = np.arange(len(table))
    ax.barh(y, table["at_low"] - base, left=base, color=BLUE, height=0.6, label="parameter at its lowest value")
    ax.barh(y, table["at_high"] - base, left=base, color=VERMILLION, height=0.6, label="parameter at its highest value")
    ax.axvline(base, color=BLACK, linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{p}\n({lo:g} to {hi:g})"
            for p, lo, hi in table[["parameter", "low_value", "high_value"]].itertuples(index=False)
        ],
        fontsize=8,
    )
    ax.invert_yaxis()
    count_axis(ax.xaxis)
    label = LABELS.get(metric, metric.replace("_", " "))
    ax.set_xlabel(f"{label.lower()} ({arm}), mean across replications; line: all parameters at base")
    legend_below(ax, ncol=2)
    lead = table.iloc[0]["parameter"] if len(table) else "none"
    title(fig, f"Tornado — {label.lower()} is most sensitive to {lead}")
    return fig
