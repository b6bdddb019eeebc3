"""Validation against published studies (issue 4): regenerates every table and figure of docs/validation.md.

Each study in ``docs/references.csv`` (rows ``outcome.*``) that measured emergency admissions is
matched by a *setting*: a shipped scenario loaded with ``--set``-style overrides for the study's
population (age, risk tiers), selection (eligible tiers or prior admissions), intervention intensity
(mechanisms, visit interval, caseload) and follow-up, with the integrated arm on the
``evidence_based`` effect set. The study's outcome is then computed from the run the way the study
measured it (a trial's difference per patient or rate ratio, a matched comparison over a follow-up,
a pilot's before-and-after). The baseline arm of every shipped scenario is also checked against the
admission rates it was calibrated to, on replications the calibration never saw.

Results replace the blocks between ``<!-- validation:NAME:begin -->`` and
``<!-- validation:NAME:end -->`` in docs/validation.md (the hand-written text around them stays) and
the figures docs/figures/validation_*.png. Seeds are the scenarios' own, so a rerun at the same
commit gives the same numbers.

Usage:
    python experiments/validation.py [--quick] [--workers N]
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import re
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from scipy.stats import t as student_t

from carecoord.before_after import before_after, summarise_before_after
from carecoord.cohort import generate_cohort
from carecoord.experiment import default_workers, run_experiment, run_replication
from carecoord.model.run import run_arm
from carecoord.rates import DAYS_PER_YEAR
from carecoord.recording import Recorder
from carecoord.scenario import Scenario, load_scenario
from carecoord.scenario.services import LOCALITY_SERVICES
from carecoord.stats import mean_ci

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
DOC = ROOT / "docs" / "validation.md"
FIGURES = ROOT / "docs" / "figures"
FOREST_PNG = FIGURES / "validation_forest.png"
CALIBRATION_PNG = FIGURES / "validation_calibration.png"

OLDER_PEOPLE = ("cohort.age.mean=78", "cohort.age.sd=8", "cohort.age.min=65", "cohort.age.max=100")
"""Older people (the population of Huntley 2013, Roland 2012 and POPP): age 78 +/- 8, at least 65 (assumption)."""

STOKES_SMALL_PCT = 5.0
"""A controlled change this close to 0 counts as 'no significant difference' even when the model's CI,
narrowed by common random numbers, excludes 0 (assumption: smaller than trials of Stokes' size detect)."""


# --------------------------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Setting:
    """A shipped scenario configured like a published study."""

    key: str
    studies: str
    scenario: str  # file in scenarios/
    overrides: tuple[str, ...]
    arms: tuple[str, ...]
    replications: int
    tiers: tuple[str, ...] | None = None  # keep only these risk tiers (shares renormalised, calibrated rates kept)
    scale: float = 1.0  # multiplies cohorts, incidence and capacities (see scale_scenario)
    describe: dict[str, str] = field(default_factory=dict)


AT_RISK = Setting(
    key="at_risk",
    studies="Huntley 2013 community-initiated; Stokes 2016; Roland 2012; DH ICP 2012; Stokes 2015",
    scenario="east_blackburn_pilot.yaml",
    overrides=(
        "localities.east.cohort_size=800",
        "localities.east.incidence_per_year=80",
        *OLDER_PEOPLE,
        "simulation.duration_days=1095",
        "arms.integrated.mechanisms.enrolment.coordinators=24",
    ),
    arms=("baseline", "integrated"),
    replications=10,
    tiers=("high", "very_high"),
    describe={
        "population": "older people (65+, mean 78) in the pilot's high and very-high risk tiers (0.8 and 2.0 "
        "admissions a year), 800 patients",
        "selection": "risk tier (community-initiated): everyone in the cohort is eligible; 24 x 50 places, "
        "so all are enrolled at go-live (as every patient randomised to case management is)",
        "intensity": "the pilot's care plan: fortnightly proactive visits, medication review, rapid response, "
        "night visits, falls equipment, discharge planning, shared assessment, home care first, case finding",
        "follow-up": "24 months after go-live; each study's window is read from the same run",
    },
)

HOSPITAL = Setting(
    key="hospital",
    studies="Huntley 2013 hospital-initiated",
    scenario="east_blackburn_pilot.yaml",
    overrides=(
        *OLDER_PEOPLE,
        "simulation.duration_days=1095",
        *(
            f"arms.{arm}.mechanisms.enrolment.{key}"
            for arm in ("integrated", "integrated_as_claimed")
            for key in ("eligible_tiers=null", "min_admissions_last_year=1", "coordinators=24")
        ),
        *(f"arms.{arm}.mechanisms.post_discharge_follow_up={{}}" for arm in ("integrated", "integrated_as_claimed")),
    ),
    arms=("baseline", "integrated", "integrated_as_claimed"),
    replications=10,
    describe={
        "population": "older people (65+, mean 78), all three pilot tiers, 1,400 patients",
        "selection": "an emergency admission (min_admissions_last_year = 1): enrolled at the admission itself; "
        "the outcome counts only patients enrolled at an admission after go-live (hospital-initiated)",
        "intensity": "the pilot's care plan (as above); 24 x 50 places, so nobody waits",
        "follow-up": "12 months after enrolment (enrolments in the first year after go-live)",
    },
)

EVERCARE_OFF = ("night_visits", "falls_equipment", "discharge_planning", "shared_assessment", "home_care_first")
"""Pilot mechanisms Evercare did not have: it was nurse (APN) case management without the social-care side."""

EVERCARE = Setting(
    key="evercare",
    studies="Gravelle 2007 (Evercare)",
    scenario="east_blackburn_pilot.yaml",
    overrides=(
        *OLDER_PEOPLE,
        "simulation.duration_days=1095",
        "arms.integrated.mechanisms.enrolment.eligible_tiers=null",
        "arms.integrated.mechanisms.enrolment.min_admissions_last_year=2",
        "arms.integrated.mechanisms.enrolment.coordinators=24",
        *(f"arms.integrated.mechanisms.{name}.enabled=false" for name in EVERCARE_OFF),
    ),
    arms=("baseline", "integrated"),
    replications=10,
    describe={
        "population": "older people (65+, mean 78), all three pilot tiers, 1,400 patients (the practices' 65+ "
        "population with long-term conditions)",
        "selection": "prior use: 2 emergency admissions in the past 12 months (Evercare's high-risk group: 2 in "
        "13 months), at go-live or when a second admission comes; 24 x 50 places, so nobody waits (assumption)",
        "intensity": "nurse case management as in Evercare: the pilot's care plan without its social-care side "
        "(no night visits, falls equipment, discharge planning, shared assessment or home care first)",
        "follow-up": "high-risk group: 12 months after enrolment (enrolments in the first two years); "
        "whole 65+ cohort: 24 months after go-live (Evercare ran April 2003 - March 2005)",
    },
)

POPP = Setting(
    key="popp",
    studies="POPP 2009",
    scenario="robert_case_study.yaml",
    overrides=OLDER_PEOPLE,
    arms=("baseline", "integrated", "integrated_as_claimed"),
    replications=10,
    scale=0.5,
    describe={
        "population": "older people (65+, mean 78) with diabetes, heart failure and COPD (1.2 admissions a year); "
        "cohort, incidence, capacities and caseloads halved (600 patients)",
        "selection": "prior use: 3 emergency admissions in the past year (the scenario's selection, seed 004)",
        "intensity": "Robert's care plan: weekly proactive visits, medication review, rapid response, nightly "
        "visits, falls equipment, discharge planning, shared assessment, case finding",
        "follow-up": "12 months before and 12 months after enrolment (enrolments in the first two years)",
    },
)

BCF = Setting(
    key="bcf",
    studies="Better Care Fund year 1 (NAO 2017)",
    scenario="blackburn_with_darwen_2014.yaml",
    overrides=(),
    arms=("baseline", "integrated"),
    replications=8,
    scale=0.5,
    describe={
        "population": "the borough's three target groups in four localities; cohorts, incidence, capacities and "
        "caseloads halved (1,450 patients)",
        "selection": "risk tier, 3 coordinators per locality (as shipped) with the caseload halved to 25",
        "intensity": "as shipped: the pilot plan with system-wide discharge planning",
        "follow-up": "2015/16, the BCF's first year (go-live April / September 2014)",
    },
)

SETTINGS = (AT_RISK, HOSPITAL, EVERCARE, POPP, BCF)


def scale_scenario(data: dict[str, Any], factor: float) -> None:
    """Shrink (or grow) a scenario in place: every locality's cohort, incidence and capacity scale, the
    scenario-wide capacities and the coordinators' caseloads, so that capacity-limited services stay about as
    busy per patient, and the programme reaches the same share of patients, as before."""
    for loc in data["localities"]:
        loc["cohort_size"] = max(1, round(loc["cohort_size"] * factor))
        loc["incidence_per_year"] = loc["incidence_per_year"] * factor
        if loc["capacity_scale"] is not None:
            loc["capacity_scale"] = loc["capacity_scale"] * factor
        elif any(isinstance(data["services"][s]["capacity"], int) for s in LOCALITY_SERVICES):
            loc["capacity_scale"] = factor  # stated capacities (scale 1) shrink with the cohort; sized ones already do
    for name in ("intermediate_care", "hospital", "residential_care"):
        spec = data["services"][name]
        if isinstance(spec.get("capacity"), int):  # a stated capacity; by_population ones follow the cohort
            spec["capacity"] = max(1, round(spec["capacity"] * factor))
    for arm in data["arms"]:
        enrolment = arm["mechanisms"].get("enrolment")
        if enrolment is not None:
            enrolment["caseload"] = max(1, round(enrolment["caseload"] * factor))


def configure(
    setting: Setting, scale: float | None = None, arms: Sequence[str] | None = None, extra: Sequence[str] = ()
) -> Scenario:
    """The setting's scenario: the shipped file with the overrides, only the named arms (and tiers), scaled."""
    scenario = load_scenario(SCENARIOS / setting.scenario, [*setting.overrides, *extra])
    data = scenario.model_dump()
    keep = arms or setting.arms
    data["arms"] = [a for a in data["arms"] if a["name"] in keep]
    if setting.tiers is not None:
        tiers = [t for t in data["cohort"]["tiers"] if t["name"] in setting.tiers]
        total = sum(t["share"] for t in tiers)
        for t in tiers:
            t["share"] = t["share"] / total
        data["cohort"]["tiers"] = tiers
    factor = setting.scale if scale is None else scale
    if factor != 1.0:
        scale_scenario(data, factor)
    return Scenario.model_validate(data)


# --------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Row:
    """One comparison of a published figure with the model's."""

    study: str
    measure: str
    unit: str  # "pct", "per_patient", "per_patient_month" or "ratio"
    published: float | None
    published_low: float | None
    published_high: float | None
    model: float
    low: float
    high: float
    verdict: str
    setting: str
    context: bool = False  # a row shown for comparison, not a validation check
    published_text: str | None = None  # the published figure in words, where it is not one number


def inside_ci(row_model: float, low: float | None, high: float | None) -> str:
    if low is not None and row_model < low:
        return "no: below the CI"
    if high is not None and row_model > high:
        return "no: above the CI"
    return "yes"


def no_ci_verdict(model: float, published: float) -> str:
    """No CI published: compare sign and size."""
    if model == 0 or math.copysign(1, model) != math.copysign(1, published):
        return "no CI published; opposite sign"
    return f"no CI published; same sign, {model / published:.1f} x the published size"


def _months(start: pd.Timestamp, first: int, count: int) -> list[str]:
    """Labels of calendar months first .. first+count-1 after the month of ``start`` (0 = that month)."""
    return list(pd.period_range(start, periods=first + count, freq="M").strftime("%Y-%m")[first:])


def window_change_pct(
    result: Any, arm: str, months: list[str], metric: str | tuple[str, ...] = "emergency_admissions"
) -> list[float]:
    """Per replication: the arm's count of ``metric`` (summed, if several) in the months over the baseline's,
    minus 1, in %."""
    monthly = result.monthly
    metrics = (metric,) if isinstance(metric, str) else metric
    block = monthly[monthly["metric"].isin(metrics) & monthly["month"].isin(months)]
    missing = set(months) - set(block["month"])
    if missing:
        raise ValueError(f"months outside the results window: {sorted(missing)}")
    totals = block.groupby(["replication", "arm"])["value"].sum().unstack()
    return (100.0 * (totals[arm] / totals["baseline"] - 1.0)).tolist()


def _ci_row(values: Sequence[float]) -> tuple[float, float, float]:
    mean, lo, hi = mean_ci(list(values))
    return float(mean), float(lo), float(hi)


def _ba(summary: pd.DataFrame, arm: str, measure: str) -> tuple[float, float, float]:
    row = summary.set_index(["arm", "measure"]).loc[(arm, measure)]
    return float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])


