"""Warnings after a run: saturated services and implausible results, each with its fix.

A service whose capacity does not fit its population makes patients queue for the whole run, and
the results then describe the queue, not the care (a 9,000-patient locality with capacities for
1,000 reported a 236-day mean stay). This module reads what the run recorded (staff hours, place
days, waits, capacities) and says, per service and locality, when:

* the service was busy for more than :data:`SATURATED_UTILISATION` of its capacity while open;
* its queue grew through the run: the mean wait per use in the last third of the results window
  was at least :data:`GROWTH_RATIO` times that of the first third (and the rise across replications is
  above the half-width of its 95% t-interval, :func:`carecoord.stats.t_half_width`);
* an integrated arm's named coordinators were busy for more than :data:`SATURATED_UTILISATION` of their
  working hours (:func:`coordinator_utilisation`: assessments, contacts, crisis triage, MDT meetings);

and, per arm, when a result is implausible (mean length of stay, share of bed days delayed).
Thresholds are diagnostics, not model parameters; their sources are given where they are defined.

Example:
    >>> for warning in run_warnings(result):
    ...     print(warning.message)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from carecoord.calendar import Calendar
from carecoord.scenario.base import DAY_INDEX, OpeningHoursSpec
from carecoord.scenario.capacity import capacity_fix
from carecoord.stats import t_half_width

if TYPE_CHECKING:
    from carecoord.scenario.schema import Scenario


class ExperimentResult(Protocol):
    """The tables a run's warnings are read from (a ``carecoord.experiment.ExperimentResult``)."""

    scenario: Scenario
    replications: pd.DataFrame
    monthly: pd.DataFrame
    summary: pd.DataFrame
    capacity: pd.DataFrame


SATURATED_UTILISATION = 0.95
"""Share of capacity-hours while open (or place-days) in use above which a service is saturated (assumption:
a queue with 95% utilisation has waits ~20 times the service time, Erlang C)."""
GROWTH_RATIO = 2.0
"""Mean wait per use, last third of the run over first third, above which a queue is growing (assumption)."""
GROWTH_LEVEL = 0.95
"""Confidence level of the one-sided check that the rise in mean wait is more than noise across replications
(the rise must exceed the t-interval's half-width; replaces a fixed two standard errors)."""
MIN_WAIT_HOURS = 1.0
"""A growing queue is reported only when the last third's mean wait per use exceeds this (assumption)."""
MAX_MEAN_STAY_DAYS = 30.0
"""Mean length of stay above which results are implausible (assumption: about three times the longest
sourced mean, 10.8 days for patients with 5+ conditions [ref:emergency_admission.mean_los_5plus_conditions])."""
MAX_DELAYED_SHARE = 0.5
"""Share of bed days spent medically fit above which results are implausible (assumption: above the sourced
0.30-0.36 of acute beds [ref:medically_fit_bed_share.acute])."""

WAIT_METRIC = {
    "gp": "wait_hours_gp",
    "ae": "wait_hours_ae",
    "community_nursing": "wait_hours_community_nursing",
    "social_work": "wait_hours_social_work",
    "home_care": "wait_hours_home_care",
    "hospital": "wait_hours_hospital",
    "intermediate_care": "wait_hours_intermediate_care",
    "residential_care": "wait_hours_residential_care",
}
USES = {
    "gp": ("gp_appointments", "gp_home_visits"),
    "ae": ("ae_attendances",),
    "community_nursing": ("community_nursing_visits",),
    "social_work": ("social_work_assessments",),
    "home_care": ("home_care_packages_started",),
    "hospital": ("emergency_admissions",),
    "intermediate_care": ("intermediate_care_admissions",),
    "residential_care": ("residential_admissions",),
}
BUSY_HOURS = {  # staff time recorded while the service is open
    "gp": "staff_hours_gp",
    "ae": "staff_hours_ae",
    "community_nursing": "staff_hours_community_nursing",
    "social_work": "staff_hours_social_work",
}
PLACE_DAYS = {  # places held, counted by the day (always open)
    "home_care": "home_care_days",
    "hospital": "bed_days",
    "intermediate_care": "intermediate_care_days",
    "residential_care": "residential_care_days",
}


