"""A run warns when a service cannot keep up, and a large locality with defaults is sized to fit.

Issue 8, item 7: a 9,000-patient locality with the former fixed defaults reported a 236-day mean
stay without a word. Defaults are now sized to the population, and saturation is reported.
"""

from __future__ import annotations

import json
from pathlib import Path

from carecoord.experiment import run_experiment
from carecoord.plausibility import MAX_MEAN_STAY_DAYS
from tests.conftest import LoadTiny, RunCli

BY_POPULATION = tuple(
    f"services.{s}.capacity=by_population"
    for s in ("gp", "community_nursing", "social_work", "home_care", "intermediate_care")
)
LOS_SOURCED = (5.8, 10.8)
"""Mean stay of emergency admissions in England, all [ref:emergency_admission.mean_los] and with 5+ conditions
[ref:emergency_admission.mean_los_5plus_conditions]."""


def test_large_locality_with_default_capacities_is_plausible(load_tiny: LoadTiny) -> None:
    """9,000 patients, every capacity at its default: a mean stay within the sourced range and no warning."""
    scenario = load_tiny(
        *BY_POPULATION,
        "localities=[{name: big, cohort_size: 9000, incidence_per_year: 900}]",
        "arms=[{name: baseline}]",
        "simulation.duration_days=365",
        "simulation.warm_up_days=120",
    )
    result = run_experiment(scenario, replications=1, workers=1)
    stay = result.summary.set_index(["metric", "arm"]).loc[("mean_length_of_stay_days", "baseline"), "mean"]
    assert LOS_SOURCED[0] <= stay <= LOS_SOURCED[1]
    assert result.warnings == []


def test_large_locality_with_fixed_small_capacities_warns(load_tiny: LoadTiny) -> None:
    """The same locality with the former fixed capacities (tiny's, sized for ~200 patients) is flagged."""
    scenario = load_tiny(
        "localities=[{name: big, cohort_size: 9000, incidence_per_year: 900}]",
        "arms=[{name: baseline}]",
        "simulation.duration_days=365",
        "simulation.warm_up_days=120",
    )
    result = run_experiment(scenario, replications=1, workers=1)
    saturated = {(w.service, w.locality) for w in result.warnings if w.kind == "saturated"}
    assert ("home_care", "big") in saturated
    stay = result.summary.set_index(["metric", "arm"]).loc[("mean_length_of_stay_days", "baseline"), "mean"]
    if stay > MAX_MEAN_STAY_DAYS:  # the implausible result itself is flagged too
        assert any(w.kind == "implausible" and w.figure == round(stay, 2) for w in result.warnings)


def test_tiny_capacity_warns_in_print_and_manifest(run_cli: RunCli, tiny_path: Path, tmp_path: Path) -> None:
    """One social worker per 1,000-plus patients: the printout and manifest.json name the service and the fix."""
    out = tmp_path / "run"
    done = run_cli(
        "run",
        tiny_path,
        "--out",
        out,
        "--replications",
        "2",
        "--workers",
        "1",
        "--set",
        "services.social_work.capacity=1",
        "--set",
        "services.social_work.assessment_hours=40",
        "--set",
        "arms=[{name: baseline}]",
    )
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())  # rich may wrap long lines
    assert "WARNING: social_work in locality 'east' saturated" in text
    assert "services.social_work.capacity" in text
    warnings = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["warnings"]
    named = {(w["kind"], w["service"], w["locality"]) for w in warnings}
    assert ("saturated", "social_work", "east") in named
    assert all("add capacity" in w["message"] for w in warnings if w["kind"] == "saturated")
