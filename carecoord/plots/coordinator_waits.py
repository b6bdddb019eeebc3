"""The coordinators' hours waited, with the go-live backlog shown apart from the steady state.

At a locality's go-live every caseload place is free, so the whole caseload (coordinators x
caseload) is enrolled on day one and queues for its first assessment with the same coordinators:
50 places x 2 hours of assessment each are 100 hours, 12.5 working days of 8 hours, for every
coordinator, so the last patient waits about 17 calendar days and the mean patient about half that.
In Lancashire and South Cumbria (1,300 places) that is about 283,000 patient-hours in the go-live
month against a few thousand a month afterwards. It is real in the model (every patient enrolled
on day one waits for a coordinator), not a recording artefact (docs/model.md, "The go-live
backlog"), but on one axis it flattens every other month, and a headline that calls it the longest
wait hides that it happens once.

The run records first assessments' waits apart (``assessment_wait_hours``, a part of
``wait_hours_coordinator``), so the panel draws the other waits (regular contacts and crisis calls)
as a line with its 95% band and the first assessments dashed; a month of first assessments more
than :data:`BACKLOG_RATIO` times everything else's highest month is drawn off the scale and named,
with the mean of the months after it (the steady state). Results folders written before the split
have only the total: it is drawn as before.

Example:
    >>> longest, backlog = draw_coordinator_waits(ax, results, ["integrated"], colour)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from carecoord.plots.series import band_table, complete_per_replication, monthly_band
from carecoord.results import Results

TOTAL = "wait_hours_coordinator"
ASSESSMENTS = "assessment_wait_hours"
GREY = "#444444"
BACKLOG_RATIO = 3.0
"""A month of first-assessment waits this many times the highest month of everything else drawn is a
backlog: drawn off the scale so the steady state stays readable (a display choice, not a parameter)."""


@dataclass(frozen=True)
class Backlog:
    """The go-live backlog of one arm: its month, its first-assessment hours, and the months after it."""

    arm: str
    when: pd.Timestamp
    hours: float
    steady_mean: float
    """Mean hours waited a month (every coordinator wait) over the complete months after the backlog's."""


def coordinator_waits(results: Results) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(other waits, first assessments): per arm and month, mean and 95% band across replications.

    Other waits are each replication's total minus its first assessments' (contacts and crisis
    calls). None for a results folder written before first assessments were recorded apart.
    """
    if ASSESSMENTS not in set(results.monthly["metric"]):
        return None
    total = complete_per_replication(results, TOTAL)
    assessments = complete_per_replication(results, ASSESSMENTS).reindex_like(total).fillna(0.0)
    return band_table(results, total - assessments), band_table(results, assessments)


def find_backlog(other: pd.DataFrame, assessments: pd.DataFrame, arm: str) -> Backlog | None:
    """The arm's go-live backlog, if its highest month of first assessments dwarfs everything else."""
    first = assessments[assessments["arm"] == arm].reset_index(drop=True)
    rest = other[other["arm"] == arm].reset_index(drop=True)
    if first.empty or first["mean"].max() <= 0:
        return None
    peak = int(first["mean"].to_numpy().argmax())
    highest = [np.fmax(rows["mean"].to_numpy(), rows["high"].to_numpy()) for rows in (rest, first)]  # NaN band: 1 run
    elsewhere = np.concatenate([highest[0], np.delete(highest[1], peak)])
    ceiling = float(np.nanmax(elsewhere)) if elsewhere.size else 0.0
    hours = float(first["mean"].iloc[peak])
    if hours <= BACKLOG_RATIO * ceiling:
        return None
    after = rest["mean"].iloc[peak + 1 :].to_numpy() + first["mean"].iloc[peak + 1 :].to_numpy()
    steady = float(after.mean()) if after.size else float("nan")
    return Backlog(arm, first["date"].iloc[peak], hours, steady)


