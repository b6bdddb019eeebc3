"""The printout's caseload-turnover lines: enrolments, discharges from the caseload, the waiting list.

Each figure is the mean per replication over the results window, from the summary table: the
waiting list's mean length is its person-days divided by the window's days, and the mean wait is
the days waited by those enrolled divided by the enrolments (docs/model.md, time-limited enrolment).

Example:
    >>> for line in caseload_lines(result.summary, scenario.arm_names, days=365):
    ...     print(line)
"""

from __future__ import annotations

import pandas as pd


def caseload_lines(summary: pd.DataFrame, arms: list[str], days: float) -> list[str]:
    """One line per arm that enrolled anyone (none for arms without a caseload)."""
    mean = summary.set_index(["arm", "metric"])["mean"]

    def value(arm: str, metric: str) -> float:
        return float(mean.get((arm, metric), 0.0))

    lines = []
    for arm in arms:
        enrolled = value(arm, "patients_enrolled")
        if enrolled <= 0:
            continue
        again = value(arm, "caseload_reenrolments")
        wait = value(arm, "enrolment_wait_days") / enrolled
        queue = value(arm, "waiting_list_days") / days if days > 0 else float("nan")
        line = (
            f"{arm}: caseload turnover per replication: {enrolled:,.0f} enrolments ({again:,.0f} re-enrolments), "
            f"{value(arm, 'caseload_discharges'):,.0f} discharges from the caseload; waiting list {queue:,.1f} "
            f"patients on average, mean wait to enrolment {wait:,.1f} days"
        )
        found = value(arm, "patients_found_by_case_finding")
        if found > 0:  # periodic case finding is on (docs/model.md)
            by_runs = value(arm, "patients_enrolled_by_case_finding")
            line += f"; {found:,.0f} found by case-finding runs ({by_runs:,.0f} of them enrolled)"
        lines.append(line)
    return lines


__all__ = ["caseload_lines"]
