"""Schema of the services: capacity, opening hours and how each one handles a patient.

Capacities of community services (GP, nursing, social work, home care) are per locality;
hospital, A&E, intermediate care and residential care are shared by the whole scenario.
An empty capacity means unlimited.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    model_validator,
)

from carecoord.scenario.base import OpeningHoursSpec, Probability, StrictModel, daily_hours, weekday_hours

Sizing = Literal["by_population"]


SIZED_SERVICES = "gp, community_nursing, social_work, home_care, intermediate_care and out_of_hours"
"""The services whose capacity may be by_population (for messages)."""


def _positive_whole(value: Any) -> bool:
    """A whole number above 0 (2.0 from YAML counts; True, 2.5 and "2" do not)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _one_capacity_error(value: Any) -> Any:
    """One clear message for any bad capacity (instead of one line per member of the union)."""
    if value is None or value == "by_population" or _positive_whole(value):
        return value
    raise ValueError(f"expected a whole number above 0, empty (unlimited) or by_population, not {value!r}")


def _one_fixed_capacity_error(value: Any) -> Any:
    """A service that cannot be sized by population says so, and which services can."""
    if value is None or _positive_whole(value):
        return value
    hint = f"; by_population is allowed only for {SIZED_SERVICES}" if value == "by_population" else ""
    raise ValueError(f"expected a whole number above 0 or empty (unlimited), not {value!r}{hint}")


Capacity = Annotated[PositiveInt | Sizing | None, BeforeValidator(_one_capacity_error)]
FixedCapacity = Annotated[PositiveInt | None, BeforeValidator(_one_fixed_capacity_error)]
SIZED = (
    "A number (at once, per locality, multiplied by the locality's capacity_scale if given), empty for "
    "unlimited, or by_population: capacity_per_1000_patients x the locality's cohort_size / 1,000 "
    "(docs/model.md, 'Capacity')."
)


class GPSpec(StrictModel):
    """General practice: same-day appointments and home visits, weekdays in hours."""

    capacity: Capacity = Field(
        "by_population", description=f"GPs free at once for this cohort's same-day needs. {SIZED}"
    )
    capacity_per_1000_patients: PositiveFloat = Field(
        2.0,
        description="GPs free at once per 1,000 patients of the cohort, when sized by population. Source: "
        "assumption (the former default for a locality of about 1,000 patients, as the shipped scenarios).",
    )
    hours: OpeningHoursSpec = Field(
        default_factory=lambda: weekday_hours(8.0, 18.5),
        description="Core GP hours, 08:00-18:30 weekdays (GMS contract core hours).",
    )
    appointment_minutes: PositiveFloat = Field(
        11.7,
        description="Length of a surgery consultation. Source: "
        "[ref:unit_cost.gp.surgery_consultation_11.7min] (PSSRU 2015).",
    )
    home_visit_minutes: PositiveFloat = Field(
        23.4, description="Length of a home visit. Source: [ref:unit_cost.gp.home_visit_23.4min] (PSSRU 2013)."
    )
    home_visit_age: float = Field(
        85.0, description="Patients this old, or with care needs, get a home visit. Source: assumption."
    )
    max_wait_hours: PositiveFloat = Field(
        4.0, description="A patient not seen within this many hours goes to 999/A&E instead. Source: assumption."
    )
    admission_probability: Probability = Field(
        0.15, description="Share of crises seen by a GP that are admitted. Source: assumption."
    )
    nursing_referral_probability: Probability = Field(
        0.4,
        description="Share of crises managed at home that are referred to community nursing. Source: assumption.",
    )


class AESpec(StrictModel):
    """999, the ambulance service and the emergency department (always open)."""

    capacity: FixedCapacity = Field(None, description="Clinicians free at once (empty: unlimited).")
    hours: OpeningHoursSpec = Field(default_factory=OpeningHoursSpec, description="Always open.")
    attendance_hours: PositiveFloat = Field(
        4.0, description="Time in the department, hours (the four-hour standard). Source: assumption."
    )
    conveyance_probability: Probability = Field(
        0.7, description="Share of A&E attendances that arrive by ambulance. Source: assumption."
    )
    admission_probability: Probability = Field(
        0.45, description="Share of crises seen in A&E that are admitted. Source: assumption."
    )


