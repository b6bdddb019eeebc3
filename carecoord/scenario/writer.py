"""Writing scenarios back to YAML with their comments (sources) intact: calibrated crisis rates.

Round-trip editing with ruamel.yaml keeps every comment, key order and layout of the file; only
the changed values (and a comment saying how they were obtained) differ.

Example:
    >>> write_crisis_rates(Path("scenarios/x.yaml"), Path("scenarios/x.yaml"), {"high": 2.03}, "calibrated ...")
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from carecoord.errors import ScenarioError


def write_crisis_rates(source: Path, dest: Path, rates: dict[str, float], comment: str) -> None:
    """Copy ``source`` to ``dest`` with each named tier's ``crisis_rate_per_year`` set.

    A file that extends another and does not list the tiers gets ``cohort.tiers`` entries with just
    the name and the rate (tiers merge by name with the parent's).
    """
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(source.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ScenarioError(str(source), ["the file must be a YAML mapping of sections"])
    if not isinstance(data.get("cohort"), dict):
        data["cohort"] = CommentedMap()
    if not isinstance(data["cohort"].get("tiers"), list):
        # a file that extends another: tiers merge by name, so a tier with just a rate overrides the parent's
        data["cohort"]["tiers"] = CommentedSeq()
    tiers = data["cohort"]["tiers"]
    by_name = {tier["name"]: tier for tier in tiers if isinstance(tier, dict)}
    for name in rates:
        if name not in by_name:
            by_name[name] = CommentedMap(name=name)
            tiers.append(by_name[name])
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
