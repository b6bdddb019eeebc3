"""Regenerate docs/experiments.md: run every ready experiment file and report what it answers.

One command, after any model change:

    python experiments/report_experiments.py --workers 2                 # the files' replications
    python experiments/report_experiments.py --workers 2 --replications 10   # quicker, wider CIs
    python experiments/report_experiments.py --replications 10 --from-results  # rewrite from results/ only
    python experiments/report_experiments.py --only seven_day_social_work --update  # one section, the rest kept

Each experiment file's ``lead_outcomes`` (default: admissions avoided) says which outcomes its section
leads with: they come first in its table and its remarks, and the last column is the paired
difference from the first point in the first of them.

Results go to results/experiments/<experiment>-r<replications>/ (results stores: an interrupted run
resumes; a store made by other model code is refused, so delete old ones after a model change). The
remarks under each table are computed from the numbers, never written by hand, so they stay true
when the model changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import pandas as pd

from carecoord.batch import run_sweep
from carecoord.batch.runner import code_version
from carecoord.progress import ProgressReporter
from carecoord.scenario.experiment import DEFAULT_LEAD, LeadOutcome, load_experiment

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = [
    "coordinator_caseload",
    "number_of_coordinators",
    "enrolment_threshold",
    "seven_day_social_work",
    "evidence_vs_claimed",
    "rollout_order",
]


def _ci(mean: float, lo: float, hi: float, digits: int = 1, sign: bool = False) -> str:
    fmt = f"{{:{'+' if sign else ''},.{digits}f}}"
    if math.isnan(lo):
        return fmt.format(mean)
    return f"{fmt.format(mean)} [{fmt.format(lo)}, {fmt.format(hi)}]"


@dataclass(frozen=True)
class Outcome:
    """How the report shows one outcome of the compared arm (keys: :data:`OUTCOMES`, as in experiment files)."""

    heading: str  # table column
    noun: str  # in remarks
    digits: int
    sign: bool
    versus_baseline: bool  # the paired difference arm - baseline (else the arm's own value, already a difference)


OUTCOMES: dict[str, Outcome] = {
    "admissions_avoided": Outcome("admissions avoided", "admissions avoided", 1, False, False),
    "bed_days": Outcome("bed days vs baseline", "bed days", 0, True, True),
    "delayed_discharge_days": Outcome("delayed discharge days vs baseline", "delayed discharge days", 0, True, True),
    "cost_total": Outcome("net cost vs baseline (GBP)", "net cost", 0, True, True),
}
"""Every outcome the report shows, in the order of the table's columns after the lead outcomes."""
assert set(OUTCOMES) == set(get_args(LeadOutcome))  # the experiment schema offers exactly these


def point_rows(summary: pd.DataFrame, points: pd.DataFrame, arm: str) -> pd.DataFrame:
    """One row per point: enrolled, and per outcome its value, CI and paired difference from the first point."""
    rows = summary[summary["arm"] == arm].set_index(["point", "metric"])
    out = []
    for point, label in zip(points["point"], points["label"], strict=True):
        row: dict[str, object] = {"point": label, "enrolled": rows.loc[(point, "patients_enrolled"), "mean"]}
        for key, outcome in OUTCOMES.items():
            figures = rows.loc[(point, key)]
            value, lo, hi = (
                ("diff_vs_baseline", "diff_ci_low", "diff_ci_high")
                if outcome.versus_baseline
                else (
                    "mean",
                    "ci_low",
                    "ci_high",
                )
            )
            row.update({key: figures[value], f"{key}_lo": figures[lo], f"{key}_hi": figures[hi]})
            row[f"{key}_vs_first"] = figures["diff_vs_first_point"]
            row[f"{key}_vs_first_lo"] = figures["first_point_ci_low"]
            row[f"{key}_vs_first_hi"] = figures["first_point_ci_high"]
        out.append(row)
    return pd.DataFrame(out)


def column_order(lead: Sequence[str]) -> list[str]:
    """The lead outcomes first, in the file's order, then the others in :data:`OUTCOMES` order."""
    return [*lead, *(key for key in OUTCOMES if key not in lead)]


def _cell(row: pd.Series, key: str, suffix: str = "") -> str:
    outcome = OUTCOMES[key]
    digits, sign = (1, True) if suffix else (outcome.digits, outcome.sign)
    return _ci(row[key + suffix], row[f"{key}{suffix}_lo"], row[f"{key}{suffix}_hi"], digits, sign)


