"""The ``carecoord`` command: run, validate and describe scenarios.

Example:
    $ carecoord run scenarios/east_blackburn_pilot.yaml --replications 10 --out results/pilot
    $ carecoord validate scenarios/east_blackburn_pilot.yaml
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from carecoord.errors import CarecoordError, ScenarioError
from carecoord.progress import ProgressReporter

app = typer.Typer(
    help="Simulate named-coordinator integrated care against separate services.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
if not console.is_terminal:  # piped or logged: keep the comparison table on one line per metric
    console = Console(width=180)
errors = Console(stderr=True)

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a scenario value, e.g. --set simulation.seed=7 (repeatable)."),
]


def _fail(exc: CarecoordError) -> None:
    sys.stderr.write(f"{exc}\n")  # plain text, never wrapped: one problem per line
    raise typer.Exit(code=2)


def _load(path: Path, overrides: list[str]):
    from carecoord.scenario import load_scenario

    try:
        return load_scenario(path, overrides)
    except ScenarioError as exc:
        _fail(exc)


@app.command()
def run(
    scenario_path: ScenarioArg,
    replications: Annotated[int | None, typer.Option(help="Replications (default: the scenario's).", min=1)] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).", min=0)] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: results/<scenario>-<time>).")] = None,
    set_: SetOption = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: cores, up to replications).", min=1)
    ] = None,
    overwrite: Annotated[
        bool, typer.Option(help="Replace an existing --out (the old folder is kept beside it).")
    ] = False,
    parquet: Annotated[bool, typer.Option(help="Also write the tables as Parquet.")] = False,
    events: Annotated[
        bool, typer.Option(help="Also write replication 0's event log (events.csv: patient, time, activity, resource).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Run a scenario: every arm, paired replications, a comparison table and an output folder."""
    from carecoord.display import before_after_lines, comparison_table, value_lines
    from carecoord.experiment import default_workers, run_experiment
    from carecoord.output import build_manifest, check_destination, write_results
    from carecoord.scenario import scenario_file_hash

    overrides = list(set_ or [])
    if replications is not None:
        overrides.append(f"simulation.replications={replications}")
    if seed is not None:
        overrides.append(f"simulation.seed={seed}")
    scenario = _load(scenario_path, overrides)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = out or Path("results") / f"{scenario_path.stem}-{stamp}"
    try:
        check_destination(out, overwrite)
    except CarecoordError as exc:
        _fail(exc)
    n = scenario.simulation.replications
    n_workers = workers or default_workers(n)
    started = dt.datetime.now()
    with ProgressReporter(f"{scenario.name}", total=n, quiet=quiet, unit="replications") as progress:
        result = run_experiment(scenario, workers=n_workers, progress=progress.update, events=events)
    finished = dt.datetime.now()
    manifest = build_manifest(
        result,
        scenario_path,
        scenario_file_hash(scenario_path),
        ["carecoord", *sys.argv[1:]],
        started,
        finished,
        n_workers,
    )
    try:
        kept = write_results(result, out, manifest, overwrite=overwrite, parquet=parquet)
    except CarecoordError as exc:
        _fail(exc)
    elapsed = (finished - started).total_seconds()
    title = f"{scenario.name} — {n} replications, seed {scenario.simulation.seed}, {elapsed:.1f} s"
    console.print(comparison_table(result.summary, scenario.arm_names, title))
    for line in value_lines(result.summary, scenario.arm_names):
        console.print(line, highlight=False)
    for line in before_after_lines(result.before_after):
        console.print(line, highlight=False)
    for arm in scenario.arms:
        if arm.mechanisms.any_active:
            effects = arm.effects or "schema defaults"
            console.print(f"{arm.name}: mechanism parameters from effect set '{effects}'", highlight=False)
    console.print(
        f"Results written to {out}" + (f" (previous results kept in {kept})" if kept else ""), highlight=False
    )


