"""The monthly table: a complete grid (zeros kept), the whole scenario as locality ``all``, and
admissions avoided month by month.

Zeros are kept so that a mean over rows is a mean over months (a table that drops zero months
makes a naive monthly mean too high). ``all`` is the sum over localities, as in
``replications.csv``. Admissions avoided is the baseline's emergency admissions minus the arm's,
in the same replication, locality and month (common random numbers make the pair comparable).

Example:
    >>> frame = monthly_frame(0, "integrated", results["integrated"], results["baseline"], ["east"])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carecoord.metrics import ALL_INDEX, ALL_METRICS, ArmResult
from carecoord.population_metrics import MONTHLY_POPULATION_METRICS, population_monthly

ALL_LOCALITIES = "all"
MONTHLY_COLUMNS = ["replication", "arm", "locality", "month", "metric", "value"]
MONTHLY_METRICS: tuple[str, ...] = (*ALL_METRICS, "admissions_avoided")


def monthly_frame(
    replication: int, arm: str, result: ArmResult, baseline: ArmResult, localities: list[str]
) -> pd.DataFrame:
    """One arm of one replication: every metric x (``all`` + localities) x month, warm-up excluded."""
    values = result.values[:, :, 1:]  # drop the warm-up bin
    admissions = ALL_INDEX["emergency_admissions"]
    avoided = baseline.values[admissions, :, 1:] - values[admissions]
    grid = np.concatenate([values, avoided[np.newaxis]], axis=0)  # metric, locality, month
    grid = np.concatenate([grid.sum(axis=1, keepdims=True), grid], axis=1)  # 'all' first
    metrics = list(MONTHLY_METRICS)
    whole = population_monthly(result)  # the whole population's, when localities give one ('all' first)
    if whole is not None:
        grid = np.concatenate([grid, whole], axis=0)
        metrics += MONTHLY_POPULATION_METRICS
    index = pd.MultiIndex.from_product(
        [metrics, [ALL_LOCALITIES, *localities], result.bin_labels[1:]],
        names=["metric", "locality", "month"],
    )
    frame = pd.DataFrame({"value": grid.reshape(-1)}, index=index).reset_index()
    frame.insert(0, "arm", arm)
    frame.insert(0, "replication", replication)
    if whole is not None:  # no whole-population rows for a locality without a population
        frame = frame[frame["value"].notna()].reset_index(drop=True)
    return frame[MONTHLY_COLUMNS]
