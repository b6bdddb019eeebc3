"""What a design's points say together: sensitivity indices, PSA tables, each mechanism's share.

Two outputs per point, for the compared arm (paired with the baseline arm of the same point):
``admissions_avoided`` (baseline minus arm emergency admissions) and ``net_cost`` (arm minus baseline
total cost, GBP), plus ``bed_days_saved`` for the mechanisms design. All functions are pure.

Example:
    >>> outputs = point_outputs(summary, "integrated")
    >>> shapley_values(outputs, group, on_columns)
"""

from __future__ import annotations

import itertools
import math

import pandas as pd

from carecoord.batch.designs import salib_problem
from carecoord.scenario.experiment import MorrisDesign, PsaDesign, SobolDesign

OUTPUTS = {
    "admissions_avoided": ("admissions_avoided", "mean", 1.0),
    "net_cost": ("cost_total", "diff_vs_baseline", 1.0),
    "bed_days_saved": ("bed_days", "diff_vs_baseline", -1.0),
}
"""Output name: (metric, summary column, sign)."""


def point_outputs(summary: pd.DataFrame, arm: str) -> pd.DataFrame:
    """One row per point, one column per output (means over the point's replications)."""
    rows = summary[summary["arm"] == arm]
    out = {}
    for name, (metric, column, sign) in OUTPUTS.items():
        out[name] = sign * rows[rows["metric"] == metric].set_index("point")[column]
    return pd.DataFrame(out).sort_index()


def sensitivity_indices(
    design: MorrisDesign | SobolDesign, points: pd.DataFrame, outputs: pd.DataFrame
) -> pd.DataFrame:
    """Morris (mu*, sigma) or Sobol (S1, ST) indices of every parameter for every output."""
    problem = salib_problem(design.parameters)
    x = points[list(design.parameters)].to_numpy(dtype=float)
    frames = []
    for output in ("admissions_avoided", "net_cost"):
        y = outputs[output].to_numpy(dtype=float)
        if isinstance(design, MorrisDesign):
            from SALib.analyze import morris

            res = morris.analyze(problem, x, y, num_levels=design.levels, seed=design.seed)
            frame = pd.DataFrame(
                {
                    "mu": res["mu"],
                    "mu_star": res["mu_star"],
                    "mu_star_conf": res["mu_star_conf"],
                    "sigma": res["sigma"],
                }
            )
        else:
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=False, seed=design.seed)
            frame = pd.DataFrame(
                {"S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"]}
            )
        frame.insert(0, "parameter", problem["names"])
        frame.insert(0, "output", output)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def psa_tables(design: PsaDesign, points: pd.DataFrame, outputs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per draw (parameters, admissions avoided, net cost) and the acceptability curve.

    The curve gives, at each willingness to pay per admission avoided, the share of draws whose net
    monetary benefit (wtp x admissions avoided - net cost) is positive.
    """
    draws = points.drop(columns=["label"]).join(outputs, on="point")
    rows = []
    for wtp in design.willingness_to_pay:
        benefit = wtp * draws["admissions_avoided"] - draws["net_cost"]
        rows.append((wtp, float((benefit > 0).mean()), float(benefit.mean())))
    curve = pd.DataFrame(rows, columns=["willingness_to_pay", "probability_cost_effective", "mean_net_benefit"])
    return draws, curve


def removal_table(summary: pd.DataFrame, tidy: pd.DataFrame, points: pd.DataFrame, arm: str) -> pd.DataFrame:
    """Each mechanism removed in turn: its contribution = full plan minus plan without it, paired.

    Contributions are per replication (same streams at both points), with a t-based 95% CI.
    """
    from carecoord.batch.summary import mean_ci_columns

    full = _per_replication(tidy, 0, arm)
    rows = []
    for point, label in zip(points["point"], points["label"], strict=True):
        if not str(label).startswith("without "):
            continue
        without = _per_replication(tidy, int(point), arm)
        diff = full - without
        ci = mean_ci_columns(diff)
        for output in diff.columns:
            rows.append(
                (
                    label.removeprefix("without "),
                    output,
                    float(full[output].mean()),
                    float(without[output].mean()),
                    float(ci.loc[output, "mean"]),
                    float(ci.loc[output, "low"]),
                    float(ci.loc[output, "high"]),
                )
            )
    columns = ["mechanism", "output", "with_all", "without_it", "contribution", "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=columns)


def _per_replication(tidy: pd.DataFrame, point: int, arm: str) -> pd.DataFrame:
    """The outputs of one point by replication (arm vs the baseline of the same replication)."""
    whole = tidy[(tidy["point"] == point) & (tidy["locality"] == "all")]
    wide = whole.pivot(index="replication", columns=["arm", "metric"], values="value")
    out = {}
    for name, (metric, column, sign) in OUTPUTS.items():
        if column == "mean":
            out[name] = sign * wide[(arm, metric)]
        else:
            out[name] = sign * (wide[(arm, metric)] - wide[("baseline", metric)])
    return pd.DataFrame(out)


def shapley_values(
    outputs: pd.DataFrame, points: pd.DataFrame, group: list[str], columns: dict[str, str]
) -> pd.DataFrame:
    """Shapley value of each mechanism of ``group`` for every output.

    v(S) is the output with the mechanisms of S on and the rest of the group off (mechanisms outside the
    group stay as in the full plan). A mechanism's value is its marginal effect averaged over every
    order of switching the group on: the values add up to v(group) - v(none).
    """
    n = len(group)
    value: dict[frozenset[str], pd.Series] = {}
    for point, row in points.set_index("point").iterrows():
        on = frozenset(m for m in group if bool(row[columns[m]]))
        others_on = all(bool(row[c]) for m, c in columns.items() if m not in group)
        if others_on and on not in value:
            value[on] = outputs.loc[point]
    rows = []
    for m in group:
        total = pd.Series(0.0, index=outputs.columns)
        others = [x for x in group if x != m]
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in itertools.combinations(others, size):
                s = frozenset(subset)
                total += weight * (value[s | {m}] - value[s])
        rows.extend((m, output, float(v)) for output, v in total.items())
    table = pd.DataFrame(rows, columns=["mechanism", "output", "shapley_value"])
    full, none = value[frozenset(group)], value[frozenset()]
    table["whole_group_effect"] = table["output"].map(lambda o: float(full[o] - none[o]))
    return table


def enabled_columns(points: pd.DataFrame) -> dict[str, str]:
    """Mechanism name -> its ``arms.<arm>.mechanisms.<name>.enabled`` column."""
    return {c.split(".")[-2]: c for c in points.columns if c.endswith(".enabled")}
