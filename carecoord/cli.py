"""The ``carecoord`` command: run, validate and describe scenarios.

Example:
    $ carecoord run scenarios/east_blackburn_pilot.yaml --replications 10 --out results/pilot
    $ carecoord validate scenarios/east_blackburn_pilot.yaml
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from carecoord.errors import CarecoordError, ScenarioError
from carecoord.lazy_console import LazyConsole

app = typer.Typer(
    help="Simulate named-coordinator integrated care against separate services.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: rendering it with rich doubles `carecoord --help` (docs/performance.md)
)
# rich is imported on first print, not at start-up (carecoord --help stays fast)
console = LazyConsole(wide_when_piped=True)  # piped or logged: one line per metric of the comparison table
errors = LazyConsole(stderr=True)

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a scenario value, e.g. --set simulation.seed=7 (repeatable)."),
]


def _fail(exc: CarecoordError) -> None:
    sys.stderr.write(f"{exc}\n")  # plain text, never wrapped: one problem per line
    raise typer.Exit(code=2)


YesOption = Annotated[bool, typer.Option("--yes", help="Run even if the size estimate is above the limit.")]


def _load(path: Path, overrides: list[str], **checks):
    """The scenario and its run-size estimate, after every preflight check (carecoord/preflight.py)."""
    from carecoord.build_info import stale_warning
    from carecoord.preflight import preflight
    from carecoord.scenario.loader import load_scenario_source

    if warning := stale_warning():  # an edited model module of a source checkout, not rebuilt
        sys.stderr.write(f"{warning}\n")
    try:
        loaded = load_scenario_source(path, overrides)
        return loaded.scenario, preflight(loaded, **checks)
    except CarecoordError as exc:
        _fail(exc)


def _reported(command: Callable[..., None]) -> Callable[..., None]:
    """Errors found while a command works become one message (exit 2); Ctrl-C one line (exit 130)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from carecoord.interrupt import EXIT_INTERRUPTED, Interrupted, stop_quietly

        try:
            with stop_quietly("nothing was written (existing files are untouched)"):
                command(*args, **kwargs)
        except Interrupted as exc:
            sys.stderr.write(f"{exc}\n")  # one line, never wrapped
            raise typer.Exit(code=EXIT_INTERRUPTED) from None
        except CarecoordError as exc:  # e.g. raised in a worker process
            _fail(exc)

    return wrapper


@app.command()
@_reported
def run(
    scenario_path: ScenarioArg,
    replications: Annotated[int | None, typer.Option(help="Replications (default: the scenario's).", min=1)] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).", min=0)] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: results/<scenario>-<time>).")] = None,
    set_: SetOption = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: cores, up to replications x arms).", min=1)
    ] = None,
    overwrite: Annotated[
        bool, typer.Option(help="Replace an existing --out (the old folder is kept beside it).")
    ] = False,
    parquet: Annotated[bool, typer.Option(help="Also write the tables as Parquet.")] = False,
    events: Annotated[
        bool,
        typer.Option(
            help="Also write replication 0's event log: events.csv (start, end per activity), "
            "events_pm4py.csv and events_vidigi.csv (docs/event-log.md)."
        ),
    ] = False,
    yes: YesOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Run a scenario: every arm, paired replications, a comparison table and an output folder."""

    from carecoord.caseload_lines import caseload_lines
    from carecoord.display import before_after_lines, comparison_tables, value_lines
    from carecoord.experiment import default_workers, run_experiment
    from carecoord.mortality import background_mortality
    from carecoord.output import build_manifest, write_results
    from carecoord.printout import say, show
    from carecoord.scenario import scenario_file_hash
    from carecoord.scenario.costs import price_line
    from carecoord.trust import distrust, untrusted_verdict

    overrides = list(set_ or [])
    if replications is not None:
        overrides.append(f"simulation.replications={replications}")
    if seed is not None:
        overrides.append(f"simulation.seed={seed}")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = out or Path("results") / f"{scenario_path.stem}-{stamp}"
    scenario, _ = _load(scenario_path, overrides, out=out, overwrite=overwrite, workers=workers, yes=yes)
    n = scenario.simulation.replications
    n_workers = workers or default_workers(n, len(scenario.arm_names))
    started = dt.datetime.now()
    from carecoord.progress import ProgressReporter

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
    untrusted = distrust(result.warnings)
    for warning in result.warnings:  # first: a saturated or impossible run must not be read as a verdict
        say(console, f"WARNING: {warning.message}", style="bold yellow")
    if untrusted:
        say(console, untrusted_verdict(untrusted), style="bold red")
    title = f"{scenario.name} — {n} replications, seed {scenario.simulation.seed}, {elapsed:.1f} s"
    for table in comparison_tables(result.summary, scenario.arm_names, title, console):
        show(console, table)
    for line in value_lines(result.summary, scenario.arm_names, result.replications, result.warnings):
        say(console, line)
    say(console, price_line(scenario.costs))
    for line in before_after_lines(result.before_after):
        say(console, line)
    results_days = scenario.simulation.horizon_days - scenario.simulation.warm_up_days
    for line in caseload_lines(result.summary, scenario.arm_names, results_days):
        say(console, line)
    for arm in scenario.arms:
        if arm.mechanisms.any_active:
            effects = arm.effects or "schema defaults"
            say(console, f"{arm.name}: mechanism parameters from effect set '{effects}'")
    for problem in background_mortality(scenario).problems:  # inputs the deaths model cannot honour
        say(console, f"warning: {problem}")
    say(console, f"Results written to {out}" + (f" (previous results kept in {kept})" if kept else ""))
    say(console, f"A report (it draws the figures): carecoord report {out}; figure files: carecoord plot {out}")


@app.command()
def validate(
    scenario_path: ScenarioArg,
    set_: SetOption = None,
    out: Annotated[Path | None, typer.Option(help="Also check that this output folder can be written.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (for the run-size estimate).", min=1)] = None,
    yes: YesOption = False,
) -> None:
    """Check a scenario file, the files it names and the run's size without running it (as run does)."""
    scenario, estimate = _load(scenario_path, list(set_ or []), out=out, workers=workers, yes=yes)
    sim = scenario.simulation
    places = len(scenario.localities)
    console.print(
        f"{scenario_path}: valid — '{scenario.name}', {places} {'locality' if places == 1 else 'localities'}, "
        f"{sum(loc.cohort_size for loc in scenario.localities)} patients, arms {', '.join(scenario.arm_names)}, "
        f"{sim.horizon_days} days from {sim.start_date} ({sim.warm_up_days} warm-up)",
        highlight=False,
    )
    console.print(f"run size: {estimate.describe()}", highlight=False)
    from carecoord.scenario.capacity import shared_rule, stated_capacity_problems

    if rule := shared_rule(scenario):  # several localities: pooled or split (simulation.shared_services)
        console.print(rule, highlight=False, soft_wrap=True)

    for loc, text in stated_capacity_problems(scenario):
        errors.print(f"{scenario_path}: warning: {'.'.join(map(str, loc))}: {text}", highlight=False, soft_wrap=True)


