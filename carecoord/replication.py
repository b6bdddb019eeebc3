"""One replication: one cohort, every arm run on it, and what joins the arms afterwards.

The arms of a replication share the cohort and the random streams (common random numbers) but no
simulation state, so each arm can run in a process of its own when there are more cores than
replications. An arm's run returns an :class:`ArmRun` (its result and the admission history that
before-and-after compares across arms); :func:`join_arms` then adds what needs every arm. Run
together or apart, the numbers are the same: the cohort depends only on the scenario, the seed and
the replication, so a process that runs one arm draws the same cohort again.

Example:
    >>> runs = {arm: run_one_arm(scenario, 0, arm) for arm in scenario.arm_names}
    >>> results = join_arms(runs, scenario.arm_names)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from carecoord.before_after import AdmissionHistory, before_after
from carecoord.cohort import Cohort, generate_cohort
from carecoord.metrics import ArmResult, arm_result
from carecoord.model.run import run_arm
from carecoord.model.world import make_calendar
from carecoord.population import population_stream
from carecoord.scenario.schema import Scenario


@dataclass
class ArmRun:
    """One arm of one replication, as the other arms need it: its result and its admissions."""

    result: ArmResult
    history: AdmissionHistory
    population: Any = None  # carecoord.population.PopulationStream of the replication, when asked for


def run_one_arm(
    scenario: Scenario,
    replication: int,
    arm: str,
    log_events: bool = False,
    with_population: bool = False,
    cohort: Cohort | None = None,
) -> ArmRun:
    """Simulate one arm (drawing the replication's cohort unless given) and keep what joining needs.

    ``with_population`` also draws the whole population's stream, which is the same for every arm
    and so is asked of one arm only.
    """
    cohort = generate_cohort(scenario, replication) if cohort is None else cohort
    recorder = run_arm(scenario, cohort, arm, replication, log_events)
    run = ArmRun(arm_result(scenario, arm, recorder), AdmissionHistory.of(recorder))
    if with_population:
        run.population = population_stream(scenario, cohort, replication, make_calendar(scenario))
    return run


def join_arms(runs: dict[str, ArmRun], order: list[str]) -> dict[str, ArmResult]:
    """The arms' results in ``order``, each with the whole population and its before-and-after."""
    rest = next((run.population for run in runs.values() if run.population is not None), None)
    results = {arm: runs[arm].result for arm in order}
    for res in results.values():
        res.population = rest
    if "baseline" in runs:
        base = runs["baseline"].history
        for arm in order:
            ba = before_after(runs[arm].history, base)
            results[arm].before_after = ba.as_dict() if ba is not None else None
    return results


def run_replication(
    scenario: Scenario, replication: int, arms: list[str] | None = None, log_events: bool = False
) -> dict[str, ArmResult]:
    """Every arm (or the ones named) of one replication, on one cohort, in this process."""
    cohort = generate_cohort(scenario, replication)
    names = arms or scenario.arm_names
    runs = {
        arm: run_one_arm(scenario, replication, arm, log_events, with_population=i == 0, cohort=cohort)
        for i, arm in enumerate(names)
    }
    return join_arms(runs, names)


__all__ = ["ArmRun", "join_arms", "run_one_arm", "run_replication"]
