"""Usual care: routine GP consultations and district-nursing visits, booked a day at a time.

Every patient at home has routine GP consultations (long-term condition reviews, repeat problems)
at their tier's rate times their conditions' normalised ratio (``PatientRecord.gp_ratio``, mean 1 in
every tier); those on a district-nursing caseload also have routine home visits (times
``nursing_ratio``). These
contacts are booked ahead, so they do not need the GP's same-day slot, but they take clinicians'
time and so compete with crisis work.

Cheap by design: no process per contact or per patient. Each locality keeps, per service, the sum
of the daily rates of its patients at home, updated in O(1) when a patient moves, dies or a care
plan changes what they need. At each opening of the service one booking draws the number of
contacts due since the last one (Poisson with the accumulated expected count, by inversion of one
uniform per locality and opening, so arms stay on common random numbers) and reserves the day's
minutes from the service in a few long requests (one per clinician session).

Example:
    >>> routine = RoutineCare(world)   # starts the bookings
    >>> routine.update(patient)        # after any change of location or care plan
"""

from __future__ import annotations

import math
from collections.abc import Generator
from itertools import pairwise
from typing import Any, Final

from librt.vecs import vec

from carecoord.locations import HOME
from carecoord.model.patient import Patient
from carecoord.model.poisson_quantile import poisson_quantile, preload
from carecoord.model.resource import ServiceRequest, Taken
from carecoord.model.services import HOURS_PER_DAY, MINUTES_PER_DAY, ROUTINE, Service
from carecoord.rates import DAYS_PER_YEAR
from carecoord.recording import M
from carecoord.streams import generator, stream_key

GP: Final = 0
NURSING: Final = 1
SERVICE_NAMES: Final = ("gp", "community_nursing")
COUNT_METRICS: Final = (M.routine_gp_consultations, M.routine_nursing_visits)
STAFF_METRICS: Final = (M.staff_hours_gp, M.staff_hours_community_nursing)


SEARCH_LIMIT: Final = 500.0
"""Means up to this are inverted by a sequential search (faster than scipy's ppf for one value)."""


def poisson_count(u: float, mean: float) -> int:
    """The Poisson(``mean``) count at quantile ``u`` (inversion keeps arms on common random numbers)."""
    if mean <= 0:
        return 0
    u = min(max(u, 1e-12), 1 - 1e-12)
    if mean > SEARCH_LIMIT:
        return poisson_quantile(u, mean)
    term = math.exp(-mean)
    cdf = term
    k = 0
    while cdf < u:
        k += 1
        term *= mean / k
        cdf += term
        if term == 0.0:  # past the mode and underflowed: the remaining mass is negligible
            break
    return k


def sessions(total_minutes: float, session_minutes: float) -> list[float]:
    """Split a day's booked minutes into clinician sessions no longer than the service's open day."""
    if total_minutes <= 0:
        return []
    n = max(1, math.ceil(total_minutes / session_minutes - 1e-9))
    return [total_minutes / n] * n


