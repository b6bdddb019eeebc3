"""HazardClock and Step: exact event times of piecewise-constant hazards.

Rates and targets are powers of two (or sums of them) so that every expected time is exact in
floating point and can be compared with ``==``.
"""

from __future__ import annotations

import math

import pytest

from carecoord.model.clock import INF, HazardClock, Step


def test_step_values_and_breaks() -> None:
    """``initial`` before the first time, ``values[i]`` from ``times[i]`` on (right-continuous)."""
    step = Step(1.0, [2.0, 5.0], [3.0, 0.5])
    assert [step.value(t) for t in (0.0, 1.99, 2.0, 4.0, 5.0, 100.0)] == [1.0, 1.0, 3.0, 3.0, 0.5, 0.5]
    assert [step.next_break(t) for t in (0.0, 2.0, 4.0, 5.0)] == [2.0, 5.0, 5.0, INF]
    assert Step(0.25).value(1e9) == 0.25 and Step(0.25).next_break(0.0) == INF


def test_step_window_is_the_step_of_its_numbers() -> None:
    """``Step.window``: the ratio from start until end, 1 before and after, as the general step would be."""
    window, general = Step.window(2.0, 30.0, 1.75), Step(1.0, (2.0, 30.0), (1.75, 1.0))
    assert (list(window.times), list(window.values), window.initial) == ([2.0, 30.0], [1.75, 1.0], 1.0)
    assert [window.value(t) for t in (0.0, 2.0, 29.9, 30.0, 99.0)] == [1.0, 1.75, 1.75, 1.0, 1.0]
    assert [window.value(t) for t in (0.0, 2.0, 29.9, 30.0)] == [general.value(t) for t in (0.0, 2.0, 29.9, 30.0)]


def test_docstring_example() -> None:
    """Unit rate, target 0.5: the event is at 0.5."""
    assert HazardClock(base=[1.0], targets=[0.5], now=0.0).next_event() == (0, 0.5)


def test_constant_rate_fires_at_target_over_rate() -> None:
    """Constant hazard ``r`` reaches target ``T`` at ``now + T / r``."""
    clock = HazardClock(base=[2.0], targets=[3.0], now=10.0)
    assert clock.time_to_fire(0) == 11.5


def test_step_change_halfway() -> None:
    """Rate 1 until t=1, then 4: target 2.5 is reached at 1 + (2.5 - 1) / 4 = 1.375."""
    clock = HazardClock(base=[1.0], targets=[2.5], now=0.0)
    clock.set_step(0, "spell", Step(1.0, [1.0], [4.0]))
    assert clock.time_to_fire(0) == 1.375
    clock2 = HazardClock(base=[1.0], targets=[0.75], now=0.0)
    clock2.set_step(0, "spell", Step(1.0, [1.0], [4.0]))
    assert clock2.time_to_fire(0) == 0.75  # fires before the step


def test_steps_multiply_with_base_and_factor() -> None:
    """Rate = base x location factor x every named step."""
    clock = HazardClock(base=[0.5], targets=[1.0], now=0.0)
    clock.set_factors((2.0,))
    clock.set_step(0, "a", Step(2.0))
    clock.set_step(0, "b", Step(1.0, [0.125], [0.5]))
    # rate 2 on [0, 0.125) -> 0.25 accumulated, then rate 1: fires at 0.125 + 0.75
    assert clock.time_to_fire(0) == 0.875


def test_zero_rate_never_fires() -> None:
    """A zero hazard (patient in hospital, say) never fires; a step to zero stops the clock."""
    clock = HazardClock(base=[1.0], targets=[1.0], now=0.0)
    clock.set_factors((0.0,))
    assert clock.time_to_fire(0) == INF
    assert clock.next_event() == (-1, INF)
    stops = HazardClock(base=[1.0], targets=[2.0], now=0.0)
    stops.set_step(0, "stop", Step(1.0, [1.0], [0.0]))
    assert stops.time_to_fire(0) == INF


def test_rate_resumes_after_a_zero_step() -> None:
    """A hazard that pauses on [1, 3) fires later by exactly the pause."""
    clock = HazardClock(base=[1.0], targets=[1.5], now=0.0)
    clock.set_step(0, "pause", Step(1.0, [1.0, 3.0], [0.0, 1.0]))
    assert clock.time_to_fire(0) == 3.5


def test_advance_integrates_across_breaks() -> None:
    """``advance`` adds the integral of each hazard, break by break."""
    clock = HazardClock(base=[1.0, 0.5], targets=[100.0, 100.0], now=0.0)
    clock.set_step(0, "s", Step(1.0, [1.0, 2.0, 3.0], [2.0, 0.0, 4.0]))
    clock.advance(4.0)
    assert list(clock.acc) == [1.0 + 2.0 + 0.0 + 4.0, 2.0]
    assert clock.last == 4.0
    clock.advance(3.0)  # never goes back
    assert list(clock.acc) == [7.0, 2.0] and clock.last == 4.0


