"""Reading scenarios: YAML (the only place it is read), ``extends:`` and ``--set`` overrides.

Every problem becomes a :class:`~carecoord.errors.ScenarioError` whose lines read
``FILE: field.path: what is wrong (line N)``, naming the file that holds the value (with
``extends:``, the parent's own file and line, and the chain that led there). Loading is safe by
construction: plain YAML values only (see ``yaml_reader``), files named in a scenario resolve
relative to the file that names them, and nothing in a scenario is ever evaluated as code.

Example:
    >>> scenario = load_scenario("scenarios/east_blackburn_pilot.yaml", overrides=["simulation.seed=7"])
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from carecoord.errors import ScenarioError
from carecoord.scenario.describe import bool_problems, merge_union_errors, message
from carecoord.scenario.merge import MergeProblem, Origin, merge
from carecoord.scenario.schema import Scenario
from carecoord.scenario.yaml_reader import read_yaml

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with where each value came from (for later checks to cite lines)."""

    scenario: Scenario
    path: Path
    origins: dict[Loc, Origin] = field(default_factory=dict)
    chain: tuple[Path, ...] = ()
    overridden: tuple[Loc, ...] = ()

    def problem(self, loc: Loc, text: str) -> tuple[str, str]:
        """(file, ``field.path: text (line N)``) for a problem found at ``loc`` after loading."""
        return _locate(loc, text, self.origins, self.overridden, self.path)


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load, merge and validate a scenario file."""
    return load_scenario_source(path, overrides).scenario


def load_scenario_source(path: str | Path, overrides: list[str] | None = None) -> LoadedScenario:
    """Load, merge and validate a scenario file, keeping the file and line of every value."""
    path = Path(path)
    chain: list[Path] = []
    data, origins = _read_chain(path, chain, [])
    extends_line = _extends_line(path) if len(chain) > 1 else None
    overridden = tuple(_apply_override(data, item, str(path)) for item in overrides or [])
    _apply_effect_sets(data)
    csv = data["cohort"].get("csv") if isinstance(data.get("cohort"), dict) else None
    if isinstance(csv, str) and not Path(csv).is_absolute():  # given by --set: relative to the scenario
        data["cohort"]["csv"] = str((path.parent / csv).resolve())
    problems = [(loc, text) for loc, text in bool_problems(data)]
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        located = [(_data_loc(err["loc"], data), err) for err in exc.errors()]
        for loc, err in merge_union_errors(located):
            loc, text = _split_path(loc, message(err, loc))
            problems.append((loc, text))
        scenario = None
    if problems:
        located = [_locate(loc, text, origins, overridden, path) for loc, text in problems]
        _raise(located, path, chain, extends_line)
    assert scenario is not None
    return LoadedScenario(scenario, path, origins, tuple(chain), overridden)


def _extends_line(path: Path) -> int | None:
    """Line of the ``extends:`` key in a file already read once without problems."""
    for number, text in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if text.startswith("extends:"):
            return number
    return None


def _raise(located: list[tuple[str, str]], path: Path, chain: list[Path], extends_line: int | None = None) -> None:
    """Raise the problems (each in its own file), with the chain when one is in a parent."""
    files = [f for f, _ in located]
    problems = [p for _, p in located]
    names = [str(p) for p in chain]
    for other in dict.fromkeys(f for f in files if f != str(path)):
        reach = " -> ".join(names[: names.index(other) + 1]) if other in names else other
        files.append(str(path))
        where = f" (line {extends_line})" if extends_line else ""
        problems.append(f"extends: the problem(s) above are in {other}, reached through {reach}{where}")
    raise ScenarioError(str(path), problems, files)


def _locate(
    loc: Loc, text: str, origins: dict[Loc, Origin], overridden: tuple[Loc, ...], path: Path
) -> tuple[str, str]:
    dotted = ".".join(str(p) if p != "" else "''" for p in loc) or "(top level)"
    if loc and any(loc[: len(o)] == o or o[: len(loc)] == loc for o in overridden):
        return str(path), f"{dotted}: {text} (from --set)"
    for end in range(len(loc), -1, -1):
        if loc[:end] in origins:
            file, line = origins[loc[:end]]
            return file, f"{dotted}: {text} (line {line})"
    return str(path), f"{dotted}: {text}"


def _split_path(loc: Loc, text: str) -> tuple[Loc, str]:
    """Whole-scenario checks name their path at the start of the message: use it as the location."""
    if not loc and ": " in text:
        head, text = text.split(": ", 1)
        loc = tuple(int(p) if p.isdigit() else p for p in head.split("."))
    return loc, text


def _read_chain(path: Path, chain: list[Path], via: list[tuple[Path, int]]) -> tuple[dict[str, Any], dict[Loc, Origin]]:
    """One file and every file it extends, merged; ``chain`` collects the files read, child first."""
    chain.append(path)
    try:
        data, lines = read_yaml(path)
    except ScenarioError as exc:
        raise _with_chain(exc, via) from None
    origins = {loc: (str(path), n) for loc, n in lines.items()}
    _resolve_files(data, path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, origins
    line = lines.get(("extends",), 1)
    if not isinstance(parent, str) or not parent.strip():
        raise _with_chain(ScenarioError(str(path), [f"extends: must be a file name (line {line})"]), via)
    target = path.parent / parent
    if target.resolve() in {p.resolve() for p in chain}:
        names = " -> ".join(str(p) for p in [*chain, target])
        raise _with_chain(ScenarioError(str(path), [f"extends: circular chain {names} (line {line})"]), via)
    if not target.exists():
        problem = f"extends: '{parent}' does not exist (looked for {target}) (line {line})"
        raise _with_chain(ScenarioError(str(path), [problem]), via)
    base, base_origins = _read_chain(target, chain, [*via, (path, line)])
    try:
        return merge(base, base_origins, data, origins)
    except MergeProblem as exc:  # the child's mistake: its file and line
        _, problem = _locate(exc.loc, exc.text, origins, (), path)
        raise _with_chain(ScenarioError(str(path), [problem]), via) from None


def _with_chain(exc: ScenarioError, via: list[tuple[Path, int]]) -> ScenarioError:
    """A parent's error, with one line in the top file saying how it was reached."""
    if not via:
        return exc
    top, line = via[0]
    names = " -> ".join(str(p) for p, _ in via) + f" -> {exc.source}"
    note = f"extends: the problem(s) above are in {exc.source}, reached through {names} (line {line})"
    return ScenarioError(str(top), [*exc.problems, note], [*exc.files, str(top)])


