"""The ``carecoord sweep`` and ``carecoord compare`` commands (registered on the main app).

Both resume: the output folder is a results store, and running the same command again skips the
units already in it. Ctrl-C stops cleanly with one line saying how to resume.

Example:
    $ carecoord sweep experiments/coordinator_caseload.yaml --workers 2
    $ carecoord compare plan_a.yaml plan_b.yaml plan_c.yaml --replications 20 --out results/plans
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carecoord.errors import CarecoordError

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from carecoord.batch.sweep import BatchOptions

Workers = Annotated[
    int | None, typer.Option(help="Local worker processes (default: the cores; 1: in this process).", min=1)
]
DaskLocal = Annotated[
    int | None, typer.Option("--dask-local", help="Start a Dask LocalCluster of N workers on loopback.", min=1)
]
Scheduler = Annotated[str | None, typer.Option(help="Address of an existing Dask scheduler (tcp://host:8786).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]
TargetHalfWidth = Annotated[
    float | None,
    typer.Option(
        help="Add replications in batches until the 95% CI half-width of admissions avoided is at most this "
        "share of its mean at every point (e.g. 0.1).",
        min=0.0,
    ),
]
MaxReplications = Annotated[int, typer.Option(help="Most replications per point with --target-half-width.", min=1)]
SetOption = Annotated[
    list[str] | None, typer.Option("--set", help="Override a base-scenario value, e.g. --set simulation.seed=7.")
]


def register(app: typer.Typer, console: Console) -> None:
    """Add ``sweep`` and ``compare`` to the main command."""

    @app.command()
    def sweep(
        experiment: Annotated[Path, typer.Argument(help="Experiment YAML file.", show_default=False)],
        replications: Annotated[
            int | None, typer.Option(help="Replications per point (default: the file's).", min=1)
        ] = None,
        out: Annotated[Path | None, typer.Option(help="Results folder (default: results/<experiment>).")] = None,
        workers: Workers = None,
        dask_local: DaskLocal = None,
        scheduler: Scheduler = None,
        set_: SetOption = None,
        quiet: Quiet = False,
        target_half_width: TargetHalfWidth = None,
        max_replications: MaxReplications = 200,
    ) -> None:
        """Run an experiment's design (grid, one_at_a_time, latin_hypercube, morris, sobol, psa, mechanisms)."""
        from carecoord.batch.sweep import run_sweep

        out = out or Path("results") / experiment.stem
        options = _options(replications, workers, dask_local, scheduler, set_, target_half_width, max_replications)
        result = _run(run_sweep, experiment, f"sweep {experiment.stem}", out, quiet, options)
        arm = result.manifest["arms"][-1]
        console.print(points_table(result.summary, result.points, arm, result.manifest["name"]))
        for stem in DESIGN_TABLES:
            if stem in result.extra:
                console.print(frame_table(result.extra[stem], f"{stem}.csv"))
        _footer(console, result)

    @app.command()
    def compare(
        scenarios: Annotated[list[Path], typer.Argument(help="Two or more scenario files.", show_default=False)],
        replications: Annotated[
            int | None, typer.Option(help="Replications (default: the largest of the files').", min=1)
        ] = None,
        out: Annotated[Path | None, typer.Option(help="Results folder (default: results/compare-<names>).")] = None,
        workers: Workers = None,
        dask_local: DaskLocal = None,
        scheduler: Scheduler = None,
        set_: SetOption = None,
        quiet: Quiet = False,
        target_half_width: TargetHalfWidth = None,
        max_replications: MaxReplications = 200,
    ) -> None:
        """Several scenarios in one table and one folder (paired where they share a cohort)."""
        from carecoord.batch.sweep import compare as run_compare

        out = out or Path("results") / ("compare-" + "-".join(p.stem for p in scenarios))
        options = _options(replications, workers, dask_local, scheduler, set_, target_half_width, max_replications)
        result = _run(run_compare, scenarios, "compare", out, quiet, options)
        for arm in result.manifest["arms"][1:]:
            console.print(points_table(result.summary, result.points, arm, result.manifest["name"]))
        pairing = result.extra["pairing"]
        unpaired = pairing.loc[~pairing["paired_with_first"], "scenario"].tolist()
        if unpaired:
            console.print(
                f"Not paired with {pairing['scenario'].iloc[0]} (different patients): {', '.join(unpaired)}; "
                "their 'vs first' column is left empty.",
                highlight=False,
            )
        _footer(console, result)


