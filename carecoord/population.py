"""The population outside the cohort, as an aggregate stream: admissions and bed days per month.

People outside the at-risk cohort are many (a practice list is ~20 times its top 5%) and each
uses hospitals rarely, so they are not simulated one by one: each (locality, age band, month)
draws a Poisson number of emergency admissions and, for them, a gamma-distributed total of bed
days (the sum of that many exponential stays). All draws come from the generator of the
``population.aggregate`` stream keyed by (seed, replication, locality), never from the patients'
streams, so the cohort's common random numbers are untouched and both arms get the same stream.

The rates in ``population_rates`` are per person of the whole population (published tables
include the high-risk people), so the cohort's own expected admissions (its tiers' observed
rates) are taken out of each band: in the baseline, cohort + rest then match the published rate.
The secular trend multiplies these rates by (1 + g) per simulated year, as it does the cohort's
crisis rates (carecoord.trend).

No mechanism acts on this stream yet; it is where spill-over (a shared assessment or seven-day
social work reaching people who are not enrolled) would act.

Example:
    >>> stream = population_stream(scenario, cohort, replication=0)
    >>> stream.values[REST_ADMISSIONS].sum()
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from carecoord.calendar import Calendar
from carecoord.cohort import Cohort
from carecoord.scenario.population import band_ages
from carecoord.scenario.schema import Scenario
from carecoord.streams import POPULATION_STREAM, generator, stream_key
from carecoord.trend import trend_factor_integral

DAYS_PER_YEAR = 365.25
REST_ADMISSIONS, REST_BED_DAYS = range(2)
STREAM_METRICS: tuple[str, ...] = ("rest_emergency_admissions", "rest_bed_days")


@dataclass
class PopulationStream:
    """What the people outside the cohort did in one replication (the same for every arm)."""

    values: np.ndarray  # [metric (STREAM_METRICS), locality, bin]; bin 0 = warm-up
    population: np.ndarray  # people per locality (all bands, cohort included)
    years: float  # length of the results window, years (for rates per 1,000 a year)
    given: np.ndarray  # per locality: does it state a population (locality 'all' sums those that do)


def cohort_by_band(scenario: Scenario, cohort: Cohort) -> np.ndarray:
    """The initial cohort's patients per (locality, band), by age on day one."""
    bands = [band_ages(name) for name in scenario.population_rates.names]
    counts = np.zeros((len(scenario.localities), len(bands)))
    for p in cohort.patients:
        if p.arrival > 0:
            continue
        for b, (low, high) in enumerate(bands):
            if low <= p.age < high:
                counts[p.locality, b] += 1
                break
    return counts


def expected_rest_admissions_per_day(scenario: Scenario, cohort: Cohort) -> np.ndarray:
    """Expected admissions a day of the people outside the cohort, per (locality, band), before any trend.

    A band's whole-population admissions (people x rate) less the cohort's expected admissions in
    it (patients x the tiers' mean observed rate), never below zero.
    """
    rates = scenario.population_rates.bands
    per_1000 = np.array([b.emergency_admissions_per_1000 for b in rates]) / 1000.0
    tiers = scenario.cohort.tiers
    cohort_rate = sum(t.share * t.emergency_admissions_per_person_year for t in tiers)
    given = [loc.population or {} for loc in scenario.localities]
    people = np.array([[population.get(b.band, 0) for b in rates] for population in given], dtype=float)
    in_cohort = np.minimum(cohort_by_band(scenario, cohort), people)
    return np.maximum(0.0, people * per_1000 - in_cohort * cohort_rate) / DAYS_PER_YEAR


def population_stream(
    scenario: Scenario, cohort: Cohort, replication: int, calendar: Calendar
) -> PopulationStream | None:
    """The aggregate stream of one replication (zero in localities without a population), or ``None`` when
    no locality states one."""
    given = np.array([loc.population is not None for loc in scenario.localities])
    if not given.any():
        return None
    per_day = expected_rest_admissions_per_day(scenario, cohort)  # [locality, band]
    stays = np.array([b.mean_length_of_stay_days for b in scenario.population_rates.bands])
    trend = scenario.simulation.trend
    growth = 0.0 if trend is None else trend.emergency_admissions_per_year
    starts = [0.0, *calendar.bin_ends[:-1]]
    exposure = np.array(
        [trend_factor_integral(growth, t0, t1) for t0, t1 in zip(starts, calendar.bin_ends, strict=True)]
    )  # trend-weighted days per bin
    values = np.zeros((len(STREAM_METRICS), len(scenario.localities), calendar.n_bins))
    seed = scenario.simulation.seed
    for loc in range(len(scenario.localities)):
        rng = generator(seed, replication, loc, stream_key(POPULATION_STREAM))
        mean = per_day[loc][:, np.newaxis] * exposure[np.newaxis, :]  # [band, bin]
        admissions = rng.poisson(mean)
        bed_days = rng.gamma(admissions, np.broadcast_to(stays[:, np.newaxis], admissions.shape))  # 0 for none
        values[REST_ADMISSIONS, loc] = admissions.sum(axis=0)
        values[REST_BED_DAYS, loc] = bed_days.sum(axis=0)
    population = np.array([sum((loc.population or {}).values()) for loc in scenario.localities], dtype=float)
    years = (calendar.horizon - calendar.warm_up) / DAYS_PER_YEAR
    return PopulationStream(values=values, population=population, years=years, given=given)


__all__ = ["STREAM_METRICS", "PopulationStream", "cohort_by_band", "population_stream"]
