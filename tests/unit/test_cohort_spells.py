"""Instability spells and condition ratios of the cohort, against their plain definitions.

``_draw_spells`` builds every patient's switch times with one cumulative sum over a block of draws,
and ``condition_ratios`` multiplies once per distinct set of conditions: both must give exactly the
numbers of the patient-by-patient definition (the same doubles, so fixed-seed runs do not move).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from carecoord.cohort import _draw_spells, condition_ratios, generate_cohort
from carecoord.scenario import load_scenario
from carecoord.scenario.schema import Scenario
from carecoord.streams import generator, stream_key


def _spells_by_definition(scenario: Scenario, rng, n: int, horizon: float) -> list:
    """Alternate stable periods and spells, one exponential length after another, up to the horizon."""
    inst = scenario.cohort.instability
    ratios = (inst.stable_rate_ratio, inst.spell_rate_ratio)
    means = np.array([inst.mean_stable_days, inst.mean_spell_days])
    in_spell = rng("spell_start").random(n) < inst.spell_fraction
    cycles = int(np.ceil(horizon / (inst.mean_stable_days + inst.mean_spell_days))) * 3 + 4
    lengths = rng("spell_lengths").exponential(1.0, (n, 2 * cycles))
    out = []
    for i in range(n):
        state, t, times, values = int(in_spell[i]), 0.0, [], []
        for j in range(2 * cycles):
            t += lengths[i, j] * means[state]
            if t >= horizon:
                break
            state = 1 - state
            times.append(float(t))
            values.append(ratios[state])
        out.append((times, values, ratios[int(in_spell[i])]))
    return out


def test_spells_are_those_of_the_definition(load_tiny) -> None:
    scenario = load_tiny("cohort.instability.mean_spell_days=9", "cohort.instability.mean_stable_days=40")

    def rng(name: str) -> np.random.Generator:
        return generator(7, 0, 0, stream_key(f"cohort.{name}"))

    horizon = 400.0
    got = _draw_spells(scenario, rng, 500, np.zeros(500), horizon)
    want = _spells_by_definition(scenario, rng, 500, horizon)
    assert [(list(t), v, r) for t, v, r in got] == want
    assert any(len(t) > 2 for t, _, _ in want)  # patients switch several times within the horizon
    assert all(t[-1] < horizon for t, _, _ in want if t)


def test_condition_ratios_are_each_patients_product_over_its_mean(repo_root: Path) -> None:
    pilot = load_scenario(repo_root / "scenarios" / "east_blackburn_pilot.yaml")  # conditions with ratios
    conditions = [p.conditions for p in generate_cohort(pilot, 0).patients]
    specs = pilot.cohort.conditions
    got = condition_ratios(pilot, conditions)
    assert got is not None
    ratio = {c.name: c.crisis_rate_ratio for c in specs}
    expected = float(np.prod([1.0 - c.prevalence + c.prevalence * c.crisis_rate_ratio for c in specs]))
    want = [float(np.prod([ratio[n] for n in names])) / expected if names else 1.0 / expected for names in conditions]
    assert got.tolist() == want
    assert len(set(conditions)) > 1  # several sets of conditions, so the sharing is exercised
