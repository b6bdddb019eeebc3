"""Parameters of one arm, compiled once from the scenario into plain numbers.

The event loop reads these frozen, slotted records (rates per day, probabilities, durations)
instead of walking the validated scenario tree: the scenario stays the single source of the
values, and the model sees only what it uses. Each value is computed with exactly the
arithmetic the pathways used before, so compiled and uncompiled runs agree to the last bit.

Example:
    >>> params = compile_params(scenario)
    >>> params.gp.admission_probability
    0.15
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from carecoord.model.clock import Step
from carecoord.rates import DAYS_PER_YEAR
from carecoord.scenario.arms import Mechanism
from carecoord.scenario.schema import Scenario
from carecoord.trend import yearly_steps


@dataclass(frozen=True, slots=True)
class GpParams:
    appointment_minutes: float
    home_visit_minutes: float
    home_visit_age: float
    max_wait_hours: float
    admission_probability: float
    nursing_referral_probability: float


@dataclass(frozen=True, slots=True)
class AeParams:
    attendance_hours: float
    conveyance_probability: float
    admission_probability: float


@dataclass(frozen=True, slots=True)
class OutOfHoursParams:
    nhs111_share: float
    ae_share: float
    primary_care_share: float
    consultation_minutes: float
    max_wait_hours: float
    admission_probability: float


@dataclass(frozen=True, slots=True)
class HospitalParams:
    short_stay_share: float
    log_mean: float  # mu of the lognormal long stay
    log_sd: float  # sigma of the lognormal long stay
    in_hospital_mortality: float
    needs_residential: float
    needs_intermediate: float
    needs_home_care: float


@dataclass(frozen=True, slots=True)
class NursingParams:
    visit_minutes: float
    follow_up_visits: int
    referral_delay_days: float


@dataclass(frozen=True, slots=True)
class SocialWorkParams:
    assessment_hours: float
    referral_delay_days: float
    assessments_per_referral: int


@dataclass(frozen=True, slots=True)
class HomeCareParams:
    hours_per_week: float
    start_delay_days: float
    mean_package_days: float


@dataclass(frozen=True, slots=True)
class IntermediateCareParams:
    mean_stay_days: float
    home_care_after_probability: float


@dataclass(frozen=True, slots=True)
class EventParams:
    """Natural-history rates per day and the pathway probabilities of falls, social crises, decline."""

    fall_per_day: float
    fall_per_day_80plus: float
    social_per_day: tuple[float, float, float, float]  # by (lives alone, anxious at night) as 2*alone+anxious
    decline_per_day: float
    care_home_crisis_rate_ratio: float
    care_home_mortality_per_day: float
    fall_admission_probability: float
    fall_ae_probability: float
    social_admission_probability: float
    residential_on_decline_probability: float
    readmission_window_days: float
    readmission_rate_ratio: float


@dataclass(frozen=True, slots=True)
class ArmParams:
    """What the pathways read from the scenario (the same in every arm; each mechanism compiles its own)."""

    gp: GpParams
    ae: AeParams
    out_of_hours: OutOfHoursParams
    hospital: HospitalParams
    community_nursing: NursingParams
    social_work: SocialWorkParams
    home_care: HomeCareParams
    intermediate_care: IntermediateCareParams
    events: EventParams
    tier_names: tuple[str, ...]
    tier_admissions_per_year: tuple[float, ...]
    tier_mortality_per_day: tuple[float, ...]
    go_live_days: tuple[float, ...]  # by locality
    locality_names: tuple[str, ...]


def compile_params(scenario: Scenario) -> ArmParams:
    """Compile the scenario's service and natural-history values (the same in every arm)."""
    s = scenario.services
    ev = scenario.cohort.events
    h = s.hospital
    sigma2 = math.log(1 + h.length_of_stay_cv**2)
    social = []
    for alone in (False, True):
        for anxious in (False, True):
            rate = ev.social_crisis_rate_per_year_alone if alone else ev.social_crisis_rate_per_year
            if anxious:
                rate *= ev.social_crisis_anxious_rate_ratio
            social.append(rate / DAYS_PER_YEAR)
    tiers = scenario.cohort.tiers
    return ArmParams(
        gp=GpParams(
            s.gp.appointment_minutes,
            s.gp.home_visit_minutes,
            s.gp.home_visit_age,
            s.gp.max_wait_hours,
            s.gp.admission_probability,
            s.gp.nursing_referral_probability,
        ),
        ae=AeParams(s.ae.attendance_hours, s.ae.conveyance_probability, s.ae.admission_probability),
        out_of_hours=OutOfHoursParams(
            s.out_of_hours.nhs111_share,
            s.out_of_hours.ae_share,
            s.out_of_hours.primary_care_share,
            s.out_of_hours.consultation_minutes,
            s.out_of_hours.max_wait_hours,
            s.out_of_hours.admission_probability,
        ),
        hospital=HospitalParams(
            h.short_stay_share,
            math.log(h.mean_length_of_stay_days) - sigma2 / 2,
            math.sqrt(sigma2),
            h.in_hospital_mortality,
            h.discharge_needs.residential_care,
            h.discharge_needs.intermediate_care,
            h.discharge_needs.home_care,
        ),
        community_nursing=NursingParams(
            s.community_nursing.visit_minutes,
            s.community_nursing.follow_up_visits,
            s.community_nursing.referral_delay_days,
        ),
        social_work=SocialWorkParams(
            s.social_work.assessment_hours, s.social_work.referral_delay_days, s.social_work.assessments_per_referral
        ),
        home_care=HomeCareParams(
            s.home_care.hours_per_week, s.home_care.start_delay_days, s.home_care.mean_package_days
        ),
        intermediate_care=IntermediateCareParams(
            s.intermediate_care.mean_stay_days, s.intermediate_care.home_care_after_probability
        ),
        events=EventParams(
            ev.fall_rate_per_year / DAYS_PER_YEAR,
            ev.fall_rate_per_year_80plus / DAYS_PER_YEAR,
            (social[0], social[1], social[2], social[3]),
            ev.decline_rate_per_year / DAYS_PER_YEAR,
            ev.care_home_crisis_rate_ratio,
            ev.care_home_mortality_per_year / DAYS_PER_YEAR,
            ev.fall_admission_probability,
            ev.fall_ae_probability,
            ev.social_admission_probability,
            ev.residential_on_decline_probability,
            ev.readmission_window_days,
            ev.readmission_rate_ratio,
        ),
        tier_names=tuple(t.name for t in tiers),
        tier_admissions_per_year=tuple(t.emergency_admissions_per_person_year for t in tiers),
        tier_mortality_per_day=tuple(t.mortality_per_year / DAYS_PER_YEAR for t in tiers),
        go_live_days=tuple(scenario.locality_go_live_day(i) for i in range(len(scenario.localities))),
        locality_names=tuple(loc.name for loc in scenario.localities),
    )


@cache
def _record_type(spec_type: type[Mechanism]) -> type:
    """A frozen, slotted record with the fields of a mechanism's schema class."""
    names = [name for name in spec_type.model_fields if name != "enabled"]
    return dataclasses.make_dataclass(
        spec_type.__name__.removesuffix("Spec") + "Params", names, frozen=True, slots=True
    )


def compile_mechanism(spec: Mechanism | None) -> Any:
    """A mechanism's parameters as a frozen record of plain values (None if it is off).

    The record has the schema class's fields (without ``enabled``), so a mechanism reads
    ``params.visit_minutes`` exactly as the scenario names it.
    """
    if spec is None:
        return None
    record = _record_type(type(spec))
    return record(**{f.name: getattr(spec, f.name) for f in dataclasses.fields(record)})


def crisis_trend(scenario: Scenario, horizon: float) -> Step | None:
    """The secular trend as a crisis-rate step (a change point per simulated year), or ``None``."""
    trend = scenario.simulation.trend
    if trend is None:
        return None
    return Step(1.0, *yearly_steps(trend.emergency_admissions_per_year, horizon))
