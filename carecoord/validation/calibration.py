"""The baseline arm of every shipped scenario against the admission rates it was calibrated to.

Each tier's simulated emergency admissions per person-year, on held-out replications (numbered after
those the calibration used, same seed), against its target, with the error the calibration allows.

Example:
    >>> table = tier_check(Path("scenarios"), "robert_case_study", replications=4, scale=0.5)
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from scipy.stats import t as student_t

from carecoord.calibration import without_trend
from carecoord.experiment import run_replication
from carecoord.rates import DAYS_PER_YEAR
from carecoord.scenario import Scenario, load_scenario
from carecoord.stats import mean_ci
from carecoord.validation.configure import scale_scenario
from carecoord.validation.enrolment import map_replications

CALIBRATED = (
    "east_blackburn_pilot",
    "robert_case_study",
    "blackburn_with_darwen_2014",
    "lancashire_bcf_2015",
    "lancashire_south_cumbria_places_2023",
)
CALIBRATION_REPLICATIONS = {  # held-out replications per check: (full cohorts, shrunk cohorts as in the tests)
    "east_blackburn_pilot": (20, 0),
    "robert_case_study": (5, 4),
    "blackburn_with_darwen_2014": (5, 4),
    "lancashire_bcf_2015": (3, 3),
    "lancashire_south_cumbria_places_2023": (3, 3),
}
SHRINK = {  # the shrunk cohorts of tests/validation/test_published_studies.py
    "robert_case_study": 0.5,
    "blackburn_with_darwen_2014": 0.25,
    "lancashire_bcf_2015": 0.2,
    "lancashire_south_cumbria_places_2023": 0.2,
}


def calibration_record(scenarios: Path, name: str) -> tuple[int, float]:
    """Replications the last calibration ran (0 .. n-1; the check uses the ones after them) and its tolerance."""
    record = json.loads((scenarios / f"{name}.calibration.json").read_text(encoding="utf-8"))
    return int(record["replications_per_iteration"]), float(record["tolerance"])


def _baseline_tiers(scenario: Scenario, replication: int) -> list[tuple[float, float]]:
    base = run_replication(scenario, replication, ["baseline"])["baseline"]
    return [
        (float(a), float(d) / DAYS_PER_YEAR) for a, d in zip(base.tier_admissions, base.tier_person_days, strict=True)
    ]


def tier_check(scenarios: Path, name: str, replications: int, scale: float = 1.0, workers: int = 1) -> pd.DataFrame:
    """Baseline emergency admissions per person-year of every tier, on held-out replications, against the target.

    The replications are numbered after those the calibration used (same seed), so the check is out of sample.
    With ``scale`` < 1 the cohorts, incidence and capacities are shrunk (scale_scenario).
    """
    scenario = without_trend(load_scenario(scenarios / f"{name}.yaml"))  # targets describe the untrended rates
    data = scenario.model_dump()
    data["arms"] = [a for a in data["arms"] if a["name"] == "baseline"]
    if scale != 1.0:
        scale_scenario(data, scale)
    scenario = Scenario.model_validate(data)
    first, tolerance = calibration_record(scenarios, name)
    reps = list(range(first, first + replications))
    runs = map_replications(_baseline_tiers, scenario, reps, min(workers, replications))
    rows = []
    for t, tier in enumerate(scenario.cohort.tiers):
        rates = [run[t][0] / run[t][1] for run in runs]
        mean, lo, hi = mean_ci(rates)
        target = tier.emergency_admissions_per_person_year
        allowed = allowed_error(rates, target, first, tolerance, scale)
        rows.append(
            {
                "scenario": name,
                "scale": scale,
                "patients": sum(loc.cohort_size for loc in scenario.localities),
                "replications": f"{first}-{first + replications - 1}",
                "n": replications,
                "tier": tier.name,
                "target": target,
                "mean": mean,
                "ci_low": lo,
                "ci_high": hi,
                "relative_error": mean / target - 1,
                "inside_ci": lo <= target <= hi,
                "tolerance": tolerance,
                "allowed_error": allowed,
                "consistent": abs(mean - target) <= allowed,
            }
        )
    return pd.DataFrame(rows)


def allowed_error(rates: Sequence[float], target: float, n_calibration: int, tolerance: float, scale: float) -> float:
    """How far the held-out mean may lie from the target if the calibration did what it claims.

    The calibration put its own mean (of ``n_calibration`` replications of the full cohort) within
    ``tolerance`` x target of the target; that mean has Monte Carlo error too. The held-out mean and the
    calibration's mean are independent, so their difference has standard error s * sqrt(1/n + scale/n_cal),
    with s the held-out replications' standard deviation (a cohort shrunk by ``scale`` has variance 1/scale
    times the full cohort's). Allowed: the tolerance plus the t-based 95% half-width of that difference.
    """
    n = len(rates)
    mean = math.fsum(rates) / n
    sd = math.sqrt(math.fsum((r - mean) ** 2 for r in rates) / (n - 1))
    half = float(student_t.ppf(0.975, n - 1)) * sd * math.sqrt(1 / n + scale / n_calibration)
    return tolerance * target + half


def calibration_table(table: pd.DataFrame) -> str:
    lines = [
        "| scenario | patients | held-out replications | tier | target | simulated [95% CI] | error | "
        "target in CI? | allowed error | consistent? |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        name = r.scenario + ("" if r.scale == 1.0 else f" (x {r.scale:g})")
        lines.append(
            f"| `{name}` | {r.patients:,} | {r.replications} | {r.tier} | {r.target:.3f} | "
            f"{r.mean:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}] | {100 * r.relative_error:+.1f}% | "
            f"{'yes' if r.inside_ci else 'no'} | +/-{100 * r.allowed_error / r.target:.1f}% | "
            f"{'yes' if r.consistent else 'no'} |"
        )
    return "\n".join(lines)


def calibration_plot(table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.32 * len(table) + 1.4))
    labels = []
    for i, r in enumerate(table.itertuples()):
        y = len(table) - 1 - i
        name = r.scenario + ("" if r.scale == 1.0 else f" x{r.scale:g}")
        labels.append((y, f"{name}: {r.tier}"))
        colour = "#2b5d8a" if r.scale == 1.0 else "#7fa7cc"
        ax.plot([100 * (r.ci_low / r.target - 1), 100 * (r.ci_high / r.target - 1)], [y, y], color=colour, lw=2)
        ax.plot(100 * r.relative_error, y, marker="o", color=colour, ls="none")
    tolerance = float(table["tolerance"].max())
    ax.axvspan(-100 * tolerance, 100 * tolerance, color="#eeeeee", zorder=0)
    ax.axvline(0, color="grey", lw=0.8, ls=":")
    ax.set_yticks([y for y, _ in labels], [t for _, t in labels], fontsize=7)
    ax.set_xlabel(f"baseline admissions per person-year vs target, % (95% CI; grey: +/-{100 * tolerance:g}%)")
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)
