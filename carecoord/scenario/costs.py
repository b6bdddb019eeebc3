"""Schema of unit costs, split by who pays.

Activity is costed to the payer of the service that did it (NHS or council); what exists only
because of the programme (coordinator posts, MDT time, equipment) is the programme's cost.
Every default is in 2023/24 prices: PSSRU Unit Costs of Health and Social Care 2024, and older
published costs uprated with PSSRU's inflation indices (:mod:`carecoord.scenario.prices`). A scenario
may state another ``price_year`` the index covers: the defaults it does not override are then
re-based to that year with the same index, and the costs it gives are taken as in that year.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, NonNegativeFloat, field_validator, model_validator

from carecoord.scenario.base import StrictModel
from carecoord.scenario.prices import INDEX_NAME, PRICE_YEAR, YEARS, inflation_factor, uprate, uprated_note

UPRATED_DEFAULTS: dict[str, tuple[float, str, str]] = {
    "costs.nhs.gp_home_visit": (114.0, "2012/13", "unit_cost.gp.home_visit_23.4min"),
    "costs.nhs.delayed_discharge_day": (313.0, "2016/17", "unit_cost.excess_bed_day"),
    "costs.nhs.ooh_gp_consultation": (99.0, "2013/14", "unit_cost.ooh_gp.per_case"),
}
"""Defaults published in an older price year: (value, price year, reference key)."""


def _uprated(path: str) -> float:
    value, year, _ = UPRATED_DEFAULTS[path]
    return round(uprate(value, year), 2)


def _note(path: str) -> str:
    return uprated_note(*UPRATED_DEFAULTS[path])


class NHSCostsSpec(StrictModel):
    """Unit costs paid by the NHS, GBP."""

    emergency_admission_long_stay: NonNegativeFloat = Field(
        5134.0,
        description="Per non-elective long-stay spell. Source: "
        "[ref:unit_cost.nonelective_admission.long_stay] 2023/24.",
    )
    emergency_admission_short_stay: NonNegativeFloat = Field(
        792.0,
        description="Per non-elective short-stay spell. Source: "
        "[ref:unit_cost.nonelective_admission.short_stay] 2023/24.",
    )
    delayed_discharge_day: NonNegativeFloat = Field(
        _uprated("costs.nhs.delayed_discharge_day"),
        description=f"Per delayed (medically fit) bed day: {_note('costs.nhs.delayed_discharge_day')}.",
    )
    ae_attendance: NonNegativeFloat = Field(
        273.0, description="Per A&E attendance. Source: [ref:unit_cost.ae_attendance] 2023/24."
    )
    ambulance_conveyance: NonNegativeFloat = Field(
        459.0,
        description="Per see-treat-convey incident. Source: [ref:unit_cost.ambulance.see_treat_convey] 2023/24.",
    )
    gp_appointment: NonNegativeFloat = Field(
        45.0, description="Per surgery consultation. Source: [ref:unit_cost.gp.surgery_consultation_10min] 2023/24."
    )
    gp_home_visit: NonNegativeFloat = Field(
        _uprated("costs.nhs.gp_home_visit"),
        description=f"Per home visit: {_note('costs.nhs.gp_home_visit')}. Cross-check: 23.4 minutes x 4.47 per "
        "minute [ref:unit_cost.gp.per_minute_patient_contact] 2023/24 = 104.60 (PSSRU's own 2023/24 minute cost "
        "is lower than the uprated 2012/13 visit).",
    )
    ooh_gp_consultation: NonNegativeFloat = Field(
        _uprated("costs.nhs.ooh_gp_consultation"),
        description="Per case seen by the out-of-hours GP service: National Audit Office 2014, 'Out-of-hours GP "
        "services in England' (HC 439), GBP 69-129 per case, midpoint "
        f"{_note('costs.nhs.ooh_gp_consultation')}.",
    )
    nhs111_call: NonNegativeFloat = Field(
        round(uprate(12.0, "2013/14"), 2),
        description="Per NHS 111 call. Source: assumption, about GBP 12 per call in the service's early years "
        f"(2013/14 prices), uprated to {PRICE_YEAR} x {inflation_factor('2013/14'):.4f} ({INDEX_NAME}).",
    )
    gp_hour: NonNegativeFloat = Field(
        268.0,
        description="Per hour of GP time (medication reviews). Source: "
        "[ref:unit_cost.gp.per_hour_patient_contact] 2023/24.",
    )
    community_nursing_hour: NonNegativeFloat = Field(
        85.5,
        description="Per hour of community nursing visits (incl. travel). Source: derived, 57 per 40-minute "
        "contact ([ref:unit_cost.district_nurse.face_to_face_contact] 2023/24) x 60/40.",
    )
    intermediate_care_day: NonNegativeFloat = Field(
        123.0,
        description="Per day in intermediate care (one home-based contact a day). Source: "
        "[ref:unit_cost.intermediate_care.home_based_contact] 2023/24.",
    )


class CouncilCostsSpec(StrictModel):
    """Unit costs paid by the council, GBP."""

    social_work_hour: NonNegativeFloat = Field(
        58.0, description="Per social-work hour. Source: [ref:unit_cost.social_worker_adult.hour] 2023/24."
    )
    home_care_hour: NonNegativeFloat = Field(
        27.0, description="Per home-care hour. Source: [ref:unit_cost.home_care_worker.weekday_hour] 2023/24."
    )
    residential_care_week: NonNegativeFloat = Field(
        897.0, description="Per care-home week. Source: [ref:unit_cost.residential_home.week_la_paid] 2023/24."
    )


class ProgrammeCostsSpec(StrictModel):
    """Costs of the integrated-care programme itself, GBP (coordinator posts are in the arm)."""

    mdt_hour: NonNegativeFloat = Field(
        69.0, description="Per professional-hour at MDT meetings. Source: [ref:unit_cost.nurse_band7.hour] 2023/24."
    )


PAYERS = ("nhs", "council", "programme")


class CostsSpec(StrictModel):
    """Unit costs by payer."""

    price_year: str = Field(
        PRICE_YEAR,
        description=f"Price year of every unit cost, one of {', '.join(YEARS)}: the defaults are {PRICE_YEAR} prices "
        f"(older published costs uprated with the {INDEX_NAME}; docs/sources.md); with another year, the "
        "defaults a scenario does not override are re-based to it with the same index, and the costs it states "
        "are taken as in that year.",
    )
    nhs: NHSCostsSpec = Field(default_factory=NHSCostsSpec, description="NHS unit costs.")
    council: CouncilCostsSpec = Field(default_factory=CouncilCostsSpec, description="Council unit costs.")
    programme: ProgrammeCostsSpec = Field(default_factory=ProgrammeCostsSpec, description="Programme unit costs.")

    @field_validator("price_year", mode="before")
    @classmethod
    def _known_year(cls, value: Any) -> Any:
        if value not in YEARS:
            raise ValueError(
                f"expected a financial year the inflation index covers ({YEARS[0]} to {YEARS[-1]}, written like "
                f"{PRICE_YEAR}), not {value!r}"
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _rebase_defaults(cls, data: Any) -> Any:
        """Defaults not given, in the stated price year (unchanged for the defaults' own year)."""
        if not isinstance(data, dict) or data.get("price_year", PRICE_YEAR) in (PRICE_YEAR, None):
            return data
        year = data["price_year"]
        if year not in YEARS:
            return data  # refused by _known_year
        factor = inflation_factor(PRICE_YEAR, year)
        out = dict(data)
        for payer, spec in zip(PAYERS, (NHSCostsSpec, CouncilCostsSpec, ProgrammeCostsSpec), strict=True):
            given = out.get(payer) or {}
            if not isinstance(given, dict):
                continue
            out[payer] = {
                **{name: round(f.default * factor, 2) for name, f in spec.model_fields.items() if name not in given},
                **given,
            }
        return out


def default_cost(costs: CostsSpec, path: str) -> float:
    """The default of ``costs.<payer>.<field>`` in the scenario's price year."""
    _, payer, name = path.split(".")
    spec = {"nhs": NHSCostsSpec, "council": CouncilCostsSpec, "programme": ProgrammeCostsSpec}[payer]
    default = spec.model_fields[name].default
    return (
        default
        if costs.price_year == PRICE_YEAR
        else round(default * inflation_factor(PRICE_YEAR, costs.price_year), 2)
    )


def _uses_default(costs: CostsSpec, path: str) -> bool:
    _, payer, name = path.split(".")
    return getattr(getattr(costs, payer), name) == default_cost(costs, path)


def price_line(costs: CostsSpec) -> str:
    """One sentence for the printout: which price year, which index, what was uprated (defaults in use only)."""
    basis = price_basis(costs)
    uprated = "; ".join(
        f"{path} {u['published_value']:g} ({u['published_price_year']}) x {u['factor']:.4f}"
        for path, u in basis["uprated_defaults"].items()
    )
    line = f"Costs in {costs.price_year} prices"
    if costs.price_year != PRICE_YEAR:
        line += f"; defaults re-based from {PRICE_YEAR} x {basis['rebase_factor']:.4f}"
    if uprated:
        line += f"; older published defaults uprated with the {INDEX_NAME}: {uprated}"
    return line + "."


def price_basis(costs: CostsSpec) -> dict[str, Any]:
    """The price year, the index and each uprated default the scenario uses, for the manifest and the printout."""
    year_to = costs.price_year
    return {
        "price_year": year_to,
        "index": INDEX_NAME,
        "rebase_factor": round(inflation_factor(PRICE_YEAR, year_to), 6),
        "uprated_defaults": {
            path: {
                "published_value": value,
                "published_price_year": year,
                "reference": key,
                "factor": round(inflation_factor(year, year_to), 6),
                "value": round(uprate(value, year, year_to), 2),
            }
            for path, (value, year, key) in UPRATED_DEFAULTS.items()
            if _uses_default(costs, path)
        },
    }
