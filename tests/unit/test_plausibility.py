"""The growing-queue rule on hand-made monthly tables: growth beyond noise is flagged, steady waits are not."""

from __future__ import annotations

import pandas as pd
import pytest

from carecoord.plausibility import GROWTH_RATIO, WindowTotals, queue_growth

MONTHS = [f"2015-{m:02d}" for m in range(1, 10)]
FIRST, LAST = MONTHS[:3], MONTHS[-3:]


def monthly(waits: dict[int, list[float]], uses_per_month: float = 10.0) -> pd.DataFrame:
    """Social-work waits (hours per month, by replication) and a steady 10 assessments a month."""
    rows = []
    for rep, per_month in waits.items():
        for month, wait in zip(MONTHS, per_month, strict=True):
            rows.append((rep, "baseline", "east", month, "wait_hours_social_work", wait))
            rows.append((rep, "baseline", "east", month, "social_work_assessments", uses_per_month))
    return pd.DataFrame(rows, columns=["replication", "arm", "locality", "month", "metric", "value"])


def growth(frame: pd.DataFrame) -> tuple[float, float] | None:
    reps = sorted(frame["replication"].unique())
    return queue_growth(
        WindowTotals(frame, FIRST), WindowTotals(frame, LAST), "baseline", ["east"], "social_work", reps
    )


def test_a_queue_that_grows_in_every_replication_is_flagged() -> None:
    """Waits rise from ~1 h to ~10 h per assessment in all three replications."""
    ramp = [10.0, 10.0, 10.0, 40.0, 60.0, 80.0, 100.0, 100.0, 100.0]
    frame = monthly({0: ramp, 1: [w * 1.1 for w in ramp], 2: [w * 0.9 for w in ramp]})
    assert growth(frame) == pytest.approx((1.0, 10.0))


def test_steady_waits_are_not_flagged() -> None:
    frame = monthly({0: [50.0] * 9, 1: [60.0] * 9})
    assert growth(frame) is None


def test_growth_below_the_ratio_is_not_flagged() -> None:
    """Waits up by a factor just under GROWTH_RATIO in every replication."""
    last = 10.0 * GROWTH_RATIO * 0.95
    frame = monthly({0: [10.0] * 3 + [15.0] * 3 + [last] * 3, 1: [10.0] * 3 + [15.0] * 3 + [last] * 3})
    assert growth(frame) is None


def test_growth_in_one_replication_only_is_noise() -> None:
    """One replication's waits rise twentyfold, the other's halve: the rise is within two standard errors."""
    frame = monthly({0: [10.0] * 3 + [50.0] * 3 + [200.0] * 3, 1: [10.0] * 3 + [8.0] * 3 + [5.0] * 3})
    assert growth(frame) is None