def at_risk_rows(result: Any) -> list[Row]:
    """Huntley community-initiated, Roland 6 months, DH ICP 24 months, Stokes: from one at-risk run."""
    scenario = result.scenario
    go_live = pd.Timestamp(scenario.localities[0].go_live or scenario.simulation.start_date)
    summary = summarise_before_after(result.before_after)
    rows = []
    m, lo, hi = _ba(summary, "integrated", "controlled_difference_per_patient")
    rows.append(
        Row(
            "Huntley 2013, community-initiated (RCTs)",  # [ref:outcome.huntley2013.community_initiated_difference]
            "unplanned admissions per person, difference, 12 months",
            "per_patient",
            0.05,
            -0.04,
            0.15,
            m,
            lo,
            hi,
            inside_ci(m, -0.04, 0.15),
            AT_RISK.key,
        )
    )
    m, lo, hi = _ci_row(window_change_pct(result, "integrated", _months(go_live, 0, 6)))
    rows.append(
        Row(
            "Roland 2012, ICP case management",  # [ref:outcome.roland2012.emergency_admissions_6m]
            "emergency admissions vs matched controls, 6 months, %",
            "pct",
            9.0,
            None,
            None,
            m,
            lo,
            hi,
            no_ci_verdict(m, 9.0),
            AT_RISK.key,
        )
    )
    m, lo, hi = _ci_row(window_change_pct(result, "integrated", _months(go_live, 0, 24)))
    rows.append(
        Row(
            "DH integrated care pilots 2012",  # [ref:outcome.dh_icp2012.emergency_admissions_24m]
            "emergency admissions vs matched controls, 24 months, %",
            "pct",
            2.0,
            None,
            None,
            m,
            lo,
            hi,
            no_ci_verdict(m, 2.0),
            AT_RISK.key,
        )
    )
    for label, (m, lo, hi) in (
        ("0-12 months", _ba(summary, "integrated", "controlled_change_pct")),
        ("13-24 months", _ci_row(window_change_pct(result, "integrated", _months(go_live, 12, 12)))),
    ):
        rows.append(
            Row(
                "Stokes 2015 (36 studies)",  # [ref:outcome.stokes2015.secondary_care_use]
                f"secondary care use (emergency admissions) vs control, {label}, %",
                "pct",
                None,
                None,
                None,
                m,
                lo,
                hi,
                stokes_verdict(lo, hi),
                AT_RISK.key,
                published_text="no significant difference (SMD)",
            )
        )
    rows += stokes_2016_rows(result, summary, go_live)
    return rows


