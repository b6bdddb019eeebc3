"""Experiment files: a base scenario, replications per point, and a design of points to run.

An experiment file names its parameters by the same dotted paths as ``--set``
(``arms.integrated.mechanisms.enrolment.caseload``), so anything a scenario holds can be swept.
Designs: ``grid`` (every combination), ``one_at_a_time`` (each parameter moved alone around the
base, for tornado charts), ``latin_hypercube`` (N points over ranges), ``morris`` and ``sobol``
(global sensitivity with SALib), ``psa`` (probabilistic sensitivity analysis: values drawn from
stated distributions, one paired run per draw) and ``mechanisms`` (each mechanism of an arm removed
in turn, Shapley values when few enough).

Example:
    >>> experiment = load_experiment("experiments/coordinator_caseload.yaml")
    >>> experiment.design.type
    'grid'
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, PositiveInt, ValidationError, model_validator

from carecoord.errors import ScenarioError
from carecoord.scenario.base import StrictModel

Value = float | int | str | bool


class Range(StrictModel):
    """A parameter's range; integer ends give integer values (e.g. a number of coordinators)."""

    low: int | float
    high: int | float
    source: str | None = Field(None, description="Where the range comes from, or 'assumption'.")

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be greater than low ({self.low})")
        return self

    @property
    def integer(self) -> bool:
        return isinstance(self.low, int) and isinstance(self.high, int)


class Distribution(StrictModel):
    """A stated distribution of one uncertain value (a PSA draw).

    ``normal``: ``mean`` and ``sd``, or a 95% ``ci`` (mean at its centre). ``lognormal``: a 95% ``ci``
    of a ratio (median at its geometric centre), or ``mean`` and ``sd`` of the log. ``beta``:
    ``alpha`` and ``beta``. ``gamma``: ``mean`` and ``sd``. ``uniform``: ``low`` and ``high``.
    ``triangular``: ``low``, ``mode``, ``high``.
    """

    distribution: Literal["normal", "lognormal", "beta", "gamma", "uniform", "triangular"]
    mean: float | None = None
    sd: float | None = Field(None, gt=0)
    ci: tuple[float, float] | None = None
    alpha: float | None = Field(None, gt=0)
    beta: float | None = Field(None, gt=0)
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    source: str | None = Field(None, description="Where the distribution comes from (study, CI), or 'assumption'.")

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        need: dict[str, tuple[tuple[str, ...], ...]] = {
            "normal": (("mean", "sd"), ("ci",)),
            "lognormal": (("ci",), ("mean", "sd")),
            "beta": (("alpha", "beta"),),
            "gamma": (("mean", "sd"),),
            "uniform": (("low", "high"),),
            "triangular": (("low", "mode", "high"),),
        }
        options = need[self.distribution]
        if not any(all(getattr(self, f) is not None for f in fields) for fields in options):
            wanted = " or ".join(" and ".join(fields) for fields in options)
            raise ValueError(f"a {self.distribution} distribution needs {wanted}")
        if self.ci is not None and not self.ci[1] > self.ci[0]:
            raise ValueError("ci must be [low, high] with high > low")
        if self.distribution == "lognormal" and self.ci is not None and self.ci[0] <= 0:
            raise ValueError("a lognormal ci must be positive")
        if self.distribution in ("uniform", "triangular") and not (self.high or 0) > (self.low or 0):
            raise ValueError("high must be greater than low")
        if self.distribution == "triangular" and not (self.low <= self.mode <= self.high):  # type: ignore[operator]
            raise ValueError("mode must lie between low and high")
        if self.distribution == "gamma" and (self.mean or 0) <= 0:
            raise ValueError("a gamma distribution needs a positive mean")
        return self

    def parameters(self) -> dict[str, float]:
        """scipy.stats parameters of the distribution (see :func:`carecoord.batch.designs.draw`)."""
        z = 1.959963984540054
        if self.distribution == "normal":
            if self.ci is not None:
                return {"loc": sum(self.ci) / 2, "scale": (self.ci[1] - self.ci[0]) / (2 * z)}
            return {"loc": float(self.mean), "scale": float(self.sd)}  # type: ignore[arg-type]
        if self.distribution == "lognormal":
            if self.ci is not None:
                lo, hi = math.log(self.ci[0]), math.log(self.ci[1])
                return {"s": (hi - lo) / (2 * z), "scale": math.exp((lo + hi) / 2)}
            return {"s": float(self.sd), "scale": math.exp(float(self.mean))}  # type: ignore[arg-type]
        if self.distribution == "beta":
            return {"a": float(self.alpha), "b": float(self.beta)}  # type: ignore[arg-type]
        if self.distribution == "gamma":
            shape = (self.mean / self.sd) ** 2  # type: ignore[operator]
            return {"a": shape, "scale": self.mean / shape}  # type: ignore[operator]
        if self.distribution == "uniform":
            return {"loc": float(self.low), "scale": float(self.high - self.low)}  # type: ignore[operator,arg-type]
        width = self.high - self.low  # type: ignore[operator]
        return {"c": (self.mode - self.low) / width, "loc": float(self.low), "scale": float(width)}  # type: ignore


