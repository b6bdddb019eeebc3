"""The cohort of one replication: who the patients are and their natural history, for every arm.

Everything here is drawn in batches with numpy, before any SimPy process runs, from generators
keyed by (seed, replication, locality, attribute), so both arms get exactly the same patients.
Patients who become eligible during the run (incidence) are generated up front with their
arrival day.

Example:
    >>> cohort = generate_cohort(scenario, replication=0)
    >>> len(cohort.patients)
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from carecoord.cohort_csv import read_cohort_csv
from carecoord.locations import HOME, HOSPITAL, RESIDENTIAL
from carecoord.rates import crisis_rates_per_day, initial_in_hospital_fraction
from carecoord.scenario.schema import Scenario
from carecoord.streams import generator, stream_key


@dataclass(slots=True)
class PatientRecord:
    """One patient's fixed attributes and natural history (arm-independent)."""

    locality: int
    index: int  # position within the locality (row of its random streams)
    age: float
    tier: int
    lives_alone: bool
    anxious_at_night: bool
    conditions: tuple[str, ...]
    crisis_rate: float  # mean crisis rate per day (tier mean x individual frailty)
    arrival: float  # day the patient joins the cohort (0 for the initial cohort)
    initial_location: int = HOME
    initial_stay_days: float = 0.0  # remaining hospital stay for those in hospital on day one
    initial_home_care: bool = False
    spell_times: Sequence[float] = field(default_factory=list)  # instability switches, days
    spell_ratios: list[float] = field(default_factory=list)  # crisis multiplier after each switch
    initial_spell_ratio: float = 1.0
    condition_ratio: float = 1.0  # the conditions' crisis-rate multiplier (normalised; already in crisis_rate)
    gp_ratio: float = 1.0  # the conditions' routine-GP-consultation multiplier (normalised, mean 1 in every tier)
    nursing_ratio: float = 1.0  # the conditions' routine district-nursing multiplier (normalised likewise)


@dataclass(slots=True)
class Cohort:
    """All patients of one replication, locality by locality."""

    patients: list[PatientRecord]
    locality_sizes: list[int]


def generate_cohort(scenario: Scenario, replication: int) -> Cohort:
    """Draw the cohort (initial and incident patients) of one replication."""
    seed = scenario.simulation.seed
    horizon = float(scenario.simulation.horizon_days)
    rates = crisis_rates_per_day(scenario)
    from_csv = _read_csv(scenario) if scenario.cohort.csv is not None else None
    patients: list[PatientRecord] = []
    sizes: list[int] = []
    shared = _FloatPool()
    for loc, locality in enumerate(scenario.localities):

        def rng(name: str, loc: int = loc) -> np.random.Generator:
            return generator(seed, replication, loc, stream_key(f"cohort.{name}"))

        if from_csv is not None:
            initial = from_csv.get(locality.name, [])
            n0 = len(initial)
        else:
            initial = None
            n0 = locality.cohort_size
        n_new = int(rng("incidence").poisson(locality.incidence_per_year * horizon / 365.25))
        n = n0 + n_new
        arrival = np.concatenate([np.zeros(n0), np.sort(rng("arrival").uniform(0, horizon, n_new))])
        attrs = _draw_attributes(scenario, rng, n, initial)
        frailty = rng("frailty").gamma(scenario.cohort.heterogeneity_shape, 1 / scenario.cohort.heterogeneity_shape, n)
        start = _draw_initial_state(scenario, rng, n, n0, attrs["tier"])
        spells = _draw_spells(scenario, rng, n, arrival, horizon)
        ratio = condition_ratios(scenario, attrs["conditions"])
        gp_ratio = condition_ratios(scenario, attrs["conditions"], "gp_consultation_rate_ratio")
        nursing_ratio = condition_ratios(scenario, attrs["conditions"], "district_nursing_rate_ratio")
        # Python lists, read once: indexing a numpy array per patient and field makes a numpy scalar each
        # time (the same doubles: ``tolist`` gives each element's exact value).
        tiers, ages, alone, anxious = (attrs[k].tolist() for k in ("tier", "age", "lives_alone", "anxious"))
        frail, arrivals = frailty.tolist(), arrival.tolist()
        places, stays, home_care = (start[k].tolist() for k in ("location", "stay", "home_care"))
        ratios = None if ratio is None else ratio.tolist()
        gp_ratios = None if gp_ratio is None else gp_ratio.tolist()
        nursing_ratios = None if nursing_ratio is None else nursing_ratio.tolist()
        for i in range(n):
            tier = tiers[i]
            rate = rates[tier] * frail[i]
            if ratios is not None:
                rate *= ratios[i]
            patients.append(
                PatientRecord(
                    locality=loc,
                    index=i,
                    age=shared(ages[i]),
                    tier=tier,
                    lives_alone=alone[i],
                    anxious_at_night=anxious[i],
                    conditions=attrs["conditions"][i],
                    crisis_rate=float(rate),
                    arrival=shared(arrivals[i]),
                    initial_location=places[i],
                    initial_stay_days=shared(stays[i]),
                    initial_home_care=home_care[i],
                    spell_times=spells[i][0],
                    spell_ratios=spells[i][1],
                    initial_spell_ratio=spells[i][2],
                    condition_ratio=1.0 if ratios is None else shared(ratios[i]),
                    gp_ratio=1.0 if gp_ratios is None else shared(gp_ratios[i]),
                    nursing_ratio=1.0 if nursing_ratios is None else shared(nursing_ratios[i]),
                )
            )
        sizes.append(n)
    return Cohort(patients=patients, locality_sizes=sizes)


