"""The event log's start/end timestamps and its pm4py and vidigi layouts (``carecoord run --events``).

Counts in the log are checked against the run's own summary of replication 0: the log and the
counters are recorded at different places in the model, so agreement is a real check.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pm4py
import pytest
from typer.testing import CliRunner

from carecoord.cli import app
from carecoord.event_log import PM4PY_COLUMNS, VIDIGI_COLUMNS, vidigi_layout

DATA = Path(__file__).resolve().parent / "data"
WARM_UP, HORIZON = 180.0, 540.0  # tests/data/tiny.yaml


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("eventlog") / "run"
    args = ["run", str(DATA / "tiny.yaml"), "--replications", "2", "--workers", "1", "--events", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


def _summary(run_dir: Path) -> pd.Series:
    reps = pd.read_csv(run_dir / "replications.csv")
    rows = reps[(reps["replication"] == 0) & (reps["locality"] == "all")]
    return rows.set_index(["arm", "metric"])["value"]


def test_every_activity_ends_after_it_starts(run_dir: Path) -> None:
    events = pd.read_csv(run_dir / "events.csv")
    assert (events["end"] >= events["start"]).all()
    assert (events["time"] == events["end"]).all()
    contacts = events[events["activity"].isin(["gp_appointment", "ae_attendance", "hospital_stay"])]
    assert (contacts["end"] > contacts["start"]).all()  # a contact takes time; a stay lasts
    manifest = (run_dir / "manifest.json").read_text()
    assert "events_pm4py.csv" in manifest and "events_vidigi.csv" in manifest


def test_pm4py_reads_the_log_and_its_counts_match_the_summary(run_dir: Path) -> None:
    log = pd.read_csv(run_dir / "events_pm4py.csv", parse_dates=["time:timestamp", "start_timestamp"])
    assert list(log.columns) == PM4PY_COLUMNS
    assert (log["time:timestamp"] >= log["start_timestamp"]).all()
    summary = _summary(run_dir)
    day0 = pd.Timestamp("2014-04-01")
    window_start = day0 + pd.Timedelta(days=WARM_UP)
    for arm in ("baseline", "integrated"):
        one = log[log["arm"] == arm]
        dfg, _starts, _ends = pm4py.discover_dfg(one)
        assert ("emergency_admission", "hospital_stay") in dfg  # pm4py saw the process, not just rows
        event_log = pm4py.convert_to_event_log(one)
        assert len(event_log) == one["case:concept:name"].nunique()
        in_window = one[one["time:timestamp"] >= window_start]
        counts = in_window["concept:name"].value_counts()
        assert counts["emergency_admission"] == summary[(arm, "emergency_admissions")]
        assert counts["gp_appointment"] == summary[(arm, "gp_appointments")]
        assert counts["gp_home_visit"] == summary[(arm, "gp_home_visits")]
        # Bed days: every stay (closed, or still open at the horizon) clipped to the results window.
        stays = one[one["concept:name"] == "hospital_stay"]
        days = lambda ts: (ts - day0).dt.total_seconds() / 86400.0  # noqa: E731
        inside = days(stays["time:timestamp"]).clip(upper=HORIZON) - days(stays["start_timestamp"]).clip(lower=WARM_UP)
        assert inside.clip(lower=0).sum() == pytest.approx(summary[(arm, "bed_days")], rel=1e-9)


def test_vidigi_layout_pairs_every_resource_use(run_dir: Path) -> None:
    log = pd.read_csv(run_dir / "events_vidigi.csv")
    assert list(log.columns) == VIDIGI_COLUMNS
    assert set(log["event_type"]) == {"arrival_departure", "queue", "resource_use", "resource_use_end"}
    assert set(log["pathway"]) == {"baseline", "all_off", "integrated"} and set(log["run_number"]) == {0}
    begins = log[log["event_type"] == "resource_use"]
    ends = log[log["event_type"] == "resource_use_end"]
    assert len(begins) == len(ends) and begins["resource_id"].notna().all()
    per_patient = log.groupby(["pathway", "entity_id"])["event"]
    assert (per_patient.first() == "arrival").all() and (per_patient.last() == "depart").all()
    summary = _summary(run_dir)
    admissions = log[(log["event"] == "emergency_admission") & (log["time"] >= WARM_UP)]
    expected = summary.xs("emergency_admissions", level="metric").astype(int).to_dict()
    assert admissions.groupby("pathway").size().to_dict() == expected


def test_vidigi_resource_numbers_never_overlap() -> None:
    """Two activities on one resource at once get different numbers; a freed number is reused."""
    events = pd.DataFrame(
        {
            "replication": 0,
            "arm": "baseline",
            "patient": [1, 2, 3, 4],
            "activity": ["gp_appointment"] * 4,
            "resource": "gp",
            "start": [0.0, 0.1, 0.3, 0.05],
            "end": [0.2, 0.4, 0.5, 0.05],  # the last is an instant: no resource number
        }
    )
    log = vidigi_layout(events)
    begins = log[log["event_type"] == "resource_use"].set_index("entity_id")["resource_id"]
    assert begins.to_dict() == {1: 1, 2: 2, 3: 1}
    assert log.loc[log["entity_id"] == 4, "resource_id"].isna().all()
