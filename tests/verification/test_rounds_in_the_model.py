"""Proactive visits and regular contacts in the whole model (tiny scenario, integrated arm, event log on).

Within one care plan (from its ``care_plan_agreed`` row to the next), a patient is visited at most
once per round and the next visit is never sooner than the interval after the day of the last one:
the rounds count the interval from the day seen, and a skip, a weekend or a wait for a nurse only
makes it later. The same holds for the coordinators' contacts.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from itertools import pairwise

import pytest

from carecoord.cohort import generate_cohort
from carecoord.model.run import run_arm
from tests.conftest import LoadTiny


@pytest.mark.parametrize(
    ("activity", "interval"),
    [("proactive_visit", "proactive_visits.interval_days"), ("coordinator_contact", "enrolment.contact_interval_days")],
)
def test_visits_within_a_plan_are_at_least_an_interval_apart(load_tiny: LoadTiny, activity: str, interval: str) -> None:
    scenario = load_tiny(f"arms.integrated.mechanisms.{interval}=5")  # many visits per plan in the tiny run
    rec = run_arm(scenario, generate_cohort(scenario, 0), "integrated", 0, log_events=True)
    assert rec.events is not None
    plans: dict[int, list[float]] = defaultdict(list)
    seen: dict[int, list[float]] = defaultdict(list)
    for (pid, t, name, _), start in zip(rec.events, rec.event_starts, strict=True):
        if name == "care_plan_agreed":
            plans[pid].append(t)
        elif name == activity:
            seen[pid].append(start)
    gaps = 0
    for pid, starts in seen.items():
        agreed = plans[pid]
        assert agreed and starts[0] >= agreed[0]  # nobody is visited before a plan
        for before, after in pairwise(starts):
            if bisect.bisect_right(agreed, before) == bisect.bisect_right(agreed, after):  # the same plan
                assert math.floor(after) - math.floor(before) >= 5
                gaps += 1
    assert gaps > 100  # enough visits to judge
