"""The population outside the cohort, as an aggregate stream: admissions and bed days per month.

People outside the at-risk cohort are many (a practice list is ~20 times its top 5%) and each
uses hospitals rarely, so they are not simulated one by one: each (locality, age band, month)
draws a Poisson number of emergency admissions and, for them, a gamma-distributed total of bed
days (the sum of that many exponential stays). All draws come from the generator of the
``population.aggregate`` stream keyed by (seed, replication, locality), never from the patients'
streams, so the cohort's common random numbers are untouched and both arms get the same stream.

The rates in ``population_rates`` are per person of the whole population (published tables
include the high-risk people), so the cohort's own expected admissions (each patient's tier's
observed rate over their expected time alive, from the day they join: incident patients too) are
taken out of their band: in the baseline, cohort + rest then match the published rate.
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
from carecoord.trend import trend_exposure

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
    counts = np.zeros((len(scenario.localities), len(scenario.population_rates.bands)))
    initial = [p for p in cohort.patients if p.arrival <= 0]
    band = band_index(scenario, np.array([p.age for p in initial]))
    kept = band >= 0
    np.add.at(counts, (np.array([p.locality for p in initial], dtype=int)[kept], band[kept]), 1.0)
    return counts


def band_index(scenario: Scenario, ages: np.ndarray) -> np.ndarray:
    """Each age's band in ``population_rates`` (``-1`` for an age no band covers)."""
    bands = np.array([band_ages(name) for name in scenario.population_rates.names]).reshape(-1, 2)
    index = np.searchsorted(bands[:, 0], ages, side="right") - 1
    inside = (index >= 0) & (ages < bands[np.maximum(index, 0), 1])
    return np.where(inside, index, -1)


def cohort_expected_admissions(scenario: Scenario, cohort: Cohort, calendar: Calendar) -> np.ndarray:
    """The cohort's expected admissions per (locality, band, bin): what the rest must not count again.

    Each patient counts from their arrival (day 0 for the initial cohort, the day they become
    high-risk for incident patients), in the band of their age on arrival, at their tier's observed
    rate (``emergency_admissions_per_person_year``: admissions per person-year alive, which calibration
    reproduces) times their expected days alive: survival ``exp(-m (t - arrival))`` with the tier's
    ``mortality_per_year`` m, so a patient who would have died is handed back to the rest (the
    population is fixed) without making the stream depend on the arm's deaths. Trend-weighted as the
    cohort's crisis rates are (the bin's mean trend factor). One array operation over patients x bins.
    """
    n_localities = len(scenario.localities)
    n_bands = len(scenario.population_rates.bands)
    n_bins = calendar.n_bins
    out = np.zeros((n_localities * n_bands, n_bins))
    if not cohort.patients:
        return out.reshape(n_localities, n_bands, n_bins)
    trend = scenario.simulation.trend
    growth = 0.0 if trend is None else trend.emergency_admissions_per_year
    ends = np.array(calendar.bin_ends, dtype=float)
    starts = np.concatenate([[0.0], ends[:-1]])
    factor = np.diff(trend_exposure(growth, np.concatenate([[0.0], ends]))) / (ends - starts)  # bin's mean trend
    tiers = scenario.cohort.tiers
    tier_rates = np.array([t.emergency_admissions_per_person_year for t in tiers]) / DAYS_PER_YEAR
    tier_mortality = np.array([t.mortality_per_year for t in tiers]) / DAYS_PER_YEAR
    patients = cohort.patients
    locality = np.array([p.locality for p in patients], dtype=int)
    band = band_index(scenario, np.array([p.age for p in patients], dtype=float))
    tier = np.array([p.tier for p in patients], dtype=int)
    arrival = np.array([p.arrival for p in patients], dtype=float)[:, np.newaxis]
    mortality = tier_mortality[tier][:, np.newaxis]
    # Expected days alive in each bin: the integral of exp(-m (t - arrival)) from max(bin start, arrival)
    # to the bin's end (the bin's length x 0 before arrival; plain days when m = 0).
    low = np.maximum(starts[np.newaxis, :], arrival) - arrival
    high = np.maximum(ends[np.newaxis, :] - arrival, low)
    safe = np.where(mortality > 0, mortality, 1.0)
    alive = np.where(mortality > 0, (np.exp(-safe * low) - np.exp(-safe * high)) / safe, high - low)
    kept = band >= 0
    expected = tier_rates[tier][kept, np.newaxis] * alive[kept] * factor[np.newaxis, :]
    np.add.at(out, locality[kept] * n_bands + band[kept], expected)
    return out.reshape(n_localities, n_bands, n_bins)


def expected_rest_admissions(scenario: Scenario, cohort: Cohort, calendar: Calendar) -> np.ndarray:
    """Expected admissions of the people outside the cohort per (locality, band, bin), trend included.

    A band's whole-population admissions (people x rate x trend-weighted days) less the cohort's
    expected admissions in it (:func:`cohort_expected_admissions`), never below zero.
    """
    trend = scenario.simulation.trend
    growth = 0.0 if trend is None else trend.emergency_admissions_per_year
    rates = scenario.population_rates.bands
    per_day = np.array([b.emergency_admissions_per_1000 for b in rates]) / 1000.0 / DAYS_PER_YEAR
    given = [loc.population or {} for loc in scenario.localities]
    people = np.array([[population.get(b.band, 0) for b in rates] for population in given], dtype=float)
    exposure = np.diff(trend_exposure(growth, np.array([0.0, *calendar.bin_ends])))  # trend-weighted days per bin
    whole = (people * per_day)[:, :, np.newaxis] * exposure[np.newaxis, np.newaxis, :]
    return np.maximum(0.0, whole - cohort_expected_admissions(scenario, cohort, calendar))


def population_stream(
    scenario: Scenario, cohort: Cohort, replication: int, calendar: Calendar
) -> PopulationStream | None:
    """The aggregate stream of one replication (zero in localities without a population), or ``None`` when
    no locality states one."""
    given = np.array([loc.population is not None for loc in scenario.localities])
    if not given.any():
        return None
    mean = expected_rest_admissions(scenario, cohort, calendar)  # [locality, band, bin]
    stays = np.array([b.mean_length_of_stay_days for b in scenario.population_rates.bands])
    values = np.zeros((len(STREAM_METRICS), len(scenario.localities), calendar.n_bins))
    seed = scenario.simulation.seed
    for loc in range(len(scenario.localities)):
        rng = generator(seed, replication, loc, stream_key(POPULATION_STREAM))
        admissions = rng.poisson(mean[loc])
        bed_days = rng.gamma(admissions, np.broadcast_to(stays[:, np.newaxis], admissions.shape))  # 0 for none
        values[REST_ADMISSIONS, loc] = admissions.sum(axis=0)
        values[REST_BED_DAYS, loc] = bed_days.sum(axis=0)
    population = np.array([sum((loc.population or {}).values()) for loc in scenario.localities], dtype=float)
    years = (calendar.horizon - calendar.warm_up) / DAYS_PER_YEAR
    return PopulationStream(values=values, population=population, years=years, given=given)


__all__ = [
    "STREAM_METRICS",
    "PopulationStream",
    "band_index",
    "cohort_by_band",
    "cohort_expected_admissions",
    "expected_rest_admissions",
    "population_stream",
]
