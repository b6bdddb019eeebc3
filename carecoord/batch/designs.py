"""The points of an experiment design: which values each point gives the swept parameters.

A point is a set of ``--set`` overrides of the base scenario plus the values shown in the tables
(one column per swept parameter). Sampling designs are seeded by the design's own ``seed``, never
by the simulation's, so the same file always gives the same points.

Example:
    >>> points = design_points(GridDesign(type="grid", parameters={"a.b": [1, 2]}), base_scenario, "integrated")
    >>> [p.params for p in points]
    [{'a.b': 1}, {'a.b': 2}]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from scipy.stats import qmc

from carecoord.scenario.experiment import (
    Design,
    GridDesign,
    LatinHypercubeDesign,
    MechanismsDesign,
    MorrisDesign,
    OneAtATimeDesign,
    PsaDesign,
    Range,
    SobolDesign,
)
from carecoord.scenario.schema import Scenario

SHAPLEY_DEFAULT_MAX = 5
"""Shapley values over all enabled mechanisms only up to this many (2^n points)."""


@dataclass(frozen=True)
class Point:
    """One point of a design.

    ``replication_offset`` shifts the replication numbers (a PSA draw has its own streams);
    everywhere else it is 0, so every point runs on the same streams (common random numbers).
    """

    label: str
    params: dict[str, Any]
    overrides: list[str] = field(default_factory=list)
    replication_offset: int = 0


def design_points(design: Design, base: Scenario, arm: str) -> list[Point]:
    """The points of a design, in a fixed order (point numbers are positions in this list)."""
    if isinstance(design, GridDesign):
        return _grid(design)
    if isinstance(design, OneAtATimeDesign):
        return _one_at_a_time(design, base)
    if isinstance(design, LatinHypercubeDesign):
        unit = qmc.LatinHypercube(d=len(design.parameters), seed=design.seed).random(design.points)
        return _from_unit_sample(design.parameters, unit, "lhs")
    if isinstance(design, MorrisDesign | SobolDesign):
        return _from_matrix(design.parameters, salib_sample(design), design.type)
    if isinstance(design, PsaDesign):
        return _psa(design)
    if isinstance(design, MechanismsDesign):
        return mechanism_points(design, base, arm)
    raise TypeError(f"unknown design {design!r}")  # pragma: no cover


def _override(path: str, value: Any) -> str:
    if isinstance(value, bool):
        return f"{path}={'true' if value else 'false'}"
    return f"{path}={value}"


def _point(label: str, params: dict[str, Any], offset: int = 0) -> Point:
    return Point(label, params, [_override(k, v) for k, v in params.items()], offset)


def short_names(paths: list[str]) -> dict[str, str]:
    """The last part of each dotted path, or the last two where the last part is shared (for labels)."""
    last = [p.rsplit(".", 1)[-1] for p in paths]
    return {p: (n if last.count(n) == 1 else ".".join(p.split(".")[-2:])) for p, n in zip(paths, last, strict=True)}


def _grid(design: GridDesign) -> list[Point]:
    paths = list(design.parameters)
    short = short_names(paths)
    points = []
    for values in itertools.product(*design.parameters.values()):
        params = dict(zip(paths, values, strict=True))
        points.append(_point(", ".join(f"{short[p]}={v}" for p, v in params.items()), params))
    return points


def base_value(scenario: Scenario, path: str) -> Any:
    """The base scenario's value at a dotted path (list items by name or index), or None if unset."""
    node: Any = scenario.model_dump(mode="json")
    for key in path.split("."):
        if isinstance(node, list):
            named = [item for item in node if isinstance(item, dict) and item.get("name") == key]
            node = named[0] if named else (node[int(key)] if key.lstrip("-").isdigit() else None)
        elif isinstance(node, dict):
            node = node.get(key)
        else:
            return None
        if node is None:
            return None
    return node


def _one_at_a_time(design: OneAtATimeDesign, base: Scenario) -> list[Point]:
    """Point 0 is the base (every parameter at its base value); then one parameter moves at a time."""
    bases = {path: base_value(base, path) for path in design.parameters}
    short = short_names(list(design.parameters))
    points = [Point("base", dict(bases))]
    for path, values in design.parameters.items():
        for value in values:
            params = {**bases, path: value}
            points.append(Point(f"{short[path]}={value}", params, [_override(path, value)]))
    return points


def _scale(rng: Range, u: np.ndarray) -> np.ndarray:
    values = rng.low + u * (rng.high - rng.low)
    return np.rint(values) if rng.integer else values


