"""Study files: the schema of ``experiments/studies/*.yaml`` and the loader that checks them.

A study file states one published evaluation: its citation and DOI or URL, the setting it is compared
in (a shipped scenario with overrides for the study's population, selection, intervention and
follow-up; named from ``settings/NAME.yaml`` beside the study files, or written in the study file), and
every outcome the study reports: the published figure, the computation that gives the model's figure
(a name from ``outcomes.COMPUTATIONS`` with its arguments) and the rule that compares them (a name from
``verdicts.VERDICTS``). Settings are shared: studies measured on the same population name one file,
and the runner runs it once. The file format is documented, with a worked example, in docs/validation.md.

Problems read ``FILE: field.path: what is wrong (line N)``, as for scenarios (the same YAML reader).

Example:
    >>> study = load_study(Path("experiments/studies/gravelle2007.yaml"))
    >>> study.setting.key
    'evercare'
"""

from __future__ import annotations

import difflib
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from carecoord.errors import ScenarioError
from carecoord.scenario.base import StrictModel
from carecoord.scenario.yaml_reader import read_yaml
from carecoord.validation.outcomes import COMPUTATIONS, RunKind
from carecoord.validation.verdicts import VERDICTS, Published

Loc = tuple[str | int, ...]
Unit = Literal["pct", "per_patient", "per_patient_month", "ratio", "days"]
SETTINGS_FOLDER = "settings"
"""Shared settings live in this folder beside the study files: ``setting: NAME`` reads ``settings/NAME.yaml``."""


class StudyError(ScenarioError):
    """A study or setting file is not valid (same form as a scenario's errors: file, field, line)."""


class Setting(StrictModel):
    """How a shipped scenario is configured like a study: population, selection, intervention, follow-up."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Short name, shown in the tables.")
    scenario: str = Field(description="Scenario file, relative to the file that names it.")
    overrides: list[str] = Field(default_factory=list, description="`--set`-style overrides, applied in order.")
    arms: list[str] = Field(min_length=2, description="Arms kept; the first must be 'baseline'.")
    replications: int = Field(ge=2, description="Replications of a full run.")
    tiers: list[str] | None = Field(None, description="Keep only these risk tiers (shares renormalised).")
    scale: float = Field(1.0, gt=0, description="Cohorts, incidence, capacities and caseloads times this.")
    cohort_follow_up_days: float = Field(
        730.0, gt=0, description="Enrolment runs: the whole cohort's follow-up after go-live, days."
    )
    population: str = Field(description="Who is simulated, in words.")
    selection: str = Field(description="Who is compared (enrolled, selected by prior use, the whole cohort).")
    intervention: str = Field(description="What the integrated arm includes (mechanisms, effect set).")
    follow_up: str = Field(description="The follow-up windows read from the run.")

    @model_validator(mode="after")
    def _baseline_first(self) -> Setting:
        if self.arms[0] != "baseline":
            raise ValueError("arms: the first arm must be 'baseline' (every outcome is compared with it)")
        return self

    @property
    def scenario_path(self) -> Path:
        return Path(self.scenario)


class Compute(StrictModel):
    """Which computation gives the model's figure, from which run of the setting."""

    name: str = Field(description="A registered computation (carecoord.validation.outcomes.COMPUTATIONS).")
    run: RunKind = Field("experiment", description="experiment (run_experiment) or enrolment (enrolment_tables).")
    arms: list[str] | None = Field(None, description="Run only these of the setting's arms (default: all).")
    args: dict[str, Any] = Field(default_factory=dict, description="The computation's arguments.")


class Rule(StrictModel):
    """How the model's figure is compared with the published one."""

    rule: str = Field(description="A registered rule (carecoord.validation.verdicts.VERDICTS).")
    args: dict[str, Any] = Field(default_factory=dict)


class Outcome(StrictModel):
    """One outcome the study reports."""

    measure: str
    table: Literal["admissions", "other"] = Field(
        "other", description="admissions: the results table and forest plot (and the table of every outcome)."
    )
    unit: Unit = "pct"
    published: Published = Field(default_factory=Published)
    compute: Compute | None = Field(None, description="None: the model cannot produce it (say why).")
    verdict: Rule | None = None
    not_modelled: str | None = Field(None, description="Why the model cannot produce it.")
    context: bool = Field(False, description="Shown for comparison, not a check.")
    circularity: str | None = Field(None, description="Overrides the study's, for this outcome.")

    @model_validator(mode="after")
    def _modelled_or_not(self) -> Outcome:
        if self.compute is None and not self.not_modelled:
            raise ValueError("give compute (how the model's figure is computed) or not_modelled (why it cannot be)")
        if self.compute is not None and self.not_modelled:
            raise ValueError("give compute or not_modelled, not both")
        if self.compute is not None and self.verdict is None:
            raise ValueError("verdict is required with compute (how the figures are compared)")
        if self.table == "admissions" and self.compute is None:
            raise ValueError("table: an admissions row must be modelled")
        if self.table == "admissions" and self.unit == "days":
            raise ValueError("unit: 'days' is for the table of every outcome only")
        return self


