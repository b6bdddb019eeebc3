"""Replications of every arm, in parallel, and the tables that compare them.

Each replication draws one cohort and runs every arm on it with the same random streams
(common random numbers). Its numbers depend only on (scenario, seed, replication), so a run
gives the same results serially or on any number of workers.

Example:
    >>> result = run_experiment(load_scenario("scenarios/east_blackburn_pilot.yaml"), replications=4)
    >>> result.summary.query("metric == 'admissions_avoided'")
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from carecoord.executor import Backend, default_workers, run_units
from carecoord.metrics import ALL_METRICS, ArmResult
from carecoord.monthly import monthly_frame
from carecoord.plausibility import run_warnings
from carecoord.population_metrics import population_metrics
from carecoord.replication import ArmRun, join_arms, run_one_arm, run_replication
from carecoord.scenario.schema import Scenario
from carecoord.stats import mean_ci, paired_difference

ALL_LOCALITIES = "all"
EVENT_COLUMNS = ["replication", "arm", "patient", "time", "date", "activity", "resource", "start", "end"]
BEFORE_AFTER_COLUMNS = [
    "replication",
    "arm",
    "patients",
    "arm_before",
    "arm_after",
    "baseline_before",
    "baseline_after",
]
Progress = Callable[[int, int], None]


@dataclass
class ExperimentResult:
    """Tidy tables of one experiment (see docs/outputs in the README)."""

    scenario: Scenario
    replications: pd.DataFrame  # replication, arm, locality, metric, value
    monthly: pd.DataFrame  # replication, arm, locality, month, metric, value
    summary: pd.DataFrame  # arm, metric, mean, ci_low, ci_high, diff_vs_baseline, diff_ci_low, diff_ci_high
    tiers: pd.DataFrame  # replication, arm, tier, emergency_admissions, person_years
    capacity: pd.DataFrame  # replication, arm, resource, capacity, peak_in_use
    before_after: pd.DataFrame  # replication, arm, patients, arm_before, arm_after, baseline_before, baseline_after
    events: pd.DataFrame  # replication, arm, patient, time, date, activity, resource, start, end (empty unless asked)
    warnings: list = field(default_factory=list)  # carecoord.plausibility.RunWarning: saturation, implausible results

    def metric(self, name: str, arm: str | None = None) -> pd.Series:
        """Whole-scenario values of a metric by replication (and arm)."""
        df = self.replications.query("locality == @ALL_LOCALITIES and metric == @name")
        if arm is not None:
            df = df[df["arm"] == arm]
            return df.set_index("replication")["value"]
        return df.set_index(["replication", "arm"])["value"]


def run_experiment(
    scenario: Scenario,
    replications: int | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    events: bool = False,
) -> ExperimentResult:
    """Run all replications (in parallel when workers > 1) and build the tables.

    With ``events``, replication 0 also keeps its event log (patient, time, activity, resource).
    """
    if replications is not None and replications < 1:
        raise ValueError(f"replications must be at least 1 (got {replications}); None means the scenario's")
    n = scenario.simulation.replications if replications is None else replications
    return build_tables(scenario, run_replications(scenario, n, workers, progress, events_for=0 if events else None))


def run_replications(
    scenario: Scenario,
    replications: int,
    workers: int | None = None,
    progress: Progress | None = None,
    arms: list[str] | None = None,
    events_for: int | None = None,
) -> list[dict[str, ArmResult]]:
    """Replications 0..n-1, in order, serially or on a process pool (``events_for``: which one logs events).

    A unit of work is a replication, or one arm of a replication when there are more workers than
    replications (a single long replication then uses a core per arm); the numbers are the same
    either way (:mod:`carecoord.replication`). Pool workers exit if this process dies (see
    :mod:`carecoord.executor`).
    """
    names = arms or scenario.arm_names
    workers = workers or default_workers(replications, len(names))
    if workers > replications and len(names) > 1:
        return _run_arms_apart(scenario, replications, workers, progress, names, events_for)
    results: dict[int, dict[str, ArmResult]] = {}

    def done(r: Hashable, arms_result: Any) -> None:
        results[int(r)] = arms_result  # type: ignore[call-overload]
        if progress:
            progress(len(results), replications)

    units = {r: (scenario, r, arms, r == events_for) for r in range(replications)}
    run_units(run_replication, units, Backend(workers=workers), done)
    return [results[r] for r in range(replications)]


def _run_arms_apart(
    scenario: Scenario,
    replications: int,
    workers: int,
    progress: Progress | None,
    names: list[str],
    events_for: int | None,
) -> list[dict[str, ArmResult]]:
    """Each (replication, arm) as a unit of its own; a replication is joined when its last arm is in."""
    pending: dict[int, dict[str, ArmRun]] = {r: {} for r in range(replications)}
    results: dict[int, dict[str, ArmResult]] = {}

    def done(key: Hashable, run: Any) -> None:
        r, arm = key  # type: ignore[misc]
        pending[r][arm] = run
        if len(pending[r]) == len(names):
            results[r] = join_arms(pending.pop(r), names)
            if progress:
                progress(len(results), replications)

    units = {
        (r, arm): (scenario, r, arm, r == events_for, i == 0)  # the first arm also draws the population
        for r in range(replications)
        for i, arm in enumerate(names)
    }
    run_units(run_one_arm, units, Backend(workers=workers), done)
    return [results[r] for r in range(replications)]


def build_tables(scenario: Scenario, runs: list[dict[str, ArmResult]]) -> ExperimentResult:
    """Tidy tables from the arrays of every replication."""
    localities = [loc.name for loc in scenario.localities]
    rep_rows: list[tuple] = []
    month_frames: list[pd.DataFrame] = []
    tier_rows: list[tuple] = []
    cap_rows: list[tuple] = []
    ba_rows: list[dict] = []
    event_frames: list[pd.DataFrame] = []
    tiers = [t.name for t in scenario.cohort.tiers]
    for r, arms in enumerate(runs):
        rep_rows.extend(replication_rows(r, arms, localities))
        for arm, res in arms.items():
            month_frames.append(monthly_frame(r, arm, res, arms["baseline"], localities))
            for t, name in enumerate(tiers):
                tier_rows.append((r, arm, name, res.tier_admissions[t], res.tier_person_days[t] / 365.25))
            for key, cap in res.capacity.items():
                cap_rows.append((r, arm, key, cap, res.peak_in_use.get(key, 0)))
            if res.before_after is not None:
                ba_rows.append({"replication": r, "arm": arm, **res.before_after})
            if res.events:
                event_frames.append(_event_frame(scenario, r, arm, res.events, res.event_starts))
    replications = pd.DataFrame(rep_rows, columns=["replication", "arm", "locality", "metric", "value"])
    monthly = pd.concat(month_frames, ignore_index=True)
    result = ExperimentResult(
        scenario=scenario,
        replications=replications,
        monthly=monthly,
        summary=summarise(replications, scenario.arm_names),
        tiers=pd.DataFrame(tier_rows, columns=["replication", "arm", "tier", "emergency_admissions", "person_years"]),
        capacity=pd.DataFrame(cap_rows, columns=["replication", "arm", "resource", "capacity", "peak_in_use"]),
        before_after=pd.DataFrame(ba_rows, columns=BEFORE_AFTER_COLUMNS),
        events=pd.concat(event_frames, ignore_index=True) if event_frames else pd.DataFrame(columns=EVENT_COLUMNS),
    )
    result.warnings = run_warnings(result)
    return result


def replication_rows(replication: int, arms: dict[str, ArmResult], localities: list[str]) -> list[tuple]:
    """Rows ``(replication, arm, locality, metric, value)`` of one replication (locality ``all`` first)."""
    rows: list[tuple] = []
    base = arms["baseline"]
    for arm, res in arms.items():
        for loc_index, loc in [(None, ALL_LOCALITIES), *enumerate(localities)]:
            for m in ALL_METRICS:
                rows.append((replication, arm, loc, m, res.total(m, loc_index)))
            for m, v in res.derived(loc_index).items():
                rows.append((replication, arm, loc, m, v))
            for m, v in population_metrics(res, loc_index).items():  # whole population, when given
                rows.append((replication, arm, loc, m, v))
            avoided = base.total("emergency_admissions", loc_index) - res.total("emergency_admissions", loc_index)
            rows.append((replication, arm, loc, "admissions_avoided", avoided))
    return rows


def _event_frame(scenario: Scenario, replication: int, arm: str, events: list, starts: list | None) -> pd.DataFrame:
    """An event log as a table: one row per activity (case id = patient, for process mining).

    ``time`` (and ``date``) is when the row was recorded: an activity's end, an event's instant;
    ``start`` and ``end`` are in days (equal for an instant).
    """
    frame = pd.DataFrame(events, columns=["patient", "time", "activity", "resource"])
    frame["time"] = frame["time"].astype(float)
    frame["start"] = frame["time"] if starts is None else pd.Series(starts, dtype=float)
    frame["end"] = frame["time"]
    start = pd.Timestamp(scenario.simulation.start_date)
    frame["date"] = (start + pd.to_timedelta(frame["time"], unit="D")).dt.strftime("%Y-%m-%d %H:%M")
    frame.insert(0, "arm", arm)
    frame.insert(0, "replication", replication)
    return frame[EVENT_COLUMNS]


def summarise(replications: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    """Mean and 95% CI per arm and metric, and of the paired difference vs baseline."""
    whole = replications[replications["locality"] == ALL_LOCALITIES]
    table = whole.pivot_table(index=["metric", "replication"], columns="arm", values="value", sort=False)
    rows = []
    for metric in dict.fromkeys(whole["metric"]):
        block = table.loc[metric]
        base = block["baseline"].tolist()
        for arm in arms:
            values = block[arm].tolist()
            mean, lo, hi = mean_ci(values)
            diff, dlo, dhi = paired_difference(values, base)
            rows.append((arm, metric, mean, lo, hi, diff, dlo, dhi))
    columns = ["arm", "metric", "mean", "ci_low", "ci_high", "diff_vs_baseline", "diff_ci_low", "diff_ci_high"]
    return pd.DataFrame(rows, columns=columns)
