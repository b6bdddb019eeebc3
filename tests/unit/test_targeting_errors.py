"""Bad enrolment criteria and condition effects are clear errors naming the field (issue 9 items 2-3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecoord.errors import ScenarioError
from carecoord.scenario import load_scenario

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
ENROL = "arms.integrated.mechanisms.enrolment"
CONDITIONS = "cohort.conditions=[{name: diabetes, prevalence: 0.3}, {name: copd, prevalence: 0.2}]"


def problem(*overrides: str) -> str:
    """The one problem loading the tiny scenario with these overrides raises."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(TINY, list(overrides))
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


def test_unknown_condition_names_the_ones_that_exist() -> None:
    text = problem(CONDITIONS, f"{ENROL}.conditions_any=[diabetes, copdd]")
    assert text.startswith("arms.2.mechanisms.enrolment.conditions_any.1: unknown condition 'copdd'")
    assert "diabetes, copd" in text


def test_a_condition_without_any_conditions_in_the_cohort() -> None:
    assert "cohort.conditions is empty" in problem(f"{ENROL}.conditions_any=[copd]")


def test_min_age_above_max_age() -> None:
    text = problem(f"{ENROL}.min_age=80", f"{ENROL}.max_age=70")
    assert text.startswith("arms.2.mechanisms.enrolment: min_age (80) is above max_age (70)")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("enrolment_days", -90),
        ("enrolment_days", 0),
        ("discharge_at_review_if_stable_days", -1),
        ("reenrol_after_days", -5),
        ("lookback_days", -396),
        ("min_age", -1),
        ("risk_score_threshold", -0.5),
        ("case_finding_interval_days", 0),
        ("case_finding_interval_days", -30),
    ],
)
def test_negative_days_ages_and_thresholds(field: str, value: float) -> None:
    assert problem(f"{ENROL}.{field}={value}").startswith(f"arms.2.mechanisms.enrolment.{field}: ")


def test_two_admission_criteria_at_once() -> None:
    text = problem(f"{ENROL}.min_admissions=2", f"{ENROL}.min_admissions_last_year=1")
    assert "not both" in text


def test_last_year_shorthand_with_another_window() -> None:
    text = problem(f"{ENROL}.min_admissions_last_year=1", f"{ENROL}.lookback_days=396")
    assert "use min_admissions" in text


def test_a_non_positive_crisis_rate_ratio() -> None:
    text = problem("cohort.conditions=[{name: copd, prevalence: 0.2, crisis_rate_ratio: 0}]")
    assert text.startswith("cohort.conditions.0.crisis_rate_ratio: ")


@pytest.mark.parametrize("field", ["gp_consultation_rate_ratio", "district_nursing_rate_ratio"])
@pytest.mark.parametrize("value", ["0", "-1.5"])
def test_a_non_positive_service_use_ratio(field: str, value: str) -> None:
    text = problem(
        f"cohort.conditions=[{{name: copd, prevalence: 0.2}}, {{name: dementia, prevalence: 0.1, {field}: {value}}}]"
    )
    assert text.startswith(f"cohort.conditions.1.{field}: ")
    assert "greater than 0" in text


def test_the_example_criteria_load(tmp_path: Path) -> None:
    """'75+ with diabetes or COPD and 2+ admissions in 13 months, 90 days at a time' is expressible."""
    scenario = load_scenario(
        TINY,
        [
            CONDITIONS,
            f"{ENROL}.min_age=75",
            f"{ENROL}.conditions_any=[diabetes, copd]",
            f"{ENROL}.min_admissions=2",
            f"{ENROL}.lookback_days=396",
            f"{ENROL}.enrolment_days=90",
        ],
    )
    enrol = scenario.arm("integrated").mechanisms.enrolment
    assert enrol is not None
    assert (enrol.min_age, enrol.conditions_any, enrol.admissions_needed, enrol.lookback_days) == (
        75,
        ["diabetes", "copd"],
        2,
        396,
    )
    assert enrol.time_limited


def test_the_yaml_line_is_given(tmp_path: Path) -> None:
    """In a file, the problem points at the line of the bad value."""
    text = TINY.read_text(encoding="utf-8").replace(
        "      enrolment: {coordinators: 1, caseload: 40}",
        "      enrolment:\n        coordinators: 1\n        enrolment_days: -90",
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    line = 1 + text.splitlines().index("        enrolment_days: -90")
    assert info.value.problems[0].endswith(f"(line {line})")


@pytest.mark.parametrize("value", ["2.3645290789953464e+16", "10001"])
def test_coordinators_above_the_bound_are_refused(value: str) -> None:
    """A fuzzed 2.36e16 coordinators once passed as an integer and the MDT meeting, which holds every
    coordinator at once, exhausted the machine's memory (the test worker was killed)."""
    text = problem(f"{ENROL}.coordinators={value}")
    assert text.startswith("arms.2.mechanisms.enrolment.coordinators")
    assert "less than or equal to 10000" in text