class RoutineCare:
    """Routine contacts of one arm: per-locality rates, accumulated exposure and daily bookings."""

    def __init__(self, world: Any, replaced_share: float = 0.0):
        """``world``: the :class:`~carecoord.model.world.World` that owns this (typed loosely: it imports us)."""
        self.world = world
        self.replication = world.bank.replication
        scenario = world.scenario
        self.replaced_share = replaced_share
        n_loc = len(scenario.localities)
        tiers = scenario.cohort.tiers
        # Rates and running sums in librt vecs: doubles read and written in C when compiled (``update``
        # runs on every move of every patient), where a list's items are a float object each.
        self.gp_rate = vec[float]([t.routine_gp_consultations_per_year / DAYS_PER_YEAR for t in tiers])
        visits = scenario.services.community_nursing.routine_visits_per_week / 7.0
        self.minutes = (scenario.services.gp.appointment_minutes, scenario.services.community_nursing.visit_minutes)
        # Who is on a district-nursing caseload: fixed per patient, the same in every arm.
        n_patients: int = world.n_patients
        self.nurse_rate = vec[float]([0.0] * n_patients)  # by patient id (the world may hold some localities only)
        by_locality: dict[int, list[Patient]] = {}
        for p in world.patients:
            by_locality.setdefault(p.locality, []).append(p)
        for loc, patients in by_locality.items():
            u = generator(scenario.simulation.seed, self.replication, loc, stream_key("cohort.district_nursing"))
            draws = u.random(max(p.rec.index for p in patients) + 1)
            for p in patients:
                if draws[p.rec.index] < tiers[p.rec.tier].district_nursing_caseload_share:
                    self.nurse_rate[p.id] = visits * p.rec.nursing_ratio
        self.weight = [vec[float]([0.0] * n_loc) for _ in SERVICE_NAMES]  # expected contacts a day now, per locality
        self.acc = [vec[float]([0.0] * n_loc) for _ in SERVICE_NAMES]  # expected contacts since the last booking
        self.since = [vec[float]([0.0] * n_loc) for _ in SERVICE_NAMES]
        self.share_gp = vec[float]([0.0] * n_patients)  # each patient's current GP rate (as ``rates`` gave)
        self.share_nursing = vec[float]([0.0] * n_patients)  # and nursing rate
        if self._largest_mean(world) > SEARCH_LIMIT:
            preload()  # scipy.special, before the event loop rather than in it
        for loc in world.localities:  # the localities this world runs
            for s, name in enumerate(SERVICE_NAMES):
                world.env.process(self._bookings(loc, s, world.services[name][loc]))

    def _largest_mean(self, world: Any) -> float:
        """An upper bound of the expected count any booking of this world inverts: every patient of a locality
        at home on their full routine rates, for the longest stretch from one opening of a service (or the
        start) to its next."""
        most = [[0.0] * len(world.scenario.localities) for _ in SERVICE_NAMES]
        for p in world.patients:
            most[GP][p.locality] += self.gp_rate[p.tier] * p.gp_ratio
            most[NURSING][p.locality] += self.nurse_rate[p.id]
        largest = 0.0
        for loc in world.localities:
            for s, name in enumerate(SERVICE_NAMES):
                openings = [0.0, *world.services[name][loc].hours.openings(world.horizon, any_day=False)]
                gap = max(b - a for a, b in pairwise(openings)) if len(openings) > 1 else 0.0
                largest = max(largest, most[s][loc] * gap)
        return largest

    def rates(self, p: Patient) -> tuple[float, float]:
        """A patient's routine (GP, nursing) contacts per day as things stand (0 away from home)."""
        if not p.alive or p.location != HOME:
            return 0.0, 0.0
        keep = 1.0 - self.replaced_share if (self.replaced_share and p.plan_active) else 1.0
        return self.gp_rate[p.tier] * p.gp_ratio * keep, self.nurse_rate[p.id] * keep

    def update(self, p: Patient) -> None:
        """Re-read a patient's routine needs (after a move, a death or a care-plan change)."""
        self.update_at(p, self.world.env._now)

    def update_at(self, p: Patient, now: float) -> None:
        """:meth:`update`, ``now`` being the environment's time (read by the caller: a move has it)."""
        gp, nursing = self.rates(p)
        i = p.id
        old_gp, old_nursing = self.share_gp[i], self.share_nursing[i]
        if gp == old_gp and nursing == old_nursing:
            return
        loc = p.locality
        if gp != old_gp:
            self._advance(GP, loc, now)
            self.weight[GP][loc] += gp - old_gp
        if nursing != old_nursing:
            self._advance(NURSING, loc, now)
            self.weight[NURSING][loc] += nursing - old_nursing
        self.share_gp[i], self.share_nursing[i] = gp, nursing

    def _advance(self, s: int, loc: int, now: float) -> None:
        self.acc[s][loc] += max(0.0, self.weight[s][loc]) * (now - self.since[s][loc])
        self.since[s][loc] = now

    def _bookings(self, loc: int, s: int, service: Service) -> Generator[Any, Any, None]:
        """At each opening (weekdays only for the GP), book what came due since the last one."""
        w = self.world
        env = w.env
        hours = service.hours
        session = (hours.close - hours.open) * MINUTES_PER_DAY if not hours.always else MINUTES_PER_DAY
        rng = generator(w.scenario.simulation.seed, self.replication, loc, stream_key(f"routine.{SERVICE_NAMES[s]}"))
        uniforms = rng.random(int(w.horizon) + 2).tolist()
        day = 0
        while True:
            start = hours.next_open(float(day))
            if start >= w.horizon:
                return
            now: float = env._now
            if start > now:
                yield w.far.wait(start - now, now)
                now = env._now
            self._advance(s, loc, now)
            day = math.floor(start)
            n = poisson_count(uniforms[min(day, len(uniforms) - 1)], self.acc[s][loc])
            self.acc[s][loc] = 0.0
            if n:
                w.rec.count(COUNT_METRICS[s], loc, now, n)
                for minutes in sessions(n * self.minutes[s], session):
                    w.spawn(self._session(service, loc, s, minutes / MINUTES_PER_DAY))
            day += 1

    def _session(self, service: Service, loc: int, s: int, duration: float) -> Generator[Any, Any, None]:
        """One clinician's booked session: waits for a free clinician, holds them for its length.

        Not a patient's wait, so it is not added to the service's wait hours; its staff time is.
        """
        env = self.world.env
        resource = service.resource
        request: ServiceRequest | Taken | None = None
        if resource is not None:
            request = resource.take()  # a free clinician and nobody waiting: starts now
            if request is None:
                request = resource.request(priority=ROUTINE)  # crisis work goes first
                yield request
        self.world.rec.count(STAFF_METRICS[s], loc, env._now, duration * HOURS_PER_DAY)
        yield self.world.timeout(duration)
        if resource is not None:
            resource.give_back(request)


__all__ = ["RoutineCare", "poisson_count", "sessions"]