def draw_coordinator_waits(
    ax: Axes, results: Results, arms: list[str], colour: Callable[[str], str]
) -> tuple[list[tuple[float, str, pd.Timestamp]], Backlog | None]:
    """Draw the coordinators' waits of ``arms`` on ``ax``.

    Returns each arm's longest month of waits other than a go-live backlog (hours, arm, month), for
    the figure's headline, and the largest backlog (None if no arm has one).
    """
    split = coordinator_waits(results)
    longest: list[tuple[float, str, pd.Timestamp]] = []
    if split is None:  # an older folder: the total only
        waits = monthly_band(results, TOTAL)
        for arm in arms:
            rows = waits[waits["arm"] == arm]
            _line(ax, rows, colour(arm))
            if not rows.empty:
                peak = int(rows["mean"].to_numpy().argmax())
                longest.append((float(rows["mean"].iloc[peak]), arm, rows["date"].iloc[peak]))
        return longest, None
    other, assessments = split
    backlogs = []
    for arm in arms:
        rows, first = other[other["arm"] == arm], assessments[assessments["arm"] == arm]
        _line(ax, rows, colour(arm))
        ax.plot(first["date"], first["mean"], color=colour(arm), linewidth=1.4, linestyle="--")
        backlog = find_backlog(other, assessments, arm)
        if backlog is not None:
            backlogs.append(backlog)
            first = first[first["date"] != backlog.when]
        both = pd.concat([rows[["mean", "date"]], first[["mean", "date"]]], ignore_index=True)
        if not both.empty:
            peak = int(both["mean"].to_numpy().argmax())
            longest.append((float(both["mean"].iloc[peak]), arm, both["date"].iloc[peak]))
    backlog = max(backlogs, key=lambda b: b.hours, default=None)
    if backlog is not None:
        _off_scale(ax, backlog, len(arms) > 1)
    if arms:
        style_legend(ax, backlog is not None)
    return longest, backlog


def _line(ax: Axes, rows: pd.DataFrame, colour: str) -> None:
    ax.plot(rows["date"], rows["mean"], color=colour, linewidth=1.6)
    ax.fill_between(rows["date"], rows["low"], rows["high"], color=colour, alpha=0.15)


def _off_scale(ax: Axes, backlog: Backlog, name_arm: bool) -> None:
    """Cap the axis below the backlog and name it (the steady state stays readable)."""
    top = 0.0
    for line in ax.get_lines():
        y = np.asarray(line.get_ydata(), dtype=float)
        y = y[np.isfinite(y) & (y < backlog.hours)]
        top = max(top, float(y.max()) if y.size else 0.0)
    for collection in ax.collections:
        for path in collection.get_paths():
            y = path.vertices[:, 1]
            y = y[np.isfinite(y) & (y < backlog.hours)]
            top = max(top, float(y.max()) if y.size else 0.0)
    top = max(top, 1.0) * 1.55
    ax.set_ylim(0, top)
    ax.plot([backlog.when], [top], marker="^", color=GREY, clip_on=False, markersize=7)
    arm = f" ({backlog.arm})" if name_arm else ""
    text = f"▲ off scale: go-live backlog{arm},\n{backlog.hours:,.0f} h of first assessments in {backlog.when:%b %Y}"
    if np.isfinite(backlog.steady_mean):
        text += f";\nmonths after it: {backlog.steady_mean:,.0f} h a month"
    box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.9, "pad": 1.5}
    ax.annotate(text, (0.98, 0.98), xycoords="axes fraction", ha="right", va="top", fontsize=8, color=GREY, bbox=box)


def style_legend(ax: Axes, below_note: bool) -> None:
    """Say which line is which (the arms' colours are in the figure's legend), under the backlog's note if any:
    the axis is capped with room above the data for both."""
    handles = [
        Line2D([], [], color=GREY, linewidth=1.6, label="contacts, crisis calls"),
        Line2D([], [], color=GREY, linewidth=1.4, linestyle="--", label="first assessments"),
    ]
    where = {"loc": "upper right", "bbox_to_anchor": (1.0, 0.8)} if below_note else {"loc": "best"}
    ax.legend(handles=handles, fontsize=7.5, frameon=False, **where)


__all__ = ["BACKLOG_RATIO", "Backlog", "coordinator_waits", "draw_coordinator_waits", "find_backlog", "style_legend"]
