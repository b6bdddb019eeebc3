"""Running the units of many points (a sweep's design points, or the scenarios of a comparison).

A unit is one replication of one point: every arm of that replication on one cohort. Its numbers
depend only on the point's scenario and the replication number, so the tables are identical
whatever runs them (serially, in local processes, on Dask) and in whatever order units finish.
Finished units go to the results store as they come back; units already there are skipped.

Example:
    >>> run = run_points(points, replications=10, store=store, backend=Backend(workers=2))
    >>> run.tidy.head()
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from carecoord.batch.store import ResultsStore
from carecoord.batch.summary import relative_half_width, summarise_points
from carecoord.executor import Backend, run_units
from carecoord.experiment import replication_rows, run_replication
from carecoord.scenario.schema import Scenario

Progress = Callable[[int, int], None]
ROW_COLUMNS = ["replication", "arm", "locality", "metric", "value"]


@dataclass(frozen=True)
class ScenarioPoint:
    """A point with its resolved scenario: ``params`` are the table's parameter columns."""

    label: str
    params: dict[str, Any]
    scenario: Scenario
    replication_offset: int = 0

    def replications(self, n: int) -> list[int]:
        return list(range(self.replication_offset, self.replication_offset + n))


def run_unit(scenario: Scenario, replication: int, arms: list[str]) -> pd.DataFrame:
    """One replication of every named arm (the baseline first) as tidy rows; runs in a worker.

    Also the function a Dask cluster runs: it needs only carecoord installed on the workers, no shared disk.
    """
    results = run_replication(scenario, replication, arms)
    localities = [loc.name for loc in scenario.localities]
    return pd.DataFrame(replication_rows(replication, results, localities), columns=ROW_COLUMNS)


def fingerprint(points: list[ScenarioPoint], arms: list[str], extra: dict[str, Any]) -> str:
    """Hash of everything that decides a unit's numbers, except how many replications are asked for.

    The code is part of it (package version and a hash of its code): units made by another version of the
    model are never mixed with new ones.
    """
    payload = []
    for p in points:
        scenario = json.loads(p.scenario.model_dump_json())
        scenario["simulation"].pop("replications", None)
        payload.append({"params": p.params, "offset": p.replication_offset, "scenario": scenario})
    code = {k: v for k, v in code_version().items() if k != "commit"}
    text = json.dumps({"points": payload, "arms": arms, "code": code, **extra}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def code_version() -> dict[str, str | None]:
    """carecoord's version, a hash of its code (every module and data file of the package) and the git commit.

    The code hash, not the commit, goes into a store's fingerprint: a commit that changes only documents
    keeps the units valid, any change to the package's code invalidates them.
    """
    from carecoord.output import _git_commit, _version

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".yaml", ".json") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return {"carecoord": _version("carecoord"), "code_sha256": digest.hexdigest(), "commit": _git_commit()}


@dataclass
class PointsRun:
    """What :func:`run_points` returns: the tidy table and how the replications were chosen."""

    tidy: pd.DataFrame
    summary: pd.DataFrame
    replications: int
    computed_units: int
    reused_units: int
    stopping: dict[str, Any] = field(default_factory=dict)


def run_points(
    points: list[ScenarioPoint],
    replications: int,
    store: ResultsStore,
    backend: Backend,
    arms: list[str],
    progress: Progress | None = None,
    target_half_width: float | None = None,
    target_arm: str | None = None,
    max_replications: int = 200,
) -> PointsRun:
    """Run every point's replications (skipping units in the store) and build the tidy table.

    With ``target_half_width``, replications are added in batches of ``replications`` until the 95% CI
    half-width of ``target_arm``'s admissions avoided, relative to its mean, is at most the target at every
    point, or ``max_replications`` is reached; ``stopping`` says which.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1 (got {replications})")
    n = replications
    computed = reused = 0
    stopping: dict[str, Any] = {}
    while True:
        done, new = _run_batch(points, n, store, backend, arms, progress)
        reused = done if n == replications else reused  # on disk before this run started
        computed += new
        tidy = _tidy(points, n, store)
        summary = summarise_points(tidy)
        if target_half_width is None:
            break
        widths = relative_half_width(summary, target_arm or arms[-1])
        worst = float(widths.max())
        stopping = {
            "target_relative_half_width": target_half_width,
            "arm": target_arm or arms[-1],
            "metric": "admissions_avoided",
            "replications": n,
            "largest_relative_half_width": worst,
        }
        if worst <= target_half_width:
            stopping["reason"] = "target reached"
            break
        if n >= max_replications:
            stopping["reason"] = f"maximum of {max_replications} replications reached before the target"
            break
        n = min(max_replications, n + replications)
    return PointsRun(tidy, summary, n, computed, reused, stopping)


def _run_batch(
    points: list[ScenarioPoint],
    n: int,
    store: ResultsStore,
    backend: Backend,
    arms: list[str],
    progress: Progress | None,
) -> tuple[int, int]:
    """Run the units of replications 0..n-1 not yet in the store; returns (already there, computed now)."""
    finished = store.finished()
    wanted = [(i, r) for i, p in enumerate(points) for r in p.replications(n)]
    todo = {(i, r): (points[i].scenario, r, arms) for i, r in wanted if (i, r) not in finished}
    already = len(wanted) - len(todo)
    count = [already]

    def done(key: Any, rows: pd.DataFrame) -> None:
        point, replication = key
        rows.insert(0, "point", point)
        store.save(point, replication, rows)
        count[0] += 1
        if progress:
            progress(count[0], len(wanted))

    if progress:
        progress(already, len(wanted))
    run_units(run_unit, todo, backend, done)
    return already, len(todo)


def _tidy(points: list[ScenarioPoint], n: int, store: ResultsStore) -> pd.DataFrame:
    """``point, <one column per parameter>, replication, arm, locality, metric, value``, by point and replication."""
    rows = store.load([(i, r) for i, p in enumerate(points) for r in p.replications(n)])
    params = points_table(points).drop(columns="label")
    return params.merge(rows, on="point", how="right", sort=False)


def points_table(points: list[ScenarioPoint]) -> pd.DataFrame:
    """``point, label, <parameter columns>``: one row per point."""
    records = [{"point": i, "label": p.label, **p.params} for i, p in enumerate(points)]
    return pd.DataFrame(records)
