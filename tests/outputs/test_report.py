"""``carecoord report``: one self-contained HTML page that loads in headless Chromium without console
errors, shows the headline on its first screen, and prints to PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from carecoord.economics import paired_outcomes, probability_saves
from carecoord.plots import FIGURES
from carecoord.report.sources import set_overrides
from carecoord.results import load

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(results_dir: Path, tmp_path_factory: pytest.TempPathFactory, run_cli) -> Path:
    """``carecoord report`` on a copy of the shared results folder."""
    folder = tmp_path_factory.mktemp("report") / "results"
    shutil.copytree(results_dir, folder)
    proc = run_cli("report", folder)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return folder / "report.html"


def test_report_is_self_contained(report: Path) -> None:
    """Every figure embedded as data; nothing fetched from a network."""
    html = report.read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == len(FIGURES)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "<script" not in html
    assert "@media print" in html


def test_report_says_what_a_board_needs(report: Path) -> None:
    """Question, headline, who pays, scenario, caveats, assumptions and the reproducing command."""
    html = report.read_text(encoding="utf-8")
    results = load(report.parent)
    for text in (
        "The question.",
        "Emergency admissions avoided",
        "Probability the programme saves money",
        "Who pays and who saves",
        "Integrated care goes live",
        "Caveats",
        "Assumptions and their sources",
        "carecoord run",
        results.manifest["scenario_file_sha256"],
    ):
        assert text in html, text
    for locality in results.localities:
        assert f"<td>{locality}</td>" in html
    assert "+nan" not in html and "nan%" not in html and "−0 " not in html


def test_report_probability_of_saving_matches_the_replications(report: Path) -> None:
    """The headline's 'saves money in k of n replications' is the count in replications.csv."""
    html = report.read_text(encoding="utf-8")
    results = load(report.parent)
    for arm in results.compared_arms:
        pairs = paired_outcomes(results.replications, arm)
        k = round(probability_saves(pairs) * len(pairs))
        assert f"saves money in {k} of {len(pairs)} replications" in html


def test_report_cites_the_scenario_file_sources(report: Path) -> None:
    """Scenario values appear with the source comments written beside them in the scenario file."""
    html = report.read_text(encoding="utf-8").replace("\u200b", "")  # zero-width breaks after the dots
    assert "<code>localities.west.go_live</code>" in html
    assert "later than the end of the warm-up (day 180)" in html


def _chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's chromium as root)")
def test_report_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    """The page loads with no console message or failed request, its first screen is not blank, and it
    prints to a PDF; the screenshot is kept beside the report for a person to look at."""
    shot = report.parent / "report-first-screen.png"
    proc = _chromium(
        "--hide-scrollbars", "--window-size=1280,1000", f"--screenshot={shot}", report.as_uri(), cwd=tmp_path
    )
    assert shot.is_file(), proc.stderr
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "net::ERR" in line]
    assert console == []
    pixels = imread(shot)
    assert pixels.shape[0] >= 900 and np.std(pixels[..., :3]) > 0.05  # something is drawn
    dom = _chromium("--dump-dom", report.as_uri(), cwd=tmp_path).stdout
    assert "Probability the programme saves money" in dom
    pdf = tmp_path / "report.pdf"
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri(), cwd=tmp_path)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 3


def test_report_refuses_a_folder_without_results(tmp_path: Path, run_cli) -> None:
    proc = run_cli("report", tmp_path / "missing")
    assert proc.returncode == 2
    assert "no such results folder" in proc.stderr and "Traceback" not in proc.stderr


def test_report_shows_the_runs_values_after_set(tmp_path: Path, run_cli, tiny_path: Path) -> None:
    """A value changed with --set is shown as the run used it, marked as such, with the file's value and
    source beside it; the scenario path is stored absolute, so the report works from another folder."""
    here = tmp_path / "elsewhere"
    here.mkdir()
    out = tmp_path / "results"
    proc = run_cli(
        "run", tiny_path.name, "--replications", "2", "--workers", "1", "--out", out,
        "--set", "localities.west.go_live=2015-02-02", cwd=tiny_path.parent,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert Path(load(out).manifest["scenario_file"]).is_absolute()
    proc = run_cli("report", out, cwd=here)
    assert proc.returncode == 0, proc.stderr
    html = (out / "report.html").read_text(encoding="utf-8").replace("\u200b", "")
    row = html[html.index("<code>localities.west.go_live</code>") :].split("</tr>")[0]
    assert "2015-02-02" in row and "set on the command line (the file says 2015-01-05)" in row
    assert "later than the end of the warm-up (day 180)" in row
    assert re.search(r"\d+ values set in the scenario file have no source comment", html)


def test_command_line_overrides_are_read_back_as_the_cli_applies_them() -> None:
    command = ["carecoord", "run", "s.yaml", "--replications", "4", "--set", "a.b=1", "--set=c.d=x", "--seed=7"]
    assert set_overrides(command) == ["simulation.replications=4", "a.b=1", "c.d=x", "simulation.seed=7"]
