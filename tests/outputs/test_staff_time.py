"""Staff time: the utilisation table (CSV and report), the coordinators in the services figure, and the
coordinator hours by activity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import StepPatch

from carecoord.experiment import run_experiment
from carecoord.plausibility import BUSY_HOURS, SATURATED_UTILISATION
from carecoord.plots.breakdown import services
from carecoord.plots.coordinators import (
    ACTIVITY_COLOURS,
    activity_hours,
    coordinator_arms,
    coordinator_time,
    team_size,
)
from carecoord.report import render
from carecoord.results import ALL, load
from carecoord.utilisation import COORDINATOR, UTILISATION_COLUMNS, staff_utilisation
from tests.conftest import LoadTiny


@pytest.fixture(scope="module")
def results(results_dir: Path):
    return load(results_dir)


def _window_mean(monthly: pd.DataFrame, arm: str, metric: str, localities: list[str]) -> float:
    rows = monthly[(monthly["arm"] == arm) & (monthly["metric"] == metric) & monthly["locality"].isin(localities)]
    return float(rows.groupby("replication")["value"].sum().reindex(monthly["replication"].unique()).fillna(0).mean())


def test_table_is_written_with_hours_used_from_the_monthly_table(results) -> None:
    """staff_utilisation.csv: every arm's staffed services, coordinators in integrated arms only, hours used
    equal to the mean over replications of the monthly table's staff hours, utilisation = used / available."""
    table = results.staff_utilisation
    assert list(table.columns) == UTILISATION_COLUMNS
    assert set(table["arm"]) == set(results.arms)
    with_team = set(table.loc[table["service"] == COORDINATOR, "arm"])
    assert with_team == set(coordinator_arms(results)) == {"integrated"}  # tiny: all_off has no coordinators
    for row in table.itertuples(index=False):
        metric = "coordinator_hours" if row.service == COORDINATOR else BUSY_HOURS[row.service]
        where = results.localities if row.locality == ALL else [row.locality]
        assert row.hours_used == pytest.approx(_window_mean(results.monthly, row.arm, metric, where), rel=1e-9)
        assert row.hours_available > 0
        assert row.utilisation == pytest.approx(row.hours_used / row.hours_available)
        assert row.saturated == (row.utilisation > SATURATED_UTILISATION)


def test_saturated_rows_are_the_saturation_warnings(load_tiny: LoadTiny) -> None:
    """A locality far too big for its staff: the table flags exactly the staff groups the warnings name."""
    scenario = load_tiny(
        "localities=[{name: big, cohort_size: 3000, incidence_per_year: 300}]",
        "simulation.duration_days=240",
        "simulation.warm_up_days=60",
    )
    result = run_experiment(scenario, replications=2, workers=1)
    table = staff_utilisation(result)
    flagged = {(r.arm, r.service, r.locality) for r in table.itertuples() if r.saturated}
    staffed = {*BUSY_HOURS, COORDINATOR}
    warned = {
        (arm, w.service, w.locality or ALL)
        for w in result.warnings
        if w.kind == "saturated" and w.service in staffed
        for arm in w.arms
    }
    assert flagged, "the test needs a saturated staff group"
    assert flagged == warned


def test_report_has_the_staff_table(results) -> None:
    html = render(results)
    section = html[html.index('<section id="staff">') : html.index('<section id="figures">')]
    assert "Named coordinators" in section
    table = results.staff_utilisation
    whole = table[table["locality"] == ALL]
    for used in whole["hours_used"]:
        assert f"{used:,.0f}" in section
    quiet = table[(table["locality"] != ALL) & ~table["saturated"]]  # tiny: two localities, nothing saturated
    assert len(quiet) and section.count("<tr>") == 1 + len(whole)  # header + whole-scenario rows only


def test_report_says_when_an_old_folder_has_no_table(results_dir: Path, tmp_path: Path) -> None:
    old = load(results_dir)
    old = type(old)(**{**old.__dict__, "staff_utilisation": pd.DataFrame()})
    html = render(old)
    assert "rerun the scenario" in html[html.index('<section id="staff">') :]


def test_activity_hours_add_up_to_the_recorded_coordinator_hours(results) -> None:
    """Contacts, triage and MDT derived from counts x durations never exceed the recorded total; the four
    activities add up to it month by month."""
    recorded = results.monthly[
        (results.monthly["metric"] == "coordinator_hours") & (results.monthly["locality"] == ALL)
    ]
    for arm in coordinator_arms(results):
        table = activity_hours(results, arm)
        total = recorded[recorded["arm"] == arm].groupby("month")["value"].mean().reindex(table.index)
        parts = table[list(ACTIVITY_COLOURS)]
        assert np.allclose(parts.sum(axis=1), total, rtol=1e-9, atol=1e-9)
        derived = parts.drop(columns="assessments").sum(axis=1)
        assert (derived <= total + 1e-6).all()
        assert (table["regular contacts"] > 0).any() and (table["MDT meetings"] > 0).any()


def test_services_figure_has_a_coordinator_column_without_baseline(results) -> None:
    fig = services(results)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert "Coordinators: staff time in use" in titles
    ax = fig.axes[titles.index("Coordinators: staff time in use")]
    assert {line.get_label() for line in ax.lines if not line.get_label().startswith("_")} == set(
        coordinator_arms(results)
    )


def test_coordinator_time_shows_the_hours_worked(results) -> None:
    """One panel per arm with coordinators; the black line is the coordinators in post x their working hours in
    each month: nothing before the first go-live, every locality's team once all are live."""
    fig = coordinator_time(results)
    assert len(fig.axes) == len(coordinator_arms(results))
    arm = coordinator_arms(results)[0]
    (line,) = [p for p in fig.axes[0].patches if isinstance(p, StepPatch)]
    assert f"{team_size(results, arm)} once every locality is live" in line.get_label()  # tiny: two go-live dates
    available = activity_hours(results, arm)["available"]
    assert np.allclose(line.get_data().values, available)
    months = pd.PeriodIndex(available.index, freq="M")
    last_live = pd.Period(max(results.go_live.values()), freq="M")
    early, late = available[months < last_live], available[months > last_live]
    assert len(early) and len(late)
    assert (early > 0).all() and early.max() < late.min()  # the later locality's team joins at its go-live


def test_coordinator_hours_available_count_from_each_locality_go_live(results, load_tiny: LoadTiny) -> None:
    """tiny's west goes live on 2015-01-05, after the window opens: its coordinators' available hours are the
    weekdays (9:00-17:00, the default) from go-live to the end, counted here with the calendar, not the whole
    window (which made a late go-live look idle)."""
    import datetime as dt

    scenario = load_tiny()  # the scenario the results folder ran
    start = scenario.simulation.start_date
    end = start + dt.timedelta(days=scenario.simulation.horizon_days)
    window = start + dt.timedelta(days=scenario.simulation.warm_up_days)
    table = results.staff_utilisation
    checked = 0
    for loc in scenario.localities:
        first = max(window, loc.go_live or window)
        weekdays = sum((first + dt.timedelta(days=d)).weekday() < 5 for d in range((end - first).days))
        rows = table[(table["service"] == COORDINATOR) & (table["locality"] == loc.name)]
        for row in rows.itertuples():
            team = scenario.arm(row.arm).mechanisms.active("enrolment").coordinators
            team = team.get(loc.name, 0) if isinstance(team, dict) else team
            assert row.hours_available == pytest.approx(team * 8.0 * weekdays)
            checked += 1
    late = [loc for loc in scenario.localities if loc.go_live and loc.go_live > window]
    assert late and checked >= 2, "the test needs a locality that goes live inside the window"
