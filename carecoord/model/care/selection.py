"""Who can be enrolled: the enrolment criteria and the practice's risk score.

Criteria combine by AND: an eligible tier, an age range, at least one of some recorded
conditions, enough emergency admissions in a look-back window, and a risk score at or above a
threshold (case finding by predictive model, as in the PARR and Combined Predictive Model
programmes). Each uses only what a practice could know from its records: the patient's tier,
age, recorded conditions and past admissions, never their future or the hidden frailty draw.
A criterion left out selects everyone, so a scenario without any behaves as before.

Ages advance: the cohort's recorded age is the patient's age at go-live (or at arrival, if later),
and the criteria read the age now (the practice knows each date of birth), so a patient can age
into ``min_age`` between admissions (:meth:`Selection.birthday` says when; periodic case finding,
:mod:`carecoord.model.care.case_finding_runs`, looks for them then). Up to go-live every check
sees the recorded age, as before ages advanced.

Example:
    >>> selection = Selection(world, params)
    >>> selection.meets_criteria(patient)
    True
"""

from __future__ import annotations

from typing import Any

from carecoord.model.care.common import YEAR
from carecoord.model.patient import Patient
from carecoord.model.world import World
from carecoord.rates import DAYS_PER_YEAR


class Selection:
    """The enrolment criteria of one arm, and the risk score that orders its waiting lists."""

    def __init__(self, world: World, params: Any):
        self.world = world
        self.tiers = set(params.eligible_tiers or world.params.tier_names)
        self.need = params.min_admissions_last_year if params.min_admissions is None else params.min_admissions
        self.lookback = float(params.lookback_days)
        self.per_year = YEAR / self.lookback  # admissions in the window, as a rate per year
        self.min_age = params.min_age
        self.max_age = params.max_age
        self.conditions = frozenset(params.conditions_any) if params.conditions_any else None
        self.threshold = params.risk_score_threshold

    def _since(self, p: Patient) -> float:
        """When the recorded age was the patient's age: go-live, or their arrival if later."""
        return max(p.rec.arrival, float(self.world.params.go_live_days[p.locality]))

    def age(self, p: Patient) -> float:
        """The patient's age now, years (the recorded age plus the time since go-live or arrival)."""
        return p.rec.age + max(0.0, self.world.env._now - self._since(p)) / DAYS_PER_YEAR

    def birthday(self, p: Patient) -> float | None:
        """When the patient reaches ``min_age``, if only age can stand in their way, else None.

        None if there is no lower age limit, if they are old enough now, or if a fixed criterion
        (tier, recorded conditions) rules them out for good. Admissions and the risk score are
        not looked at: they change at admissions, which are checked when they happen.
        """
        if self.min_age is None or not self._fixed_criteria(p):
            return None
        if self.age(p) >= self.min_age:
            return None
        return self._since(p) + (self.min_age - p.rec.age) * DAYS_PER_YEAR

    def _fixed_criteria(self, p: Patient) -> bool:
        r = p.rec
        if self.world.params.tier_names[r.tier] not in self.tiers:
            return False
        return self.conditions is None or not self.conditions.isdisjoint(r.conditions)

    def risk(self, p: Patient) -> float:
        """The risk score the practice can compute, in admissions per year.

        The tier's admission rate times the relative risk of the patient's recorded conditions (1
        without condition effects; normalised so the tier's mean is kept), plus the patient's
        emergency admissions in the look-back window per year of window. With the defaults (no
        condition effects, a 365-day window) this is the tier's rate plus the past year's admissions.
        """
        w = self.world
        base = w.params.tier_admissions_per_year[p.rec.tier] * p.rec.condition_ratio
        return base + p.admissions_since(w.env._now - self.lookback) * self.per_year

    def meets_criteria(self, p: Patient) -> bool:
        """True if the patient meets every criterion now (tier, age, conditions, prior use, risk score)."""
        w = self.world
        r = p.rec
        if w.params.tier_names[r.tier] not in self.tiers:
            return False
        if self.min_age is not None or self.max_age is not None:
            age = self.age(p)
            if self.min_age is not None and age < self.min_age:
                return False
            if self.max_age is not None and age > self.max_age:
                return False
        if self.conditions is not None and self.conditions.isdisjoint(r.conditions):
            return False
        if self.need and p.admissions_since(w.env._now - self.lookback) < self.need:
            return False
        return self.threshold is None or self.risk(p) >= self.threshold


__all__ = ["Selection"]
