"""Figures that split the results: by locality, by payer, by service.

Example:
    >>> fig = costs_by_payer(load("results/pilot"))
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from carecoord.calendar import Calendar
from carecoord.economics import paired_outcomes, payer_split
from carecoord.plausibility import SATURATED_UTILISATION, open_hours
from carecoord.plots.coordinator_waits import draw_coordinator_waits
from carecoord.plots.coordinators import coordinator_arms, enrolment
from carecoord.plots.coordinators import hours_available as coordinator_hours_available
from carecoord.plots.series import monthly_band, total_band
from carecoord.plots.style import (
    BLACK,
    PAYER_COLOURS,
    arm_colour,
    count_axis,
    date_axis,
    error_bars,
    legend_below,
    mark_dates,
    new_figure,
    percent_axis,
    pounds_axis,
    title,
)
from carecoord.results import ALL, BASELINE, Results
from carecoord.scenario.base import OpeningHoursSpec
from carecoord.utilisation import COORDINATOR

# Services whose staff time is recorded, with the metric of that time and of the waits they cause.
STAFFED_SERVICES = {
    "gp": "GP",
    "community_nursing": "Nursing",
    "social_work": "Social work",
}


def by_locality(results: Results) -> Figure:
    """Admissions avoided over the whole run in each locality, per arm, with 95% CIs."""
    table = total_band(results, "admissions_avoided")
    table = table[table["arm"].isin(results.compared_arms)]
    places = [*results.localities, ALL]
    fig, ax = new_figure(width=8, height=1.6 + 0.45 * len(places) * max(1, len(results.compared_arms)))
    step = 0.8 / max(1, len(results.compared_arms))
    for k, arm in enumerate(results.compared_arms):
        rows = table[table["arm"] == arm].set_index("locality").reindex(places)
        y = np.arange(len(places)) + k * step
        ax.errorbar(
            rows["mean"],
            y,
            xerr=[rows["mean"] - rows["low"], rows["high"] - rows["mean"]],
            fmt="o",
            color=arm_colour(results.arms, arm),
            capsize=3,
            label=arm,
        )
    ax.axvline(0, color=BLACK, linewidth=0.8)
    ax.set_yticks(np.arange(len(places)) + step * (len(results.compared_arms) - 1) / 2)
    sizes = {loc["name"]: loc["cohort_size"] for loc in results.scenario.get("localities", [])}
    ax.set_yticklabels(
        [
            "whole scenario" if p == ALL else f"{p}\n{sizes.get(p, 0):,} patients\nlive {results.go_live[p]:%b %Y}"
            for p in places
        ],
        fontsize=8.5,
    )
    ax.invert_yaxis()
    count_axis(ax.xaxis)
    ax.set_xlabel("emergency admissions avoided over the results window (below 0: more admissions)")
    ax.set_title("Mean and 95% CI across replications; go-live dates differ by locality", loc="left")
    legend_below(ax)
    title(fig, _locality_headline(table[table["locality"] != ALL], sizes))
    return fig


def _locality_headline(table: pd.DataFrame, sizes: dict[str, int]) -> str:
    """Name a locality only where its 95% CI excludes zero: a ranking of noise is no finding."""
    clear = table[(table["low"] > 0) | (table["high"] < 0)]
    if table.empty:
        return "By locality — admissions avoided with 95% CIs"
    if clear.empty:
        return "By locality — no locality differs clearly from zero: every 95% CI includes no change"
    parts = []
    for row in clear.itertuples():
        per_1000 = row.mean / sizes.get(row.locality, np.nan) * 1000
        verb = "fewer" if row.mean > 0 else "more"
        parts.append(f"{row.locality} ({row.arm}): {abs(per_1000):,.0f} {verb} per 1,000 patients")
    return "By locality — clear change (95% CI excludes zero) in " + "; ".join(parts)


def costs_by_payer(results: Results) -> Figure:
    """Who pays and who saves: net cost vs baseline to the NHS, the council and the programme, per arm."""
    arms = results.compared_arms
    fig, axes = new_figure(1, len(arms), width=4.2 * len(arms) + 1, height=4.4, sharey=True)
    axes = np.atleast_1d(axes)
    phrases = []
    for ax, arm in zip(axes, arms, strict=True):
        split = payer_split(paired_outcomes(results.replications, arm))
        colours = [PAYER_COLOURS[p] for p in split["payer"]]
        x = np.arange(len(split))
        ax.bar(x, split["mean"], color=colours, width=0.65)
        error_bars(ax, x, split, capsize=4)
        ax.axhline(0, color=BLACK, linewidth=0.8)
        ax.set_xticks(x)
        ax.set_xticklabels(split["payer"])
        pounds_axis(ax.yaxis)
        ax.set_title(f"{arm} − baseline", loc="left")
        total = split.iloc[-1]
        phrases.append(f"{arm} {'saves' if total['mean'] < 0 else 'costs'} {_pounds(abs(total['mean']))}")
    axes[0].set_ylabel("net cost over the results window (below 0: saving)")
    title(fig, "Who pays and who saves — " + "; ".join(phrases) + " in all (bars: 95% CI)")
    return fig


def _pounds(value: float) -> str:
    from carecoord.formatting import money

    return money(value)


def _open_hours_per_month(results: Results, service: str, arm: str, months: pd.Series) -> pd.Series:
    """Hours a service is open in each month: the scenario's opening hours (schema defaults filled in by
    the manifest), counted by :func:`carecoord.plausibility.open_hours`, the warnings' own count."""
    spec = OpeningHoursSpec.model_validate(results.scenario["services"][service].get("hours") or {})
    out = {}
    for month in months:
        start = pd.Timestamp(month + "-01")
        calendar = Calendar(start.date(), horizon_days=start.days_in_month, warm_up_days=0)
        out[month] = open_hours(spec, calendar, every_day=_seven_day(results, arm, service))
    return pd.Series(out)


