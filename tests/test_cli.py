"""The ``carecoord`` command end to end: run, validate, schema; their files and exit codes.

``run`` is exercised once in a subprocess (the real console script) and its folder is shared by
the checks below; tests that change a folder work on their own copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from carecoord.cli import app
from carecoord.experiment import run_experiment
from carecoord.output import TABLES, write_results
from carecoord.scenario import Scenario, load_scenario
from carecoord.scenario.reference import render_markdown

FILES = {
    "summary.csv",
    "replications.csv",
    "monthly.csv",
    "manifest.json",
    "capacity.csv",
    "tiers.csv",
    "before_after.csv",
    "staff_utilisation.csv",
}
ISSUE_2_METRICS = (
    "emergency_admissions",
    "admissions_avoided",
    "bed_days",
    "delayed_discharge_days",
    "ae_attendances",
    "gp_appointments",
    "gp_home_visits",
    "community_nursing_visits",
    "social_work_assessments",
    "residential_admissions",
    "deaths",
    "patients_enrolled",
    "cost_nhs",
    "cost_council",
    "cost_programme",
    "cost_total",
)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def first_run(
    tmp_path_factory: pytest.TempPathFactory, run_cli, tiny_path: Path
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """``carecoord run tiny.yaml --replications 2 --out DIR`` (once for the module)."""
    out = tmp_path_factory.mktemp("cli") / "results"
    proc = run_cli("run", tiny_path, "--replications", "2", "--out", out, "--workers", "1")
    return out, proc


@pytest.fixture(scope="module")
def out(first_run: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    """The folder of the first run (which must have succeeded)."""
    folder, proc = first_run
    assert proc.returncode == 0, proc.stderr
    return folder


def test_run_exits_0_and_writes_the_folder(first_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """A good run exits 0 and leaves exactly the documented files, and no temporary folder."""
    folder, proc = first_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert {p.name for p in folder.iterdir()} == FILES
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]
    assert "Results written to" in proc.stdout


def test_piped_output_honours_columns_and_never_breaks_prose(
    first_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """Piped with COLUMNS=80 (run_cli): tables fit 80 columns, no line ends in spaces, and each paragraph of
    prose is one line (the reader's screen wraps it), so 'replications; ' never ends a line."""
    folder, proc = first_run
    lines = proc.stdout.splitlines()
    assert not [line for line in lines if line != line.rstrip()]
    prose = [line for line in lines if line.startswith(("integrated:", "Results written to", "Costs in"))]
    assert len(prose) >= 3
    assert any(line.startswith("Results written to") and str(folder) in line for line in prose)
    table = [line for line in lines if line.startswith(" ") or line.startswith("─")]
    assert table and max(len(line) for line in table) <= 80
    value = next(line for line in prose if "saves money in" in line)
    assert "replications;" in value and not value.endswith(" ")


def test_summary_columns_and_rows(out: Path, tiny: Scenario) -> None:
    """summary.csv: the documented columns in order, one row per arm and metric."""
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == [
        "arm",
        "metric",
        "mean",
        "ci_low",
        "ci_high",
        "diff_vs_baseline",
        "diff_ci_low",
        "diff_ci_high",
    ]
    assert set(summary["arm"]) == set(tiny.arm_names)
    assert not summary.duplicated(["arm", "metric"]).any()
    counts = summary.groupby("arm")["metric"].nunique()
    assert (counts == counts.iloc[0]).all()


def test_replications_columns(out: Path, tiny: Scenario) -> None:
    """replications.csv: replication, arm, locality, metric, value; 'all' plus each locality."""
    table = pd.read_csv(out / "replications.csv")
    assert list(table.columns) == ["replication", "arm", "locality", "metric", "value"]
    assert set(table["replication"]) == {0, 1}
    assert set(table["arm"]) == set(tiny.arm_names)
    assert set(table["locality"]) == {"all", *(loc.name for loc in tiny.localities)}


def test_monthly_columns(out: Path, tiny: Scenario) -> None:
    """monthly.csv: replication, arm, locality, month, metric, value; months of the results window only."""
    table = pd.read_csv(out / "monthly.csv")
    assert list(table.columns) == ["replication", "arm", "locality", "month", "metric", "value"]
    sim = tiny.simulation
    first = sim.start_date + dt.timedelta(days=sim.warm_up_days)
    last = sim.start_date + dt.timedelta(days=sim.horizon_days - 1)
    assert sorted(set(table["month"])) == sorted(
        {f"{first + dt.timedelta(days=d):%Y-%m}" for d in range((last - first).days + 1)}
    )


def test_issue_2_metrics_in_summary(out: Path, tiny: Scenario) -> None:
    """Every headline metric is in the summary for every arm, with a finite mean."""
    summary = pd.read_csv(out / "summary.csv").set_index(["arm", "metric"])
    for arm in tiny.arm_names:
        for metric in ISSUE_2_METRICS:
            assert (arm, metric) in summary.index, (arm, metric)
            assert math.isfinite(summary.loc[(arm, metric), "mean"]), (arm, metric)
    assert summary.loc[("baseline", "admissions_avoided"), "mean"] == 0.0
    assert summary.loc[("integrated", "patients_enrolled"), "mean"] > 0


def test_manifest(out: Path, tiny_path: Path) -> None:
    """The manifest holds what is needed to reproduce the folder."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario_file_sha256"] == hashlib.sha256(tiny_path.read_bytes()).hexdigest()
    resolved = load_scenario(tiny_path, ["simulation.replications=2"])
    assert manifest["scenario"] == json.loads(resolved.model_dump_json())
    assert manifest["seed"] == resolved.simulation.seed
    assert manifest["replications"] == 2
    assert manifest["carecoord_version"] == metadata.version("carecoord")
    command = manifest["command"]
    assert command[:2] == ["carecoord", "run"]
    assert str(tiny_path) in command and "--replications" in command
    started = dt.datetime.fromisoformat(manifest["started"])
    finished = dt.datetime.fromisoformat(manifest["finished"])
    assert started <= finished
    for name in ("summary", "replications", "monthly"):
        assert (out / manifest["files"][name]).is_file()
    assert manifest["prices"]["price_year"] == resolved.costs.price_year
    assert "NHS Cost Inflation Index" in manifest["prices"]["index"]
    assert isinstance(manifest["warnings"], list)


def test_rerun_into_same_folder_is_refused(out: Path, run_cli, tiny_path: Path) -> None:
    """Without --overwrite a second run exits 2, says why, and leaves the results untouched."""
    before = snapshot(out)
    proc = run_cli("run", tiny_path, "--replications", "1", "--out", out, "--workers", "1")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "--overwrite" in proc.stderr
    assert snapshot(out) == before
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_overwrite_keeps_the_old_folder(out: Path, tmp_path: Path, run_cli, tiny_path: Path) -> None:
    """--overwrite writes the new results (here also as Parquet) and keeps the old folder as DIR.previous-<time>."""
    target = tmp_path / "results"
    shutil.copytree(out, target)
    before = {name: data for name, (data, _) in snapshot(target).items()}
    proc = run_cli(
        "run",
        tiny_path,
        "--replications",
        "1",
        "--seed",
        "7",
        "--out",
        target,
        "--overwrite",
        "--workers",
        "1",
        "--parquet",
    )
    assert proc.returncode == 0, proc.stderr
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("results.previous-")]
    assert len(kept) == 1
    assert {name: data for name, (data, _) in snapshot(kept[0]).items()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["results", kept[0].name])
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["replications"], manifest["seed"]) == (1, 7)
    for name in TABLES:  # --parquet: the same tables in both formats
        pd.testing.assert_frame_equal(
            pd.read_parquet(target / f"{name}.parquet"), pd.read_csv(target / f"{name}.csv"), check_dtype=False
        )


def test_overwrite_twice_in_the_same_second_keeps_both(load_tiny, tmp_path: Path) -> None:
    """Two quick overwrites each keep the folder they replace; neither fails nor loses one.

    Folder names kept by earlier overwrites in the coming minute are taken in advance, so the
    test does not depend on how fast the machine is.
    """
    result = run_experiment(
        load_tiny("simulation.replications=1", "simulation.duration_days=120", "simulation.warm_up_days=30"), workers=1
    )
    manifest = {"files": {name: f"{name}.csv" for name in TABLES}}
    target = tmp_path / "results"
    assert write_results(result, target, manifest) is None
    now = dt.datetime.now()
    taken = []
    for second in range(60):
        name = f"results.previous-{(now + dt.timedelta(seconds=second)).strftime('%Y%m%d-%H%M%S')}"
        (tmp_path / name).mkdir()
        (tmp_path / name / "earlier.txt").write_text(name, encoding="utf-8")
        taken.append(name)
    kept_first = write_results(result, target, manifest, overwrite=True)
    kept_second = write_results(result, target, manifest, overwrite=True)
    assert kept_first is not None and kept_second is not None and kept_first != kept_second
    for kept in (kept_first, kept_second):
        assert {p.name for p in kept.iterdir()} == FILES
    for name in taken:
        assert (tmp_path / name / "earlier.txt").read_text(encoding="utf-8") == name
    assert {p.name for p in target.iterdir()} == FILES


def test_validate_ok(run_cli, tiny_path: Path, tiny: Scenario) -> None:
    """``validate`` on a good file exits 0 and describes it."""
    proc = run_cli("validate", tiny_path)
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout
    assert str(sum(loc.cohort_size for loc in tiny.localities)) in proc.stdout


def test_validate_says_how_localities_share_services(tiny_path: Path) -> None:
    """With several localities ``validate`` prints the shared-services rule; split gives each locality's piece."""
    runner = CliRunner()
    pooled = runner.invoke(app, ["validate", str(tiny_path)])
    assert pooled.exit_code == 0 and "shared services: pooled" in pooled.output
    split = runner.invoke(app, ["validate", str(tiny_path), "--set", "simulation.shared_services=split"])
    assert split.exit_code == 0 and "shared services: split" in split.output
    assert "intermediate_care 3/2" in split.output  # 5 places for 200 + 150 patients: quotas 2.86, 2.14


def test_validate_applies_set(tiny_path: Path) -> None:
    """``validate --set`` checks the overridden scenario (a bad override fails, a good one passes)."""
    runner = CliRunner()
    good = runner.invoke(app, ["validate", str(tiny_path), "--set", "localities.east.cohort_size=5"])
    assert good.exit_code == 0
    assert "155 patients" in good.stdout
    bad = runner.invoke(app, ["validate", str(tiny_path), "--set", "services.gp.capacity=-1"])
    assert bad.exit_code == 2


def test_schema_prints_json_schema(run_cli) -> None:
    """``schema`` prints a JSON Schema of the scenario (for editors)."""
    proc = run_cli("schema")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    assert set(schema["properties"]) == set(Scenario.model_fields)
    assert {"name", "simulation", "localities", "cohort", "arms"} <= set(schema["required"])


def test_schema_markdown_is_the_reference() -> None:
    """``schema --markdown`` prints exactly the rendered field reference."""
    result = CliRunner().invoke(app, ["schema", "--markdown"])
    assert result.exit_code == 0
    assert result.stdout == render_markdown()
