"""Numbers for people: precision chosen from the confidence interval, no "-0", no "nan".

A mean is shown to the precision its 95% CI supports (two significant figures of the half-width),
so a real difference of 0.004 [0.001, 0.007] is never printed as "0.00 [0.00, 0.00]", and a cost
of 13,559,128 [13,289,715, 13,828,541] reads "13.56m [13.29m, 13.83m]". Figures are rounded, not
truncated: the digits shown are the ones the replications can support.

Example:
    >>> interval(0.0043, 0.0012, 0.0074)
    '0.0043 [0.0012, 0.0074]'
    >>> interval(-131406, -332624, 69812)
    '−130,000 [−330,000, 70,000]'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carecoord.economics import CostEffect

MAX_DECIMALS = 6
MINUS = "−"


def _decimals(spread: float) -> int:
    """Decimals that keep two significant figures of ``spread`` (the CI half-width); negative rounds to tens,
    hundreds..."""
    if spread <= 0 or not math.isfinite(spread):
        return 0
    return int(min(MAX_DECIMALS, 1 - math.floor(math.log10(spread))))


def number(value: float, decimals: int, scale: float = 1.0, suffix: str = "") -> str:
    """``value / scale`` with thousands separators, a real minus sign, and never "-0"."""
    if value is None or not math.isfinite(value):
        return "–"
    scaled = round(value / scale, decimals)  # decimals < 0 rounds to tens, hundreds...
    text = f"{scaled:,.{max(0, decimals)}f}"
    if float(text.replace(",", "")) == 0:
        return "0"
    return text.replace("-", MINUS) + suffix


def _scale(values: list[float]) -> tuple[float, str]:
    biggest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if biggest >= 1e6:
        return 1e6, "m"
    return (1e3, "k") if biggest >= 1e5 else (1.0, "")


def interval(mean: float, low: float, high: float) -> str:
    """``mean [low, high]`` at the precision the interval supports; just the mean when there is no interval."""
    if mean is None or not math.isfinite(mean):
        return "–"
    scale, suffix = _scale([mean, low, high])
    if not (math.isfinite(low) and math.isfinite(high)):
        return single(mean)
    half = (high - low) / 2 / scale
    if half == 0:  # the same in every replication
        return single(mean)
    digits = _decimals(half)
    low_text, high_text = (number(v, digits, scale, suffix) for v in (low, high))
    return f"{number(mean, digits, scale, suffix)} [{low_text}, {high_text}]"


def single(value: float) -> str:
    """A value without an interval: whole numbers as such, others to three significant figures."""
    if value is None or not math.isfinite(value):
        return "–"
    scale, suffix = _scale([value])
    scaled = abs(value) / scale
    if scale == 1.0 and float(value).is_integer():
        return number(value, 0)
    digits = 0 if scaled >= 100 else max(0, 2 - math.floor(math.log10(scaled))) if scaled > 0 else 0
    return number(value, min(MAX_DECIMALS, digits), scale, suffix)


def percent(mean: float, low: float, high: float) -> str:
    """A signed percentage change with its interval; says why when there is no figure."""
    if not math.isfinite(mean):
        return "no figure (no admissions in the year before)"
    body = interval(mean, low, high)
    sign = "+" if body[0] not in (MINUS, "0") else ""
    return f"{sign}{body.replace(' [', '% [')}" if "[" in body else f"{sign}{body}%"


def signed_percent(value: float, digits: int = 0) -> str:
    """A whole-number change such as "+12%" or "−30%"; "0%" when it rounds to zero (never "−0%" or "+0%")."""
    if value is None or not math.isfinite(value):
        return "–"
    text = number(value, digits)
    return "0%" if text == "0" else ("" if text.startswith(MINUS) else "+") + text + "%"


def money(value: float, signed: bool = False) -> str:
    """Pounds for people: £1.28m, £558, £9,400, £12k (thousands from £10,000); never "-0", no sign unless asked."""
    if math.isnan(value):
        return "no figure"
    size = abs(value)
    if size >= 1e6:
        text = f"£{size / 1e6:.2f}m"
    elif size >= 1e4:
        text = f"£{size / 1e3:,.0f}k"
    else:
        text = f"£{size:,.0f}"
    if text in ("£0", "£0.00m"):
        return "£0"
    if signed:
        return ("−" if value < 0 else "+") + text
    return text


def _number(value: float) -> str:
    """One decimal, a real minus sign, never '-0.0'."""
    text = f"{value:,.1f}"
    return "0.0" if text in ("-0.0", "0.0") else text.replace("-", "−")


def _per_unit(value: float) -> str:
    return f"saves {money(value)}" if value < 0 else f"costs {money(value)}"


def describe_net_cost(net_cost: tuple[float, float, float]) -> str:
    """'saves £131k a year (95% CI: saves £333k to costs £70k)' style wording for a net cost."""
    mean, lo, hi = net_cost
    text = f"{_per_unit(mean)} overall"
    if not math.isnan(lo):
        text += f" (95% CI: {_per_unit(lo)} to {_per_unit(hi)})"
    return text


def describe_cost_effect(effect: CostEffect) -> str:
    """One honest sentence about cost per admission avoided; never a negative cost per unit."""
    mean, lo, hi = effect.avoided
    if math.isnan(mean):
        return "no figure: no replications"
    if effect.avoided_spans_zero:
        if math.isnan(lo):
            return "no cost per admission avoided: one replication gives no confidence interval"
        return (
            f"no cost per admission avoided: admissions avoided could be zero "
            f"(95% CI {_number(lo)} to {_number(hi)}), so the ratio has no meaningful value"
        )
    if mean <= 0 or hi < 0:
        return f"no admissions avoided: {abs(mean):,.1f} more emergency admissions than the baseline"
    text = f"{_per_unit(effect.per_admission)} per admission avoided"
    if effect.per_admission_ci is not None:
        low, high = effect.per_admission_ci
        text += f" (95% CI: {_per_unit(low)} to {_per_unit(high)})"
    return text


def signed(value: float, digits: int = 0) -> str:
    """A number with thousands separators, a real minus sign and no "−0" (report sentences)."""
    return number(value, digits) if math.isfinite(value) else "–"