def _seven_day(results: Results, arm: str, service: str) -> bool:
    """Social work on seven-day discharge planning works every day of the week in that arm."""
    if service != "social_work" or "discharge_planning" not in results.active_mechanisms(arm):
        return False
    for spec in results.scenario.get("arms", []):
        if spec["name"] == arm:
            return bool((spec.get("mechanisms") or {}).get("discharge_planning", {}).get("seven_day"))
    return False


def services(results: Results) -> Figure:
    """Staff time used as a share of staff time available, and hours patients waited, per service.

    The named coordinators (arms with the enrolment mechanism only) are the last column, their time
    against their own working hours (:mod:`carecoord.plots.coordinators`).
    """
    recorded = set(results.monthly["metric"])
    names = [s for s in STAFFED_SERVICES if f"staff_hours_{s}" in recorded]
    if coordinator_arms(results) and "coordinator_hours" in recorded:
        names.append(COORDINATOR)
    labels = {**STAFFED_SERVICES, COORDINATOR: "Coordinators"}
    fig, axes = new_figure(2, len(names), width=3.6 * len(names) + 1, height=6.4, sharex=True)
    axes = np.asarray(axes).reshape(2, len(names))
    busiest: list[tuple[float, str, str, str]] = []
    backlog = None

    def colour(arm: str) -> str:
        return arm_colour(results.arms, arm)

    longest: list[tuple[float, str, str, pd.Timestamp]] = []
    for col, service in enumerate(names):
        staff = monthly_band(results, _hours_metric(service))
        util_ax, wait_ax = axes[0, col], axes[1, col]
        for arm in results.arms:
            rows = staff[staff["arm"] == arm]
            available = _available_per_month(results, service, arm, rows["month"])
            if rows.empty or available is None:
                continue
            share = np.full(len(available), np.nan)  # no staff in post (coordinators before go-live): no share
            np.divide(rows["mean"].to_numpy(), available, out=share, where=available > 0)
            util_ax.plot(rows["date"], share, color=arm_colour(results.arms, arm), linewidth=1.6, label=arm)
            if np.isnan(share).all():
                continue
            peak = int(np.nanargmax(share))
            busiest.append((float(share[peak]), labels[service], arm, f"{rows['date'].iloc[peak]:%b %Y}"))
        util_ax.set_title(f"{labels[service]}: staff time in use", loc="left")
        util_ax.set_ylim(0, max(1.05, util_ax.get_ylim()[1]))
        util_ax.axhline(1.0, color=BLACK, linestyle=":", linewidth=1)
        percent_axis(util_ax.yaxis)
        if service == COORDINATOR:  # no coordinators, no calls waiting for one; the go-live backlog apart
            peaks, backlog = draw_coordinator_waits(wait_ax, results, coordinator_arms(results), colour)
            longest += [(hours, labels[service], arm, when) for hours, arm, when in peaks]
            wait_ax.set_title(f"{labels[service]}: hours waited", loc="left")
            _wait_axis(wait_ax, staff["month"].nunique(), backlog is None)
            mark_dates(util_ax, results.go_live)
            continue
        waits = monthly_band(results, f"wait_hours_{service}")
        for arm in results.arms:
            rows = waits[waits["arm"] == arm]
            if not rows.empty:
                peak = int(rows["mean"].to_numpy().argmax())
                longest.append((float(rows["mean"].iloc[peak]), labels[service], arm, rows["date"].iloc[peak]))
            wait_ax.plot(rows["date"], rows["mean"], color=arm_colour(results.arms, arm), linewidth=1.6)
            wait_ax.fill_between(
                rows["date"], rows["low"], rows["high"], color=arm_colour(results.arms, arm), alpha=0.15
            )
        wait_ax.set_title(f"{labels[service]}: hours waited", loc="left")
        _wait_axis(wait_ax, staff["month"].nunique())
        mark_dates(util_ax, results.go_live)
    axes[0, 0].set_ylabel("staff hours ÷ scheduled hours\n(over 100%: outside hours)")
    axes[1, 0].set_ylabel("waiting hours per month")
    handles = {line.get_label(): line for ax in axes[0] for line in ax.get_lines() if line.get_label() in results.arms}
    legend_below(axes[1, 0], handles=[handles[a] for a in results.arms if a in handles], ncol=len(results.arms))
    if busiest:
        share, name, arm, month = max(busiest)
        verdict = "capacity binds" if share >= SATURATED_UTILISATION else "staff time below capacity"
        headline = f"Services — {verdict}: busiest is {name} ({arm}) at {share:.0%} of scheduled staff hours in {month}"
        waited, name, arm, when = max(longest, default=(0.0, "", "", None))
        if waited >= 1:
            headline += f"; longest waits: {name} ({arm}), {waited:,.0f} hours in {when:%b %Y}"
        if backlog is not None:
            which = f" ({backlog.arm})" if len(coordinator_arms(results)) > 1 else ""
            headline += (
                f", not counting the coordinators' one-off go-live backlog{which}: {backlog.hours:,.0f} hours of "
                f"first assessments in {backlog.when:%b %Y}"
            )
    else:
        headline = "Services — no staffed service recorded"
    title(fig, headline)
    return fig


