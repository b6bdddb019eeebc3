"""Every number in every shipped scenario says where it comes from (issue 3).

A line of a scenario (or an effect set) that holds a number (or a date) must carry a comment naming its
source: a seed (``seed 004``, quoted in docs/sources.md), a row of docs/references.csv (``[ref:KEY]``),
a calibration, a derivation, another effect set, the word "assumption", or (in the neutral verification
set, whose values mean "no effect") "by definition".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "scenarios" / "examples").glob("*.yaml"))
EFFECT_SETS = sorted((ROOT / "carecoord" / "effects").glob("*.yaml"))
SOURCE_WORDS = ("seed", "[ref:", "docs/sources.md", "assumption", "calibrated", "derived", "effects/", "by definition")
NUMBER = re.compile(r"(?<![\w.-])-?\d+(\.\d+)?(?![\w])")


def _value_part(line: str) -> str:
    """The line without its comment and without quoted text."""
    code = line.split("#", 1)[0]
    return re.sub(r"(['\"]).*?\1", "", code)


def _numbers_without_source(path: Path) -> list[str]:
    missing = []
    block_indent: int | None = None  # inside a folded or literal block scalar (prose such as description: >-)
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue
            block_indent = None
        if re.search(r":\s*[>|][-+]?\s*(#.*)?$", line):
            block_indent = indent
            continue
        if line.lstrip().startswith("#") or not NUMBER.search(_value_part(line)):
            continue
        if line.lstrip().startswith(("name:", "description:")):
            continue
        comment = line.split("#", 1)[1].lower() if "#" in line else ""
        if not any(word in comment for word in SOURCE_WORDS):
            missing.append(f"{path.name}:{n}: {line.strip()}")
    return missing


def test_there_are_scenarios() -> None:
    """The check below must have something to read."""
    assert len(SCENARIOS) >= 5


@pytest.mark.parametrize("path", SCENARIOS + EFFECT_SETS, ids=lambda p: p.name)
def test_every_number_has_a_source(path: Path) -> None:
    """Each line with a number names its source in a comment."""
    assert _numbers_without_source(path) == []


def test_the_check_can_fail(tmp_path: Path) -> None:
    """A number with no comment, or with a comment that names no source, is reported."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "description: >-\n  prose with 12 numbers\nsimulation:\n  seed: 3\n  replications: 10   # enough\n"
        "  duration_days: 5  # assumption\n"
    )
    assert [m.split(": ", 1)[1] for m in _numbers_without_source(bad)] == ["seed: 3", "replications: 10   # enough"]
