"""Cost-effectiveness with its uncertainty: net cost and admissions avoided as a pair.

Every function is pure and works on one arm's paired replications (the arm minus the baseline,
replication by replication: common random numbers make each pair comparable). A ratio such as
"cost per admission avoided" is only meaningful when admissions avoided is clearly above zero, so
its interval comes from Fieller's theorem, which says when the ratio cannot be bounded; the
acceptability curve uses net monetary benefit (threshold x avoided - net cost), which stays
well defined when admissions avoided is zero or negative.

Example:
    >>> pairs = paired_outcomes(results.replications, "integrated")
    >>> describe_cost_effect(cost_effect(pairs))
    'saves £558 per admission avoided (95% CI: saves £1,020 to costs £12)'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from carecoord.stats import mean_ci

PAYERS: dict[str, str] = {
    "cost_nhs": "NHS",
    "cost_council": "council",
    "cost_programme": "programme",
}
PAIR_COLUMNS = ["admissions_avoided", "net_cost", *(f"net_{cost}" for cost in PAYERS)]


def paired_outcomes(
    replications: pd.DataFrame, arm: str, baseline: str = "baseline", locality: str = "all"
) -> pd.DataFrame:
    """Per replication: admissions avoided and the net cost (arm - baseline), in total and by payer."""
    rows = replications[replications["locality"] == locality]
    wide = rows.pivot_table(index="replication", columns=["metric", "arm"], values="value", sort=True)
    out = pd.DataFrame(index=wide.index)
    out["admissions_avoided"] = wide[("emergency_admissions", baseline)] - wide[("emergency_admissions", arm)]
    out["net_cost"] = wide[("cost_total", arm)] - wide[("cost_total", baseline)]
    for cost in PAYERS:
        out[f"net_{cost}"] = wide[(cost, arm)] - wide[(cost, baseline)]
    return out[PAIR_COLUMNS]


def probability_saves(pairs: pd.DataFrame) -> float:
    """Share of replications in which the arm costs less than the baseline (all payers together)."""
    return float((pairs["net_cost"] < 0).mean())


def acceptability(pairs: pd.DataFrame, thresholds: np.ndarray) -> pd.Series:
    """Probability (share of replications) that an admission avoided costs less than each threshold.

    Uses net monetary benefit: a replication is acceptable at threshold ``w`` when
    ``w x admissions avoided - net cost > 0``. Where admissions avoided is positive this is exactly
    "cost per admission avoided < w"; it also counts a replication that saves money and avoids
    admissions as acceptable at every threshold, and one that costs more without avoiding any as
    acceptable at none.
    """
    thresholds = np.asarray(thresholds, dtype=float)
    benefit = np.outer(thresholds, pairs["admissions_avoided"].to_numpy()) - pairs["net_cost"].to_numpy()
    return pd.Series((benefit > 0).mean(axis=1), index=pd.Index(thresholds, name="threshold"), name="probability")


@dataclass(frozen=True)
class CostEffect:
    """Mean net cost and admissions avoided with their CIs, and the ratio with its Fieller interval."""

    replications: int
    net_cost: tuple[float, float, float]
    avoided: tuple[float, float, float]
    per_admission: float  # net cost / admissions avoided (ratio of means); NaN when avoided is not > 0
    per_admission_ci: tuple[float, float] | None  # None when the interval is unbounded

    @property
    def avoided_spans_zero(self) -> bool:
        _, lo, hi = self.avoided
        return not (lo > 0 or hi < 0) if not math.isnan(lo) else True


def cost_effect(pairs: pd.DataFrame, level: float = 0.95) -> CostEffect:
    """Means, CIs and the cost per admission avoided (Fieller's interval for a ratio of paired means)."""
    cost = pairs["net_cost"].to_numpy(dtype=float)
    avoided = pairs["admissions_avoided"].to_numpy(dtype=float)
    n = len(cost)
    net_ci = mean_ci(cost.tolist(), level)
    avoided_ci = mean_ci(avoided.tolist(), level)
    mean_c, mean_e = float(cost.mean()) if n else math.nan, float(avoided.mean()) if n else math.nan
    ratio = mean_c / mean_e if n and mean_e > 0 else math.nan
    interval = _fieller(cost, avoided, level) if n >= 2 and mean_e > 0 else None
    return CostEffect(n, net_ci, avoided_ci, ratio, interval)


def _fieller(cost: np.ndarray, avoided: np.ndarray, level: float) -> tuple[float, float] | None:
    """Fieller's interval for mean(cost)/mean(avoided); None when admissions avoided could be zero."""
    n = len(cost)
    t = stats.t.ppf(0.5 + level / 2, n - 1)
    cov = np.cov(np.vstack([cost, avoided]), ddof=1) / n  # variances and covariance of the two means
    c, e = cost.mean(), avoided.mean()
    a = e * e - t * t * cov[1, 1]
    b = -2.0 * (c * e - t * t * cov[0, 1])
    q = c * c - t * t * cov[0, 0]
    disc = b * b - 4 * a * q
    if a <= 0 or disc < 0:
        return None
    root = math.sqrt(disc)
    return (float((-b - root) / (2 * a)), float((-b + root) / (2 * a)))


def payer_split(pairs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Who pays and who saves: mean net cost to each payer and in total, with 95% CIs."""
    rows = []
    for cost, payer in (*PAYERS.items(), ("cost_total", "all payers")):
        column = "net_cost" if cost == "cost_total" else f"net_{cost}"
        mean, lo, hi = mean_ci(pairs[column].tolist(), level)
        rows.append((payer, mean, lo, hi))
    return pd.DataFrame(rows, columns=["payer", "mean", "ci_low", "ci_high"])
