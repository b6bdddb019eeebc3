"""Sweeps and comparisons from Python: run an experiment file or several scenarios, get DataFrames.

Both write a results folder that survives interruption (see :mod:`carecoord.batch.store`): run the
same call again and it resumes. Every point runs the same replication numbers on the same random
streams as every other point (common random numbers across points, not only across arms), so the
difference between two points is paired replication by replication; only PSA draws differ, each
having its own streams on purpose.

Example:
    >>> result = run_sweep("experiments/coordinator_caseload.yaml", replications=5, out="results/caseload")
    >>> result.summary.query("arm == 'integrated' and metric == 'admissions_avoided'")
    >>> result = compare(["scenarios/a.yaml", "scenarios/b.yaml"], replications=5, out="results/a-vs-b")
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, Unpack

import pandas as pd

import carecoord.batch.analysis as analysis
from carecoord.batch.designs import design_points, shapley_group
from carecoord.batch.manifest import batch_manifest, write_outputs
from carecoord.batch.runner import (
    PointsRun,
    Progress,
    ScenarioPoint,
    code_version,
    fingerprint,
    points_table,
    run_points,
)
from carecoord.batch.store import ResultsStore
from carecoord.errors import ScenarioError
from carecoord.executor import Backend
from carecoord.experiment import default_workers
from carecoord.scenario import load_scenario, scenario_file_hash
from carecoord.scenario.experiment import (
    Experiment,
    MechanismsDesign,
    MorrisDesign,
    PsaDesign,
    SobolDesign,
    load_experiment,
)

DEFAULT_MAX_REPLICATIONS = 200


@dataclass
class BatchResult:
    """Tables of a sweep or comparison (all pandas), and where they were written."""

    tidy: pd.DataFrame  # point, <parameter columns>, replication, arm, locality, metric, value
    summary: pd.DataFrame  # point, <parameter columns>, arm, metric, mean, CIs, paired differences
    points: pd.DataFrame  # point, label, <parameter columns>
    out: Path
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)  # design-specific tables, by file stem
    manifest: dict[str, Any] = field(default_factory=dict)

    def metric(self, name: str, arm: str) -> pd.DataFrame:
        """Per-point summary of one metric of one arm."""
        return self.summary[(self.summary["metric"] == name) & (self.summary["arm"] == arm)]


class BatchOptions(TypedDict, total=False):
    """Keyword options shared by :func:`run_sweep` and :func:`compare` (every one optional).

    Attributes:
        replications: Replications per point (default: the experiment file's; compare: the largest of the files').
        out: Results folder (default: ``results/<experiment>``, ``results/compare-<names>``); an existing store
            of the same run is resumed.
        workers: Local worker processes (default: the cores, up to the units; 1: in this process).
        dask_local: Start a Dask LocalCluster of this many workers on loopback.
        scheduler: Address of an existing Dask scheduler.
        overrides: ``--set``-style overrides of the (base) scenario files.
        progress: Called as units finish (done, total).
        target_half_width: Add replications until the 95% CI half-width of admissions avoided is at most this
            share of its mean at every point.
        max_replications: Most replications per point with ``target_half_width``.
        command: The command line, recorded in the manifest.
    """

    replications: int | None
    out: str | Path | None
    workers: int | None
    dask_local: int | None
    scheduler: str | None
    overrides: list[str] | None
    progress: Progress | None
    target_half_width: float | None
    max_replications: int
    command: list[str] | None


def _check_replications(replications: int | None) -> None:
    if replications is not None and replications < 1:
        raise ValueError(f"replications must be at least 1 (got {replications}); None means the file's")


@dataclass
class _Executed:
    """One run of a sweep's or comparison's points, with what its manifest needs."""

    points: list[ScenarioPoint]
    arms: list[str]
    store: ResultsStore
    backend: Backend
    run: PointsRun
    table: pd.DataFrame  # points: point, label, <parameter columns>
    summary: pd.DataFrame  # the run's summary with the points' parameter columns
    started: dt.datetime
    elapsed: float

    def manifest(self, options: BatchOptions, **fields: Any) -> dict[str, Any]:
        return batch_manifest(
            points=self.points,
            arms=self.arms,
            run=self.run,
            backend=self.backend,
            store=self.store,
            started=self.started,
            elapsed=self.elapsed,
            command=options.get("command"),
            **fields,
        )


def _execute(
    points: list[ScenarioPoint],
    n: int,
    store: ResultsStore,
    arms: list[str],
    target_arm: str,
    options: BatchOptions,
) -> _Executed:
    """Run every point's units on the chosen backend (resuming from the store) and tabulate them."""
    workers = options.get("workers") or default_workers(len(points) * n)
    backend = Backend(workers=workers, dask_local=options.get("dask_local"), scheduler=options.get("scheduler"))
    started = dt.datetime.now()
    clock = time.monotonic()
    run = run_points(
        points,
        n,
        store,
        backend,
        arms,
        options.get("progress"),
        options.get("target_half_width"),
        target_arm,
        options.get("max_replications", DEFAULT_MAX_REPLICATIONS),
    )
    elapsed = time.monotonic() - clock
    table = points_table(points)
    summary = table.drop(columns="label").merge(run.summary, on="point", how="right")
    return _Executed(points, arms, store, backend, run, table, summary, started, elapsed)


