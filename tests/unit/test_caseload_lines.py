"""The printout's caseload-turnover line: means per replication turned into a list length and a wait."""

from __future__ import annotations

import pandas as pd

from carecoord.caseload_lines import caseload_lines


def test_turnover_line_per_enrolling_arm() -> None:
    rows = {
        ("baseline", "patients_enrolled"): 0.0,
        ("short", "patients_enrolled"): 120.0,
        ("short", "caseload_reenrolments"): 50.0,
        ("short", "caseload_discharges"): 90.0,
        ("short", "waiting_list_days"): 730.0,  # two patients waiting all year on average
        ("short", "enrolment_wait_days"): 600.0,  # 5 days each
    }
    summary = pd.DataFrame([{"arm": a, "metric": m, "mean": v} for (a, m), v in rows.items()])
    lines = caseload_lines(summary, ["baseline", "short"], days=365.0)
    assert lines == [
        "short: caseload turnover per replication: 120 enrolments (50 re-enrolments), 90 discharges from the "
        "caseload; waiting list 2.0 patients on average, mean wait to enrolment 5.0 days"
    ]


def test_case_finding_runs_are_added_when_they_found_anyone() -> None:
    rows = {
        ("found", "patients_enrolled"): 100.0,
        ("found", "patients_found_by_case_finding"): 12.0,
        ("found", "patients_enrolled_by_case_finding"): 9.0,
    }
    summary = pd.DataFrame([{"arm": a, "metric": m, "mean": v} for (a, m), v in rows.items()])
    (line,) = caseload_lines(summary, ["found"], days=365.0)
    assert line.endswith("; 12 found by case-finding runs (9 of them enrolled)")