@app.command()
@_reported
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
    yes: YesOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Set each tier's crisis rate so the baseline reproduces its observed emergency admissions.

    Writes the calibrated scenario (comments kept) and a JSON record of what changed beside it.
    """
    from rich.table import Table

    from carecoord.calibration import calibrate as run_calibration
    from carecoord.calibration import write_calibration
    from carecoord.preflight import check_calibration_target

    if target != "emergency_admissions_per_person_year":
        _fail(
            ScenarioError(
                str(scenario_path),
                [f"--target: '{target}' is not supported; allowed: emergency_admissions_per_person_year"],
            )
        )
    scenario, _ = _load(scenario_path, list(set_ or []), workers=workers, yes=yes)
    dest = scenario_path if in_place else (out or scenario_path.with_name(f"{scenario_path.stem}.calibrated.yaml"))
    try:
        check_calibration_target(scenario_path, dest)
    except CarecoordError as exc:
        _fail(exc)
    from carecoord.progress import ProgressReporter

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


ResultsArg = Annotated[Path, typer.Argument(help="Results folder written by `carecoord run`.", show_default=False)]


@app.command()
def plot(
    results_dir: ResultsArg,
    format_: Annotated[str, typer.Option("--format", help="png or svg.")] = "png",
) -> None:
    """Write the figures of a results folder into RESULTS_DIR/figures/."""
    from carecoord.interfaces import plot_folder

    try:
        for path in plot_folder(results_dir, format_):
            console.print(f"wrote {path}", highlight=False)
    except CarecoordError as exc:
        _fail(exc)


@app.command()
def report(results_dir: ResultsArg) -> None:
    """Write RESULTS_DIR/report.html: one self-contained page for a board paper (prints to PDF)."""
    from carecoord.interfaces import report_folder

    try:
        console.print(f"wrote {report_folder(results_dir)}", highlight=False)
    except CarecoordError as exc:
        _fail(exc)


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


@app.command()
def bench(
    sizes: Annotated[
        str, typer.Option(help="Initial patients at each size, comma-separated (localities of 10,000).")
    ] = "1000,5000,20000,50000",
    years: Annotated[float, typer.Option(help="Simulated years at every size.", min=0.1)] = 3.0,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
    scenario_path: Annotated[
        Path | None, typer.Option("--scenario", help="Scenario to scale (default: experiments/region_benchmark.yaml).")
    ] = None,
) -> None:
    """Measure speed and memory at several sizes, both arms, against bare SimPy (each size in a fresh process)."""
    from carecoord.bench import bench_main

    try:
        bench_main(sizes, years, json_, scenario_path, lambda path, overrides: _load(path, overrides, yes=True))
    except CarecoordError as exc:
        _fail(exc)


from carecoord.cli_batch import register as _register_batch_commands  # noqa: E402  (sweep, compare)

_register_batch_commands(app, console)

if __name__ == "__main__":  # pragma: no cover
    app()