STOKES_2016_ADMISSIONS = (0.01, 0.00, 0.01)
"""Stokes 2016 (BMJ Open 6:e010468, abstract read; https://doi.org/10.1136/bmjopen-2015-010468): MDT case
management of high-risk patients (Practice Integrated Care Teams) in one English CCG, 2,049 patients matched
1:1, difference in differences. Non-elective admissions: +0.01 per patient per month (95% CI 0.00 to 0.01),
published to 2 decimals. [ref:outcome.stokes2016.nonelective_admissions_per_month]"""

STOKES_2016_READMISSIONS = (0.00, 0.00, 0.01)
"""Stokes 2016, 30-day readmissions: +0.00 per patient per month (0.00 to 0.01).
[ref:outcome.stokes2016.readmissions_30d_per_month]"""

PER_MONTH = 12.0


def inside_at_precision(model: float, low: float, high: float, decimals: int = 2) -> str:
    """Whether the model's mean, rounded as the study rounded its figures, lies inside the published CI."""
    shown = round(model, decimals)
    verdict = inside_ci(shown, low, high)
    return f"{verdict} (rounds to {shown:+.{decimals}f})"


def person_month_difference(result: Any, metric: str, months: list[str]) -> list[float]:
    """Per replication: (arm - baseline) count of ``metric`` over the months, per person-month of the baseline."""
    monthly = result.monthly
    block = monthly[monthly["metric"].isin([metric, "person_days"]) & monthly["month"].isin(months)]
    totals = block.groupby(["replication", "metric", "arm"])["value"].sum().unstack(["metric", "arm"])
    person_months = totals[("person_days", "baseline")] / (DAYS_PER_YEAR / PER_MONTH)
    return ((totals[(metric, "integrated")] - totals[(metric, "baseline")]) / person_months).tolist()


def _stokes_2016_row(measure: str, published: tuple[float, float, float], model: Sequence[float]) -> Row:
    m, lo, hi = model
    point, low, high = published
    return Row(
        "Stokes 2016, MDT case management (matched DiD)",
        f"{measure} per patient per month, difference, 12 months",
        "per_patient_month",
        point,
        low,
        high,
        m,
        lo,
        hi,
        inside_at_precision(m, low, high),
        AT_RISK.key,
        published_text=f"{point:+.2f} [{low:.2f}, {high:.2f}] (2 decimals)",
    )


def stokes_2016_rows(result: Any, summary: pd.DataFrame, go_live: pd.Timestamp) -> list[Row]:
    """Admissions: Huntley's paired difference per enrolled patient-year / 12; readmissions: per person-month."""
    admissions = [v / PER_MONTH for v in _ba(summary, "integrated", "controlled_difference_per_patient")]
    readmissions = _ci_row(person_month_difference(result, "readmissions_30d", _months(go_live, 0, 12)))
    return [
        _stokes_2016_row("non-elective admissions", STOKES_2016_ADMISSIONS, admissions),
        _stokes_2016_row("30-day readmissions", STOKES_2016_READMISSIONS, readmissions),
    ]


def stokes_verdict(low: float, high: float) -> str:
    if low <= 0 <= high:
        return "yes: CI includes 0"
    if low >= -STOKES_SMALL_PCT and high <= STOKES_SMALL_PCT:
        return f"yes: CI within +/-{STOKES_SMALL_PCT:g}%"
    return "no: a significant change"


COHORT_FOLLOW_UP_DAYS = 730.0
"""The whole cohort's follow-up in the enrolment settings: 24 months after go-live (Gravelle 2007)."""


def _enrolment_replication(scenario: Scenario, replication: int) -> dict[str, Any]:
    """One replication of every arm, run through ``run_arm`` for each patient's enrolment time.

    Returns, per enrolling arm, before/after counts of the patients enrolled at an admission after
    go-live ('at_admission', hospital-initiated) and of everyone enrolled ('all'); and, per arm, the whole
    cohort's emergency admissions in the COHORT_FOLLOW_UP_DAYS after go-live ('cohort').
    """
    cohort = generate_cohort(scenario, replication)
    recorders = {arm: run_arm(scenario, cohort, arm, replication, log_events=True) for arm in scenario.arm_names}
    base = recorders["baseline"]
    go_live = [scenario.locality_go_live_day(i) for i in range(len(scenario.localities))]
    start = min(go_live)
    out: dict[str, Any] = {"cohort": {}, "enrolled": {}, "outcomes": {}, "cohort_outcomes": {}}
    for arm, rec in recorders.items():
        out["cohort"][arm] = sum(start <= t < start + COHORT_FOLLOW_UP_DAYS for _, t in rec.admission_log)
        out["cohort_outcomes"][arm] = cohort_outcomes(rec, start, start + COHORT_FOLLOW_UP_DAYS)
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
        view = copy.copy(rec)
        view.enrolled_at = at_admission
        subset = before_after(view, base)
        everyone = before_after(rec, base)
        out["enrolled"][arm] = {
            "at_admission": subset.as_dict() if subset else None,
            "all": everyone.as_dict() if everyone else None,
        }
    return out


def _map(fn: Callable[..., Any], scenario: Scenario, replications: Sequence[int], workers: int) -> list[Any]:
    """fn(scenario, r) for every replication r, in order, serially or on a process pool."""
    if workers <= 1:
        return [fn(scenario, r) for r in replications]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, [scenario] * len(replications), replications))


def enrolment_tables(scenario: Scenario, replications: int, workers: int) -> dict[str, pd.DataFrame]:
    """summarise_before_after tables for the patients enrolled at an admission ('at_admission') and everyone
    enrolled ('all'); and per replication and arm, the whole cohort's % change in emergency admissions over
    the baseline in the 24 months after go-live ('cohort'). Per replication and arm, too: the enrolled
    patients' A&E attendances, bed days and deaths in the year before and after enrolment
    (``enrolled_outcomes``: 'outcomes') and the whole cohort's bed days and deaths in the 24 months after
    go-live (``cohort_outcomes``: 'cohort_outcomes')."""
    runs = _map(_enrolment_replication, scenario, range(replications), min(workers, replications))
    tables = {}
    for subset in ("at_admission", "all"):
        rows = [
            {"replication": r, "arm": arm, **counts[subset]}
            for r, run in enumerate(runs)
            for arm, counts in run["enrolled"].items()
            if counts[subset] is not None
        ]
        tables[subset] = summarise_before_after(pd.DataFrame(rows))
    tables["cohort"] = pd.DataFrame(
        [
            {"replication": r, "arm": arm, "change_pct": 100.0 * (count / run["cohort"]["baseline"] - 1.0)}
            for r, run in enumerate(runs)
            for arm, count in run["cohort"].items()
            if arm != "baseline"
        ]
    )
    tables["outcomes"] = pd.DataFrame(
        [
            {"replication": r, "arm": arm, **counts}
            for r, run in enumerate(runs)
            for arm, counts in run["outcomes"].items()
        ]
    )
    tables["cohort_outcomes"] = pd.DataFrame(
        [
            {"replication": r, "arm": arm, **counts}
            for r, run in enumerate(runs)
            for arm, counts in run["cohort_outcomes"].items()
        ]
    )
    return tables


