"""Regenerate docs/experiments.md: run every ready experiment file and report what it answers.

One command, after any model change:

    python experiments/report_experiments.py --workers 2                 # the files' replications
    python experiments/report_experiments.py --workers 2 --replications 10   # quicker, wider CIs
    python experiments/report_experiments.py --replications 10 --from-results  # rewrite from results/ only

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
from pathlib import Path

import pandas as pd

from carecoord.batch import run_sweep
from carecoord.batch.runner import code_version
from carecoord.progress import ProgressReporter
from carecoord.scenario.experiment import load_experiment

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


def point_rows(summary: pd.DataFrame, points: pd.DataFrame, arm: str) -> pd.DataFrame:
    """One row per point with the figures the report shows."""
    rows = summary[summary["arm"] == arm].set_index(["point", "metric"])
    out = []
    for point, label in zip(points["point"], points["label"], strict=True):
        avoided = rows.loc[(point, "admissions_avoided")]
        cost = rows.loc[(point, "cost_total")]
        beds = rows.loc[(point, "bed_days")]
        delayed = rows.loc[(point, "delayed_discharge_days")]
        out.append(
            {
                "point": label,
                "enrolled": rows.loc[(point, "patients_enrolled"), "mean"],
                "avoided": avoided["mean"],
                "avoided_lo": avoided["ci_low"],
                "avoided_hi": avoided["ci_high"],
                "beds": beds["diff_vs_baseline"],
                "beds_lo": beds["diff_ci_low"],
                "beds_hi": beds["diff_ci_high"],
                "delayed": delayed["diff_vs_baseline"],
                "delayed_lo": delayed["diff_ci_low"],
                "delayed_hi": delayed["diff_ci_high"],
                "cost": cost["diff_vs_baseline"],
                "cost_lo": cost["diff_ci_low"],
                "cost_hi": cost["diff_ci_high"],
                "vs_first": avoided["diff_vs_first_point"],
                "vs_first_lo": avoided["first_point_ci_low"],
                "vs_first_hi": avoided["first_point_ci_high"],
            }
        )
    return pd.DataFrame(out)


def markdown_table(rows: pd.DataFrame, first: str) -> list[str]:
    lines = [
        f"| point | enrolled | admissions avoided | bed days vs baseline | delayed discharge days vs baseline "
        f"| net cost vs baseline (GBP) | admissions avoided vs {first} |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows.itertuples():
        lines.append(
            f"| {r.point} | {r.enrolled:,.0f} | {_ci(r.avoided, r.avoided_lo, r.avoided_hi)} "
            f"| {_ci(r.beds, r.beds_lo, r.beds_hi, 0, True)} | {_ci(r.delayed, r.delayed_lo, r.delayed_hi, 0, True)} "
            f"| {_ci(r.cost, r.cost_lo, r.cost_hi, 0, True)} "
            f"| {_ci(r.vs_first, r.vs_first_lo, r.vs_first_hi, 1, True)} |"
        )
    return lines


def remarks(rows: pd.DataFrame, first: str) -> list[str]:
    """What the numbers say, computed (no hand-written claims)."""
    out = []
    best = rows.loc[rows["avoided"].idxmax()]
    worst = rows.loc[rows["avoided"].idxmin()]
    if best.avoided < 0:
        out.append(
            f"Every point adds emergency admissions on average (negative admissions avoided); fewest added at "
            f"**{best.point}** ({_ci(best.avoided, best.avoided_lo, best.avoided_hi)} per replication), most at "
            f"**{worst.point}** ({worst.avoided:,.1f})."
        )
    else:
        out.append(
            f"Most admissions avoided at **{best.point}** ({_ci(best.avoided, best.avoided_lo, best.avoided_hi)} "
            f"per replication); fewest at **{worst.point}** ({worst.avoided:,.1f})."
        )
    delayed = rows.loc[rows["delayed"].idxmin()]
    out.append(
        f"Fewest delayed discharge days vs baseline at **{delayed.point}** "
        f"({_ci(delayed.delayed, delayed.delayed_lo, delayed.delayed_hi, 0, True)})."
    )
    apart = rows[(rows["vs_first_lo"] > 0) | (rows["vs_first_hi"] < 0)]
    if apart.empty:
        out.append(
            f"No point differs from {first} in admissions avoided beyond the paired 95% CI: with these "
            "replications the experiment cannot tell the points apart on admissions."
        )
    else:
        listed = ", ".join(f"{r.point} ({r.vs_first:+,.1f})" for r in apart.itertuples())
        out.append(f"Paired differences from {first} whose 95% CI excludes zero: {listed}.")
    positive = rows[rows["avoided"] > 0]
    if not positive.empty:
        per = positive.assign(per=positive["cost"] / positive["avoided"]).sort_values("per")
        top = per.iloc[0]
        if top.per < 0:
            out.append(
                f"**{top.point}** avoids admissions and saves money on average (net cost GBP {top.cost:+,.0f}, "
                f"[{top.cost_lo:+,.0f}, {top.cost_hi:+,.0f}])."
            )
        else:
            out.append(f"Lowest net cost per admission avoided (ratio of means): **{top.point}**, GBP {top.per:,.0f}.")
    else:
        out.append("No point avoids admissions on average: there is no cost per admission avoided to report.")
    return out


def run_all(names: list[str], replications: int | None, workers: int, dest: Path, from_results: bool = False) -> None:
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
        sections[name] = [
            f"## {spec.name}",
            "",
            f"**Question:** {spec.question}  ",
            f"**File:** [`experiments/{name}.yaml`](../experiments/{name}.yaml) (its comments give the setting and "
            f"sources); **run:** `carecoord sweep experiments/{name}.yaml --replications {n} --workers {workers}`; "
            f"{len(points)} points x {n} replications, arm `{spec.arm}` vs baseline; run "
            f"{manifest['started'][:16]} at commit `{(manifest['git_commit'] or 'unknown')[:12]}`.",
            "",
            *markdown_table(rows, first),
            "",
            *[f"- {r}" for r in remarks(rows, first)],
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
    args = parser.parse_args(argv)
    if args.replications is not None and args.replications < 1:
        parser.error("--replications must be at least 1")
    names = args.only or EXPERIMENTS
    run_all(names, args.replications, args.workers, args.out, args.from_results)
    sys.stderr.write(f"wrote {args.out}\n")


if __name__ == "__main__":
    main()
