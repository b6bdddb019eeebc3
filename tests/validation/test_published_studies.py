"""The model against published studies, and the baseline against its calibration targets (issue 4).

Fast versions of ``experiments/validation.py``, which regenerates docs/validation.md from the study files
in ``experiments/studies/``: the settings (overrides, arms, selection) and the outcomes' computations and
rules are read from those files, so the tests check the configurations the document reports, with smaller
cohorts and fewer replications. Every integrated arm uses the ``evidence_based`` effect set. Where the model
does not reproduce a study's outcome (Gravelle 2007's bed days, Stokes 2015's A&E use and costs, Damery
2016), the test asserts what the model does instead and says so; comparisons with a study an effect-set
value was derived from are marked circular.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carecoord.before_after import summarise_before_after
from carecoord.experiment import run_experiment
from carecoord.validation.calibration import CALIBRATION_REPLICATIONS, SHRINK, tier_check
from carecoord.validation.configure import configure
from carecoord.validation.enrolment import enrolment_tables
from carecoord.validation.runner import estimate, verdict
from carecoord.validation.study import Outcome, Setting, Study, load_studies

ROOT = Path(__file__).resolve().parents[2]
STUDIES = {s.study.split(" (")[0].split(",")[0]: s for s in load_studies(ROOT / "experiments" / "studies")}
"""Study files by the study's short name (e.g. 'Gravelle 2007', 'Huntley 2013', 'Stokes 2016')."""
NO_DIFFERENCE_PCT = 5.0
"""As the study files' no_difference rule: a change within +/-5% reads as 'no significant difference'."""


def _study(name: str, measure_start: str = "") -> Study:
    found = [s for s in load_studies(ROOT / "experiments" / "studies") if s.study.startswith(name)]
    assert len(found) == 1, name
    return found[0]


def _setting(name: str) -> Setting:
    setting = _study(name).resolved_setting
    assert setting is not None
    return setting


def _outcome(study: str, measure_start: str) -> Outcome:
    found = [o for o in _study(study).outcomes if o.measure.startswith(measure_start)]
    assert len(found) == 1, [o.measure for o in _study(study).outcomes]
    return found[0]


def _check(study: str, measure_start: str, run) -> tuple[tuple[float, float, float], str, Outcome]:
    """The model's estimate and the verdict of one outcome of a study file, from a run of its setting."""
    outcome = _outcome(study, measure_start)
    model = estimate(outcome, run)
    return model, verdict(outcome, model), outcome


@pytest.fixture(scope="module")
def at_risk():
    """The at-risk setting (Huntley community-initiated, Stokes 2015/2016, Roland, DH ICP, Damery), cohort
    and capacities halved, its own three years (two after go-live), 6 replications."""
    scenario = configure(_setting("Huntley 2013, community"), scale=0.5)
    return run_experiment(scenario, replications=6, workers=1)


@pytest.fixture(scope="module")
def evercare() -> dict:
    """The Evercare setting (Gravelle 2007), cohort and capacities halved, 5 replications."""
    return enrolment_tables(configure(_setting("Gravelle 2007"), scale=0.5), replications=5, workers=1)


@pytest.fixture(scope="module")
def popp() -> dict:
    """The POPP setting (Robert's selection), baseline and integrated arms, 4 replications."""
    scenario = configure(_setting("POPP"), arms=("baseline", "integrated"), extra=["simulation.duration_days=1096"])
    return enrolment_tables(scenario, replications=4, workers=1)


def _before_after(result, arm: str, measure: str) -> tuple[float, float, float]:
    row = summarise_before_after(result.before_after).set_index(["arm", "measure"]).loc[(arm, measure)]
    assert row["patients"] >= 50, "too few patients with a full year before and after enrolment"
    return float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])


def test_huntley_community_initiated_difference_per_patient_is_inside_the_published_ci(at_risk) -> None:
    """Huntley 2013, community-initiated case management (RCTs): +0.05 admissions per person [-0.04, 0.15].

    Older people in the high and very-high risk tiers, all enrolled by tier at go-live; the model's
    paired difference per enrolled patient over the year after enrolment lies inside the published CI.
    """
    mean, _, _ = _before_after(at_risk, "integrated", "controlled_difference_per_patient")
    assert -0.04 <= mean <= 0.15


def test_stokes_2016_mdt_case_management_differences_per_patient_month_are_inside_the_published_cis(at_risk) -> None:
    """Stokes 2016 (MDT case management of high-risk patients, matched DiD): non-elective admissions +0.01
    per patient per month [0.00, 0.01]; 30-day readmissions +0.00 [0.00, 0.01], published to 2 decimals.

    The at-risk setting (as Huntley's community-initiated trials); rounded as the study rounded, each of the
    model's differences lies inside the published CI.
    """
    admissions, said, _ = _check("Stokes 2016", "non-elective admissions", at_risk)
    assert said.startswith("yes"), (admissions, said)
    readmissions, said, _ = _check("Stokes 2016", "30-day readmissions", at_risk)
    assert said.startswith("yes"), (readmissions, said)
    assert admissions[0] > 0  # more admissions, as in the study (case finding, escalation)


