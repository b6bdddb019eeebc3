"""The whole-population figure: emergency admissions per 1,000 people a year by arm, when localities
state their population (``localities[].population``).

Left: month by month, per 1,000 a year (each month's count x 365.25 / its days x 1,000 / people),
mean and 95% band by arm. Right: the whole results window per arm, split into the patients at risk
and everyone else (the rest is the same stream in every arm), with the total's 95% CI: a change in
the at-risk patients' bar is diluted by the rest's.

Example:
    >>> fig = whole_population(load("results/pilot"))  # None without a population
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from carecoord.plots.series import monthly_band
from carecoord.plots.style import arm_colour, date_axis, legend_below, mark_dates, new_figure, title
from carecoord.results import ALL, BASELINE, Results
from carecoord.stats import mean_ci

PER_1000 = "population_emergency_admissions_per_1000"
DAYS_PER_YEAR = 365.25
GREY = "#999999"  # everyone else: the same in every arm, so drawn without an arm colour


def _people(results: Results) -> float | None:
    rows = results.replications
    rows = rows[(rows["metric"] == "population") & (rows["locality"] == ALL)]
    return float(rows["value"].iloc[0]) if not rows.empty and rows["value"].iloc[0] > 0 else None


def whole_population(results: Results) -> Figure | None:
    """The figure, or ``None`` when the run states no population (the figure is then left out)."""
    people = _people(results)
    if people is None or "population_emergency_admissions" not in set(results.monthly["metric"]):
        return None
    fig, (monthly_ax, total_ax) = new_figure(1, 2, width=10, height=4.4, gridspec_kw={"width_ratios": [3, 2]})
    table = monthly_band(results, "population_emergency_admissions", per_30_days=True)
    scale = DAYS_PER_YEAR / 30.0 * 1000.0 / people  # a 30-day month's count -> a year's per 1,000
    for arm in results.arms:
        rows = table[table["arm"] == arm]
        colour = arm_colour(results.arms, arm)
        monthly_ax.plot(
            rows["date"], rows["mean"] * scale, color=colour, linewidth=1.8, marker="o", markersize=3, label=arm
        )
        monthly_ax.fill_between(rows["date"], rows["low"] * scale, rows["high"] * scale, color=colour, alpha=0.18, lw=0)
    date_axis(monthly_ax, table["month"].nunique())
    mark_dates(monthly_ax, results.go_live)
    monthly_ax.set_ylim(bottom=0)
    monthly_ax.set_ylabel("emergency admissions per 1,000 a year")
    monthly_ax.set_title("Each month, per 1,000 people a year (mean, 95% band)", loc="left")

    rows = results.replications[results.replications["locality"] == ALL]
    wide = rows.pivot_table(index="replication", columns=["metric", "arm"], values="value", sort=True)
    arms = results.arms
    y = np.arange(len(arms))[::-1]
    totals = []
    for position, arm in zip(y, arms, strict=True):
        rate = wide[(PER_1000, arm)]
        cohort = float((rate * wide[("cohort_share_of_admissions", arm)]).mean())
        mean, low, high = mean_ci(rate.tolist())
        totals.append(mean)
        colour = arm_colour(arms, arm)
        total_ax.barh(position, cohort, color=colour, height=0.6)
        total_ax.barh(position, mean - cohort, left=cohort, color=GREY, alpha=0.35, height=0.6)
        if np.isfinite(low):
            total_ax.errorbar(mean, position, xerr=[[mean - low], [high - mean]], color="black", capsize=3, lw=1)
        right = high if np.isfinite(high) else mean
        total_ax.text(right + 0.02 * mean, position, f"{mean:.1f}", ha="left", va="center", fontsize=9)
    total_ax.set_yticks(y, arms)
    total_ax.set_xlim(0, max(totals) * 1.25)
    total_ax.set_xlabel("emergency admissions per 1,000 a year")
    total_ax.set_title("Whole window: patients at risk (colour) + everyone else (grey)", loc="left", fontsize=10)
    legend_below(monthly_ax)
    base = totals[0] if arms[0] == BASELINE else float("nan")
    changes = [
        f"{arm} {total - base:+.1f}".replace("-", "\u2212") for arm, total in zip(arms[1:], totals[1:], strict=True)
    ]
    title(
        fig,
        f"Whole population ({people:,.0f} people): emergency admissions per 1,000 a year, baseline {base:.1f}"
        + (f"; change per 1,000: {', '.join(changes)}" if changes else ""),
    )
    return fig


__all__ = ["whole_population"]
