"""The hazard clock's caches: the inner ones change no number, and due times are kept correctly.

Fixed-seed results depend on event times to the last bit, so the inner caches (operational time at
the last update, the current segment, ``tau`` of the next change point) must return exactly what a
recomputation would: a reference clock has them emptied before each call. The due time of each
type is kept from when it was solved until the type fires or its rates change; solving it again
later (from a later integration point) gives the same time up to rounding, never another event.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from librt.vecs import vec

from carecoord.daycycle import WeeklyProfile
from carecoord.model.clock import CRISIS, DEATH, FALL, HazardClock, Step

PROFILE = WeeklyProfile.from_weights([0.5 + (h % 7) / 4 for h in range(24)], [1.3, 1, 1, 1, 1, 0.8, 0.7], 2)
N = 5


def empty_caches(clock: HazardClock) -> HazardClock:
    """Forget every inner cached value, so the next solve or integration recomputes all of it."""
    clock._tau_at = math.nan
    clock._seg_at = math.nan
    clock._break_at = math.nan
    return clock


def make_clock(timemap: bool) -> HazardClock:
    clock = HazardClock([0.02, 0.01, 0.005, 0.004, 0.001], [0.7, 1.3, 0.2, 2.1, 0.9], 0.0)
    if timemap:
        clock.set_timemaps([PROFILE if k == CRISIS else None for k in range(N)])
    clock.set_step(CRISIS, "spell", Step(1.5, [3.0, 17.25, 40.0], [0.6, 2.0, 1.0]))
    clock.set_factors((1.0, 1.0, 1.0, 1.0, 1.0))
    return clock


ratios = st.one_of(st.just(0.0), st.floats(0.05, 4.0))  # a multiplier stops a hazard or scales it
steps = st.builds(
    lambda t0, gap, r0, r1: Step(1.0, [t0, t0 + gap], [r0, r1]),
    st.floats(0.0, 80.0),
    st.floats(0.01, 30.0),
    ratios,
    ratios,
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("advance"), st.floats(0.0, 6.0)),
        st.tuples(st.just("factors"), st.tuples(*[st.sampled_from([0.0, 0.5, 1.0, 2.5])] * N)),
        st.tuples(st.just("step"), st.sampled_from([CRISIS, FALL, DEATH]), st.sampled_from(["a", "b"]), steps),
        st.tuples(st.just("drop"), st.sampled_from(["a", "b"])),
        st.tuples(st.just("fire"), st.integers(0, N - 1), st.floats(0.01, 3.0)),
        st.tuples(st.just("query")),
    ),
    min_size=1,
    max_size=40,
)


def apply(clock: HazardClock, op: tuple, fresh: bool) -> object:
    """One operation; returns what a query returned (``fresh``: every cache emptied first)."""
    if fresh:
        empty_caches(clock)
    kind = op[0]
    if kind == "advance":
        clock.advance(clock.last + op[1])
    elif kind == "factors":
        clock.set_factors(op[1])
    elif kind == "step":
        clock.set_step(op[1], op[2], op[3])
    elif kind == "drop":
        clock.drop_steps(op[1])
    elif kind == "fire":
        clock.fire(op[1], op[2])
    else:
        fires = []
        for k in range(N):
            if fresh:
                empty_caches(clock)
            fires.append(clock.time_to_fire(k))
        rates = []
        for k in range(N):
            if fresh:
                empty_caches(clock)
            rates.append(clock.rate(k, clock.last))
        return fires, rates, clock.next_event()
    return None


@settings(max_examples=300, deadline=None)
@given(ops=operations, timemap=st.booleans())
def test_cached_queries_equal_fresh_ones(ops: list[tuple], timemap: bool) -> None:
    """Any sequence of updates and queries: fire times, rates and integrated hazards agree to the bit."""
    cached, fresh = make_clock(timemap), make_clock(timemap)
    for op in [*ops, ("query",)]:
        assert apply(cached, op, fresh=False) == apply(fresh, op, fresh=True), op
        assert cached.acc == fresh.acc
        assert cached.last == fresh.last


@settings(max_examples=300, deadline=None)
@given(ops=operations, timemap=st.booleans())
def test_kept_due_times_equal_times_solved_again(ops: list[tuple], timemap: bool) -> None:
    """Due times kept across integrations equal a solve from the latest integration point, up to
    rounding (a relative 1e-9 allows ~10^6 roundings of double precision; a wrong kept time, from
    a rate change that did not clear it, is off by days).

    A type already overdue at its integration point (its hazard passed its target while the patient
    was busy) has no time to solve for. Where its hazard there is positive it fires at once: the kept
    time (when it came due) and a new solve are both no later than that point. Where its hazard there
    is zero (a factor or a step of zero) it waits for the hazard to be positive again, or never:
    :meth:`HazardClock.advance` clears a kept time that says otherwise, so kept and solved agree (a
    hypothesis example found them apart before that rule).
    """
    clock = make_clock(timemap)
    for op in [*ops, ("query",)]:
        apply(clock, op, fresh=False)
        kept = [clock.time_to_fire(k) for k in range(N)]
        again = [clock._fire_time(k) for k in range(N)]
        for k in range(N):
            since = clock.since[k]
            if clock.acc[k] >= clock.target[k] and clock.rate(k, since) > 0.0:  # overdue: fires at once
                assert kept[k] <= since * (1 + 1e-9) + 1e-9, (op, k)
                assert again[k] <= since * (1 + 1e-9) + 1e-9, (op, k)
            else:  # not yet due, or overdue where it cannot happen: the kept time is the solved one
                assert kept[k] == again[k] or math.isclose(kept[k], again[k], rel_tol=1e-9, abs_tol=1e-9), (op, k)
                assert again[k] > since or clock.acc[k] < clock.target[k], (op, k)


def test_a_rate_change_clears_only_what_it_changes() -> None:
    """``set_step`` re-solves its type alone; ``set_factors`` every type; ``fire`` the fired type."""
    clock = make_clock(timemap=False)
    before = [clock.time_to_fire(k) for k in range(N)]
    clock.advance(1.0)
    clock.set_step(FALL, "a", Step(2.0))
    assert [math.isnan(t) for t in clock._due] == [k == FALL for k in range(N)]
    assert clock.time_to_fire(FALL) < before[FALL]
    clock.fire(CRISIS, 0.5, now=1.5)
    assert clock.since[CRISIS] == 1.5 and clock.since[DEATH] == 1.0
    assert math.isnan(clock._due[CRISIS]) and clock._due[DEATH] == before[DEATH]
    clock.advance(2.0)
    clock.set_factors((1.0, 1.0, 1.0, 1.0, 2.0))
    assert all(math.isnan(t) for t in clock._due)
    assert clock.time_to_fire(DEATH) < before[DEATH]


def test_drop_steps_removes_them_everywhere() -> None:
    """``drop_steps`` removes the named multipliers from every type and the rate follows at once."""
    clock = make_clock(timemap=False)
    clock.set_step(FALL, "readmission", Step(3.0))
    clock.set_step(CRISIS, "readmission", Step(3.0))
    before = clock.rate(CRISIS, 0.0)
    clock.drop_steps("readmission", "intervention")
    assert all("readmission" not in s for s in clock.steps)
    assert clock.rate(CRISIS, 0.0) == before / 3.0
    assert clock.rate(FALL, 0.0) == 0.01


rates = st.tuples(*[st.one_of(st.just(0.0), st.floats(1e-4, 0.05)) for _ in range(5)])


@settings(max_examples=200, deadline=None)
@given(moves=st.lists(st.tuples(st.floats(0.0, 30.0), rates), min_size=1, max_size=8))
def test_shared_factors_and_time_maps_equal_a_clock_of_its_own(moves: list[tuple[float, tuple]]) -> None:
    """A unit-base clock keeps the caller's rates tuple and a shared tuple of time maps (memory round 2):
    every event time equals, to the bit, a clock with its own lists (``1.0 * rate`` folded in)."""
    shared = HazardClock([1.0] * 5, [0.7, 1.3, 0.2, 2.1, 0.9], 0.0)
    shared.set_timemaps((PROFILE, None, None, None, None))
    own = HazardClock([1.0] * 5, [0.7, 1.3, 0.2, 2.1, 0.9], 0.0)
    own.set_timemaps([PROFILE, None, None, None, None])  # a list: the clock keeps a tuple of its own
    for clock in (shared, own):
        clock.set_step(CRISIS, "spell", Step(1.5, [3.0, 17.25, 40.0], [0.6, 2.0, 1.0]))
    now = 0.0
    for gap, factors in moves:
        now += gap
        for clock in (shared, own):
            clock.advance(now)
        shared.set_factors(factors)
        own.factor = tuple([1.0 * f for f in factors])  # what set_factors stores for other bases: rates of its own
        own._seg_at = math.nan
        own._due = vec[float]([math.nan] * 5)
        assert shared.factor is factors
        assert shared.next_event() == own.next_event()
        assert [shared.time_to_fire(k) for k in range(5)] == [own.time_to_fire(k) for k in range(5)]
    with pytest.raises(ValueError, match="factors"):
        shared.set_factors((1.0, 1.0))
    with pytest.raises(ValueError, match="time maps"):
        shared.set_timemaps((None,))


def first_to_fire(clock: HazardClock) -> tuple[int, float]:
    """The type that fires first by ``time_to_fire`` of each type (ties to the lower type; -1 if none)."""
    best_k, best_t = -1, math.inf
    for k in range(N):
        t = clock.time_to_fire(k)
        if t < best_t:
            best_k, best_t = k, t
    return best_k, best_t


@settings(max_examples=300, deadline=None)
@given(ops=operations, timemap=st.booleans())
def test_next_event_is_the_first_time_to_fire(ops: list[tuple], timemap: bool) -> None:
    """``next_event`` (which computes constant-rate types inline) equals the earliest ``time_to_fire``, to the bit."""
    clock, reference = make_clock(timemap), make_clock(timemap)
    for op in [*ops, ("query",)]:
        apply(clock, op, fresh=False)
        apply(reference, op, fresh=False)
        assert clock.next_event() == first_to_fire(reference), op
