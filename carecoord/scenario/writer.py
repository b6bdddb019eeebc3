"""Writing scenarios back to YAML with their comments (sources) intact: calibrated crisis rates.

Round-trip editing with ruamel.yaml keeps every comment, key order and layout of the file; only
the changed values (and a comment saying how they were obtained) differ.

Example:
    >>> write_crisis_rates(Path("scenarios/x.yaml"), Path("scenarios/x.yaml"), {"high": 2.03}, "calibrated ...")
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from carecoord.errors import ScenarioError


def write_crisis_rates(source: Path, dest: Path, rates: dict[str, float], comment: str) -> None:
    """Copy ``source`` to ``dest`` with each named tier's ``crisis_rate_per_year`` set."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(source.read_text(encoding="utf-8"))
    tiers = (data.get("cohort") or {}).get("tiers") if isinstance(data, dict) else None
    if not tiers:
        raise ScenarioError(
            str(source), ["cohort.tiers: not in this file (it extends another); calibrate the file that defines them"]
        )
    by_name = {tier["name"]: tier for tier in tiers}
    for name, rate in rates.items():
        tier: CommentedMap = by_name[name]
        value = round(float(rate), 3)
        if "crisis_rate_per_year" in tier:
            tier["crisis_rate_per_year"] = value
        else:
            keys = list(tier)
            at = (
                keys.index("emergency_admissions_per_person_year") + 1
                if "emergency_admissions_per_person_year" in keys
                else len(keys)
            )
            tier.insert(at, "crisis_rate_per_year", value)
        tier.yaml_add_eol_comment(comment, "crisis_rate_per_year")
    tmp = dest.with_name(f".{dest.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    tmp.replace(dest)
