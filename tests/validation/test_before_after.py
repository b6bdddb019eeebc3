"""Before-and-after versus controlled, as the evidence says (issue 3; shared/reference/README.md).

Patients selected by their recent use (like "Robert", seed 004) fall back without help: in the
baseline arm alone their admissions fall by at least a third from the year before selection to
the year after (regression to the mean), while the paired, controlled effect of the care plan
under evidence-based effects is much smaller. Under the pilot-claimed effects the controlled
effect is large.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carecoord.before_after import summarise_before_after
from carecoord.cohort import generate_cohort
from carecoord.experiment import run_experiment
from carecoord.model.run import run_arm
from carecoord.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def robert() -> dict:
    scenario = load_scenario(
        ROOT / "scenarios" / "robert_case_study.yaml",
        ["localities.east.cohort_size=700", "localities.east.incidence_per_year=70", "simulation.duration_days=1096"],
    )
    result = run_experiment(scenario, replications=4, workers=2)
    summary = summarise_before_after(result.before_after).set_index(["arm", "measure"])
    return {"summary": summary, "table": result.before_after}


def test_baseline_alone_falls_by_at_least_a_third(robert: dict) -> None:
    """Regression to the mean: the whole 95% CI of the baseline change is below -33%."""
    row = robert["summary"].loc[("integrated", "baseline_before_after_change_pct")]
    assert row["patients"] >= 50
    assert row["ci_high"] < -100 / 3


def test_controlled_effect_is_much_smaller_under_evidence(robert: dict) -> None:
    """The paired effect is under a third of the before-and-after fall a pilot would report."""
    summary = robert["summary"]
    pilot = summary.loc[("integrated", "before_after_change_pct"), "mean"]
    controlled = summary.loc[("integrated", "controlled_change_pct"), "mean"]
    assert pilot < -100 / 3
    assert abs(controlled) < abs(pilot) / 3


def test_pilot_claimed_effects_give_a_large_controlled_effect(robert: dict) -> None:
    """With the pilot's claims taken at face value, the controlled effect itself is large."""
    row = robert["summary"].loc[("integrated_as_claimed", "controlled_change_pct")]
    assert row["ci_high"] < -100 / 3


def test_history_before_go_live_is_the_baseline_s() -> None:
    """Common random numbers: for patients enrolled at go-live, every admission before it is the baseline's."""
    scenario = load_scenario(
        ROOT / "scenarios" / "robert_case_study.yaml",
        ["localities.east.cohort_size=400", "localities.east.incidence_per_year=40", "simulation.duration_days=800"],
    )
    cohort = generate_cohort(scenario, 0)
    arm = run_arm(scenario, cohort, "integrated", 0)
    base = run_arm(scenario, cohort, "baseline", 0)
    go_live = scenario.locality_go_live_day(0)
    at_go_live = {pid for pid, t in arm.enrolled_at.items() if t == go_live}
    assert len(at_go_live) >= 10

    def history(rec) -> list[tuple[int, float]]:
        return sorted((pid, t) for pid, t in rec.admission_log if pid in at_go_live and t < go_live)

    assert history(arm) == history(base)
    assert len(history(base)) >= 2 * len(at_go_live)  # selected at go-live for their admissions in the year before
