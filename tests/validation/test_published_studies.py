"""The model against published studies, and the baseline against its calibration targets (issue 4).

Fast versions of ``experiments/validation.py``, which regenerates docs/validation.md: the study settings
(overrides, arms, selection) are read from that script, so the tests check the configurations the
document reports, with smaller cohorts and fewer replications. Every integrated arm uses the
``evidence_based`` effect set. Where the model does not reproduce a study (Huntley 2013's
hospital-initiated case management), the test asserts what the model does instead and says so.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from carecoord.before_after import summarise_before_after
from carecoord.experiment import run_experiment

ROOT = Path(__file__).resolve().parents[2]


def _load_validation() -> ModuleType:
    spec = importlib.util.spec_from_file_location("carecoord_validation", ROOT / "experiments" / "validation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


validation = _load_validation()


def _before_after(result, arm: str, measure: str) -> tuple[float, float, float]:
    row = summarise_before_after(result.before_after).set_index(["arm", "measure"]).loc[(arm, measure)]
    assert row["patients"] >= 50, "too few patients with a full year before and after enrolment"
    return float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])


def test_huntley_community_initiated_difference_per_patient_is_inside_the_published_ci() -> None:
    """Huntley 2013, community-initiated case management (RCTs): +0.05 admissions per person [-0.04, 0.15].

    Older people in the high and very-high risk tiers, all enrolled by tier at go-live; the model's
    paired difference per enrolled patient over the year after enrolment lies inside the published CI.
    """
    scenario = validation.configure(validation.AT_RISK, scale=0.5, extra=["simulation.duration_days=730"])
    result = run_experiment(scenario, replications=6, workers=1)
    mean, _, _ = _before_after(result, "integrated", "controlled_difference_per_patient")
    assert -0.04 <= mean <= 0.15


def test_stokes_2016_mdt_case_management_differences_per_patient_month_are_inside_the_published_cis() -> None:
    """Stokes 2016 (MDT case management of high-risk patients, matched DiD): non-elective admissions +0.01
    per patient per month [0.00, 0.01]; 30-day readmissions +0.00 [0.00, 0.01], published to 2 decimals.

    The at-risk setting (as Huntley's community-initiated trials); rounded as the study rounded, each of the
    model's differences lies inside the published CI.
    """
    scenario = validation.configure(validation.AT_RISK, scale=0.5, extra=["simulation.duration_days=730"])
    result = run_experiment(scenario, replications=6, workers=1)
    summary = summarise_before_after(result.before_after)
    go_live = validation.pd.Timestamp(scenario.localities[0].go_live or scenario.simulation.start_date)
    rows = validation.stokes_2016_rows(result, summary, go_live)
    assert [r.verdict.split(" ")[0] for r in rows] == ["yes", "yes"], [r.verdict for r in rows]
    assert rows[0].model > 0  # more admissions, as in the study (case finding, escalation)


def test_huntley_hospital_initiated_is_not_reproduced_the_model_does_not_lower_admissions() -> None:
    """Huntley 2013, hospital-initiated case management (RCTs): rate ratio 0.71 [0.49, 1.03]. NOT reproduced.

    Enrolled at an emergency admission (min_admissions_last_year = 1) and followed up after each discharge
    (post_discharge_follow_up, 10% fewer readmissions in the window: Damery 2016), the evidence_based patients
    still have slightly MORE admissions in the following year than the same patients in the baseline (full
    run: about 1.06, just above the published CI): case finding and escalation outweigh small preventive
    effects, and readmissions are too small a share of admissions for the follow-up to change that. The test
    asserts what the model does: a rate ratio above 1, with the published point estimate 0.71 below the
    model's whole CI. See docs/validation.md.
    """
    scenario = validation.configure(validation.HOSPITAL, scale=0.5, arms=("baseline", "integrated"))
    tables = validation.enrolment_tables(scenario, replications=5, workers=1)
    assert tables["at_admission"]["patients"].min() >= 50
    mean, low, _ = validation.rate_ratio(tables["at_admission"], "integrated")
    assert mean > 1.0
    assert low > 0.71


def test_gravelle_2007_evercare_high_risk_and_whole_population_changes_are_inside_the_published_cis() -> None:
    """Gravelle 2007 (Evercare nurse case management, controlled before and after): emergency admissions
    +16.5% [-5.7%, 38.7%] in the high-risk group (2+ admissions), +2.5% [-2.1%, 7.0%] in the whole 65+
    population.

    The Evercare setting (selection by 2 admissions in a year, the pilot's plan without its social-care
    side), cohort and capacities halved: both of the model's changes lie inside the published CIs.
    """
    scenario = validation.configure(validation.EVERCARE, scale=0.5)
    tables = validation.enrolment_tables(scenario, replications=5, workers=1)
    assert tables["all"]["patients"].min() >= 50
    rows = validation.evercare_rows(tables)
    assert [r.verdict for r in rows] == ["yes", "yes"], [(r.measure, r.model, r.verdict) for r in rows]


def test_popp_before_and_after_fall_is_regression_to_the_mean() -> None:
    """POPP 2009: -47% overnight stays, before and after, without controls.

    Patients selected by prior use (3 admissions in a year) have a pilot-style fall of more than 30% in the
    integrated arm, while the controlled change (integrated vs baseline, same patients) stays within +/-10%.
    """
    scenario = validation.configure(
        validation.POPP, arms=("baseline", "integrated"), extra=["simulation.duration_days=1096"]
    )
    result = run_experiment(scenario, replications=4, workers=1)
    pilot, _, _ = _before_after(result, "integrated", "before_after_change_pct")
    controlled, _, _ = _before_after(result, "integrated", "controlled_change_pct")
    assert pilot < -30
    assert abs(controlled) <= 10


def test_better_care_fund_does_not_cut_admissions_as_planned() -> None:
    """Better Care Fund year 1: plans averaged -3.07% non-elective admissions; admissions rose.

    Blackburn with Darwen's BCF (cohorts, capacities and caseloads x 0.25): the controlled change in
    emergency admissions in 2015/16 is not a fall of 3.07% or more.
    """
    scenario = validation.configure(validation.BCF, scale=0.25)
    result = run_experiment(scenario, replications=4, workers=1)
    mean, _, _ = validation.bcf_change(result)
    assert mean > validation.BCF_PLANNED_PCT


@pytest.mark.parametrize("name", sorted(validation.SHRINK))
def test_baseline_reproduces_each_tier_s_admission_rate_on_held_out_replications(name: str) -> None:
    """Each tier's simulated admissions per person-year agree with the target it was calibrated to.

    The replications are the ones after those the calibration used (same seed), on cohorts shrunk with
    their capacities (validation.SHRINK, CALIBRATION_REPLICATIONS): the rows marked "x scale" in
    docs/validation.md, shown beside the full cohorts on the same replications, which is how the document
    shows what shrinking does. Allowed error: the calibration's tolerance plus the t-based 95% half-width
    of the difference between the held-out mean and the calibration's own mean (validation.allowed_error).
    The east Blackburn pilot is checked in tests/test_calibration.py.
    """
    replications = validation.CALIBRATION_REPLICATIONS[name][1]
    table = validation.tier_check(name, replications, scale=validation.SHRINK[name], workers=1)
    for row in table.itertuples():
        assert row.consistent, (
            f"{name} {row.tier}: {row.mean:.3f} vs target {row.target} (allowed +/-{row.allowed_error:.3f})"
        )
