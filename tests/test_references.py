"""Every figure the project uses has its source inside the project (issue 8, "stands alone").

Numbers cite a row of ``docs/references.csv`` as ``[ref:KEY]`` or a seed document as ``seed NNN``
(quoted in ``docs/sources.md``); default parameters of the schema cite one of those or say
"assumption"; nothing cites the engineers' shared folder, which users of the repository do not have.
"""

from __future__ import annotations

import csv
import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from carecoord.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "docs" / "references.csv"
SOURCES = ROOT / "docs" / "sources.md"
COLUMNS = ["key", "value", "unit", "low", "high", "year", "population", "source", "url", "confidence", "used_by"]
CITATION = re.compile(r"\[ref:([A-Za-z0-9_]+(?:\.[A-Za-z0-9_@/+-]+)+)\]")
"""A citation: ``[ref:`` + a dotted key + ``]`` (placeholders such as ``[ref:key]`` have no dot)."""
SEED = re.compile(r"\bseeds? (\d{3})\b")
SOURCE_WORDS = ("[ref:", "seed 0", "assumption", "derived", "calibrated", "docs/")
OUTSIDE = "shared" + "/"  # spelled apart so that this file does not cite it


def project_files() -> list[Path]:
    """Text files a user of the repository gets: code, scenarios, effect sets, docs, tests."""
    patterns = (
        "carecoord/**/*.py",
        "carecoord/**/*.yaml",
        "scenarios/*",
        "experiments/*",
        "experiments/studies/**/*.yaml",
        "docs/*.md",
        "tests/**/*.py",
    )
    files = {p for pattern in patterns for p in ROOT.glob(pattern) if p.is_file()}
    files |= {ROOT / "README.md", ROOT / "pyproject.toml", REFERENCES}
    return sorted(f for f in files if f.suffix in {".py", ".yaml", ".md", ".csv", ".toml", ".json"})


def reference_rows() -> list[dict[str, str]]:
    with REFERENCES.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_reference_rows_are_complete_and_unique() -> None:
    """One row per key, each with a value or range, a source, a confidence label and what uses it."""
    rows = reference_rows()
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]
    for r in rows:
        assert r["value"] or r["low"] or r["high"], r["key"]
        assert r["source"] and r["confidence"] and r["used_by"], r["key"]


def test_every_cited_key_exists() -> None:
    """Each ``[ref:KEY]`` anywhere in the project names a row of docs/references.csv."""
    keys = {r["key"] for r in reference_rows()}
    missing = [
        f"{path.relative_to(ROOT)}: {key}"
        for path in project_files()
        for key in CITATION.findall(path.read_text(encoding="utf-8"))
        if key not in keys
    ]
    assert missing == []


def test_every_cited_seed_is_quoted() -> None:
    """Each ``seed NNN`` cited has its section, with quoted passages and origin, in docs/sources.md."""
    quoted = set(re.findall(r"^## seed (\d{3})$", SOURCES.read_text(encoding="utf-8"), flags=re.M))
    cited = {n for path in project_files() for n in SEED.findall(path.read_text(encoding="utf-8"))}
    assert cited, "the scenarios cite seeds"
    assert cited <= quoted, cited - quoted


def test_nothing_cites_the_shared_folder() -> None:
    """Users do not have the engineers' shared folder: no file may point into it."""
    offenders = [str(p.relative_to(ROOT)) for p in project_files() if OUTSIDE in p.read_text(encoding="utf-8")]
    assert offenders == []


def _numeric_defaults(model: type[BaseModel], seen: set[type]) -> list[tuple[str, str, str]]:
    """(class.field, default, description) of every field with a number (or by_population) as default."""
    out = []
    for name, field in model.model_fields.items():
        args = typing.get_args(field.annotation) or (field.annotation,)
        for arg in [a for x in args for a in (typing.get_args(x) or (x,))]:
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in seen:
                seen.add(arg)
                out += _numeric_defaults(arg, seen)
        default = field.default
        if (isinstance(default, int | float) and not isinstance(default, bool)) or default == "by_population":
            out.append((f"{model.__name__}.{name}", repr(default), field.description or ""))
    return out


DEFAULTS = _numeric_defaults(Scenario, set())


def test_there_are_defaults_to_check() -> None:
    assert len(DEFAULTS) > 50


@pytest.mark.parametrize(("field", "default", "description"), DEFAULTS, ids=[d[0] for d in DEFAULTS])
def test_every_default_names_its_source(field: str, default: str, description: str) -> None:
    """A default cites a reference row, a seed or the docs, or says it is an assumption (or derived)."""
    assert any(word in description for word in SOURCE_WORDS), f"{field} = {default}: {description}"


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The patterns find what they should: a citation, a placeholder that is not one, a seed."""
    text = "x [ref:unit_cost.ae_attendance] y [ref:key] seed 004 and seeds 001"
    assert CITATION.findall(text) == ["unit_cost.ae_attendance"]
    assert SEED.findall(text) == ["004", "001"]