def markdown_table(rows: pd.DataFrame, first: str, lead: Sequence[str] = DEFAULT_LEAD) -> list[str]:
    """The points as a markdown table; the last column is the first lead outcome's paired difference from ``first``."""
    order = column_order(lead)
    headings = " | ".join(OUTCOMES[key].heading for key in order)
    lines = [
        f"| point | enrolled | {headings} | {OUTCOMES[lead[0]].noun} vs {first} |",
        "|---|---:|" + "---:|" * len(order) + "---:|",
    ]
    for _, r in rows.iterrows():
        cells = " | ".join(_cell(r, key) for key in order)
        lines.append(f"| {r['point']} | {r['enrolled']:,.0f} | {cells} | {_cell(r, lead[0], '_vs_first')} |")
    return lines


def _best(rows: pd.DataFrame, key: str) -> str:
    """Where an outcome is best: most admissions avoided, fewest days, lowest cost."""
    if key == "admissions_avoided":
        best = rows.loc[rows[key].idxmax()]
        worst = rows.loc[rows[key].idxmin()]
        if best[key] < 0:
            return (
                f"Every point adds emergency admissions on average (negative admissions avoided); fewest added at "
                f"**{best['point']}** ({_cell(best, key)} per replication), most at "
                f"**{worst['point']}** ({worst[key]:,.1f})."
            )
        return (
            f"Most admissions avoided at **{best['point']}** ({_cell(best, key)} per replication); fewest at "
            f"**{worst['point']}** ({worst[key]:,.1f})."
        )
    best = rows.loc[rows[key].idxmin()]
    word = "Lowest" if key == "cost_total" else "Fewest"
    return f"{word} {OUTCOMES[key].heading.replace(' (GBP)', '')} at **{best['point']}** ({_cell(best, key)})."


def _versus_first(rows: pd.DataFrame, key: str, first: str) -> str:
    """Which points differ from the first on an outcome beyond the paired 95% CI."""
    noun = OUTCOMES[key].noun
    apart = rows[(rows[f"{key}_vs_first_lo"] > 0) | (rows[f"{key}_vs_first_hi"] < 0)]
    if apart.empty:
        return (
            f"No point differs from {first} in {noun} beyond the paired 95% CI: with these "
            f"replications the experiment cannot tell the points apart on {noun}."
        )
    listed = ", ".join(f"{r['point']} ({r[f'{key}_vs_first']:+,.1f})" for _, r in apart.iterrows())
    return f"Paired differences from {first} in {noun} whose 95% CI excludes zero: {listed}."


def _cost_per_admission(rows: pd.DataFrame) -> str:
    positive = rows[rows["admissions_avoided"] > 0]
    if positive.empty:
        return "No point avoids admissions on average: there is no cost per admission avoided to report."
    per = positive.assign(per=positive["cost_total"] / positive["admissions_avoided"]).sort_values("per")
    top = per.iloc[0]
    if top["per"] < 0:
        return (
            f"**{top['point']}** avoids admissions and saves money on average (net cost GBP {top['cost_total']:+,.0f}, "
            f"[{top['cost_total_lo']:+,.0f}, {top['cost_total_hi']:+,.0f}])."
        )
    return f"Lowest net cost per admission avoided (ratio of means): **{top['point']}**, GBP {top['per']:,.0f}."


def remarks(rows: pd.DataFrame, first: str, lead: Sequence[str] = DEFAULT_LEAD) -> list[str]:
    """What the numbers say, computed (no hand-written claims), the lead outcomes first.

    Each lead outcome gets where it is best and which points differ from the first; then admissions
    and delayed discharges where they are not leads, and the cost per admission avoided.
    """
    out = []
    for key in lead:
        out += [_best(rows, key), _versus_first(rows, key, first)]
    if "admissions_avoided" not in lead:
        out += [_best(rows, "admissions_avoided"), _versus_first(rows, "admissions_avoided", first)]
    if "delayed_discharge_days" not in lead:
        out.append(_best(rows, "delayed_discharge_days"))
    out.append(_cost_per_admission(rows))
    return out