def experiment_points(experiment: Experiment, overrides: list[str] | None = None) -> list[ScenarioPoint]:
    """Resolve every point of the design into a validated scenario (errors name the file and the field)."""
    base_overrides = [*experiment.set, *(overrides or [])]
    base = load_scenario(experiment.scenario, base_overrides)
    if experiment.arm not in base.arm_names:
        raise ValueError(
            f"arm: '{experiment.arm}' is not an arm of {experiment.scenario} ({', '.join(base.arm_names)})"
        )
    points = []
    for p in design_points(experiment.design, base, experiment.arm):
        scenario = load_scenario(experiment.scenario, [*base_overrides, *p.overrides]) if p.overrides else base
        points.append(ScenarioPoint(p.label, p.params, scenario, p.replication_offset))
    return points


def run_sweep(experiment: str | Path | Experiment, **options: Unpack[BatchOptions]) -> BatchResult:
    """Run an experiment file's design (resuming from ``out`` if it holds this experiment's units)."""
    _check_replications(options.get("replications"))
    source = Path(experiment) if not isinstance(experiment, Experiment) else None
    spec = load_experiment(source) if source is not None else experiment
    assert isinstance(spec, Experiment)
    n = options.get("replications") or spec.replications
    if isinstance(spec.design, PsaDesign) and n != 1:
        raise ValueError("a psa design runs one paired replication per draw: set replications: 1 (more draws instead)")
    try:
        points = experiment_points(spec, options.get("overrides"))
    except ValueError as exc:  # a design that does not fit the scenario (unknown arm or mechanism)
        raise ScenarioError(str(source or spec.name), [str(exc)]) from None
    arms = ["baseline", spec.arm] if spec.arm != "baseline" else ["baseline"]
    given = options.get("out")
    out = (
        Path(given) if given is not None else Path("results") / (source.stem if source else spec.name.replace(" ", "_"))
    )
    description = {
        "name": spec.name,
        "experiment_file": str(source) if source else None,
        "design": spec.design.type,
        **code_version(),
    }
    extra_key = {"design": spec.design.model_dump(mode="json"), "arm": spec.arm}
    store = ResultsStore.open(out, fingerprint(points, arms, extra_key), description)
    done = _execute(points, n, store, arms, spec.arm, options)
    extra = _design_tables(spec, points, done.table, done.run.tidy, done.run.summary)
    manifest = done.manifest(
        options,
        kind="sweep",
        name=spec.name,
        question=spec.question,
        files={"experiment": source, "scenario": spec.scenario},
        hashes={
            "experiment": scenario_file_hash(source) if source else None,
            "scenario": scenario_file_hash(spec.scenario),
        },
        extra={"design": spec.design.model_dump(mode="json")},
    )
    write_outputs(out, done.run.tidy, done.summary, done.table, extra, manifest)
    return BatchResult(done.run.tidy, done.summary, done.table, out, extra, manifest)


