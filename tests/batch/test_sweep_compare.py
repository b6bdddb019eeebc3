"""`compare` puts several scenarios in one table, paired where they share a cohort; precision-driven
replications stop at the target or at the maximum, and say which."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from carecoord.batch import compare, run_sweep

CASELOAD = "arms.integrated.mechanisms.enrolment.caseload"
SHORT = ["simulation.duration_days=300", "simulation.warm_up_days=60"]


def _variant(tmp_path: Path, name: str, body: str) -> Path:
    tiny = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"extends: {tiny}\n{body}", encoding="utf-8")
    return path


def test_compare_pairs_scenarios_that_share_a_cohort(tmp_path: Path, run_cli) -> None:
    plan_a = _variant(tmp_path, "plan_a", "name: plan a\n")
    plan_b = _variant(
        tmp_path,
        "plan_b",
        "name: plan b\narms:\n  - name: baseline\n  - name: all_off\n    mechanisms: {}\n"
        "  - name: integrated\n    mechanisms:\n      enrolment: {coordinators: 2, caseload: 40}\n",
    )
    other = _variant(tmp_path, "other_seed", "name: other\nsimulation: {seed: 99}\n")
    result = compare([plan_a, plan_b, other], replications=2, out=tmp_path / "out", overrides=SHORT)
    assert list(result.points["scenario"]) == ["plan_a", "plan_b", "other_seed"]
    assert result.extra["pairing"]["paired_with_first"].tolist() == [True, True, False]
    summary = result.summary.set_index(["scenario", "arm", "metric"])
    # same patients and streams: plan b's baseline is plan a's, replication by replication
    assert summary.loc[("plan_b", "baseline", "emergency_admissions"), "diff_vs_first_point"] == 0
    assert summary.loc[("plan_b", "baseline", "emergency_admissions"), "first_point_ci_high"] == 0
    assert summary.loc[("plan_b", "integrated", "patients_enrolled"), "diff_vs_first_point"] != 0
    # another seed is not paired: no paired difference is claimed
    assert summary.loc[("other_seed", "baseline", "emergency_admissions"), ["diff_vs_first_point"]].isna().all()
    assert (tmp_path / "out" / "pairing.csv").is_file()
    cli = run_cli(
        "compare", plan_a, plan_b, other, "--replications", "2", "--out", tmp_path / "out", "--quiet", *_sets()
    )
    assert cli.returncode == 0, cli.stderr
    assert re.search(r"6\s+units\s+reused", cli.stdout) and cli.stderr == ""


def _sets() -> list[str]:
    return [x for s in SHORT for x in ("--set", s)]


def test_target_half_width_reached_or_maximum(write_experiment, tmp_path: Path) -> None:
    path = write_experiment({"type": "grid", "parameters": {CASELOAD: [40]}}, replications=2)
    loose = run_sweep(path, out=tmp_path / "loose", target_half_width=1e6)
    assert loose.manifest["precision"]["reason"] == "target reached"
    assert loose.manifest["replications_per_point"] == 2
    strict = run_sweep(path, out=tmp_path / "strict", target_half_width=1e-9, max_replications=4)
    assert strict.manifest["precision"]["reason"].startswith("maximum of 4 replications")
    assert strict.manifest["replications_per_point"] == 4
    assert strict.manifest["units_computed_this_run"] == 4 and strict.manifest["units_reused_from_store"] == 0
    assert sorted(strict.tidy["replication"].unique()) == [0, 1, 2, 3]
    assert strict.manifest["precision"]["largest_relative_half_width"] > 1e-9


def test_compare_needs_two_scenarios(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least two"):
        compare([tmp_path / "a.yaml"], out=tmp_path / "out")
