"""``carecoord report``: one self-contained HTML page of a results folder, for a board paper.

The page embeds its figures (base64 PNG), needs no network, and prints to PDF from a browser
(print CSS). Content comes from :mod:`carecoord.report.content`; layout from the Jinja2 template
``report.html.j2`` beside this file.

Example:
    >>> write_report(load("results/pilot"))
    PosixPath('results/pilot/report.html')
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import tempfile
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from carecoord.plausibility import SATURATED_UTILISATION
from carecoord.report import content
from carecoord.report.population import whole_population
from carecoord.report.staff import staff_rows
from carecoord.results import Results

CAPTIONS = {
    "admissions_by_month": "Emergency admissions per month in each arm, each month scaled to 30 days (so February's "
    "28 days are no dip): the line is the mean across replications, the band its 95% confidence interval. Dashed "
    "lines: go-live. Months only partly inside the run are left out.",
    "admissions_avoided": "Admissions avoided (baseline minus arm, same patients and random events), month by month "
    "and added up since the start of the results window, with 95% confidence intervals. Below zero: more admissions.",
    "by_locality": "Admissions avoided over the whole run in each locality, with 95% confidence intervals.",
    "hospital_use": "Bed days and delayed-discharge days (people medically fit to leave but waiting) per month, "
    "each month scaled to 30 days.",
    "costs_by_payer": "Who pays and who saves: net cost of each arm against the baseline for the NHS, the council and "
    "the programme (coordinators, MDT time, equipment), with 95% confidence intervals. Below zero: a saving.",
    "ce_plane": "Cost-effectiveness plane: each dot is one replication's pair of (admissions avoided, net cost). Dots "
    "in the lower right both save money and avoid admissions.",
    "acceptability": "Acceptability curve: for each value a commissioner puts on one avoided admission, the share of "
    "replications in which the programme is worth it (value × admissions avoided − net cost > 0).",
    "services": "Staff time used as a share of scheduled staff hours (top) and hours patients waited (bottom), per "
    "service and month; the named coordinators (integrated arms only) against their working hours. Near or above "
    "100%, capacity binds and waits grow. Coordinators' waits: regular contacts and crisis calls (solid) apart from "
    "first assessments (dashed). At go-live every caseload place is filled on day one and those patients queue for "
    "their first assessment at once: a one-off backlog. When it dwarfs every other month it is drawn off the scale, "
    "with its hours and the mean of the months after it, and the title's longest wait does not count it.",
    "coordinator_time": "The named coordinators' hours each month by activity (assessments at enrolment, regular "
    "contacts, crisis calls answered, MDT meetings), against the hours the team works (black line). Hours above the "
    "line mean calls wait and contacts slip.",
    "before_after": "What a pilot would report (the enrolled patients' year before vs year after) beside the same "
    "patients with no programme (regression to the mean) and the controlled effect.",
    "whole_population": "Whole population: emergency admissions per 1,000 people a year, month by month (left) and "
    "over the results window split into the patients at risk and everyone else (right, with the total's 95% confidence "
    "interval). Everyone else is the same in every arm, so an arm's change in the patients at risk is diluted by them.",
    "warm_up": "Warm-up check (Welch's method): the baseline's monthly admissions in each replication (grey), their "
    "mean and a moving average. A flat curve from the first month means the warm-up was long enough.",
}


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight", facecolor="white")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def figures(results: Results) -> list[dict[str, str]]:
    """Every figure as embedded PNG data with its caption and alt text (its headline)."""
    from carecoord.plots import FIGURES, OPTIONAL_FIGURES

    out = []
    for name, make in {**FIGURES, **OPTIONAL_FIGURES}.items():
        fig = make(results)
        if fig is None:  # an optional figure this run has no data for
            continue
        headline = fig.get_suptitle().replace("\n", " ") or name
        out.append({"name": name, "data": _png(fig), "caption": CAPTIONS.get(name, ""), "alt": headline})
    return out


def _warnings(results: Results) -> list[str]:
    """The run's own warnings (manifest) plus the warm-up check."""
    from carecoord.plots.timeseries import warm_up_warning

    found = list(results.warnings)
    drift = warm_up_warning(results)
    if drift:
        found.append(drift)
    return found


def render(results: Results) -> str:
    """The report as one HTML string."""
    env = Environment(loader=PackageLoader("carecoord.report", "."), autoescape=select_autoescape(["html", "j2"]))
    template = env.get_template("report.html.j2")
    return template.render(
        name=results.name,
        generated=dt.datetime.now().strftime("%d %B %Y %H:%M"),
        question=content.question(results),
        scenario=content.scenario_words(results),
        headlines=[content.headline(results, arm) for arm in results.compared_arms],
        warnings=_warnings(results),
        population=whole_population(results),
        staff=staff_rows(results),
        saturated=f"{SATURATED_UTILISATION:.0%}",
        figures=figures(results),
        caveats=content.caveats(results),
        assumptions=content.assumptions(results),
        reproduce=content.reproduce(results),
    )


def write_report(results: Results, path: Path | None = None) -> Path:
    """Write ``report.html`` into the results folder whole (temporary file, then rename)."""
    path = path or results.folder / "report.html"
    html = render(results)
    fd, tmp = tempfile.mkstemp(prefix=".report.", suffix=".html", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