def _design_tables(
    spec: Experiment, points: list[ScenarioPoint], table: pd.DataFrame, tidy: pd.DataFrame, summary: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Tables only some designs have: sensitivity indices, PSA draws and curve, mechanisms' shares."""
    design = spec.design
    outputs = analysis.point_outputs(summary, spec.arm)
    if isinstance(design, MorrisDesign | SobolDesign):
        return {"sensitivity": analysis.sensitivity_indices(design, table, outputs)}
    if isinstance(design, PsaDesign):
        draws, curve = analysis.psa_tables(design, table, outputs)
        return {"psa_draws": draws, "acceptability": curve}
    if isinstance(design, MechanismsDesign):
        tables = {"mechanisms": analysis.removal_table(summary, tidy, table, spec.arm)}
        base = points[0].scenario
        group = shapley_group(design, base, spec.arm)
        if group:
            columns = analysis.enabled_columns(table)
            tables["shapley"] = analysis.shapley_values(outputs, table, group, columns)
        return tables
    return {}


def compare(scenarios: list[str | Path], **options: Unpack[BatchOptions]) -> BatchResult:
    """Several scenarios in one table and one folder; point i is scenario i.

    Scenarios that share a cohort (same simulation calendar, seed, localities' cohorts and cohort spec)
    run on the same patients and streams, so their differences are paired; ``pairing.csv`` says which.
    """
    _check_replications(options.get("replications"))
    if len(scenarios) < 2:
        raise ValueError("compare needs at least two scenarios")
    paths = [Path(s) for s in scenarios]
    loaded = [load_scenario(p, options.get("overrides")) for p in paths]
    names = _unique_names(paths)
    n = options.get("replications") or max(s.simulation.replications for s in loaded)
    common = [a for a in loaded[0].arm_names if all(a in s.arm_names for s in loaded)]
    points = [ScenarioPoint(name, {"scenario": name}, s) for name, s in zip(names, loaded, strict=True)]
    given = options.get("out")
    out = Path(given) if given is not None else Path("results") / ("compare-" + "-".join(names))
    store = ResultsStore.open(
        out,
        fingerprint(points, common, {"kind": "compare"}),
        {"name": " vs ".join(names), "experiment_file": [str(p) for p in paths], "design": "compare", **code_version()},
    )
    done = _execute(points, n, store, common, common[-1], options)
    summary = done.summary
    pairing = pd.DataFrame(
        {
            "scenario": names,
            "cohort_key": [cohort_key(s) for s in loaded],
            "paired_with_first": [cohort_key(s) == cohort_key(loaded[0]) for s in loaded],
        }
    )
    if not pairing["paired_with_first"].all():  # different patients: a paired difference would be meaningless
        unpaired = ~summary["scenario"].map(dict(zip(names, pairing["paired_with_first"], strict=True)))
        summary.loc[unpaired, ["diff_vs_first_point", "first_point_ci_low", "first_point_ci_high"]] = float("nan")
    manifest = done.manifest(
        options,
        kind="compare",
        name=" vs ".join(names),
        question=None,
        files={name: p for name, p in zip(names, paths, strict=True)},
        hashes={name: scenario_file_hash(p) for name, p in zip(names, paths, strict=True)},
        extra={},
    )
    extra = {"pairing": pairing}
    write_outputs(out, done.run.tidy, summary, done.table, extra, manifest)
    return BatchResult(done.run.tidy, summary, done.table, out, extra, manifest)


def cohort_key(scenario: Any) -> str:
    """What decides the patients and their random streams: equal keys mean paired scenarios."""
    import hashlib
    import json

    sim = scenario.simulation.model_dump(mode="json")
    sim.pop("replications", None)
    localities = [
        {"name": loc.name, "cohort_size": loc.cohort_size, "incidence_per_year": loc.incidence_per_year}
        for loc in scenario.localities
    ]
    payload = {"simulation": sim, "cohort": scenario.cohort.model_dump(mode="json"), "localities": localities}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]


def _unique_names(paths: list[Path]) -> list[str]:
    names = [p.stem for p in paths]
    return [n if names.count(n) == 1 else f"{n}_{i}" for i, n in enumerate(names)]