class _FloatPool:
    """One Python float per distinct value (ages, arrival day 0, ratios of a few condition sets):
    patients share it instead of holding 24 bytes each of the same number (memory round 2)."""

    def __init__(self) -> None:
        self._pool: dict[tuple[float, float], float] = {}

    def __call__(self, value: Any) -> float:
        v = float(value)
        return self._pool.setdefault((v, math.copysign(1.0, v)), v)  # -0.0 == 0.0, yet not the same number


def condition_ratios(
    scenario: Scenario, conditions: list[tuple[str, ...]], field: str = "crisis_rate_ratio"
) -> np.ndarray | None:
    """Each patient's multiplier from their conditions, mean 1 in every tier (None: no effects).

    ``field`` names the ratio of :class:`~carecoord.scenario.cohort.ConditionSpec` to use: the crisis
    rate (``crisis_rate_ratio``) or routine use (``gp_consultation_rate_ratio``,
    ``district_nursing_rate_ratio``). A patient's multiplier is the product of their conditions'
    ratios, divided by that product's expected value, prod(1 - prevalence + prevalence x ratio).
    Conditions are drawn independently of the tier, so the expected value is the same in every tier
    and each tier's mean rate (calibrated from its observed admissions, or its routine use) is kept.
    """
    specs = scenario.cohort.conditions
    values = [float(getattr(c, field)) for c in specs]
    if all(v == 1.0 for v in values):
        return None
    ratio = {c.name: v for c, v in zip(specs, values, strict=True)}
    expected = float(np.prod([1.0 - c.prevalence + c.prevalence * v for c, v in zip(specs, values, strict=True)]))
    products: dict[tuple[str, ...], float] = {}  # one product per distinct set of conditions (a few dozen)
    for names in set(conditions):
        products[names] = float(np.prod([ratio[name] for name in names])) if names else 1.0
    return np.array([products[names] for names in conditions]) / expected


