"""The large-mean Poisson quantile gives scipy.stats' counts without importing scipy.stats."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

from carecoord.model.poisson_quantile import poisson_quantile
from carecoord.model.routine import SEARCH_LIMIT, poisson_count


@settings(max_examples=400, deadline=None)
@given(u=st.floats(1e-12, 1 - 1e-12), mean=st.floats(SEARCH_LIMIT, 1e6))
def test_same_count_as_scipy_stats(u: float, mean: float) -> None:
    """Any quantile and mean above the search limit: the count of ``scipy.stats.poisson.ppf``."""
    assert poisson_quantile(u, mean) == int(poisson.ppf(u, mean))


def test_same_counts_on_a_grid_and_at_exact_distribution_values() -> None:
    """Means the routine sessions see, and uniforms sitting exactly on the distribution function."""
    rng = np.random.default_rng(3)
    for mean in (500.5, 612.25, 1_400.0, 9_000.0):
        cdf_points = poisson.cdf(np.arange(int(mean) - 30, int(mean) + 30), mean)
        for u in [*rng.random(200), *cdf_points]:
            assert poisson_count(float(u), mean) == int(poisson.ppf(min(max(u, 1e-12), 1 - 1e-12), mean))