def _wait_axis(ax, months: int, from_zero: bool = True) -> None:
    if from_zero:
        ax.set_ylim(bottom=0)
    count_axis(ax.yaxis)
    date_axis(ax, months)


def _hours_metric(service: str) -> str:
    return "coordinator_hours" if service == COORDINATOR else f"staff_hours_{service}"


def _available_per_month(results: Results, service: str, arm: str, months: pd.Series) -> np.ndarray | None:
    """Staff hours available in each month (None: the arm has no such staff, e.g. no coordinators)."""
    if service == COORDINATOR:
        return coordinator_hours_available(results, arm, months) if enrolment(results, arm) is not None else None
    hours = _open_hours_per_month(results, service, arm, months)
    return _service_capacity(results, service, arm) * hours.reindex(months).to_numpy()


def _service_capacity(results: Results, service: str, arm: str = BASELINE) -> float:
    """Staff on duty across localities in an arm (from capacity.csv, first replication)."""
    cap = results.capacity
    if cap.empty:  # older folders: a stated number, else unknown (by_population needs the run's capacity table)
        stated = results.scenario["services"][service].get("capacity")
        return float(stated) if isinstance(stated, int | float) else np.nan
    rows = cap[(cap["arm"] == arm) & (cap["replication"] == cap["replication"].min())]
    rows = rows[rows["resource"].str.split(":").str[0] == service]
    return float(rows["capacity"].sum())