@app.command()
def validate(scenario_path: ScenarioArg, set_: SetOption = None) -> None:
    """Check a scenario file without running it."""
    scenario = _load(scenario_path, list(set_ or []))
    sim = scenario.simulation
    console.print(
        f"{scenario_path}: valid — '{scenario.name}', {len(scenario.localities)} localities, "
        f"{sum(loc.cohort_size for loc in scenario.localities)} patients, arms {', '.join(scenario.arm_names)}, "
        f"{sim.horizon_days} days from {sim.start_date} ({sim.warm_up_days} warm-up)",
        highlight=False,
    )


@app.command()
def calibrate(
    scenario_path: ScenarioArg,
    target: Annotated[
        str, typer.Option(help="What to reproduce (the tiers' emergency_admissions_per_person_year).")
    ] = "emergency_admissions_per_person_year",
    replications: Annotated[int, typer.Option(help="Replications per iteration.", min=1)] = 5,
    tolerance: Annotated[float, typer.Option(help="Largest relative error accepted per tier.", min=0.0)] = 0.02,
    out: Annotated[Path | None, typer.Option(help="Calibrated scenario (default: <name>.calibrated.yaml).")] = None,
    in_place: Annotated[bool, typer.Option(help="Write the calibrated rates into the scenario file itself.")] = False,
    set_: SetOption = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.", min=1)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Set each tier's crisis rate so the baseline reproduces its observed emergency admissions.

    Writes the calibrated scenario (comments kept) and a JSON record of what changed beside it.
    """
    from rich.table import Table

    from carecoord.calibration import calibrate as run_calibration
    from carecoord.calibration import write_calibration

    if target != "emergency_admissions_per_person_year":
        _fail(
            ScenarioError(
                str(scenario_path),
                [f"--target: '{target}' is not supported; allowed: emergency_admissions_per_person_year"],
            )
        )
    scenario = _load(scenario_path, list(set_ or []))
    dest = scenario_path if in_place else (out or scenario_path.with_name(f"{scenario_path.stem}.calibrated.yaml"))
    with ProgressReporter(f"{scenario.name}: calibration", total=10, quiet=quiet, unit="iterations (at most)") as bar:
        result = run_calibration(
            scenario, replications=replications, tolerance=tolerance, workers=workers, progress=bar.update
        )
    table = Table(title=f"{scenario.name}: calibration ({'converged' if result.converged else 'NOT converged'})")
    for column in ("tier", "target adm/py", "simulated adm/py", "error", "crisis_rate_per_year"):
        table.add_column(column, justify="right")
    for name, goal, sim, err, rate in zip(
        result.tiers, result.targets, result.simulated, result.relative_errors(), result.rates_per_year, strict=True
    ):
        table.add_row(name, f"{goal:.3f}", f"{sim:.3f}", f"{err:+.1%}", f"{rate:.2f}")
    console.print(table)
    if not result.converged:
        errors.print("Not converged: nothing written (raise --replications or --tolerance).")
        raise typer.Exit(code=1)
    try:
        record = write_calibration(scenario_path, dest, scenario, result, replications, tolerance, sys.argv)
    except CarecoordError as exc:
        _fail(exc)
    console.print(f"Calibrated scenario written to {dest}; record of what changed in {record}", highlight=False)


@app.command()
def schema(
    markdown: Annotated[
        bool, typer.Option(help="Print the field reference as Markdown instead of JSON Schema.")
    ] = False,
) -> None:
    """Print the scenario JSON Schema (for editors) or its Markdown reference."""
    from carecoord.scenario.reference import render_markdown
    from carecoord.scenario.schema import Scenario

    if markdown:
        sys.stdout.write(render_markdown())
    else:
        sys.stdout.write(json.dumps(Scenario.model_json_schema(), indent=2) + "\n")


from carecoord.cli_batch import register as _register_batch_commands  # noqa: E402  (sweep, compare)

_register_batch_commands(app, console)

if __name__ == "__main__":  # pragma: no cover
    app()
