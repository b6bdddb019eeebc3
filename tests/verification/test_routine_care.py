"""Routine care: booked GP consultations and district-nursing visits at their rates, on clinicians' time.

Theory. Each locality's bookings draw a Poisson count with mean equal to the expected contacts since
the last booking (the integral of its at-home patients' rates), so the total is Poisson with mean
``sum_i rate_i x days at home_i`` (less what came due after the last booking before the horizon, at
most three days' worth): observed = expected ± 4 sqrt(expected). With every service unlimited the
GP's staff hours are exactly the minutes of what it did.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from carecoord.locations import HOME
from carecoord.recording import M
from carecoord.scenario import Scenario

Z = 4.0
UNLIMITED = tuple(
    f"services.{s}.capacity=" for s in ("gp", "community_nursing", "social_work", "home_care", "intermediate_care")
)
TAIL_DAYS = 3.0  # the most exposure that can come due after the last booking (a weekend for the GP)


@pytest.fixture(scope="module")
def unlimited(load_tiny) -> Scenario:
    return load_tiny("simulation.warm_up_days=0", *UNLIMITED, "cohort.tiers.high.district_nursing_caseload_share=0.4")


def test_routine_contacts_match_their_rates(unlimited: Scenario, run_instrumented, figure) -> None:
    run = run_instrumented(unlimited, "baseline")
    rec, routine = run.recorder, run.world.routine
    home = np.array([d[HOME] for d in rec.state_days])
    gp_rate = np.array([routine.gp_rate[p.tier] for p in run.cohort.patients])
    nurse_rate = np.array(routine.nurse_rate)
    assert 0 < (nurse_rate > 0).sum() < len(nurse_rate)  # some patients are on a district-nursing caseload
    for metric, rate in (("routine_gp_consultations", gp_rate), ("routine_nursing_visits", nurse_rate)):
        observed = rec.total(getattr(M, metric), include_warm_up=True)
        expected = float((rate * home).sum())
        tail = float(rate.sum()) * TAIL_DAYS
        se = math.sqrt(expected)
        text = f"Routine care, {metric}: {observed:.0f} vs {expected:.1f} (at most {tail:.1f} less) ± {se:.1f}"
        figure(text)
        assert expected > 500
        assert expected - tail - Z * se <= observed <= expected + Z * se, text


def test_routine_consultations_take_gp_time(unlimited: Scenario, run_one) -> None:
    """Staff hours of the GP = minutes of every consultation and visit it gave, routine ones included."""
    _, rec = run_one(unlimited, "baseline", 0)
    gp = unlimited.services.gp
    minutes = (
        rec.total(M.gp_appointments, include_warm_up=True) * gp.appointment_minutes
        + rec.total(M.gp_home_visits, include_warm_up=True) * gp.home_visit_minutes
        + rec.total(M.routine_gp_consultations, include_warm_up=True) * gp.appointment_minutes
    )
    routine = rec.total(M.routine_gp_consultations, include_warm_up=True) * gp.appointment_minutes / 60.0
    assert routine > 0.5 * minutes / 60.0  # routine work is most of the GP's time for this cohort
    # One consultation may be under way at the horizon (its hours counted, its count not yet).
    assert abs(rec.total(M.staff_hours_gp, include_warm_up=True) - minutes / 60.0) <= gp.home_visit_minutes / 60.0


def test_a_care_plan_replaces_routine_contacts(load_tiny, run_one, figure) -> None:
    """With every routine contact of an active plan replaced, the arm books fewer than the baseline
    (the same patients and uniforms), by more than the noise of two Poisson counts."""
    scenario = load_tiny(
        "simulation.warm_up_days=0",
        *UNLIMITED,
        "arms.integrated.mechanisms.enrolment.coordinators=3",
        "arms.integrated.mechanisms.proactive_visits.routine_contacts_replaced_share=1",
    )
    _, base = run_one(scenario, "baseline", 0)
    _, arm = run_one(scenario, "integrated", 0)
    _, off = run_one(scenario, "all_off", 0)
    for metric in ("routine_gp_consultations", "routine_nursing_visits"):
        b, a = base.total(getattr(M, metric)), arm.total(getattr(M, metric))
        figure(f"Routine care replaced by care plans, {metric}: {a:.0f} in the arm vs {b:.0f} in the baseline")
        assert b - a > Z * math.sqrt(a + b)
        assert off.total(getattr(M, metric)) == b  # no plan, nothing replaced: the very same bookings
