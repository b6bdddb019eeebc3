"""``simulation.shared_services``: each locality in its own environment (split) against one for all (pooled).

Without a capacity-limited shared service the localities never touch each other, so split must
record what pooled records: every per-locality counter, location day, stay, admission and event
row exactly (the same draws and the same same-time order within each locality; nothing is summed
across localities there). Only the per-tier sums mix localities, so they agree to float summation
order. With a capped shared service each locality gets its own piece, by the stated rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carecoord.cohort import generate_cohort
from carecoord.model.run import build_world, locality_groups, run_arm
from carecoord.recording import Recorder
from carecoord.scenario import load_scenario
from carecoord.scenario.capacity import shared_rule, split_capacities, split_shares
from carecoord.scenario.services import SHARED_SERVICES

DATA = Path(__file__).parents[1] / "data"
TINY = DATA / "tiny.yaml"  # two localities, different go-lives, every mechanism in the integrated arm
LSC = Path(__file__).parents[2] / "scenarios" / "lancashire_south_cumbria_places_2023.yaml"
UNCAPPED = ["services.intermediate_care.capacity=null", "services.out_of_hours.capacity=null"]


def _run(overrides: list[str]) -> tuple[dict[str, Recorder], int]:
    scenario = load_scenario(TINY, overrides=["simulation.duration_days=365", "simulation.warm_up_days=90", *overrides])
    cohort = generate_cohort(scenario, 0)
    return {arm: run_arm(scenario, cohort, arm, 0, log_events=True) for arm in scenario.arm_names}, len(cohort.patients)


@pytest.fixture(scope="module")
def uncapped() -> tuple[dict[str, Recorder], dict[str, Recorder]]:
    pooled, _ = _run([*UNCAPPED, "simulation.shared_services=pooled"])
    split, _ = _run([*UNCAPPED, "simulation.shared_services=split"])
    return pooled, split


def test_split_records_what_pooled_records_without_a_capped_shared_service(uncapped):
    pooled, split = uncapped
    for arm, p in pooled.items():
        s = split[arm]
        assert sum(1 for v in p.values if v) > 100, arm  # something was recorded
        assert s.values == p.values, arm  # every (metric, locality, month): exact
        assert s.location_days == p.location_days, arm
        assert sorted(map(repr, s.stays)) == sorted(map(repr, p.stays)), arm
        assert sorted(s.admission_log) == sorted(p.admission_log), arm
        assert s.enrolled_at == p.enrolled_at, arm
        assert sorted(zip(s.events, s.event_starts, strict=True)) == sorted(zip(p.events, p.event_starts, strict=True))
        assert s.tier_admissions == p.tier_admissions, arm  # whole counts: exact in any order
        assert s.tier_person_days == pytest.approx(p.tier_person_days, rel=1e-12, abs=0), arm  # summation order
        assert s.arrival == p.arrival
    assert pooled["integrated"].enrolled_at  # the integrated arm enrolled patients in both runs


def test_split_lists_are_in_time_order(uncapped):
    _, split = uncapped
    for rec in split.values():
        assert [stay.discharged for stay in rec.stays] == sorted(stay.discharged for stay in rec.stays)
        times = [row[1] for row in rec.events]
        assert times == sorted(times)


def test_split_peaks_of_unlimited_shared_services_bound_the_pooled_peak(uncapped):
    """Each locality's piece of an unlimited shared service has its own peak: at most the pooled one,
    and together at least it (the pooled peak is reached at one moment, by every locality's users)."""
    pooled, split = uncapped
    names = ("east", "west")
    for arm, p in pooled.items():
        s = split[arm]
        for service in SHARED_SERVICES:
            pieces = [s.peak_in_use[f"{service}:{name}"] for name in names]
            assert service not in s.peak_in_use
            assert max(pieces) <= p.peak_in_use[service] <= sum(pieces), (arm, service)
            assert all(s.capacity[f"{service}:{name}"] == float("inf") for name in names)
        for key, peak in p.peak_in_use.items():  # community services, caseloads: the same keys and peaks
            if key.partition(":")[0] not in SHARED_SERVICES:
                assert s.peak_in_use[key] == peak and s.capacity[key] == p.capacity[key], (arm, key)


def test_one_locality_split_is_pooled_bit_for_bit():
    one = ["localities=[{name: east, cohort_size: 200, incidence_per_year: 20}]"]
    pooled, _ = _run([*one, "simulation.shared_services=pooled"])
    split, _ = _run([*one, "simulation.shared_services=split"])
    for arm, p in pooled.items():
        s = split[arm]
        assert s.values == p.values and s.location_days == p.location_days
        assert list(map(repr, s.stays)) == list(map(repr, p.stays))  # same order too
        assert s.events == p.events and s.event_starts == p.event_starts
        assert s.admission_log == p.admission_log and s.enrolment_mark == p.enrolment_mark
        assert s.tier_person_days == p.tier_person_days and s.tier_admissions == p.tier_admissions
        assert s.capacity == p.capacity and s.peak_in_use == p.peak_in_use


def test_largest_remainders():
    assert split_shares(80, [780, 700, 6200, 900]) == [7, 7, 58, 8]  # quotas 7.27 6.53 57.81 8.39: +1 to .81, .53
    assert split_shares(3, [1, 1]) == [2, 1]  # a tie goes to the earlier locality
    assert split_shares(10, [1, 100]) == [1, 9]  # quota 0.099 rounds to 0: one place, from the other
    assert split_shares(2, [1, 1, 1, 1, 1]) == [1, 1, 1, 1, 1]  # fewer places than localities: one each
    assert split_shares(-3, [1, 2], at_least_one=False) == [-1, -2]  # an arm removing places
    assert split_shares(5, [0, 0]) == [3, 2]  # no sizes: equal shares


def test_capped_shared_service_split_by_cohort_size():
    scenario = load_scenario(LSC, overrides=["simulation.shared_services=split"])
    assert scenario.services.intermediate_care.capacity == 80
    pieces = split_capacities(scenario, "intermediate_care")
    assert pieces == [7, 7, 58, 8] and sum(pieces) == 80
    added = scenario.arm("place_integration").added_capacity["intermediate_care"]  # 20 places
    assert split_shares(added, [780, 700, 6200, 900], at_least_one=False) == [2, 2, 14, 2]  # 1.82 1.63 14.45 2.10
    assert split_capacities(scenario, "intermediate_care", added) == [9, 9, 72, 10]
    cohort = generate_cohort(scenario, 0)
    for arm, expected in (("baseline", [7, 7, 58, 8]), ("place_integration", [9, 9, 72, 10])):
        for i, loc in enumerate(scenario.localities):
            world = build_world(scenario, cohort, arm, 0, localities=(i,))
            assert world.services["intermediate_care"][i].resource.capacity == expected[i]
            assert world.rec.capacity[f"intermediate_care:{loc.name}"] == expected[i]
            assert all(world.services["intermediate_care"][j] is None for j in range(4) if j != i)
            assert {p.locality for p in world.patients} == {i}
    assert "intermediate_care 7/7/58/8" in shared_rule(scenario)
    assert "out_of_hours 1/1/1/1 (4 in all, not 2)" in shared_rule(scenario)


def test_by_population_shared_service_sized_on_each_cohort():
    scenario = load_scenario(
        TINY,
        overrides=["simulation.shared_services=split", "services.intermediate_care.capacity=by_population"],
    )
    per_1000 = scenario.services.intermediate_care.capacity_per_1000_patients
    assert split_capacities(scenario, "intermediate_care") == [round(per_1000 * 0.2), round(per_1000 * 0.15)]


def test_groups_and_rule_line():
    pooled = load_scenario(TINY)
    assert pooled.simulation.shared_services == "pooled"  # the default
    assert locality_groups(pooled) == [None]
    assert shared_rule(pooled).startswith("shared services: pooled")
    split = load_scenario(TINY, overrides=["simulation.shared_services=split"])
    assert locality_groups(split) == [(0,), (1,)]
    one = load_scenario(TINY, overrides=["simulation.shared_services=split", "localities=[{name: a, cohort_size: 9}]"])
    assert locality_groups(one) == [None] and shared_rule(one) is None
