"""The rules a study file can name to compare the model's figure with the published one ("agrees?").

Each rule takes the model's estimate (mean and 95% CI across replications), the published figure and
its arguments (a pydantic model), and returns the verdict in words. ``VERDICTS`` maps the name a study
file uses to the rule and its arguments.

Example:
    >>> inside_ci((0.08, 0.06, 0.10), Published(value=0.05, low=-0.04, high=0.15), NoArgs())
    'yes'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from carecoord.scenario.base import StrictModel
from carecoord.validation.outcomes import Estimate


class Published(StrictModel):
    """The published figure: a number with its CI, words, or both (the words are shown when given)."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    text: str | None = Field(None, description="The figure in words, shown instead of the number.")
    ref: str | None = Field(None, description="Its row in docs/references.csv, if it has one.")


class NoArgs(StrictModel):
    pass


class PrecisionArgs(StrictModel):
    decimals: int = Field(2, ge=0, le=6, description="Decimals the study published its figures to.")


class NoDifferenceArgs(StrictModel):
    within_pct: float = Field(
        5.0,
        ge=0,
        description="A change this close to 0 counts as 'no significant difference' even when the model's CI, "
        "narrowed by common random numbers, excludes 0 (assumption: smaller than trials of that size detect).",
    )


class RangeArgs(StrictModel):
    low: float | None = Field(None, description="Lowest model mean that agrees (none: no lower limit).")
    high: float | None = Field(None, description="Highest model mean that agrees (none: no upper limit).")
    inclusive: bool = Field(True, description="Whether a mean equal to a limit agrees.")
    agrees: str = Field(description="The verdict when the mean is inside the range.")
    disagrees: str = Field(description="The verdict when it is not.")


def inside_ci(model: Estimate, published: Published, args: NoArgs) -> str:
    """Whether the model's mean lies inside the published CI."""
    return _inside(model[0], published.low, published.high)


def _inside(value: float, low: float | None, high: float | None) -> str:
    if low is not None and value < low:
        return "no: below the CI"
    if high is not None and value > high:
        return "no: above the CI"
    return "yes"


def inside_at_precision(model: Estimate, published: Published, args: PrecisionArgs) -> str:
    """Whether the model's mean, rounded as the study rounded its figures, lies inside the published CI."""
    shown = round(model[0], args.decimals)
    return f"{_inside(shown, published.low, published.high)} (rounds to {shown:+.{args.decimals}f})"


def no_ci(model: Estimate, published: Published, args: NoArgs) -> str:
    """No CI published: compare sign and size."""
    value, target = model[0], published.value
    assert target is not None  # checked when the study file is read
    if value == 0 or math.copysign(1, value) != math.copysign(1, target):
        return "no CI published; opposite sign"
    return f"no CI published; same sign, {value / target:.1f} x the published size"


def no_difference(model: Estimate, published: Published, args: NoDifferenceArgs) -> str:
    """'No significant difference': the model's 95% CI includes 0 or lies within +/- within_pct."""
    low, high = model[1], model[2]
    if low <= 0 <= high:
        return "yes: CI includes 0"
    if low >= -args.within_pct and high <= args.within_pct:
        return f"yes: CI within +/-{args.within_pct:g}%"
    return "no: a significant change"


def in_range(model: Estimate, published: Published, args: RangeArgs) -> str:
    """Whether the model's mean lies in a stated range (for figures published as words or a range)."""
    value = model[0]
    if args.inclusive:
        ok = (args.low is None or value >= args.low) and (args.high is None or value <= args.high)
    else:
        ok = (args.low is None or value > args.low) and (args.high is None or value < args.high)
    return args.agrees if ok else args.disagrees


def context(model: Estimate, published: Published, args: NoArgs) -> str:
    """A figure shown for comparison, not a check."""
    return "context"


@dataclass(frozen=True)
class Verdict:
    """A registered rule: the function, its arguments' model and which published fields it needs."""

    function: Callable[[Estimate, Any, Any], str]
    args: type[StrictModel]
    needs: tuple[str, ...] = ()


VERDICTS: dict[str, Verdict] = {
    "inside_ci": Verdict(inside_ci, NoArgs, ("low", "high")),
    "inside_at_precision": Verdict(inside_at_precision, PrecisionArgs, ("low", "high")),
    "no_ci": Verdict(no_ci, NoArgs, ("value",)),
    "no_difference": Verdict(no_difference, NoDifferenceArgs),
    "range": Verdict(in_range, RangeArgs),
    "context": Verdict(context, NoArgs),
}