def _resolve_files(data: dict[str, Any], path: Path) -> None:
    """Files a scenario names are relative to the file that names them."""
    cohort = data.get("cohort")
    csv = cohort.get("csv") if isinstance(cohort, dict) else None
    if isinstance(csv, str) and csv.strip() and not Path(csv).is_absolute():
        cohort["csv"] = str((path.parent / csv).resolve())


EFFECT_SETS = ("evidence_based", "pilot_claimed", "neutral")


def effect_set(name: str) -> dict[str, Any]:
    """The mechanism parameters of a named effect set (package data, with its sources)."""
    text = resources.files("carecoord.effects").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _apply_effect_sets(data: dict[str, Any]) -> None:
    """Fill each switched-on mechanism of an arm from its effect set; the arm's own values win."""
    arms = data.get("arms")
    if not isinstance(arms, list):
        return
    for arm in arms:
        if not isinstance(arm, dict) or arm.get("effects") not in EFFECT_SETS:
            continue  # an unknown name is reported by the schema
        effects = effect_set(arm["effects"])
        mechanisms = arm.get("mechanisms")
        if not isinstance(mechanisms, dict):
            continue
        for name, given in mechanisms.items():
            if name in effects and (given is None or isinstance(given, dict)):
                mechanisms[name] = _deep_merge(effects[name], given or {})


def scenario_file_hash(path: str | Path) -> str:
    """SHA-256 of the scenario file's bytes (and of any file it extends)."""
    digest = hashlib.sha256()
    seen: set[Path] = set()
    todo = [Path(path)]
    while todo:
        p = todo.pop()
        if p.resolve() in seen:
            continue
        seen.add(p.resolve())
        raw = p.read_bytes()
        digest.update(raw)
        parent = (yaml.safe_load(raw) or {}).get("extends") if p.suffix in (".yaml", ".yml") else None
        if isinstance(parent, str):
            todo.append(p.parent / parent)
    return digest.hexdigest()


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _apply_override(data: dict[str, Any], item: str, source: str) -> Loc:
    """Apply ``path=value``; list items may be named by index or by their ``name``. Returns the location set."""
    if "=" not in item:
        raise ScenarioError(source, [f"--set {item}: expected path=value, e.g. simulation.seed=7"])
    path, raw = item.split("=", 1)
    keys = [k for k in path.strip().split(".") if k]
    if not keys:
        raise ScenarioError(source, [f"--set {item}: empty path"])
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except (yaml.YAMLError, ValueError) as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        kind = "date" if raw.strip()[:4].isdigit() and "-" in raw else "value"
        raise ScenarioError(
            source, [f"{'.'.join(keys)}: '{raw}' is not a valid {kind}: {problem} (from --set)"]
        ) from None
    node: Any = data
    loc: list[str | int] = []
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            index = _list_index(node, key)
            if index is None:
                raise ScenarioError(source, [f"{where}: no list item '{key}' (from --set)"])
            loc.append(index)
            if last:
                node[index] = value
            else:
                node = node[index]
        elif isinstance(node, dict):
            loc.append(key)
            if last:
                node[key] = value
            else:
                if node.get(key) is None:
                    node[key] = {}
                node = node[key]
        else:
            raise ScenarioError(source, [f"{where}: cannot set inside a {type(node).__name__} (from --set)"])
    return tuple(loc)


def _list_index(items: list[Any], key: str) -> int | None:
    if key.lstrip("-").isdigit():
        index = int(key)
        return index if -len(items) <= index < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == key:
            return i
    return None


def _data_loc(raw: tuple[Any, ...], data: Any) -> Loc:
    """The error's location as a path through the data, without pydantic's union/type tags."""
    loc: list[str | int] = []
    node = data
    for part in raw:
        if _indexes(node, part):
            loc.append(part)
            node = node[part]
        elif isinstance(node, dict | list) or node is None:
            if isinstance(part, str) and _is_tag(part):
                continue
            loc.append(part)  # a missing key: keep it so the message names it
            node = None
        # below a scalar, anything further is a pydantic tag
    return tuple(loc)


def _indexes(node: Any, part: Any) -> bool:
    """Whether ``part`` is a key of a mapping or an index of a list in the data."""
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node)


def _is_tag(part: str) -> bool:
    """Pydantic's tags inside unions ('int', 'constrained-int', 'dict[str,int]', 'function-after[...]')."""
    return "[" in part or "-" in part or part in {"int", "float", "str", "bool", "none", "list", "dict"}
