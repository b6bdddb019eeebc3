"""Schema of the care-plan mechanisms an integrated arm can switch on, besides enrolment.

Each mechanism acts on one step of a patient's pathway with its own parameters and staff time
(no "% fewer admissions" knob). Enrolment, which the others need, is in :mod:`carecoord.scenario.arms`
with the arm itself; defaults are assumptions unless a source is given.
"""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    model_validator,
)

from carecoord.scenario.base import Probability, StrictModel


class Mechanism(StrictModel):
    """Common switch of every mechanism."""

    enabled: bool = Field(True, description="Set false to switch the mechanism off.")


class ProactiveVisitsSpec(Mechanism):
    """Regular nurse/matron visits that catch deterioration early (and sometimes escalate it)."""

    interval_days: PositiveFloat = Field(14.0, description="Days between visits. Source: assumption.")
    visit_minutes: PositiveFloat = Field(45.0, description="Length of a visit. Source: assumption.")
    detection_window_days: NonNegativeFloat = Field(
        7.0, description="A crisis within this many days after a visit was visible at it. Source: assumption."
    )
    sensitivity: Probability = Field(0.5, description="Share of visible deteriorations detected. Source: assumption.")
    resolves_minor_crisis_probability: Probability = Field(
        0.5,
        description="Share of detected deteriorations that would NOT have been admitted and are dealt with by the "
        "visiting nurse, without a GP or A&E contact. Source: assumption.",
    )
    prevented_fraction: Probability = Field(
        0.3,
        description="Share of detected would-be admissions managed at home instead. Source: assumption.",
    )
    escalation_probability: Probability = Field(
        0.1,
        description="Share of detected deteriorations that would NOT have been admitted "
        "but are sent to hospital (closer monitoring raises admissions). Source: assumption.",
    )
    routine_contacts_replaced_share: Probability = Field(
        0.0,
        description="Share of a patient's routine GP consultations and routine district-nursing visits that the "
        "care plan's proactive visits replace while the plan is active. Source: assumption.",
    )


class MedicationReviewSpec(Mechanism):
    """Medication review and self-management support: a lower crisis rate, built up over months."""

    crisis_rate_ratio: NonNegativeFloat = Field(
        0.9, description="Crisis-rate multiplier at full effect. Source: assumption."
    )
    onset_days: NonNegativeFloat = Field(30.0, description="Plan start to first effect, days. Source: assumption.")
    full_effect_days: NonNegativeFloat = Field(
        180.0, description="Plan start to full effect, days (linear ramp in monthly steps). Source: assumption."
    )
    review_hours: NonNegativeFloat = Field(
        1.0, description="GP/pharmacist time of the review, hours. Source: assumption."
    )
    self_management_sessions: NonNegativeInt = Field(
        4, description="Nurse-led self-management sessions. Source: assumption."
    )
    session_minutes: PositiveFloat = Field(45.0, description="Length of a session. Source: assumption.")

    @model_validator(mode="after")
    def _ramp(self) -> MedicationReviewSpec:
        if self.full_effect_days < self.onset_days:
            raise ValueError("full_effect_days must not be before onset_days")
        return self


class RapidResponseSpec(Mechanism):
    """A community nurse answers the crisis call if one is free in time."""

    max_response_hours: PositiveFloat = Field(
        2.0, description="Longest acceptable wait for a nurse, hours. Source: assumption."
    )
    visit_minutes: PositiveFloat = Field(90.0, description="Length of the response visit. Source: assumption.")
    avoidance_probability: Probability = Field(
        0.25,
        description="Share of would-be admissions managed at home after a response. Source: assumption.",
    )
    resolves_minor_crisis_probability: Probability = Field(
        0.5,
        description="Share of crises that would NOT have been admitted that the response visit resolves without a "
        "GP or A&E contact; the others go on to usual care at once (the nurse still visits). Source: assumption.",
    )


class NightVisitsSpec(Mechanism):
    """Late-night care visits for patients anxious at night (seed 004)."""

    social_crisis_rate_ratio: NonNegativeFloat = Field(0.5, description="Social-crisis multiplier. Source: assumption.")
    visits_per_week: PositiveFloat = Field(
        7.0, description="Visits per week. Source: seed 004 ('a late night care visit')."
    )
    visit_minutes: PositiveFloat = Field(30.0, description="Length of a visit (home-care time). Source: assumption.")


class FallsEquipmentSpec(Mechanism):
    """Falls-prevention equipment after an assessment."""

    fall_rate_ratio: NonNegativeFloat = Field(
        0.8, description="Fall-rate multiplier once installed. Source: assumption."
    )
    install_delay_days: NonNegativeFloat = Field(
        14.0, description="Assessment to installation, days. Source: assumption."
    )
    assessment_hours: NonNegativeFloat = Field(
        1.0,
        description="Assessment time, social-work hours (routine work for the locality's social workers, "
        "after urgent assessments). Source: assumption.",
    )
    equipment_cost: NonNegativeFloat = Field(150.0, description="Equipment per patient, GBP. Source: assumption.")


AppliesTo = Literal["enrolled", "everyone"]


