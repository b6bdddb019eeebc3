"""Staff on duty whatever the demand: the cost of rostered posts, by locality and result bin.

Seven-day discharge adds social workers on duty at weekends. They are paid for the hours they
are on duty, not only the hours an assessment takes, so their cost is a roster: workers x open
hours on each Saturday and Sunday from the locality's go-live, at the weekend hourly cost.
Pure functions of the scenario and the calendar (no simulation).

Example:
    >>> cost = weekend_social_work_cost(scenario, "integrated", calendar)  # (locality, bin) in GBP
"""

from __future__ import annotations

import numpy as np

from carecoord.calendar import Calendar
from carecoord.scenario.base import DAY_INDEX
from carecoord.scenario.schema import Scenario

WEEKEND = (DAY_INDEX["sat"], DAY_INDEX["sun"])


def weekend_social_work_cost(scenario: Scenario, arm: str, calendar: Calendar) -> np.ndarray:
    """Council cost of the weekend social workers of seven-day discharge, per (locality, bin)."""
    mechanisms = scenario.arm(arm).mechanisms
    out = np.zeros((len(scenario.localities), calendar.n_bins))
    spec = mechanisms.active("discharge_planning")
    if spec is None:
        return out
    hours = scenario.services.social_work.hours
    for loc, locality in enumerate(scenario.localities):
        workers = mechanisms.weekend_social_workers(locality.name)
        if workers == 0:
            continue
        per_day = workers * (hours.close_hour - hours.open_hour) * spec.weekend_hour_cost  # type: ignore[attr-defined]
        for day in range(int(np.ceil(scenario.locality_go_live_day(loc))), int(calendar.horizon)):
            if calendar.weekday(day) in WEEKEND:
                out[loc, calendar.bin(day + 0.5)] += per_day
    return out
