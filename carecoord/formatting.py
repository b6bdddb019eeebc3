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
