"""Whole populations and the secular trend (issue 9, items 1 and 4).

- Off by default: a scenario without ``population`` and ``trend`` gives the tables it gave before
  (no new rows), and turning the population on changes no cohort number (its stream is its own).
- The aggregate stream draws what its rates say: totals within Poisson (and compound-Poisson)
  standard errors of their expectation.
- A 3%/year trend makes the second year's crisis rate 1.03 times the first's, within its standard
  error.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from carecoord.cohort import generate_cohort
from carecoord.experiment import build_tables, run_replications
from carecoord.locations import HOME
from carecoord.model.world import make_calendar
from carecoord.population import (
    REST_ADMISSIONS,
    REST_BED_DAYS,
    cohort_by_band,
    expected_rest_admissions,
    population_stream,
)
from carecoord.population_metrics import POPULATION_METRICS
from carecoord.scenario.population import band_ages
from carecoord.trend import trend_exposure, trend_factor_integral, yearly_steps
from tests.verification.conftest import CRISES_ONLY_AT_HOME
from tests.verification.test_event_rates import FLAT_WEEK

EAST = "localities.0.population={0-64: 20000, 65-74: 2500, 75-84: 1500, 85+: 600}"
WEST = "localities.1.population={0-64: 15000, 65-74: 2000, 75-84: 1200, 85+: 500}"
Z = 3.0  # |z| < 3: a fixed-seed test that a correct stream fails with probability 0.27%


def test_without_population_the_tables_have_no_population_rows(load_tiny) -> None:
    scenario = load_tiny("simulation.duration_days=240", "simulation.warm_up_days=60")
    tables = build_tables(scenario, run_replications(scenario, 1, workers=1))
    assert not set(POPULATION_METRICS) & set(tables.replications["metric"])


def test_population_on_leaves_every_cohort_number_unchanged(load_tiny) -> None:
    """Same cohort arrays in every arm, bit for bit; the population rows are added, none changed."""
    short = ("simulation.duration_days=240", "simulation.warm_up_days=60")
    off = load_tiny(*short)
    on = load_tiny(*short, EAST, WEST)
    runs_off = run_replications(off, 2, workers=1)
    runs_on = run_replications(on, 2, workers=1)
    for r_off, r_on in zip(runs_off, runs_on, strict=True):
        for arm in off.arm_names:
            assert np.array_equal(r_off[arm].values, r_on[arm].values)
            assert r_off[arm].tier_admissions == r_on[arm].tier_admissions
    rows_off = build_tables(off, runs_off).replications
    tables_on = build_tables(on, runs_on)
    rows_on = tables_on.replications
    # The monthly table adds up to the whole-run rows, whole population included.
    monthly = tables_on.monthly.groupby(["replication", "arm", "locality", "metric"])["value"].sum()
    for metric in ("population_emergency_admissions", "rest_bed_days"):
        run_rows = rows_on[rows_on["metric"] == metric].set_index(["replication", "arm", "locality", "metric"])
        for key, value in run_rows["value"].items():
            assert monthly[key] == pytest.approx(value)
    cohort_rows = rows_on[~rows_on["metric"].isin(POPULATION_METRICS)].reset_index(drop=True)
    assert cohort_rows.equals(rows_off)
    assert set(POPULATION_METRICS) <= set(rows_on["metric"])
    # Both arms see the same people outside the cohort: arms differ only through the cohort.
    whole = rows_on[(rows_on["locality"] == "all")].set_index(["replication", "arm", "metric"])["value"]
    for r in range(2):
        rest = [whole[(r, arm, "rest_emergency_admissions")] for arm in on.arm_names]
        assert len(set(rest)) == 1
        cohort = (
            whole[(r, "integrated", "population_emergency_admissions")]
            - whole[(r, "integrated", "rest_emergency_admissions")]
        )
        total = sum(runs_on[r]["integrated"].total("emergency_admissions", loc) for loc in range(2))
        assert cohort == pytest.approx(total)


def test_aggregate_counts_match_their_rates_within_poisson_errors(load_tiny) -> None:
    """Admissions over all bins and 20 replications: Poisson, so |observed - expected| < 3 sqrt(expected).

    Bed days are a compound Poisson sum of exponential stays (mean L): variance = expected admissions
    x E[stay^2] = expected admissions x 2 L^2, per band.
    """
    scenario = load_tiny(EAST, WEST, "simulation.trend={emergency_admissions_per_year: 0.05}")
    calendar = make_calendar(scenario)
    stays = np.array([b.mean_length_of_stay_days for b in scenario.population_rates.bands])
    observed_admissions = observed_bed_days = expected_admissions = expected_bed_days = bed_day_variance = 0.0
    for r in range(20):
        cohort = generate_cohort(scenario, r)
        stream = population_stream(scenario, cohort, r, calendar)
        assert stream is not None
        per_band = expected_rest_admissions(scenario, cohort, calendar).sum(axis=2)  # [locality, band]
        observed_admissions += stream.values[REST_ADMISSIONS].sum()
        observed_bed_days += stream.values[REST_BED_DAYS].sum()
        expected_admissions += per_band.sum()
        expected_bed_days += (per_band * stays).sum()
        bed_day_variance += (per_band * 2 * stays**2).sum()
    assert abs(observed_admissions - expected_admissions) < Z * math.sqrt(expected_admissions)
    assert abs(observed_bed_days - expected_bed_days) < Z * math.sqrt(bed_day_variance)


def test_the_rest_is_the_population_rate_less_the_cohorts_expected_admissions(load_tiny) -> None:
    """Per locality over the run: people x rate per 1,000, less each patient's tier rate x their expected years
    alive in the cohort (initial and incident patients; no trend, no band clipped to zero at these sizes)."""
    scenario = load_tiny(EAST, WEST)
    calendar = make_calendar(scenario)
    cohort = generate_cohort(scenario, 0)
    rest = expected_rest_admissions(scenario, cohort, calendar).sum(axis=(1, 2))
    horizon = calendar.bin_ends[-1]
    rates = {b.band: b.emergency_admissions_per_1000 / 1000 for b in scenario.population_rates.bands}
    assert any(p.arrival > 0 for p in cohort.patients)
    for loc, locality in enumerate(scenario.localities):
        assert locality.population is not None
        whole = sum(n * rates[band] for band, n in locality.population.items()) * horizon / 365.25
        here = [p for p in cohort.patients if p.locality == loc]
        in_cohort = sum(expected_alive_admissions(scenario, p, horizon) for p in here)
        assert rest[loc] == pytest.approx(whole - in_cohort)
    assert cohort_by_band(scenario, cohort).sum() == sum(1 for p in cohort.patients if p.arrival == 0)


def expected_alive_admissions(scenario, patient, horizon: float) -> float:
    """A patient's tier rate x their expected years alive from arrival to ``horizon`` at the tier's mortality m:
    the integral of exp(-m t) over (horizon - arrival) years, (1 - exp(-m T)) / m."""
    tier = scenario.cohort.tiers[patient.tier]
    years = (horizon - patient.arrival) / 365.25
    m = tier.mortality_per_year
    alive = years if m == 0 else (1 - math.exp(-m * years)) / m
    return tier.emergency_admissions_per_person_year * alive


def test_trend_exposure_is_the_integral_of_the_trend() -> None:
    days = np.array([0.0, 100.0, 365.25, 500.0, 1200.0])
    for growth in (0.0, 0.032, -0.1):
        expected = [trend_factor_integral(growth, 0.0, t) for t in days]
        assert trend_exposure(growth, days) == pytest.approx(expected)


def test_with_large_incidence_cohort_and_rest_have_the_published_band_rates(load_tiny) -> None:
    """Incident patients are taken out of the rest from the day they join, in the band of their age.

    Over the run, 2 localities and 3 replications: the rest's drawn admissions plus the cohort's
    expected admissions (each patient's tier rate x expected years alive from arrival to the end at
    the tier's mortality, computed here independently of the package) equal people x published rate x
    years. The rest's total is Poisson given the cohort, so its standard error is sqrt(expected rest);
    the cohort's part is fixed given the cohort: |difference| < 3 SE. Before incident patients were
    taken out, the rest also counted their admissions: the test checks that this double count is over
    2 x 3 SE, so the old stream fails it.
    By band, the stream's expected admissions are the published band's less the cohort's expected there
    (by age on arrival), exactly (no band is clipped to zero at these sizes).
    """
    scenario = load_tiny(
        "localities.0.population={0-64: 20000, 65-74: 6000, 75-84: 5000, 85+: 3000}",
        "localities.1.population={0-64: 15000, 65-74: 5000, 75-84: 4000, 85+: 2500}",
        "localities.east.incidence_per_year=600",
        "localities.west.incidence_per_year=500",
    )
    calendar = make_calendar(scenario)
    horizon = calendar.bin_ends[-1]
    years = horizon / 365.25
    bands = scenario.population_rates.bands
    people = [sum((loc.population or {})[band.band] for loc in scenario.localities) for band in bands]
    rates = [band.emergency_admissions_per_1000 / 1000 for band in bands]
    published = np.array([n * rate * years for n, rate in zip(people, rates, strict=True)])
    replications = 3
    cohort_expected = np.zeros(len(bands))
    incident_expected = rest_observed = 0.0
    for r in range(replications):
        cohort = generate_cohort(scenario, r)
        stream = population_stream(scenario, cohort, r, calendar)
        assert stream is not None
        rest_observed += stream.values[REST_ADMISSIONS].sum()
        in_run = np.zeros(len(bands))
        for b, band in enumerate(bands):
            low, high = band_ages(band.band)
            for p in cohort.patients:
                if low <= p.age < high:
                    expected = expected_alive_admissions(scenario, p, horizon)
                    in_run[b] += expected
                    incident_expected += expected if p.arrival > 0 else 0.0
        cohort_expected += in_run
        by_band = expected_rest_admissions(scenario, cohort, calendar).sum(axis=(0, 2))
        assert by_band == pytest.approx(published - in_run)
    rest_expected = float(replications * published.sum() - cohort_expected.sum())
    se = math.sqrt(rest_expected)
    difference = rest_observed + cohort_expected.sum() - replications * published.sum()
    assert abs(difference) < Z * se
    assert incident_expected > 2 * Z * se


def test_yearly_steps_compound() -> None:
    times, values = yearly_steps(0.03, 3 * 365.25 + 1)
    assert times == [365.25, 730.5, 1095.75]
    assert values == pytest.approx([1.03, 1.03**2, 1.03**3])
    assert trend_factor_integral(0.03, 300.0, 400.0) == pytest.approx(65.25 + 34.75 * 1.03)


def test_a_3_percent_trend_raises_year_2_crises_by_3_percent(load_tiny, run_one, figure) -> None:
    """Everyone at home, constant rates (crises only): year 2's crises over year 1's is 1.03.

    Each patient's crisis count in a year is Poisson given their frailty, with the same frailty both
    years, so given the two years' total C, year 2's count is binomial(C, p), p = 1.03 / 2.03 (equal
    person-days: no incidence, no deaths). The ratio's log then has standard error sqrt(1/c1 + 1/c2);
    |log ratio - log 1.03| < 3 SE, and the SE is small enough that a missing trend would fail.
    """
    scenario = load_tiny(
        "simulation.duration_days=731",
        "simulation.warm_up_days=0",
        "simulation.trend={emergency_admissions_per_year: 0.03}",
        "localities.east.cohort_size=4000",
        "localities.west.cohort_size=4000",
        "localities.east.incidence_per_year=0",
        "localities.west.incidence_per_year=0",
        "cohort.tiers.moderate.crisis_rate_per_year=8",
        "cohort.tiers.high.crisis_rate_per_year=16",
        *CRISES_ONLY_AT_HOME,
        *FLAT_WEEK,
    )
    _, rec = run_one(scenario, "baseline", 0, log_events=True)
    assert all(days[HOME] == 731 for days in rec.state_days)  # everyone at home all the time
    crisis_days = [t for _, t, activity, _ in rec.events or [] if activity == "crisis"]
    c1 = sum(1 for t in crisis_days if t < 365.25)
    c2 = sum(1 for t in crisis_days if 365.25 <= t < 730.5)
    se = math.sqrt(1 / c1 + 1 / c2)
    figure(f"Trend 3%/year: crises year 2 / year 1 {c2 / c1:.4f} vs 1.03 (log SE {se:.4f}, {c1} and {c2} crises)")
    assert abs(math.log(c2 / c1) - math.log(1.03)) < Z * se
    assert math.log(1.03) > 2 * Z * se


def test_locality_all_sums_the_localities_that_state_a_population(load_tiny) -> None:
    """With east's population only: east has whole-population rows, west none, and 'all' equals east."""
    scenario = load_tiny("simulation.duration_days=240", "simulation.warm_up_days=60", EAST)
    tables = build_tables(scenario, run_replications(scenario, 1, workers=1))
    rows = tables.replications[tables.replications["metric"].isin(POPULATION_METRICS)]
    assert set(rows["locality"]) == {"all", "east"}
    by = rows.set_index(["arm", "locality", "metric"])["value"]
    for arm in scenario.arm_names:
        for metric in POPULATION_METRICS:
            assert by[(arm, "all", metric)] == pytest.approx(by[(arm, "east", metric)])
    monthly = tables.monthly[tables.monthly["metric"] == "population_emergency_admissions"]
    assert set(monthly["locality"]) == {"all", "east"}