def test_huntley_hospital_initiated_model_is_inside_the_published_ci_but_not_at_its_point_estimate() -> None:
    """Huntley 2013, hospital-initiated case management (RCTs): rate ratio 0.71 [0.49, 1.03].

    Enrolled at an emergency admission (min_admissions_last_year = 1) and followed up after each discharge,
    the evidence_based patients have about as many admissions in the following year as the same patients in
    the baseline (full run: 1.00 [0.96, 1.03], inside the published CI, at its upper end; before issue 8 it was
    1.06, above it). The test asserts both halves of that: the model is not significantly above the
    published upper limit (its CI reaches 1.03 or below) and the published point estimate 0.71 lies below the
    model's whole CI (the trials' effect is not reproduced). See docs/validation.md.
    """
    scenario = configure(_setting("Huntley 2013, hospital"), scale=0.5, arms=("baseline", "integrated"))
    tables = enrolment_tables(scenario, replications=5, workers=1)
    assert tables["at_admission"]["patients"].min() >= 50
    (mean, low, high), _, _ = _check(
        "Huntley 2013, hospital", "unplanned admissions, rate ratio, 12 months (enrolled at an admission)", tables
    )
    assert low <= 1.03, (mean, low, high)
    assert low > 0.71, (mean, low, high)


def test_gravelle_2007_evercare_high_risk_and_whole_population_changes_are_inside_the_published_cis(
    evercare: dict,
) -> None:
    """Gravelle 2007 (Evercare nurse case management, controlled before and after): emergency admissions
    +16.5% [-5.7%, 38.7%] in the high-risk group (2+ admissions), +2.5% [-2.1%, 7.0%] in the whole 65+
    population.

    The Evercare setting (selection by 2 admissions in a year, the pilot's plan without its social-care
    side), cohort and capacities halved: both of the model's changes lie inside the published CIs.
    """
    assert evercare["all"]["patients"].min() >= 50
    for measure in ("emergency admissions, high-risk", "emergency admissions, whole 65+"):
        model, said, _ = _check("Gravelle 2007", measure, evercare)
        assert said == "yes", (measure, model, said)


def test_popp_before_and_after_fall_is_regression_to_the_mean(popp: dict) -> None:
    """POPP 2009: -47% overnight stays, before and after, without controls.

    Patients selected by prior use (3 admissions in a year) have a pilot-style fall of more than 30% in the
    integrated arm, while the controlled change (integrated vs baseline, same patients) stays within +/-10%.
    """
    assert popp["all"]["patients"].min() >= 50
    (pilot, _, _), _, _ = _check("POPP", "admissions, year after vs year before", popp)
    (controlled, _, _), _, _ = _check("POPP", "controlled change, integrated vs baseline", popp)
    assert pilot < -30
    assert abs(controlled) <= 10


def test_better_care_fund_does_not_cut_admissions_as_planned() -> None:
    """Better Care Fund year 1: plans averaged -3.07% non-elective admissions; admissions rose.

    Blackburn with Darwen's BCF (cohorts, capacities and caseloads x 0.25): the controlled change in
    emergency admissions in 2015/16 is not a fall of 3.07% or more.
    """
    scenario = configure(_setting("Better Care Fund"), scale=0.25)
    result = run_experiment(scenario, replications=4, workers=1)
    (mean, _, _), _, outcome = _check("Better Care Fund", "emergency admissions in 2015/16", result)
    assert outcome.published.value == -3.07
    assert mean > outcome.published.value


@pytest.mark.parametrize("name", sorted(SHRINK))
def test_baseline_reproduces_each_tier_s_admission_rate_on_held_out_replications(name: str) -> None:
    """Each tier's simulated admissions per person-year agree with the target it was calibrated to.

    The replications are the ones after those the calibration used (same seed), on cohorts shrunk with
    their capacities (calibration.SHRINK, CALIBRATION_REPLICATIONS): the rows marked "x scale" in
    docs/validation.md, shown beside the full cohorts on the same replications, which is how the document
    shows what shrinking does. Allowed error: the calibration's tolerance plus the t-based 95% half-width
    of the difference between the held-out mean and the calibration's own mean (calibration.allowed_error).
    The east Blackburn pilot is checked in tests/test_calibration.py.
    """
    replications = CALIBRATION_REPLICATIONS[name][1]
    table = tier_check(ROOT / "scenarios", name, replications, scale=SHRINK[name], workers=1)
    for row in table.itertuples():
        assert row.consistent, (
            f"{name} {row.tier}: {row.mean:.3f} vs target {row.target} (allowed +/-{row.allowed_error:.3f})"
        )


def test_gravelle_2007_mortality_of_the_high_risk_group_shows_no_significant_effect(evercare: dict) -> None:
    """Gravelle 2007 also found no significant effect on mortality in the high-risk group.

    The same Evercare runs, the enrolled patients' deaths in the year after enrolment, integrated vs baseline
    for the same patients: the CI includes 0 or lies within +/-5% (as for Stokes 2015). A weak check: deaths
    depend on care only through crisis rates (docs/model.md, Deaths).
    """
    assert evercare["outcomes"]["patients"].min() >= 50
    model, said, _ = _check("Gravelle 2007", "mortality (deaths), high-risk", evercare)
    assert said.startswith("yes"), model


