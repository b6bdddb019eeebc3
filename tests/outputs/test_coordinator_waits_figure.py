"""The coordinators' waits in the services figure: first assessments apart, a go-live backlog off scale."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carecoord.plots.breakdown import services
from carecoord.plots.coordinator_waits import BACKLOG_RATIO, coordinator_waits, find_backlog
from carecoord.results import ALL, load


@pytest.fixture(scope="module")
def results(results_dir: Path):
    return load(results_dir)


def _frame(arm: str, means: list[float]) -> pd.DataFrame:
    dates = pd.date_range("2024-01-01", periods=len(means), freq="MS")
    return pd.DataFrame({"arm": arm, "date": dates, "mean": means, "low": np.nan, "high": np.nan})


def test_a_month_of_first_assessments_dwarfing_the_rest_is_a_backlog_with_the_mean_after_it() -> None:
    other = _frame("a", [0.0, 100.0, 120.0, 90.0, 110.0])
    first = _frame("a", [0.0, 5000.0, 10.0, 20.0, 0.0])
    backlog = find_backlog(other, first, "a")
    assert backlog is not None
    assert backlog.when == pd.Timestamp("2024-02-01") and backlog.hours == 5000.0
    assert backlog.steady_mean == pytest.approx((130.0 + 110.0 + 110.0) / 3)  # other + first, months after


def test_first_assessments_within_reach_of_the_other_waits_are_no_backlog() -> None:
    other = _frame("a", [100.0, 120.0, 90.0])
    first = _frame("a", [BACKLOG_RATIO * 120.0, 10.0, 0.0])  # not more than the ratio times the highest else
    assert find_backlog(other, first, "a") is None
    assert find_backlog(other, _frame("a", [0.0, 0.0, 0.0]), "a") is None


def test_other_waits_and_first_assessments_add_up_to_the_recorded_total(results) -> None:
    other, first = coordinator_waits(results)
    monthly = results.monthly[results.monthly["locality"] == ALL]
    total = monthly[monthly["metric"] == "wait_hours_coordinator"].groupby(["arm", "month"])["value"].mean()
    both = other.set_index(["arm", "month"])["mean"] + first.set_index(["arm", "month"])["mean"]
    assert np.allclose(both, total.reindex(both.index), rtol=1e-9, atol=1e-9)
    assert first["mean"].max() > 0  # the tiny integrated arm's first assessments waited


def _with_backlog(results, month: str, hours: float):
    """The tiny folder with ``hours`` more first-assessment waits (and so coordinator waits) in one month of
    the integrated arm, in every replication and in the all-localities rows."""
    monthly = results.monthly.copy()
    where = (monthly["arm"] == "integrated") & (monthly["month"] == month) & (monthly["locality"] == ALL)
    monthly.loc[where & monthly["metric"].isin(["assessment_wait_hours", "wait_hours_coordinator"]), "value"] += hours
    return replace(results, monthly=monthly)


def test_the_headline_names_the_longest_wait_apart_from_the_backlog(results) -> None:
    other, first = coordinator_waits(results)
    assert find_backlog(other, first, "integrated") is None  # the tiny run's own first assessments are no backlog
    month = sorted(first["month"])[len(first) // 2]
    backlog_results = _with_backlog(results, month, 1e6)
    other, first = coordinator_waits(backlog_results)
    backlog = find_backlog(other, first, "integrated")
    assert backlog is not None and f"{backlog.when:%Y-%m}" == month and backlog.hours > 1e6
    fig = services(backlog_results)
    headline = fig._suptitle.get_text().replace("\n", " ")
    assert (
        f"one-off go-live backlog: {backlog.hours:,.0f} hours of first assessments in {backlog.when:%b %Y}" in headline
    )
    longest = float(headline.split("longest waits: ")[1].split(" hours in")[0].rsplit(" ", 1)[1].replace(",", ""))
    assert longest < 1e6  # the longest month named is not the backlog
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    ax = fig.axes[titles.index("Coordinators: hours waited")]
    assert ax.get_ylim()[1] < 1e6  # drawn off scale
    assert any("off scale: go-live backlog" in t.get_text() for t in ax.texts)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["contacts, crisis calls", "first assessments"]


def test_an_older_folder_without_first_assessments_draws_the_total(results) -> None:
    older = replace(results, monthly=results.monthly[results.monthly["metric"] != "assessment_wait_hours"])
    assert coordinator_waits(older) is None
    fig = services(older)
    assert "backlog" not in fig._suptitle.get_text()
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert fig.axes[titles.index("Coordinators: hours waited")].get_legend() is None
