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
    """Whole-population metrics of one arm (one locality, or all with ``None``); empty without a population."""
    stream = result.population
    if stream is None:
        return {}
    where = slice(None) if locality is None else slice(locality, locality + 1)
    people = float(stream.population[where].sum())
    rest_admissions = float(stream.values[REST_ADMISSIONS, where, 1:].sum())
    rest_bed_days = float(stream.values[REST_BED_DAYS, where, 1:].sum())
    admissions = result.total("emergency_admissions", locality) + rest_admissions
    bed_days = result.total("bed_days", locality) + rest_bed_days
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
    """``[MONTHLY_POPULATION_METRICS, locality, month]`` of the results window, or ``None`` without a population."""
    stream = result.population
    if stream is None:
        return None
    rest = stream.values[[REST_ADMISSIONS, REST_BED_DAYS], :, 1:]
    cohort = result.values[[ALL_INDEX["emergency_admissions"], ALL_INDEX["bed_days"]], :, 1:]
    return np.concatenate([rest, rest + cohort], axis=0)


__all__ = ["MONTHLY_POPULATION_METRICS", "POPULATION_METRICS", "population_metrics", "population_monthly"]
