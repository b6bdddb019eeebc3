"""Rates the model derives from the scenario when the scenario leaves them empty.

The default crisis rate of a tier inverts the baseline pathway: it is the rate that, with the
scenario's admission probabilities, falls, social crises and readmission boost, gives the tier's
observed emergency admissions per person-year. It is an analytic first guess (good to a few per
cent); ``carecoord calibrate`` refines it by simulation.
"""

from __future__ import annotations

import math
from typing import Final

from carecoord.daycycle import crisis_share_open
from carecoord.scenario.base import OpeningHoursSpec
from carecoord.scenario.schema import Scenario

DAYS_PER_YEAR: Final = 365.25


def open_share(hours: OpeningHoursSpec) -> float:
    """Share of the week a service is open."""
    return len(set(hours.days)) * (hours.close_hour - hours.open_hour) / 24.0 / 7.0


def out_of_hours_admission_probability(scenario: Scenario) -> float:
    """Chance that a crisis while the practice is closed ends in admission: 999/A&E, or NHS 111 first."""
    s = scenario.services
    ooh = s.out_of_hours
    via_111 = ooh.ae_share * s.ae.admission_probability + ooh.primary_care_share * ooh.admission_probability
    return (1 - ooh.nhs111_share) * s.ae.admission_probability + ooh.nhs111_share * via_111


def crisis_admission_probability(scenario: Scenario) -> float:
    """Chance that a crisis at home ends in admission in the baseline (GP in hours, else 999 or NHS 111).

    The share of crises in GP hours follows the weekly crisis profile (``cohort.crisis_timing``).
    """
    s = scenario.services
    f_in = crisis_share_open(scenario, s.gp.hours)
    return f_in * s.gp.admission_probability + (1 - f_in) * out_of_hours_admission_probability(scenario)


def other_admissions_per_year(scenario: Scenario) -> float:
    """Admissions per person-year from falls and social crises (the same in every tier)."""
    c = scenario.cohort
    ev = c.events
    age = c.age
    share_80 = float(age.mean >= 80)
    if age.sd > 0:
        share_80 = 0.5 * math.erfc((80.0 - age.mean) / (age.sd * math.sqrt(2.0)))
    falls = (1 - share_80) * ev.fall_rate_per_year + share_80 * ev.fall_rate_per_year_80plus
    social = (
        c.lives_alone_probability * ev.social_crisis_rate_per_year_alone
        + (1 - c.lives_alone_probability) * ev.social_crisis_rate_per_year
    ) * (1 + c.anxious_at_night_probability * (ev.social_crisis_anxious_rate_ratio - 1))
    f_out = 1 - open_share(scenario.services.gp.hours)
    return falls * ev.fall_admission_probability + social * f_out * ev.social_admission_probability


def mean_stay_days(scenario: Scenario) -> float:
    """Mean days away from home per admission (stay plus a day of discharge delay)."""
    h = scenario.services.hospital
    return h.short_stay_share * 0.5 + (1 - h.short_stay_share) * h.mean_length_of_stay_days + 1.0


def derived_crisis_rate_per_year(scenario: Scenario, target: float) -> float:
    """Crisis rate giving ``target`` admissions per person-year (solves a quadratic)."""
    c = scenario.cohort
    ev = c.events
    p = crisis_admission_probability(scenario)
    if p <= 0:
        return 0.0
    exposure = max(0.5, 1.0 - target * mean_stay_days(scenario) / DAYS_PER_YEAR)
    need = max(0.0, target / exposure - other_admissions_per_year(scenario))
    inst = c.instability
    f = inst.spell_fraction
    second_moment = (1 + 1 / c.heterogeneity_shape) * (
        f * inst.spell_rate_ratio**2 + (1 - f) * inst.stable_rate_ratio**2
    )
    # A = p L + a L^2 with a the extra admissions a readmission window adds.
    a = (ev.readmission_rate_ratio - 1) * ev.readmission_window_days / DAYS_PER_YEAR * p**2 * second_moment
    if a <= 0:
        return need / p
    return (-p + math.sqrt(p * p + 4 * a * need)) / (2 * a)


def crisis_rates_per_day(scenario: Scenario) -> list[float]:
    """Mean crisis rate of each tier, per day."""
    out = []
    for tier in scenario.cohort.tiers:
        rate = tier.crisis_rate_per_year
        if rate is None:
            rate = derived_crisis_rate_per_year(scenario, tier.emergency_admissions_per_person_year)
        out.append(rate / DAYS_PER_YEAR)
    return out


def initial_in_hospital_fraction(scenario: Scenario) -> list[float]:
    """Share of each tier in hospital on day one (Little's law unless the scenario gives it)."""
    given = scenario.cohort.initial.in_hospital_fraction
    if given is not None:
        return [given] * len(scenario.cohort.tiers)
    stay = mean_stay_days(scenario)
    return [min(0.5, t.emergency_admissions_per_person_year * stay / DAYS_PER_YEAR) for t in scenario.cohort.tiers]