def rate_ratio(summary: pd.DataFrame, arm: str) -> tuple[float, float, float]:
    """Admissions after enrolment, arm over baseline for the same patients (from the controlled % change)."""
    m, lo, hi = _ba(summary, arm, "controlled_change_pct")
    return 1 + m / 100, 1 + lo / 100, 1 + hi / 100


def hospital_rows(tables: dict[str, pd.DataFrame]) -> list[Row]:
    rows = []
    for subset, arm, label, context in (
        ("at_admission", "integrated", "enrolled at an admission", False),
        ("all", "integrated", "everyone enrolled, incl. at go-live", True),
        ("at_admission", "integrated_as_claimed", "enrolled at an admission, pilot_claimed effects", True),
    ):
        if arm not in set(tables[subset]["arm"]):
            continue
        m, lo, hi = rate_ratio(tables[subset], arm)
        rows.append(
            Row(
                "Huntley 2013, hospital-initiated (RCTs)",  # [ref:outcome.huntley2013.hospital_initiated_rate_ratio]
                f"unplanned admissions, rate ratio, 12 months ({label})",
                "ratio",
                0.71,
                0.49,
                1.03,
                m,
                lo,
                hi,
                inside_ci(m, 0.49, 1.03),
                HOSPITAL.key,
                context,
            )
        )
    return rows


GRAVELLE_HIGH_RISK = (16.5, -5.7, 38.7)
"""Gravelle 2007 (BMJ 334:31, abstract read; https://doi.org/10.1136/bmj.39020.413310.55): Evercare case
management in 62 practices vs 6,960-7,695 control practices, controlled before and after, 2003-05. Emergency
admissions of the high-risk population (65+, 2 or more emergency admissions in the preceding 13 months):
+16.5% (95% CI -5.7% to 38.7%). [ref:outcome.gravelle2007.high_risk_admissions]"""

GRAVELLE_GENERAL = (2.5, -2.1, 7.0)
"""Gravelle 2007, the same analysis for the practices' general population aged 65+: +2.5% (-2.1% to 7.0%).
[ref:outcome.gravelle2007.general_65plus_admissions]"""


def evercare_rows(tables: dict[str, pd.DataFrame]) -> list[Row]:
    """Gravelle 2007: the high-risk group (everyone enrolled, the year after enrolment, integrated vs baseline
    for the same patients) and the whole 65+ cohort (24 months after go-live)."""
    m, lo, hi = _ba(tables["all"], "integrated", "controlled_change_pct")
    cohort = tables["cohort"]
    cm, clo, chi = _ci_row(cohort.loc[cohort["arm"] == "integrated", "change_pct"].tolist())
    return [
        Row(
            "Gravelle 2007, Evercare (controlled before and after)",
            "emergency admissions, high-risk group (2+ admissions in the past year), %",
            "pct",
            *GRAVELLE_HIGH_RISK,
            m,
            lo,
            hi,
            inside_ci(m, GRAVELLE_HIGH_RISK[1], GRAVELLE_HIGH_RISK[2]),
            EVERCARE.key,
        ),
        Row(
            "Gravelle 2007, Evercare (controlled before and after)",
            "emergency admissions, whole 65+ population, 24 months, %",
            "pct",
            *GRAVELLE_GENERAL,
            cm,
            clo,
            chi,
            inside_ci(cm, GRAVELLE_GENERAL[1], GRAVELLE_GENERAL[2]),
            EVERCARE.key,
        ),
    ]


POPP_STUDY = "POPP 2009 (before and after)"  # [ref:outcome.popp2009.overnight_stays]


def _popp_row(measure: str, published: float | None, model: tuple[float, float, float], verdict: str) -> Row:
    """One POPP row (no published CI); rows without a verdict of their own are context."""
    return Row(POPP_STUDY, measure, "pct", published, None, None, *model, verdict, POPP.key, verdict == "context")


def popp_rows(result: Any) -> list[Row]:
    summary = summarise_before_after(result.before_after)
    pilot = _ba(summary, "integrated", "before_after_change_pct")
    controlled = _ba(summary, "integrated", "controlled_change_pct")
    rows = [
        _popp_row(
            "admissions, year after vs year before enrolment, integrated arm, %",
            -47.0,
            pilot,
            "yes: a large fall (<= -30%)" if pilot[0] <= -30 else "no: not a large fall",
        ),
        _popp_row(
            "same patients and dates, baseline arm (regression to the mean), %",
            None,
            _ba(summary, "integrated", "baseline_before_after_change_pct"),
            "context",
        ),
        _popp_row(
            "controlled change, integrated vs baseline, year after, % (POPP had no controls)",
            None,
            controlled,
            "yes: within +/-10%" if abs(controlled[0]) <= 10 else "no: a controlled effect beyond +/-10%",
        ),
    ]
    if "integrated_as_claimed" in set(summary["arm"]):
        claimed = _ba(summary, "integrated_as_claimed", "controlled_change_pct")
        rows.append(_popp_row("controlled change with pilot_claimed effects, %", None, claimed, "context"))
    return rows


# Planned [ref:bcf.nel_target_planned_average]; observed [ref:outcome.bcf_nao2017.emergency_admissions_change].
BCF_PLANNED_PCT = -3.07


def bcf_change(result: Any) -> tuple[float, float, float]:
    """Controlled change in emergency admissions in 2015/16 (the BCF's first year), %."""
    return _ci_row(window_change_pct(result, "integrated", _months(pd.Timestamp("2015-04-01"), 0, 12)))


def bcf_rows(result: Any) -> list[Row]:
    m, lo, hi = bcf_change(result)
    verdict = "yes: no fall of 3.07%" if m > BCF_PLANNED_PCT else "no: the planned fall is reached"
    return [
        Row(
            "Better Care Fund year 1 (NAO 2017)",
            "emergency admissions in 2015/16 (model: integrated vs baseline), %",
            "pct",
            BCF_PLANNED_PCT,
            None,
            None,
            m,
            lo,
            hi,
            verdict,
            BCF.key,
            published_text="planned -3.07%; observed: +87,000 admissions vs 2014/15 (106,000 fewer planned)",
        )
    ]


# --------------------------------------------------------------------------------------------- every outcome

YEAR_DAYS = 365.0
"""The before-and-after window of carecoord.before_after: a year either side of enrolment."""


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


def ratio_change_pct(table: pd.DataFrame, arm: str, numerator: str, denominator: str) -> tuple[float, float, float]:
    """Per replication 100 x (numerator / denominator - 1) for the arm, as mean and 95% CI across replications."""
    block = table[table["arm"] == arm]
    values = [100.0 * (a / b - 1.0) for a, b in zip(block[numerator], block[denominator], strict=True) if b > 0]
    return _ci_row(values)


def cohort_change_pct(table: pd.DataFrame, arm: str, column: str) -> tuple[float, float, float]:
    """The whole cohort's ``column``, arm over baseline, per replication, in %."""
    wide = table.pivot(index="replication", columns="arm", values=column)
    return _ci_row((100.0 * (wide[arm] / wide["baseline"] - 1.0)).tolist())


