"""The report's "Assumptions and their sources": the run's values, each with the source its file gives.

Values come from the resolved scenario in the manifest (what the run used), not from the file: a
``--set`` override or an inherited value would otherwise be shown as the file's number. Sources are
the trailing comments of the scenario file and of every file it ``extends:`` (the child's own wins).
Each row says where its value came from when that is not the file's line: ``--set`` on the command
line, a parent file, or something else at load time (an effect set). Values the files set without a
source comment are counted, so an empty table is never mistaken for "everything is sourced".

Example:
    >>> assumption_rows(load("results/pilot"))["rows"][0]["field"]
    'simulation.start_date'
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from carecoord.errors import CarecoordError
from carecoord.results import Results
from carecoord.scenario import scenario_file_hash
from carecoord.scenario.loader import load_scenario_source
from carecoord.scenario.sources import value_sources

UNSOURCED_KEYS = ("name", "description", "extends")  # labels, not numbers needing a source


OPTION_FIELDS = {"--replications": "simulation.replications", "--seed": "simulation.seed"}  # as cli.run applies them


def set_overrides(command: list[str]) -> list[str]:
    """The overrides of a recorded command line, in order: ``--set KEY=VALUE``, ``--replications``, ``--seed``."""
    found = []
    for i, arg in enumerate(command):
        name, _, inline = arg.partition("=")
        value = inline or (command[i + 1] if i + 1 < len(command) else "")
        if name == "--set" and value:
            found.append(value)
        elif name in OPTION_FIELDS and value:
            found.append(f"{OPTION_FIELDS[name]}={value}")
    return found


def resolved(scenario: Any, path: str) -> Any:
    """The value at a dotted field path of the resolved scenario; list items by name or index."""
    node = scenario
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list):
            named = [item for item in node if isinstance(item, dict) and str(item.get("name")) == part]
            if named:
                node = named[0]
            elif part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        else:
            return None
    return node


def value_text(value: Any, keys: list[str] | None = None) -> str:
    """A resolved value as the scenario file would write it (maps limited to the keys the file names)."""
    if isinstance(value, dict):
        shown = [k for k in (keys or value) if k in value]
        return ", ".join(f"{k}: {value_text(value[k])}" for k in shown)
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _same(file_text: str, run_text: str) -> bool:
    def norm(text: str) -> str:
        return re.sub(r"(\d+)\.0\b", r"\1", text.replace(" ", "")).lower()

    return norm(file_text) == norm(run_text)


def _named_path(loc: tuple[Any, ...], scenario: Any) -> str:
    parts, node = [], scenario
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            parts.append(str(node.get("name", part)) if isinstance(node, dict) else str(part))
        elif isinstance(node, dict):
            node = node.get(part)
            parts.append(str(part))
        else:
            parts.append(str(part))
            node = None
    return ".".join(parts)


def _effect_set(scenario: dict[str, Any], field: str) -> str:
    """Where an arm's mechanism values come from when its file gives none: the effect set, else the schema."""
    parts = field.split(".")
    arm = resolved(scenario, ".".join(parts[:2])) if parts[0] == "arms" and len(parts) > 1 else None
    effects = arm.get("effects") if isinstance(arm, dict) else None
    return f"effect set '{effects}'" if effects else "the schema's defaults"


def assumption_rows(results: Results) -> dict[str, Any]:
    """Rows ``{field, value, source, origin}``, a note when sources cannot be shown, and the unsourced count."""
    path_text = results.manifest.get("scenario_file")
    path = Path(path_text) if path_text else None
    empty: dict[str, Any] = {"rows": [], "note": "", "unsourced": 0}
    if path is None or not path.is_file():
        missing = "The scenario file is not available here; its sources are in the file the command names."
        return {**empty, "note": missing}
    if scenario_file_hash(path) != results.manifest.get("scenario_file_sha256"):
        return {**empty, "note": f"{path} (or a file it extends) has changed since the run; its sources are not shown."}
    overrides = set_overrides([str(c) for c in results.manifest.get("command") or []])
    try:
        loaded = load_scenario_source(path, overrides)
    except CarecoordError:
        return {**empty, "note": f"{path} no longer loads with this carecoord version; its sources are not shown."}
    scenario = results.scenario
    set_paths = {_named_path(loc, scenario) for loc in loaded.overridden}
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for depth, file in enumerate(loaded.chain):
        for field, (file_value, source) in value_sources(file):
            if field in seen:
                continue
            seen.add(field)
            keys = re.findall(r"(?:^|, )(\w+): ", file_value) or None
            run_value = value_text(resolved(scenario, field), keys)
            origin = "" if depth == 0 else f"from {file.name} (extended)"
            if field in set_paths or any(p.startswith(field + ".") for p in set_paths):
                origin = f"set on the command line (the file says {file_value})"
            elif not file_value.strip():  # `mechanism: {}`: switched on, every value from the arm's effect set
                origin = f"values from {_effect_set(scenario, field)}"
            elif not _same(file_value, run_value):
                origin = f"changed when loaded, e.g. by an effect set (the file says {file_value})"
            rows.append({"field": field, "value": run_value, "source": source, "origin": origin})
    files = {str(f) for f in loaded.chain}
    unsourced = 0
    for loc, (file, _line) in loaded.origins.items():
        if not loc or file not in files or loc[-1] in UNSOURCED_KEYS:
            continue
        name = _named_path(loc, scenario)
        value = resolved(scenario, name)
        if isinstance(value, dict | list):
            continue
        if not any(name == f or name.startswith(f + ".") for f in seen):
            unsourced += 1
    return {"rows": rows, "note": "", "unsourced": unsourced}
