"""``extends:``: a file overrides only what differs from the file it extends.

Mappings merge key by key. Lists of named items (arms, localities, tiers, conditions...) merge
by ``name``: an item with a name the parent has overrides that item field by field, a new name
is added at the end, and ``{name: x, remove: true}`` drops the parent's item, together with the
parent's map keys that name it (``coordinators: {x: 5}``). Any other list replaces the parent's
whole. Every value keeps the file and line it came from, so an error points at the file that
holds the value; a mistake in a ``remove`` is the child's, raised as :class:`MergeProblem`.

Example:
    >>> data, origin = merge(parent, parent_lines, child, child_lines)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

Loc = tuple[str | int, ...]
Origin = tuple[str, int]  # (file, line)
SINGULAR = {"localities": "locality", "arms": "arm", "tiers": "tier", "conditions": "condition"}
"""How a message names one item of a list (other lists: 'item')."""


class MergeProblem(ValueError):
    """A child's ``remove`` that cannot be applied: the location in the child and what is wrong."""

    def __init__(self, loc: Loc, text: str):
        super().__init__(text)
        self.loc = loc
        self.text = text


def merge(
    base: dict[str, Any], base_lines: dict[Loc, Origin], top: dict[str, Any], top_lines: dict[Loc, Origin]
) -> tuple[dict[str, Any], dict[Loc, Origin]]:
    """``top`` laid over ``base``, with the origin of every merged location.

    Raises:
        MergeProblem: a ``remove`` that is not ``true``, or names an item the parent lacks.
    """
    removed = _removed_names(base, top, ())
    base = _drop_keys(base, removed) if removed else base
    run = _Merge(base_lines, top_lines)
    merged = run.merge(base, top, (), (), ())
    return merged, run.out


def named_items(value: Any) -> bool:
    """Whether a list is made of mappings that each carry a distinct string ``name``."""
    if not isinstance(value, list) or not value:
        return False
    names = [item.get("name") if isinstance(item, dict) else None for item in value]
    return all(isinstance(n, str) for n in names) and len(set(names)) == len(names)


def _removed_names(base: Any, top: Any, loc: Loc) -> list[tuple[set[str], set[str]]]:
    """(all the parent's names, names removed) for each named list the child removes items from.

    Checks each ``remove`` on the way: only ``true`` (or ``false``, a no-op) is accepted, and the
    parent must have the item.
    """
    found: list[tuple[set[str], set[str]]] = []
    if isinstance(base, dict) and isinstance(top, dict):
        for key, value in top.items():
            found += _removed_names(base.get(key), value, (*loc, key))
    elif named_items(top) and (named_items(base) or not base):
        known = {item["name"] for item in base or []}
        gone: set[str] = set()
        for j, item in enumerate(top):
            if "remove" not in item:
                continue
            flag = item["remove"]
            if not isinstance(flag, bool):
                raise MergeProblem((*loc, j, "remove"), f"expected true (drop the parent's item), not {flag!r}")
            if item["name"] not in known:
                kind = SINGULAR.get(str(loc[-1]) if loc else "", "item")
                raise MergeProblem((*loc, j, "name"), f"parent has no {kind} '{item['name']}' to remove")
            if flag:
                gone.add(item["name"])
        if gone:
            found.append((known, gone))
        by_name = {item["name"]: item for item in base or []}
        for j, item in enumerate(top):
            if item["name"] in by_name:
                found += _removed_names(by_name[item["name"]], item, (*loc, j))
    return found


def _drop_keys(value: Any, removed: list[tuple[set[str], set[str]]]) -> Any:
    """The parent without map keys naming a removed item (only in maps keyed entirely by that list's names)."""
    if isinstance(value, list):
        return [_drop_keys(v, removed) for v in value]
    if not isinstance(value, dict):
        return value
    keys = set(value)
    for known, gone in removed:
        if keys and keys <= known and keys & gone:
            value = {k: v for k, v in value.items() if k not in gone}
            keys = set(value)
    return {k: _drop_keys(v, removed) for k, v in value.items()}


@dataclass
class _Merge:
    """One merge: the two files' line maps and the origins collected for the result."""

    blines: dict[Loc, Origin]
    tlines: dict[Loc, Origin]
    out: dict[Loc, Origin] = field(default_factory=dict)

    def merge(self, base: Any, top: Any, bloc: Loc, tloc: Loc, mloc: Loc) -> Any:
        origin = self.tlines.get(tloc) or self.blines.get(bloc)
        if origin:
            self.out[mloc] = origin
        if isinstance(base, dict) and isinstance(top, dict):
            result: dict[str, Any] = {}
            for key, value in base.items():
                if key in top:
                    result[key] = self.merge(value, top[key], (*bloc, key), (*tloc, key), (*mloc, key))
                else:
                    result[key] = self.take(value, self.blines, (*bloc, key), (*mloc, key))
            for key, value in top.items():
                if key not in base:
                    result[key] = self.take(value, self.tlines, (*tloc, key), (*mloc, key))
            return result
        if named_items(base) and named_items(top):
            return self.merge_named(base, top, bloc, tloc, mloc)
        if named_items(top) and any("remove" in item for item in top):  # nothing to remove from
            top = [item for item in top if item.get("remove") is not True]
            return self.take([{k: v for k, v in i.items() if k != "remove"} for i in top], self.tlines, tloc, mloc)
        return self.take(top, self.tlines, tloc, mloc)

    def merge_named(self, base: list[dict[str, Any]], top: list[dict[str, Any]], bloc: Loc, tloc: Loc, mloc: Loc):
        by_name = {item["name"]: j for j, item in enumerate(top)}
        result: list[Any] = []
        for i, item in enumerate(base):
            j = by_name.get(item["name"])
            if j is None:
                result.append(self.take(item, self.blines, (*bloc, i), (*mloc, len(result))))
            elif top[j].get("remove") is not True:
                over = {k: v for k, v in top[j].items() if k != "remove"}
                result.append(self.merge(item, over, (*bloc, i), (*tloc, j), (*mloc, len(result))))
        known = {item["name"] for item in base}
        for j, item in enumerate(top):
            if item["name"] not in known:
                new = self.take(item, self.tlines, (*tloc, j), (*mloc, len(result)))
                new.pop("remove", None)  # remove: false on a new item
                result.append(new)
        return result

    def take(self, value: Any, lines: dict[Loc, Origin], src: Loc, dst: Loc) -> Any:
        """A copy of one side's value, with its origins moved to where it lands."""
        n = len(src)
        for loc, origin in lines.items():
            if loc[:n] == src:
                self.out[dst + loc[n:]] = origin
        return copy.deepcopy(value)
