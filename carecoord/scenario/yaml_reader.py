"""Reading one YAML file safely, with a plain-words message for every way it can be unreadable.

Only safe loading is used (``yaml.SafeLoader``: plain values, lists and mappings, never objects
or code). Before parsing, a file is refused by size; after composing, by how far its aliases
expand (a "billion laughs" alias bomb is refused in milliseconds) and for duplicate keys (YAML
would otherwise keep the last value silently). Each problem reads ``field.path: what is wrong
(line N)``.

Example:
    >>> data, lines = read_yaml(Path("scenarios/east_blackburn_pilot.yaml"))
    >>> lines[("simulation", "seed")]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from carecoord.errors import ScenarioError

Loc = tuple[str | int, ...]
MAX_SCENARIO_BYTES = 2_000_000  # assumption: the largest shipped scenario is ~10 kB; 2 MB leaves 200x room
MAX_VALUES = 50_000  # assumption: values after expanding aliases; shipped scenarios have < 1,000


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[Loc, int]]:
    """The mapping in ``path`` and the line of every key and list item in it."""
    text = _read_text(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ScenarioError(str(path), [_syntax_problem(exc, text)]) from None
    if node is None:
        raise ScenarioError(str(path), [_empty_problem(text)])
    size = _expanded_size(node, {})
    if size > MAX_VALUES:
        raise ScenarioError(
            str(path),
            [
                f"YAML aliases (*name) expand to more than {MAX_VALUES:,} values; "
                f"refused as an alias bomb (line {node.start_mark.line + 1})"
            ],
        )
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        raise ScenarioError(
            str(path),
            [
                f"the file is {kind}; a scenario is a mapping of sections "
                f"(name:, simulation:, localities:, cohort:, arms:) (line {node.start_mark.line + 1})"
            ],
        )
    duplicates: list[str] = []
    _find_duplicates(node, (), duplicates, set())
    if duplicates:
        raise ScenarioError(str(path), duplicates)
    try:
        data = _unshare(yaml.SafeLoader("").construct_document(node))
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise ScenarioError(
            str(path), [f"{exc.problem}; only plain values, lists and mappings are read{line}"]
        ) from None
    except ValueError as exc:  # a scalar YAML cannot construct, e.g. the date 2014-13-01
        raise ScenarioError(str(path), [_bad_scalar(node, exc)]) from None
    lines: dict[Loc, int] = {}
    _collect_lines(node, (), lines)
    return data, lines


def _read_text(path: Path) -> str:
    if path.is_dir():
        raise ScenarioError(str(path), ["this is a folder, not a scenario file"])
    if not path.exists():
        raise ScenarioError(str(path), ["file not found"])
    try:
        size = path.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            raise ScenarioError(
                str(path),
                [
                    f"the file is {size / 1e6:,.1f} MB; a scenario is at most "
                    f"{MAX_SCENARIO_BYTES / 1e6:g} MB (refused before reading it)"
                ],
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(str(path), [f"cannot be read: {exc.strerror}"]) from None
    return decode(raw, str(path))


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text (a byte-order mark is allowed), or a message that says how to save the file."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(source, ["the file is UTF-16 text; save it as UTF-8 (line 1)"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            source,
            [
                f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read); "
                f"save it as UTF-8 (line {line})"
            ],
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ScenarioError(source, [f"the file holds binary data (a NUL byte), not text (line {line})"])
    return text


def _syntax_problem(exc: yaml.YAMLError, text: str) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return f"YAML syntax error: {problem}"
    line_text = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
    where = f"column {mark.column + 1} (line {mark.line + 1})"
    if "\t" in line_text[: mark.column + 1] or "'\\t'" in problem:
        return f"a tab character is used for indentation; YAML needs spaces, at {where}"
    return f"YAML syntax error: {problem}, at {where}"


def _empty_problem(text: str) -> str:
    needs = "a scenario needs name, simulation, localities, cohort and arms"
    comments = [i for i, line in enumerate(text.splitlines(), start=1) if line.strip().startswith("#")]
    if comments:
        return f"the file holds only comments, no settings; {needs} (line {comments[0]})"
    return f"the file is empty; {needs}"


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values the node stands for once every alias is copied out (linear time)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a recursive alias counts once (and is then refused by the constructor)
    if isinstance(node, yaml.MappingNode):
        total = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        total = 1 + sum(_expanded_size(v, memo) for v in node.value)
    else:
        total = 1
    memo[key] = min(total, 10 * MAX_VALUES)
    return memo[key]


def _find_duplicates(node: yaml.Node, loc: Loc, out: list[str], seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                line = key.start_mark.line + 1
                if key.value in first:
                    path = ".".join(str(p) for p in (*loc, key.value))
                    out.append(
                        f"{path}: duplicate key (first given on line {first[key.value]}); "
                        f"YAML would keep only the last, so remove one (line {line})"
                    )
                else:
                    first[key.value] = line
            _find_duplicates(value, (*loc, key.value), out, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _find_duplicates(value, (*loc, i), out, seen)


def _bad_scalar(node: yaml.Node, exc: ValueError) -> str:
    """Name the first scalar YAML fails to construct (dates are the usual case)."""
    stack: list[tuple[yaml.Node, Loc]] = [(node, ())]
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
    return f"a value cannot be read: {exc}"


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
            _collect_lines(value, child, out)
            out[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _collect_lines(value, (*loc, i), out)
