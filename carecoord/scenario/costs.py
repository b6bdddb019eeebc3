"""Schema of unit costs, split by who pays.

Activity is costed to the payer of the service that did it (NHS or council); what exists only
because of the programme (coordinator posts, MDT time, equipment) is the programme's cost.
Defaults are PSSRU Unit Costs of Health and Social Care 2024 (2023/24 prices) unless stated.
"""

from __future__ import annotations

from pydantic import Field, NonNegativeFloat

from carecoord.scenario.base import StrictModel


class NHSCostsSpec(StrictModel):
    """Unit costs paid by the NHS, GBP."""

    emergency_admission_long_stay: NonNegativeFloat = Field(
        5134.0,
        description="Per non-elective long-stay spell. Source: reference "
        "unit_cost.nonelective_admission.long_stay 2023/24.",
    )
    emergency_admission_short_stay: NonNegativeFloat = Field(
        792.0,
        description="Per non-elective short-stay spell. Source: reference "
        "unit_cost.nonelective_admission.short_stay 2023/24.",
    )
    delayed_discharge_day: NonNegativeFloat = Field(
        313.0, description="Per delayed (medically fit) bed day. Source: reference unit_cost.excess_bed_day 2016/17."
    )
    ae_attendance: NonNegativeFloat = Field(
        273.0, description="Per A&E attendance. Source: reference unit_cost.ae_attendance 2023/24."
    )
    ambulance_conveyance: NonNegativeFloat = Field(
        459.0,
        description="Per see-treat-convey incident. Source: reference unit_cost.ambulance.see_treat_convey 2023/24.",
    )
    gp_appointment: NonNegativeFloat = Field(
        45.0, description="Per surgery consultation. Source: reference unit_cost.gp.surgery_consultation_10min 2023/24."
    )
    gp_home_visit: NonNegativeFloat = Field(
        114.0, description="Per home visit. Source: reference unit_cost.gp.home_visit_23.4min 2012/13."
    )
    ooh_gp_consultation: NonNegativeFloat = Field(
        99.0,
        description="Per case seen by the out-of-hours GP service. Source: National Audit Office 2014, 'Out-of-hours "
        "GP services in England' (HC 439): GBP 69-129 per case (reference unit_cost.ae_attendance low/high, "
        "2013/14), midpoint; 2013/14 prices.",
    )
    nhs111_call: NonNegativeFloat = Field(
        12.0,
        description="Per NHS 111 call. Source: assumption (about GBP 12 per call in the service's early years, "
        "2013/14 prices).",
    )
    gp_hour: NonNegativeFloat = Field(
        268.0,
        description="Per hour of GP time (medication reviews). Source: reference "
        "unit_cost.gp.per_hour_patient_contact 2023/24.",
    )
    community_nursing_hour: NonNegativeFloat = Field(
        85.5,
        description="Per hour of community nursing visits (incl. travel). Source: derived, 57 per 40-minute "
        "contact (reference unit_cost.district_nurse.face_to_face_contact 2023/24) x 60/40.",
    )
    intermediate_care_day: NonNegativeFloat = Field(
        123.0,
        description="Per day in intermediate care (one home-based contact a day). Source: reference "
        "unit_cost.intermediate_care.home_based_contact 2023/24.",
    )


class CouncilCostsSpec(StrictModel):
    """Unit costs paid by the council, GBP."""

    social_work_hour: NonNegativeFloat = Field(
        58.0, description="Per social-work hour. Source: reference unit_cost.social_worker_adult.hour 2023/24."
    )
    home_care_hour: NonNegativeFloat = Field(
        27.0, description="Per home-care hour. Source: reference unit_cost.home_care_worker.weekday_hour 2023/24."
    )
    residential_care_week: NonNegativeFloat = Field(
        897.0, description="Per care-home week. Source: reference unit_cost.residential_home.week_la_paid 2023/24."
    )


class ProgrammeCostsSpec(StrictModel):
    """Costs of the integrated-care programme itself, GBP (coordinator posts are in the arm)."""

    mdt_hour: NonNegativeFloat = Field(
        69.0, description="Per professional-hour at MDT meetings. Source: reference unit_cost.nurse_band7.hour 2023/24."
    )


class CostsSpec(StrictModel):
    """Unit costs by payer."""

    price_year: str = Field("2023/24", description="Price year of the unit costs.")
    nhs: NHSCostsSpec = Field(default_factory=NHSCostsSpec, description="NHS unit costs.")
    council: CouncilCostsSpec = Field(default_factory=CouncilCostsSpec, description="Council unit costs.")
    programme: ProgrammeCostsSpec = Field(default_factory=ProgrammeCostsSpec, description="Programme unit costs.")
