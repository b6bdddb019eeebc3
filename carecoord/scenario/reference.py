"""The scenario field reference, rendered from the schema itself.

``docs/scenario-reference.md`` is this function's output (``carecoord schema --markdown``); a
test keeps the two identical, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from carecoord.scenario.schema import Scenario

HEADER = """# Scenario reference

Every field of a scenario YAML file, generated from the schema by `carecoord schema --markdown`
(do not edit by hand: `tests/test_docs.py` checks this file against the code). Paths use `[]` for
list items. Unknown keys are errors. Fields marked *required* have no default.

A scenario may start with `extends: other.yaml` to copy another file and override parts of it:
mappings merge key by key and lists of named items (arms, localities, tiers, conditions) merge by
`name` (a new name is added, `{name: x, remove: true}` drops the parent's item); other lists are
replaced whole. `carecoord run --set path=value` overrides a single value (list items by index or
by `name`). Numbers must be finite, and `true`/`false` is never read as a number.
A JSON Schema for editors: `carecoord schema > carecoord.schema.json`.
"""


def render_markdown() -> str:
    lines = [HEADER]
    for name, field in Scenario.model_fields.items():
        lines.append(f"\n## `{name}`\n")
        lines.append(f"{field.description or ''}\n")
        lines.append("| field | type | default | description |")
        lines.append("|---|---|---|---|")
        rows: list[tuple[str, str, str, str]] = []
        _walk(name, field, rows, _NO_DEFAULT)
        for path, typ, default, desc in rows:
            lines.append(f"| `{path}` | {typ} | {default} | {desc} |")
    return "\n".join(lines) + "\n"


def _walk(path: str, field: Any, rows: list[tuple[str, str, str, str]], default: Any) -> None:
    """One row per field; ``default`` is the field's default value when its parent has one (so that
    a section built by a factory, e.g. GP hours Mon-Fri 08:00-18:30, shows its own defaults)."""
    annotation = field.annotation
    model, is_list = _model_of(annotation)
    shown = _default(field) if default is _NO_DEFAULT else _show(default)
    rows.append((path, _type_name(annotation), shown, (field.description or "").replace("|", "/")))
    if model is not None:
        prefix = f"{path}[]" if is_list else path
        instance = _default_value(field) if default is _NO_DEFAULT else default
        for name, sub in model.model_fields.items():
            child = getattr(instance, name) if isinstance(instance, BaseModel) else _NO_DEFAULT
            _walk(f"{prefix}.{name}", sub, rows, child)


_NO_DEFAULT = object()


def _default_value(field: Any) -> Any:
    if field.default_factory is not None:
        return field.default_factory()
    if field.default is PydanticUndefined:
        return _NO_DEFAULT
    return field.default


def _show(value: Any) -> str:
    if isinstance(value, BaseModel):
        return "see fields"
    if value is None:
        return "empty"
    if isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
        return "`" + str([v.model_dump() for v in value]) + "`"  # the values, not the class's repr
    return f"`{value}`"


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin = get_origin(annotation)
    args = [a for a in get_args(annotation) if a is not type(None)]
    if origin is list and args:
        inner, _ = _model_of(args[0])
        return inner, True
    if origin in (Union, types.UnionType):
        for a in args:
            inner, is_list = _model_of(a)
            if inner is not None:
                return inner, is_list
    return None, False


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return "section"
        return annotation.__name__
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"map of {_type_name(args[1])}"
    if origin in (Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        text = " or ".join(names)
        return f"{text} (optional)" if type(None) in args else text
    if str(origin).endswith("Literal"):
        return "one of " + ", ".join(repr(a) for a in args)
    if hasattr(annotation, "__origin__") and hasattr(annotation, "__metadata__"):
        return _type_name(annotation.__origin__)
    return str(annotation).replace("typing.", "")


def _default(field: Any) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "*required*"
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return "see fields"
        return _show(value)
    if field.default is None:
        return "empty"
    return f"`{field.default}`"
