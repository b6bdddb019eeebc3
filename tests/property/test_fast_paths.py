"""Hot paths written out for speed give exactly what their plain versions give (to the last bit).

``Recorder.interval`` inlines ``Calendar.split``; ``OpeningHours.is_open`` inlines ``weekday`` and
``floor``. Each is compared here with the plain computation on arbitrary times, including month
boundaries, the horizon and opening and closing instants.
"""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from carecoord.calendar import EPSILON, Calendar, OpeningHours
from carecoord.recording import Recorder
from carecoord.scenario.base import daily_hours, weekday_hours

CALENDAR = Calendar(dt.date(2013, 10, 1), horizon_days=800, warm_up_days=365)
BOUNDARIES = [*CALENDAR.bin_starts, *CALENDAR.bin_ends, CALENDAR.horizon]
times = st.one_of(
    st.floats(min_value=0.0, max_value=900.0, allow_nan=False),
    st.sampled_from(BOUNDARIES),
    st.sampled_from(BOUNDARIES).map(lambda t: math.nextafter(t, -math.inf) if t > 0 else t),
)


@settings(max_examples=300, deadline=None)
@given(t0=times, t1=times, per_day=st.sampled_from([1.0, 17.5 / 7.0, 0.25]))
def test_interval_adds_exactly_the_calendar_pieces(t0: float, t1: float, per_day: float) -> None:
    rec = Recorder(CALENDAR, n_localities=2, n_patients=0)
    rec.interval(3, 1, t0, t1, per_day)
    expected = [0.0] * len(rec.values)
    base = 3 * rec._stride + 1 * CALENDAR.n_bins
    for b, days in CALENDAR.split(t0, t1):
        expected[base + b] += days * per_day
    assert list(rec.values) == expected


def plain_is_open(hours: OpeningHours, t: float, any_day: bool) -> bool:
    frac = t - math.floor(t)
    if not hours.open - EPSILON <= frac < hours.close - EPSILON:
        return False
    return any_day or CALENDAR.weekday(t) in hours.days


@settings(max_examples=300, deadline=None)
@given(
    day=st.integers(min_value=0, max_value=800),
    hour=st.one_of(st.floats(min_value=0.0, max_value=24.0, exclude_max=True), st.sampled_from([8.0, 18.5, 22.0])),
    any_day=st.booleans(),
)
def test_is_open_matches_the_plain_rule(day: int, hour: float, any_day: bool) -> None:
    t = day + hour / 24.0
    for spec in (weekday_hours(8.0, 18.5), daily_hours(8.0, 22.0)):
        hours = OpeningHours(spec, CALENDAR)
        assert hours.is_open(t, any_day) == plain_is_open(hours, t, any_day)
