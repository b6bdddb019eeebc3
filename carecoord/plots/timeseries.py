"""Figures over time: monthly admissions by arm, admissions avoided (monthly and cumulative), hospital
use, and the Welch-style warm-up check.

Each function takes a :class:`~carecoord.results.Results` and returns a matplotlib Figure.

Example:
    >>> fig = monthly_admissions(load("results/pilot"))
    >>> fig.savefig("admissions.png")
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from carecoord.display import LABELS
from carecoord.plots.series import complete_per_replication, monthly_band
from carecoord.plots.style import (
    BLACK,
    BLUE,
    arm_colour,
    count_axis,
    date_axis,
    legend_below,
    mark_dates,
    new_figure,
    title,
)
from carecoord.results import BASELINE, Results, month_start
from carecoord.stats import mean_ci

EARLY_MONTHS = 3  # months compared with the rest of the window in the warm-up check (assumption)


def _draw_bands(ax, results: Results, table: pd.DataFrame, arms: list[str]) -> None:
    for arm in arms:
        rows = table[table["arm"] == arm]
        colour = arm_colour(results.arms, arm)
        on_top = 3 if arm == BASELINE else 2
        ax.plot(
            rows["date"], rows["mean"], color=colour, linewidth=1.8, label=arm, marker="o", markersize=3, zorder=on_top
        )
        ax.fill_between(rows["date"], rows["low"], rows["high"], color=colour, alpha=0.18, linewidth=0)
    date_axis(ax, table["month"].nunique())
    count_axis(ax.yaxis)


def _total_difference(results: Results, metric: str, arm: str) -> tuple[float, float, float]:
    row = results.summary[(results.summary["arm"] == arm) & (results.summary["metric"] == metric)].iloc[0]
    return float(row["diff_vs_baseline"]), float(row["diff_ci_low"]), float(row["diff_ci_high"])


def _change_phrase(results: Results, metric: str, noun: str) -> str:
    """'integrated: 20 more admissions (95% CI 11 fewer to 51 more)' for each compared arm."""
    parts = []
    for arm in results.compared_arms:
        mean, lo, hi = _total_difference(results, metric, arm)

        def words(v: float) -> str:
            return f"{abs(v):,.0f} {'more' if v > 0 else 'fewer'}"

        if mean == 0 and (np.isnan(lo) or lo == hi == 0):
            parts.append(f"{arm}: identical to baseline")
        elif np.isnan(lo):
            parts.append(f"{arm}: {words(mean)} {noun}")
        elif lo <= 0 <= hi:
            parts.append(f"{arm}: no clear change (95% CI {words(lo)} to {words(hi)})")
        else:
            near, far = sorted((abs(lo), abs(hi)))
            parts.append(f"{arm}: {words(mean)} {noun} (95% CI {near:,.0f} to {far:,.0f})")
    return "; ".join(parts)


def monthly_admissions(results: Results) -> Figure:
    """Emergency admissions per month, every arm, mean and 95% band across replications, go-live marked."""
    fig, ax = new_figure(height=4.4)
    table = monthly_band(results, "emergency_admissions", per_30_days=True)
    _draw_bands(ax, results, table, results.arms)
    mark_dates(ax, results.go_live)
    ax.set_ylabel("emergency admissions per 30 days\n(each month scaled to 30 days)")
    ax.set_ylim(bottom=0)
    ax.set_title(
        f"Mean of {results.replication_count} replications with 95% confidence band; whole scenario", loc="left"
    )
    legend_below(ax)
    title(
        fig,
        "Emergency admissions per month by arm — " + _change_phrase(results, "emergency_admissions", "over the run"),
    )
    return fig


def admissions_avoided(results: Results) -> Figure:
    """Admissions avoided (baseline − arm) by month and cumulatively, with 95% CIs."""
    fig, (monthly_ax, cumulative_ax) = new_figure(1, 2, width=10, height=4.4)
    arms = results.compared_arms
    for ax, cumulative, label in (
        (monthly_ax, False, "Admissions avoided in each month"),
        (cumulative_ax, True, "Admissions avoided since the start of the results window"),
    ):
        table = monthly_band(results, "admissions_avoided", cumulative=cumulative)
        _draw_bands(ax, results, table, arms)
        ax.axhline(0, color=BLACK, linewidth=0.8)
        mark_dates(ax, results.go_live)
        ax.set_title(label, loc="left")
        ax.set_ylabel("admissions avoided (below 0: more admissions)")
    legend_below(monthly_ax)
    headline = "Admissions avoided vs separate services — " + _change_phrase(
        results, "emergency_admissions", "admissions"
    )
    title(fig, headline)
    return fig


def hospital_use(results: Results) -> Figure:
    """Bed days and delayed-discharge days per month by arm, with 95% bands."""
    fig, axes = new_figure(1, 2, width=10, height=4.4)
    for ax, metric in zip(axes, ("bed_days", "delayed_discharge_days"), strict=True):
        _draw_bands(ax, results, monthly_band(results, metric, per_30_days=True), results.arms)
        mark_dates(ax, results.go_live)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(f"{LABELS[metric].lower()} per 30 days")
        ax.set_title(LABELS[metric] + " per 30 days", loc="left")
    legend_below(axes[0])
    beds = _change_phrase(results, "bed_days", "days")
    delayed = _change_phrase(results, "delayed_discharge_days", "days")
    title(fig, f"Hospital beds — bed days: {beds}. Delayed discharges: {delayed}")
    return fig


def warm_up(results: Results, metric: str = "emergency_admissions", window: int = 3) -> Figure:
    """Welch's method on the baseline arm: each replication's monthly series, their mean and a moving average.

    Welch (1983): average the replications month by month, smooth with a moving average, and look
    for the point after which the curve is flat. The figure starts where the results window starts
    (the warm-up itself is one bin in the tables), so a curve still rising or falling in the first
    months says the warm-up was too short; a flat one says it was long enough.
    """
    fig, ax = new_figure(height=4.4)
    wide = complete_per_replication(results, metric).loc[BASELINE]
    dates = month_start(pd.Series(wide.columns))
    for _, row in wide.iterrows():
        ax.plot(dates, row.to_numpy(), color="#bbbbbb", linewidth=0.8)
    mean = wide.mean(axis=0).to_numpy()
    smooth = pd.Series(mean).rolling(window, center=True, min_periods=1).mean().to_numpy()
    ax.plot(dates, mean, color=BLACK, linewidth=1.2, label="mean of replications")
    ax.plot(dates, smooth, color=BLUE, linewidth=2.4, label=f"{window}-month moving average")
    ax.plot([], [], color="#bbbbbb", linewidth=0.8, label="one replication")
    overall = float(mean.mean())
    ax.axhline(overall, color=BLACK, linestyle=":", linewidth=1, label="mean over the window")
    date_axis(ax, len(dates))
    count_axis(ax.yaxis)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"{LABELS.get(metric, metric).lower()} per month (baseline)")
    ax.set_title(
        f"Baseline arm, results window from {results.results_start:%d %b %Y} "
        f"(after {results.scenario['simulation']['warm_up_days']} warm-up days)",
        loc="left",
    )
    legend_below(ax)
    verdict = _drift_verdict(wide.to_numpy(), overall)
    title(fig, f"Warm-up check (Welch) — {verdict}")
    return fig


def warm_up_warning(results: Results, metric: str = "emergency_admissions") -> str | None:
    """A sentence for the report if the baseline's first months differ from the rest, else None."""
    wide = complete_per_replication(results, metric).loc[BASELINE].to_numpy()
    verdict = _drift_verdict(wide, float(wide.mean()))
    return f"Warm-up: {verdict}." if "consider a longer warm-up" in verdict else None


def _drift_verdict(values: np.ndarray, overall: float) -> str:
    """Do the first months differ from the rest? A paired 95% CI across replications, not a fixed tolerance."""
    if values.shape[1] <= EARLY_MONTHS or values.shape[0] < 2 or not overall:
        return "too few months or replications to judge the warm-up"
    gaps = values[:, :EARLY_MONTHS].mean(axis=1) - values[:, EARLY_MONTHS:].mean(axis=1)
    mean, lo, hi = mean_ci(gaps.tolist())
    if lo <= 0 <= hi:
        return f"the first {EARLY_MONTHS} months match the rest (no drift detectable): the warm-up looks long enough"
    return (
        f"the first {EARLY_MONTHS} months differ from the rest by {mean / overall:+.0%} "
        f"(95% CI {lo / overall:+.0%} to {hi / overall:+.0%}): consider a longer warm-up"
    )
