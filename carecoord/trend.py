"""The secular trend: a yearly compounding multiplier on emergency admission rates.

Year ``k`` of the run (days ``[365.25 k, 365.25 (k + 1))`` from the start date, ``k = 0, 1, ...``)
has multiplier ``(1 + g) ** k``: the first simulated year is at the scenario's stated rates
(those its calibration targets describe), and each later year is ``1 + g`` times the one before.
The cohort's crisis rates get it as a named step of their hazard clocks (carecoord.model.patient);
the aggregate stream of the rest of the population gets it on its rates (carecoord.population).

Example:
    >>> yearly_steps(0.03, 800.0)
    ([365.25, 730.5], [1.03, 1.0609])
"""

from __future__ import annotations

import math

import numpy as np

DAYS_PER_YEAR = 365.25


def yearly_steps(growth: float, horizon: float) -> tuple[list[float], list[float]]:
    """Change points (days) and the multiplier from each: ``(1 + growth) ** k`` from year ``k``."""
    times: list[float] = []
    values: list[float] = []
    k = 1
    while k * DAYS_PER_YEAR < horizon:
        times.append(k * DAYS_PER_YEAR)
        values.append((1.0 + growth) ** k)
        k += 1
    return times, values


def trend_factor(growth: float, t: float) -> float:
    """The multiplier at day ``t``."""
    return (1.0 + growth) ** math.floor(t / DAYS_PER_YEAR)


def trend_factor_integral(growth: float, t0: float, t1: float) -> float:
    """Integral of the multiplier over days ``[t0, t1)``: trend-weighted days (``t1 - t0`` without a trend)."""
    if growth == 0.0:
        return t1 - t0
    total = 0.0
    t = t0
    while t < t1:
        end = min(t1, (math.floor(t / DAYS_PER_YEAR) + 1) * DAYS_PER_YEAR)
        total += trend_factor(growth, t) * (end - t)
        t = end
    return total


def trend_exposure(growth: float, t: np.ndarray) -> np.ndarray:
    """Trend-weighted days from day 0 to each day in ``t`` (the integral of the multiplier), vectorised.

    Year ``k`` contributes ``365.25 (1 + g) ** k``, a geometric sum, so ``F(t)`` needs no loop:
    ``F(t1) - F(t0)`` is :func:`trend_factor_integral` ``(g, t0, t1)`` for any number of intervals.
    """
    t = np.asarray(t, dtype=float)
    if growth == 0.0:
        return t
    k = np.floor(t / DAYS_PER_YEAR)
    factor = (1.0 + growth) ** k
    return DAYS_PER_YEAR * (factor - 1.0) / growth + factor * (t - k * DAYS_PER_YEAR)


__all__ = ["trend_exposure", "trend_factor", "trend_factor_integral", "yearly_steps"]
