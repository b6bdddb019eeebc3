"""The source written beside each value of a scenario file, for reports that cite their assumptions.

Scenario files give every number a trailing comment saying where it comes from (a seed, a
reference row, a publication or "assumption"). This reads those comments back, keyed by field
path, with a round-trip YAML parser (comments are not part of the resolved scenario).

Example:
    >>> dict(value_sources(Path("scenarios/east_blackburn_pilot.yaml")))["localities.east.cohort_size"]
    ('1400', 'top 5% by risk of ~28,000 registered ...')
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError


def value_sources(path: Path) -> list[tuple[str, tuple[str, str]]]:
    """``(field.path, (value, source comment))`` for every value with a trailing comment, in file order.

    List items with a ``name`` are keyed by that name (``arms.integrated.mechanisms...``).
    Returns an empty list if the file cannot be read or parsed: sources are a courtesy, the
    scenario itself was validated when it ran.
    """
    try:
        data = YAML().load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError):  # no sources to show; the scenario itself was validated
        return []
    found: list[tuple[str, tuple[str, str]]] = []
    _walk(data, "", found)
    return found


def _comment(container: CommentedMap | CommentedSeq, key: object) -> str:
    items = getattr(container, "ca", None)
    entry = items.items.get(key) if items is not None else None
    if not entry:
        return ""
    tokens = [t for t in entry if t is not None and hasattr(t, "value")]
    text = " ".join(t.value.strip() for t in tokens).strip()
    first = text.split("\n")[0].strip()
    return first.lstrip("#").strip()


def _value_text(value: object) -> str:
    if isinstance(value, CommentedMap):
        return ", ".join(f"{k}: {_value_text(v)}" for k, v in value.items())
    if isinstance(value, CommentedSeq):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    return str(value)


def _walk(node: object, prefix: str, found: list) -> None:
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            path = f"{prefix}{key}"
            comment = _comment(node, key)
            if comment:
                found.append((path, (_value_text(value), comment)))
            _walk(value, path + ".", found)
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            name = value.get("name") if isinstance(value, CommentedMap) else None
            path = f"{prefix}{name if name is not None else index}"
            comment = _comment(node, index)
            if comment:
                found.append((path, (_value_text(value), comment)))
            _walk(value, path + ".", found)
