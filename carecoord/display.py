"""Display labels and the comparison table printed by ``carecoord run``.

Labels live here, in one mapping; metric names elsewhere stay snake_case with units.
"""

from __future__ import annotations

import math

import pandas as pd
from rich.table import Table

LABELS: dict[str, str] = {
    "emergency_admissions": "Emergency admissions",
    "admissions_avoided": "Admissions avoided",
    "emergency_admissions_per_person_year": "Admissions per person-year",
    "bed_days": "Bed days",
    "delayed_discharge_days": "Delayed discharge days",
    "ae_attendances": "A&E attendances",
    "gp_appointments": "GP appointments",
    "gp_home_visits": "GP home visits",
    "community_nursing_visits": "Community nursing visits",
    "social_work_assessments": "Social work assessments",
    "residential_admissions": "Residential admissions",
    "deaths": "Deaths",
    "patients_enrolled": "Patients enrolled",
    "cost_nhs": "Cost to the NHS (GBP)",
    "cost_council": "Cost to the council (GBP)",
    "cost_programme": "Cost of the programme (GBP)",
    "cost_total": "Total cost (GBP)",
}
HEADLINE = list(LABELS)


def _fmt(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _interval(mean: float, lo: float, hi: float) -> str:
    if math.isnan(lo):
        return _fmt(mean)
    return f"{_fmt(mean)} [{_fmt(lo)}, {_fmt(hi)}]"


def comparison_table(summary: pd.DataFrame, arms: list[str], title: str) -> Table:
    """Each arm's mean [95% CI], and each other arm's paired difference vs baseline."""
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("Metric", style="bold")
    for arm in arms:
        table.add_column(f"{arm}\nmean [95% CI]", justify="right")
    for arm in arms[1:]:
        table.add_column(f"{arm} − baseline\nmean [95% CI]", justify="right")
    indexed = summary.set_index(["metric", "arm"])
    for metric in HEADLINE:
        if (metric, arms[0]) not in indexed.index:
            continue
        cells = []
        for arm in arms:
            row = indexed.loc[(metric, arm)]
            cells.append(_interval(row["mean"], row["ci_low"], row["ci_high"]))
        for arm in arms[1:]:
            row = indexed.loc[(metric, arm)]
            cells.append(_interval(row["diff_vs_baseline"], row["diff_ci_low"], row["diff_ci_high"]))
        table.add_row(LABELS[metric], *cells)
    return table


def before_after_lines(table: pd.DataFrame) -> list[str]:
    """The pilot's before-and-after figure next to the controlled estimate, per enrolling arm."""
    from carecoord.before_after import summarise_before_after

    if table.empty:
        return []
    summary = summarise_before_after(table).set_index(["arm", "measure"])
    lines = []
    for arm in dict.fromkeys(table["arm"]):

        def cell(measure: str, arm: str = arm) -> str:
            row = summary.loc[(arm, measure)]
            return f"{row['mean']:+.0f}% [{row['ci_low']:+.0f}, {row['ci_high']:+.0f}]"

        n = summary.loc[(arm, "controlled_change_pct"), "patients"]
        lines.append(
            f"{arm}: {n:.0f} enrolled patients with a year either side — before-and-after (as a pilot reports) "
            f"{cell('before_after_change_pct')}; same patients without the intervention (baseline: regression "
            f"to the mean) {cell('baseline_before_after_change_pct')}; "
            f"controlled effect {cell('controlled_change_pct')}"
        )
    return lines


def value_lines(summary: pd.DataFrame, arms: list[str]) -> list[str]:
    """Net cost and cost per admission avoided, per arm (ratio of mean paired differences)."""
    indexed = summary.set_index(["metric", "arm"])
    lines = []
    for arm in arms[1:]:
        net = indexed.loc[("cost_total", arm), "diff_vs_baseline"]
        avoided = indexed.loc[("admissions_avoided", arm), "mean"]
        per = net / avoided if avoided > 0 else math.nan
        per_text = f"GBP {per:,.0f}" if not math.isnan(per) else "n/a (no admissions avoided on average)"
        lines.append(
            f"{arm}: net cost GBP {net:,.0f}; admissions avoided {avoided:.1f}; cost per admission avoided {per_text}"
        )
    return lines