class OutOfHoursSpec(StrictModel):
    """NHS 111 and the out-of-hours GP service: the route of a crisis when the practice is closed.

    Of out-of-hours crises, a share calls NHS 111 first (the rest dial 999 and go to A&E). NHS 111
    sends some to A&E, passes some to the out-of-hours GP (who may admit) and advises the rest.
    """

    capacity: Capacity = Field(
        2,
        description="Out-of-hours GPs free at once for this cohort, shared by the scenario: a number, empty for "
        "unlimited, or by_population (capacity_per_1000_patients x all localities' cohort_size / 1,000; "
        "docs/model.md, 'Capacity'). Source: assumption (2 kept as the default so that shipped results do not "
        "move; by_population sizes it for large cohorts).",
    )
    capacity_per_1000_patients: PositiveFloat = Field(
        2.0,
        description="Out-of-hours GPs free at once per 1,000 patients, when sized by population. Source: "
        "assumption (the former fixed default of 2 for a cohort of about 1,000 patients, as the GP default).",
    )
    hours: OpeningHoursSpec = Field(
        default_factory=OpeningHoursSpec, description="Always open (used only while the practice is closed)."
    )
    nhs111_share: Probability = Field(
        0.5,
        description="Share of out-of-hours crises whose first call is NHS 111 rather than 999. Source: assumption.",
    )
    ae_share: Probability = Field(
        0.18,
        description="Share of NHS 111 calls sent to A&E (ambulance dispatched or told to attend). Source: NHS "
        "England, NHS 111 Minimum Data Set, statistical note April 2015 (of triaged calls: 10% ambulance, "
        "8% A&E) [ref:nhs111.ae_share].",
    )
    primary_care_share: Probability = Field(
        0.63,
        description="Share of NHS 111 calls passed to primary care (the out-of-hours GP); the rest are advised "
        "(self-care, another service) and stay at home. Source: NHS England, NHS 111 Minimum Data Set, April 2015 "
        "(63% recommended to primary care) [ref:nhs111.primary_care_share].",
    )
    consultation_minutes: PositiveFloat = Field(
        23.4,
        description="Out-of-hours GP time per case. Source: assumption, as a GP home visit "
        "([ref:unit_cost.gp.home_visit_23.4min], PSSRU 2013).",
    )
    max_wait_hours: PositiveFloat = Field(
        4.0, description="Not seen within this many hours: sent to A&E instead. Source: assumption."
    )
    admission_probability: Probability = Field(
        0.15,
        description="Share of crises seen by the out-of-hours GP that are admitted. Source: assumption, as the "
        "in-hours GP (services.gp.admission_probability default).",
    )

    @model_validator(mode="after")
    def _shares(self) -> OutOfHoursSpec:
        if self.ae_share + self.primary_care_share > 1 + 1e-9:
            raise ValueError("ae_share + primary_care_share must not exceed 1")
        return self


class DischargeNeedsSpec(StrictModel):
    """What a patient needs to leave hospital; the rest go home with nothing new."""

    home_care: Probability = Field(0.15, description="Share needing a home-care package. Source: assumption.")
    intermediate_care: Probability = Field(0.08, description="Share needing intermediate care. Source: assumption.")
    residential_care: Probability = Field(0.04, description="Share needing a care-home place. Source: assumption.")


class HospitalSpec(StrictModel):
    """Acute beds: length of stay, in-hospital death, and what discharge needs."""

    capacity: FixedCapacity = Field(None, description="Beds for this cohort (empty: unlimited).")
    hours: OpeningHoursSpec = Field(default_factory=OpeningHoursSpec, description="Admits at any time.")
    mean_length_of_stay_days: PositiveFloat = Field(
        8.0,
        description="Mean stay to medically fit, days. Source: between "
        "[ref:emergency_admission.mean_los] 5.8 (all, 2016/17) and emergency_admission.mean_los_5plus_conditions 10.8.",
    )
    length_of_stay_cv: PositiveFloat = Field(
        1.0, description="Coefficient of variation of long stays (lognormal). Source: assumption."
    )
    short_stay_share: Probability = Field(
        0.25,
        description="Share of admissions that are short stays (<1 day). Source: "
        "[ref:emergency_admission.share_zero_day] 0.33, lowered for an LTC cohort (assumption).",
    )
    in_hospital_mortality: Probability = Field(
        0.051,
        description="Share of the baseline's crisis and fall admissions that end in death. It sets how many "
        "crises are fatal (this x the baseline's chance of admitting a crisis): the most severe ones, fatal "
        "whether or not the patient is admitted (in hospital if admitted, at home otherwise). Source: "
        "[ref:mortality.in_index_emergency_spell] (Bottle A, Aylin P, Majeed A 2006, 'Identifying patients at high "
        "risk of emergency hospital admissions: a logistic regression analysis', J R Soc Med 99:406-14).",
    )
    discharge_needs: DischargeNeedsSpec = Field(default_factory=DischargeNeedsSpec, description="Discharge needs.")


class CommunityNursingSpec(StrictModel):
    """District nurses and community matrons visiting at home."""

    capacity: Capacity = Field("by_population", description=f"Nurses visiting at once. {SIZED}")
    capacity_per_1000_patients: PositiveFloat = Field(
        3.0,
        description="Nurses visiting at once per 1,000 patients, when sized by population. Source: assumption "
        "(the former default for a locality of about 1,000 patients, as the shipped scenarios).",
    )
    hours: OpeningHoursSpec = Field(
        default_factory=lambda: daily_hours(8.0, 22.0), description="Seven days, 08:00-22:00. Source: assumption."
    )
    visit_minutes: PositiveFloat = Field(40.0, description="Length of a visit incl. travel. Source: assumption.")
    follow_up_visits: NonNegativeInt = Field(3, description="Visits after a GP referral. Source: assumption.")
    routine_visits_per_week: NonNegativeFloat = Field(
        0.5,
        le=7.0,
        description="Routine visits per week to a patient on a district-nursing caseload (cohort.tiers."
        "district_nursing_caseload_share), booked ahead; at most 7 (one a day). Source: assumption (fortnightly).",
    )
    referral_delay_days: NonNegativeFloat = Field(1.0, description="Referral to first visit, days. Source: assumption.")