def test_popp_ae_use_falls_before_and_after_mostly_by_regression_to_the_mean(popp: dict) -> None:
    """POPP 2009: A&E use -29%, before and after, without controls.

    The same patients (selected by 3 admissions in a year) attend A&E less in the year after enrolment than in
    the year before, in the integrated arm AND in the baseline (no programme): the whole 95% CI of each fall is
    below 0, and the baseline's fall is most of the integrated arm's.
    """
    pilot, _, _ = _check("POPP", "A&E attendances, year after", popp)
    rtm, _, _ = _check("POPP", "A&E attendances, same patients", popp)
    assert pilot[2] < 0
    assert rtm[2] < 0
    assert abs(rtm[0]) > abs(pilot[0]) / 2


def test_gravelle_2007_bed_days_are_not_reproduced_they_rise(evercare: dict) -> None:
    """Gravelle 2007 found no significant effect on emergency bed days; the model does NOT reproduce that.

    Full run: the enrolled high-risk patients' bed days rise by about 13% [5%, 21%] the year after enrolment,
    while their admissions rise by about 1%: the rise is in length of stay (docs/validation.md). The test
    asserts the miss in the cohort and capacities halved: a mean rise beyond the +/-5% read as 'no difference'.
    """
    model, _, _ = _check("Gravelle 2007", "emergency bed days, high-risk", evercare)
    assert model[0] > NO_DIFFERENCE_PCT, model


def test_roland_routine_contacts_fall_by_less_than_the_share_replaced_circular(at_risk) -> None:
    """Roland 2012, outpatient attendances -22%: CIRCULAR, routine_contacts_replaced_share (0.2) was derived from it.

    What the check can show is that the parameter does what it says: routine GP and nursing contacts fall, by
    less than the 20% replaced for a patient with a care plan, because plans start over the weeks after go-live
    (paced MDT). Whole 95% CI within (-20%, 0).
    """
    (_, low, high), _, outcome = _check("Roland 2012", "outpatient attendances, 6 months", at_risk)
    assert low > -20 and high < 0, (low, high)
    assert outcome.circularity is not None and outcome.circularity.startswith("circular")


def test_stokes_2015_other_outcomes_as_the_document_states(at_risk) -> None:
    """Stokes 2015 (no significant difference in secondary care use, total cost or mortality), first year.

    The document reports: bed days and mortality consistent (CI includes 0 or within +/-5%); A&E attendances
    fall and NHS and council costs rise, both significantly (proactive visits, rapid response and out-of-hours
    care cost more than the admissions and contacts they replace), so those are NOT reproduced.

    Mortality is asserted more weakly than the document's verdict: here its 95% CI only has to reach into the
    +/-5% margin (no change significantly beyond it). Deaths are rare, so at this half scale and 6 replications
    the CI is about 2.4 points each side (SE about 0.9), against about 1.0 in the document's full run (-0.8%
    [-1.8%, +0.2%] there), and this scale's own runs gave -2.0% and -2.8%. With a true change of -2%, the
    document's rule (CI includes 0 or lies within +/-5%) fails when the mean falls below about -2.6%, 0.7 SE
    below the truth: one run in four, a coin toss rather than a test. A change large enough to matter (the
    CI wholly past -5%, a mean below about -7.4%) still fails this one.
    """
    model, said, _ = _check("Stokes 2015", "emergency bed days, 0-12", at_risk)
    assert said.startswith("yes"), (model, said)
    (_, low, high), _, _ = _check("Stokes 2015", "mortality (deaths), 0-12", at_risk)
    assert high > -NO_DIFFERENCE_PCT and low < NO_DIFFERENCE_PCT, (low, high)
    ae, _, _ = _check("Stokes 2015", "A&E attendances, 0-12", at_risk)
    assert ae[2] < -NO_DIFFERENCE_PCT, ae
    costs, _, _ = _check(
        "Stokes 2015",
        "NHS and council costs (programme excluded: its 24 coordinators are a setting device), 0-12",
        at_risk,
    )
    assert costs[1] > NO_DIFFERENCE_PCT, costs


def test_damery_2016_readmissions_and_length_of_stay_are_missed(at_risk) -> None:
    """Damery 2016: readmissions 10-30% fewer (11 of 24 reviews), stays 1-7 days shorter (9 of 16). Both
    comparisons are circular (readmission_rate_ratio 0.9 derived from it; discharge planning on for it), and
    both are missed: readmissions do not fall by 10% (case finding and escalation add admissions, so more
    discharges open a 30-day window), and stays are shorter by well under a day. Asserted: mean readmission
    change above -10%; the whole length-of-stay CI between -1 and 0 days.
    """
    readmissions, _, _ = _check("Damery 2016", "30-day readmissions", at_risk)
    assert readmissions[0] > -10, readmissions
    stay, _, _ = _check("Damery 2016", "mean length of stay", at_risk)
    assert stay[1] > -1 and stay[2] < 0, stay
