"""Competing-risk clocks: time to a patient's next event, scheduled, never polled.

Each event type (crisis, fall, social crisis, decline, death) has a piecewise-constant hazard:
a base rate times step-function multipliers (instability spells, the weeks after a discharge,
an intervention's effect) times a factor for where the patient is. Each type fires when its
integrated hazard reaches a unit-exponential target drawn from the patient's own stream (the
modified next-reaction method). A change of rate therefore warps event times without consuming
random numbers, which keeps arms on common random numbers.

Example:
    >>> clock = HazardClock(base=[1.0], targets=[0.5], now=0.0)
    >>> clock.next_event()
    (0, 0.5)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from carecoord.bisection import bisect_right
from carecoord.daycycle import WeeklyProfile
from carecoord.model.step import INF, NO_STEPS, Step, unit_rates
from carecoord.vectors import filled, floats

NAN: Final = math.nan

# Final literals: the compiled model (mypyc) inlines them, where a plain global is a dict lookup per use.
CRISIS: Final = 0
FALL: Final = 1
SOCIAL: Final = 2
DECLINE: Final = 3
DEATH: Final = 4
EVENT_TYPES: Final = ("crisis", "fall", "social_crisis", "decline", "death")


class HazardClock:
    """The next-event clocks of one patient.

    Each type keeps its own integrated hazard ``acc[k]`` up to its own time ``since[k]``, and the
    time it fires at the current rates, once computed (``_due[k]``), kept until the type's rates
    change or it fires: the next event of a patient is the earliest of five stored times, and only
    the type that fired (or whose rate changed) is integrated and solved again. Call :meth:`advance`
    before changing a rate, so that every type's hazard up to then is kept at the old rate.
    """

    __slots__ = (
        "_break_at",
        "_break_k",
        "_break_tau",
        "_due",
        "_seg_at",
        "_seg_k",
        "_seg_next",
        "_seg_rate",
        "_tau_at",
        "_tau_k",
        "_tau_of",
        "acc",
        "base",
        "factor",
        "last",
        "multipliers",
        "since",
        "steps",
        "target",
        "timemap",
    )

    def __init__(self, base: Sequence[float], targets: list[float], now: float):
        # per day; unit base rates share one tuple. Tuples, not Sequence: indexed in C when compiled
        self.base: tuple[float, ...] = unit_rates(len(base)) if all(b == 1.0 for b in base) else tuple(base)
        # Per type, librt vecs (doubles in one buffer, read in C when compiled: no float object per item)
        self.target = floats(targets)  # unit-exponential targets
        self.acc = filled(0.0, len(base))  # integrated hazard since each type last fired, to ``since[k]``
        self.since = filled(now, len(base))
        self._due = filled(NAN, len(base))  # when each type fires at the current rates (NaN: not computed)
        # base rate x the factor for where the patient is; never written in place: may be the caller's tuple
        self.factor: tuple[float, ...] = self.base
        self.steps: list[dict[str, Step]] = [NO_STEPS] * len(base)
        self.multipliers: list[tuple[Step, ...]] = [()] * len(base)  # each dict's values, in order (read only)
        # operational time of a type (weekly profile), a tuple shared between clocks; typed as the one
        # time map there is, so that the compiled clock calls its methods directly
        self.timemap: tuple[WeeklyProfile | None, ...] = (None,) * len(base)
        self.last = now  # the time of the last :meth:`advance` (every type integrated up to it)
        # A type's operational time at ``_tau_at`` (where its integration last ended), where the next
        # integration and solve start (set time maps before the first query: not followed after). Scalars,
        # not lists per type (bytes count: in practice only the crisis type has a time map and a step).
        self._tau_k, self._tau_at, self._tau_of = -1, math.nan, 0.0
        # A stepped type's rate at ``_seg_at`` and its next change point (left by an integration's last
        # piece or a solve; a rate change clears it), and ``tau`` of that change point (one fixed time).
        self._seg_k, self._seg_at, self._seg_rate, self._seg_next = -1, math.nan, 0.0, INF
        self._break_k, self._break_at, self._break_tau = -1, math.nan, 0.0

    def _segment(self, k: int, t: float) -> tuple[float, float]:
        """Rate of type ``k`` at ``t`` and the time it next changes."""
        rate = self.factor[k]
        nxt = INF
        for step in self.multipliers[k]:
            times = step.times
            i = bisect_right(times, t)
            rate *= step.initial if i == 0 else step.values[i - 1]
            if i < len(times) and times[i] < nxt:
                nxt = times[i]
        return rate, nxt

    def advance(self, now: float) -> None:
        """Integrate every hazard up to ``now`` at the current rates (before a rate changes)."""
        if now > self.last:
            self.last = now
        since = self.since
        for k in range(len(since)):
            if now > since[k]:
                self._integrate(k, now)
                if self.acc[k] >= self.target[k] and self.rate(k, now) <= 0.0:
                    self._due[k] = NAN  # overdue where it cannot happen: it waits (:meth:`next_event`)

    def _integrate(self, k: int, now: float) -> None:
        """Add type ``k``'s hazard from ``since[k]`` to ``now`` (later) at the current rates."""
        last = self.since[k]
        self.since[k] = now
        tm = self.timemap[k]
        steps = self.steps[k]
        if tm is None:
            if not steps:  # constant rate: no walk needed
                rate = self.factor[k]
                if rate > 0:
                    self.acc[k] += rate * (now - last)
                return
            a = last
        else:
            a = self._tau_of if self._tau_at == last and self._tau_k == k else tm.tau(last)  # in its own time
            if not steps:
                b = tm.tau(now)
                rate = self.factor[k]
                if rate > 0:
                    self.acc[k] += rate * (b - a)
                self._tau_k, self._tau_at, self._tau_of = k, now, b
                return
        if self._seg_at == last and self._seg_k == k:  # what a solve found at ``last``
            rate, nxt = self._seg_rate, self._seg_next
        else:
            rate, nxt = self._segment(k, last)
        total = 0.0
        while True:  # now > last: at least one piece
            end = nxt if nxt < now else now
            if tm is None:
                b = end
            elif end == self._break_at and self._break_k == k:
                b = self._break_tau
            else:
                b = tm.tau(end)
            total += rate * (b - a)
            if end >= now:
                break
            a = b
            rate, nxt = self._segment(k, end)
        self.acc[k] += total
        if nxt > now:  # no change point in (piece start, now]: ``_segment(k, now)`` is this piece, to the bit
            self._seg_k, self._seg_at, self._seg_rate, self._seg_next = k, now, rate, nxt
        if tm is not None:
            self._tau_k, self._tau_at, self._tau_of = k, now, b

    def rate(self, k: int, t: float) -> float:
        """Hazard of type ``k`` per day at time ``t`` (what the patient's risk is now, not when it fires)."""
        if t == self._seg_at and k == self._seg_k:
            return self._seg_rate
        return self._segment(k, t)[0]

    def time_to_fire(self, k: int) -> float:
        """Absolute time at which type ``k`` fires at current rates (INF if never)."""
        t = self._due[k]
        if t != t:  # NaN: not computed since the type's rates last changed or it last fired
            t = self._due[k] = self._fire_time(k)
        return t

    def _fire_time(self, k: int) -> float:
        """Solve for the time type ``k``'s integrated hazard reaches its target, from ``since[k]`` on."""
        remaining = self.target[k] - self.acc[k]
        t = start = self.since[k]
        tm = self.timemap[k]
        a = t  # t in the type's own time (operational time with a time map)
        if tm is not None:
            a = self._tau_of if self._tau_at == t and self._tau_k == k else tm.tau(t)
        if not self.steps[k]:
            rate = self.factor[k]
            if rate <= 0:
                return INF
            return t + remaining / rate if tm is None else max(t, tm.inverse(a + remaining / rate))
        if self._seg_at == t and self._seg_k == k:
            rate, nxt = self._seg_rate, self._seg_next
        else:
            rate, nxt = self._segment(k, t)
            self._seg_k, self._seg_at, self._seg_rate, self._seg_next = k, t, rate, nxt
        while True:
            if tm is None or nxt == INF:
                b = nxt
            elif self._break_at == nxt and self._break_k == k:
                b = self._break_tau
            else:
                b = tm.tau(nxt)
                if t == start:  # the first change point: the one the next integration asks for again
                    self._break_k, self._break_at, self._break_tau = k, nxt, b
            if rate > 0 and remaining <= rate * (b - a):
                if tm is not None:
                    return max(t, tm.inverse(a + remaining / rate))
                # Overdue (remaining < 0) past a stretch of zero hazard: it fires where the hazard resumes.
                return t + remaining / rate if t == start else max(t, t + remaining / rate)
            if nxt == INF:
                return INF
            remaining -= rate * (b - a)
            t, a = nxt, b
            rate, nxt = self._segment(k, t)

    def next_event(self, now: float = -INF) -> tuple[int, float]:
        """The type that fires first and when (ties go to the lower type), asked at ``now``.

        A type that came due while the patient was busy fires at ``now`` if its hazard is positive
        there; where it is zero (a factor or multiplier of zero: where, or while, it cannot happen)
        it is integrated to ``now`` and solved again, so it waits for a positive hazard, or for ever,
        as a type solved afresh after the change would. Without ``now``, no such check.
        """
        due = self._due
        while True:
            best_k, best_t = -1, INF
            for k in range(len(due)):
                t = due[k]
                if t != t:  # NaN: solve this type again (it fired, or its rates changed)
                    t = due[k] = self._fire_time(k)
                if t < best_t:
                    best_k, best_t = k, t
            if best_t >= now or self.rate(best_k, now) > 0.0:
                return best_k, best_t
            if now > self.since[best_k]:  # solved again from ``now``, it fires after ``now`` (or never)
                self._integrate(best_k, now)
            due[best_k] = NAN

    def fire(self, k: int, new_target: float, now: float = NAN) -> None:
        """Type ``k`` has fired (at ``now``; NaN: its hazard is already integrated up to then, by
        :meth:`advance`): restart its clock with a fresh target. A float, not Optional: no object made.

        Hazard accumulated past the old target (an event that came due while the patient was busy,
        so fired late) is carried over, as the next-reaction method requires; other types keep theirs.
        """
        if now > self.since[k]:  # False for NaN
            self._integrate(k, now)
        self.acc[k] -= self.target[k]
        self.target[k] = new_target
        self._due[k] = NAN

    def _forget_due(self) -> None:
        """Every type's fire time to be solved again (rates changed): NaN in place, no new vec."""
        due = self._due
        for k in range(len(due)):
            due[k] = NAN

    def set_step(self, k: int, name: str, step: Step) -> None:
        """Set (or replace) a named multiplier; call :meth:`advance` first."""
        if self.steps[k] is NO_STEPS:
            self.steps[k] = {}  # a dict of its own once it has a step
        self.steps[k][name] = step
        self.multipliers[k] = tuple(self.steps[k].values())
        self._seg_at = math.nan
        self._due[k] = NAN

    def drop_steps(self, *names: str) -> None:
        """Remove named multipliers from every type (those it has); call :meth:`advance` first."""
        for k, steps in enumerate(self.steps):
            for name in names if steps is not NO_STEPS else ():
                steps.pop(name, None)
            self.multipliers[k] = tuple(steps.values())
        self._seg_at = math.nan
        self._forget_due()

    def set_timemaps(self, timemaps: Sequence[WeeklyProfile | None]) -> None:
        """Set every type's time map at once, before the first :meth:`advance` (only read: one tuple
        can serve every patient's clock of a run, where a list per clock costs ~100 bytes a patient)."""
        if len(timemaps) != len(self.base):
            raise ValueError(f"{len(timemaps)} time maps for {len(self.base)} event types")
        self.timemap = tuple(timemaps)  # a tuple given is kept as it is (shared), not copied
        self._forget_due()

    def set_factors(self, factors: tuple[float, ...]) -> None:
        """Set the location factors (rates per day with the base folded in); call :meth:`advance` first.

        With unit base rates the factors are kept as given (``1.0 * f == f`` exactly): no new
        floats on every move of every patient (docs/performance.md, memory round 2).
        """
        base = self.base
        if base is unit_rates(len(base)):
            if len(factors) != len(base):
                raise ValueError(f"{len(factors)} factors for {len(base)} event types")
            self.factor = factors
        else:
            self.factor = tuple([b * f for b, f in zip(base, factors, strict=True)])
        self._seg_at = math.nan
        self._forget_due()
