"""Enrolment runs: every arm of a setting through ``run_arm``, for each patient's enrolment time.

Some studies compare patients from the day they were enrolled (Huntley's hospital-initiated trials,
Evercare's high-risk group, POPP's A&E use): their outcomes need each patient's enrolment time and
event log, which an experiment's summary tables do not keep. This module runs the replications and
reduces each to counts (before and after enrolment, in the arm and for the same patients in the
baseline), so only small tables cross process boundaries.

Example:
    >>> tables = enrolment_tables(scenario, replications=2, workers=1)
    >>> tables["all"]  # summarise_before_after of everyone enrolled
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any

import pandas as pd

from carecoord.before_after import AdmissionHistory, before_after, summarise_before_after
from carecoord.cohort import generate_cohort
from carecoord.experiment import BEFORE_AFTER_COLUMNS  # the columns summarise_before_after reads
from carecoord.model.run import run_arm
from carecoord.recording import Recorder
from carecoord.scenario import Scenario

YEAR_DAYS = 365.0
"""The before-and-after window of carecoord.before_after: a year either side of enrolment."""

COHORT_FOLLOW_UP_DAYS = 730.0
"""Default whole-cohort follow-up after go-live in enrolment runs: 24 months (Gravelle 2007's two years)."""


def _enrolment_replication(scenario: Scenario, replication: int, follow_up_days: float) -> dict[str, Any]:
    """One replication of every arm, run through ``run_arm`` for each patient's enrolment time.

    Returns, per enrolling arm, before/after counts of the patients enrolled at an admission after
    go-live ('at_admission', hospital-initiated) and of everyone enrolled ('all'); and, per arm, the whole
    cohort's emergency admissions in the ``follow_up_days`` after go-live ('cohort').
    """
    cohort = generate_cohort(scenario, replication)
    recorders = {arm: run_arm(scenario, cohort, arm, replication, log_events=True) for arm in scenario.arm_names}
    base = recorders["baseline"]
    go_live = [scenario.locality_go_live_day(i) for i in range(len(scenario.localities))]
    start = min(go_live)
    out: dict[str, Any] = {"cohort": {}, "enrolled": {}, "outcomes": {}, "cohort_outcomes": {}}
    for arm, rec in recorders.items():
        out["cohort"][arm] = sum(start <= t < start + follow_up_days for _, t in rec.admission_log)
        out["cohort_outcomes"][arm] = cohort_outcomes(rec, start, start + follow_up_days)
        if arm == "baseline":
            continue
        out["outcomes"][arm] = enrolled_outcomes(rec, base)
        admitted: dict[int, set[float]] = {}
        for pid, t in rec.admission_log:
            admitted.setdefault(pid, set()).add(t)
        at_admission = {
            pid: t
            for pid, t in rec.enrolled_at.items()
            if t > go_live[cohort.patients[pid].locality] and t in admitted.get(pid, ())
        }
        history, base_history = AdmissionHistory.of(rec), AdmissionHistory.of(base)
        subset = before_after(dataclasses.replace(history, enrolled_at=at_admission), base_history)
        everyone = before_after(history, base_history)
        out["enrolled"][arm] = {
            "at_admission": subset.as_dict() if subset else None,
            "all": everyone.as_dict() if everyone else None,
        }
    return out


def map_replications(
    fn: Callable[..., Any], scenario: Scenario, replications: Sequence[int], workers: int
) -> list[Any]:
    """fn(scenario, r) for every replication r, in order, serially or on a process pool."""
    if workers <= 1:
        return [fn(scenario, r) for r in replications]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, [scenario] * len(replications), replications))


