"""Deaths: total mortality per tier is the input, and admission changes where a death happens, not whether.

Theory. At home a patient dies of a fatal crisis or fall (the most severe ``fatality`` share of them,
whatever route they take) or of the background hazard, solved per tier so that the total is the
tier's ``mortality_per_year`` per person-year (carecoord.mortality). Deaths are then a Poisson
count with mean ``m x person-years``: observed = m ± 4 sqrt(deaths) / person-years. Fatal episodes
are a subset of those every baseline route admits, so a share ``in_hospital_mortality`` of crisis and
fall admissions end in death (binomial SE). Between two arms on common random numbers most deaths
are the same death; the paired difference is judged by the patients who die in one arm only
(McNemar): |difference| <= 4 sqrt(discordant).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from carecoord.locations import DEAD, PENDING
from carecoord.model.params import compile_params
from carecoord.mortality import Fatality, background_mortality
from carecoord.rates import DAYS_PER_YEAR
from carecoord.recording import M, Recorder
from carecoord.scenario import Scenario

Z = 4.0
MORTALITY = {"moderate": 0.15, "high": 0.3}

COMMUNITY = (
    "simulation.duration_days=730",
    "simulation.warm_up_days=0",
    "localities.east.cohort_size=2000",
    "localities.west.cohort_size=2000",
    *(f"cohort.tiers.{tier}.mortality_per_year={m}" for tier, m in MORTALITY.items()),
    "cohort.tiers.moderate.crisis_rate_per_year=1.5",
    "cohort.tiers.high.crisis_rate_per_year=4",
    # Crisis counts exactly as the solve assumes: no instability spells, no post-discharge boost.
    "cohort.instability.spell_rate_ratio=1",
    "cohort.events.readmission_rate_ratio=1",
    # Everyone stays in the community (a care home has its own mortality) and no non-fatal social admissions.
    "cohort.initial.in_residential_fraction=0",
    "cohort.events.residential_on_decline_probability=0",
    "services.hospital.discharge_needs.residential_care=0",
    "cohort.events.social_crisis_rate_per_year=0",
    "cohort.events.social_crisis_rate_per_year_alone=0",
    # Services never full, so every route admits with its own probability.
    *(f"services.{s}.capacity=" for s in ("gp", "community_nursing", "social_work", "home_care", "intermediate_care")),
    "services.out_of_hours.capacity=",
)
MORE_ADMISSIONS = (
    "services.gp.admission_probability=0.5",
    "services.ae.admission_probability=0.9",
    "services.out_of_hours.admission_probability=0.5",
)
DIVERSION_ONLY = (
    # An arm whose only effect is to keep detected would-be admissions at home: every enrolled patient is
    # visited, every deterioration after a visit is detected and managed at home, nothing is escalated.
    # An MDT with time for every plan and review (this test is about deaths, not the MDT's capacity).
    "arms.all_off.mechanisms.enrolment={coordinators: 100, caseload: 100, mdt_meeting_hours: 1, "
    "mdt_minutes_per_patient: 0.01, mdt_review_minutes_per_patient: 0.01}",
    "arms.all_off.mechanisms.proactive_visits={sensitivity: 1, prevented_fraction: 1, "
    "escalation_probability: 0, detection_window_days: 100000}",
)


def away_hazard(scenario: Scenario, patient) -> float:
    """Death hazard per day in hospital of a community patient (no spells, no boost, no care plan)."""
    background = background_mortality(scenario).home_per_day[patient.tier]
    fatality = Fatality.of(scenario)
    ev = compile_params(scenario).events
    falls = ev.fall_per_day_80plus if patient.age >= 80 else ev.fall_per_day
    return background + patient.crisis_rate * fatality.crisis + falls * fatality.fall


def deaths_by_tier(scenario: Scenario, cohort, rec: Recorder) -> list[tuple[float, float]]:
    """(deaths, person-years alive) per tier over the whole run."""
    tier = np.array([p.tier for p in cohort.patients])
    dead = np.array([d[DEAD] > 0 for d in rec.state_days])
    alive_days = np.array([sum(d) - d[PENDING] - d[DEAD] for d in rec.state_days])
    assert rec.events is not None
    died = np.zeros(len(tier), dtype=bool)
    for pid, _, activity, _ in rec.events:
        if activity == "death":
            died[pid] = True
    assert (dead <= died).all()  # a death at the horizon itself adds no dead days
    return [
        (float(died[tier == t].sum()), float(alive_days[tier == t].sum() / DAYS_PER_YEAR))
        for t in range(len(scenario.cohort.tiers))
    ]


def check_mortality(scenario: Scenario, cohort, rec: Recorder, figure, label: str) -> None:
    for t, (deaths, years) in enumerate(deaths_by_tier(scenario, cohort, rec)):
        name = scenario.cohort.tiers[t].name
        expected = scenario.cohort.tiers[t].mortality_per_year
        rate, se = deaths / years, math.sqrt(deaths) / years
        text = f"Deaths per person-year, tier {name} ({label}): {rate:.4f} vs input {expected} ± {se:.4f}"
        figure(text)
        assert deaths > 200
        assert abs(rate - expected) <= Z * se, text


@pytest.fixture(scope="module")
def community(load_tiny) -> Scenario:
    return load_tiny(*COMMUNITY)


def paired_deaths(arm, base) -> tuple[int, int, int, float]:  # type: ignore[no-untyped-def]
    """Deaths in each arm of one replication (same patients), their difference and its McNemar standard
    error: the square root of the patients who died in one arm only (at least 1)."""
    dead_base = {pid for pid, _, a, _ in base.events if a == "death"}
    dead_arm = {pid for pid, _, a, _ in arm.events if a == "death"}
    return len(dead_arm), len(dead_base), len(dead_arm) - len(dead_base), math.sqrt(max(len(dead_base ^ dead_arm), 1))


def test_total_mortality_per_tier_is_the_input(community: Scenario, run_one, figure) -> None:
    cohort, rec = run_one(community, "baseline", 0, log_events=True)
    check_mortality(community, cohort, rec, figure, "baseline")
    at_home = rec.total(M.deaths_at_home, include_warm_up=True)
    in_hospital = rec.total(M.deaths_in_hospital, include_warm_up=True)
    assert at_home + in_hospital == rec.total(M.deaths, include_warm_up=True)
    assert rec.total(M.deaths_in_care_home, include_warm_up=True) == 0


def test_the_share_of_admissions_that_die_is_the_in_hospital_mortality(community: Scenario, run_one, figure) -> None:
    """Only crises and falls admit here, and fatal ones are always admitted: a share ``in_hospital_mortality``
    of stays ends in death, plus, over each stay to medically fit, the background hazard ``b`` and the
    fatal crises and falls the patient would have had at home ``d`` (carecoord.mortality):
    ``P(death) = m + (1 - m)(1 - exp(-(b + d) L))`` for a stay of ``L`` days (binomial SE, summed over stays)."""
    cohort, rec = run_one(community, "baseline", 0, log_events=True)
    hazard = [away_hazard(community, p) for p in cohort.patients]
    m = community.services.hospital.in_hospital_mortality
    closed = [s for s in rec.stays if s.outcome != "censored" and s.admitted > 0]
    died = sum(1 for s in closed if s.outcome == "died")
    chances = np.array([m + (1 - m) * -math.expm1(-hazard[s.patient] * (s.fit - s.admitted)) for s in closed])
    expected, se = chances.sum(), math.sqrt((chances * (1 - chances)).sum())
    text = (
        f"Admissions ending in death: {died} of {len(closed)} vs {expected:.1f} ± {se:.1f} (in-hospital mortality {m})"
    )
    figure(text)
    assert abs(died - expected) <= Z * se, text


def test_more_admissions_do_not_change_total_mortality(community: Scenario, load_tiny, run_one, figure) -> None:
    """A mechanism-free lever (routes admit far more) moves deaths into hospital; the total stays the input."""
    more = load_tiny(*COMMUNITY, *MORE_ADMISSIONS)
    _, base = run_one(community, "baseline", 0, log_events=True)
    cohort, rec = run_one(more, "baseline", 0, log_events=True)
    assert rec.total(M.emergency_admissions) > 1.8 * base.total(M.emergency_admissions)
    check_mortality(more, cohort, rec, figure, "routes admit more")
    share = rec.total(M.deaths_in_hospital) / rec.total(M.deaths)
    assert share > base.total(M.deaths_in_hospital) / base.total(M.deaths)


def test_an_arm_that_only_diverts_admissions_moves_deaths_home(load_tiny, run_one, figure) -> None:
    """Same patients, same random numbers: fewer admissions, the same deaths (paired), more of them at home."""
    scenario = load_tiny(*COMMUNITY, *DIVERSION_ONLY)
    cohort, base = run_one(scenario, "baseline", 0, log_events=True)
    _, arm = run_one(scenario, "all_off", 0, log_events=True)
    assert arm.total(M.emergency_admissions) < 0.9 * base.total(M.emergency_admissions)
    dead_arm, dead_base, diff, se = paired_deaths(arm, base)
    text = (
        f"Deaths, diversion-only arm vs baseline: {dead_arm} vs {dead_base} "
        f"(difference {diff} ± {se:.1f}); in hospital "
        f"{arm.total(M.deaths_in_hospital):.0f} vs {base.total(M.deaths_in_hospital):.0f}"
    )
    figure(text)
    assert abs(diff) <= Z * se, text
    assert arm.total(M.deaths_in_hospital) < base.total(M.deaths_in_hospital)
    assert arm.total(M.deaths_at_home) > base.total(M.deaths_at_home)
    check_mortality(scenario, cohort, arm, figure, "diversion-only arm")


FEWER_BED_DAYS = (
    # Fatal crises common enough that time at home matters: a third of crisis admissions die.
    "services.hospital.in_hospital_mortality=0.3",
    "cohort.tiers.moderate.mortality_per_year=0.3",
    "cohort.tiers.high.mortality_per_year=0.6",
    # Nearly every discharge waits for two assessments 20 days apart, then intermediate care.
    "services.hospital.discharge_needs.intermediate_care=0.9",
    "services.hospital.discharge_needs.home_care=0",
    "services.social_work.referral_delay_days=20",
    # The arm's only lever: one shared assessment instead of two (fewer delayed bed days, no rate changed).
    "arms.all_off.mechanisms.shared_assessment={applies_to: everyone, assessments_per_referral: 1}",
)


def test_fewer_bed_days_change_no_deaths(load_tiny, run_one, figure) -> None:
    """An arm that only shortens delayed discharges keeps patients at home longer, where crises start;
    the fatal crises they would have had meanwhile ran on in hospital, so deaths are the same (paired
    McNemar bound) and each tier's mortality is its input, in both arms (Poisson bound)."""
    scenario = load_tiny(*COMMUNITY, *FEWER_BED_DAYS)
    assert not [m for m in background_mortality(scenario).problems if m.startswith("cohort.tiers")]  # no residents here
    cohort, base = run_one(scenario, "baseline", 0, log_events=True)
    _, arm = run_one(scenario, "all_off", 0, log_events=True)
    base_days, arm_days = base.total(M.delayed_discharge_days), arm.total(M.delayed_discharge_days)
    assert arm_days < 0.7 * base_days, (arm_days, base_days)
    dead_arm, dead_base, diff, se = paired_deaths(arm, base)
    text = (
        f"Deaths, fewer-bed-days arm vs baseline: {dead_arm} vs {dead_base} (difference {diff} ± "
        f"{se:.1f}); delayed days {arm_days:.0f} vs {base_days:.0f}"
    )
    figure(text)
    assert abs(diff) <= Z * se, text
    check_mortality(scenario, cohort, base, figure, "baseline, long delays")
    check_mortality(scenario, cohort, arm, figure, "fewer bed days")
