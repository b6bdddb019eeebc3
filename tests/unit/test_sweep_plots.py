"""Sweep figures on a synthetic one-at-a-time sweep with known effects."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from carecoord.plots.sweeps import base_values, one_at_a_time, swept_parameters, tornado, tornado_table

BASE = {"coordinators": 4, "caseload": 50, "sensitivity": 0.4}
RANGES = {"coordinators": [2, 4, 8], "caseload": [30, 50, 70], "sensitivity": [0.2, 0.4, 0.6]}
SLOPES = {"coordinators": 10.0, "caseload": 0.1, "sensitivity": 20.0}  # admissions avoided per unit
NOISE_SD = 5.0
REPLICATIONS = 20


def synthetic_sweep() -> pd.DataFrame:
    """value = sum of slope x (parameter - base) + 100 + noise; one parameter varied per point."""
    rng = np.random.default_rng(7)
    points = [dict(BASE)]
    for name, values in RANGES.items():
        points += [{**BASE, name: v} for v in values if v != BASE[name]]
    rows = []
    for point, params in enumerate(points):
        mean = 100.0 + sum(SLOPES[k] * (params[k] - BASE[k]) for k in BASE)
        for replication in range(REPLICATIONS):
            value = mean + rng.normal(0.0, NOISE_SD)
            rows.append(
                {
                    **params,
                    "point": point,
                    "replication": replication,
                    "arm": "integrated",
                    "locality": "all",
                    "metric": "admissions_avoided",
                    "value": value,
                }
            )
    return pd.DataFrame(rows)


def test_parameters_and_base_values_are_found() -> None:
    sweep = synthetic_sweep()
    assert sorted(swept_parameters(sweep)) == sorted(BASE)
    assert base_values(sweep, list(BASE)) == BASE


def test_tornado_orders_by_swing_and_recovers_the_effects() -> None:
    """Swings: coordinators 60, caseload 4, sensitivity 8; means within 4 standard errors of the truth."""
    table = tornado_table(synthetic_sweep())
    assert table["parameter"].tolist() == ["coordinators", "sensitivity", "caseload"]
    se = NOISE_SD / math.sqrt(REPLICATIONS)
    for row in table.itertuples():
        low, high = RANGES[row.parameter][0], RANGES[row.parameter][-1]
        slope = SLOPES[row.parameter]
        assert abs(row.at_low - (100 + slope * (low - BASE[row.parameter]))) < 4 * se
        assert abs(row.at_high - (100 + slope * (high - BASE[row.parameter]))) < 4 * se


def test_sweep_figures_build() -> None:
    sweep = synthetic_sweep()
    fig = one_at_a_time(sweep)
    assert isinstance(fig, Figure)
    assert sum(1 for ax in fig.axes if ax.lines) == 3
    fig = tornado(sweep)
    assert "coordinators" in fig.get_suptitle()
