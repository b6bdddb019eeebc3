"""Printed numbers never show nonsense: precision from the CI, no '-0', no 'nan', 80 columns."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from rich.console import Console

from carecoord.display import before_after_lines, comparison_tables, value_lines
from carecoord.formatting import interval, percent, single


@pytest.mark.parametrize(
    ("mean", "low", "high", "expected"),
    [
        (0.0043, 0.0012, 0.0074, "0.0043 [0.0012, 0.0074]"),  # a real difference is not 0.00 [0.00, 0.00]
        (890.8, 836.8, 944.8, "891 [837, 945]"),
        (20.2, -10.6, 51.0, "20 [−11, 51]"),
        (-0.0004, -0.3, 0.3, "0 [−0.30, 0.30]"),  # never "-0"
        (13_559_128, 13_289_715, 13_828_541, "13.56m [13.29m, 13.83m]"),
        (-131_406, -332_624, 69_812, "−130k [−330k, 70k]"),
        (0.0, 0.0, 0.0, "0"),  # identical in every replication: no interval
        (518_234.0, 518_234.0, 518_234.0, "518k"),  # three significant figures
        (5.0, float("nan"), float("nan"), "5"),
        (float("nan"), float("nan"), float("nan"), "–"),
    ],
)
def test_interval(mean: float, low: float, high: float, expected: str) -> None:
    assert interval(mean, low, high) == expected


def test_interval_keeps_two_significant_figures_of_the_half_width() -> None:
    """The CI half-width is shown to two significant figures (its last digit is at most a tenth of it)."""
    for half in (0.00037, 0.052, 3.7, 480.0, 52_000.0):
        text = interval(10 * half, 9 * half, 11 * half)
        low, high = (
            float(x.replace("−", "-").replace(",", "").rstrip("km")) for x in re.findall(r"\[(.*), (.*)\]", text)[0]
        )
        scale = 1e3 if text.endswith("k]") else 1.0
        assert abs((high - low) * scale / 2 - half) <= 0.1 * half, (half, text)  # last digit <= half / 10


def test_single_and_percent() -> None:
    assert single(246.3) == "246"
    assert single(0.0) == "0"
    assert single(0.0123) == "0.0123"
    assert single(-2.5) == "−2.50"
    assert percent(-20.3, -32.1, -7.2) == "−20% [−32, −7]"
    assert percent(5.1, -5.0, 15.0) == "+5% [−5, 15]"
    assert percent(float("nan"), float("nan"), float("nan")).startswith("no figure (")


def _summary() -> pd.DataFrame:
    rows = []
    for arm, adm, diff in (
        ("baseline", 876.0, 0.0),
        ("integrated", 897.0, 21.0),
        ("integrated_as_claimed", 688.0, -188.0),
    ):
        for metric, scale in (("emergency_admissions", 1.0), ("cost_total", 15_000.0), ("admissions_avoided", -1.0)):
            mean = adm * scale if metric != "admissions_avoided" else -diff
            d = diff * scale if metric != "admissions_avoided" else -diff
            rows.append(
                (
                    arm,
                    metric,
                    mean,
                    mean - 45 * abs(scale),
                    mean + 45 * abs(scale),
                    d,
                    d - 20 * abs(scale),
                    d + 20 * abs(scale),
                )
            )
    return pd.DataFrame(
        rows, columns=["arm", "metric", "mean", "ci_low", "ci_high", "diff_vs_baseline", "diff_ci_low", "diff_ci_high"]
    )


def _render(width: int) -> tuple[str, int]:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False)
    tables = comparison_tables(_summary(), ["baseline", "integrated", "integrated_as_claimed"], "pilot", console)
    for table in tables:
        console.print(table)
    return out.getvalue(), len(tables)


def test_table_fits_80_columns_by_stacking_arms() -> None:
    text, count = _render(80)
    assert count == 2  # one table per compared arm
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "nan" not in text and "-0" not in text and "−0 " not in text


def test_wide_console_gets_one_table() -> None:
    text, count = _render(200)
    assert count == 1
    assert "integrated_as_claimed − baseline" in text


def test_before_after_without_patients_says_why() -> None:
    table = pd.DataFrame(
        [(r, "integrated", 0, 0.0, 0.0, 0.0, 0.0) for r in range(3)],
        columns=["replication", "arm", "patients", "arm_before", "arm_after", "baseline_before", "baseline_after"],
    )
    (line,) = before_after_lines(table)
    assert "nan" not in line and "no before-and-after figure" in line


def test_value_lines_never_print_a_negative_cost_per_admission() -> None:
    summary = _summary()
    replications = []
    for r in range(4):
        for arm, adm, cost in (("baseline", 900, 1e6), ("integrated_as_claimed", 700 + r, 0.9e6 + 1000 * r)):
            replications += [(r, arm, "all", "emergency_admissions", adm), (r, arm, "all", "cost_total", cost)]
            replications += [(r, arm, "all", m, cost / 3) for m in ("cost_nhs", "cost_council", "cost_programme")]
    table = pd.DataFrame(replications, columns=["replication", "arm", "locality", "metric", "value"])
    (line,) = value_lines(summary, ["baseline", "integrated_as_claimed"], table)
    assert "saves £" in line and "per admission avoided" in line
    assert "£-" not in line and "GBP -" not in line
