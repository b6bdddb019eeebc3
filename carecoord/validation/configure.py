"""A study's setting as a scenario: the shipped file, the overrides, only the arms and tiers it needs, scaled.

Example:
    >>> scenario = configure(study.setting, scale=0.5, arms=("baseline", "integrated"))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from carecoord.errors import ScenarioError
from carecoord.scenario import Scenario, load_scenario
from carecoord.scenario.services import LOCALITY_SERVICES

if TYPE_CHECKING:
    from carecoord.validation.study import Setting


def scale_scenario(data: dict[str, Any], factor: float) -> None:
    """Shrink (or grow) a scenario in place: every locality's cohort, incidence and capacity scale, the
    scenario-wide capacities and the coordinators' caseloads, so that capacity-limited services stay about as
    busy per patient, and the programme reaches the same share of patients, as before."""
    for loc in data["localities"]:
        loc["cohort_size"] = max(1, round(loc["cohort_size"] * factor))
        loc["incidence_per_year"] = loc["incidence_per_year"] * factor
        if loc["capacity_scale"] is not None:
            loc["capacity_scale"] = loc["capacity_scale"] * factor
        elif any(isinstance(data["services"][s]["capacity"], int) for s in LOCALITY_SERVICES):
            loc["capacity_scale"] = factor  # stated capacities (scale 1) shrink with the cohort; sized ones already do
    for name in ("intermediate_care", "hospital", "residential_care"):
        spec = data["services"][name]
        if isinstance(spec.get("capacity"), int):  # a stated capacity; by_population ones follow the cohort
            spec["capacity"] = max(1, round(spec["capacity"] * factor))
    for arm in data["arms"]:
        enrolment = arm["mechanisms"].get("enrolment")
        if enrolment is not None:
            enrolment["caseload"] = max(1, round(enrolment["caseload"] * factor))


def configure(
    setting: Setting, scale: float | None = None, arms: Sequence[str] | None = None, extra: Sequence[str] = ()
) -> Scenario:
    """The setting's scenario: the file with the overrides (then ``extra``), only the named arms (default: the
    setting's) and tiers (shares renormalised, calibrated rates kept), scaled by ``scale`` (default: the
    setting's)."""
    scenario = load_scenario(setting.scenario_path, [*setting.overrides, *extra])
    data = scenario.model_dump()
    keep = arms or setting.arms
    data["arms"] = [a for a in data["arms"] if a["name"] in keep]
    if setting.tiers is not None:
        tiers = [t for t in data["cohort"]["tiers"] if t["name"] in setting.tiers]
        total = sum(t["share"] for t in tiers)
        for t in tiers:
            t["share"] = t["share"] / total
        data["cohort"]["tiers"] = tiers
    factor = setting.scale if scale is None else scale
    if factor != 1.0:
        scale_scenario(data, factor)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:  # the setting's own changes (tiers, scale) made the scenario invalid
        problems = "; ".join(str(e["msg"]) for e in exc.errors())
        raise ScenarioError(
            f"setting '{setting.key}' ({setting.scenario}): not a valid scenario after its tiers and scale: {problems}"
        ) from None