def length_of_stay_difference(result: Any, months: list[str]) -> tuple[float, float, float]:
    """Mean length of stay (bed days per emergency admission over the months), integrated - baseline, days."""
    monthly = result.monthly
    block = monthly[monthly["metric"].isin(["bed_days", "emergency_admissions"]) & monthly["month"].isin(months)]
    totals = block.groupby(["replication", "metric", "arm"])["value"].sum().unstack(["metric", "arm"])
    stay = {
        arm: totals[("bed_days", arm)] / totals[("emergency_admissions", arm)] for arm in ("baseline", "integrated")
    }
    return _ci_row((stay["integrated"] - stay["baseline"]).tolist())


@dataclass(frozen=True)
class Outcome:
    """One outcome a study reports: compared with the model's where the model produces it."""

    study: str
    outcome: str
    published: str
    model: tuple[float, float, float] | None  # mean and 95% CI; None: not modelled
    unit: str  # as Row.unit, or "days"
    verdict: str
    source: str  # "independent", or why the comparison is circular; "-" where not modelled
    setting: str = "-"


CIRCULAR = {
    "Huntley 2013, community-initiated": "partly circular: case finding's admission probability cites it",
    "Roland 2012": "circular: escalation after monitoring was chosen to give its +9%",
    "DH integrated care pilots": "circular: the effect set was chosen to be consistent with it",
    "Stokes 2015": "circular: the effect set (medication review) was chosen for 'no significant difference'",
}
"""Comparisons with studies an ``evidence_based`` value was chosen or derived from (comments of
carecoord/effects/evidence_based.yaml); every other study was not used to choose any value."""


def circularity(study: str) -> str:
    return next((why for prefix, why in CIRCULAR.items() if study.startswith(prefix)), "independent")


def _fmt_model(model: tuple[float, float, float] | None, unit: str) -> str:
    if model is None:
        return "not modelled"
    m, lo, hi = model
    if unit == "days":
        return f"{m:+.2f} [{lo:+.2f}, {hi:+.2f}] days"
    return f"{fmt(m, unit)} [{fmt(lo, unit)}, {fmt(hi, unit)}]"


def admissions_outcomes(rows: Sequence[Row]) -> list[Outcome]:
    """The admissions rows of the results table, as outcomes, with where each stands on circularity."""
    out = []
    for r in rows:
        if r.context:
            continue
        if r.published_text is not None:
            published = r.published_text
        elif r.published_low is None:
            published = f"{fmt(r.published, r.unit)} (no CI)" if r.published is not None else "-"
        else:
            published = f"{fmt(r.published, r.unit)} [{fmt(r.published_low, r.unit)}, {fmt(r.published_high, r.unit)}]"
        out.append(
            Outcome(
                r.study,
                r.measure,
                published,
                (r.model, r.low, r.high),
                r.unit,
                r.verdict,
                circularity(r.study),
                r.setting,
            )
        )
    return out


ROLAND_OUTPATIENT_PCT = -22.0
"""Roland 2012, outpatient attendances, % vs matched controls at 6 months (abstract read; Int J Integr Care,
https://pmc.ncbi.nlm.nih.gov/articles/PMC3601529). The ``evidence_based`` routine_contacts_replaced_share (0.2)
was derived from it, so the model's routine GP and nursing contacts are compared only as a circular check."""

ROLAND_OTHER = (
    ("elective admissions, 6 months", "-21% (no CI) [ref:outcome.roland2012.elective_admissions_6m]"),
    ("inpatient and outpatient costs, 6 months", "-9% (no CI; Roland 2012 abstract)"),
    ("outpatient attendances, whole practice populations, 24 months", "-5% (no CI; Roland 2012 abstract)"),
)

BCF_DTOC_CHANGE_DAYS = 185_000
"""Better Care Fund year 1: delayed transfer of care days in England rose by 185,000 in 2015/16 over 2014/15
(293,000 fewer were planned). NAO (Feb 2017) 'Health and social care integration', as quoted in PAC report
HC 959 (2016-17) para 9, https://publications.parliament.uk/pa/cm201617/cmselect/cmpubacc/959/95907.htm."""

NOT_MODELLED = (
    *(("Roland 2012, ICP case management", *o) for o in ROLAND_OTHER),
    (
        "DH integrated care pilots 2012",
        "elective admissions, outpatient attendances, hospital costs",
        "no significant impact on hospital costs (HSJ 2012) [ref:outcome.dh_icp2012.emergency_admissions_24m]",
    ),
    (
        "Stokes 2015 (36 studies)",
        "patient satisfaction, short term (SMD)",
        "+0.26 [0.16, 0.36] [ref:outcome.stokes2015.satisfaction_short_term]",
    ),
    (
        "Stokes 2015 (36 studies)",
        "patient satisfaction, long term; self-reported health (SMD)",
        "+0.35 [0.04, 0.66]; +0.07 [0.00, 0.14] (Stokes 2015 abstract)",
    ),
    (
        "POPP 2009 (before and after)",
        "emergency bed days saved per pound spent; quality of life",
        "reported (Windle 2009); not recorded as a figure here",
    ),
    (
        "Better Care Fund year 1 (NAO 2017)",
        "net financial effect against the plans",
        "GBP 457m worse than planned (NAO 2017, as quoted by the PAC)",
    ),
    (
        "Torbay integrated care (Ham 2010)",
        "occupied hospital beds, whole area, 1998/99 to 2008/09",
        "750 -> 528 (HSMC 2010, secondary)",
    ),
    (
        "Torbay integrated care (Ham 2010)",
        "emergency bed days, 85+ with 2+ admissions, vs similar areas",
        "ratio 0.47 (HSMC 2010, secondary)",
    ),
)
"""Outcomes the studies report that the model cannot produce (no elective care, outpatients, satisfaction or
self-reported health; no whole-area population over a decade, no comparison areas, no national plans)."""

NOT_MODELLED_WHY = {
    "Roland 2012, ICP case management": "no elective or outpatient activity in the model",
    "DH integrated care pilots 2012": "no elective or outpatient activity; hospital costs not separated",
    "Stokes 2015 (36 studies)": "no patient-reported outcomes",
    "POPP 2009 (before and after)": "no quality of life; bed days per pound not computed",
    "Better Care Fund year 1 (NAO 2017)": "a national plan, not a cohort",
    "Torbay integrated care (Ham 2010)": "a whole area over ten years against other areas; the model follows one "
    "cohort against itself",
}


def no_difference_verdict(model: tuple[float, float, float]) -> str:
    """'No significant difference' (Stokes 2015, Gravelle 2007 bed days and mortality): as ``stokes_verdict``."""
    return stokes_verdict(model[1], model[2])


CARE_COSTS = ("cost_nhs", "cost_council")
"""Costs of care compared with Stokes 2015's 'total cost': the settings give 24 coordinators so that nobody waits
for a place, so the programme's cost is an artefact of the setting, not of the study's intervention."""

MORTALITY_NOTE = "; weak: deaths depend on care only through crisis rates (docs/model.md, Deaths)"


