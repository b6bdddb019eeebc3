"""Event counts match their configured rates: Poisson compensators and the negative binomial.

Theory. A patient at home has constant hazards (crisis ``r_i = rate_tier x G_i`` with frailty
``G_i ~ Gamma(k, 1/k)``, falls by age, social crises by living alone and night anxiety, declines,
death by tier) once the scenario switches off everything that modulates them: instability
(``spell_rate_ratio = 1``), the readmission boost (``readmission_rate_ratio = 1``) and care-home
residence. For any counting process with intensity ``lambda(t)``, ``N - integral lambda`` is a
martingale whose variance is ``E[integral lambda]`` (the compensator), so

    N_type  =  sum_i rate_i x (days at home)_i   ±  sqrt(that sum),

whatever the admissions in between do to the time at home. Tolerance: 4 such standard errors.

For patients all at home for the whole horizon T (no admissions, no deaths), a patient's crisis
count is Poisson(lambda G T) given G, so counts are negative binomial: mean ``lambda T`` and
variance-to-mean ratio ``VMR = 1 + lambda T / k``. Its standard error comes from the delta
method on the sample mean and variance (using the sample's central moments up to the fourth).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from carecoord.locations import HOME, RESIDENTIAL
from carecoord.mortality import background_mortality
from carecoord.rates import DAYS_PER_YEAR
from carecoord.recording import M, Recorder
from carecoord.scenario import Scenario
from tests.verification.conftest import CRISES_ONLY_AT_HOME

Z = 4.0
FLAT_WEEK = (
    f"cohort.crisis_timing.hour_of_day_weights={[1] * 24}",
    f"cohort.crisis_timing.day_of_week_weights={[1] * 7}",
)
"""Crises spread evenly over the week, so a crisis hazard integrates over plain days (test_crisis_timing
covers the weekly profile)."""
RATES = {"moderate": 1.5, "high": 4.0}  # crises per person-year at home

CLEAN = (
    "simulation.duration_days=730",
    "simulation.warm_up_days=0",
    "localities.east.cohort_size=1500",
    "localities.west.cohort_size=1500",
    *(f"cohort.tiers.{tier}.crisis_rate_per_year={rate}" for tier, rate in RATES.items()),
    "cohort.instability.spell_rate_ratio=1",
    "cohort.events.readmission_rate_ratio=1",
    *FLAT_WEEK,
    "services.hospital.in_hospital_mortality=0",
    # Nobody in a care home (crisis rates differ there): none on day one, none after decline or discharge.
    "cohort.initial.in_residential_fraction=0",
    "cohort.events.residential_on_decline_probability=0",
    "services.hospital.discharge_needs.residential_care=0",
    *(f"services.{s}.capacity=" for s in ("gp", "community_nursing", "social_work", "home_care", "intermediate_care")),
)


@pytest.fixture(scope="module", params=[2.0, 1e6], ids=["heterogeneous", "homogeneous"])
def clean(request: pytest.FixtureRequest, load_tiny) -> Scenario:
    """3,000 patients over two years with constant hazards at home (frailty shape 2, or ~no frailty)."""
    return load_tiny(*CLEAN, f"cohort.heterogeneity_shape={request.param}")


def crisis_counts(rec: Recorder, n: int) -> np.ndarray:
    """Crises per patient, from the event log."""
    counts = np.zeros(n)
    assert rec.events is not None
    for pid, _, activity, _ in rec.events:
        if activity == "crisis":
            counts[pid] += 1
    return counts


def test_crises_per_person_year_at_home_match_tier_rates(clean: Scenario, run_one, figure) -> None:
    """Per tier, crises = rate x frailty-weighted person-years at home ± 4 sqrt(expected).

    The plain rate per person-year at home is the tier rate only without frailty: frail patients
    spend more time in hospital, so with heterogeneity it falls below it (printed, and checked
    for the homogeneous cohort).
    """
    cohort, rec = run_one(clean, "baseline", 0, log_events=True)
    patients = cohort.patients
    counts = crisis_counts(rec, len(patients))
    assert counts.sum() == rec.total(M.crises, include_warm_up=True)
    assert sum(d[RESIDENTIAL] for d in rec.state_days) == 0.0
    assert rec.total(M.emergency_admissions, include_warm_up=True) > 1000  # time at home really varies
    home = np.array([d[HOME] for d in rec.state_days])
    rate = np.array([p.crisis_rate for p in patients])  # per day, tier mean x frailty
    tier = np.array([p.tier for p in patients])
    shape = clean.cohort.heterogeneity_shape
    for t, spec in enumerate(clean.cohort.tiers):
        mine = tier == t
        observed = counts[mine].sum()
        configured = RATES[spec.name]
        expected = (rate[mine] * home[mine]).sum()
        frailty_years = expected / (configured / DAYS_PER_YEAR) / DAYS_PER_YEAR
        person_years = home[mine].sum() / DAYS_PER_YEAR
        weighted = observed / frailty_years
        se = math.sqrt(expected) / frailty_years
        text = (
            f"Crisis rate at home, tier {spec.name}, frailty shape {shape:g}: {weighted:.3f} vs {configured:.3f} "
            f"± {se:.3f} per frailty-weighted person-year (plain: {observed / person_years:.3f} per person-year)"
        )
        figure(text)
        assert abs(weighted - configured) <= Z * se, text
        if shape > 1e5:  # no frailty: the plain rate per person-year at home is the tier rate
            assert abs(observed / person_years - configured) <= Z * math.sqrt(observed) / person_years, text


def test_every_event_type_matches_its_compensator(clean: Scenario, run_one, figure) -> None:
    """Crises, falls, social crises, declines and deaths = sum of rate x days at home ± 4 sqrt(sum)."""
    cohort, rec = run_one(clean, "baseline", 0, log_events=True)
    background = background_mortality(clean)
    ev = clean.cohort.events
    home = np.array([d[HOME] for d in rec.state_days])
    per_year = {
        "crises": [p.crisis_rate * DAYS_PER_YEAR for p in cohort.patients],
        "falls": [ev.fall_rate_per_year_80plus if p.age >= 80 else ev.fall_rate_per_year for p in cohort.patients],
        "social_crises": [
            (ev.social_crisis_rate_per_year_alone if p.lives_alone else ev.social_crisis_rate_per_year)
            * (ev.social_crisis_anxious_rate_ratio if p.anxious_at_night else 1.0)
            for p in cohort.patients
        ],
        "declines": [ev.decline_rate_per_year] * len(cohort.patients),
        # No fatal crises here (in-hospital mortality 0): the background hazard is all of it.
        "deaths": [background.home_per_day[p.tier] * DAYS_PER_YEAR for p in cohort.patients],
    }
    for metric, rates in per_year.items():
        observed = rec.total(getattr(M, metric), include_warm_up=True)
        expected = float((np.asarray(rates) / DAYS_PER_YEAR * home).sum())
        se = math.sqrt(expected)
        shape = clean.cohort.heterogeneity_shape
        text = f"Event count, {metric} (shape {shape:g}): {observed:.0f} vs {expected:.1f} ± {se:.1f}"
        figure(text)
        assert expected > 100
        assert abs(observed - expected) <= Z * se, text


# --- negative binomial counts at home --------------------------------------------------------------

AT_HOME = (
    "simulation.duration_days=365",
    "simulation.warm_up_days=0",
    "localities.east.cohort_size=6000",
    "localities.west.cohort_size=6000",
    "localities.east.incidence_per_year=0",
    "localities.west.incidence_per_year=0",
    *(f"cohort.tiers.{tier}.crisis_rate_per_year={rate}" for tier, rate in RATES.items()),
    *CRISES_ONLY_AT_HOME,
    *FLAT_WEEK,
)


def vmr_and_se(x: np.ndarray) -> tuple[float, float, float, float]:
    """(mean, its SE, variance-to-mean ratio, its delta-method SE) of a sample of counts.

    With m = mean, v = variance and central moments mu3, mu4, Var(m) = v/n, Var(v) ~ (mu4 - v^2)/n,
    Cov(m, v) ~ mu3/n, and VMR = v/m has gradient (-v/m^2, 1/m).
    """
    n = len(x)
    m = float(x.mean())
    d = x - m
    v, mu3, mu4 = float((d**2).mean()), float((d**3).mean()), float((d**4).mean())
    g_m, g_v = -v / m**2, 1.0 / m
    var_vmr = (g_m**2 * v + 2 * g_m * g_v * mu3 + g_v**2 * (mu4 - v**2)) / n
    return m, math.sqrt(v / n), v / m, math.sqrt(var_vmr)


def test_vmr_standard_error_on_a_known_negative_binomial() -> None:
    """The delta-method SE is right: 200 samples of NB(mean 3, k 2) give z-scores with SD ~ 1."""
    rng = np.random.default_rng(8)
    mean, k, n = 3.0, 2.0, 4000
    z = []
    for _ in range(200):
        x = rng.poisson(mean * rng.gamma(k, 1 / k, n)).astype(float)
        _, _, vmr, se = vmr_and_se(x)
        z.append((vmr - (1 + mean / k)) / se)
    # SD of 200 standard normals: 1 ± 0.05; 4 SE of the SD.
    assert abs(np.std(z) - 1.0) <= 4 * 0.05 and abs(np.mean(z)) <= 4 / math.sqrt(200)


def test_crisis_counts_are_negative_binomial(load_tiny, run_one, figure) -> None:
    """All at home for T: per tier, mean count = lambda T and VMR = 1 + lambda T / k (4 SE each)."""
    scenario = load_tiny(*AT_HOME)
    cohort, rec = run_one(scenario, "baseline", 0, log_events=True)
    horizon = scenario.simulation.horizon_days
    assert all(d[HOME] == horizon for d in rec.state_days)  # everyone at home for all of T
    counts = crisis_counts(rec, len(cohort.patients))
    tier = np.array([p.tier for p in cohort.patients])
    k = scenario.cohort.heterogeneity_shape
    for t, spec in enumerate(scenario.cohort.tiers):
        lam_t = RATES[spec.name] * horizon / DAYS_PER_YEAR
        mean, mean_se, vmr, vmr_se = vmr_and_se(counts[tier == t])
        theory = 1.0 + lam_t / k
        mean_text = f"Crisis count at home, tier {spec.name}: mean {mean:.3f} vs lambda T {lam_t:.3f} ± {mean_se:.3f}"
        text = f"Crisis count at home, tier {spec.name}: VMR {vmr:.3f} vs 1 + lambda T/k {theory:.3f} ± {vmr_se:.3f}"
        figure(mean_text)
        figure(text)
        assert abs(mean - lam_t) <= Z * mean_se, mean_text
        assert abs(vmr - theory) <= Z * vmr_se, text
        assert vmr - 1.0 > Z * vmr_se, "the check can tell over-dispersion from Poisson counts"
