"""Sweeps give paired, reproducible tables: common random numbers across points, identical numbers on
every backend, and a store that resumes without losing or double-counting units."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from carecoord.batch import ResultsStore, run_sweep
from carecoord.errors import OutputError, ScenarioError
from carecoord.experiment import run_experiment

CASELOAD = "arms.integrated.mechanisms.enrolment.caseload"
POST_COST = "arms.integrated.mechanisms.enrolment.coordinator_annual_cost"


def _whole(result, metric: str, arm: str) -> pd.DataFrame:
    t = result.tidy
    rows = t[(t["locality"] == "all") & (t["metric"] == metric) & (t["arm"] == arm)]
    return rows.pivot(index="replication", columns="point", values="value")


def test_tidy_columns_one_per_parameter(write_experiment, tmp_path: Path) -> None:
    path = write_experiment({"type": "grid", "parameters": {CASELOAD: [10, 40]}}, replications=2)
    result = run_sweep(path, out=tmp_path / "out")
    assert list(result.tidy.columns) == ["point", CASELOAD, "replication", "arm", "locality", "metric", "value"]
    assert sorted(result.tidy["arm"].unique()) == ["baseline", "integrated"]
    assert sorted(result.tidy["locality"].unique()) == ["all", "east", "west"]
    assert result.tidy.groupby("point")[CASELOAD].first().tolist() == [10, 40]
    assert set(result.tidy["replication"]) == {0, 1}
    for name in ("replications.csv", "replications.parquet", "summary.csv", "points.csv", "manifest.json"):
        assert (tmp_path / "out" / name).is_file()
    assert {"point", CASELOAD, "arm", "metric", "diff_vs_baseline", "diff_vs_first_point"} <= set(
        result.summary.columns
    )


def test_common_random_numbers_across_points(write_experiment, tmp_path: Path) -> None:
    """Same streams at every point: the baseline arm is identical replication by replication, and a
    parameter that only changes a cost leaves every admission count unchanged (a zero paired difference)."""
    path = write_experiment({"type": "grid", "parameters": {POST_COST: [50000.0, 150000.0]}}, replications=2)
    result = run_sweep(path, out=tmp_path / "out")
    pd.testing.assert_series_equal(
        _whole(result, "emergency_admissions", "baseline")[0],
        _whole(result, "emergency_admissions", "baseline")[1],
        check_names=False,
    )
    admissions = _whole(result, "emergency_admissions", "integrated")
    pd.testing.assert_series_equal(admissions[0], admissions[1], check_names=False)
    costs = _whole(result, "cost_programme", "integrated")
    assert (costs[1] > costs[0]).all()
    row = result.summary.query("point == 1 and arm == 'integrated' and metric == 'emergency_admissions'").iloc[0]
    assert row["diff_vs_first_point"] == 0 and row["first_point_ci_low"] == 0 and row["first_point_ci_high"] == 0


def test_a_point_equals_a_plain_run_of_its_scenario(write_experiment, load_short, tmp_path: Path) -> None:
    """A sweep point's numbers are those of `carecoord run` on the same scenario and seed."""
    path = write_experiment({"type": "grid", "parameters": {CASELOAD: [25]}}, replications=2)
    result = run_sweep(path, out=tmp_path / "out")
    scenario = load_short(f"{CASELOAD}=25")
    plain = run_experiment(scenario, replications=2, workers=1).replications
    plain = plain[plain["arm"].isin(["baseline", "integrated"])].reset_index(drop=True)
    swept = result.tidy.drop(columns=["point", CASELOAD]).reset_index(drop=True)
    pd.testing.assert_frame_equal(swept, plain, check_dtype=False)


def test_replications_zero_is_an_error(write_experiment, tmp_path: Path, tiny) -> None:
    path = write_experiment({"type": "grid", "parameters": {CASELOAD: [25]}})
    with pytest.raises(ValueError, match="at least 1"):
        run_sweep(path, replications=0, out=tmp_path / "out")
    with pytest.raises(ValueError, match="at least 1"):
        run_experiment(tiny, replications=0)
    assert not (tmp_path / "out").exists()


