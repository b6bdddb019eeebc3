"""Effect sets fill the mechanisms an arm switches on; the arm's own values win (issue 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecoord.errors import ScenarioError
from carecoord.scenario import load_scenario
from carecoord.scenario.arms import MechanismsSpec
from carecoord.scenario.loader import effect_set

ROOT = Path(__file__).resolve().parents[2]
ROBERT = ROOT / "scenarios" / "robert_case_study.yaml"


@pytest.mark.parametrize("name", ["evidence_based", "pilot_claimed", "neutral"])
def test_effect_set_values_reach_the_arm(name: str) -> None:
    scenario = load_scenario(ROBERT, [f"arms.integrated.effects={name}"])
    arm = scenario.arm("integrated")
    assert arm.effects == name
    for mechanism, values in effect_set(name).items():
        spec = getattr(arm.mechanisms, mechanism)
        if spec is None:
            continue  # the arm does not switch this one on
        for key, value in values.items():
            assert getattr(spec, key) == value, (mechanism, key)


def test_arm_values_win_over_the_effect_set() -> None:
    scenario = load_scenario(ROBERT, ["arms.integrated.mechanisms.proactive_visits.sensitivity=0.33"])
    assert scenario.arm("integrated").mechanisms.proactive_visits.sensitivity == 0.33


def test_arms_sharing_a_yaml_anchor_keep_their_own_effect_sets() -> None:
    """Two arms written with one anchor (*robert_plan) still get different parameters."""
    scenario = load_scenario(ROBERT)
    evidence = scenario.arm("integrated").mechanisms.proactive_visits
    claimed = scenario.arm("integrated_as_claimed").mechanisms.proactive_visits
    assert evidence.prevented_fraction == effect_set("evidence_based")["proactive_visits"]["prevented_fraction"]
    assert claimed.prevented_fraction == effect_set("pilot_claimed")["proactive_visits"]["prevented_fraction"]
    assert evidence != claimed


def test_the_two_sets_differ_and_pull_in_opposite_directions() -> None:
    evidence, claimed = effect_set("evidence_based"), effect_set("pilot_claimed")
    assert evidence["case_finding"]["admission_probability"] > claimed["case_finding"]["admission_probability"]
    assert evidence["proactive_visits"]["prevented_fraction"] < claimed["proactive_visits"]["prevented_fraction"]


def test_unknown_effect_set_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(ROBERT, ["arms.integrated.effects=wishful"])
    assert any(p.startswith("arms.1.effects:") for p in err.value.problems)


def test_neutral_set_switches_off_every_effect_of_every_mechanism() -> None:
    """Every mechanism is in the neutral set, with every parameter that could change a risk, route or stay
    at its no-effect value; enrolment's only such parameter is the crisis call's wait for a coordinator
    (a wait would delay the crisis), which is zero."""
    neutral = effect_set("neutral")
    assert set(neutral) == set(MechanismsSpec.model_fields)
    assert neutral["enrolment"] == {"triage_max_wait_hours": 0.0}
    for mechanism, values in neutral.items():
        for key, value in values.items():
            if key.endswith("_ratio"):
                assert value == 1.0, (mechanism, key)
            elif key.endswith("_probability") or key in ("sensitivity", "prevented_fraction"):
                assert value == 0.0, (mechanism, key)
    for claimed in ("evidence_based", "pilot_claimed"):  # item 1: both sets now state the minor-crisis effect
        for mechanism in ("rapid_response", "proactive_visits"):
            assert "resolves_minor_crisis_probability" in effect_set(claimed)[mechanism]
