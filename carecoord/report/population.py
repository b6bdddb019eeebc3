"""The report's whole-population section: what the arms do to everyone on the practices' lists.

A programme acts on its at-risk cohort, but a commissioner pays for a population. When localities
state their population (``localities[].population``), the run's tables carry whole-population rows
(carecoord.population_metrics): the cohort's admissions plus the aggregate stream of everyone else,
which every arm shares. This module turns those rows into a small table and one sentence on
dilution: a change in the cohort's admissions is only the cohort's share of the population's.

Pure functions of the results tables; no HTML here.

Example:
    >>> whole_population(load("results/pilot"))["rows"][0]["per_1000"]
    '94.7 [94.0, 95.4]'
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from carecoord.formatting import interval, signed_percent
from carecoord.results import ALL, BASELINE, Results
from carecoord.stats import mean_ci, paired_difference

PER_1000 = "population_emergency_admissions_per_1000"
WHOLE = "population_emergency_admissions"
REST = "rest_emergency_admissions"
SHARE = "cohort_share_of_admissions"


def _by_arm(results: Results) -> pd.DataFrame | None:
    """Whole-scenario rows as ``[replication, (metric, arm)]``, or ``None`` without a population."""
    rows = results.replications
    rows = rows[(rows["locality"] == ALL) & rows["metric"].isin([PER_1000, WHOLE, REST, SHARE, "population"])]
    if rows.empty:
        return None
    return rows.pivot_table(index="replication", columns=["metric", "arm"], values="value", sort=True)


def _with_sign(text: str) -> str:
    """A change with its sign: "+0.52 [0, 1.05]" (interval() signs only negatives)."""
    return text if text[:1] in ("\u2212", "0", "\u2013") and not text.startswith("0.") else f"+{text}"


def _dilution(arm: str, cohort_change: float, share: float, whole_change: float) -> str:
    """One plain sentence: the cohort's change, the cohort's share, and so the population's change."""
    if not all(math.isfinite(v) for v in (cohort_change, share, whole_change)):
        return f"{arm}: no figure (no admissions in the baseline)."
    return (
        f"{arm} changes the emergency admissions of the patients at risk by {signed_percent(100 * cohort_change, 1)}; "
        f"they have {share:.0%} of the population's admissions, so the whole population's admissions change by "
        f"{signed_percent(100 * whole_change, 1)}."
    )


def whole_population(results: Results) -> dict[str, Any] | None:
    """Per arm: admissions per 1,000 a year and the cohort's share; per compared arm: the change per 1,000
    against the baseline (paired by replication) and the dilution sentence. ``None`` when the run has no
    population."""
    wide = _by_arm(results)
    if wide is None or (PER_1000, BASELINE) not in wide.columns:
        return None
    people = float(wide[("population", BASELINE)].iloc[0])
    baseline_rate = wide[(PER_1000, BASELINE)].tolist()
    baseline_whole = wide[(WHOLE, BASELINE)]
    baseline_cohort = baseline_whole - wide[(REST, BASELINE)]
    rows = []
    sentences = []
    for arm in results.arms:
        share = mean_ci(wide[(SHARE, arm)].tolist())
        row = {
            "arm": arm,
            "per_1000": interval(*mean_ci(wide[(PER_1000, arm)].tolist())),
            "share": f"{share[0]:.0%}" if math.isfinite(share[0]) else "–",
            "change": "",
        }
        if arm != BASELINE:
            row["change"] = _with_sign(interval(*paired_difference(wide[(PER_1000, arm)].tolist(), baseline_rate)))
            difference = float((wide[(WHOLE, arm)] - baseline_whole).mean())
            cohort_base = float(baseline_cohort.mean())
            cohort_change = difference / cohort_base if cohort_base else math.nan
            whole_change = difference / float(baseline_whole.mean()) if baseline_whole.mean() else math.nan
            sentences.append(_dilution(arm, cohort_change, float(wide[(SHARE, BASELINE)].mean()), whole_change))
        rows.append(row)
    localities = [loc["name"] for loc in results.scenario.get("localities", []) if loc.get("population")]
    return {"people": f"{people:,.0f}", "localities": localities, "rows": rows, "dilution": sentences}


__all__ = ["whole_population"]
