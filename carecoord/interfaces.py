"""What ``carecoord plot`` and ``carecoord report`` do, kept out of the CLI module so that its
start-up never imports matplotlib or jinja2 (``carecoord --help`` stays fast).

Example:
    >>> plot_folder(Path("results/pilot"), "svg")
    [PosixPath('results/pilot/figures/admissions_by_month.svg'), ...]
"""

from __future__ import annotations

from pathlib import Path

from carecoord.errors import OutputError


def plot_folder(folder: Path, fmt: str = "png") -> list[Path]:
    """Every figure of a results folder into ``folder/figures`` (PNG or SVG)."""
    from carecoord.plots import FORMATS, plot_all
    from carecoord.results import load

    if fmt not in FORMATS:
        raise OutputError(f"--format: '{fmt}' is not supported; allowed: {', '.join(FORMATS)}")
    return plot_all(load(folder), fmt=fmt)


def report_folder(folder: Path) -> Path:
    """``folder/report.html``, written whole or not at all."""
    from carecoord.report import write_report
    from carecoord.results import load

    return write_report(load(folder))
