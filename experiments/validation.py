"""Validation against published studies (issue 4): regenerates every table and figure of docs/validation.md.

Each study is a file in ``experiments/studies/`` (format: docs/validation.md, "Study files"): the setting
it is compared in (a shipped scenario with overrides for the study's population, selection, intervention
and follow-up, usually a shared file in ``experiments/studies/settings/``) and every outcome it reports,
with the published figure, how the model's figure is computed and how the two are compared. This script
loads every study file, runs each setting once (``carecoord.validation``), checks the baseline arm of
every shipped scenario against the admission rates it was calibrated to on held-out replications, and
replaces the blocks between ``<!-- validation:NAME:begin -->`` and ``<!-- validation:NAME:end -->`` in
docs/validation.md (the hand-written text around them stays) and the figures docs/figures/validation_*.png.
Seeds are the scenarios' own, so a rerun at the same commit gives the same numbers.

Usage:
    python experiments/validation.py [--quick] [--workers N] [--replications N] [--studies DIR]
                                     [--rows-json FILE] [--no-write]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from carecoord.errors import CarecoordError
from carecoord.experiment import default_workers
from carecoord.validation.calibration import (
    CALIBRATED,
    CALIBRATION_REPLICATIONS,
    SHRINK,
    calibration_plot,
    calibration_table,
    tier_check,
)
from carecoord.validation.runner import StudyReport, run_studies, settings_of
from carecoord.validation.study import load_studies
from carecoord.validation.table import (
    forest_plot,
    outcomes_table,
    replace_block,
    results_table,
    settings_table,
    studies_list,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
STUDIES = ROOT / "experiments" / "studies"
REFERENCES = ROOT / "docs" / "references.csv"
DOC = ROOT / "docs" / "validation.md"
FIGURES = ROOT / "docs" / "figures"
FOREST_PNG = FIGURES / "validation_forest.png"
CALIBRATION_PNG = FIGURES / "validation_calibration.png"


def source_state() -> str:
    """The commit of the code and scenarios that produced the numbers, and whether they differ from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "carecoord", "scenarios", "experiments/validation.py", str(STUDIES)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    changes = " with uncommitted changes to carecoord/, scenarios/, the study files or this script" if dirty else ""
    return f"commit `{commit}`{changes}"


def reference_keys() -> set[str]:
    with REFERENCES.open(encoding="utf-8", newline="") as fh:
        return {row["key"] for row in csv.DictReader(fh)}


def write_rows(report: StudyReport, path: Path) -> None:
    """The rows of both study tables as JSON (to compare two runs, e.g. before and after a refactor)."""
    data = {
        "rows": [dataclasses.asdict(r) for r in report.rows],
        "outcomes": [dataclasses.asdict(o) for o in report.outcomes],
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="half the replications (at least 3), for a smoke run")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: every core)")
    parser.add_argument("--replications", type=int, default=None, help="replications of every run (at least 2)")
    parser.add_argument("--studies", type=Path, default=STUDIES, help="folder of study files")
    parser.add_argument("--rows-json", type=Path, default=None, help="also write the study rows to this JSON file")
    parser.add_argument(
        "--no-write", action="store_true", help="print the tables; leave docs/ alone and skip the calibration check"
    )
    args = parser.parse_args()
    if args.replications is not None and args.replications < 2:
        parser.error("--replications must be at least 2 (a CI needs two)")
    start = time.perf_counter()

    def reps(n: int) -> int:
        if args.replications is not None:
            return args.replications
        return max(3, n // 2) if args.quick else n

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f} s] {message}", flush=True)

    try:
        studies = load_studies(args.studies, reference_keys())
        replications = {s.key: reps(s.replications) for s in settings_of(studies)}
        report = run_studies(studies, replications, args.workers, say=say)
    except CarecoordError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    print(results_table(report.rows), outcomes_table(report.outcomes), sep="\n\n", flush=True)
    if args.rows_json is not None:
        write_rows(report, args.rows_json)
        say(f"wrote {args.rows_json}")
    if args.no_write:
        return

    tables = []
    for name in CALIBRATED:
        full, shrunk = CALIBRATION_REPLICATIONS[name]
        for n, scale in ((reps(full), 1.0), (reps(shrunk) if shrunk else 0, SHRINK.get(name, 1.0))):
            if n:
                say(f"calibration check {name} x {scale:g}: {n} held-out replications")
                tables.append(tier_check(SCENARIOS, name, n, scale, args.workers or default_workers(n)))
    calibration = pd.concat(tables, ignore_index=True)

    FIGURES.mkdir(parents=True, exist_ok=True)
    forest_plot(report.rows, FOREST_PNG)
    calibration_plot(calibration, CALIBRATION_PNG)
    if args.replications is not None:
        mode = f"`--replications {args.replications}`"
    else:
        mode = "`--quick` (half the replications)" if args.quick else "full"
    run = (
        f"Generated by `python experiments/validation.py` ({mode} run) from {source_state()}; "
        "seeds are the scenarios' own, so a rerun gives the same numbers."
    )
    settings = settings_table(report, ROOT) + "\n\nThe study files (`experiments/studies/`):\n\n" + studies_list(report)
    text = DOC.read_text(encoding="utf-8")
    text = replace_block(text, "run", run, DOC)
    text = replace_block(text, "settings", settings, DOC)
    text = replace_block(text, "results", results_table(report.rows), DOC)
    text = replace_block(text, "outcomes", outcomes_table(report.outcomes), DOC)
    text = replace_block(text, "calibration", calibration_table(calibration), DOC)
    DOC.write_text(text, encoding="utf-8")
    print(calibration_table(calibration))
    say(f"wrote {DOC.relative_to(ROOT)}, {FOREST_PNG.relative_to(ROOT)}, {CALIBRATION_PNG.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
