"""Serial, local processes and Dask give bit-identical tables; no worker outlives a killed main process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from carecoord.batch import run_sweep

CASELOAD = "arms.integrated.mechanisms.enrolment.caseload"
CARECOORD = Path(sys.executable).parent / "carecoord"


def test_serial_processes_and_dask_give_identical_tables(write_experiment, tmp_path: Path) -> None:
    path = write_experiment({"type": "grid", "parameters": {CASELOAD: [10, 40]}}, replications=2)
    serial = run_sweep(path, out=tmp_path / "serial", workers=1)
    pooled = run_sweep(path, out=tmp_path / "pooled", workers=2)
    dask = run_sweep(path, out=tmp_path / "dask", dask_local=2)
    reference = (tmp_path / "serial" / "replications.csv").read_bytes()
    assert (tmp_path / "pooled" / "replications.csv").read_bytes() == reference
    assert (tmp_path / "dask" / "replications.csv").read_bytes() == reference
    summary = (tmp_path / "serial" / "summary.csv").read_bytes()
    assert (tmp_path / "pooled" / "summary.csv").read_bytes() == summary
    assert (tmp_path / "dask" / "summary.csv").read_bytes() == summary
    assert serial.manifest["backend"] == "serial"
    assert pooled.manifest["backend"] == "2 local worker processes"
    assert dask.manifest["backend"] == "Dask LocalCluster, 2 workers"


def _children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process parents from /proc (Linux)")
@pytest.mark.parametrize("backend", [["--workers", "2"], ["--dask-local", "2"]], ids=["processes", "dask-local"])
def test_no_worker_outlives_kill_9_of_the_main_process(write_experiment, tmp_path: Path, backend: list[str]) -> None:
    path = write_experiment(
        {"type": "grid", "parameters": {CASELOAD: [10, 40]}}, replications=4, set=["simulation.duration_days=3000"]
    )
    main = subprocess.Popen(
        [str(CARECOORD), "sweep", str(path), "--out", str(tmp_path / "out"), "-q", *backend],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.5)
            workers = [p for p in _children(main.pid) if "resource_tracker" not in _cmdline(p)]
        assert len(workers) >= 2, "the workers never started"
        time.sleep(1.0)  # let them take work
        os.kill(main.pid, signal.SIGKILL)
        main.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.25)
        left = [p for p in workers if _alive(p)]
        assert not left, f"workers left running after kill -9: {left}"
    finally:
        if main.poll() is None:
            main.kill()
            main.wait()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _as_foreground_job() -> None:
    """In the child: SIGINT as a terminal's foreground job has it (default), whatever the test runner inherited.

    A test suite started in the background by a non-interactive shell (``pytest ... &``) inherits SIGINT
    ignored, and so would the sweep; Python then installs no KeyboardInterrupt handler and the sweep, which
    relies on the default handler, runs to the end (exit 0 instead of 130).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_prints_one_line_on_how_to_resume(write_experiment, tmp_path: Path) -> None:
    # 60 units: far more than can finish between the first saved unit and the signal, even on a loaded machine
    path = write_experiment({"type": "grid", "parameters": {CASELOAD: [10, 40]}}, replications=30)
    out = tmp_path / "out"
    main = subprocess.Popen(
        [str(CARECOORD), "sweep", str(path), "--out", str(out), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # Ctrl-C reaches the whole process group, as in a terminal
        preexec_fn=_as_foreground_job,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(out.glob("units/p*.parquet")):
            time.sleep(0.2)
        os.killpg(main.pid, signal.SIGINT)
        _, stderr = main.communicate(timeout=60)
    finally:  # a sweep that did not stop fails the test, and is not left running after it
        if main.poll() is None:
            os.killpg(main.pid, signal.SIGKILL)
            main.wait()
    assert main.returncode == 130
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.startswith("Interrupted")]
    assert len(lines) == 1 and "run the same command again to resume" in lines[0]
    saved = len(list(out.glob("units/p*.parquet")))
    assert f"{saved} finished units are saved" in lines[0]
    assert 0 < saved < 60


def test_kill_9_then_resume_gives_the_uninterrupted_tables(write_experiment, tmp_path: Path) -> None:
    path = write_experiment({"type": "grid", "parameters": {CASELOAD: [10, 40]}}, replications=3)
    out = tmp_path / "killed"
    command = [str(CARECOORD), "sweep", str(path), "--out", str(out), "--workers", "2", "-q"]
    main = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.glob("units/p*.parquet")):
        time.sleep(0.05)
    os.kill(main.pid, signal.SIGKILL)
    main.wait(timeout=10)
    saved = len(list(out.glob("units/p*.parquet")))
    assert 0 < saved < 6, "kill -9 should land mid-run"
    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert resumed.returncode == 0, resumed.stderr
    run_sweep(path, out=tmp_path / "whole", workers=1)
    for name in ("replications.csv", "summary.csv", "points.csv"):
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["units_reused_from_store"] == saved
    assert manifest["units_computed_this_run"] == 6 - saved
