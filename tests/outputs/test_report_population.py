"""The report's whole-population section: shown only when localities state a population, with the
figures the replications table gives (per 1,000, the cohort's share, the paired change per 1,000)."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import numpy as np
import pytest

from carecoord.formatting import interval
from carecoord.report.population import whole_population
from carecoord.results import load
from carecoord.stats import mean_ci

EAST = "localities.east.population={0-64: 20000, 65-74: 2500, 75-84: 1500, 85+: 600}"
WEST = "localities.west.population={0-64: 15000, 65-74: 2000, 75-84: 1200, 85+: 500}"


@pytest.fixture(scope="module")
def population_results(tmp_path_factory: pytest.TempPathFactory, run_cli, tiny_path: Path) -> Path:
    out = tmp_path_factory.mktemp("population") / "results"
    proc = run_cli(
        "run", tiny_path, "--replications", "3", "--workers", "1", "--out", out, "--set", EAST, "--set", WEST,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("report", out)
    assert proc.returncode == 0, proc.stderr
    return out


def test_without_a_population_the_report_has_no_whole_population_section(results_dir: Path) -> None:
    assert whole_population(load(results_dir)) is None


def test_the_section_gives_the_replications_figures(population_results: Path) -> None:
    results = load(population_results)
    rows = results.replications
    whole = rows[rows["locality"] == "all"].pivot_table(index="replication", columns=["metric", "arm"], values="value")
    rate = whole["population_emergency_admissions_per_1000"]
    section = whole_population(results)
    assert section is not None
    assert [r["arm"] for r in section["rows"]] == results.arms
    assert section["people"] == f"{whole[('population', 'baseline')].iloc[0]:,.0f}"
    for row in section["rows"]:
        assert row["per_1000"] == interval(*mean_ci(rate[row["arm"]].tolist()))
        assert row["share"] == f"{whole[('cohort_share_of_admissions', row['arm'])].mean():.0%}"
        if row["arm"] != "baseline":
            change = (rate[row["arm"]] - rate["baseline"]).to_numpy()
            assert row["change"].removeprefix("+") == interval(*mean_ci(list(change)))
    assert len(section["dilution"]) == len(results.compared_arms)
    page = html_lib.unescape((population_results / "report.html").read_text(encoding="utf-8"))
    assert "<h2>Whole population</h2>" in page
    for sentence in section["dilution"]:
        assert sentence in page
    assert "nan" not in page.split("<h2>Whole population</h2>")[1].split("</section>")[0]


def test_dilution_is_the_cohort_change_times_its_share(population_results: Path) -> None:
    """The population's change is the cohort's (the rest is the same in every arm), so the two percentages
    in the sentence differ by the cohort's share of admissions (up to rounding and mean of ratios)."""
    results = load(population_results)
    section = whole_population(results)
    assert section is not None
    for sentence in section["dilution"]:
        numbers = [float(x.replace("\u2212", "-")) for x in re.findall(r"([+\u2212]?\d+(?:\.\d+)?)%", sentence)]
        cohort, share, whole = numbers
        if abs(cohort) > 1:
            assert whole == pytest.approx(cohort * share / 100, abs=0.15 + abs(cohort) * 0.05)
            assert np.sign(whole) == np.sign(cohort)


def test_the_printout_gives_the_cohort_share_as_a_percentage(population_results: Path) -> None:
    """The share is stored as a fraction (summary.csv) and printed as a percentage, CI and difference too."""
    from rich.console import Console

    from carecoord.display import comparison_table

    results = load(population_results)
    summary = results.summary
    console = Console(width=400, record=True, force_terminal=False)
    console.print(comparison_table(summary, results.arms, "t"))
    line = next(x for x in console.export_text().splitlines() if "Cohort share of admissions (%)" in x)
    share = summary.set_index(["metric", "arm"]).loc[("cohort_share_of_admissions", "baseline")]
    assert interval(100 * share["mean"], 100 * share["ci_low"], 100 * share["ci_high"]) in line


def test_whole_population_figure_draws_the_tables_rates(population_results: Path, results_dir: Path) -> None:
    """Bars: the at-risk patients' part (per 1,000 x share) plus everyone else's = the mean per 1,000 per arm;
    the report embeds the figure only when there is a population, and ``plot_all`` writes it."""
    from carecoord.plots import FIGURES, plot_all
    from carecoord.plots.population import whole_population

    assert whole_population(load(results_dir)) is None
    results = load(population_results)
    rows = results.replications[results.replications["locality"] == "all"]
    wide = rows.pivot_table(index="replication", columns=["metric", "arm"], values="value")
    fig = whole_population(results)
    assert fig is not None
    bars = fig.axes[1].patches  # per arm: the at-risk part, then everyone else's
    for i, arm in enumerate(results.arms):
        rate = wide[("population_emergency_admissions_per_1000", arm)]
        at_risk = (rate * wide[("cohort_share_of_admissions", arm)]).mean()
        assert bars[2 * i].get_width() == pytest.approx(at_risk)
        assert bars[2 * i].get_width() + bars[2 * i + 1].get_width() == pytest.approx(rate.mean())
    page = (population_results / "report.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == len(FIGURES) + 1
    written = plot_all(results, population_results / "figs")
    assert (population_results / "figs" / "whole_population.png") in written