def enrolment_tables(
    scenario: Scenario, replications: int, workers: int, follow_up_days: float = COHORT_FOLLOW_UP_DAYS
) -> dict[str, pd.DataFrame]:
    """summarise_before_after tables for the patients enrolled at an admission ('at_admission') and everyone
    enrolled ('all'); and per replication and arm, the whole cohort's % change in emergency admissions over
    the baseline in the ``follow_up_days`` after go-live ('cohort'). Per replication and arm, too: the enrolled
    patients' A&E attendances, bed days and deaths in the year before and after enrolment
    (``enrolled_outcomes``: 'outcomes') and the whole cohort's bed days, deaths and A&E attendances over the
    same follow-up (``cohort_outcomes``: 'cohort_outcomes')."""
    one = partial(_enrolment_replication, follow_up_days=follow_up_days)
    runs = map_replications(one, scenario, range(replications), min(workers, replications))
    tables = {}
    for subset in ("at_admission", "all"):
        rows = [
            {"replication": r, "arm": arm, **counts[subset]}
            for r, run in enumerate(runs)
            for arm, counts in run["enrolled"].items()
            if counts[subset] is not None
        ]
        # No patient in a subset (a short run, or nobody enrolled at an admission): an empty summary.
        tables[subset] = summarise_before_after(pd.DataFrame(rows, columns=BEFORE_AFTER_COLUMNS))
    tables["cohort"] = pd.DataFrame(
        [
            {"replication": r, "arm": arm, "change_pct": 100.0 * (count / run["cohort"]["baseline"] - 1.0)}
            for r, run in enumerate(runs)
            for arm, count in run["cohort"].items()
            if arm != "baseline"
        ]
    )
    for name in ("outcomes", "cohort_outcomes"):
        tables[name] = pd.DataFrame(
            [
                {"replication": r, "arm": arm, **counts}
                for r, run in enumerate(runs)
                for arm, counts in run[name].items()
            ]
        )
    return tables


def _event_times(rec: Recorder, activity: str) -> dict[int, list[float]]:
    """Each patient's times of one logged activity (the recorder must have kept its event log)."""
    if rec.events is None:
        raise ValueError("the recorder kept no event log: run_arm(..., log_events=True)")
    out: dict[int, list[float]] = defaultdict(list)
    for pid, t, what, _ in rec.events:
        if what == activity:
            out[pid].append(t)
    return out


def _stays(rec: Recorder) -> dict[int, list[tuple[float, float]]]:
    out: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for stay in rec.stays:
        out[stay.patient].append((stay.admitted, stay.discharged))
    return out


def _overlap(spans: Sequence[tuple[float, float]], t0: float, t1: float) -> float:
    """Days of the spans inside (t0, t1]."""
    return math.fsum(max(0.0, min(b, t1) - max(a, t0)) for a, b in spans)


def _count(times: Sequence[float], t0: float, t1: float) -> int:
    """Times in (t0, t1]: an event at the enrolment instant (the admission that selected) counts before."""
    return sum(t0 < t <= t1 for t in times)


def enrolled_outcomes(arm: Recorder, baseline: Recorder) -> dict[str, float]:
    """A&E attendances, bed days and deaths of the arm's enrolled patients, the year before and after enrolment,
    in the arm and (same patients, same dates) in the baseline. Patients as in ``before_after``: a full year in
    the cohort before enrolment and a full year of the run after it."""
    horizon = arm.calendar.horizon
    logs = {
        who: (_event_times(rec, "ae_attendance"), _event_times(rec, "death"), _stays(rec))
        for who, rec in (("arm", arm), ("baseline", baseline))
    }
    sums: dict[str, float] = {"patients": 0.0}
    for pid, t in arm.enrolled_at.items():
        if t - YEAR_DAYS < arm.arrival[pid] or t + YEAR_DAYS > horizon:
            continue
        sums["patients"] += 1
        for who, (ae, deaths, stays) in logs.items():
            for window, (t0, t1) in (("before", (t - YEAR_DAYS, t)), ("after", (t, t + YEAR_DAYS))):
                sums[f"{who}_ae_{window}"] = sums.get(f"{who}_ae_{window}", 0.0) + _count(ae.get(pid, ()), t0, t1)
                key = f"{who}_bed_days_{window}"
                sums[key] = sums.get(key, 0.0) + _overlap(stays.get(pid, ()), t0, t1)
            key = f"{who}_deaths_after"
            sums[key] = sums.get(key, 0.0) + _count(deaths.get(pid, ()), t, t + YEAR_DAYS)
    return sums


def cohort_outcomes(rec: Recorder, t0: float, t1: float) -> dict[str, float]:
    """The whole cohort's bed days, deaths and A&E attendances in (t0, t1]."""
    deaths = _event_times(rec, "death")
    ae = _event_times(rec, "ae_attendance")
    return {
        "bed_days": math.fsum(_overlap(spans, t0, t1) for spans in _stays(rec).values()),
        "deaths": float(sum(_count(times, t0, t1) for times in deaths.values())),
        "ae": float(sum(_count(times, t0, t1) for times in ae.values())),
    }
