"""Whole-population results: the cohort (simulated) plus the rest (the aggregate stream), per 1,000.

Pure functions of an arm's result and the replication's :class:`~carecoord.population.PopulationStream`.
Both arms share the stream, so every difference between arms in these metrics comes from the cohort.

Example:
    >>> population_metrics(result, locality=None)["population_emergency_admissions_per_1000"]
"""

from __future__ import annotations

import numpy as np

from carecoord.metrics import ALL_INDEX, ArmResult
from carecoord.population import REST_ADMISSIONS, REST_BED_DAYS

POPULATION_METRICS: tuple[str, ...] = (
    "population",
    "rest_emergency_admissions",
    "rest_bed_days",
    "population_emergency_admissions",
    "population_bed_days",
    "population_emergency_admissions_per_1000",
    "population_bed_days_per_1000",
    "cohort_share_of_admissions",
)
"""``population``: people (cohort included); ``rest_*``: the people outside the cohort; ``population_*``:
cohort + rest; ``*_per_1000``: a year per 1,000 people, results window only."""


def population_metrics(result: ArmResult, locality: int | None = None) -> dict[str, float]:
    """Whole-population metrics of one arm: of one locality, or with ``None`` of all that state a population
    (the cohorts of the others left out); empty where there is no population."""
    stream = result.population
    if stream is None or (locality is not None and not stream.given[locality]):
        return {}
    where = np.flatnonzero(stream.given) if locality is None else [locality]
    people = float(stream.population[where].sum())
    rest_admissions = float(stream.values[REST_ADMISSIONS, where, 1:].sum())
    rest_bed_days = float(stream.values[REST_BED_DAYS, where, 1:].sum())
    admissions = sum(result.total("emergency_admissions", int(loc)) for loc in where) + rest_admissions
    bed_days = sum(result.total("bed_days", int(loc)) for loc in where) + rest_bed_days
    per_1000 = 1000.0 / (people * stream.years) if people else float("nan")
    return {
        "population": people,
        "rest_emergency_admissions": rest_admissions,
        "rest_bed_days": rest_bed_days,
        "population_emergency_admissions": admissions,
        "population_bed_days": bed_days,
        "population_emergency_admissions_per_1000": admissions * per_1000,
        "population_bed_days_per_1000": bed_days * per_1000,
        "cohort_share_of_admissions": (admissions - rest_admissions) / admissions if admissions else float("nan"),
    }


MONTHLY_POPULATION_METRICS: tuple[str, ...] = (
    "rest_emergency_admissions",
    "rest_bed_days",
    "population_emergency_admissions",
    "population_bed_days",
)


def population_monthly(result: ArmResult) -> np.ndarray | None:
    """``[MONTHLY_POPULATION_METRICS, 'all' + localities, month]`` of the results window, NaN in localities
    without a population ('all': those with one), or ``None`` when none has one."""
    stream = result.population
    if stream is None:
        return None
    rest = stream.values[[REST_ADMISSIONS, REST_BED_DAYS], :, 1:]
    cohort = result.values[[ALL_INDEX["emergency_admissions"], ALL_INDEX["bed_days"]], :, 1:]
    grid = np.concatenate([rest, rest + cohort], axis=0)
    whole = grid[:, stream.given].sum(axis=1, keepdims=True)
    grid[:, ~stream.given] = np.nan
    return np.concatenate([whole, grid], axis=1)


__all__ = ["MONTHLY_POPULATION_METRICS", "POPULATION_METRICS", "population_metrics", "population_monthly"]
