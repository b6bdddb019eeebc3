"""Schema of the arms and the mechanisms of named-coordinator integrated care.

An arm is a named set of mechanisms. The ``baseline`` arm (separate services) has none; an
integrated arm switches mechanisms on one by one, each with its own parameters and staff time.
A mechanism left out of the YAML is off. Nothing here is a "% fewer admissions" knob: every
effect acts on one step of a patient's pathway. Defaults are assumptions unless a source is given;
evidence-based and pilot-claimed effect sets come with the scenario library.

This module holds the arm, the list of its mechanisms and enrolment (named coordinators and their
caseload, which the other mechanisms need); the other mechanisms' specs are in
:mod:`carecoord.scenario.mechanisms` and are importable from here as before.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    model_validator,
)

from carecoord.scenario.base import OpeningHoursSpec, StrictModel, weekday_hours
from carecoord.scenario.mechanisms import (
    CareHomeSupportSpec,
    CaseFindingSpec,
    DischargePlanningSpec,
    EndOfLifeCareSpec,
    FallsEquipmentSpec,
    HomeCareFirstSpec,
    JointRetrainingSpec,
    Mechanism,
    MedicationReviewSpec,
    NightVisitsSpec,
    PostDischargeFollowUpSpec,
    ProactiveVisitsSpec,
    RapidResponseSpec,
    SharedAssessmentSpec,
)

MAX_COORDINATORS = 10_000
"""Upper bound on a locality's coordinators (assumption: far above any English place; the MDT meeting
holds every coordinator at once, so a typo such as 1e16 would otherwise exhaust memory)."""
CoordinatorCount = Annotated[int, Field(ge=0, le=MAX_COORDINATORS)]


class EnrolmentSpec(Mechanism):
    """Named coordinators enrol patients above a risk threshold, up to coordinators x caseload."""

    coordinators: CoordinatorCount | dict[str, CoordinatorCount] = Field(
        1,
        description="Coordinators per locality (a number for every locality, or a map by locality), at most "
        f"{MAX_COORDINATORS:,}. Default: assumption (scenarios state their own).",
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
    case_finding_interval_days: PositiveFloat | None = Field(
        None,
        description="Periodic case finding: every this many days from go-live, each locality re-runs its risk "
        "stratification and every patient at home, alive, not on the caseload or its waiting list who now meets "
        "the criteria joins the waiting list (only patients whose eligibility may have changed since they were "
        "last checked are looked at: docs/model.md). Costs no coordinator time (the risk tool runs centrally; no "
        "source gives the time). Empty: eligibility is checked only at go-live, arrival, admission and "
        "re-enrolment. Monthly (30) as the Devon Predictive Model's report "
        "[ref:enrolment.risk_list_refresh_interval_days.south_devon].",
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