def _draw_attributes(scenario: Scenario, rng, n: int, initial: list[dict] | None) -> dict:
    spec = scenario.cohort
    age_spec = spec.age
    age = np.clip(rng("age").normal(age_spec.mean, age_spec.sd, n), age_spec.min, age_spec.max)
    shares = np.array([t.share for t in spec.tiers])
    tier = rng("tier").choice(len(shares), size=n, p=shares / shares.sum())
    lives_alone = rng("lives_alone").random(n) < spec.lives_alone_probability
    anxious = rng("anxious").random(n) < spec.anxious_at_night_probability
    cond_draws = rng("conditions").random((n, len(spec.conditions)))
    conditions = [
        tuple(c.name for j, c in enumerate(spec.conditions) if cond_draws[i, j] < c.prevalence) for i in range(n)
    ]
    for i, row in enumerate(initial or []):
        age[i] = row["age"]
        tier[i] = row["tier"]
        lives_alone[i] = row["lives_alone"]
        anxious[i] = row["anxious_at_night"]
    return {"age": age, "tier": tier, "lives_alone": lives_alone, "anxious": anxious, "conditions": conditions}


def _draw_initial_state(scenario: Scenario, rng, n: int, n0: int, tier: np.ndarray) -> dict:
    """Day-one location of the initial cohort; incident patients arrive at home."""
    init = scenario.cohort.initial
    hospital = scenario.services.hospital
    p_hosp = initial_in_hospital_fraction(scenario)
    u = rng("initial_location").random(n)
    location = np.full(n, HOME)
    p_hosp_i = np.asarray(p_hosp)[tier]
    location[u < p_hosp_i] = HOSPITAL
    location[(u >= p_hosp_i) & (u < p_hosp_i + init.in_residential_fraction)] = RESIDENTIAL
    location[n0:] = HOME
    # Remaining stay of those in hospital: length-biased, so exponential with the mean stay.
    stay = rng("initial_stay").exponential(hospital.mean_length_of_stay_days, n)
    home_care = (rng("initial_home_care").random(n) < init.home_care_fraction) & (location == HOME)
    return {"location": location, "stay": stay, "home_care": home_care}


def _draw_spells(scenario: Scenario, rng, n: int, arrival: np.ndarray, horizon: float) -> list:
    """Alternating stable periods and unstable spells (exponential lengths), precomputed."""
    inst = scenario.cohort.instability
    f = inst.spell_fraction
    ratios = (inst.stable_rate_ratio, inst.spell_rate_ratio)
    means = np.array([inst.mean_stable_days, inst.mean_spell_days])
    in_spell = rng("spell_start").random(n) < f
    cycles = int(np.ceil(horizon / (inst.mean_stable_days + inst.mean_spell_days))) * 3 + 4
    lengths = rng("spell_lengths").exponential(1.0, (n, 2 * cycles))
    # Column j of a row lasts in the state before its j-th switch: the first state, then alternating.
    state = in_spell.astype(np.intp)[:, np.newaxis] ^ (np.arange(2 * cycles) % 2)
    # Switch times: each row's running sum, added in order (cumsum is sequential: the same doubles as
    # adding one length after another); the switches before the horizon are those kept.
    switches = np.cumsum(lengths * means[state], axis=1)
    kept = (switches < horizon).sum(axis=1)  # sums only grow, so these are the first ones
    after = ((ratios[1], ratios[0]), (ratios[0], ratios[1]))  # rate ratios after each switch, by first state
    out = []
    for i in range(n):
        first = int(in_spell[i])
        k = int(kept[i])
        # array('d'): the doubles themselves, not a numpy scalar object per switch (memory round 2)
        times = array("d")
        times.frombytes(switches[i, :k].tobytes())
        out.append((times, list(after[first] * ((k + 1) // 2))[:k], ratios[first]))
    return out


def _read_csv(scenario: Scenario) -> dict[str, list[dict]]:
    """Initial patients from a CSV extract, grouped by locality (checked by ``cohort_csv``)."""
    tiers = {t.name: i for i, t in enumerate(scenario.cohort.tiers)}
    localities = {loc.name for loc in scenario.localities}
    return read_cohort_csv(Path(str(scenario.cohort.csv)), localities, tiers)
