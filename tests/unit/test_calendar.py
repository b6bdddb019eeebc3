"""Calendar and OpeningHours: weekdays, month bins and opening times on known dates.

Expected values come from :mod:`datetime` (an independent calendar), never from a run.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pytest

from carecoord.calendar import Calendar, OpeningHours
from carecoord.scenario.base import OpeningHoursSpec, daily_hours, weekday_hours

START = dt.date(2014, 4, 1)  # a Tuesday


def day_of(date: dt.date, start: dt.date = START) -> int:
    """Simulation day (from ``start``) of a date."""
    return (date - start).days


@pytest.mark.parametrize(
    "date",
    [dt.date(2014, 4, 1), dt.date(2014, 4, 5), dt.date(2014, 4, 6), dt.date(2014, 4, 7), dt.date(2015, 1, 1)],
)
def test_weekday_of_known_dates(date: dt.date) -> None:
    """``weekday`` (0 = Monday) agrees with datetime at any time of the day."""
    cal = Calendar(START, horizon_days=400, warm_up_days=0)
    t = day_of(date)
    for frac in (0.0, 0.25, 0.999):
        assert cal.weekday(t + frac) == date.weekday()
    assert cal.date(t + 0.5) == date


def test_docstring_example() -> None:
    """1 April 2014 was a Tuesday."""
    assert Calendar(START, horizon_days=365, warm_up_days=0).weekday(0.5) == 1


CALENDARS = [
    (dt.date(2014, 4, 1), 365, 0),
    (dt.date(2014, 4, 15), 60, 10),  # partial first and last months
    (dt.date(2014, 4, 1), 540, 180),  # warm-up ending mid-month (28 Sep)
    (dt.date(2013, 12, 20), 100, 12),  # results start on 1 Jan, across a year end
    (dt.date(2016, 2, 1), 60, 29),  # leap year: warm-up is exactly February
]


@pytest.mark.parametrize(("start", "horizon", "warm_up"), CALENDARS)
def test_month_bins_match_the_calendar(start: dt.date, horizon: int, warm_up: int) -> None:
    """Bin 0 is the warm-up; every later day falls in the bin labelled with its year-month."""
    cal = Calendar(start, horizon_days=horizon, warm_up_days=warm_up)
    assert cal.bin_labels[0] == "warm-up"
    assert (cal.bin_starts[0], cal.bin_ends[0]) == (0.0, float(warm_up))
    expected_labels = ["warm-up", *dict.fromkeys(f"{d:%Y-%m}" for d in _dates(start, warm_up, horizon))]
    assert cal.bin_labels == expected_labels
    for day in range(horizon):
        date = start + dt.timedelta(days=day)
        for frac in (0.0, 0.5, 0.999):
            b = cal.bin(day + frac)
            expected = "warm-up" if day < warm_up else f"{date:%Y-%m}"
            assert cal.bin_labels[b] == expected, (day, frac)
            if b > 0:
                assert cal.bin_starts[b] <= day + frac < cal.bin_ends[b]


def _dates(start: dt.date, first: int, end: int) -> list[dt.date]:
    return [start + dt.timedelta(days=d) for d in range(first, end)]


@pytest.mark.parametrize(("start", "horizon", "warm_up"), CALENDARS)
def test_bins_partition_the_run(start: dt.date, horizon: int, warm_up: int) -> None:
    """Bins are contiguous, start at 0, end at the horizon, and month bins end on the 1st."""
    cal = Calendar(start, horizon_days=horizon, warm_up_days=warm_up)
    assert cal.bin_starts[0] == 0.0
    assert cal.bin_ends[-1] == float(horizon)
    assert cal.bin_starts[1:] == cal.bin_ends[:-1]
    assert math.fsum(e - s for s, e in zip(cal.bin_starts, cal.bin_ends, strict=True)) == horizon
    for end in cal.bin_ends[1:-1]:
        assert (start + dt.timedelta(days=int(end))).day == 1


def test_warm_up_zero_leaves_bin_0_empty() -> None:
    """Without a warm-up bin 0 is empty and day 0 is in the first month."""
    cal = Calendar(START, horizon_days=61, warm_up_days=0)
    assert (cal.bin_starts[0], cal.bin_ends[0]) == (0.0, 0.0)
    assert cal.bin_labels == ["warm-up", "2014-04", "2014-05"]
    assert cal.bin(0.0) == 1
    assert list(cal.split(0.0, 61.0)) == [(1, 30.0), (2, 31.0)]


def test_split_across_warm_up_and_months() -> None:
    """An interval from the warm-up into two months splits at the exact boundaries."""
    cal = Calendar(dt.date(2014, 4, 15), horizon_days=60, warm_up_days=10)
    # bins: warm-up [0, 10), 2014-04 [10, 16), 2014-05 [16, 47), 2014-06 [47, 60)
    assert list(cal.split(5.5, 20.25)) == [(0, 4.5), (1, 6.0), (2, 4.25)]
    assert list(cal.split(50.0, 99.0)) == [(3, 10.0)]  # clipped at the horizon
    assert list(cal.split(16.0, 16.0)) == []


@pytest.mark.parametrize(("start", "horizon", "warm_up"), CALENDARS)
def test_split_sums_to_the_interval(start: dt.date, horizon: int, warm_up: int) -> None:
    """Pieces of [t0, t1) add up to its length (clipped at the horizon) and lie in their bins."""
    cal = Calendar(start, horizon_days=horizon, warm_up_days=warm_up)
    points = sorted({0.0, 0.3, float(warm_up), warm_up + 1e-9, *cal.bin_ends, horizon / 3 + 0.7, horizon - 0.01})
    for t0, t1 in itertools.combinations(points, 2):
        for end in (t1, t1 + 5.0):
            pieces = list(cal.split(t0, end))
            assert math.isclose(sum(d for _, d in pieces), min(end, horizon) - t0, abs_tol=1e-9)
            assert all(d > 0 for _, d in pieces)
            bins = [b for b, _ in pieces]
            assert bins == sorted(set(bins))  # each bin once, in order
            position = t0
            for b, d in pieces:
                assert cal.bin_starts[b] - 1e-9 <= position
                assert position + d <= cal.bin_ends[b] + 1e-9
                position += d


# --- opening hours ------------------------------------------------------------------------------

TUE, FRI, SAT, SUN, MON = 0, 3, 4, 5, 6  # days of the week 1-7 April 2014 from a Tuesday start


def at(day: float, hour: float) -> float:
    """Simulation time of ``hour`` o'clock on ``day`` (the way the model computes it)."""
    return day + hour / 24.0


