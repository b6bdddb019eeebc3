"""Schema of the patient cohort: who the patients are and their natural history.

Natural history (crises, falls, social crises, decline, death) is the same in every arm;
arms differ only in what services and mechanisms do about it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, NonNegativeFloat, PositiveFloat, model_validator

from carecoord.scenario.base import Probability, StrictModel


class AgeSpec(StrictModel):
    """Age distribution of the cohort: a normal truncated to [min, max]."""

    mean: float = Field(76.0, description="Mean age, years. Source: assumption (older adults with LTCs).")
    sd: NonNegativeFloat = Field(10.0, description="Standard deviation of age, years. Source: assumption.")
    min: NonNegativeFloat = Field(18.0, description="Youngest age, years. Default: adults (assumption).")
    max: float = Field(100.0, le=120, description="Oldest age, years. Source: assumption.")

    @model_validator(mode="after")
    def _ordered(self) -> AgeSpec:
        if not self.min <= self.mean <= self.max:
            raise ValueError("need min <= mean <= max")
        return self


class ConditionSpec(StrictModel):
    """A long-term condition, recorded on each patient with the given prevalence."""

    name: str = Field(..., min_length=1, description="Condition name, e.g. diabetes, copd.")
    prevalence: Probability = Field(..., description="Share of the cohort with it.")
    crisis_rate_ratio: PositiveFloat = Field(
        1.0,
        description="Relative risk of a crisis (exacerbation) for a patient with this condition, against one "
        "without it. Each patient's crisis rate is multiplied by the product of their conditions' ratios, divided "
        "by that product's expected value (conditions are drawn independently of the tier, so this is its mean in "
        "every tier): each tier keeps its mean crisis rate, and so its calibrated admission rate up to the "
        "extra time a wider spread of rates spends in hospital (re-run carecoord calibrate; docs/model.md). "
        "Default: no effect (1). Shipped scenarios cite their figure, e.g. [ref:condition.diabetes.hospitalisation_rr] "
        "(docs/references.csv, rows condition.*).",
    )
    gp_consultation_rate_ratio: PositiveFloat = Field(
        1.0,
        description="Rate ratio of routine GP consultations for a patient with this condition, against one without "
        "it. Normalised like crisis_rate_ratio (product over the patient's conditions, divided by its expected value), "
        "so each tier keeps its routine_gp_consultations_per_year on average and only who consults moves. "
        "Default: no effect (1). Source for shipped values: Browne J et al. 2017 BMJ Open 7:e012546, Table 4 "
        "(primary-care consultation rate ratios, mutually adjusted, UK people with dementia), e.g. "
        "[ref:condition.diabetes.primary_care_consultation_rr].",
    )
    district_nursing_rate_ratio: PositiveFloat = Field(
        1.0,
        description="Rate ratio of routine district-nursing visits for a patient with this condition who is on a "
        "district-nursing caseload. Normalised like crisis_rate_ratio, so each tier keeps its mean visit rate. "
        "Default: no effect (1); no shipped scenario sets it (no source found, docs/model.md).",
    )


class TierSpec(StrictModel):
    """A risk tier: its share of the cohort and its observed use."""

    name: str = Field(..., min_length=1, description="Tier name, e.g. moderate, high, very_high.")
    share: float = Field(..., gt=0, le=1, description="Share of the cohort in this tier.")
    emergency_admissions_per_person_year: NonNegativeFloat = Field(
        ..., description="Observed emergency admissions per person-year (calibration target)."
    )
    crisis_rate_per_year: NonNegativeFloat | None = Field(
        None,
        description="Mean rate of crises (exacerbations) per person-year at home. Empty: derived "
        "from the observed admission rate by inverting the baseline pathway (see docs/model.md).",
    )
    mortality_per_year: NonNegativeFloat = Field(
        0.05,
        description="Deaths per person-year from all causes of a patient of this tier living in the community "
        "(a calibration input): fatal crises and falls (in hospital if admitted, at home otherwise) plus a "
        "background hazard at home solved so that the total equals this (see docs/model.md, deaths). "
        "Source: assumption.",
    )
    routine_gp_consultations_per_year: NonNegativeFloat = Field(
        6.0,
        le=365.0,
        description="Routine GP consultations (long-term condition reviews, repeat problems) per person-year at "
        "home, booked ahead, on top of crisis contacts. Source: derived, 5.16 primary-care consultations per "
        "person-year in England 2013/14 ([ref:primary_care.consultations_per_person_year] Hobbs FDR et al. "
        "2016, 'Clinical workload in UK primary care: a "
        "retrospective analysis of 100 million consultations in England, 2007-14', Lancet 387:2323-30) x 1.94 "
        "for multimorbid adults (27.2% of adults with 52.9% of GP consultations [ref:multimorbidity.prevalence_2plus] "
        "[ref:multimorbidity.share_gp_consultations]: Cassell A et al. 2018, 'The "
        "epidemiology of multimorbidity in primary care: a retrospective cohort study', Br J Gen Pract "
        "68:e245-51) x 62% by GPs ([ref:primary_care.share_consultations_by_gp] Hippisley-Cox J, "
        "Vinogradova Y 2009, 'Trends in consultation rates in "
        "general practice 1995 to 2008: analysis of the QResearch database', NHS Information Centre) = 6.2, "
        "less ~0.5 crisis contacts a year the pathways add; rounded. At most 365 (one a day).",
    )
    district_nursing_caseload_share: Probability = Field(
        0.15,
        description="Share of the tier on a district-nursing caseload (routine home visits, e.g. wound care, "
        "injections, catheters). Source: assumption.",
    )


class InstabilitySpec(StrictModel):
    """Spells of instability that raise the crisis rate for weeks (regression to the mean).

    The stable-state multiplier is set so that the long-run mean rate is the tier's rate.
    """

    mean_stable_days: PositiveFloat = Field(
        300.0, description="Mean length of a stable period, days. Source: assumption."
    )
    mean_spell_days: PositiveFloat = Field(
        60.0, description="Mean length of an unstable spell, days. Source: assumption."
    )
    spell_rate_ratio: float = Field(3.0, ge=1, description="Crisis-rate multiplier during a spell. Source: assumption.")

    @property
    def spell_fraction(self) -> float:
        return self.mean_spell_days / (self.mean_spell_days + self.mean_stable_days)

    @property
    def stable_rate_ratio(self) -> float:
        f = self.spell_fraction
        return max(0.0, (1.0 - f * self.spell_rate_ratio) / (1.0 - f))

    @model_validator(mode="after")
    def _mean_preserved(self) -> InstabilitySpec:
        if self.spell_fraction * self.spell_rate_ratio > 1.0:
            raise ValueError("spell_rate_ratio x spell share exceeds 1: the mean crisis rate could not be kept")
        return self


class EventRatesSpec(StrictModel):
    """Rates and consequences of the events other than crises."""

    fall_rate_per_year: NonNegativeFloat = Field(
        0.36,
        description="Falls per person-year, aged under 80. Source: -ln(1-0.30), "
        "[ref:falls.annual_prob_65plus] (NICE CG161).",
    )
    fall_rate_per_year_80plus: NonNegativeFloat = Field(
        0.69,
        description="Falls per person-year, aged 80+. Source: -ln(1-0.50), "
        "[ref:falls.annual_prob_80plus] (NICE CG161).",
    )
    fall_ae_probability: Probability = Field(0.2, description="Share of falls taken to A&E. Source: assumption.")
    fall_admission_probability: Probability = Field(
        0.06,
        description="Share of falls admitted. Source: derived, 209,989 fall "
        "admissions ([ref:falls.emergency_admissions_65plus] 2022/23) / ~11m aged 65+ (assumption) / "
        "0.36 falls per person-year ~ 0.05, raised for an LTC cohort (assumption).",
    )
    social_crisis_rate_per_year: NonNegativeFloat = Field(
        0.05,
        description="Social crises (carer breakdown, night-time anxiety) per person-year, "
        "living with others. Source: assumption.",
    )
    social_crisis_rate_per_year_alone: NonNegativeFloat = Field(
        0.2, description="Social crises per person-year, living alone. Source: assumption."
    )
    social_crisis_anxious_rate_ratio: NonNegativeFloat = Field(
        2.0, description="Multiplier on social crises for patients anxious at night. Source: assumption."
    )
    social_admission_probability: Probability = Field(
        0.1,
        description="Share of out-of-hours social crises that end in an emergency "
        "admission ('social admission'). Source: assumption.",
    )
    decline_rate_per_year: NonNegativeFloat = Field(
        0.15, description="Functional declines per person-year (a step up in care needs). Source: assumption."
    )
    residential_on_decline_probability: Probability = Field(
        0.25,
        description="Share of declines, in patients already with home care, that "
        "lead to a residential placement. Source: assumption.",
    )
    readmission_rate_ratio: float = Field(
        2.0,
        ge=1,
        description="Crisis-rate multiplier in the weeks after a discharge. Source: chosen "
        "so that 30-day readmissions are near 12-14% ([ref:readmission.30day_rate], 2013/14).",
    )
    readmission_window_days: NonNegativeFloat = Field(
        30.0,
        description="Length of the raised-risk window after discharge, days. Source: "
        "[ref:readmission.30day_rate] (30-day definition).",
    )
    care_home_crisis_rate_ratio: NonNegativeFloat = Field(
        0.8, description="Crisis-rate multiplier for residents of care homes. Source: assumption."
    )
    care_home_mortality_per_year: NonNegativeFloat = Field(
        0.3,
        description="Deaths per person-year in residential care from all causes (fatal crises included; the "
        "background hazard is solved so that the total equals this). Source: assumption.",
    )


# Share of arrivals by hour of day, per cent (00:00-01:00 first). Shape: assumption, constrained by HSCIC,
# 'Accident and Emergency Attendances in England 2012-13' (close to 60% of arrivals between 09:00 and 18:00,
# [ref:ae_arrivals.share_09_18]) and 'Accident and Emergency Attendances in England 2011-12' (busiest 10:00-12:00,
# quietest ~04:00, [ref:ae_arrivals.peak_hours]).
CRISIS_HOUR_WEIGHTS = [
    *(2.0, 1.6, 1.3, 1.1, 1.0, 1.0, 1.3, 2.2, 4.0),  # 00-09: 15.5%
    *(6.2, 7.2, 7.3, 6.9, 6.6, 6.5, 6.5, 6.4, 6.4),  # 09-18: 60.0%
    *(5.8, 5.3, 4.6, 3.7, 2.9, 2.2),  # 18-24: 24.5%
]
# Monday 16% of attendances [ref:ae_arrivals.monday_share], the other days equal (assumption).
CRISIS_DAY_WEIGHTS = [16.0] + [14.0] * 6


class CrisisTimingSpec(StrictModel):
    """When in the week crises happen: hour-of-day and day-of-week weights (relative; a flat week is all 1s).

    The crisis hazard is scaled by weekday weight x hour weight, normalised to a mean of 1 over the
    week, so yearly rates are unchanged and only the timing (and so the route: GP in hours, NHS 111,
    999/A&E) moves.
    """

    hour_of_day_weights: list[PositiveFloat] = Field(
        default_factory=lambda: list(CRISIS_HOUR_WEIGHTS),
        min_length=24,
        max_length=24,
        description="24 relative weights, 00:00-01:00 first. Source: A&E arrivals by hour, HSCIC 2013 'Accident "
        "and Emergency Attendances in England 2012-13' (~60% arrive 09:00-18:00, [ref:ae_arrivals.share_09_18]) "
        "and HSCIC 2012 '... 2011-12' (peak 10:00-12:00, [ref:ae_arrivals.peak_hours]); hour-by-hour shape: "
        "assumption within those constraints. All ages: an assumption for an older LTC cohort.",
    )
    day_of_week_weights: list[PositiveFloat] = Field(
        default_factory=lambda: list(CRISIS_DAY_WEIGHTS),
        min_length=7,
        max_length=7,
        description="7 relative weights, Monday first. Source: NHS Digital 2020 'Hospital Accident and Emergency "
        "Activity 2019-20' (Monday 16% of attendances, [ref:ae_arrivals.monday_share]); other days equal: assumption.",
    )


class InitialStateSpec(StrictModel):
    """Where patients are on the first day: today's caseload, not an empty system."""

    in_hospital_fraction: Probability | None = Field(
        None,
        description="Share in hospital at the start. Empty: Little's law, admission rate x mean length of stay / 365.",
    )
    in_residential_fraction: Probability = Field(
        0.02, description="Share already in residential care. Source: assumption."
    )
    home_care_fraction: Probability = Field(
        0.15, description="Share already with a home-care package. Source: assumption."
    )