class Study(StrictModel):
    """A published evaluation and how the model is compared with it."""

    study: str = Field(description="Name shown in the tables.")
    short: str = Field(description="Short name, listed in the settings table.")
    order: int = Field(description="Position in the tables (studies in increasing order).")
    citation: str
    doi: str | None = Field(None, pattern=r"^10\.\S+/\S+$")
    url: str | None = Field(None, pattern=r"^https?://\S+$")
    setting: str | Setting | None = Field(None, description="A file in settings/ (by name) or a setting here.")
    follow_up: str = Field(description="The study's follow-up, in words.")
    circularity: str = Field(
        "independent", description="Whether an effect-set value was chosen or derived from this study, and which."
    )
    outcomes: list[Outcome] = Field(min_length=1)

    @model_validator(mode="after")
    def _linked(self) -> Study:
        if self.doi is None and self.url is None:
            raise ValueError("doi or url is required (where a reader finds the study)")
        if self.setting is None and any(o.compute is not None for o in self.outcomes):
            raise ValueError("setting is required when an outcome is computed")
        return self

    @property
    def resolved_setting(self) -> Setting | None:
        """The setting (the loader replaces a name by the file's setting)."""
        assert not isinstance(self.setting, str), "load studies with load_study"
        return self.setting


# --------------------------------------------------------------------------------------------- loading


def load_studies(folder: Path, references: set[str] | None = None) -> list[Study]:
    """Every ``*.yaml`` study in the folder (not its settings/), in their ``order``."""
    files = sorted(Path(folder).glob("*.yaml"))
    if not files:
        raise StudyError(str(folder), ["no study files (*.yaml) in this folder"])
    studies = [load_study(f, references) for f in files]
    orders = [s.order for s in studies]
    clashes = sorted({o for o in orders if orders.count(o) > 1})
    if clashes:
        raise StudyError(str(folder), [f"order: {clashes} used by more than one study file"])
    return sorted(studies, key=lambda s: s.order)


def load_setting(path: Path) -> Setting:
    """One shared setting file."""
    data, lines = read_yaml(path)
    setting = _validate(Setting, data, lines, path)
    scenario = (path.parent / setting.scenario).resolve()
    if not scenario.is_file():
        raise StudyError(str(path), [_at(("scenario",), f"no scenario file {scenario}", lines)])
    return setting.model_copy(update={"scenario": str(scenario)})


def load_study(path: Path, references: set[str] | None = None) -> Study:
    """One study file, checked (fields, computations, rules, arms, references), its setting resolved."""
    path = Path(path)
    data, lines = read_yaml(path)
    study = _validate(Study, data, lines, path)
    if isinstance(study.setting, str):
        setting_file = path.parent / SETTINGS_FOLDER / f"{study.setting}.yaml"
        if not setting_file.is_file():
            problem = f"setting: no file {setting_file} for the setting '{study.setting}'"
            raise StudyError(str(path), [_at(("setting",), problem, lines)])
        setting: Setting | None = load_setting(setting_file)
    elif study.setting is not None:
        setting = study.setting.model_copy(update={"scenario": str((path.parent / study.setting.scenario).resolve())})
    else:
        setting = None
    problems = _check_outcomes(study, setting, references)
    if setting is not None and isinstance(study.setting, Setting) and not setting.scenario_path.is_file():
        problems.insert(0, (("setting", "scenario"), f"no scenario file {setting.scenario}"))
    if problems:
        raise StudyError(str(path), [_at(loc, text, lines) for loc, text in problems])
    return study.model_copy(update={"setting": setting})


def _check_outcomes(study: Study, setting: Setting | None, references: set[str] | None) -> list[tuple[Loc, str]]:
    """What the schema alone cannot check: registered names, their arguments, arms and reference keys."""
    problems: list[tuple[Loc, str]] = []
    arms = set(setting.arms) if setting else set()
    for i, outcome in enumerate(study.outcomes):
        loc: Loc = ("outcomes", i)
        ref = outcome.published.ref
        if references is not None and ref is not None and ref not in references:
            problems.append(((*loc, "published", "ref"), f"'{ref}' is not a key of docs/references.csv"))
        if outcome.compute is not None:
            problems += _check_compute(outcome.compute, arms, (*loc, "compute"))
        if outcome.verdict is not None:
            problems += _check_rule(outcome, (*loc, "verdict"))
    return problems


