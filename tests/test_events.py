"""The optional event log (``carecoord run --events``): one row per activity, ready for process mining."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from carecoord.cli import app

DATA = Path(__file__).resolve().parent / "data"


def test_events_csv_is_a_process_log(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app, ["run", str(DATA / "tiny.yaml"), "--replications", "2", "--events", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    events = pd.read_csv(out / "events.csv")
    assert list(events.columns) == [
        "replication",
        "arm",
        "patient",
        "time",
        "date",
        "activity",
        "resource",
        "start",
        "end",
    ]
    assert set(events["replication"]) == {0}  # replication 0 only
    assert set(events["arm"]) == {"baseline", "all_off", "integrated"}
    assert {"crisis", "emergency_admission", "discharge", "death"} <= set(events["activity"])
    # Within each arm and patient, time never goes backwards (the log is in event order).
    for _, block in events.groupby(["arm", "patient"]):
        assert block["time"].is_monotonic_increasing
    # Dates are the scenario's calendar: day 0 is its start date.
    first = events.iloc[0]
    assert pd.Timestamp(first["date"]).normalize() == pd.Timestamp("2014-04-01") + pd.Timedelta(days=int(first["time"]))


def test_no_events_file_unless_asked(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(DATA / "tiny.yaml"), "--replications", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (out / "events.csv").exists()
