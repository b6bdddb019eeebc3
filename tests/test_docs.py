"""The scenario field reference in ``docs/`` is the one the code renders, so it cannot drift.

Regenerate it with ``carecoord schema --markdown > docs/scenario-reference.md``.
"""

from __future__ import annotations

from pathlib import Path

from carecoord.scenario.reference import render_markdown
from carecoord.scenario.schema import Scenario

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "scenario-reference.md"


def test_reference_matches_the_schema() -> None:
    """docs/scenario-reference.md equals render_markdown() byte for byte."""
    assert REFERENCE.is_file(), f"missing: regenerate with carecoord schema --markdown > {REFERENCE}"
    assert REFERENCE.read_text(encoding="utf-8") == render_markdown()


def test_reference_covers_every_section() -> None:
    """The rendered reference has a heading for every top-level section of a scenario."""
    text = render_markdown()
    for name in Scenario.model_fields:
        assert f"\n## `{name}`\n" in text, name
