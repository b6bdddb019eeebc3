"""Faults that are not a broken file: Ctrl-C, errors raised in workers, ``extends:`` merging, calibrate.

Each test reproduces one row of the robustness issue's table and checks what the user sees.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from carecoord.cli import app
from carecoord.errors import ScenarioError
from carecoord.experiment import run_experiment
from carecoord.scenario import load_scenario

FILES = Path(__file__).parent / "files"
TINY = Path(__file__).parent.parent / "data" / "tiny.yaml"
CARECOORD = Path(sys.executable).parent / "carecoord"


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the workers")
def test_ctrl_c_prints_one_line_and_leaves_no_folder(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) during a parallel run."""
    out = tmp_path / "results"
    args = ["run", str(TINY), "--replications", "4", "--workers", "2", "--out", str(out)]
    args += ["--set", "localities.east.cohort_size=4000"]  # long enough to be interrupted mid-run
    proc = subprocess.Popen(
        [str(CARECOORD), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = _children(proc.pid)
    assert len(workers) >= 2, "the worker processes never started"
    time.sleep(1.0)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert proc.returncode == 130, stderr
    assert lines == ["Interrupted: nothing was written (existing files are untouched)"], stderr
    assert "Traceback" not in stderr and stdout == ""
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder left either
    time.sleep(0.5)
    assert not [pid for pid in workers if _alive(pid)], "orphan workers"


def test_scenario_error_pickles() -> None:
    """A ScenarioError survives pickling with its file, problems and per-problem files."""
    err = ScenarioError("a.yaml", ["x: bad (line 2)", "y: worse (line 3)"], ["a.yaml", "b.yaml"])
    back = pickle.loads(pickle.dumps(err))
    assert (back.source, back.problems, back.files, str(back)) == (err.source, err.problems, err.files, str(err))


def _raise_in_worker() -> None:
    raise ScenarioError("cohort.csv", ["locality: 'x' is not a locality (line 3)"])


def test_scenario_error_in_a_worker_reaches_the_user() -> None:
    """Raised in a worker process, it arrives as itself, not as a BrokenProcessPool."""
    with ProcessPoolExecutor(max_workers=1) as pool, pytest.raises(ScenarioError) as info:
        pool.submit(_raise_in_worker).result()
    assert str(info.value) == "cohort.csv: locality: 'x' is not a locality (line 3)"


def test_cohort_csv_removed_before_a_parallel_run(tmp_path: Path) -> None:
    """A CSV that vanishes after loading fails in the workers with the message, not a broken pool."""
    csv = tmp_path / "patients.csv"
    csv.write_text("locality,age,tier,lives_alone,anxious_at_night\neast,80,high,yes,no\n", encoding="utf-8")
    scenario = load_scenario(TINY, [f"cohort.csv={csv}", "simulation.replications=2"])
    csv.unlink()
    with pytest.raises(ScenarioError, match=r"cohort\.csv: file not found"):
        run_experiment(scenario, workers=2)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_extends_overrides_one_arm_and_keeps_the_others(tmp_path: Path) -> None:
    """Named lists merge by name: one arm changed, the baseline and other arms kept, items added or removed."""
    base = load_scenario(TINY)
    child = _write(
        tmp_path / "child.yaml",
        f"extends: {TINY}\n"
        "localities:\n"
        "  - {name: west, cohort_size: 99}\n"
        "  - {name: north, cohort_size: 10}\n"
        "arms:\n"
        "  - name: integrated\n"
        "    mechanisms:\n"
        "      enrolment: {coordinators: 3}\n"
        "  - {name: all_off, remove: true}\n",
    )
    scenario = load_scenario(child)
    assert scenario.arm_names == ["baseline", "integrated"]
    enrol = scenario.arm("integrated").mechanisms.enrolment
    assert enrol.coordinators == 3 and enrol.caseload == base.arm("integrated").mechanisms.enrolment.caseload
    assert scenario.arm("integrated").mechanisms.case_finding == base.arm("integrated").mechanisms.case_finding
    assert [(loc.name, loc.cohort_size) for loc in scenario.localities] == [("east", 200), ("west", 99), ("north", 10)]
    assert scenario.localities[1].go_live == base.localities[1].go_live


def test_extends_errors_name_their_own_file_and_line(tmp_path: Path) -> None:
    """A bad value set in the child is reported in the child; one inherited from the parent, in the parent."""
    parent = _write(tmp_path / "parent.yaml", TINY.read_text(encoding="utf-8").replace("share: 0.4,", "share: 0.5,"))
    child = _write(tmp_path / "child.yaml", "extends: parent.yaml\nname: child\nsimulation:\n  seed: -1\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    lines = str(info.value).splitlines()
    parent_line = 1 + parent.read_text(encoding="utf-8").splitlines().index("cohort:")
    assert f"{child}: simulation.seed: Input should be greater than or equal to 0 (line 4)" in lines
    assert f"{parent}: cohort: tier shares must add up to 1 (they add up to 1.1) (line {parent_line})" in lines
    assert (
        lines[-1]
        == f"{child}: extends: the problem(s) above are in {parent}, reached through {child} -> {parent} (line 1)"
    )


def test_calibrate_supports_extends(tmp_path: Path) -> None:
    """``calibrate`` on a file that extends another writes the rates into it as tiers merged by name."""
    child = _write(tmp_path / "child.yaml", f"extends: {TINY}\nname: calibrated child\n")
    dest = tmp_path / "child.calibrated.yaml"
    args = ["calibrate", str(child), "--replications", "1", "--tolerance", "100", "--out", str(dest), "--workers", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output + result.stderr
    written = yaml.safe_load(dest.read_text(encoding="utf-8"))
    assert written["extends"] == str(TINY)
    rates = {t["name"]: t["crisis_rate_per_year"] for t in written["cohort"]["tiers"]}
    assert set(rates) == {"moderate", "high"}
    scenario = load_scenario(dest)
    assert [t.crisis_rate_per_year for t in scenario.cohort.tiers] == [rates["moderate"], rates["high"]]
    assert [t.share for t in scenario.cohort.tiers] == [0.6, 0.4]  # the rest of each tier from the parent


def test_calibrate_refuses_before_running(tmp_path: Path) -> None:
    """A destination that cannot be written is refused at once (exit 2), not after the calibration."""
    dest = tmp_path / "no_such_folder" / "out.yaml"
    result = CliRunner().invoke(app, ["calibrate", str(TINY), "--out", str(dest)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{dest}: --out: cannot be written, because {dest.parent} is not an existing folder"
    assert "calibration" not in result.stdout


@pytest.mark.parametrize(
    ("override", "limit"),
    [
        ("cohort.tiers.0.routine_gp_consultations_per_year=239397657789567.0", "365"),
        ("services.community_nursing.routine_visits_per_week=8", "7"),
    ],
)
def test_routine_rates_beyond_one_a_day_are_refused(override: str, limit: str) -> None:
    """Found by the fuzz test: a routine GP rate of 2.4e14 a year was accepted and booked until memory ran
    out. Routine bookings are at most one a day per patient; beyond that the scenario is refused."""
    field = override.split("=")[0]
    with pytest.raises(ScenarioError) as info:
        load_scenario(TINY, [override])
    assert f"{field}: Input should be less than or equal to {limit}" in str(info.value)