def at_risk_outcomes(result: Any) -> list[Outcome]:
    """Roland's outpatients (circular), Stokes 2015's other secondary care, costs and mortality, Damery 2016."""
    scenario = result.scenario
    go_live = pd.Timestamp(scenario.localities[0].go_live or scenario.simulation.start_date)
    out = []
    routine = _ci_row(
        window_change_pct(
            result, "integrated", _months(go_live, 0, 6), ("routine_gp_consultations", "routine_nursing_visits")
        )
    )
    out.append(
        Outcome(
            "Roland 2012, ICP case management",
            "outpatient attendances, 6 months (model: routine GP and nursing contacts)",
            f"{ROLAND_OUTPATIENT_PCT:+.0f}% (no CI)",
            routine,
            "pct",
            no_ci_verdict(routine[0], ROLAND_OUTPATIENT_PCT),
            "circular: routine_contacts_replaced_share (0.2) was derived from it",
            AT_RISK.key,
        )
    )
    for label, first in (("0-12 months", 0), ("13-24 months", 12)):
        months = _months(go_live, first, 12)
        for measure, metric in (
            ("emergency bed days", "bed_days"),
            ("A&E attendances", "ae_attendances"),
            ("NHS and council costs (programme excluded: its 24 coordinators are a setting device)", CARE_COSTS),
            ("mortality (deaths)", "deaths"),
        ):
            model = _ci_row(window_change_pct(result, "integrated", months, metric))
            out.append(
                Outcome(
                    "Stokes 2015 (36 studies)",
                    f"{measure}, {label}, %",
                    "no significant difference (SMD) [ref:outcome.stokes2015.secondary_care_use]",
                    model,
                    "pct",
                    no_difference_verdict(model),
                    CIRCULAR["Stokes 2015"] + (MORTALITY_NOTE if metric == "deaths" else ""),
                    AT_RISK.key,
                )
            )
    months = _months(go_live, 0, 24)
    readmissions = _ci_row(window_change_pct(result, "integrated", months, "readmissions_30d"))
    out.append(
        Outcome(
            "Damery 2016 (umbrella review)",
            "30-day readmissions, 24 months, %",
            "10% to 30% fewer in 11 of 24 reviews, no effect in 13 [ref:outcome.damery2016.readmissions]",
            readmissions,
            "pct",
            "yes: a fall of 10-30%" if -30 <= readmissions[0] <= -10 else "no: not a fall of 10-30%",
            "circular: post-discharge follow-up's readmission_rate_ratio (0.9) was derived from it",
            AT_RISK.key,
        )
    )
    stay = length_of_stay_difference(result, months)
    out.append(
        Outcome(
            "Damery 2016 (umbrella review)",
            "mean length of stay, 24 months, difference",
            "1 to 7 days shorter in 9 of 16 reviews [ref:outcome.damery2016.length_of_stay]",
            stay,
            "days",
            "yes: 1-7 days shorter" if -7 <= stay[0] <= -1 else "no: not 1-7 days shorter",
            "partly circular: discharge planning is on because Damery found shorter stays; its size is the "
            "hospital model's",
            AT_RISK.key,
        )
    )
    return out


def evercare_outcomes(tables: dict[str, pd.DataFrame]) -> list[Outcome]:
    """Gravelle 2007 also found no significant effect on emergency bed days or mortality (high-risk group)."""
    study = "Gravelle 2007, Evercare (controlled before and after)"
    published = "no significant effect (Gravelle 2007, BMJ 334:31, abstract)"
    out = []
    for measure, column in (("emergency bed days", "bed_days"), ("mortality (deaths)", "deaths")):
        model = ratio_change_pct(tables["outcomes"], "integrated", f"arm_{column}_after", f"baseline_{column}_after")
        out.append(
            Outcome(
                study,
                f"{measure}, high-risk group, year after enrolment, %",
                published,
                model,
                "pct",
                no_difference_verdict(model),
                "independent" + (MORTALITY_NOTE if column == "deaths" else ""),
                EVERCARE.key,
            )
        )
    for measure, column in (("emergency bed days", "bed_days"), ("mortality (deaths)", "deaths")):
        model = cohort_change_pct(tables["cohort_outcomes"], "integrated", column)
        out.append(
            Outcome(
                study,
                f"{measure}, whole 65+ population, 24 months, %",
                "-",
                model,
                "pct",
                "context",
                "independent" + (MORTALITY_NOTE if column == "deaths" else ""),
                EVERCARE.key,
            )
        )
    return out


POPP_AE_PCT = -29.0
"""POPP 2009: A&E use -29%, before and after, without controls [ref:outcome.popp2009.ae_use]."""


def popp_outcomes(tables: dict[str, pd.DataFrame]) -> list[Outcome]:
    """POPP's A&E use before and after, the same patients in the baseline, and the controlled change."""
    table = tables["outcomes"]
    pilot = ratio_change_pct(table, "integrated", "arm_ae_after", "arm_ae_before")
    rtm = ratio_change_pct(table, "integrated", "baseline_ae_after", "baseline_ae_before")
    controlled = ratio_change_pct(table, "integrated", "arm_ae_after", "baseline_ae_after")
    study = "POPP 2009 (before and after)"
    published = f"{POPP_AE_PCT:+.0f}% (no CI)"
    source = "independent (the pilot_claimed set, not compared here, was built from POPP)"
    return [
        Outcome(
            study,
            "A&E attendances, year after vs year before enrolment, integrated arm, %",
            published,
            pilot,
            "pct",
            no_ci_verdict(pilot[0], POPP_AE_PCT),
            source,
            POPP.key,
        ),
        Outcome(
            study,
            "A&E attendances, same patients and dates, baseline arm (regression to the mean), %",
            "-",
            rtm,
            "pct",
            "context",
            source,
            POPP.key,
        ),
        Outcome(
            study,
            "A&E attendances, controlled change, integrated vs baseline, year after, %",
            "-",
            controlled,
            "pct",
            "context",
            source,
            POPP.key,
        ),
    ]


def bcf_outcomes(result: Any) -> list[Outcome]:
    """The BCF's delayed transfers of care: the model's programme against its own counterfactual, 2015/16."""
    model = _ci_row(
        window_change_pct(result, "integrated", _months(pd.Timestamp("2015-04-01"), 0, 12), "delayed_discharge_days")
    )
    verdict = (
        "direction only: the programme lowers delays; the national rise is not reproduced (no secular trend)"
        if model[0] < 0
        else "direction only: no fall in delays, as observed"
    )
    return [
        Outcome(
            "Better Care Fund year 1 (NAO 2017)",
            "delayed transfer of care days in 2015/16 (model: integrated vs baseline), %",
            f"+{BCF_DTOC_CHANGE_DAYS:,} days vs 2014/15 (293,000 fewer planned)",
            model,
            "pct",
            verdict,
            "independent",
            BCF.key,
        )
    ]


def not_modelled_outcomes() -> list[Outcome]:
    return [
        Outcome(study, outcome, published, None, "pct", f"not modelled: {NOT_MODELLED_WHY[study]}", "-")
        for study, outcome, published in NOT_MODELLED
    ]


