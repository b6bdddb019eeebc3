"""The t-interval helper against scipy.stats (an independent implementation of Student's t)."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as scipy_stats

from carecoord.stats import mean_ci, t_half_width


def test_half_width_matches_scipy_t_interval() -> None:
    """Vectorised over std and n; each equals scipy's t.interval half-width."""
    std = np.array([1.0, 2.5, 0.3])
    n = np.array([2, 5, 30])
    expected = [scipy_stats.t.interval(0.95, k - 1, scale=s / math.sqrt(k))[1] for s, k in zip(std, n, strict=True)]
    np.testing.assert_allclose(t_half_width(std, n), expected, rtol=1e-12)


def test_half_width_other_level_and_scalar() -> None:
    assert float(t_half_width(2.0, 10, 0.9)) == scipy_stats.t.ppf(0.95, 9) * 2.0 / math.sqrt(10)


def test_half_width_is_nan_below_two() -> None:
    """One value has no spread: NaN, not a division error."""
    out = t_half_width([1.0, 1.0, 1.0], [0, 1, 3])
    assert math.isnan(out[0]) and math.isnan(out[1]) and out[2] > 0


def test_mean_ci_uses_the_same_interval() -> None:
    values = [1.0, 2.0, 4.0, 7.0]
    mean, lo, hi = mean_ci(values)
    half = float(t_half_width(np.std(values, ddof=1), len(values)))
    assert mean == 3.5 and math.isclose(hi - mean, half) and math.isclose(mean - lo, half)