def test_resume_skips_finished_units_and_gives_the_same_tables(write_experiment, tmp_path: Path) -> None:
    """An interrupted store (a unit missing, a half-written temporary file) resumes to the uninterrupted tables."""
    path = write_experiment({"type": "grid", "parameters": {CASELOAD: [10, 40]}}, replications=2)
    whole = run_sweep(path, out=tmp_path / "whole")
    part = tmp_path / "part"
    first = run_sweep(path, replications=1, out=part)
    assert first.manifest["units_computed_this_run"] == 2
    (part / "units" / "p00001-r00000.parquet").unlink()  # killed before this unit was saved
    (part / "units" / ".tmp-half-written.parquet").write_bytes(b"PAR1 truncated")
    resumed = run_sweep(path, out=part)
    assert resumed.manifest["units_reused_from_store"] == 1
    assert resumed.manifest["units_computed_this_run"] == 3
    assert not list((part / "units").glob(".tmp-*"))
    pd.testing.assert_frame_equal(resumed.tidy, whole.tidy)
    pd.testing.assert_frame_equal(resumed.summary, whole.summary)
    assert (part / "replications.csv").read_bytes() == (tmp_path / "whole" / "replications.csv").read_bytes()
    again = run_sweep(path, out=part)
    assert again.manifest["units_computed_this_run"] == 0
    assert len(again.tidy) == len(whole.tidy)


def test_a_folder_of_another_experiment_is_refused(write_experiment, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_sweep(write_experiment({"type": "grid", "parameters": {CASELOAD: [10]}}, replications=1), out=out)
    before = sorted(p.name for p in (out / "units").iterdir())
    other = write_experiment({"type": "grid", "parameters": {CASELOAD: [20]}}, replications=1, name="other")
    with pytest.raises(OutputError, match="different experiment"):
        run_sweep(other, out=out)
    assert sorted(p.name for p in (out / "units").iterdir()) == before
    (tmp_path / "stranger").mkdir()
    (tmp_path / "stranger" / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="not a carecoord results store"):
        run_sweep(other, out=tmp_path / "stranger")


def test_store_writes_units_atomically(tmp_path: Path) -> None:
    store = ResultsStore.open(tmp_path / "s", "abc", {"name": "t"})
    store.save(3, 7, pd.DataFrame({"value": [1.5, 2.5]}))
    assert store.finished() == {(3, 7)}
    assert store.load([(3, 7)])["value"].tolist() == [1.5, 2.5]
    assert json.loads((tmp_path / "s" / "store.json").read_text())["fingerprint"] == "abc"
    assert ResultsStore.open(tmp_path / "s", "abc", {"name": "t"}).finished() == {(3, 7)}


def test_unknown_arm_names_the_file(write_experiment, tmp_path: Path) -> None:
    path = write_experiment({"type": "grid", "parameters": {CASELOAD: [10]}}, arm="nonexistent")
    with pytest.raises(ScenarioError, match="nonexistent"):
        run_sweep(path, out=tmp_path / "out")


def test_units_of_another_model_version_are_refused(write_experiment, tmp_path: Path, monkeypatch) -> None:
    """The fingerprint holds a hash of carecoord's code: after a model change the old units are not reused."""
    from carecoord.batch import runner

    path = write_experiment({"type": "grid", "parameters": {CASELOAD: [10]}}, replications=1)
    run_sweep(path, out=tmp_path / "out", workers=1)
    real = runner.code_version()
    monkeypatch.setattr(runner, "code_version", lambda: {**real, "code_sha256": "0" * 64})
    with pytest.raises(OutputError, match="different experiment or model version"):
        run_sweep(path, out=tmp_path / "out", workers=1)