class SocialWorkSpec(StrictModel):
    """Adult social work: assessments for care at home or in a care home."""

    capacity: Capacity = Field("by_population", description=f"Social workers assessing at once. {SIZED}")
    capacity_per_1000_patients: PositiveFloat = Field(
        2.0,
        description="Social workers assessing at once per 1,000 patients, when sized by population. Source: "
        "assumption (the former default for a locality of about 1,000 patients, as the shipped scenarios).",
    )
    hours: OpeningHoursSpec = Field(
        default_factory=lambda: weekday_hours(9.0, 17.0), description="Weekdays 09:00-17:00. Source: assumption."
    )
    assessment_hours: PositiveFloat = Field(3.0, description="Staff time of one assessment, hours. Source: assumption.")
    referral_delay_days: NonNegativeFloat = Field(
        1.0, description="Referral to the assessment being requested, days. Source: assumption."
    )
    assessments_per_referral: PositiveInt = Field(
        2,
        description="Separate assessments a referral needs in the baseline (health, then social "
        "care). Source: assumption from seed 001 ('cut down the amount of paperwork').",
    )


class HomeCareSpec(StrictModel):
    """Home-care packages, counted as concurrent clients."""

    capacity: Capacity = Field("by_population", description=f"Packages at once. {SIZED}")
    capacity_per_1000_patients: PositiveFloat = Field(
        200.0,
        description="Packages at once per 1,000 patients, when sized by population. Source: assumption, as "
        "the shipped scenarios: 15% of the cohort already has a package (cohort.initial.home_care_fraction) "
        "plus headroom for new ones (the former default, 80 per locality, was full on day one).",
    )
    hours: OpeningHoursSpec = Field(default_factory=OpeningHoursSpec, description="Starts any day.")
    hours_per_week: PositiveFloat = Field(10.0, description="Care hours per package per week. Source: assumption.")
    start_delay_days: NonNegativeFloat = Field(1.0, description="Slot found to first visit, days. Source: assumption.")
    mean_package_days: PositiveFloat = Field(
        365.0,
        description="Mean length of a package before it ends for other reasons than death "
        "or a care-home move, days. Source: assumption.",
    )


class IntermediateCareSpec(StrictModel):
    """Short-term rehabilitation and reablement after hospital."""

    capacity: Capacity = Field(
        "by_population",
        description="Places for the whole scenario: a number, empty for unlimited, or by_population "
        "(capacity_per_1000_patients x all localities' cohort_size / 1,000; docs/model.md, 'Capacity').",
    )
    capacity_per_1000_patients: PositiveFloat = Field(
        10.0,
        description="Places per 1,000 patients, when sized by population. Source: assumption, as the shipped "
        "scenarios (about 50 stays a year per 1,000 patients x 34.5 days [ref:reablement.duration_days] is 4.7 "
        "places, with headroom).",
    )
    hours: OpeningHoursSpec = Field(default_factory=OpeningHoursSpec, description="Admits any day.")
    mean_stay_days: PositiveFloat = Field(
        34.5, description="Mean stay, days. Source: [ref:reablement.duration_days] (Bauer 2019)."
    )
    home_care_after_probability: Probability = Field(
        0.3, description="Share needing home care afterwards. Source: assumption."
    )


class ResidentialCareSpec(StrictModel):
    """Permanent care-home places; a resident stays until death."""

    capacity: FixedCapacity = Field(None, description="Places (empty: unlimited).")
    hours: OpeningHoursSpec = Field(default_factory=OpeningHoursSpec, description="Admits any day.")


class ServicesSpec(StrictModel):
    """Every service a patient can meet."""

    gp: GPSpec = Field(default_factory=GPSpec, description="General practice.")
    ae: AESpec = Field(default_factory=AESpec, description="999 and A&E.")
    out_of_hours: OutOfHoursSpec = Field(
        default_factory=OutOfHoursSpec, description="NHS 111 and the out-of-hours GP service."
    )
    hospital: HospitalSpec = Field(default_factory=HospitalSpec, description="Acute hospital.")
    community_nursing: CommunityNursingSpec = Field(
        default_factory=CommunityNursingSpec, description="District nursing and community matrons."
    )
    social_work: SocialWorkSpec = Field(default_factory=SocialWorkSpec, description="Adult social work.")
    home_care: HomeCareSpec = Field(default_factory=HomeCareSpec, description="Home care.")
    intermediate_care: IntermediateCareSpec = Field(
        default_factory=IntermediateCareSpec, description="Intermediate care."
    )
    residential_care: ResidentialCareSpec = Field(default_factory=ResidentialCareSpec, description="Residential care.")


LOCALITY_SERVICES = ("gp", "community_nursing", "social_work", "home_care")
SHARED_SERVICES = ("ae", "hospital", "intermediate_care", "residential_care", "out_of_hours")
