"""Figures of a results folder, as matplotlib Figures (Python API) or files (``carecoord plot``).

Every figure is a function of a :class:`~carecoord.results.Results` (read once with
:func:`carecoord.results.load`) returning a :class:`matplotlib.figure.Figure`; :data:`FIGURES`
names them in the order a reader should see them, and :func:`plot_all` writes them to a folder.
Sweep figures (:mod:`carecoord.plots.sweeps`) take a tidy sweep table instead.

Example:
    >>> from carecoord.results import load
    >>> from carecoord import plots
    >>> fig = plots.monthly_admissions(load("results/pilot"))
    >>> plots.plot_all(load("results/pilot"), fmt="svg")
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from matplotlib.figure import Figure

from carecoord.plots.breakdown import by_locality, costs_by_payer, services
from carecoord.plots.coordinators import coordinator_time
from carecoord.plots.population import whole_population
from carecoord.plots.sweeps import one_at_a_time, tornado
from carecoord.plots.timeseries import admissions_avoided, hospital_use, monthly_admissions, warm_up
from carecoord.plots.value import acceptability_curve, before_after, ce_plane
from carecoord.results import Results

FIGURES: dict[str, Callable[[Results], Figure]] = {
    "admissions_by_month": monthly_admissions,
    "admissions_avoided": admissions_avoided,
    "by_locality": by_locality,
    "hospital_use": hospital_use,
    "costs_by_payer": costs_by_payer,
    "ce_plane": ce_plane,
    "acceptability": acceptability_curve,
    "services": services,
    "coordinator_time": coordinator_time,
    "before_after": before_after,
    "warm_up": warm_up,
}
OPTIONAL_FIGURES: dict[str, Callable[[Results], Figure | None]] = {"whole_population": whole_population}
"""Figures only some runs have (``None`` otherwise): drawn after :data:`FIGURES` when they exist."""
FORMATS = ("png", "svg")


def save(fig: Figure, path: Path) -> Path:
    """Write a figure (format from the suffix), trimmed to its content, with a white background."""
    fig.savefig(path, bbox_inches="tight", facecolor="white", dpi=150)
    return path


def plot_all(results: Results, out: Path | None = None, fmt: str = "png") -> list[Path]:
    """Write every figure to ``out`` (default ``RESULTS_DIR/figures``); returns the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    folder = out or results.folder / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    written = [save(make(results), folder / f"{name}.{fmt}") for name, make in FIGURES.items()]
    for name, maybe in OPTIONAL_FIGURES.items():
        fig = maybe(results)
        if fig is not None:
            written.append(save(fig, folder / f"{name}.{fmt}"))
    return written


__all__ = [
    "FIGURES",
    "OPTIONAL_FIGURES",
    "acceptability_curve",
    "admissions_avoided",
    "before_after",
    "by_locality",
    "ce_plane",
    "coordinator_time",
    "costs_by_payer",
    "hospital_use",
    "monthly_admissions",
    "one_at_a_time",
    "plot_all",
    "save",
    "services",
    "tornado",
    "warm_up",
    "whole_population",
]