@dataclass(frozen=True)
class RunWarning:
    """One thing the user must know about a run before trusting it."""

    kind: str  # saturated, growing_queue, implausible
    message: str
    arms: tuple[str, ...]
    service: str | None = None
    locality: str | None = None
    figure: float = math.nan

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["arms"] = list(self.arms)
        return out


def open_hours(spec: OpeningHoursSpec, calendar: Calendar, every_day: bool = False, from_day: int = 0) -> float:
    """Hours a service is open in the results window (``every_day``: seven-day working keeps the hours).

    ``from_day`` starts the count later than the window (a locality's go-live: its coordinators are
    in post, and costed, only from then).
    """
    days = {DAY_INDEX[d] for d in spec.days}
    per_day = spec.close_hour - spec.open_hour
    total = 0.0
    for day in range(max(int(calendar.warm_up), from_day), int(calendar.horizon)):
        if every_day or calendar.weekday(day) in days:
            total += per_day
    return total


def _seven_day(scenario: Scenario, arm: str, service: str) -> bool:
    if service != "social_work":
        return False
    plan = scenario.arm(arm).mechanisms.active("discharge_planning")
    return bool(plan is not None and getattr(plan, "seven_day", False))


class WindowTotals:
    """Sums of recorded metrics per (arm, locality, metric, replication) over a window, from one groupby."""

    def __init__(self, monthly: pd.DataFrame, months: list[str] | None = None):
        rows = monthly if months is None else monthly[monthly["month"].isin(months)]
        sums = rows.groupby(["arm", "locality", "metric", "replication"])["value"].sum()
        self._sums: dict[tuple, float] = sums.to_dict()

    def get(self, arm: str, localities: list[str], metrics: tuple[str, ...], replication: int) -> float:
        return sum(self._sums.get((arm, loc, m, replication), 0.0) for loc in localities for m in metrics)


def _places(result: ExperimentResult) -> list[tuple[str, str | None, str]]:
    """(service, locality or None, capacity key) of every capacity-limited service."""
    capped = result.capacity[result.capacity["capacity"] != math.inf]
    out = []
    for key in dict.fromkeys(capped["resource"]):
        service, _, locality = key.partition(":")
        if service in WAIT_METRIC:
            out.append((service, locality or None, key))
    return out


def service_warnings(result: ExperimentResult) -> list[RunWarning]:
    """Saturated services and growing queues, one warning per service, locality and kind."""
    scenario = result.scenario
    sim = scenario.simulation
    calendar = Calendar(sim.start_date, sim.horizon_days, sim.warm_up_days)
    months = list(calendar.bin_labels[1:])
    third = len(months) // 3
    reps = sorted(result.replications["replication"].unique())
    needed = {*WAIT_METRIC.values(), *BUSY_HOURS.values(), *PLACE_DAYS.values(), *(m for u in USES.values() for m in u)}
    monthly = result.monthly[result.monthly["metric"].isin(needed)]
    whole = WindowTotals(monthly)
    first = WindowTotals(monthly, months[:third]) if third else None
    last = WindowTotals(monthly, months[-third:]) if third else None
    capacity = result.capacity.groupby(["arm", "resource"])["capacity"].mean().to_dict()
    every = [loc.name for loc in scenario.localities]
    found: dict[tuple[str, str, str | None], list[tuple[str, float, str]]] = {}
    for service, locality, key in _places(result):
        spec = getattr(scenario.services, service)
        where = [locality] if locality is not None else every
        for arm in scenario.arm_names:
            if (arm, key) not in capacity:
                continue
            cap = float(capacity[(arm, key)])
            if service in BUSY_HOURS:
                available = cap * open_hours(spec.hours, calendar, _seven_day(scenario, arm, service))
                metric, what = BUSY_HOURS[service], "of its capacity-hours while open"
            else:
                available = cap * (calendar.horizon - calendar.warm_up)
                metric, what = PLACE_DAYS[service], "of its place-days"
            busy = sum(whole.get(arm, where, (metric,), r) for r in reps) / len(reps)
            use = busy / available if available > 0 else 0.0
            if use > SATURATED_UTILISATION:
                detail = f"in use {use:.0%} {what} (capacity {cap:g})"
                found.setdefault(("saturated", service, locality), []).append((arm, use, detail))
            if first is not None and last is not None:
                grew = queue_growth(first, last, arm, where, service, reps)
                if grew is not None:
                    before, after = grew
                    detail = f"mean wait per use rose from {before:.1f} h (first third of the run) to {after:.1f} h"
                    found.setdefault(("growing_queue", service, locality), []).append((arm, after, detail))
    return [
        _service_warning(scenario, kind, service, locality, hits) for (kind, service, locality), hits in found.items()
    ]


