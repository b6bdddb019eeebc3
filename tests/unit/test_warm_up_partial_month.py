"""The warm-up check ignores a month only partly inside the results window (review finding 2).

Results starting on 31 March give March one day: its admissions are ~1/31 of a full month's, which
a naive first-three-months comparison reads as a large drift. The baseline here is stationary, so
the check must not ask for a longer warm-up, and the figure must start at the first whole month.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from carecoord.plots.timeseries import warm_up, warm_up_warning
from carecoord.results import Results


def _results(rate_per_day: float = 10.0, replications: int = 6) -> Results:
    """A stationary baseline: Poisson admissions at a fixed daily rate, results from 31 March 2024."""
    rng = np.random.default_rng(2024)
    start, warm_up_days, duration = "2023-04-01", 365, 365 + 366  # results 31 Mar 2024 to 31 Mar 2025
    days = pd.date_range("2024-03-31", periods=366, freq="D")
    per_month = pd.Series(1, index=days).groupby(days.strftime("%Y-%m")).sum()
    rows = [
        {"replication": r, "arm": "baseline", "locality": "all", "month": month, "metric": "emergency_admissions",
         "value": float(rng.poisson(rate_per_day * n_days))}
        for r in range(replications) for month, n_days in per_month.items()
    ]  # fmt: skip
    manifest = {
        "scenario": {
            "name": "stationary",
            "simulation": {"start_date": start, "warm_up_days": warm_up_days, "duration_days": duration},
            "arms": [{"name": "baseline"}],
            "localities": [],
        }
    }
    empty = pd.DataFrame()
    return Results(Path("."), manifest, empty, pd.DataFrame({"replication": range(replications)}), pd.DataFrame(rows))


def test_a_one_day_first_month_is_not_read_as_warm_up_drift() -> None:
    results = _results()
    assert results.complete_months()[0] == "2024-04"
    assert warm_up_warning(results) is None


def test_the_warm_up_figure_starts_at_the_first_whole_month() -> None:
    fig = warm_up(_results())
    (mean,) = [line for line in fig.axes[0].get_lines() if line.get_label() == "mean of replications"]
    assert pd.Timestamp(mean.get_xdata()[0]) == pd.Timestamp("2024-04-01")
    assert "the warm-up looks long enough" in fig.get_suptitle().replace("\n", " ")