def test_advance_then_fire_bookkeeping() -> None:
    """After ``advance`` the remaining target is measured from ``last``; ``fire`` resets one type."""
    clock = HazardClock(base=[1.0, 0.25], targets=[2.5, 1.0], now=0.0)
    clock.set_step(0, "spell", Step(1.0, [1.0], [4.0]))
    clock.advance(1.0)
    assert list(clock.acc) == [1.0, 0.25]
    assert clock.time_to_fire(0) == 1.375  # unchanged by advancing
    assert clock.next_event() == (0, 1.375)
    clock.advance(1.375)
    assert list(clock.acc) == [2.5, 0.34375]
    clock.fire(0, new_target=0.5)
    assert list(clock.acc) == [0.0, 0.34375]
    assert list(clock.target) == [0.5, 1.0]
    assert clock.time_to_fire(0) == 1.375 + 0.125  # rate 4 from now
    assert clock.time_to_fire(1) == 1.375 + (1.0 - 0.34375) / 0.25  # the other type kept its progress


def test_changing_a_rate_warps_time_without_new_targets() -> None:
    """Halving a rate midway doubles the remaining time; targets (random numbers) are untouched."""
    clock = HazardClock(base=[1.0], targets=[2.0], now=0.0)
    clock.advance(1.0)
    clock.set_factors((0.5,))
    assert clock.time_to_fire(0) == 1.0 + 1.0 / 0.5
    assert list(clock.target) == [2.0]


def test_competing_risks_first_wins_and_ties_go_to_lower_type() -> None:
    """The type with the earliest time fires; equal times go to the lower type index."""
    clock = HazardClock(base=[1.0, 2.0, 4.0], targets=[1.0, 1.0, 8.0], now=0.0)
    assert clock.next_event() == (1, 0.5)
    tie = HazardClock(base=[1.0, 2.0], targets=[1.0, 2.0], now=0.0)
    assert tie.next_event() == (0, 1.0)


@pytest.mark.parametrize("target", [0.1, 0.7, 1.3, 2.9, 6.0])
def test_time_to_fire_inverts_the_integrated_hazard(target: float) -> None:
    """Integrating the hazard up to the fire time gives back the target."""
    clock = HazardClock(base=[0.8], targets=[target], now=0.0)
    clock.set_step(0, "spell", Step(0.5, [0.5, 1.5, 2.5], [3.0, 1.0, 0.25]))
    t = clock.time_to_fire(0)
    clock.advance(t)
    assert math.isclose(clock.acc[0], target, rel_tol=1e-12)


def test_an_overdue_event_waits_while_its_hazard_is_zero() -> None:
    """A fall that came due while the patient was busy, asked for after a fall-prevention
    intervention with a ratio of zero took effect, waits (for ever here), whether or not the clock was
    integrated in between; asked for before the intervention, it fires at once."""

    def busy_clock() -> HazardClock:
        clock = HazardClock(base=[0.5], targets=[1.0], now=0.0)  # due at day 2
        clock.set_step(0, "intervention", Step(1.0, [3.0], [0.0]))  # no falls from day 3
        assert clock.next_event() == (0, 2.0)
        return clock

    assert busy_clock().next_event(2.5) == (0, 2.0)  # free again on day 2.5: it fires at once
    asked = busy_clock()
    assert asked.next_event(4.0) == (-1, INF)  # free on day 4: no falls can happen any more
    advanced = busy_clock()
    advanced.advance(4.0)  # a rate changed elsewhere in between: the clock was integrated to day 4
    assert advanced.next_event(4.0) == (-1, INF)
    assert asked.acc == advanced.acc and asked.since == advanced.since


def test_an_overdue_event_fires_where_its_hazard_resumes() -> None:
    """Overdue while its hazard is zero, a type fires at the first moment the hazard is positive
    again (not at a time extrapolated back into the stretch of zero)."""
    clock = HazardClock(base=[0.5], targets=[1.0], now=0.0)  # due at day 2
    clock.set_step(0, "pause", Step(1.0, [3.0, 10.0], [0.0, 1.0]))  # no hazard on days 3 to 10
    clock.advance(2.5)  # overdue by day 2.5 (hazard 1.25 against a target of 1)
    clock.set_factors((2.0,))  # a move: every type solved again from day 2.5, where the hazard is positive
    assert clock.next_event(2.5)[1] <= 2.5
    clock.advance(5.0)  # on day 5 the hazard is zero: overdue, it waits for day 10
    assert clock.next_event(5.0) == (0, 10.0)
