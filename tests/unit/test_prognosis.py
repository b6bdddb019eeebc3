"""The end-of-life prognosis sees only the current hazard, with error (issue 8, item 3)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from carecoord.model.prognosis import estimated_mortality_12m, recognised, recognised_share

DAY = 1.0 / 365.25


def test_without_error_the_estimate_is_the_true_12_month_mortality() -> None:
    assert estimated_mortality_12m(0.1 * DAY, 0.5, 1.0) == pytest.approx(1 - math.exp(-0.1))
    assert estimated_mortality_12m(0.1 * DAY, 0.01, 0.0) == pytest.approx(1 - math.exp(-0.1))


def test_a_higher_error_quantile_means_a_higher_estimate() -> None:
    values = [estimated_mortality_12m(0.06 * DAY, u, 1.0) for u in (0.1, 0.5, 0.9)]
    assert values == sorted(values) and values[0] < values[2]


def test_exact_prognosis_recognises_exactly_those_above_the_threshold() -> None:
    needed = -math.log(1 - 0.2)  # yearly hazard with 20% 12-month mortality
    assert recognised(needed * 1.01 * DAY, 0.5, 0.0, 0.2)
    assert not recognised(needed * 0.99 * DAY, 0.5, 0.0, 0.2)
    assert recognised_share(needed * 1.01 * DAY, 0.0, 0.2) == 1.0
    assert recognised_share(needed * 0.99 * DAY, 0.0, 0.2) == 0.0
    assert recognised_share(0.0, 1.0, 0.2) == 0.0


@pytest.mark.parametrize("rate", [0.03, 0.086, 0.3])
def test_recognised_share_matches_the_share_of_error_draws(rate: float) -> None:
    """Monte Carlo over the error quantile: the share recognised is the analytic one within 4 SE."""
    u = np.random.default_rng(5).random(20_000)
    hits = np.mean([recognised(rate * DAY, float(x), 1.0, 0.2) for x in u])
    share = recognised_share(rate * DAY, 1.0, 0.2)
    se = math.sqrt(share * (1 - share) / len(u))
    assert abs(hits - share) <= 4 * se + 1e-12
    assert 0.0 < share < 1.0
