"""Cost-effectiveness with uncertainty: pure functions on synthetic paired replications."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from carecoord.economics import (
    acceptability,
    cost_effect,
    paired_outcomes,
    payer_split,
    probability_saves,
)
from carecoord.formatting import describe_cost_effect, describe_net_cost, money


def pairs_of(avoided: np.ndarray, cost: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"admissions_avoided": avoided, "net_cost": cost})


def test_paired_outcomes_are_arm_minus_baseline_by_replication() -> None:
    """Admissions avoided = baseline - arm; net cost (total and by payer) = arm - baseline."""
    rows = []
    for r in range(3):
        for arm, adm, nhs, council, prog in (("baseline", 100 + r, 1000, 500, 0), ("integrated", 90, 900, 520, 300)):
            for metric, value in (
                ("emergency_admissions", adm),
                ("cost_nhs", nhs),
                ("cost_council", council),
                ("cost_programme", prog),
                ("cost_total", nhs + council + prog),
            ):
                rows.append((r, arm, "all", metric, float(value)))
                rows.append((r, arm, "east", metric, 0.0))
    table = pd.DataFrame(rows, columns=["replication", "arm", "locality", "metric", "value"])
    pairs = paired_outcomes(table, "integrated")
    assert pairs["admissions_avoided"].tolist() == [10.0, 11.0, 12.0]
    assert pairs["net_cost"].tolist() == [220.0] * 3
    assert pairs["net_cost_nhs"].tolist() == [-100.0] * 3
    assert pairs["net_cost_council"].tolist() == [20.0] * 3
    assert pairs["net_cost_programme"].tolist() == [300.0] * 3
    split = payer_split(pairs).set_index("payer")
    assert split.loc["NHS", "mean"] == -100.0 and split.loc["all payers", "mean"] == 220.0


def test_probability_saves_counts_replications_below_zero() -> None:
    pairs = pairs_of(np.ones(4), np.array([-5.0, 3.0, -1.0, 0.0]))
    assert probability_saves(pairs) == 0.5


def test_acceptability_is_net_benefit_above_zero() -> None:
    """Threshold w accepts a replication when w x avoided > net cost; monotone when avoided > 0."""
    pairs = pairs_of(np.array([10.0, 10.0, -5.0, 20.0]), np.array([1000.0, 5000.0, 100.0, -200.0]))
    curve = acceptability(pairs, np.array([0.0, 100.0, 500.0, 1000.0]))
    # at 0: only the saving replication (with positive avoided) passes; -5 avoided costing 100 never does
    assert curve.tolist() == [0.25, 0.25, 0.5, 0.75]


def test_acceptability_matches_the_normal_theory_curve() -> None:
    """With many replications the empirical curve matches P(w x E - C > 0) for a known bivariate normal."""
    rng = np.random.default_rng(11)
    n = 20_000
    avoided = rng.normal(50.0, 20.0, n)
    cost = 2000.0 * avoided + rng.normal(0.0, 40_000.0, n)
    curve = acceptability(pairs_of(avoided, cost), np.array([1000.0, 2000.0, 3000.0]))
    for w, p in curve.items():
        mean = (w - 2000.0) * 50.0
        sd = math.hypot((w - 2000.0) * 20.0, 40_000.0)
        expected = stats.norm.sf(0.0, loc=mean, scale=sd)
        assert abs(p - expected) < 4 * math.sqrt(expected * (1 - expected) / n)


def test_fieller_interval_covers_the_true_ratio_at_its_level() -> None:
    """Over many simulated studies the 95% Fieller interval covers the true cost per admission about 95% of
    the time (tolerance: 4 binomial standard errors)."""
    rng = np.random.default_rng(2024)
    studies, n, true_ratio = 1000, 10, 3000.0
    covered = 0
    for _ in range(studies):
        avoided = rng.normal(40.0, 15.0, n)
        cost = true_ratio * avoided + rng.normal(0.0, 30_000.0, n)
        effect = cost_effect(pairs_of(avoided, cost))
        assert effect.per_admission_ci is not None
        low, high = effect.per_admission_ci
        covered += low <= true_ratio <= high
    se = math.sqrt(0.95 * 0.05 / studies)
    assert abs(covered / studies - 0.95) < 4 * se


def test_ratio_is_withheld_when_avoided_could_be_zero() -> None:
    """Admissions avoided spanning zero: no cost per unit, and the sentence says why."""
    pairs = pairs_of(np.array([-10.0, 5.0, 20.0, -3.0, 1.0]), np.array([1e5, 2e5, 1.5e5, 1.2e5, 1.1e5]))
    effect = cost_effect(pairs)
    assert effect.avoided_spans_zero
    assert effect.per_admission_ci is None
    text = describe_cost_effect(effect)
    assert text.startswith("no cost per admission avoided") and "could be zero" in text
    assert "£" not in text


def test_a_saving_is_worded_as_a_saving_never_a_negative_cost() -> None:
    """Net saving with admissions clearly avoided: 'saves £X per admission avoided'."""
    avoided = np.array([180.0, 190.0, 175.0, 200.0, 185.0])
    cost = -700.0 * avoided + np.array([1000.0, -2000.0, 500.0, 0.0, 500.0])
    text = describe_cost_effect(cost_effect(pairs_of(avoided, cost)))
    assert text.startswith("saves £7")
    assert "per admission avoided" in text
    assert "-" not in text and "−" not in text


def test_more_admissions_is_said_plainly() -> None:
    text = describe_cost_effect(cost_effect(pairs_of(np.array([-20.0, -25.0, -18.0]), np.array([1e6, 1.1e6, 9e5]))))
    assert text.startswith("no admissions avoided") and "more emergency admissions" in text


def test_money_wording() -> None:
    """Pounds without minus zero, and signs only when asked."""
    assert money(1_284_568) == "£1.28m"
    assert money(-131_406) == "£131k"
    assert money(-0.2) == "£0"
    assert money(558.4) == "£558"
    assert money(40_044) == "£40k"
    assert money(-558.4, signed=True) == "−£558"
    assert money(float("nan")) == "no figure"
    assert describe_net_cost((-131_406.0, -332_624.0, 69_812.0)) == (
        "saves £131k overall (95% CI: saves £333k to costs £70k)"
    )