def outcomes_table(outcomes: Sequence[Outcome]) -> str:
    lines = [
        "| study | outcome | published | model mean [95% CI] | agrees? | value chosen from this study? | setting |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        setting = "-" if o.setting == "-" else f"`{o.setting}`"
        lines.append(
            f"| {o.study} | {o.outcome} | {o.published} | {_fmt_model(o.model, o.unit)} | {o.verdict} | {o.source} | "
            f"{setting} |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- calibration

CALIBRATED = (
    "east_blackburn_pilot",
    "robert_case_study",
    "blackburn_with_darwen_2014",
    "lancashire_bcf_2015",
    "lancashire_south_cumbria_places_2023",
)
CALIBRATION_REPLICATIONS = {  # held-out replications per check: (full cohorts, shrunk cohorts as in the tests)
    "east_blackburn_pilot": (20, 0),
    "robert_case_study": (5, 4),
    "blackburn_with_darwen_2014": (5, 4),
    "lancashire_bcf_2015": (3, 3),
    "lancashire_south_cumbria_places_2023": (3, 3),
}
SHRINK = {  # the shrunk cohorts of tests/validation/test_published_studies.py
    "robert_case_study": 0.5,
    "blackburn_with_darwen_2014": 0.25,
    "lancashire_bcf_2015": 0.2,
    "lancashire_south_cumbria_places_2023": 0.2,
}


def calibration_record(name: str) -> tuple[int, float]:
    """Replications the last calibration ran (0 .. n-1; the check uses the ones after them) and its tolerance."""
    record = json.loads((SCENARIOS / f"{name}.calibration.json").read_text(encoding="utf-8"))
    return int(record["replications_per_iteration"]), float(record["tolerance"])


def _baseline_tiers(scenario: Scenario, replication: int) -> list[tuple[float, float]]:
    base = run_replication(scenario, replication, ["baseline"])["baseline"]
    return [
        (float(a), float(d) / DAYS_PER_YEAR) for a, d in zip(base.tier_admissions, base.tier_person_days, strict=True)
    ]


def tier_check(name: str, replications: int, scale: float = 1.0, workers: int = 1) -> pd.DataFrame:
    """Baseline emergency admissions per person-year of every tier, on held-out replications, against the target.

    The replications are numbered after those the calibration used (same seed), so the check is out of sample.
    With ``scale`` < 1 the cohorts, incidence and capacities are shrunk (scale_scenario).
    """
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    data = scenario.model_dump()
    data["arms"] = [a for a in data["arms"] if a["name"] == "baseline"]
    if scale != 1.0:
        scale_scenario(data, scale)
    scenario = Scenario.model_validate(data)
    first, tolerance = calibration_record(name)
    reps = list(range(first, first + replications))
    runs = _map(_baseline_tiers, scenario, reps, min(workers, replications))
    rows = []
    for t, tier in enumerate(scenario.cohort.tiers):
        rates = [run[t][0] / run[t][1] for run in runs]
        mean, lo, hi = mean_ci(rates)
        target = tier.emergency_admissions_per_person_year
        allowed = allowed_error(rates, target, first, tolerance, scale)
        rows.append(
            {
                "scenario": name,
                "scale": scale,
                "patients": sum(loc.cohort_size for loc in scenario.localities),
                "replications": f"{first}-{first + replications - 1}",
                "n": replications,
                "tier": tier.name,
                "target": target,
                "mean": mean,
                "ci_low": lo,
                "ci_high": hi,
                "relative_error": mean / target - 1,
                "inside_ci": lo <= target <= hi,
                "tolerance": tolerance,
                "allowed_error": allowed,
                "consistent": abs(mean - target) <= allowed,
            }
        )
    return pd.DataFrame(rows)


def allowed_error(rates: Sequence[float], target: float, n_calibration: int, tolerance: float, scale: float) -> float:
    """How far the held-out mean may lie from the target if the calibration did what it claims.

    The calibration put its own mean (of ``n_calibration`` replications of the full cohort) within
    ``tolerance`` x target of the target; that mean has Monte Carlo error too. The held-out mean and the
    calibration's mean are independent, so their difference has standard error s * sqrt(1/n + scale/n_cal),
    with s the held-out replications' standard deviation (a cohort shrunk by ``scale`` has variance 1/scale
    times the full cohort's). Allowed: the tolerance plus the t-based 95% half-width of that difference.
    """
    n = len(rates)
    mean = math.fsum(rates) / n
    sd = math.sqrt(math.fsum((r - mean) ** 2 for r in rates) / (n - 1))
    half = float(student_t.ppf(0.975, n - 1)) * sd * math.sqrt(1 / n + scale / n_calibration)
    return tolerance * target + half


# --------------------------------------------------------------------------------------------- output


def fmt(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "pct":
        return f"{value:+.1f}%"
    if unit == "per_patient":
        return f"{value:+.3f}"
    if unit == "per_patient_month":
        return f"{value:+.4f}"
    return f"{value:.2f}"


def results_table(rows: list[Row]) -> str:
    lines = [
        "| study | measure | published [95% CI] | model mean [95% CI across replications] | agrees? | setting |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r.published_text is not None:
            published = r.published_text
        elif r.published is None:
            published = "-"
        elif r.published_low is None and r.published_high is None:
            published = f"{fmt(r.published, r.unit)} (no CI)"
        else:
            published = f"{fmt(r.published, r.unit)} [{fmt(r.published_low, r.unit)}, {fmt(r.published_high, r.unit)}]"
        model = f"{fmt(r.model, r.unit)} [{fmt(r.low, r.unit)}, {fmt(r.high, r.unit)}]"
        study = f"*{r.study}*" if r.context else r.study
        lines.append(f"| {study} | {r.measure} | {published} | {model} | {r.verdict} | `{r.setting}` |")
    return "\n".join(lines)


def settings_table(settings: Sequence[Setting], replications: dict[str, int]) -> str:
    lines = [
        "| setting | studies | scenario | population | selection | intensity | follow-up | replications |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in settings:
        d = s.describe
        lines.append(
            f"| `{s.key}` | {s.studies} | `scenarios/{s.scenario}` | {d['population']} | {d['selection']} | "
            f"{d['intensity']} | {d['follow-up']} | {replications[s.key]} |"
        )
    lines += ["", "The overrides, exactly as applied (`load_scenario(path, overrides=[...])`, then the arms kept):", ""]
    for s in settings:
        extra = []
        if s.tiers is not None:
            extra.append(f"tiers kept: {', '.join(s.tiers)} (shares renormalised, calibrated crisis rates kept)")
        if s.scale != 1.0:
            extra.append(f"cohorts, incidence, capacities and caseloads x {s.scale:g} (`scale_scenario`)")
        overrides = ", ".join(f"`{o}`" for o in s.overrides) or "no overrides"
        lines.append(f"- `{s.key}` (arms: {', '.join(s.arms)}): {overrides}" + "".join(f"; {e}" for e in extra))
    return "\n".join(lines)


def calibration_table(table: pd.DataFrame) -> str:
    lines = [
        "| scenario | patients | held-out replications | tier | target | simulated [95% CI] | error | "
        "target in CI? | allowed error | consistent? |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        name = r.scenario + ("" if r.scale == 1.0 else f" (x {r.scale:g})")
        lines.append(
            f"| `{name}` | {r.patients:,} | {r.replications} | {r.tier} | {r.target:.3f} | "
            f"{r.mean:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}] | {100 * r.relative_error:+.1f}% | "
            f"{'yes' if r.inside_ci else 'no'} | +/-{100 * r.allowed_error / r.target:.1f}% | "
            f"{'yes' if r.consistent else 'no'} |"
        )
    return "\n".join(lines)


def forest_plot(rows: list[Row], path: Path) -> None:
    panels = [
        ("pct", "change in emergency admissions, %"),
        ("per_patient", "difference in admissions per person"),
        ("per_patient_month", "difference per patient per month"),
        ("ratio", "rate ratio (log scale)"),
    ]
    heights = [max(1, sum(r.unit == unit for r in rows)) for unit, _ in panels]
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(10, 1.2 + 0.42 * sum(heights) + 1.2), gridspec_kw={"height_ratios": heights}
    )
    for ax, (unit, xlabel) in zip(axes, panels, strict=True):
        block = [r for r in rows if r.unit == unit]
        labels = []
        for i, r in enumerate(block):
            y = len(block) - 1 - i
            labels.append((y, f"{r.study}\n{r.measure}"))
            if r.published is not None:
                lo = r.published if r.published_low is None else r.published_low
                hi = r.published if r.published_high is None else r.published_high
                ax.plot([lo, hi], [y + 0.15, y + 0.15], color="black", lw=1.5)
                face = "white" if r.study.startswith("Better Care Fund") else "black"  # a plan, not an outcome
                ax.plot(r.published, y + 0.15, marker="D", color="black", mfc=face, ms=6, ls="none")
            colour = "#9aa5b1" if r.context else "#d9480f"
            ax.plot([r.low, r.high], [y - 0.15, y - 0.15], color=colour, lw=2)
            ax.plot(r.model, y - 0.15, marker="o", color=colour, ms=6, ls="none")
        ax.axvline(1.0 if unit == "ratio" else 0.0, color="grey", lw=0.8, ls=":")
        if unit == "ratio":
            ax.set_xscale("log")
            ax.set_xticks([0.3, 0.5, 0.7, 1.0, 1.5])
            ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_yticks([y for y, _ in labels], [text for _, text in labels], fontsize=7)
        ax.set_ylim(-0.7, len(block) - 0.3)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
    handles = [
        plt.Line2D([], [], color="black", marker="D", label="published (line: 95% CI)"),
        plt.Line2D([], [], color="black", marker="D", mfc="white", ls="none", label="planned (BCF)"),
        plt.Line2D([], [], color="#d9480f", marker="o", label="model, evidence_based (95% CI across replications)"),
        plt.Line2D([], [], color="#9aa5b1", marker="o", label="model, for comparison (not a check)"),
    ]
    fig.legend(handles=handles, loc="upper center", ncol=4, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)


def calibration_plot(table: pd.DataFrame, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(table) + 1.4))
    labels = []
    for i, r in enumerate(table.itertuples()):
        y = len(table) - 1 - i
        name = r.scenario + ("" if r.scale == 1.0 else f" x{r.scale:g}")
        labels.append((y, f"{name}: {r.tier}"))
        colour = "#2b5d8a" if r.scale == 1.0 else "#7fa7cc"
        ax.plot([100 * (r.ci_low / r.target - 1), 100 * (r.ci_high / r.target - 1)], [y, y], color=colour, lw=2)
        ax.plot(100 * r.relative_error, y, marker="o", color=colour, ls="none")
    tolerance = float(table["tolerance"].max())
    ax.axvspan(-100 * tolerance, 100 * tolerance, color="#eeeeee", zorder=0)
    ax.axvline(0, color="grey", lw=0.8, ls=":")
    ax.set_yticks([y for y, _ in labels], [t for _, t in labels], fontsize=7)
    ax.set_xlabel(f"baseline admissions per person-year vs target, % (95% CI; grey: +/-{100 * tolerance:g}%)")
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)


def replace_block(text: str, name: str, content: str) -> str:
    begin, end = f"<!-- validation:{name}:begin -->", f"<!-- validation:{name}:end -->"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{DOC}: missing the markers {begin} ... {end}")
    return pattern.sub(lambda _: f"{begin}\n{content}\n{end}", text, count=1)


def source_state() -> str:
    """The commit of the code and scenarios that produced the numbers, and whether they differ from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "carecoord", "scenarios", "experiments/validation.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    changes = " with uncommitted changes to carecoord/, scenarios/ or this script" if dirty else ""
    return f"commit `{commit}`{changes}"


# --------------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="half the replications (at least 3), for a smoke run")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: every core)")
    args = parser.parse_args()
    start = time.perf_counter()

    def reps(n: int) -> int:
        return max(3, n // 2) if args.quick else n

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f} s] {message}", flush=True)

    replications = {s.key: reps(s.replications) for s in SETTINGS}
    workers = {key: args.workers or default_workers(n) for key, n in replications.items()}
    rows: list[Row] = []

    outcomes: list[Outcome] = []
    say(f"{AT_RISK.key}: {replications[AT_RISK.key]} replications")
    at_risk = run_experiment(configure(AT_RISK), replications[AT_RISK.key], workers[AT_RISK.key])
    rows += at_risk_rows(at_risk)
    outcomes += at_risk_outcomes(at_risk)
    say(f"{HOSPITAL.key}: {replications[HOSPITAL.key]} replications")
    rows += hospital_rows(enrolment_tables(configure(HOSPITAL), replications[HOSPITAL.key], workers[HOSPITAL.key]))
    say(f"{EVERCARE.key}: {replications[EVERCARE.key]} replications")
    evercare = enrolment_tables(configure(EVERCARE), replications[EVERCARE.key], workers[EVERCARE.key])
    rows += evercare_rows(evercare)
    outcomes += evercare_outcomes(evercare)
    say(f"{POPP.key}: {replications[POPP.key]} replications")
    rows += popp_rows(run_experiment(configure(POPP), replications[POPP.key], workers[POPP.key]))
    say(f"{POPP.key}: A&E before and after, {replications[POPP.key]} replications (baseline, integrated)")
    popp_ae = enrolment_tables(
        configure(POPP, arms=("baseline", "integrated")), replications[POPP.key], workers[POPP.key]
    )
    outcomes += popp_outcomes(popp_ae)
    say(f"{BCF.key}: {replications[BCF.key]} replications")
    bcf = run_experiment(configure(BCF), replications[BCF.key], workers[BCF.key])
    rows += bcf_rows(bcf)
    outcomes += bcf_outcomes(bcf)

    order = [
        "Huntley 2013, community-initiated",
        "Huntley 2013, hospital-initiated",
        "Gravelle",
        "Stokes 2016",
        "Roland",
        "DH",
        "Stokes 2015",
        "POPP",
    ]
    rows.sort(key=lambda r: next((i for i, p in enumerate(order) if r.study.startswith(p)), len(order)))
    outcomes = admissions_outcomes(rows) + outcomes + not_modelled_outcomes()
    study_order = list(dict.fromkeys([*(r.study for r in rows), *(o.study for o in outcomes)]))
    outcomes.sort(key=lambda o: study_order.index(o.study))  # stable: each study's admissions first
    print(results_table(rows), outcomes_table(outcomes), sep="\n\n", flush=True)

    tables = []
    for name in CALIBRATED:
        full, shrunk = CALIBRATION_REPLICATIONS[name]
        for n, scale in ((reps(full), 1.0), (reps(shrunk) if shrunk else 0, SHRINK.get(name, 1.0))):
            if n:
                say(f"calibration check {name} x {scale:g}: {n} held-out replications")
                tables.append(tier_check(name, n, scale, args.workers or default_workers(n)))
    calibration = pd.concat(tables, ignore_index=True)

    FIGURES.mkdir(parents=True, exist_ok=True)
    forest_plot(rows, FOREST_PNG)
    calibration_plot(calibration, CALIBRATION_PNG)
    mode = "`--quick` (half the replications)" if args.quick else "full"
    run = (
        f"Generated by `python experiments/validation.py` ({mode} run) from {source_state()}; "
        "seeds are the scenarios' own, so a rerun gives the same numbers."
    )
    text = DOC.read_text(encoding="utf-8")
    text = replace_block(text, "run", run)
    text = replace_block(text, "settings", settings_table(SETTINGS, replications))
    text = replace_block(text, "results", results_table(rows))
    text = replace_block(text, "outcomes", outcomes_table(outcomes))
    text = replace_block(text, "calibration", calibration_table(calibration))
    DOC.write_text(text, encoding="utf-8")
    print(calibration_table(calibration))
    say(f"wrote {DOC.relative_to(ROOT)}, {FOREST_PNG.relative_to(ROOT)}, {CALIBRATION_PNG.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
