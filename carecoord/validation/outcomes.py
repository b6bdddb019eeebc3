"""The computations a study file can name: how the model's figure for a published outcome is read from a run.

Each computation takes the output of one run of a setting (an ``experiment``: ``run_experiment``'s result
with its monthly table and before-and-after counts; or an ``enrolment`` run: ``enrolment_tables``) and its
arguments (a pydantic model, so a study file's mistakes are reported by field), and returns the mean and
95% CI across replications. ``COMPUTATIONS`` maps the name a study file uses to the function, the kinds of
run it reads and its arguments.

Example:
    >>> spec = COMPUTATIONS["window_change_pct"]
    >>> spec.function(result, spec.args.model_validate({"metric": "bed_days", "months": 12}))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from pydantic import Field

from carecoord.before_after import summarise_before_after
from carecoord.rates import DAYS_PER_YEAR
from carecoord.scenario.base import StrictModel
from carecoord.stats import mean_ci

Estimate = tuple[float, float, float]
"""Mean and 95% CI (t-based, across replications)."""

RunKind = Literal["experiment", "enrolment"]
Subset = Literal["all", "at_admission"]
BeforeAfterMeasure = Literal[
    "before_after_change_pct",
    "baseline_before_after_change_pct",
    "controlled_change_pct",
    "controlled_difference_per_patient",
]


def ci(values: Sequence[float]) -> Estimate:
    mean, lo, hi = mean_ci(list(values))
    return float(mean), float(lo), float(hi)


# --------------------------------------------------------------------------------------------- arguments


class ArmArgs(StrictModel):
    arm: str = Field("integrated", description="The arm compared with the baseline.")


class BeforeAfterArgs(ArmArgs):
    measure: BeforeAfterMeasure = Field(description="A measure of summarise_before_after.")
    subset: Subset = Field(
        "all", description="Enrolment runs: everyone enrolled ('all') or those enrolled at an admission."
    )
    divide_by: float = Field(1.0, gt=0, description="Divide the figure (e.g. 12: per patient-year to per month).")


class RateRatioArgs(ArmArgs):
    subset: Subset = Field("all", description="As for before_after.")


class WindowArgs(ArmArgs):
    first_month: int = Field(0, ge=0, description="First calendar month after the start month (0: that month).")
    months: int = Field(gt=0, description="How many calendar months.")
    start: dt.date | None = Field(
        None, description="Start date; default: the first locality's go-live (the end of the warm-up if none)."
    )


class WindowMetricArgs(WindowArgs):
    metric: str | list[str] = Field(description="A metric of the monthly table (or several, summed).")


class PersonMonthArgs(WindowArgs):
    metric: str = Field(description="A count metric of the monthly table.")


class CohortArgs(ArmArgs):
    column: Literal["bed_days", "deaths", "ae"] = Field(description="The whole cohort's count over the follow-up.")


EnrolledColumn = Literal[
    "arm_ae_before",
    "arm_ae_after",
    "baseline_ae_before",
    "baseline_ae_after",
    "arm_bed_days_before",
    "arm_bed_days_after",
    "baseline_bed_days_before",
    "baseline_bed_days_after",
    "arm_deaths_after",
    "baseline_deaths_after",
]
"""Sums over the enrolled patients (enrolment.enrolled_outcomes): the arm's or, for the same patients and
dates, the baseline's A&E attendances, bed days or deaths, the year before or after enrolment."""


class EnrolledArgs(ArmArgs):
    numerator: EnrolledColumn = Field(description="e.g. arm_bed_days_after.")
    denominator: EnrolledColumn = Field(description="e.g. baseline_bed_days_after.")


# --------------------------------------------------------------------------------------------- helpers


def _before_after_summary(run: Any, subset: str) -> pd.DataFrame:
    if isinstance(run, dict):  # an enrolment run's tables
        return run[subset]
    return summarise_before_after(run.before_after)


def _ba(summary: pd.DataFrame, arm: str, measure: str) -> Estimate:
    table = summary.set_index(["arm", "measure"])
    if (arm, measure) not in table.index:
        raise ValueError(f"{arm}: no enrolled patient has a full year before and after enrolment in this run")
    row = table.loc[(arm, measure)]
    return float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])


def months_after(result: Any, args: WindowArgs) -> list[str]:
    """Labels of calendar months first .. first+count-1 after the start month (0 = that month)."""
    scenario = result.scenario
    go_live = scenario.simulation.start_date + dt.timedelta(days=scenario.locality_go_live_day(0))
    start = pd.Timestamp(args.start or go_live)
    return list(pd.period_range(start, periods=args.first_month + args.months, freq="M").strftime("%Y-%m"))[
        args.first_month :
    ]


def window_change_values(
    result: Any, arm: str, months: list[str], metric: str | Sequence[str] = "emergency_admissions"
) -> list[float]:
    """Per replication: the arm's count of ``metric`` (summed, if several) in the months over the baseline's,
    minus 1, in %."""
    monthly = result.monthly
    metrics = (metric,) if isinstance(metric, str) else tuple(metric)
    block = monthly[monthly["metric"].isin(metrics) & monthly["month"].isin(months)]
    missing = set(months) - set(block["month"])
    if missing:
        raise ValueError(f"months outside the results window: {sorted(missing)}")
    totals = block.groupby(["replication", "arm"])["value"].sum().unstack()
    return (100.0 * (totals[arm] / totals["baseline"] - 1.0)).tolist()


