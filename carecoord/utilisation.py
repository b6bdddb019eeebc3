"""Staff utilisation per arm: hours used against hours available for every staffed service and the coordinators.

A commissioner deciding on caseloads or staffing needs one table that says, for each arm, how much of
each staff group's time the run used (``staff_utilisation.csv`` in a results folder, and a table in
``carecoord report``). The figures are those the run's saturation warnings read
(:mod:`carecoord.plausibility`): mean staff hours over the results window across replications, over
capacity x hours open (a service) or coordinators x their working hours (the coordinator team, which
exists only in arms with the enrolment mechanism). The ``saturated`` flag uses the warnings' own
threshold, so a flagged row always has its warning.

Services with unlimited capacity (no staff count) have no utilisation and are left out; services
shared by every locality give one row with locality ``all``; per-locality services and coordinators
give one row per locality, plus an ``all`` row when there are several.

Example:
    >>> staff_utilisation(result).query("arm == 'integrated'")
"""

from __future__ import annotations

import math

import pandas as pd

from carecoord.calendar import Calendar
from carecoord.monthly import ALL_LOCALITIES
from carecoord.plausibility import (
    BUSY_HOURS,
    SATURATED_UTILISATION,
    ExperimentResult,
    WindowTotals,
    _seven_day,
    coordinator_utilisation,
    open_hours,
)

COORDINATOR = "coordinator"  # the service name of the coordinator team in the table (as in the warnings)
UTILISATION_COLUMNS = ["arm", "service", "locality", "hours_used", "hours_available", "utilisation", "saturated"]


def staff_utilisation(result: ExperimentResult) -> pd.DataFrame:
    """One row per arm, staffed service (coordinators last) and locality: hours used, available, their ratio."""
    scenario = result.scenario
    sim = scenario.simulation
    calendar = Calendar(sim.start_date, sim.horizon_days, sim.warm_up_days)
    reps = sorted(result.replications["replication"].unique())
    totals = WindowTotals(result.monthly[result.monthly["metric"].isin(BUSY_HOURS.values())])
    capacity = result.capacity.groupby(["arm", "resource"])["capacity"].mean().to_dict()
    every = [loc.name for loc in scenario.localities]
    coordinators = coordinator_utilisation(result)
    rows: list[tuple[str, str, str, float, float]] = []
    for arm in scenario.arm_names:
        for service, metric in BUSY_HOURS.items():
            keys = [key for (a, key) in capacity if a == arm and key.partition(":")[0] == service]
            keys.sort(key=lambda k: every.index(k.partition(":")[2]) if k.partition(":")[2] in every else -1)
            parts = []
            for key in keys:
                cap = float(capacity[(arm, key)])
                if cap == math.inf:
                    continue
                locality = key.partition(":")[2] or None
                where = [locality] if locality is not None else every
                hours = open_hours(
                    getattr(scenario.services, service).hours, calendar, _seven_day(scenario, arm, service)
                )
                used = sum(totals.get(arm, where, (metric,), r) for r in reps) / max(len(reps), 1)
                parts.append((locality or ALL_LOCALITIES, used, cap * hours))
            rows.extend(_with_total(arm, service, parts))
        mine = coordinators[coordinators["arm"] == arm]
        parts = list(zip(mine["locality"], mine["hours_used"], mine["hours_available"], strict=True))
        rows.extend(_with_total(arm, COORDINATOR, parts))
    table = pd.DataFrame(rows, columns=UTILISATION_COLUMNS[:5])
    available = table["hours_available"].where(table["hours_available"] > 0)
    table["utilisation"] = (table["hours_used"] / available).fillna(0.0)
    table["saturated"] = table["utilisation"] > SATURATED_UTILISATION
    return table[UTILISATION_COLUMNS]


def _with_total(arm: str, service: str, parts: list[tuple[str, float, float]]) -> list[tuple]:
    """The rows of one service in one arm, plus a whole-scenario row when it has several localities."""
    rows = [(arm, service, locality, float(used), float(available)) for locality, used, available in parts]
    if len(parts) > 1:
        rows.append((arm, service, ALL_LOCALITIES, sum(p[1] for p in parts), sum(p[2] for p in parts)))
    return rows