def _from_unit_sample(parameters: dict[str, Range], unit: np.ndarray, prefix: str) -> list[Point]:
    matrix = np.column_stack([_scale(rng, unit[:, j]) for j, rng in enumerate(parameters.values())])
    return _from_matrix(parameters, matrix, prefix)


def _from_matrix(parameters: dict[str, Range], matrix: np.ndarray, prefix: str) -> list[Point]:
    points = []
    for i, row in enumerate(matrix):
        params = {
            path: int(np.rint(v)) if rng.integer else float(v)
            for (path, rng), v in zip(parameters.items(), row, strict=True)
        }
        points.append(_point(f"{prefix}{i}", params))
    return points


def salib_problem(parameters: dict[str, Range]) -> dict[str, Any]:
    """The SALib problem of a set of ranges."""
    return {
        "num_vars": len(parameters),
        "names": list(parameters),
        "bounds": [[float(r.low), float(r.high)] for r in parameters.values()],
    }


def salib_sample(design: MorrisDesign | SobolDesign) -> np.ndarray:
    """SALib's sample matrix for a Morris or Sobol design (integer ranges are rounded afterwards)."""
    problem = salib_problem(design.parameters)
    if isinstance(design, MorrisDesign):
        from SALib.sample import morris

        return morris.sample(problem, design.trajectories, num_levels=design.levels, seed=design.seed)
    from SALib.sample import sobol

    return sobol.sample(problem, design.base_samples, calc_second_order=False, seed=design.seed)


def draw(design: PsaDesign) -> dict[str, np.ndarray]:
    """``draws`` values of every parameter from its distribution (independent, seeded by the design)."""
    rng = np.random.default_rng(design.seed)
    scipy_names = {"normal": "norm", "lognormal": "lognorm", "triangular": "triang"}
    out = {}
    for path, dist in design.parameters.items():
        frozen = getattr(stats, scipy_names.get(dist.distribution, dist.distribution))(**dist.parameters())
        out[path] = frozen.rvs(size=design.draws, random_state=rng)
    return out


def _psa(design: PsaDesign) -> list[Point]:
    """Draw i runs replication i: each draw has its own random streams, so the spread of results carries
    both parameter uncertainty and the simulation's own noise, as a PSA should."""
    values = draw(design)
    return [
        _point(f"draw{i}", {path: float(v[i]) for path, v in values.items()}, offset=i) for i in range(design.draws)
    ]


def enabled_mechanisms(scenario: Scenario, arm: str) -> list[str]:
    """Mechanisms switched on in an arm (in the schema's order)."""
    mechanisms = scenario.arm(arm).mechanisms
    return [name for name in type(mechanisms).model_fields if getattr(mechanisms, name) is not None]


def _enabled_path(arm: str, mechanism: str) -> str:
    return f"arms.{arm}.mechanisms.{mechanism}.enabled"


def shapley_group(design: MechanismsDesign, scenario: Scenario, arm: str) -> list[str]:
    """Mechanisms to share the effect between (empty: too many for 2^n points, none asked for)."""
    if design.shapley is not None:
        return list(design.shapley)
    on = design.mechanisms or enabled_mechanisms(scenario, arm)
    return on if len(on) <= SHAPLEY_DEFAULT_MAX else []


def mechanism_points(design: MechanismsDesign, scenario: Scenario, arm: str) -> list[Point]:
    """The full plan, each mechanism removed in turn, then every subset of the Shapley group not yet run.

    Columns: one per mechanism, ``arms.<arm>.mechanisms.<name>.enabled`` (true/false).
    """
    on = enabled_mechanisms(scenario, arm)
    unknown = [m for m in [*(design.mechanisms or []), *(design.shapley or [])] if m not in on]
    if unknown:
        raise ValueError(f"design: not switched on in arm '{arm}': {', '.join(unknown)} (switched on: {', '.join(on)})")
    removable = design.mechanisms or on
    group = shapley_group(design, scenario, arm)

    def point(label: str, off: set[str]) -> Point:
        params = {_enabled_path(arm, m): m not in off for m in on}
        return Point(label, params, [_override(_enabled_path(arm, m), False) for m in on if m in off])

    points = [point("all mechanisms", set())]
    seen = {frozenset()}
    for m in removable:
        points.append(point(f"without {m}", {m}))
        seen.add(frozenset({m}))
    for size in range(len(group) + 1):
        for kept in itertools.combinations(group, size):
            off = frozenset(group) - set(kept)
            if off not in seen:
                seen.add(off)
                points.append(point("only " + (", ".join(kept) or "none") + f" of {len(group)}", set(off)))
    return points
