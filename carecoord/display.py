"""Display labels and the comparison table printed by ``carecoord run``.

Labels live here, in one mapping; metric names elsewhere stay snake_case with units.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from carecoord.formatting import interval, percent

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
    # Whole population (cohort + the rest), when localities give one (carecoord.population_metrics).
    "population_emergency_admissions": "Whole-population admissions",
    "population_emergency_admissions_per_1000": "Admissions per 1,000 population",
    "cohort_share_of_admissions": "Cohort share of admissions (%)",
}
HEADLINE = list(LABELS)
PERCENT = {"cohort_share_of_admissions"}  # stored as a fraction, shown as a percentage


def _cell(metric: str, mean: float, lo: float, hi: float) -> tuple[float, float, float]:
    scale = 100.0 if metric in PERCENT else 1.0
    return mean * scale, lo * scale, hi * scale


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
            cells.append(interval(*_cell(metric, row["mean"], row["ci_low"], row["ci_high"])))
        for arm in arms[1:]:
            row = indexed.loc[(metric, arm)]
            cells.append(interval(*_cell(metric, row["diff_vs_baseline"], row["diff_ci_low"], row["diff_ci_high"])))
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
            return percent(row["mean"], row["ci_low"], row["ci_high"])

        n = summary.loc[(arm, "controlled_change_pct"), "patients"]
        if not n or not math.isfinite(n):
            lines.append(
                f"{arm}: no before-and-after figure: no enrolled patient had a full year before and after "
                "enrolment inside this run (a longer horizon gives one)"
            )
            continue
        lines.append(
            f"{arm}: {n:.0f} enrolled patients with a year either side — before-and-after (as a pilot reports) "
            f"{cell('before_after_change_pct')}; same patients without the intervention (baseline: regression "
            f"to the mean) {cell('baseline_before_after_change_pct')}; "
            f"controlled effect {cell('controlled_change_pct')}"
        )
    return lines


def value_lines(
    summary: pd.DataFrame, arms: list[str], replications: pd.DataFrame, warnings: Sequence[Any] = ()
) -> list[str]:
    """Net cost, probability of saving and cost per admission avoided, per arm, in plain words.

    The lines carry their uncertainty (CIs, Fieller's interval for the ratio, the share of
    replications that save money). When the run's ``warnings`` say an arm cannot be trusted
    (:func:`carecoord.trust.distrust`), its line opens with why, so "saves money" is never read alone.
    """
    from carecoord.economics import (
        cost_effect,
        paired_outcomes,
        probability_saves,
    )
    from carecoord.formatting import describe_cost_effect, describe_net_cost
    from carecoord.trust import distrust

    lines = []
    for arm in arms[1:]:
        pairs = paired_outcomes(replications, arm, baseline=arms[0])
        effect = cost_effect(pairs)
        saves = round(probability_saves(pairs) * len(pairs))
        untrusted = distrust(warnings, arm)
        opening = f"{arm}: NOT A RESULT TO QUOTE ({untrusted}); as computed: " if untrusted else f"{arm}: "
        lines.append(
            f"{opening}{describe_net_cost(effect.net_cost)}; saves money in {saves} of {len(pairs)} "
            f"replications; {describe_cost_effect(effect)}"
        )
    return lines


def stacked_tables(summary: pd.DataFrame, arms: list[str], title: str) -> list[Table]:
    """For narrow terminals: one table per compared arm (baseline, arm, difference), values over their CIs."""
    indexed = summary.set_index(["metric", "arm"])
    tables = []
    for arm in arms[1:]:
        table = Table(title=f"{title}: {arm} vs {arms[0]}", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("Metric: mean [95% CI]", style="bold", min_width=18)
        for header in (arms[0], "this arm", "difference"):
            table.add_column(header, justify="right")
        for metric in HEADLINE:
            if (metric, arms[0]) not in indexed.index:
                continue
            base, row = indexed.loc[(metric, arms[0])], indexed.loc[(metric, arm)]
            cells = [
                _stacked(*_cell(metric, base["mean"], base["ci_low"], base["ci_high"])),
                _stacked(*_cell(metric, row["mean"], row["ci_low"], row["ci_high"])),
                _stacked(*_cell(metric, row["diff_vs_baseline"], row["diff_ci_low"], row["diff_ci_high"])),
            ]
            table.add_row(LABELS[metric], *cells)
        tables.append(table)
    return tables


def _stacked(mean: float, lo: float, hi: float) -> str:
    text = interval(mean, lo, hi)
    return text.replace(" [", "\n[", 1)


def comparison_tables(summary: pd.DataFrame, arms: list[str], title: str, console: Console) -> list[Table]:
    """The wide table if it fits the console, else one stacked table per compared arm.

    Piped (not a terminal), tables use light rules (a header line only) so a log or an email reads as
    columns of figures rather than box drawing.
    """
    wide = comparison_table(summary, arms, title)
    tables = [wide]
    if console.measure(wide, options=console.options.update_width(10_000)).maximum > console.width:
        tables = stacked_tables(summary, arms, title)
    if not console.is_terminal:
        for table in tables:
            table.box = box.SIMPLE_HEAD
    return tables
