"""Calibration: adjust each tier's crisis rate until the baseline reproduces its observed admissions.

The baseline arm is run with fixed seeds (common random numbers across iterations, so the
response to a rate change is smooth) and each tier's rate is multiplied by target / simulated
until every tier is within the tolerance. Depletion (frail patients die or move to care homes
sooner), hospital time and queues make the simulated rate differ from the analytic first guess;
this is why the rate is calibrated rather than set by hand.

Example:
    >>> result = calibrate(load_scenario("scenarios/east_blackburn_pilot.yaml"), replications=5)
    >>> result.rates_per_year
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from carecoord.experiment import Progress, run_replications
from carecoord.rates import DAYS_PER_YEAR, crisis_rates_per_day
from carecoord.scenario.schema import Scenario
from carecoord.scenario.writer import write_crisis_rates


@dataclass
class CalibrationResult:
    """Calibrated crisis rates per tier and the iterations that led to them."""

    tiers: list[str]
    targets: list[float]
    rates_per_year: list[float]
    simulated: list[float]
    converged: bool
    history: list[dict[str, list[float]]] = field(default_factory=list)

    def relative_errors(self) -> list[float]:
        return [s / t - 1 if t else 0.0 for s, t in zip(self.simulated, self.targets, strict=True)]


def with_rates(scenario: Scenario, rates_per_year: list[float]) -> Scenario:
    """A copy of the scenario with the tiers' crisis rates set."""
    tiers = [
        t.model_copy(update={"crisis_rate_per_year": r})
        for t, r in zip(scenario.cohort.tiers, rates_per_year, strict=True)
    ]
    cohort = scenario.cohort.model_copy(update={"tiers": tiers})
    return scenario.model_copy(update={"cohort": cohort})


def without_trend(scenario: Scenario) -> Scenario:
    """The scenario without its secular trend: tier targets describe the rates before any trend (the first
    simulated year's), so calibration and its checks run at those rates (carecoord.trend)."""
    if scenario.simulation.trend is None:
        return scenario
    return scenario.model_copy(update={"simulation": scenario.simulation.model_copy(update={"trend": None})})


def simulated_rates(scenario: Scenario, replications: int, workers: int | None = None) -> list[float]:
    """Baseline emergency admissions per person-year of each tier (results window), without a secular trend."""
    runs = run_replications(without_trend(scenario), replications, workers, arms=["baseline"])
    n = len(scenario.cohort.tiers)
    admissions = [sum(run["baseline"].tier_admissions[t] for run in runs) for t in range(n)]
    years = [sum(run["baseline"].tier_person_days[t] for run in runs) / DAYS_PER_YEAR for t in range(n)]
    return [float(a / y) if y else 0.0 for a, y in zip(admissions, years, strict=True)]


POOLED = 3
"""Iterations pooled into one estimate of admissions per unit of crisis rate."""


def _next_rates(recent: list[dict[str, list[float]]], rates: list[float], targets: list[float]) -> list[float]:
    """Admissions are close to proportional to the crisis rate near the target: estimate the ratio from
    the last few iterations together (a ratio of sums, which averages out replication noise) and
    invert it. With one iteration this is the plain multiplicative update."""
    out = []
    for t, (rate, target) in enumerate(zip(rates, targets, strict=True)):
        simulated = sum(h["simulated"][t] for h in recent)
        tried = sum(h["rates_per_year"][t] for h in recent)
        out.append(float(target * tried / simulated) if simulated > 0 else rate)
    return out


def calibrate(
    scenario: Scenario,
    replications: int = 5,
    tolerance: float = 0.02,
    max_iterations: int = 10,
    workers: int | None = None,
    progress: Progress | None = None,
) -> CalibrationResult:
    """Fixed-point iteration on the tiers' crisis rates."""
    targets = [t.emergency_admissions_per_person_year for t in scenario.cohort.tiers]
    rates = [r * DAYS_PER_YEAR for r in crisis_rates_per_day(scenario)]
    history: list[dict[str, list[float]]] = []
    simulated: list[float] = []
    converged = False
    for iteration in range(max_iterations):
        simulated = simulated_rates(with_rates(scenario, rates), replications, workers)
        history.append({"rates_per_year": list(rates), "simulated": list(simulated)})
        if progress:
            progress(iteration + 1, max_iterations)
        if all(abs(s / t - 1) <= tolerance for s, t in zip(simulated, targets, strict=True) if t > 0):
            converged = True
            break
        rates = _next_rates(history[-POOLED:], rates, targets)
    else:
        rates = history[-1]["rates_per_year"]
    return CalibrationResult(
        tiers=[t.name for t in scenario.cohort.tiers],
        targets=targets,
        rates_per_year=rates,
        simulated=simulated,
        converged=converged,
        history=history,
    )


def write_calibration(
    source: Path,
    dest: Path,
    scenario: Scenario,
    result: CalibrationResult,
    replications: int,
    tolerance: float,
    command: list[str],
) -> Path:
    """Write the calibrated scenario (comments kept) and a JSON record of what changed."""
    today = dt.date.today().isoformat()
    comment = (
        f"calibrated {today} to emergency_admissions_per_person_year "
        f"(carecoord calibrate, {replications} replications, seed {scenario.simulation.seed})"
    )
    write_crisis_rates(source, dest, dict(zip(result.tiers, result.rates_per_year, strict=True)), comment)
    record = dest.with_name(f"{dest.stem}.calibration.json")
    before = [r * DAYS_PER_YEAR for r in crisis_rates_per_day(scenario)]
    record.write_text(
        json.dumps(
            {
                "source": str(source),
                "written": str(dest),
                "date": today,
                "command": ["carecoord", *command[1:]],
                "seed": scenario.simulation.seed,
                "replications_per_iteration": replications,
                "tolerance": tolerance,
                "converged": result.converged,
                "tiers": [
                    {
                        "tier": name,
                        "target_admissions_per_person_year": target,
                        "crisis_rate_per_year_before": old,
                        "crisis_rate_per_year_after": new,
                        "simulated_admissions_per_person_year": sim,
                    }
                    for name, target, old, new, sim in zip(
                        result.tiers, result.targets, before, result.rates_per_year, result.simulated, strict=True
                    )
                ],
                "iterations": result.history,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return record
