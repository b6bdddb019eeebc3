"""``extends:``: a file overrides only what differs from the file it extends.

Mappings merge key by key. Lists of named items (arms, localities, tiers, conditions...) merge
by ``name``: an item with a name the parent has overrides that item field by field, a new name
is added at the end, and ``{name: x, remove: true}`` drops the parent's item. Any other list
replaces the parent's whole. Every value keeps the file and line it came from, so an error
points at the file that holds the value.

Example:
    >>> data, origin = merge(parent, parent_lines, child, child_lines)
"""

from __future__ import annotations

import copy
from typing import Any

Loc = tuple[str | int, ...]
Origin = tuple[str, int]  # (file, line)


def merge(
    base: dict[str, Any], base_lines: dict[Loc, Origin], top: dict[str, Any], top_lines: dict[Loc, Origin]
) -> tuple[dict[str, Any], dict[Loc, Origin]]:
    """``top`` laid over ``base``, with the origin of every merged location."""
    out: dict[Loc, Origin] = {}
    merged = _merge(base, top, (), (), (), base_lines, top_lines, out)
    return merged, out


def named_items(value: Any) -> bool:
    """Whether a list is made of mappings that each carry a distinct string ``name``."""
    if not isinstance(value, list) or not value:
        return False
    names = [item.get("name") if isinstance(item, dict) else None for item in value]
    return all(isinstance(n, str) for n in names) and len(set(names)) == len(names)


def _merge(
    base: Any,
    top: Any,
    bloc: Loc,
    tloc: Loc,
    mloc: Loc,
    blines: dict[Loc, Origin],
    tlines: dict[Loc, Origin],
    out: dict[Loc, Origin],
) -> Any:
    origin = tlines.get(tloc) or blines.get(bloc)
    if origin:
        out[mloc] = origin
    if isinstance(base, dict) and isinstance(top, dict):
        result: dict[str, Any] = {}
        for key, value in base.items():
            if key in top:
                result[key] = _merge(value, top[key], (*bloc, key), (*tloc, key), (*mloc, key), blines, tlines, out)
            else:
                result[key] = _take(value, blines, (*bloc, key), (*mloc, key), out)
        for key, value in top.items():
            if key not in base:
                result[key] = _take(value, tlines, (*tloc, key), (*mloc, key), out)
        return result
    if named_items(base) and named_items(top):
        return _merge_named(base, top, bloc, tloc, mloc, blines, tlines, out)
    return _take(top, tlines, tloc, mloc, out)


def _merge_named(
    base: list[dict[str, Any]],
    top: list[dict[str, Any]],
    bloc: Loc,
    tloc: Loc,
    mloc: Loc,
    blines: dict[Loc, Origin],
    tlines: dict[Loc, Origin],
    out: dict[Loc, Origin],
) -> list[Any]:
    by_name = {item["name"]: j for j, item in enumerate(top)}
    result: list[Any] = []
    for i, item in enumerate(base):
        j = by_name.get(item["name"])
        if j is None:
            result.append(_take(item, blines, (*bloc, i), (*mloc, len(result)), out))
        elif top[j].get("remove") is not True:
            over = {k: v for k, v in top[j].items() if k != "remove"}
            result.append(_merge(item, over, (*bloc, i), (*tloc, j), (*mloc, len(result)), blines, tlines, out))
    known = {item["name"] for item in base}
    for j, item in enumerate(top):
        if item["name"] not in known:
            result.append(_take(item, tlines, (*tloc, j), (*mloc, len(result)), out))
    return result


def _take(value: Any, lines: dict[Loc, Origin], src: Loc, dst: Loc, out: dict[Loc, Origin]) -> Any:
    """A copy of one side's value, with its origins moved to where it lands."""
    n = len(src)
    for loc, origin in lines.items():
        if loc[:n] == src:
            out[dst + loc[n:]] = origin
    return copy.deepcopy(value)