def queue_growth(
    first: WindowTotals, last: WindowTotals, arm: str, where: list[str], service: str, reps: list[int]
) -> tuple[float, float] | None:
    """(first, last) mean wait per use if the queue grew beyond noise, else None."""
    wait, uses = (WAIT_METRIC[service],), USES[service]
    w0 = [first.get(arm, where, wait, r) for r in reps]
    w1 = [last.get(arm, where, wait, r) for r in reps]
    u0 = [first.get(arm, where, uses, r) for r in reps]
    u1 = [last.get(arm, where, uses, r) for r in reps]
    if sum(u0) <= 0 or sum(u1) <= 0:
        return None
    mean0, mean1 = sum(w0) / sum(u0), sum(w1) / sum(u1)
    if mean1 < MIN_WAIT_HOURS or mean1 < GROWTH_RATIO * mean0:
        return None
    rises = np.array([b / d - a / c for a, b, c, d in zip(w0, w1, u0, u1, strict=True) if c > 0 and d > 0])
    if len(rises) >= 2 and rises.mean() <= t_half_width(rises.std(ddof=1), len(rises), GROWTH_LEVEL):
        return None
    return mean0, mean1


def _service_warning(
    scenario: Scenario, kind: str, service: str, locality: str | None, hits: list[tuple[str, float, str]]
) -> RunWarning:
    arm, figure, detail = max(hits, key=lambda h: h[1])
    arms = tuple(h[0] for h in hits)
    where = f"in locality '{locality}'" if locality is not None else "(shared by the scenario)"
    label = "saturated" if kind == "saturated" else "queue growing"
    message = (
        f"{service} {where} {label} in arm{'s' if len(arms) > 1 else ''} {', '.join(arms)}: {detail}"
        f"{'' if len(arms) == 1 else f' ({arm})'}. Results describe the queue, not the care; "
        f"{capacity_fix(scenario, service, locality)}."
    )
    return RunWarning(kind, message, arms, service, locality, round(figure, 4))


def result_warnings(result: ExperimentResult) -> list[RunWarning]:
    """Implausible whole-scenario results per arm: mean length of stay, share of bed days delayed."""
    whole = result.summary.set_index(["metric", "arm"])
    out = []
    for arm in result.scenario.arm_names:
        stay = _mean(whole, "mean_length_of_stay_days", arm)
        if stay > MAX_MEAN_STAY_DAYS:
            out.append(
                RunWarning(
                    "implausible",
                    f"arm {arm}: mean length of stay {stay:.1f} days is implausible (more than "
                    f"{MAX_MEAN_STAY_DAYS:g}; England's emergency admissions average 5.8, 10.8 with 5+ conditions): "
                    "discharges are queueing; see the saturation warnings, or add capacity to social work, home "
                    "care or intermediate care.",
                    (arm,),
                    "hospital",
                    None,
                    round(stay, 2),
                )
            )
        beds, delayed = _mean(whole, "bed_days", arm), _mean(whole, "delayed_discharge_days", arm)
        if beds > 0 and delayed / beds > MAX_DELAYED_SHARE:
            share = delayed / beds
            out.append(
                RunWarning(
                    "implausible",
                    f"arm {arm}: {share:.0%} of bed days are delayed discharges (medically fit), above "
                    f"{MAX_DELAYED_SHARE:.0%} (England's acute beds: 30-36%): add capacity to social work, home care "
                    "or intermediate care.",
                    (arm,),
                    "hospital",
                    None,
                    round(share, 4),
                )
            )
    return out