def _options(
    replications: int | None,
    workers: int | None,
    dask_local: int | None,
    scheduler: str | None,
    set_: list[str] | None,
    target_half_width: float | None,
    max_replications: int,
) -> BatchOptions:
    """The options ``sweep`` and ``compare`` share, as the batch API takes them."""
    return {
        "replications": replications,
        "workers": workers,
        "dask_local": dask_local,
        "scheduler": scheduler,
        "overrides": list(set_ or []),
        "target_half_width": target_half_width,
        "max_replications": max_replications,
    }


def _run(fn, target, description: str, out: Path, quiet: bool, options: BatchOptions):  # type: ignore[no-untyped-def]
    """Run with progress; bad input exits 2 with one line per problem, Ctrl-C exits 130 with how to resume."""
    from carecoord.progress import ProgressReporter

    command = ["carecoord", *sys.argv[1:]]
    try:
        with ProgressReporter(description, total=0, quiet=quiet) as progress:
            return fn(target, out=out, progress=progress.update, command=command, **options)
    except CarecoordError as exc:
        sys.stderr.write(f"{exc}\n")
        raise typer.Exit(code=2) from None
    except ValueError as exc:
        sys.stderr.write(f"{exc}\n")
        raise typer.Exit(code=2) from None
    except KeyboardInterrupt:
        units = out / "units"
        saved = len(list(units.glob("p*-r*.parquet"))) if units.is_dir() else 0
        sys.stderr.write(
            f"\nInterrupted: {saved} finished units are saved in {out}; run the same command again to resume: "
            f"{shlex.join(['carecoord', *sys.argv[1:]])}\n"
        )
        raise typer.Exit(code=130) from None


def points_table(summary: pd.DataFrame, points: pd.DataFrame, arm: str, title: str) -> Table:
    """Per point: admissions avoided, bed days and net cost vs baseline, and admissions avoided vs the first point."""
    from rich.table import Table

    table = Table(title=f"{title}: {arm} vs baseline (mean [95% CI] per replication, paired)")
    for column in ("point", "admissions avoided", "bed days", "net cost (GBP)", "avoided vs point 0"):
        table.add_column(column, justify="right" if column != "point" else "left")
    rows = summary[summary["arm"] == arm].set_index(["point", "metric"])
    for point, label in zip(points["point"], points["label"], strict=True):
        avoided = rows.loc[(point, "admissions_avoided")]
        table.add_row(
            f"{point} {label}",
            f"{avoided['mean']:,.1f} [{avoided['ci_low']:,.1f}, {avoided['ci_high']:,.1f}]",
            _diff(rows.loc[(point, "bed_days")], 1),
            _diff(rows.loc[(point, "cost_total")], 0),
            _vs_first(avoided),
        )
    return table


DESIGN_TABLES = ("sensitivity", "mechanisms", "shapley", "acceptability")
"""Design tables shown on screen (PSA draws are only written)."""


def frame_table(frame: pd.DataFrame, title: str) -> Table:
    """A small DataFrame as a rich table (numbers to 4 significant figures)."""
    from rich.table import Table

    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), justify="left" if frame[column].dtype == object else "right")
    for row in frame.itertuples(index=False):
        table.add_row(*(f"{v:,.4g}" if isinstance(v, float) else str(v) for v in row))
    return table


def _diff(row: pd.Series, digits: int) -> str:
    mean, lo, hi = row["diff_vs_baseline"], row["diff_ci_low"], row["diff_ci_high"]
    return f"{mean:+,.{digits}f} [{lo:+,.{digits}f}, {hi:+,.{digits}f}]"


def _vs_first(row: pd.Series) -> str:
    if row["diff_vs_first_point"] != row["diff_vs_first_point"]:  # NaN: not paired
        return "—"
    lo, hi = row["first_point_ci_low"], row["first_point_ci_high"]
    if lo != lo:
        return f"{row['diff_vs_first_point']:+,.1f}"
    return f"{row['diff_vs_first_point']:+,.1f} [{lo:+,.1f}, {hi:+,.1f}]"


def _footer(console: Console, result) -> None:  # type: ignore[no-untyped-def]
    manifest = result.manifest
    reused = manifest["units_reused_from_store"]
    precision = manifest.get("precision")
    if precision:
        console.print(
            f"Replications: {precision['replications']} per point — {precision['reason']} (largest relative "
            f"half-width {precision['largest_relative_half_width']:.3f}, "
            f"target {precision['target_relative_half_width']})",
            highlight=False,
        )
    console.print(
        f"{manifest['points']} points x {manifest['replications_per_point']} replications "
        f"({manifest['backend']}, {manifest['elapsed_seconds_this_run']:.1f} s"
        + (f"; {reused} units reused from an earlier run" if reused else "")
        + f"). Tables written to {result.out}",
        highlight=False,
    )
