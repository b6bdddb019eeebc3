"""The pieces a hazard rate is made of: step-function multipliers and changes of time scale.

A patient's hazard (``carecoord.model.clock``) is a base rate times named :class:`Step` multipliers
(an instability spell, the weeks after a discharge, an intervention's ramp), read in a
:class:`TimeMap`'s operational time where a type has one (the weekly profile of crises).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final, Protocol

from librt.vecs import vec

from carecoord.bisection import bisect_right
from carecoord.vectors import floats

INF: Final = math.inf


class TimeMap(Protocol):
    """A change of time scale: operational time ``tau(t)`` (increasing) and its inverse."""

    def tau(self, t: float) -> float: ...

    def inverse(self, tau: float) -> float: ...


class Step:
    """A step function: ``initial`` before ``times[0]``, ``values[i]`` from ``times[i]`` on."""

    __slots__ = ("initial", "times", "values")

    def __init__(self, initial: float, times: Sequence[float] | None = None, values: Sequence[float] | None = None):
        # Copied to librt vecs, whatever is given: the compiled clock reads their doubles in C (a bisect
        # on every piece of every hazard), where a Sequence (a cohort's array of spell times) is read
        # through generic calls making a float object per read; 8 bytes per change point and multiplier.
        self.initial = initial
        self.times = floats(times) if times else vec[float]()
        self.values = floats(values) if values else vec[float]()

    @staticmethod
    def window(start: float, end: float, ratio: float) -> Step:
        """``ratio`` from ``start`` until ``end``, 1 before and after (the weeks after a discharge)."""
        return Step(1.0, [start, end], [ratio, 1.0])

    def value(self, t: float) -> float:
        i = bisect_right(self.times, t)
        return self.initial if i == 0 else self.values[i - 1]

    def next_break(self, t: float) -> float:
        i = bisect_right(self.times, t)
        return self.times[i] if i < len(self.times) else INF


_UNIT_RATES: Final[dict[int, tuple[float, ...]]] = {}


def unit_rates(n: int) -> tuple[float, ...]:
    """The one shared tuple of ``n`` rates of 1.0 (a clock's unit base rates: no tuple per patient).

    Looked up before it is made: ``setdefault`` would build the tuple, five boxed floats, on every call
    (``HazardClock.set_factors`` asks on every move of every patient).
    """
    rates = _UNIT_RATES.get(n)
    if rates is None:
        rates = _UNIT_RATES[n] = (1.0,) * n
    return rates


NO_STEPS: Final[dict[str, Step]] = {}
"""The multipliers of a clock's type that has none, shared by every clock and never written (``set_step``
gives a type a dict of its own). A dict, not a mapping: the compiled clock iterates its values in C."""

__all__ = ["INF", "NO_STEPS", "Step", "TimeMap", "unit_rates"]