class CohortSpec(StrictModel):
    """Who the patients are, how risky, and how their risk moves over time."""

    tiers: list[TierSpec] = Field(..., min_length=1, description="Risk tiers (at least one).")
    age: AgeSpec = Field(default_factory=AgeSpec, description="Age distribution.")
    lives_alone_probability: Probability = Field(0.35, description="Share living alone. Source: assumption.")
    anxious_at_night_probability: Probability = Field(
        0.15, description="Share anxious at night (night-time visits target them). Source: assumption."
    )
    conditions: list[ConditionSpec] = Field(
        default_factory=list, description="Long-term conditions recorded on patients."
    )
    heterogeneity_shape: PositiveFloat = Field(
        2.0,
        description="Gamma shape of individual crisis rates around the tier mean (variance "
        "1/shape). Source: assumption, gives over-dispersed yearly admissions as in "
        "[ref:high_impact_user.rate].",
    )
    instability: InstabilitySpec = Field(default_factory=InstabilitySpec, description="Spells of instability.")
    events: EventRatesSpec = Field(default_factory=EventRatesSpec, description="Non-crisis events.")
    initial: InitialStateSpec = Field(default_factory=InitialStateSpec, description="State on day one.")
    crisis_timing: CrisisTimingSpec = Field(
        default_factory=CrisisTimingSpec, description="When in the week crises happen."
    )
    csv: Path | None = Field(
        None,
        description="Optional CSV of patients (relative to the scenario file) that replaces "
        "the generated initial cohort: columns locality, age, tier, lives_alone, anxious_at_night.",
    )

    @model_validator(mode="after")
    def _tiers_consistent(self) -> CohortSpec:
        total = sum(t.share for t in self.tiers)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"tier shares must add up to 1 (they add up to {total:g})")
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError("tier names must be unique")
        return self

    def tier_index(self, name: str) -> int:
        return [t.name for t in self.tiers].index(name)
