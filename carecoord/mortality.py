"""Deaths: total mortality per tier is the input; admission changes where a death happens, not whether.

A crisis (or a fall) may be fatal. Whether it is depends only on the episode's own severity, never
on the route it takes or on the arm: the most severe ``fatality`` share of crises are fatal, a
subset of those every baseline route admits. A fatal crisis ends in death after the time its
hospital stay would have taken: in hospital if the patient was admitted, at home (or in the care
home) if a GP, a nurse or the coordinator kept them there. Crisis and fall clocks stop while a
patient is in hospital or intermediate care (no new crisis starts there), so the fatal share of the
crises and falls they would have had at home runs on there as a death hazard
(``World.fatal_hazard_away``): time away from home neither protects nor exposes. On top of that
runs a background hazard everywhere, solved per tier so that crisis-related deaths plus background
deaths equal the tier's ``mortality_per_year``. So an avoided admission, or a bed day saved, moves
a death between hospital and home; it saves a life only through an explicit parameter (a lower
crisis rate, for instance), never by itself. What remains: an avoided discharge avoids the raised
crisis rate of the weeks after it (``readmission_rate_ratio``), so each avoided admission changes
expected deaths by a little (docs/model.md, deaths).

The solve is exact when crisis counts are what ``crises_per_home_year`` says (no instability
spells, no post-discharge boost); with them it is an analytic approximation that overstates
the boost at high crisis rates, so check deaths per tier when calibrating.

Example:
    >>> background = background_mortality(scenario)
    >>> background.home_per_day[0], background.problems
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from carecoord.rates import (
    DAYS_PER_YEAR,
    crisis_admission_probability,
    crisis_rates_per_day,
)
from carecoord.scenario.schema import Scenario


def crisis_fatality(scenario: Scenario) -> float:
    """Chance that a crisis at home is fatal: in-hospital mortality x the baseline's admission chance.

    With that value the share of baseline crisis admissions that end in death is exactly
    ``in_hospital_mortality`` (Bottle 2006, [ref:mortality.in_index_emergency_spell]), because fatal
    crises are the most severe ones.
    """
    return scenario.services.hospital.in_hospital_mortality * crisis_admission_probability(scenario)


def resident_crisis_fatality(scenario: Scenario) -> float:
    """Chance that a care-home resident's crisis is fatal (residents' crises go to A&E)."""
    return scenario.services.hospital.in_hospital_mortality * scenario.services.ae.admission_probability


def fall_fatality(scenario: Scenario) -> float:
    """Chance that a fall is fatal: in-hospital mortality x the share of falls admitted."""
    return scenario.services.hospital.in_hospital_mortality * scenario.cohort.events.fall_admission_probability


def _mean_fall_rate_per_year(scenario: Scenario) -> float:
    ev = scenario.cohort.events
    age = scenario.cohort.age
    share_80 = float(age.mean >= 80)
    if age.sd > 0:
        share_80 = 0.5 * math.erfc((80.0 - age.mean) / (age.sd * math.sqrt(2.0)))
    return (1 - share_80) * ev.fall_rate_per_year + share_80 * ev.fall_rate_per_year_80plus


def crises_per_home_year(scenario: Scenario, tier_rate_per_year: float) -> tuple[float, float]:
    """(crises, crisis admissions) per person-year at home in the baseline, readmission boost included.

    The boost adds ``a L^2`` admissions to ``p L`` (see :func:`carecoord.rates.derived_crisis_rate_per_year`),
    so crises are ``L + a L^2 / p``.
    """
    c = scenario.cohort
    ev = c.events
    p = crisis_admission_probability(scenario)
    inst = c.instability
    f = inst.spell_fraction
    second_moment = (1 + 1 / c.heterogeneity_shape) * (
        f * inst.spell_rate_ratio**2 + (1 - f) * inst.stable_rate_ratio**2
    )
    a = (ev.readmission_rate_ratio - 1) * ev.readmission_window_days / DAYS_PER_YEAR * p**2 * second_moment
    rate = tier_rate_per_year
    boost = a * rate * rate
    crises = rate + (boost / p if p > 0 else 0.0)
    return crises, p * rate + boost


@dataclass(frozen=True)
class Fatality:
    """Chance that an episode is fatal, compared with its severity uniform (the most severe die)."""

    crisis: float
    resident_crisis: float
    fall: float

    @classmethod
    def of(cls, scenario: Scenario) -> Fatality:
        return cls(crisis_fatality(scenario), resident_crisis_fatality(scenario), fall_fatality(scenario))


@dataclass(frozen=True)
class BackgroundMortality:
    """Background death hazards per tier (per day) at home and in a care home, and what did not fit."""

    home_per_day: list[float]
    care_home_per_day: list[float]
    crisis_deaths_per_year: list[float] = field(default_factory=list)  # per person-year, by tier
    problems: list[str] = field(default_factory=list)


def background_mortality(scenario: Scenario) -> BackgroundMortality:
    """Solve each tier's background hazard so that total deaths per person-year equal its input.

    Per person-year at home a tier's patients die of crises and falls at ``D = f_c x crises + f_f x falls``;
    away from home (hospital, intermediate care) the same fatal hazard runs on the death clock, so
    it applies all year. The background rate ``b`` runs everywhere too: ``m = b + D`` gives
    ``b = m - D``. A tier whose input is below ``D`` gets ``b = 0`` and a problem message (its total
    mortality is then above the input).
    """
    c = scenario.cohort
    ev = c.events
    f_crisis = crisis_fatality(scenario)
    f_fall = fall_fatality(scenario)
    f_resident = resident_crisis_fatality(scenario)
    falls = _mean_fall_rate_per_year(scenario)
    home, care_home, crisis_deaths, problems = [], [], [], []
    for t, (tier, rate_per_day) in enumerate(zip(c.tiers, crisis_rates_per_day(scenario), strict=True)):
        rate = rate_per_day * DAYS_PER_YEAR
        crises, admissions = crises_per_home_year(scenario, rate)
        deaths = f_crisis * crises + f_fall * falls
        admitted = admissions + falls * ev.fall_admission_probability
        background = tier.mortality_per_year - deaths
        crisis_deaths.append(deaths)
        if background < 0:
            problems.append(
                f"cohort.tiers.{t}.mortality_per_year: {tier.mortality_per_year:g} deaths per person-year is below "
                f"the {deaths:.3g} that crises and falls alone cause (in_hospital_mortality "
                f"{scenario.services.hospital.in_hospital_mortality:g} x ~{admitted:.2f} "
                "crisis and fall admissions per person-year); background mortality set to 0, so this tier dies "
                "faster than its input"
            )
            background = 0.0
        home.append(background / DAYS_PER_YEAR)
        resident = ev.care_home_mortality_per_year - f_resident * rate * ev.care_home_crisis_rate_ratio
        if resident < 0:
            problems.append(
                f"cohort.events.care_home_mortality_per_year: {ev.care_home_mortality_per_year:g} is below the "
                f"crisis deaths of tier '{tier.name}' residents; their background mortality set to 0"
            )
            resident = 0.0
        care_home.append(resident / DAYS_PER_YEAR)
    return BackgroundMortality(home, care_home, crisis_deaths, problems)


__all__ = [
    "BackgroundMortality",
    "Fatality",
    "background_mortality",
    "crises_per_home_year",
    "crisis_fatality",
    "fall_fatality",
    "resident_crisis_fatality",
]
