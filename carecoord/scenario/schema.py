"""The scenario: the one immutable description of a study that every layer reads.

Example:
    >>> from carecoord.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/east_blackburn_pilot.yaml")
    >>> scenario.simulation.horizon_days
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt, model_validator

from carecoord.scenario.arms import ArmSpec
from carecoord.scenario.base import StrictModel
from carecoord.scenario.cohort import CohortSpec
from carecoord.scenario.costs import CostsSpec
from carecoord.scenario.population import PopulationRatesSpec, TrendSpec, check_populations, expected_cohort_by_band
from carecoord.scenario.services import ServicesSpec


class SimulationSpec(StrictModel):
    """Calendar, run length and replications."""

    start_date: dt.date = Field(..., description="First day simulated (YYYY-MM-DD).")
    duration_days: PositiveInt | None = Field(None, description="Days simulated, warm-up included (or give end_date).")
    end_date: dt.date | None = Field(None, description="Day after the last simulated day (or give duration_days).")
    warm_up_days: NonNegativeInt = Field(
        0,
        description="Days at the start excluded from results (history accrues, e.g. prior admissions). "
        "Default: none (assumption; scenarios state their own).",
    )
    replications: PositiveInt = Field(
        10, description="Independent replications. Default: assumption (scenarios state their own)."
    )
    seed: NonNegativeInt = Field(
        20140313, description="Root seed of every random stream (arbitrary: the date of seed 004)."
    )
    trend: TrendSpec | None = Field(
        None, description="Secular trend in emergency admissions. Empty: none (rates constant over the run)."
    )
    shared_services: Literal["pooled", "split"] = Field(
        "pooled",
        description="How localities share the services of the whole scenario (hospital, A&E, intermediate care, "
        "care homes, out of hours). pooled: every locality in one simulation, each shared service one pool. "
        "split: each locality simulated on its own (cost per patient stays flat as a region grows: "
        "docs/performance.md), with its own piece of each capacity-limited shared service: sized by population "
        "on its own cohort, or a stated number (and an arm's added_capacity) divided in proportion to cohort "
        "sizes, at least one place each; unlimited services are unaffected. Split loses pooling (a busy "
        "locality cannot use another's free place), which matters when few places are shared by many "
        "localities (docs/model.md, 'Shared services'). Default: pooled, because every shipped scenario with "
        "several localities caps a shared service with few places (out of hours: 2 GPs for 4-6 localities) and "
        "was calibrated pooled. One locality: both are the same.",
    )

    @model_validator(mode="after")
    def _one_length(self) -> SimulationSpec:
        if (self.duration_days is None) == (self.end_date is None):
            raise ValueError("give exactly one of duration_days and end_date")
        if self.warm_up_days >= self.horizon_days:
            raise ValueError("warm_up_days must be shorter than the run")
        return self

    @property
    def horizon_days(self) -> int:
        if self.duration_days is not None:
            return self.duration_days
        assert self.end_date is not None
        days = (self.end_date - self.start_date).days
        if days <= 0:
            raise ValueError("end_date must be after start_date")
        return days


class LocalitySpec(StrictModel):
    """A locality (a group of GP practices with its own teams and go-live date)."""

    name: str = Field(..., pattern=r"^[A-Za-z][A-Za-z0-9_ -]*$", description="Locality name.")
    cohort_size: NonNegativeInt = Field(..., description="Eligible patients on day one.")
    incidence_per_year: NonNegativeFloat = Field(
        0.0, description="New eligible patients per year. Default: a closed cohort (assumption)."
    )
    go_live: dt.date | None = Field(
        None, description="Date integrated care starts here (empty: the end of the warm-up)."
    )
    capacity_scale: PositiveFloat | None = Field(
        None,
        description="Multiplier on the capacities of community services (GP, nursing, social work, home care) "
        "here. Empty: 1 for a service whose capacity is a number, cohort_size / 1,000 for one sized "
        "by_population. Given: it overrides that (docs/model.md, 'Capacity').",
    )
    population: dict[str, NonNegativeInt] | None = Field(
        None,
        description="Registered (or resident) population by age band, cohort included, e.g. {0-64: 23000, "
        "65-74: 2600, 75-84: 1600, 85+: 640}; bands are those of population_rates. Empty: results for the "
        "cohort only. Given: whole-population and per-1,000 results for this locality (locality 'all': the "
        "localities that give one; docs/model.md, 'Whole population').",
    )


class Scenario(StrictModel):
    """A complete, validated scenario."""

    name: str = Field(..., min_length=1, description="Scenario name.")
    description: str = Field("", description="What the scenario represents, with its sources.")
    simulation: SimulationSpec = Field(..., description="Calendar and replications.")
    localities: list[LocalitySpec] = Field(..., min_length=1, description="Localities (at least one).")
    cohort: CohortSpec = Field(..., description="The patients.")
    services: ServicesSpec = Field(default_factory=ServicesSpec, description="The services.")
    arms: list[ArmSpec] = Field(..., min_length=1, description="Arms; one named 'baseline'.")
    costs: CostsSpec = Field(default_factory=CostsSpec, description="Unit costs by payer.")
    population_rates: PopulationRatesSpec = Field(
        default_factory=PopulationRatesSpec,
        description="Emergency hospital use by age band of the people outside the cohort (used when localities "
        "give a population).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        # Messages start with the dotted path of the offending value so errors can point at its line.
        names = [a.name for a in self.arms]
        if "baseline" not in names:
            raise ValueError(f"arms: one arm must be named 'baseline' (arms: {names})")
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ValueError(f"arms.{i}.name: arm name '{name}' is used twice")
        base = names.index("baseline")
        if self.arms[base].mechanisms.any_active:
            raise ValueError(f"arms.{base}.mechanisms: the baseline arm (separate services) must have no mechanisms on")
        if self.arms[base].added_capacity:
            raise ValueError(f"arms.{base}.added_capacity: the baseline arm keeps the scenario's capacities")
        locs = [loc.name for loc in self.localities]
        for i, name in enumerate(locs):
            if name in locs[:i]:
                raise ValueError(f"localities.{i}.name: locality name '{name}' is used twice")
        self._check_populations()
        tiers = [t.name for t in self.cohort.tiers]
        for a, arm in enumerate(self.arms):
            enrol = arm.mechanisms.enrolment
            if enrol is None:
                continue
            where = f"arms.{a}.mechanisms.enrolment"
            for j, tier in enumerate(enrol.eligible_tiers or []):
                if tier not in tiers:
                    raise ValueError(f"{where}.eligible_tiers.{j}: unknown tier '{tier}'; allowed: {', '.join(tiers)}")
            conditions = [c.name for c in self.cohort.conditions]
            for j, condition in enumerate(enrol.conditions_any or []):
                if condition not in conditions:
                    allowed = ", ".join(conditions) or "none (cohort.conditions is empty)"
                    raise ValueError(f"{where}.conditions_any.{j}: unknown condition '{condition}'; allowed: {allowed}")
            if isinstance(enrol.coordinators, dict):
                for loc in enrol.coordinators:
                    if loc not in locs:
                        raise ValueError(
                            f"{where}.coordinators.{loc}: unknown locality '{loc}'; allowed: {', '.join(locs)}"
                        )
        return self

    def _check_populations(self) -> None:
        """Populations name the rate table's bands, and hold at least the cohort expected in each."""
        if all(loc.population is None for loc in self.localities):
            return
        bands = self.population_rates.names
        age = self.cohort.age
        shares = expected_cohort_by_band(age.mean, age.sd, age.min, age.max, bands)
        if self.cohort.csv is None and sum(shares) < 1.0 - 1e-9:
            raise ValueError(
                f"population_rates.bands: the bands ({', '.join(bands)}) leave out some of the cohort's ages "
                f"(cohort.age: {age.min:g} to {age.max:g}); cover every age the cohort can have"
            )
        # A cohort read from a CSV is counted at run time (carecoord.population clips at zero).
        cohort_in_band = [
            [0.0 if self.cohort.csv is not None else loc.cohort_size * s for s in shares] for loc in self.localities
        ]
        cohort_rate = sum(t.share * t.emergency_admissions_per_person_year for t in self.cohort.tiers)
        populations = [loc.population for loc in self.localities]
        check_populations(populations, self.population_rates.bands, cohort_in_band, cohort_rate)

    def arm(self, name: str) -> ArmSpec:
        for a in self.arms:
            if a.name == name:
                return a
        raise KeyError(name)

    @property
    def arm_names(self) -> list[str]:
        """Arm names, baseline first."""
        names = [a.name for a in self.arms]
        return ["baseline"] + [n for n in names if n != "baseline"]

    def locality_go_live_day(self, index: int) -> int:
        """Day (from the start) integrated care goes live in a locality."""
        go_live = self.localities[index].go_live
        if go_live is None:
            return self.simulation.warm_up_days
        return max(0, (go_live - self.simulation.start_date).days)
