"""Summary statistics across replications: means and t-based 95% confidence intervals.

Example:
    >>> mean_ci([1.0, 2.0, 3.0])
    (2.0, -0.484..., 4.484...)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by the figures that call column_ci, not by every run
    import pandas as pd

import numpy as np
from numpy.typing import ArrayLike


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-based confidence interval (NaN bounds with fewer than two values)."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = math.fsum(values) / n
    if n < 2:
        return mean, math.nan, math.nan
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(t_half_width(std, n, level))
    return mean, mean - half, mean + half


def t_half_width(std: ArrayLike, n: ArrayLike, level: float = 0.95) -> np.ndarray:
    """Half-width of the t-based confidence interval of a mean: t(n-1) quantile x std / sqrt(n).

    Vectorised over ``std`` (sample standard deviations, ddof=1) and ``n`` (sample sizes), so one
    call serves a whole table of means; NaN where ``n`` < 2 (no spread to measure).
    """
    # Student's t quantile: scipy.special's stdtrit is what scipy.stats.t.ppf calls, without the
    # second of CPU that importing scipy.stats costs every run (docs/performance.md).
    from scipy.special import stdtrit

    std, n = np.broadcast_arrays(np.asarray(std, dtype=float), np.asarray(n, dtype=float))
    ok = n >= 2
    safe_n = np.where(ok, n, 2.0)
    half = stdtrit(safe_n - 1.0, 0.5 + level / 2.0) * std / np.sqrt(safe_n)
    return np.where(ok, half, np.nan)


def column_ci(values: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """:func:`mean_ci` of every column at once (rows = replications; NaN cells left out): ``mean, low, high``.

    The vectorised form the figures need (one interval per month or per parameter value), with the
    same t quantile, so a figure's band and a table's CI never disagree.
    """
    import pandas as pd
    from scipy.special import stdtrit

    n = values.notna().sum()
    mean = values.mean()
    t = stdtrit((n - 1).where(n > 1).to_numpy(dtype=float), 0.5 + level / 2)
    half = values.std(ddof=1) / n.pow(0.5) * t
    return pd.DataFrame({"mean": mean, "low": mean - half, "high": mean + half})


def paired_difference(
    arm: Sequence[float], baseline: Sequence[float], level: float = 0.95
) -> tuple[float, float, float]:
    """Mean and CI of arm minus baseline, replication by replication (common random numbers)."""
    if len(arm) != len(baseline):
        raise ValueError("paired samples must have the same length")
    return mean_ci([a - b for a, b in zip(arm, baseline, strict=True)], level)