@pytest.fixture
def gp() -> OpeningHours:
    """GP core hours, 08:00-18:30 weekdays, on a calendar starting Tuesday 1 April 2014."""
    return OpeningHours(weekday_hours(8.0, 18.5), Calendar(START, horizon_days=30, warm_up_days=0))


@pytest.mark.parametrize(
    ("t", "is_open"),
    [
        (at(TUE, 9), True),
        (at(TUE, 7.99), False),
        (at(TUE, 8), True),
        (at(TUE, 18.49), True),
        (at(TUE, 18.5), False),
        (at(FRI, 12), True),
        (at(SAT, 12), False),
        (at(SUN, 9), False),
        (at(MON, 8.5), True),
    ],
)
def test_gp_is_open(gp: OpeningHours, t: float, is_open: bool) -> None:
    """Open weekdays 08:00-18:30 (closing time excluded), closed at weekends."""
    assert gp.is_open(t) is is_open


def test_any_day_ignores_the_weekday_but_not_the_hours(gp: OpeningHours) -> None:
    """Seven-day working opens weekends at the same hours."""
    assert gp.is_open(at(SAT, 12), any_day=True)
    assert not gp.is_open(at(SAT, 20), any_day=True)
    assert gp.next_open(at(FRI, 20), any_day=True) == at(SAT, 8)


def test_open_is_open_any_day_on_a_working_day(gp: OpeningHours) -> None:
    """``is_open(t)`` splits into the hours test (``any_day``) and the day test, at every quarter hour of two weeks."""
    for q in range(14 * 96):
        t = q / 96.0
        assert gp.is_open(t) == (gp.is_open(t, any_day=True) and gp.works_on_day_of(t)), t
        assert gp.works_on_day_of(t) == (int(t) % 7 not in (SAT, SUN)), t


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (at(TUE, 9), at(TUE, 9)),  # open: now
        (at(TUE, 7), at(TUE, 8)),  # before opening: today
        (at(TUE, 19), at(TUE + 1, 8)),  # after closing: tomorrow
        (at(FRI, 18.5), at(MON, 8)),  # Friday closing time: Monday
        (at(SAT, 3), at(MON, 8)),
        (at(SUN, 23), at(MON, 8)),
    ],
)
def test_gp_next_open(gp: OpeningHours, t: float, expected: float) -> None:
    """The first open instant at or after ``t``, skipping the weekend."""
    assert gp.next_open(t) == expected


@pytest.mark.parametrize("hours", [weekday_hours(8.0, 18.5), weekday_hours(9.0, 17.0), daily_hours(8.0, 22.0)])
def test_next_open_is_open(hours: OpeningHoursSpec) -> None:
    """``next_open`` returns an instant at which ``is_open`` is true, on every day of a year.

    Opening hours that are not exact binary fractions of a day (08:00 is 1/3) must not make
    ``day + open`` test as closed: the model wakes queues at exactly those instants.
    """
    opening = OpeningHours(hours, Calendar(START, horizon_days=366, warm_up_days=0))
    for day in range(365):
        for hour in (0.0, 3.0, 12.0, 23.5):
            t = opening.next_open(at(day, hour))
            assert opening.is_open(t), (day, hour, t)
            t = opening.next_open(at(day, hour), any_day=True)
            assert opening.is_open(t, any_day=True), (day, hour, t)
    for t in opening.openings(365.0, any_day=False):
        assert opening.is_open(t), t
    for t in opening.openings(365.0):
        assert opening.is_open(t, any_day=True), t


def test_openings_lists_open_days_only(gp: OpeningHours) -> None:
    """``openings`` gives every day's opening, or only open days' when asked."""
    every_day = list(gp.openings(7.0))
    assert every_day == [d + 8.0 / 24.0 for d in range(7)]
    weekdays = list(gp.openings(7.0, any_day=False))
    assert weekdays == [d + 8.0 / 24.0 for d in (TUE, 1, 2, FRI, MON)]


def test_always_open_service() -> None:
    """Default hours (seven days, 0-24) are open at every instant."""
    hours = OpeningHours(OpeningHoursSpec(), Calendar(START, horizon_days=30, warm_up_days=0))
    for t in (0.0, SAT + 0.999, SUN + 0.5, 12.345):
        assert hours.is_open(t)
        assert hours.next_open(t) == t


def test_seven_day_evening_service() -> None:
    """A 08:00-22:00 seven-day service opens on Sunday and reopens the next morning."""
    hours = OpeningHours(daily_hours(8.0, 22.0), Calendar(START, horizon_days=30, warm_up_days=0))
    assert hours.is_open(at(SUN, 21))
    assert not hours.is_open(at(SUN, 22.5))
    assert hours.next_open(at(SUN, 22.5)) == at(MON, 8)
