"""Turning schema errors into ``field.path: what is wrong`` in plain words.

Pydantic's messages are mostly clear; the ones that are not get rewritten here: a regex pattern
becomes a sentence, an unknown key gets "did you mean", a union's two messages ("should be a
valid integer" and "should be a valid dictionary") become the one that fits the value given, and
``true``/``false`` is refused where a number is expected (pydantic would read ``true`` as 1).

Example:
    >>> bool_problems({"localities": [{"name": "a", "cohort_size": True}]})
    [(('localities', 0, 'cohort_size'), 'expected a number, got true')]
"""

from __future__ import annotations

import difflib
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from carecoord.scenario.population import BAND_PATTERN
from carecoord.scenario.schema import Scenario

Loc = tuple[str | int, ...]

PATTERN_WORDS = {
    r"^[a-z][a-z0-9_]*$": "use only lower-case letters a-z, digits and _ (no spaces or accents), "
    "starting with a letter, e.g. integrated_2",
    r"^[A-Za-z][A-Za-z0-9_ -]*$": "use only letters A-Z or a-z, digits, spaces, - and _ (no accents), "
    "starting with a letter, e.g. East Blackburn",
    BAND_PATTERN: "write an age band as low-high, both ages included (65-74), or low+ (85+)",
}
TYPE_ERRORS = {"int_type", "int_parsing", "float_type", "float_parsing", "dict_type", "list_type", "model_type"}
TYPE_ERRORS |= {"string_type", "bool_type", "bool_parsing", "date_type", "date_parsing", "model_attributes_type"}


def message(err: dict[str, Any], loc: Loc) -> str:
    """The plain-words message of one pydantic error found at ``loc`` (a path through the data)."""
    text = err["msg"].removeprefix("Value error, ")
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = allowed_fields(loc[:-1])
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1) if loc else []
        text = "unknown field" + (f"; did you mean '{guess[0]}'?" if guess else "")
        text += f"; allowed: {', '.join(allowed)}" if allowed else ""
    elif kind == "missing":
        text = "required field is missing"
    elif kind == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern", "")
        rule = PATTERN_WORDS.get(pattern, f"does not have the expected form ({pattern})")
        text = f"'{err.get('input')}' is not allowed here: {rule}"
    elif kind in ("finite_number",):
        text = "must be a finite number (not .inf or .nan)"
    return text


def merge_union_errors(errors: list[tuple[Loc, dict[str, Any]]]) -> list[tuple[Loc, dict[str, Any]]]:
    """One error per location: a union's type mismatches give way to the error about the value."""
    by_loc: dict[Loc, list[dict[str, Any]]] = {}
    for loc, err in errors:
        by_loc.setdefault(loc, []).append(err)
    merged: list[tuple[Loc, dict[str, Any]]] = []
    for loc, errs in by_loc.items():
        specific = [e for e in errs if e["type"] not in TYPE_ERRORS]
        if specific:
            merged.extend((loc, e) for e in specific)
        elif len(errs) > 1:
            texts = list(dict.fromkeys(e["msg"] for e in errs))
            merged.append((loc, {**errs[0], "msg": ", or ".join(texts)}))
        else:
            merged.append((loc, errs[0]))
    return merged


def bool_problems(data: Any) -> list[tuple[Loc, str]]:
    """``true``/``false`` given where the schema wants a number (pydantic would take it as 1 or 0)."""
    out: list[tuple[Loc, str]] = []
    _check(data, Scenario, (), out)
    return out


def _check(value: Any, annotation: Any, loc: Loc, out: list[tuple[Loc, str]]) -> None:
    options = _options(annotation)
    if isinstance(value, bool):
        if bool not in options and any(t in options for t in (int, float)):
            out.append((loc, f"expected a number, got {str(value).lower()}"))
        return
    for option in options:
        if isinstance(option, type) and issubclass(option, BaseModel) and isinstance(value, dict):
            for key, item in value.items():
                if key in option.model_fields:
                    _check(item, option.model_fields[key].annotation, (*loc, key), out)
            return
        origin = get_origin(option)
        if origin is list and isinstance(value, list):
            (inner,) = get_args(option) or (Any,)
            for i, item in enumerate(value):
                _check(item, inner, (*loc, i), out)
            return
        if origin is dict and isinstance(value, dict):
            inner = (get_args(option) or (Any, Any))[1]
            for key, item in value.items():
                _check(item, inner, (*loc, key), out)
            return


def _options(annotation: Any) -> list[Any]:
    """The alternatives of an annotation, without Optional/Union/Annotated wrappers."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _options(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [o for a in get_args(annotation) for o in _options(a)]
    return [annotation]


def allowed_fields(loc: Loc) -> list[str]:
    """The field names of the model at ``loc`` (empty when it is not a model)."""
    model: Any = Scenario
    for part in loc:
        models = [o for o in _flat(model) if isinstance(o, type) and issubclass(o, BaseModel)]
        if isinstance(part, int):
            model = _list_inner(model)
            continue
        if not models or part not in models[0].model_fields:
            return []
        model = models[0].model_fields[part].annotation
    models = [o for o in _flat(model) if isinstance(o, type) and issubclass(o, BaseModel)]
    return list(models[0].model_fields) if models else []


def _flat(annotation: Any) -> list[Any]:
    options = _options(annotation)
    return [get_args(o)[0] if get_origin(o) is list and get_args(o) else o for o in options]


def _list_inner(annotation: Any) -> Any:
    for option in _options(annotation):
        if get_origin(option) is list and get_args(option):
            return get_args(option)[0]
    return annotation
