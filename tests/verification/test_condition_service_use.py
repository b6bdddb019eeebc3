"""Conditions change routine service use: GP consultation (and district-nursing) rate ratios (issue 9 item 2).

Theory. Routine GP consultations of a locality are Poisson with mean ``sum_i gp_rate_tier(i) x
gp_ratio_i x home_days_i`` (less what came due after the last booking, at most three days' worth; see
test_routine_care). To see patients with a condition apart from those without, the test gives every
patient of the first locality the condition and nobody in the second, and computes each one's
multiplier with :func:`carecoord.cohort.condition_ratios` (the scenario's own prevalence sets the
normalisation). Each locality's rate per unit of unscaled exposure ``sum_i gp_rate_tier(i) x
home_days_i`` is then ratio/E and 1/E, so their quotient estimates the condition's ratio R with
relative standard error sqrt(1/O_with + 1/O_without) (two independent Poisson counts, delta method).
"""

from __future__ import annotations

import math

import numpy as np

from carecoord.cohort import condition_ratios, generate_cohort
from carecoord.locations import HOME
from carecoord.model.run import build_world, run_arm, start_lives
from carecoord.recording import M

Z = 4.0
TAIL_DAYS = 3.0  # the most exposure that can come due after the last booking (a weekend for the GP)
UNLIMITED = tuple(
    f"services.{s}.capacity=" for s in ("gp", "community_nursing", "social_work", "home_care", "intermediate_care")
)
RATIO = 1.6
WITH_RATIO = f"cohort.conditions=[{{name: diabetes, prevalence: 0.3, gp_consultation_rate_ratio: {RATIO}}}]"


def test_a_gp_ratio_raises_consultations_of_patients_with_the_condition(load_tiny, figure) -> None:
    """Patients with the condition (all of locality 0) consult R times as often per unit of exposure as
    those without (all of locality 1), within Z standard errors; each locality's count matches its
    expected Poisson mean."""
    scenario = load_tiny(
        "simulation.warm_up_days=0",
        "localities.0.cohort_size=600",
        "localities.1.cohort_size=600",
        *UNLIMITED,
        WITH_RATIO,
    )
    cohort = generate_cohort(scenario, 0)
    for r in cohort.patients:
        r.conditions = ("diabetes",) if r.locality == 0 else ()
    gp = condition_ratios(scenario, [r.conditions for r in cohort.patients], "gp_consultation_rate_ratio")
    assert gp is not None
    for r, value in zip(cohort.patients, gp, strict=True):
        r.gp_ratio = float(value)
    world = build_world(scenario, cohort, "baseline", 0)
    start_lives(world)
    rec = world.finish()

    home = np.array([d[HOME] for d in rec.state_days])
    tier_rate = np.array([world.routine.gp_rate[r.tier] for r in cohort.patients])
    ratio = np.array([r.gp_ratio for r in cohort.patients])
    locality = np.array([r.locality for r in cohort.patients])
    observed, exposure = [], []
    for loc in (0, 1):
        mask = locality == loc
        count = sum(v for m, where, _, v in rec.table() if m == M.routine_gp_consultations and where == loc)
        expected = float((tier_rate * ratio * home)[mask].sum())
        tail = float((tier_rate * ratio)[mask].sum()) * TAIL_DAYS
        se = math.sqrt(expected)
        figure(
            f"Routine GP consultations, locality {loc}: {count:.0f} vs {expected:.1f} "
            f"(at most {tail:.1f} less) ± {se:.1f}"
        )
        assert expected > 1000
        assert expected - tail - Z * se <= count <= expected + Z * se
        observed.append(count)
        exposure.append(float((tier_rate * home)[mask].sum()))
    estimate = (observed[0] / exposure[0]) / (observed[1] / exposure[1])
    se = estimate * math.sqrt(1.0 / observed[0] + 1.0 / observed[1])
    figure(f"GP consultation rate ratio, with vs without the condition: {estimate:.3f} vs {RATIO} ± {se:.3f}")
    assert abs(estimate - RATIO) <= Z * se


def test_gp_and_nursing_ratios_keep_each_tier_mean(load_tiny, figure) -> None:
    """Service-use multipliers are mean 1 in every tier (within 3 standard errors), and a patient with
    diabetes alone has exactly R times the multiplier of one with no condition."""
    scenario = load_tiny(
        "cohort.conditions=[{name: diabetes, prevalence: 0.3, gp_consultation_rate_ratio: 1.6, "
        "district_nursing_rate_ratio: 2.0}, {name: copd, prevalence: 0.2, gp_consultation_rate_ratio: 1.2}]",
        "localities.0.cohort_size=20000",
    )
    cohort = generate_cohort(scenario, 0)
    for tier, name in enumerate(t.name for t in scenario.cohort.tiers):
        members = [r for r in cohort.patients if r.tier == tier]
        for label, values in (
            ("GP multiplier", np.array([r.gp_ratio for r in members])),
            ("nursing multiplier", np.array([r.nursing_ratio for r in members])),
        ):
            se = values.std(ddof=1) / math.sqrt(len(values))
            figure(f"{name}: mean {label} {values.mean():.4f} ± {se:.4f} (n={len(values)})")
            assert abs(values.mean() - 1.0) < 3 * se
    alone = {r.conditions: r for r in cohort.patients if r.conditions in {(), ("diabetes",)}}
    assert math.isclose(alone[("diabetes",)].gp_ratio / alone[()].gp_ratio, 1.6)
    assert math.isclose(alone[()].gp_ratio, 1.0 / ((0.7 + 0.3 * 1.6) * (0.8 + 0.2 * 1.2)))
    assert math.isclose(alone[("diabetes",)].nursing_ratio / alone[()].nursing_ratio, 2.0)
    assert all(r.condition_ratio == 1.0 for r in cohort.patients)  # no crisis ratio given: crisis rates untouched


def test_ratios_of_one_change_nothing(load_tiny) -> None:
    """Conditions whose service-use (and crisis) ratios are all 1 give, to the last bit, the numbers of the
    scenario without conditions: routine use, staff time and everything else (common random numbers)."""
    plain = load_tiny()
    ones = load_tiny(
        "cohort.conditions=[{name: diabetes, prevalence: 0.3, crisis_rate_ratio: 1, gp_consultation_rate_ratio: 1, "
        "district_nursing_rate_ratio: 1}, {name: copd, prevalence: 0.2}]"
    )
    for arm in ("baseline", "integrated"):
        a = run_arm(plain, generate_cohort(plain, 0), arm, 0)
        b = run_arm(ones, generate_cohort(ones, 0), arm, 0)
        assert a.total(M.routine_gp_consultations) > 0
        assert a.values == b.values