def splice(text: str, title: str, section: list[str]) -> str:
    """A generated report with the section headed ``## title`` replaced by ``section`` (appended if absent)."""
    lines = text.rstrip("\n").split("\n")
    heading = f"## {title}"
    if heading not in lines:
        return "\n".join([*lines, "", *section]).rstrip("\n") + "\n"
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join([*lines[:start], *section, *lines[end:]]).rstrip("\n") + "\n"


def run_all(
    names: list[str],
    replications: int | None,
    workers: int,
    dest: Path,
    from_results: bool = False,
    update: bool = False,
) -> None:
    """Run the experiments and write the report (``update``: replace only their sections of ``dest``)."""
    original = dest.read_text(encoding="utf-8") if update else ""
    titles: dict[str, str] = {}
    version = code_version()
    lines = [
        "# Experiments: what each ready experiment file answers",
        "",
        "<!-- generated by experiments/report_experiments.py: do not edit by hand -->",
        "",
        f"Generated {dt.date.today().isoformat()} from carecoord {version['carecoord']} (each section gives the "
        f"commit its runs used) by `python experiments/report_experiments.py --workers {workers}"
        + (f" --replications {replications}" if replications else "")
        + "`. The model is still changing: regenerate with that command after any model change.",
        "",
        "Every point of an experiment runs the same replications on the same patients and random streams",
        "(common random numbers across points and arms), so the differences between points are paired,",
        "replication by replication. Figures are per replication (one run of the scenario's whole horizon",
        "after warm-up), mean [95% CI]; *vs baseline* is the paired difference from the separate-services arm",
        "of the same point; the last column is the paired difference from the first point. The remarks",
        "under each table are computed from the numbers.",
        "",
    ]
    sections: dict[str, list[str]] = {
        name: [f"## {name}", "", "Not run yet: regenerate with the command above.", ""] for name in names
    }

    def write() -> None:
        if update:
            text = original
            for name, title in titles.items():
                text = splice(text, title, sections[name])
            dest.write_text(text, encoding="utf-8")
            return
        body = [line for name in names for line in sections[name]]
        dest.write_text("\n".join(lines + body) + "\n", encoding="utf-8")

    for name in names:
        path = ROOT / "experiments" / f"{name}.yaml"
        spec = load_experiment(path)
        n = replications or spec.replications
        out = ROOT / "results" / "experiments" / f"{name}-r{n}"
        if from_results:
            summary, points = pd.read_csv(out / "summary.csv"), pd.read_csv(out / "points.csv")
        else:
            with ProgressReporter(name, total=0) as progress:
                result = run_sweep(path, replications=n, out=out, workers=workers, progress=progress.update)
            summary, points = result.summary, result.points
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        rows = point_rows(summary, points, spec.arm)
        first = str(points["label"].iloc[0])
        titles[name] = spec.name
        sections[name] = [
            f"## {spec.name}",
            "",
            f"**Question:** {spec.question}  ",
            f"**File:** [`experiments/{name}.yaml`](../experiments/{name}.yaml) (its comments give the setting and "
            f"sources); **run:** `carecoord sweep experiments/{name}.yaml --replications {n} --workers {workers}`; "
            f"{len(points)} points x {n} replications, arm `{spec.arm}` vs baseline; run "
            f"{manifest['started'][:16]} at commit `{(manifest['git_commit'] or 'unknown')[:12]}`.",
            "",
            *markdown_table(rows, first, spec.lead_outcomes),
            "",
            *[f"- {r}" for r in remarks(rows, first, spec.lead_outcomes)],
            "",
        ]
        write()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=None, help="per point (default: each file's)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=None, help="experiment names (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "experiments.md")
    parser.add_argument(
        "--from-results", action="store_true", help="only rewrite the report from results/experiments/ (no runs)"
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="replace only the sections of the experiments run (with --only) in the existing --out, keeping the rest",
    )
    args = parser.parse_args(argv)
    if args.replications is not None and args.replications < 1:
        parser.error("--replications must be at least 1")
    if args.update and not args.out.is_file():
        parser.error(f"--update needs an existing report to update ({args.out} not found)")
    names = args.only or EXPERIMENTS
    run_all(names, args.replications, args.workers, args.out, args.from_results, args.update)
    sys.stderr.write(f"wrote {args.out}\n")


if __name__ == "__main__":
    main()