def _nonempty(values: dict[str, Any], what: str) -> dict[str, Any]:
    if not values:
        raise ValueError(f"at least one parameter is required ({what})")
    return values


class GridDesign(StrictModel):
    """Every combination of the listed values."""

    type: Literal["grid"]
    parameters: dict[str, Annotated[list[Value], Field(min_length=1)]]

    @model_validator(mode="after")
    def _some(self) -> GridDesign:
        _nonempty(self.parameters, "path: [values]")
        return self


class OneAtATimeDesign(StrictModel):
    """The base scenario, then each parameter at each listed value with every other one at its base value."""

    type: Literal["one_at_a_time"]
    parameters: dict[str, Annotated[list[Value], Field(min_length=1)]]

    @model_validator(mode="after")
    def _some(self) -> OneAtATimeDesign:
        _nonempty(self.parameters, "path: [low, high]")
        return self


class LatinHypercubeDesign(StrictModel):
    """``points`` points spread over the ranges (scipy's Latin hypercube, seeded)."""

    type: Literal["latin_hypercube"]
    parameters: dict[str, Range]
    points: PositiveInt
    seed: int = Field(0, description="Seed of the design (not of the simulation).")

    @model_validator(mode="after")
    def _some(self) -> LatinHypercubeDesign:
        _nonempty(self.parameters, "path: {low, high}")
        return self


class MorrisDesign(StrictModel):
    """Morris elementary effects (SALib): ``trajectories`` x (parameters + 1) points."""

    type: Literal["morris"]
    parameters: dict[str, Range]
    trajectories: PositiveInt = 10
    levels: PositiveInt = 4
    seed: int = 0

    @model_validator(mode="after")
    def _some(self) -> MorrisDesign:
        _nonempty(self.parameters, "path: {low, high}")
        return self


class SobolDesign(StrictModel):
    """Sobol indices (SALib, Saltelli sampling): ``base_samples`` x (parameters + 2) points."""

    type: Literal["sobol"]
    parameters: dict[str, Range]
    base_samples: PositiveInt = Field(16, description="A power of two (SALib's Sobol sequence).")
    seed: int = 0

    @model_validator(mode="after")
    def _some(self) -> SobolDesign:
        _nonempty(self.parameters, "path: {low, high}")
        if self.base_samples & (self.base_samples - 1):
            raise ValueError(f"base_samples must be a power of two (got {self.base_samples})")
        return self


class PsaDesign(StrictModel):
    """Probabilistic sensitivity analysis: ``draws`` joint draws, each one paired run with its own streams."""

    type: Literal["psa"]
    parameters: dict[str, Distribution]
    draws: PositiveInt = 100
    seed: int = 0
    willingness_to_pay: list[float] = Field(
        default_factory=lambda: [0.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0, 50000.0],
        description="GBP per emergency admission avoided, for the acceptability curve.",
    )

    @model_validator(mode="after")
    def _some(self) -> PsaDesign:
        _nonempty(self.parameters, "path: {distribution: ...}")
        return self