def _check_compute(compute: Compute, arms: set[str], loc: Loc) -> list[tuple[Loc, str]]:
    spec = COMPUTATIONS.get(compute.name)
    if spec is None:
        return [((*loc, "name"), f"unknown computation '{compute.name}'{_suggest(compute.name, COMPUTATIONS)}")]
    problems: list[tuple[Loc, str]] = []
    if compute.run not in spec.runs:
        problems.append(((*loc, "run"), f"'{compute.name}' reads a run of kind {' or '.join(spec.runs)}"))
    problems += _args_problems(spec.args, compute.args, (*loc, "args"))
    run_arms = set(compute.arms) if compute.arms is not None else arms
    for j, arm in enumerate(compute.arms or ()):
        if arm not in arms:
            problems.append(((*loc, "arms", j), f"'{arm}' is not an arm of the setting ({', '.join(sorted(arms))})"))
    arm = compute.args.get("arm", "integrated")
    if arms and arm not in run_arms:
        problems.append(((*loc, "args", "arm"), f"'{arm}' is not an arm of this run ({', '.join(sorted(run_arms))})"))
    return problems


def _check_rule(outcome: Outcome, loc: Loc) -> list[tuple[Loc, str]]:
    assert outcome.verdict is not None
    spec = VERDICTS.get(outcome.verdict.rule)
    if spec is None:
        rule = outcome.verdict.rule
        return [((*loc, "rule"), f"unknown rule '{rule}'{_suggest(rule, VERDICTS)}")]
    problems = _args_problems(spec.args, outcome.verdict.args, (*loc, "args"))
    for name in spec.needs:
        if getattr(outcome.published, name) is None:
            problems.append(((*loc, "rule"), f"'{outcome.verdict.rule}' needs published.{name}"))
    return problems


def _suggest(name: str, known: dict[str, Any]) -> str:
    guess = difflib.get_close_matches(name, list(known), n=1)
    return (f"; did you mean '{guess[0]}'?" if guess else "") + f" (known: {', '.join(known)})"


def _args_problems(model: type[BaseModel], args: dict[str, Any], loc: Loc) -> list[tuple[Loc, str]]:
    try:
        model.model_validate(args)
    except ValidationError as exc:
        problems: dict[Loc, str] = {}
        for err in exc.errors():
            where = _data_loc(err["loc"], args) or ()
            problems.setdefault((*loc, *where), _message(err, model, where))
        return list(problems.items())
    return []


def _validate(model: type[BaseModel], data: dict[str, Any], lines: dict[Loc, int], path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems: dict[Loc, str] = {}
        for err in exc.errors():
            loc = _data_loc(err["loc"], data)
            if loc is None:  # the other branch of a union (a setting given by name or written out)
                continue
            problems.setdefault(loc, _message(err, model, loc))
        raise StudyError(str(path), [_at(loc, text, lines) for loc, text in problems.items()]) from None


def _data_loc(loc: tuple[Any, ...], data: Any) -> Loc | None:
    """The error's path through the data: pydantic's union tags ('str', 'Setting') are dropped, and an error
    of the union branch that does not match the data's type is None."""
    out: list[str | int] = []
    current = data
    for part in loc:
        in_dict = isinstance(current, dict) and part in current
        if in_dict or (isinstance(current, list) and isinstance(part, int) and part < len(current)):
            current = current[part]
        elif _union_tag(part):
            if (part == "str" and isinstance(current, dict)) or ("Setting" in part and isinstance(current, str)):
                return None
            continue
        out.append(part)
        if not isinstance(current, dict | list):
            current = None
    return tuple(out)


def _union_tag(part: Any) -> bool:
    """Whether a part of pydantic's error location names a union member ('str', 'list[str]', 'Setting',
    'function-after[_baseline_first(), Setting]') rather than a field."""
    return isinstance(part, str) and (part in ("str", "int", "float", "bool") or "[" in part or part[:1].isupper())


def _message(err: dict[str, Any], model: type[BaseModel], loc: Loc) -> str:
    text = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        allowed = _fields(model, loc[:-1])
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        text = "unknown field" + (f"; did you mean '{guess[0]}'?" if guess else "")
        text += f"; allowed: {', '.join(allowed)}" if allowed else ""
    elif err["type"] == "missing":
        text = "required field is missing"
    return text


def _fields(model: type[BaseModel], loc: Loc) -> list[str]:
    """The field names of the model reached by ``loc`` from ``model`` (empty if none is)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if isinstance(current, type) else None
        if field is None:
            return []
        current = next((t for t in _flat(field.annotation) if isinstance(t, type) and issubclass(t, BaseModel)), None)
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _flat(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    return [t for a in args for t in _flat(a)] if args else [annotation]


def _at(loc: Loc, text: str, lines: dict[Loc, int]) -> str:
    """``field.path: text (line N)``, the line of the nearest key the file has."""
    dotted = ".".join(str(p) for p in loc) or "(top level)"
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return f"{dotted}: {text} (line {lines[loc[:end]]})"
    return f"{dotted}: {text}"
