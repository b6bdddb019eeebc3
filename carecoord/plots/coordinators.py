"""The coordinator team's time: hours by activity per month against the hours its coordinators work.

Coordinators exist only in arms with the enrolment mechanism. The run records their total time
(``coordinator_hours``) and counts of each piece of work; the hours of each activity follow from the
counts and the arm's own durations, exactly as the model spends them (carecoord.model.care.enrolment):

* regular contacts: ``coordinator_contacts`` x ``contact_minutes``;
* crisis triage: ``crises_triaged`` x ``triage_minutes``;
* MDT meetings: ``mdt_hours`` / ``mdt_attendees`` (each meeting holds every coordinator for its length);
* assessments: the rest (``initial_assessment_hours`` per patient enrolled and assessed).

Hours available are each live locality's coordinators x the open hours of ``coordinator_working_hours``
in each month: posts start at go-live, as they are costed. (The whole-window table,
``staff_utilisation.csv``, and the coordinator-saturation warning count every post over the whole
results window.)

Example:
    >>> fig = coordinator_time(load("results/pilot"))
"""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from carecoord.calendar import Calendar
from carecoord.plausibility import SATURATED_UTILISATION, open_hours
from carecoord.plots.series import monthly_band
from carecoord.plots.style import (
    BLACK,
    BLUE,
    ORANGE,
    PURPLE,
    SKY,
    count_axis,
    date_axis,
    legend_below,
    new_figure,
    title,
)
from carecoord.results import Results
from carecoord.scenario.base import OpeningHoursSpec

ACTIVITY_COLOURS = {
    "assessments": SKY,
    "regular contacts": BLUE,
    "crisis triage": ORANGE,
    "MDT meetings": PURPLE,
}


def enrolment(results: Results, arm: str) -> dict[str, Any] | None:
    """The arm's enrolment settings (the resolved scenario's), or None if it has no coordinators."""
    if "enrolment" not in results.active_mechanisms(arm):
        return None
    for spec in results.scenario.get("arms", []):
        if spec["name"] == arm:
            return dict(spec["mechanisms"]["enrolment"])
    return None


def coordinator_arms(results: Results) -> list[str]:
    """Arms with a coordinator team."""
    return [arm for arm in results.arms if enrolment(results, arm) is not None]


def _per_locality(results: Results, arm: str) -> dict[str, int]:
    spec = enrolment(results, arm) or {}
    coords = spec.get("coordinators", 0)
    if isinstance(coords, dict):
        return {loc: int(coords.get(loc, 0)) for loc in results.localities}
    return dict.fromkeys(results.localities, int(coords))


def team_size(results: Results, arm: str) -> int:
    """Coordinators across the scenario's localities in an arm (once every locality is live)."""
    return sum(_per_locality(results, arm).values())


def hours_available(results: Results, arm: str, months: pd.Series) -> np.ndarray:
    """Coordinator hours available in each month: each live locality's coordinators x their working hours.

    Posts start at each locality's go-live, as they are costed (carecoord.metrics.coordinator_days).
    """
    spec = OpeningHoursSpec.model_validate((enrolment(results, arm) or {}).get("coordinator_working_hours") or {})
    teams = _per_locality(results, arm)
    out = []
    for month in months:
        first, end = pd.Timestamp(month + "-01"), pd.Timestamp(month + "-01") + pd.offsets.MonthBegin(1)
        total = 0.0
        for loc, size in teams.items():
            start = max(first, pd.Timestamp(results.go_live[loc]))
            if size and start < end:
                calendar = Calendar(start.date(), horizon_days=(end - start).days, warm_up_days=0)
                total += size * open_hours(spec, calendar)
        out.append(total)
    return np.asarray(out, dtype=float)


def activity_hours(results: Results, arm: str) -> pd.DataFrame:
    """Mean coordinator hours per complete month by activity (columns of :data:`ACTIVITY_COLOURS`), with dates."""
    spec = enrolment(results, arm) or {}

    def mean(metric: str) -> pd.Series:
        band = monthly_band(results, metric)
        return band[band["arm"] == arm].set_index("month")["mean"]

    total = mean("coordinator_hours")
    months = total.index

    def part(metric: str, scale: float) -> pd.Series:
        return mean(metric).reindex(months).fillna(0.0) * scale

    table = pd.DataFrame(index=months)
    table["regular contacts"] = part("coordinator_contacts", float(spec.get("contact_minutes", 0)) / 60.0)
    table["crisis triage"] = part("crises_triaged", float(spec.get("triage_minutes", 0)) / 60.0)
    table["MDT meetings"] = part("mdt_hours", 1.0 / float(spec.get("mdt_attendees", 1)))
    table["assessments"] = (total - table.sum(axis=1)).clip(lower=0.0)  # the rest; clip rounding below zero
    table = table[list(ACTIVITY_COLOURS)]
    table["available"] = hours_available(results, arm, pd.Series(months))
    table["date"] = pd.to_datetime(pd.Series(months, index=months) + "-01")
    return table


def _team_label(results: Results, arm: str) -> str:
    size = team_size(results, arm)
    if len(set(results.go_live.values())) > 1:
        return f"hours worked by the coordinators in post ({size} once every locality is live)"
    return f"hours worked by the {size} coordinators"


def coordinator_time(results: Results) -> Figure:
    """Coordinator hours per month by activity (stacked), against the hours the team works, per arm."""
    arms = coordinator_arms(results)
    if not arms:
        fig, ax = new_figure(height=2.4)
        ax.set_axis_off()
        ax.text(0.0, 0.5, "No arm has named coordinators (the enrolment mechanism is off in every arm).")
        title(fig, "Coordinator time — no coordinator team in this scenario")
        return fig
    fig, axes = new_figure(1, len(arms), width=max(8.0, 5.2 * len(arms)), height=4.6, sharey=True)
    axes = np.asarray(axes).reshape(1, len(arms))
    phrases = []
    for ax, arm in zip(axes[0], arms, strict=True):
        table = activity_hours(results, arm)
        starts = table["date"]
        ends = starts + pd.to_timedelta(starts.dt.days_in_month, unit="D")
        middle = starts + (ends - starts) / 2
        bottom = np.zeros(len(table))
        for activity, colour in ACTIVITY_COLOURS.items():
            ax.bar(middle, table[activity], width=20, bottom=bottom, color=colour, label=activity)
            bottom += table[activity].to_numpy()
        edges = mdates.date2num([*starts, ends.iloc[-1]])
        ax.stairs(
            table["available"].to_numpy(),
            edges,
            baseline=None,
            color=BLACK,
            linewidth=1.4,
            label=_team_label(results, arm),
        )
        ax.set_title(f"{arm}: mean of {results.replication_count} replications", loc="left")
        ax.set_ylim(bottom=0)
        count_axis(ax.yaxis)
        date_axis(ax, len(table))
        used, available = bottom.sum(), table["available"].sum()
        share = used / available if available > 0 else 0.0
        biggest = table[list(ACTIVITY_COLOURS)].sum().idxmax()
        phrases.append(f"{arm} {share:.0%} of the hours in post, most on {biggest}")
        if share > SATURATED_UTILISATION:
            phrases[-1] += " (saturated)"
    axes[0, 0].set_ylabel("coordinator hours per month")
    legend_below(axes[0, 0], ncol=3)
    title(fig, "Coordinator time by activity — " + "; ".join(phrases))
    return fig