class MechanismsDesign(StrictModel):
    """The compared arm with all its mechanisms, then with each removed in turn; Shapley values over a few."""

    type: Literal["mechanisms"]
    mechanisms: list[str] | None = Field(None, description="Mechanisms to remove in turn (default: all enabled).")
    shapley: list[str] | None = Field(
        None, description="Mechanisms to share the effect between (2^n points; default: all, if at most 5)."
    )


Design = Annotated[
    GridDesign | OneAtATimeDesign | LatinHypercubeDesign | MorrisDesign | SobolDesign | PsaDesign | MechanismsDesign,
    Field(discriminator="type"),
]


LeadOutcome = Literal["admissions_avoided", "bed_days", "delayed_discharge_days", "cost_total"]
"""Outcomes an experiment's report can lead with (docs/experiments.md, experiments/report_experiments.py)."""
DEFAULT_LEAD: tuple[LeadOutcome, ...] = ("admissions_avoided",)


class Experiment(StrictModel):
    """One experiment file."""

    name: str
    question: str | None = Field(None, description="The question the experiment answers.")
    scenario: Path = Field(description="Base scenario, relative to the experiment file.")
    set: list[str] = Field(default_factory=list, description="Overrides of the base scenario (as --set).")
    replications: PositiveInt = Field(description="Replications per point (paired arms, same streams at every point).")
    arm: str = Field("integrated", description="The arm compared with baseline in sensitivity and PSA results.")
    lead_outcomes: list[LeadOutcome] = Field(
        default_factory=lambda: list(DEFAULT_LEAD),
        min_length=1,
        description="Outcomes the experiment's report leads with, most important first (what its mechanism acts "
        "on): admissions_avoided, bed_days, delayed_discharge_days, cost_total.",
    )
    design: Design

    @model_validator(mode="after")
    def _distinct_leads(self) -> Experiment:
        repeated = sorted({o for o in self.lead_outcomes if self.lead_outcomes.count(o) > 1})
        if repeated:
            raise ValueError(f"lead_outcomes names {', '.join(repeated)} more than once")
        return self


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file; the scenario path becomes absolute."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(str(path), ["file not found"])
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ScenarioError(str(path), [f"YAML syntax error: {getattr(exc, 'problem', exc)}{where}"]) from None
    if not isinstance(data, dict):
        raise ScenarioError(str(path), ["the file must be a YAML mapping (name, scenario, replications, design)"])
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as exc:
        lines = _lines(node)
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if p not in _DESIGN_TAGS)
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown field"
            elif err["type"] == "missing":
                message = "required field is missing"
            line = _line_for(loc, lines)
            dotted = ".".join(str(p) for p in loc) or "(top level)"
            problems.append(f"{dotted}: {message}" + (f" (line {line})" if line else ""))
        raise ScenarioError(str(path), problems) from None
    scenario = experiment.scenario if experiment.scenario.is_absolute() else (path.parent / experiment.scenario)
    return experiment.model_copy(update={"scenario": scenario.resolve()})


_DESIGN_TAGS = {"grid", "one_at_a_time", "latin_hypercube", "morris", "sobol", "psa", "mechanisms"}


def _lines(node: yaml.Node | None) -> dict[tuple, int]:
    """Line of every key and item of a YAML document, by path."""
    out: dict[tuple, int] = {}
    stack: list[tuple[yaml.Node, tuple]] = [(node, ())] if node is not None else []
    while stack:
        current, loc = stack.pop()
        out.setdefault(loc, current.start_mark.line + 1)
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                out[(*loc, key.value)] = key.start_mark.line + 1
                stack.append((value, (*loc, key.value)))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((v, (*loc, i)) for i, v in enumerate(current.value))
    return out


def _line_for(loc: tuple, lines: dict[tuple, int]) -> int | None:
    """Line of the deepest part of ``loc`` that exists in the file."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines and end > 0:
            return lines[loc[:end]]
    return None