# --------------------------------------------------------------------------------------------- computations


def before_after_measure(run: Any, args: BeforeAfterArgs) -> Estimate:
    """A before-and-after measure of the enrolled patients (year before vs after enrolment, arm vs baseline)."""
    return tuple(v / args.divide_by for v in _ba(_before_after_summary(run, args.subset), args.arm, args.measure))  # type: ignore[return-value]


def rate_ratio(run: Any, args: RateRatioArgs) -> Estimate:
    """Admissions after enrolment, arm over baseline for the same patients (from the controlled % change)."""
    m, lo, hi = _ba(_before_after_summary(run, args.subset), args.arm, "controlled_change_pct")
    return 1 + m / 100, 1 + lo / 100, 1 + hi / 100


def window_change_pct(result: Any, args: WindowMetricArgs) -> Estimate:
    """The whole cohort's count of a metric over calendar months, arm over baseline, -1, in %."""
    return ci(window_change_values(result, args.arm, months_after(result, args), args.metric))


def person_month_difference(result: Any, args: PersonMonthArgs) -> Estimate:
    """(arm - baseline) count of a metric over calendar months, per person-month of the baseline."""
    monthly = result.monthly
    months = months_after(result, args)
    block = monthly[monthly["metric"].isin([args.metric, "person_days"]) & monthly["month"].isin(months)]
    totals = block.groupby(["replication", "metric", "arm"])["value"].sum().unstack(["metric", "arm"])
    person_months = totals[("person_days", "baseline")] / (DAYS_PER_YEAR / 12.0)
    return ci(((totals[(args.metric, args.arm)] - totals[(args.metric, "baseline")]) / person_months).tolist())


def length_of_stay_difference(result: Any, args: WindowArgs) -> Estimate:
    """Mean length of stay (bed days per emergency admission over the months), arm - baseline, days."""
    monthly = result.monthly
    months = months_after(result, args)
    block = monthly[monthly["metric"].isin(["bed_days", "emergency_admissions"]) & monthly["month"].isin(months)]
    totals = block.groupby(["replication", "metric", "arm"])["value"].sum().unstack(["metric", "arm"])
    stay = {arm: totals[("bed_days", arm)] / totals[("emergency_admissions", arm)] for arm in ("baseline", args.arm)}
    return ci((stay[args.arm] - stay["baseline"]).tolist())


def cohort_admissions_change_pct(tables: dict[str, pd.DataFrame], args: ArmArgs) -> Estimate:
    """The whole cohort's emergency admissions over the enrolment run's follow-up, arm over baseline, in %."""
    cohort = tables["cohort"]
    return ci(cohort.loc[cohort["arm"] == args.arm, "change_pct"].tolist())


def cohort_change_pct(tables: dict[str, pd.DataFrame], args: CohortArgs) -> Estimate:
    """The whole cohort's bed days, deaths or A&E attendances over the follow-up, arm over baseline, in %."""
    wide = tables["cohort_outcomes"].pivot(index="replication", columns="arm", values=args.column)
    return ci((100.0 * (wide[args.arm] / wide["baseline"] - 1.0)).tolist())


def enrolled_change_pct(tables: dict[str, pd.DataFrame], args: EnrolledArgs) -> Estimate:
    """The enrolled patients' numerator over denominator (see enrolment.enrolled_outcomes), -1, in %."""
    block = tables["outcomes"][tables["outcomes"]["arm"] == args.arm]
    values = [
        100.0 * (a / b - 1.0) for a, b in zip(block[args.numerator], block[args.denominator], strict=True) if b > 0
    ]
    return ci(values)


@dataclass(frozen=True)
class Computation:
    """A registered computation: the function, the run kinds it reads and its arguments' model."""

    function: Callable[[Any, Any], Estimate]
    runs: tuple[RunKind, ...]
    args: type[StrictModel]


COMPUTATIONS: dict[str, Computation] = {
    "before_after": Computation(before_after_measure, ("experiment", "enrolment"), BeforeAfterArgs),
    "rate_ratio": Computation(rate_ratio, ("experiment", "enrolment"), RateRatioArgs),
    "window_change_pct": Computation(window_change_pct, ("experiment",), WindowMetricArgs),
    "person_month_difference": Computation(person_month_difference, ("experiment",), PersonMonthArgs),
    "length_of_stay_difference": Computation(length_of_stay_difference, ("experiment",), WindowArgs),
    "cohort_admissions_change_pct": Computation(cohort_admissions_change_pct, ("enrolment",), ArmArgs),
    "cohort_change_pct": Computation(cohort_change_pct, ("enrolment",), CohortArgs),
    "enrolled_change_pct": Computation(enrolled_change_pct, ("enrolment",), EnrolledArgs),
}