def _mean(indexed: pd.DataFrame, metric: str, arm: str) -> float:
    if (metric, arm) not in indexed.index:
        return math.nan
    return float(indexed.loc[(metric, arm), "mean"])


# Coordinators are not a scenario service (they exist only in integrated arms, from the enrolment mechanism),
# so service_warnings does not see them. Their time (assessments, regular contacts, crisis triage, MDT
# meetings) is recorded as coordinator_hours; the hours available are coordinators x their working hours in
# the results window.
COORDINATOR_COLUMNS = ["arm", "locality", "coordinators", "hours_available", "hours_used", "utilisation"]


def _coordinators(enrolment: Any, locality: str) -> int:
    coords = enrolment.coordinators
    return int(coords.get(locality, 0) if isinstance(coords, dict) else coords)


def coordinator_utilisation(result: ExperimentResult) -> pd.DataFrame:
    """Mean coordinator hours used over hours available, per integrated arm and locality.

    Hours available count from each locality's go-live (or the results window's start, if later): before
    it the locality has no coordinators in post, so counting the whole window would make a late
    go-live look idle.
    """
    scenario = result.scenario
    sim = scenario.simulation
    calendar = Calendar(sim.start_date, sim.horizon_days, sim.warm_up_days)
    monthly = result.monthly[result.monthly["metric"] == "coordinator_hours"]
    totals = WindowTotals(monthly)
    reps = sorted(result.replications["replication"].unique())
    rows = []
    for arm in scenario.arm_names:
        enrolment = scenario.arm(arm).mechanisms.active("enrolment")
        if enrolment is None:
            continue
        for index, loc in enumerate(scenario.localities):
            n = _coordinators(enrolment, loc.name)
            if n == 0:
                continue
            go_live = scenario.locality_go_live_day(index)
            hours = open_hours(enrolment.coordinator_working_hours, calendar, from_day=go_live)  # type: ignore[attr-defined]
            used = sum(totals.get(arm, [loc.name], ("coordinator_hours",), r) for r in reps) / max(len(reps), 1)
            available = n * hours
            rows.append((arm, loc.name, n, available, used, used / available if available > 0 else 0.0))
    return pd.DataFrame(rows, columns=COORDINATOR_COLUMNS)


def coordinator_warnings(result: ExperimentResult) -> list[RunWarning]:
    """One warning per integrated arm and locality whose coordinators are saturated."""
    out = []
    for row in coordinator_utilisation(result).itertuples(index=False):
        if row.utilisation <= SATURATED_UTILISATION:
            continue
        message = (
            f"coordinators in locality '{row.locality}' saturated in arm {row.arm}: in use {row.utilisation:.0%} of "
            f"their working hours ({row.coordinators:g} coordinators, {row.hours_used:.0f} of "
            f"{row.hours_available:.0f} hours: assessments, contacts, crisis triage, MDT meetings). Crisis calls go "
            "unanswered, contacts slip and care-plan reviews wait; add coordinators "
            f"(arms.{row.arm}.mechanisms.enrolment.coordinators) or lower the caseload "
            f"(arms.{row.arm}.mechanisms.enrolment.caseload)."
        )
        out.append(RunWarning("saturated", message, (row.arm,), "coordinator", row.locality, round(row.utilisation, 4)))
    return out


def run_warnings(result: ExperimentResult) -> list[RunWarning]:
    """Every warning about a run: services first (coordinators among them), then results."""
    return service_warnings(result) + coordinator_warnings(result) + result_warnings(result)
