"""Schema of the arms and the mechanisms of named-coordinator integrated care.

An arm is a named set of mechanisms. The ``baseline`` arm (separate services) has none; an
integrated arm switches mechanisms on one by one, each with its own parameters and staff time.
A mechanism left out of the YAML is off. Nothing here is a "% fewer admissions" knob: every
effect acts on one step of a patient's pathway. Defaults are assumptions unless a source is given;
evidence-based and pilot-claimed effect sets come with the scenario library.
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

from carecoord.scenario.base import OpeningHoursSpec, Probability, StrictModel, weekday_hours


class Mechanism(StrictModel):
    """Common switch of every mechanism."""

    enabled: bool = Field(True, description="Set false to switch the mechanism off.")


class EnrolmentSpec(Mechanism):
    """Named coordinators enrol patients above a risk threshold, up to coordinators x caseload."""

    coordinators: NonNegativeInt | dict[str, NonNegativeInt] = Field(
        1,
        description="Coordinators per locality (a number for every locality, or a map by locality). "
        "Default: assumption (scenarios state their own).",
    )
    caseload: PositiveInt = Field(
        50, description="Patients per coordinator. Source: [ref:caseload.community_matron] (50-80, DH 2005)."
    )
    coordinator_annual_cost: NonNegativeFloat = Field(
        98836.0,
        description="Cost of one coordinator post per year, GBP. Source: "
        "[ref:unit_cost.nurse_band6.annual_total] (PSSRU 2024).",
    )
    eligible_tiers: list[str] | None = Field(None, description="Tiers that can be enrolled (empty: every tier).")
    min_admissions_last_year: NonNegativeInt = Field(
        0,
        description="Emergency admissions in the past 365 days needed to be eligible (selection by prior use). "
        "Shorthand for min_admissions with lookback_days 365; give one or the other. "
        "Default: no selection by prior use (assumption).",
    )
    min_admissions: NonNegativeInt | None = Field(
        None,
        description="Emergency admissions in the past lookback_days needed to be eligible (e.g. 2 in 396 days: "
        "'2+ admissions in 13 months'). Empty: min_admissions_last_year.",
    )
    lookback_days: PositiveFloat = Field(
        365.0,
        description="Look-back window of min_admissions and of the risk score's prior admissions, days. "
        "Default: one year, as the risk tools' prior-use variables (assumption).",
    )
    min_age: NonNegativeFloat | None = Field(
        None, description="Youngest age that can be enrolled, years (empty: no lower limit)."
    )
    max_age: NonNegativeFloat | None = Field(
        None, description="Oldest age that can be enrolled, years (empty: no upper limit)."
    )
    conditions_any: list[str] | None = Field(
        None,
        description="Enrol only patients with at least one of these long-term conditions (names from "
        "cohort.conditions; empty: any patient).",
    )
    risk_score_threshold: NonNegativeFloat | None = Field(
        None,
        description="Case finding by predictive model (PARR / Combined Predictive Model style): enrol only patients "
        "whose risk score is at least this. The score is what the practice can compute: the tier's admissions "
        "per person-year x the relative risk of the patient's recorded conditions (normalised within the tier), "
        "plus the patient's emergency admissions in the look-back window per year of window (docs/model.md). "
        "Empty: no threshold. Every criterion combines with the others by AND.",
    )
    enrolment_days: PositiveFloat | None = Field(
        None,
        description="Time-limited enrolment: days after enrolment when the patient is discharged from the caseload "
        "(plan closed, place released, the next on the waiting list enrolled). Empty: enrolled for life.",
    )
    discharge_at_review_if_stable_days: PositiveFloat | None = Field(
        None,
        description="At a care-plan review, discharge from the caseload a patient with no emergency admission in "
        "this many days. Empty: reviews never discharge.",
    )
    reenrol_after_days: NonNegativeFloat | None = Field(
        None,
        description="A patient discharged from the caseload may be re-enrolled this many days later if eligible "
        "again (checked then and at each later admission). Empty: never re-enrolled.",
    )
    mdt_interval_days: PositiveFloat = Field(
        14.0, description="Days between MDT meetings. Source: [ref:mdt.meeting_interval_days.bhr_integrated_care]."
    )
    mdt_minutes_per_patient: PositiveFloat = Field(
        15.0, description="MDT discussion of one new care plan, minutes. Source: assumption."
    )
    mdt_attendees: PositiveInt = Field(
        5,
        description="Professionals at each coordinator's MDT besides the coordinator (MDT hours = meeting hours x "
        "attendees x coordinators, "
        "costed per hour; the coordinators' time is coordinator time). "
        "Source: seed 004 (social worker, district nurse, community matron, mental health lead, GP).",
    )
    review_interval_days: PositiveFloat = Field(
        90.0, description="Care-plan review interval, days. Source: assumption."
    )
    initial_assessment_hours: NonNegativeFloat = Field(
        2.0, description="Coordinator's first (shared) assessment, hours of coordinator time. Source: assumption."
    )
    coordinator_working_hours: OpeningHoursSpec = Field(
        default_factory=lambda: weekday_hours(9.0, 17.0),
        description="When coordinators work (assessments, contacts, crisis triage, MDT meetings; each coordinator "
        "one task at a time). Source: assumption.",
    )
    new_plans_per_coordinator_per_meeting: PositiveInt = Field(
        5,
        description="New care plans each coordinator can bring to one MDT meeting for agreement; the rest wait for "
        "the next meeting, so a go-live enrols over weeks. Source: assumption (five 15-minute discussions, "
        "mdt_minutes_per_patient, in each coordinator's 1.25 hours of a meeting, mdt_meeting_hours).",
    )
    mdt_meeting_hours: PositiveFloat = Field(
        1.25,
        description="Length of one MDT meeting, hours: it holds every coordinator of the locality for this long. "
        "Each coordinator's patients are discussed for that time (one practice MDT per coordinator, meeting at the "
        "same time), so the discussion time is this x 60 minutes x coordinators, shared by the care-plan reviews "
        "due (first) and the new plans (the time left). Source: assumption (1.25 h = the 5 new plans per "
        "coordinator of new_plans_per_coordinator_per_meeting x 15 minutes, mdt_minutes_per_patient).",
    )
    mdt_review_minutes_per_patient: PositiveFloat = Field(
        5.0,
        description="MDT discussion of one care-plan review, minutes (a new plan takes mdt_minutes_per_patient). "
        "Reviews not reached wait for the next meeting. Source: assumption (an agreed plan is checked, not "
        "rewritten).",
    )
    contact_interval_days: PositiveFloat = Field(
        14.0,
        description="Days between the coordinator's regular contacts with each patient who has a care plan "
        "(routine coordinator work, skipped while the patient is away from home). Source: assumption.",
    )
    contact_minutes: PositiveFloat = Field(
        45.0,
        description="Coordinator time of one regular contact, minutes (call or visit, travel and notes). "
        "Source: assumption.",
    )
    triage_minutes: PositiveFloat = Field(
        20.0,
        description="Coordinator time to triage a crisis call of a patient with a plan in coordinator hours "
        "(single point of contact): urgent work, before regular contacts. Source: assumption.",
    )
    triage_max_wait_hours: NonNegativeFloat = Field(
        1.0,
        description="Longest a crisis call waits for a coordinator to answer, hours; unanswered, the crisis goes "
        "on to usual care without the plan's crisis response. 0: answered only if a coordinator is free at once. "
        "Source: assumption.",
    )

    @model_validator(mode="after")
    def _selection(self) -> EnrolmentSpec:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(
                f"min_age ({self.min_age:g}) is above max_age ({self.max_age:g}): nobody could be enrolled"
            )
        if self.min_admissions is not None and self.min_admissions_last_year:
            raise ValueError(
                "give min_admissions (with lookback_days) or min_admissions_last_year (365 days), not both"
            )
        if self.min_admissions_last_year and "lookback_days" in self.model_fields_set and self.lookback_days != 365:
            raise ValueError(
                "min_admissions_last_year counts the past 365 days; with lookback_days use min_admissions instead"
            )
        return self

    @property
    def admissions_needed(self) -> int:
        """Admissions in the look-back window needed to be eligible (0: no selection by prior use)."""
        return self.min_admissions_last_year if self.min_admissions is None else self.min_admissions

    @property
    def time_limited(self) -> bool:
        """True if patients can leave the caseload alive (a time limit or discharge at review)."""
        return self.enrolment_days is not None or self.discharge_at_review_if_stable_days is not None

    @model_validator(mode="after")
    def _meeting_fits_a_plan(self) -> EnrolmentSpec:
        minutes = self.mdt_meeting_hours * 60.0
        if minutes < self.mdt_minutes_per_patient:
            raise ValueError(
                f"mdt_meeting_hours ({self.mdt_meeting_hours:g} h) is shorter than mdt_minutes_per_patient "
                f"({self.mdt_minutes_per_patient:g} min): no new care plan could ever be agreed"
            )
        if minutes < self.mdt_review_minutes_per_patient:
            raise ValueError(
                f"mdt_meeting_hours ({self.mdt_meeting_hours:g} h) is shorter than mdt_review_minutes_per_patient "
                f"({self.mdt_review_minutes_per_patient:g} min): no care-plan review could ever be discussed"
            )
        return self


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


SYSTEM_WIDE = frozenset({"care_home_support", "joint_retraining"})
"""Mechanisms that act on a live locality's whole population, not through enrolment."""