class DischargePlanningSpec(Mechanism):
    """Discharge planned from admission, with seven-day social work."""

    applies_to: AppliesTo = Field(
        "enrolled",
        description="Enrolled patients only, or everyone in a locality once it is live (a system-wide service).",
    )
    plan_ahead: bool = Field(True, description="Start the assessment on admission, not when medically fit.")
    seven_day: bool = Field(
        True, description="Weekend social workers assess covered patients' discharges on Saturdays and Sundays."
    )
    weekend_social_workers: NonNegativeInt = Field(
        1,
        description="Social workers added on duty at weekends per live locality for seven-day discharge (the "
        "social work service's hours, on Saturday and Sunday). Source: assumption.",
    )
    weekend_hour_cost: NonNegativeFloat = Field(
        87.0,
        description="Council cost of one weekend social-worker hour on duty, GBP. Source: "
        "[ref:unit_cost.social_worker_adult.hour] 2023/24 (58) x 1.5 for weekend working (assumption).",
    )


class PostDischargeFollowUpSpec(Mechanism):
    """A follow-up visit soon after discharge that lowers the readmission risk of the weeks after it.

    Transitional care is what hospital-initiated case management adds: the crisis rate stays raised for
    ``cohort.events.readmission_window_days`` after every discharge, and a community nurse's visit
    ``within_days`` after the patient is home multiplies it by ``readmission_rate_ratio`` for the rest
    of that window. A nurse who is not free in time means no follow-up (the visit is not queued past the
    window).
    """

    applies_to: AppliesTo = Field(
        "enrolled",
        description="Enrolled patients only, or everyone discharged in a locality once it is live (system-wide).",
    )
    within_days: NonNegativeFloat = Field(
        2.0, description="Days after discharge when the visit is asked for. Source: assumption (within 48 hours)."
    )
    visit_minutes: PositiveFloat = Field(45.0, description="Community nursing time per visit. Source: assumption.")
    readmission_rate_ratio: NonNegativeFloat = Field(
        0.9,
        description="Multiplier on the crisis rate for the rest of the readmission window after the visit. Source: "
        "[ref:outcome.damery2016.readmissions] (10-30% fewer readmissions in 11 of 24 reviews).",
    )


class SharedAssessmentSpec(Mechanism):
    """One shared assessment instead of several separate ones."""

    applies_to: AppliesTo = Field(
        "enrolled", description="Enrolled patients only, or everyone in a locality once it is live."
    )
    assessments_per_referral: PositiveInt | None = Field(
        1,
        description="Assessments a covered patient's referral needs (empty: as many as in the baseline). "
        "Source: seed 001 (less paperwork).",
    )


class HomeCareFirstSpec(Mechanism):
    """Home care that keeps people out of residential care."""

    residential_ratio: Probability = Field(
        0.7, description="Multiplier on residential placements of enrolled patients. Source: assumption."
    )
    extra_hours_per_week: NonNegativeFloat = Field(
        5.0, description="Extra home-care hours per week for those kept at home. Source: assumption."
    )


class CaseFindingSpec(Mechanism):
    """Case finding uncovers unmet need, which raises use (as controlled evaluations found)."""

    admission_probability: Probability = Field(
        0.03,
        description="Share of enrolled patients admitted for needs found at enrolment. Source: assumption.",
    )
    home_care_referral_probability: Probability = Field(
        0.1, description="Share referred for home care for needs found at enrolment. Source: assumption."
    )


class CareHomeSupportSpec(Mechanism):
    """Care-home improvement teams: fewer crises among residents (seed 000, seed 001). System-wide."""

    crisis_rate_ratio: NonNegativeFloat = Field(
        0.85, description="Residents' crisis-rate multiplier. Source: assumption."
    )
    staff_minutes_per_resident_week: NonNegativeFloat = Field(
        20.0, description="Team (nursing) time per resident per week. Source: assumption."
    )


class JointRetrainingSpec(Mechanism):
    """Joint retraining of health and social care staff in each other's roles (seed 000). System-wide."""

    referral_delay_ratio: NonNegativeFloat = Field(
        0.5, description="Multiplier on referral delays. Source: assumption."
    )
    assessment_hours_ratio: NonNegativeFloat = Field(
        0.8, description="Multiplier on the staff time of an assessment. Source: assumption."
    )
    staff_trained_per_locality: NonNegativeInt = Field(
        40, description="Staff trained per locality. Source: assumption."
    )
    training_hours_per_staff: NonNegativeFloat = Field(
        14.0, description="Training per person, hours. Source: assumption."
    )


class EndOfLifeCareSpec(Mechanism):
    """End-of-life care at home: a crisis of a patient recognised as in the last year of life may be
    managed at home (seed 001).

    Recognition uses only what the team can know: the patient's current modelled mortality hazard
    (from tier and where they live) seen through a clinician's prognosis with a persistent lognormal
    error, never the patient's actual time of death.
    """

    applies_to: AppliesTo = Field("enrolled", description="Enrolled patients only, or everyone once live.")
    recognition_threshold: float = Field(
        0.2,
        gt=0,
        lt=1,
        description="Estimated 12-month mortality at or above which the team recognises the last year of life "
        "(the 'surprise question'). Source: assumption.",
    )
    prognosis_error_sd: NonNegativeFloat = Field(
        1.0,
        description="Standard deviation of the log error of a clinician's estimate of the mortality hazard "
        "(0: exact). Source: assumption; White et al. 2017 BMC Med 15:139 "
        "[ref:prognosis.surprise_question_accuracy] found the surprise question only "
        "poorly to reasonably accurate (c-statistic 0.51-0.82, pooled accuracy 74.8%).",
    )
    avoidance_probability: Probability = Field(
        0.3,
        description="Share of crises of recognised patients managed at home. Source: assumption.",
    )
    visit_minutes: PositiveFloat = Field(60.0, description="Palliative nursing visit. Source: assumption.")
