"""Figures for value for money and for what a pilot would have seen: the cost-effectiveness plane,
the acceptability curve, and before-and-after beside the controlled estimate.

Example:
    >>> fig = ce_plane(load("results/pilot"))
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from carecoord.before_after import summarise_before_after
from carecoord.economics import acceptability, paired_outcomes, probability_saves
from carecoord.formatting import money, signed_percent
from carecoord.plots.style import (
    BLACK,
    GO_LIVE_COLOUR,
    arm_colour,
    count_axis,
    error_bars,
    legend_below,
    new_figure,
    percent_axis,
    pounds_axis,
    title,
)
from carecoord.results import Results

CEAC_MAX = 50_000.0  # highest threshold when the scenario gives no admission cost (assumption)
TARIFFS_SHOWN = 3  # the curve runs to this many times the cost of one emergency admission (assumption)


def ce_plane(results: Results) -> Figure:
    """Net cost against admissions avoided: one point per replication, the mean as a large marker."""
    fig, ax = new_figure(width=7.5, height=5.6)
    phrases = []
    for arm in results.compared_arms:
        pairs = paired_outcomes(results.replications, arm)
        colour = arm_colour(results.arms, arm)
        ax.scatter(pairs["admissions_avoided"], pairs["net_cost"], color=colour, alpha=0.55, s=22, label=f"{arm}")
        ax.scatter(
            [pairs["admissions_avoided"].mean()],
            [pairs["net_cost"].mean()],
            color=colour,
            s=120,
            marker="D",
            edgecolor="white",
            linewidth=1.2,
        )
        saves = round(probability_saves(pairs) * len(pairs))
        phrases.append(f"{arm} saves money in {saves} of {len(pairs)} replications")
    ax.axhline(0, color=BLACK, linewidth=0.9)
    ax.axvline(0, color=BLACK, linewidth=0.9)
    _quadrant_labels(ax)
    pounds_axis(ax.yaxis)
    count_axis(ax.xaxis)
    ax.set_xlabel("emergency admissions avoided vs baseline (over the results window)")
    ax.set_ylabel("net cost vs baseline, all payers (below 0: saving)")
    ax.set_title("Each dot is one replication (same patients in every arm); diamonds are means", loc="left")
    legend_below(ax)
    title(fig, "Cost-effectiveness plane — " + "; ".join(phrases))
    return fig


def _quadrant_labels(ax) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x_span, y_span = max(x1, 0) - min(x0, 0), max(y1, 0) - min(y0, 0)
    ax.set_xlim(min(x0, -0.2 * x_span), max(x1, 0.2 * x_span))  # every quadrant visible
    ax.set_ylim(min(y0, -0.2 * y_span), max(y1, 0.2 * y_span))
    style = {"fontsize": 8, "color": GO_LIVE_COLOUR, "xycoords": "axes fraction", "zorder": 0, "alpha": 0.8}
    ax.annotate("saves money and\navoids admissions", (0.98, 0.02), ha="right", va="bottom", **style)
    ax.annotate("costs more and\nmore admissions", (0.02, 0.98), ha="left", va="top", **style)
    ax.annotate("costs more,\navoids admissions", (0.98, 0.98), ha="right", va="top", **style)
    ax.annotate("saves money,\nmore admissions", (0.02, 0.02), ha="left", va="bottom", **style)


def acceptability_curve(results: Results, max_threshold: float | None = None) -> Figure:
    """Probability that the cost per admission avoided is below each threshold (net-benefit form).

    The threshold axis runs to three times the cost of one emergency admission (the scenario's
    long-stay unit cost, marked), the range in which a commissioner's answer usually lies.
    """
    fig, ax = new_figure(width=7.5, height=4.4)
    tariff = (results.scenario.get("costs") or {}).get("nhs", {}).get("emergency_admission_long_stay")
    max_threshold = max_threshold or (TARIFFS_SHOWN * tariff if tariff else CEAC_MAX)
    thresholds = np.linspace(0.0, max_threshold, 601)
    phrases = []
    for arm in results.compared_arms:
        pairs = paired_outcomes(results.replications, arm)
        curve = acceptability(pairs, thresholds)
        ax.plot(thresholds, curve.to_numpy(), color=arm_colour(results.arms, arm), linewidth=2, label=arm)
        phrases.append(f"{arm}: {_ceac_phrase(curve)}")
    if tariff and tariff <= max_threshold:
        ax.axvline(tariff, color=GO_LIVE_COLOUR, linestyle="--", linewidth=1)
        ax.annotate(
            f"cost of one emergency\nadmission ({money(tariff)})",
            (tariff, 0.5),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=8,
            color=GO_LIVE_COLOUR,
        )
    ax.set_ylim(-0.02, 1.02)
    percent_axis(ax.yaxis)
    pounds_axis(ax.xaxis)
    ax.set_xlabel("what an avoided emergency admission is worth to the commissioner (threshold)")
    ax.set_ylabel("probability it is worth it")
    ax.set_title(
        f"Share of {results.replication_count} replications in which threshold × avoided − net cost > 0", loc="left"
    )
    legend_below(ax)
    title(fig, "Acceptability curve — " + "; ".join(phrases))
    return fig


def _ceac_phrase(curve: pd.Series) -> str:
    """Where the curve first reaches 95% (a confident 'worth it'), or the best it does."""
    confident = curve[curve >= 0.95]
    if not confident.empty:
        return f"95% likely worth it at {money(confident.index[0])} or more per admission avoided"
    return f"never 95% likely up to {money(curve.index[-1])} (at most {curve.max():.0%})"


MEASURES = {
    "before_after_change_pct": "before-and-after\n(what a pilot reports)",
    "baseline_before_after_change_pct": "same patients, no programme\n(regression to the mean)",
    "controlled_change_pct": "controlled effect\n(vs the same patients in baseline)",
}


def before_after(results: Results) -> Figure:
    """The enrolled patients' change in admissions: as a pilot measures it, without the programme, controlled."""
    table = results.before_after
    fig, ax = new_figure(width=8, height=4.6)
    if table.empty or table["patients"].sum() == 0:
        ax.text(0.5, 0.5, "No enrolled patient had a full year before and after enrolment in this run", ha="center")
        ax.set_axis_off()
        title(fig, "Before-and-after vs controlled — no figure (run too short for a year either side)")
        return fig
    summary = summarise_before_after(table).set_index(["arm", "measure"])
    arms = list(dict.fromkeys(table["arm"]))
    width = 0.8 / len(arms)
    x = np.arange(len(MEASURES))
    for k, arm in enumerate(arms):
        rows = pd.DataFrame([summary.loc[(arm, m)] for m in MEASURES])
        ax.bar(x + k * width, rows["mean"], width=width * 0.92, color=arm_colour(results.arms, arm), label=arm)
        error_bars(ax, x + k * width, rows)
    ax.axhline(0, color=BLACK, linewidth=0.8)
    ax.set_xticks(x + width * (len(arms) - 1) / 2)
    ax.set_xticklabels(list(MEASURES.values()))
    ax.yaxis.set_major_formatter(lambda v, _p: signed_percent(v))
    ax.set_ylabel("change in admissions,\nyear after vs year before")
    patients = summary.loc[(arms[0], "controlled_change_pct"), "patients"]
    ax.set_title(f"{patients:.0f} enrolled patients with a year either side; 95% CIs across replications", loc="left")
    legend_below(ax)

    def pct(measure: str) -> str:
        return signed_percent(summary.loc[(arms[0], measure), "mean"])

    title(
        fig,
        f"Before-and-after vs controlled — {arms[0]}: a pilot would report {pct('before_after_change_pct')}, "
        f"but {pct('baseline_before_after_change_pct')} happens with no programme (regression to the mean); "
        f"controlled effect {pct('controlled_change_pct')}",
    )
    return fig
