"""A patient during one run: where they are, what they hold, and their event clocks.

Fixed attributes and natural history come from the arm-independent
:class:`~carecoord.cohort.PatientRecord`; everything here is state that the arm changes, apart from
copies of the record's fields read on every draw or move (``index``, ``tier``, ``age``...): the record is
a plain Python object, each read of it a generic attribute look-up in the compiled model, these C fields.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

from librt.vecs import vec
from mypy_extensions import i64

from carecoord.cohort import PatientRecord
from carecoord.daycycle import WeeklyProfile
from carecoord.locations import DEAD, HOME, LOCATIONS, PENDING, RESIDENTIAL
from carecoord.model.clock import CRISIS, HazardClock, Step
from carecoord.streams import N_STREAMS


class Patient:
    """Mutable state of one patient in one arm."""

    __slots__ = (
        "admission_times",
        "age",
        "alive",
        "anxious_at_night",
        "caseload_request",
        "clock",
        "crisis_rate",
        "dependency",
        "enrolled_since",
        "enrolment_requested",
        "gp_ratio",
        "home_care",
        "home_care_hours",
        "home_care_since",
        "hours_since",
        "id",
        "index",
        "last_discharge",
        "last_visit",
        "lives_alone",
        "locality",
        "location",
        "night_since",
        "pending",
        "plan_start",
        "process",
        "rec",
        "residential_hold",
        "since",
        "tier",
        "used",
        "waiting",
    )

    def __init__(self, pid: int, rec: PatientRecord):
        self.id = pid
        self.rec = rec
        self.locality = rec.locality
        self.index = rec.index  # row of the patient's streams, read on every draw
        self.tier = rec.tier  # the rest: read on every move (World.rates, RoutineCare.rates)
        self.age = rec.age
        self.crisis_rate = rec.crisis_rate
        self.lives_alone = bool(rec.lives_alone)
        self.anxious_at_night = bool(rec.anxious_at_night)
        self.gp_ratio = rec.gp_ratio
        self.location = PENDING
        self.since = 0.0
        self.alive = True
        # Uniforms of each stream used so far (the next one's position; ``take``), by stream number: a
        # librt vec, the integers themselves in one buffer (a list cost a miss for the list and one for
        # each boxed item, touched once per event of a random patient).
        self.used = vec[i64]([0] * N_STREAMS)
        self.clock: HazardClock | None = None
        self.process: Any = None
        self.waiting = False
        # Empty tuples shared by every patient until the first action or admission (a list each then).
        self.pending: list[Callable[[], Generator[Any, Any, None]]] | tuple[()] = ()
        self.dependency = 0
        self.home_care: Any = None
        self.home_care_since = 0.0
        self.home_care_hours = 0.0
        self.hours_since = 0.0
        self.residential_hold: Any = None
        self.admission_times: list[float] | tuple[()] = ()
        self.last_discharge = -math.inf
        self.enrolment_requested = False
        self.caseload_request: Any = None
        self.enrolled_since: float | None = None
        self.plan_start: float | None = None
        self.last_visit = -math.inf
        self.night_since: float | None = None

    def take(self, stream: int, n: int) -> int:
        """Position of the next ``n`` uniforms of a stream (carecoord.streams), moving past them."""
        if not 0 <= stream < N_STREAMS:
            raise ValueError(f"no stream {stream}")
        at = self.used[stream]
        self.used[stream] = at + n
        return at

    @property
    def cursor(self) -> tuple[int, ...]:
        """Uniforms used so far of every stream, in stream order (for tests and traces)."""
        return tuple(self.used)

    @property
    def enrolled(self) -> bool:
        return self.caseload_request is not None

    @property
    def plan_active(self) -> bool:
        return self.plan_start is not None and self.caseload_request is not None

    @property
    def at_home(self) -> bool:
        return self.location == HOME

    def add_admission(self, t: float) -> None:
        """Note an emergency admission at ``t``."""
        if self.admission_times:
            self.admission_times.append(t)  # type: ignore[union-attr]
        else:
            self.admission_times = [t]

    def add_pending(self, action: Callable[[], Generator[Any, Any, None]]) -> None:
        """Queue an action for the patient's own process."""
        if self.pending:
            self.pending.append(action)  # type: ignore[union-attr]
        else:
            self.pending = [action]

    def admissions_since(self, t: float) -> int:
        return sum(1 for a in self.admission_times if a >= t)

    def start_clock(
        self,
        now: float,
        targets: list[float],
        rates: tuple[float, ...],
        crisis_time: WeeklyProfile | None = None,
        trend: Step | None = None,
    ) -> None:
        """Create the event clocks on arrival; the spell schedule (and the secular trend, if any: a step
        per simulated year, carecoord.trend) multiplies the crisis rate, which runs in the operational time
        of the weekly crisis profile (carecoord.daycycle)."""
        clock = HazardClock([1.0] * len(targets), targets, now)
        if crisis_time is not None and not crisis_time.flat:
            clock.set_timemaps(_crisis_timemaps(crisis_time, len(targets)))
        clock.set_step(CRISIS, "spell", Step(self.rec.initial_spell_ratio, self.rec.spell_times, self.rec.spell_ratios))
        if trend is not None:
            clock.set_step(CRISIS, "trend", trend)
        clock.set_factors(rates)
        self.clock = clock

    def describe(self) -> str:
        return f"patient {self.id} ({LOCATIONS[self.location]})"


_last_timemaps: tuple[WeeklyProfile | None, ...] = ()


def _crisis_timemaps(crisis_time: WeeklyProfile, n_types: int) -> tuple[WeeklyProfile | None, ...]:
    """The time maps of a clock whose crisis type follows ``crisis_time``: one tuple shared by every
    clock of a run (only the last one is kept, so no finished run's profile is held for long)."""
    global _last_timemaps
    maps = _last_timemaps
    if len(maps) != n_types or maps[CRISIS] is not crisis_time:
        maps = tuple(crisis_time if k == CRISIS else None for k in range(n_types))
        _last_timemaps = maps
    return maps


def is_gone(patient: Patient) -> bool:
    """Dead, or living in a care home (even while in hospital from it): community care stops."""
    return not patient.alive or patient.location in (DEAD, RESIDENTIAL) or patient.residential_hold is not None


def has_home_care(patient: Patient) -> bool:
    """True while a home-care package is held.

    A function rather than an inline ``is not None`` where the test is repeated after a wait: mypy
    narrows an attribute tested once to None until the function ends, and the compiled model
    (mypyc) trusts that narrowing, though another process may have started a package meanwhile.
    """
    return patient.home_care is not None
