"""Figures from a results folder: every figure builds from the tables, says what to see, and the
``plot`` command writes them (PNG or SVG) or refuses a folder that is not a results folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from carecoord import plots
from carecoord.plots.series import monthly_band
from carecoord.results import load


@pytest.fixture(scope="module")
def results(results_dir: Path):
    return load(results_dir)


@pytest.mark.parametrize("name", list(plots.FIGURES))
def test_every_figure_builds_with_a_title_and_data(results, name: str) -> None:
    """Each figure function returns a Figure with a headline and something drawn on it."""
    fig = plots.FIGURES[name](results)
    assert isinstance(fig, Figure)
    assert len(fig.get_suptitle()) > 20
    drawn = sum(len(ax.lines) + len(ax.collections) + len(ax.patches) for ax in fig.axes)
    if name == "before_after" and results.before_after["patients"].sum() == 0:
        # 18 months: nobody has a year either side of enrolment, and the figure says so instead
        assert drawn == 0 and "no figure" in fig.get_suptitle()
    else:
        assert drawn > 0


def test_monthly_band_is_the_mean_across_replications(results) -> None:
    """The plotted line is the mean of the replications' monthly values; the band contains it."""
    table = monthly_band(results, "emergency_admissions")
    rows = results.monthly.query("metric == 'emergency_admissions' and locality == 'all' and arm == 'integrated'")
    expected = rows.groupby("month")["value"].mean()
    got = table[table["arm"] == "integrated"].set_index("month")["mean"]
    pd.testing.assert_series_equal(got, expected.loc[got.index], check_names=False)
    assert (table["low"] <= table["mean"]).all() and (table["mean"] <= table["high"]).all()


def test_partial_months_are_left_out_of_monthly_lines(results) -> None:
    """The tiny scenario's results start on 28 Sep 2014: September is partial, so not a point on a line."""
    assert results.results_start.isoformat() == "2014-09-28"
    assert "2014-09" not in results.complete_months()
    assert "2014-10" in results.complete_months()
    assert "2014-09" not in set(monthly_band(results, "bed_days")["month"])
    cumulative = monthly_band(results, "admissions_avoided", cumulative=True)
    assert "2014-09" in set(cumulative["month"])  # cumulative totals keep every day


def test_cumulative_avoided_ends_at_the_total(results) -> None:
    """The last point of the cumulative curve is the whole-run mean of admissions avoided."""
    cumulative = monthly_band(results, "admissions_avoided", cumulative=True)
    last = cumulative[cumulative["arm"] == "integrated"].iloc[-1]["mean"]
    summary = results.summary.set_index(["arm", "metric"])
    assert last == pytest.approx(summary.loc[("integrated", "admissions_avoided"), "mean"])


def test_plot_command_writes_png_and_svg(results_dir: Path, tmp_path: Path, run_cli) -> None:
    """``carecoord plot DIR`` writes one PNG per figure into DIR/figures; ``--format svg`` writes SVG."""
    folder = tmp_path / "r"
    subprocess.run(["cp", "-r", str(results_dir), str(folder)], check=True)
    proc = run_cli("plot", folder)
    assert proc.returncode == 0, proc.stderr
    pngs = sorted(p.stem for p in (folder / "figures").glob("*.png"))
    assert pngs == sorted(plots.FIGURES)
    assert all((folder / "figures" / f"{n}.png").read_bytes()[:4] == b"\x89PNG" for n in pngs)
    proc = run_cli("plot", folder, "--format", "svg")
    assert proc.returncode == 0, proc.stderr
    assert len(list((folder / "figures").glob("*.svg"))) == len(plots.FIGURES)


def test_plot_refuses_a_folder_without_results(tmp_path: Path, run_cli) -> None:
    """Not a results folder: one line naming it, exit 2, no traceback, nothing written."""
    proc = run_cli("plot", tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{tmp_path}: not a carecoord results folder" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_start_up_does_not_import_matplotlib() -> None:
    """``carecoord --help`` stays fast: importing the CLI loads neither matplotlib nor jinja2."""
    code = "import sys, carecoord.cli; print('matplotlib' in sys.modules, 'jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_figures_are_not_left_open_in_pyplot(results) -> None:
    """Figures are plain Figure objects: making many does not accumulate pyplot state."""
    for _ in range(3):
        plots.monthly_admissions(results)
    assert "matplotlib.pyplot" not in sys.modules or not __import__("matplotlib.pyplot").pyplot.get_fignums()


def test_colours_are_distinct_for_every_arm(results) -> None:
    """Each arm gets its own colour; the baseline is black."""
    from carecoord.plots.style import arm_colour

    colours = [arm_colour(results.arms, arm) for arm in results.arms]
    assert colours[0] == "#000000"
    assert len(set(colours)) == len(colours)
    assert np.all([c.startswith("#") for c in colours])


def test_go_live_labels_stay_short_and_out_of_the_layout() -> None:
    """Go-live labels name at most two places (or say 'all N') and never take space from the panels.

    A label listing four long locality names used to squeeze every panel of the services figure to a
    sliver, because constrained layout made room for it.
    """
    import matplotlib.pyplot as plt

    from carecoord.plots.style import mark_dates

    fig, ax = plt.subplots(layout="constrained")
    ax.plot(pd.to_datetime(["2023-01-01", "2025-01-01"]), [0, 1])
    same = {name: "2023-10-01" for name in ("blackburn_with_darwen", "blackpool", "lancashire", "south_cumbria")}
    mark_dates(ax, same)
    mark_dates(ax, {"north": "2023-06-01", "south": "2024-03-01", "east": "2024-03-01", "west": "2024-03-01"})
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["go-live: all 4 localities", "go-live: north", "go-live: south, east +1 more"]
    assert all(not t.get_in_layout() for t in ax.texts)
    plt.close(fig)