class MechanismsSpec(StrictModel):
    """The mechanisms of integrated care. Each one left out is off."""

    enrolment: EnrolmentSpec | None = Field(None, description="Named coordinator enrolment (all others need it).")
    proactive_visits: ProactiveVisitsSpec | None = Field(None, description="Proactive visits.")
    medication_review: MedicationReviewSpec | None = Field(None, description="Medication review and self-management.")
    rapid_response: RapidResponseSpec | None = Field(None, description="Rapid community crisis response.")
    night_visits: NightVisitsSpec | None = Field(None, description="Night-time visits.")
    falls_equipment: FallsEquipmentSpec | None = Field(None, description="Falls equipment.")
    discharge_planning: DischargePlanningSpec | None = Field(
        None, description="Discharge planned ahead, seven-day social work."
    )
    post_discharge_follow_up: PostDischargeFollowUpSpec | None = Field(
        None, description="A follow-up visit after discharge (transitional care)."
    )
    shared_assessment: SharedAssessmentSpec | None = Field(None, description="One shared assessment.")
    home_care_first: HomeCareFirstSpec | None = Field(None, description="Home care instead of residential care.")
    case_finding: CaseFindingSpec | None = Field(None, description="Case finding of unmet need.")
    care_home_support: CareHomeSupportSpec | None = Field(
        None, description="Care-home improvement teams (system-wide)."
    )
    joint_retraining: JointRetrainingSpec | None = Field(None, description="Joint staff retraining (system-wide).")
    end_of_life_care: EndOfLifeCareSpec | None = Field(None, description="End-of-life care at home.")

    def active(self, name: str) -> Mechanism | None:
        """The mechanism's spec if it is switched on and can act: enrolment-based mechanisms need
        enrolment on, unless they apply to everyone (system-wide)."""
        spec = getattr(self, name)
        if spec is None or not spec.enabled:
            return None
        if name == "enrolment" or name in SYSTEM_WIDE or getattr(spec, "applies_to", "enrolled") == "everyone":
            return spec
        return spec if self.active("enrolment") is not None else None

    def weekend_social_workers(self, locality: str) -> int:
        """Social workers seven-day discharge adds at weekends in a locality: none if it covers nobody
        there (off, not seven-day, or enrolment-only with no coordinators in the locality)."""
        spec = self.active("discharge_planning")
        if spec is None or not spec.seven_day:  # type: ignore[attr-defined]
            return 0
        if spec.applies_to == "enrolled":  # type: ignore[attr-defined]
            coords = self.enrolment.coordinators if self.enrolment is not None else 0
            if (coords.get(locality, 0) if isinstance(coords, dict) else coords) == 0:
                return 0
        return spec.weekend_social_workers  # type: ignore[attr-defined]

    @property
    def any_active(self) -> bool:
        return any(self.active(name) is not None for name in type(self).model_fields)


class ArmSpec(StrictModel):
    """One arm of the comparison."""

    name: str = Field(..., pattern=r"^[a-z][a-z0-9_]*$", description="Arm name (snake_case); one must be 'baseline'.")
    description: str = Field("", description="What the arm represents.")
    effects: Literal["evidence_based", "pilot_claimed", "neutral"] | None = Field(
        None,
        description="Named effect set (carecoord/effects/*.yaml) that supplies the parameters of the mechanisms "
        "this arm switches on; values given in the arm win. Empty: the schema defaults. 'neutral': every "
        "mechanism's staff time, no effect on any patient (a verification set).",
    )
    mechanisms: MechanismsSpec = Field(default_factory=MechanismsSpec, description="Mechanisms switched on.")
    added_capacity: dict[
        Literal[
            "gp", "community_nursing", "social_work", "home_care", "intermediate_care", "hospital", "residential_care"
        ],
        int,
    ] = Field(
        default_factory=dict,
        description="Capacity this arm adds to (or, negative, removes from) a capacity-limited service, per "
        "locality for community services (e.g. delegated community rehabilitation beds).",
    )
