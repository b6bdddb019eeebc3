"""Reading scenarios: YAML (the only place it is read), ``extends:`` and ``--set`` overrides.

Every problem becomes a :class:`~carecoord.errors.ScenarioError` whose lines read
``field.path: what is wrong (line N)``.

Example:
    >>> scenario = load_scenario("scenarios/east_blackburn_pilot.yaml", overrides=["simulation.seed=7"])
"""

from __future__ import annotations

import copy
import hashlib
from importlib import resources
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from carecoord.errors import ScenarioError
from carecoord.scenario.schema import Scenario

Loc = tuple[str | int, ...]


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load, merge and validate a scenario file."""
    path = Path(path)
    data, lines = _read_with_extends(path, set())
    for item in overrides or []:
        _apply_override(data, item, str(path))
    _apply_effect_sets(data, str(path))
    csv = (data.get("cohort") or {}).get("csv") if isinstance(data.get("cohort"), dict) else None
    if isinstance(csv, str) and not Path(csv).is_absolute():
        data["cohort"]["csv"] = str((path.parent / csv).resolve())
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(str(path), [_describe(err, lines, data) for err in exc.errors()]) from None


EFFECT_SETS = ("evidence_based", "pilot_claimed", "neutral")


def effect_set(name: str) -> dict[str, Any]:
    """The mechanism parameters of a named effect set (package data, with its sources)."""
    text = resources.files("carecoord.effects").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _apply_effect_sets(data: dict[str, Any], source: str) -> None:
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


def _read_with_extends(path: Path, seen: set[Path]) -> tuple[dict[str, Any], dict[Loc, int]]:
    if not path.is_file():
        raise ScenarioError(str(path), ["file not found"])
    if path.resolve() in seen:
        raise ScenarioError(str(path), ["extends: circular 'extends' chain"])
    seen.add(path.resolve())
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = _unshare(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(str(path), [f"YAML syntax error: {problem}{where}"]) from None
    except ValueError as exc:  # a scalar YAML cannot construct, e.g. the date 2014-13-01
        raise ScenarioError(str(path), [_bad_scalar(node, exc)]) from None
    if not isinstance(data, dict):
        raise ScenarioError(str(path), ["the file must be a YAML mapping of sections (name, simulation, ...)"])
    lines: dict[Loc, int] = {}
    _collect_lines(node, (), lines)
    parent = data.pop("extends", None)
    if parent is None:
        return data, lines
    if not isinstance(parent, str):
        raise ScenarioError(str(path), [f"extends: must be a file name (line {lines.get(('extends',), 1)})"])
    base, base_lines = _read_with_extends(path.parent / parent, seen)
    return _deep_merge(base, data), {**base_lines, **lines}


def _bad_scalar(node: yaml.Node | None, exc: ValueError) -> str:
    """Name the first scalar YAML fails to construct (dates are the usual case)."""
    stack: list[tuple[yaml.Node, Loc]] = [(node, ())] if node is not None else []
    while stack:
        current, loc = stack.pop(0)
        if isinstance(current, yaml.MappingNode):
            stack.extend((v, (*loc, k.value)) for k, v in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((v, (*loc, i)) for i, v in enumerate(current.value))
        elif current.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.safe_load(current.value)
            except ValueError:
                path = ".".join(str(p) for p in loc)
                return f"{path}: '{current.value}' is not a valid date: {exc} (line {current.start_mark.line + 1})"
    return f"(top level): a value cannot be read: {exc}"


def _unshare(obj: Any) -> Any:
    """A copy in which no mapping or list is shared: YAML aliases (*anchor) become independent copies,
    so that filling one arm's mechanisms cannot change another's."""
    if isinstance(obj, dict):
        return {k: _unshare(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_unshare(v) for v in obj]
    return obj


def _collect_lines(node: yaml.Node, loc: Loc, out: dict[Loc, int]) -> None:
    out[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*loc, key.value)
            out[child] = key.start_mark.line + 1
            _collect_lines(value, child, out)
            out[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _collect_lines(value, (*loc, i), out)


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _apply_override(data: dict[str, Any], item: str, source: str) -> None:
    """Apply ``path=value``; list items may be named by index or by their ``name``."""
    if "=" not in item:
        raise ScenarioError(source, [f"--set {item}: expected path=value, e.g. simulation.seed=7"])
    path, raw = item.split("=", 1)
    keys = [k for k in path.strip().split(".") if k]
    if not keys:
        raise ScenarioError(source, [f"--set {item}: empty path"])
    value = yaml.safe_load(raw) if raw.strip() else None
    node: Any = data
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            index = _list_index(node, key)
            if index is None:
                raise ScenarioError(source, [f"{where}: no list item '{key}' (from --set)"])
            if last:
                node[index] = value
            else:
                node = node[index]
        elif isinstance(node, dict):
            if last:
                node[key] = value
            else:
                if node.get(key) is None:
                    node[key] = {}
                node = node[key]
        else:
            raise ScenarioError(source, [f"{where}: cannot set inside a {type(node).__name__} (from --set)"])


def _list_index(items: list[Any], key: str) -> int | None:
    if key.lstrip("-").isdigit():
        index = int(key)
        return index if -len(items) <= index < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == key:
            return i
    return None


def _describe(err: Any, lines: dict[Loc, int], data: Any) -> str:
    loc = _data_loc(err["loc"], data)
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        allowed = _allowed_fields(loc[:-1])
        message = "unknown field" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    elif err["type"] == "missing":
        message = "required field is missing"
    if not loc and ": " in message:  # whole-scenario checks name their path in the message
        head, message = message.split(": ", 1)
        loc = tuple(int(p) if p.isdigit() else p for p in head.split("."))
    path = ".".join(str(p) for p in loc)
    line = _line_for(loc, lines)
    where = f" (line {line})" if line else ""
    return f"{path or '(top level)'}: {message}{where}"


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


def _line_for(loc: Loc, lines: dict[Loc, int]) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _allowed_fields(loc: Loc) -> list[str]:
    model: Any = Scenario
    for part in loc:
        model = _unwrap(model)
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return []
        model = model.model_fields[part].annotation
    model = _unwrap(model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """The model inside Optional[...] or list[...]."""
    for _ in range(3):
        origin = get_origin(annotation)
        if origin is None:
            return annotation
        args = [a for a in get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        annotation = models[0] if models else (args[0] if args else annotation)
    return annotation
