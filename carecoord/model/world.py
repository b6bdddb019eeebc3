"""The shared state of one replication of one arm: environment, services, streams, recorder.

``World`` knows where every patient is and keeps the books (moves, deaths, home-care hours);
the pathways (:mod:`carecoord.model.pathways`, :mod:`carecoord.model.hospital`) and the care
plan (:mod:`carecoord.model.care`) act on it. It imports none of them, so the model's import
graph has no cycle; :mod:`carecoord.model.run` puts the pieces together.

Example:
    >>> world = World(scenario, cohort, "baseline", replication=0)
    >>> world.service("gp", world.patients[0]).capacity
"""

from __future__ import annotations

from collections.abc import Callable
from math import prod
from typing import Any, Final

import simpy
from librt.vecs import vec

from carecoord.cohort import Cohort
from carecoord.daycycle import crisis_profile
from carecoord.locations import DEAD, HOME, HOSPITAL, INTERMEDIATE, PENDING, RESIDENTIAL
from carecoord.model.care.plan import UsualCare
from carecoord.model.clock import CRISIS, EVENT_TYPES, FALL
from carecoord.model.far import FarWaits
from carecoord.model.localities import build_services, make_calendar, make_recorder
from carecoord.model.loop import run_until
from carecoord.model.params import compile_params, crisis_trend
from carecoord.model.patient import Patient
from carecoord.model.routine import RoutineCare
from carecoord.model.services import Service
from carecoord.model.tasks import spawn
from carecoord.mortality import Fatality, background_mortality
from carecoord.recording import M, Recorder, Stay
from carecoord.scenario.arms import MechanismsSpec
from carecoord.scenario.schema import Scenario
from carecoord.streams import CLOCK_STREAMS, EPISODE_WIDTH, StreamBank, unit_exponential

ZERO_RATES: Final = (0.0,) * len(EVENT_TYPES)


def _step_product(p: Patient, kind: int, now: float) -> float:
    """The product of a patient's multipliers of one event type at ``now`` (1 without a clock)."""
    return prod([step.value(now) for step in p.clock.multipliers[kind]]) if p.clock is not None else 1.0


class World:
    """Everything one run of one arm shares: environment, services, streams, recorder."""

    def __init__(
        self,
        scenario: Scenario,
        cohort: Cohort,
        arm: str,
        replication: int,
        log_events: bool = False,
        localities: tuple[int, ...] | None = None,
        recorder: Recorder | None = None,
    ):
        """``localities``: the localities this world runs (None: all); their patients, community services
        and per-locality processes only, so that each locality can run in an environment of its own
        (``simulation.shared_services: split``, :mod:`carecoord.model.run`). ``recorder``: shared by the
        worlds of one arm (it is indexed by locality and patient; :func:`make_recorder`), else a new one."""
        self.scenario = scenario
        self.params = compile_params(scenario)
        self.mechanisms: MechanismsSpec = scenario.arm(arm).mechanisms
        added = scenario.arm(arm).added_capacity
        self.env = simpy.Environment()
        self.calendar = make_calendar(scenario)
        self.horizon = self.calendar.horizon
        self.far = FarWaits(self.env, self.horizon)  # waits that end on a later day, out of SimPy's queue till then
        # The model's timeouts (carecoord.model.far), held: a call of a held callable, not a method look-up each time
        self.timeout: Callable[[float], Any] = self.far.wait
        every = range(len(scenario.localities))
        self.localities: tuple[int, ...] = tuple(every) if localities is None else tuple(localities)
        # Streams of the localities run here only (each locality's draws are its own generators'):
        # a world of one locality does not draw the others' blocks.
        sizes = [n if i in self.localities else 0 for i, n in enumerate(cohort.locality_sizes)]
        self.bank = StreamBank(scenario.simulation.seed, replication, sizes)
        self.n_patients = len(cohort.patients)  # the whole cohort's: patient ids index the recorder
        if localities is None:
            self.patients = [Patient(i, rec) for i, rec in enumerate(cohort.patients)]
        else:
            mine = set(self.localities)
            self.patients = [Patient(i, rec) for i, rec in enumerate(cohort.patients) if rec.locality in mine]
        self._by_id: dict[int, Patient] | None = None
        self.rec = make_recorder(scenario, cohort, log_events, self.calendar) if recorder is None else recorder
        self.services = build_services(self, added)  # a locality this world does not run: None
        # The baseline's care; carecoord.model.run swaps in coordinated care when a mechanism is on.
        self.care: UsualCare = UsualCare(self.params.social_work.assessments_per_referral)
        self.open_stays: dict[int, list[float]] = {}  # patient -> [admitted, fit] while in hospital
        self.waiting_for_bed: dict[int, float] = {}  # patient -> since when, on a trolley in A&E (model.trolley)
        self.clock_streams = CLOCK_STREAMS
        # Natural history and usual care (carecoord.mortality, carecoord.daycycle, model/routine.py).
        self.background = background_mortality(scenario)  # death hazards per tier, per day
        self.fatality = Fatality.of(scenario)
        self.crisis_time = crisis_profile(scenario)
        self.crisis_trend = crisis_trend(scenario, self.horizon)  # None without a secular trend (carecoord.trend)
        proactive = self.mechanisms.active("proactive_visits")
        replaced = 0.0 if proactive is None else proactive.routine_contacts_replaced_share  # type: ignore[attr-defined]
        self.routine = RoutineCare(self, replaced)

    def service(self, name: str, patient: Patient) -> Service:
        return self.services[name][patient.locality]  # type: ignore[return-value]  # the patient's world has it

    # --- random draws -------------------------------------------------------------------
    def uniform(self, p: Patient, stream: int) -> float:
        return self.bank.draw(p.locality, p.index, stream, p.take(stream, 1))

    def episode(self, p: Patient, stream: int) -> vec[float]:
        """The next episode's uniforms (always EPISODE_WIDTH of them, used or not)."""
        return self.bank.draws(p.locality, p.index, stream, p.take(stream, EPISODE_WIDTH), EPISODE_WIDTH)

    def draws(self, p: Patient, stream: int, n: int) -> vec[float]:
        """The next ``n`` uniforms of a patient's stream."""
        return self.bank.draws(p.locality, p.index, stream, p.take(stream, n), n)

    def unit_exponential(self, p: Patient, stream: int) -> float:
        return unit_exponential(self.uniform(p, stream))

    # --- rates and moves ----------------------------------------------------------------
    def rates(self, p: Patient, location: int) -> tuple[float, ...]:
        """Event rates per day of a patient at a location (crisis, fall, social, decline, death)."""
        ev = self.params.events
        if location == HOME:
            return (
                p.crisis_rate,
                ev.fall_per_day_80plus if p.age >= 80 else ev.fall_per_day,
                ev.social_per_day[2 * p.lives_alone + p.anxious_at_night],
                ev.decline_per_day,
                self.background.home_per_day[p.tier],
            )
        if location == RESIDENTIAL:
            return (
                p.crisis_rate * ev.care_home_crisis_rate_ratio * self.care.care_home_ratio(p),
                0.0,
                0.0,
                0.0,
                self.background.care_home_per_day[p.tier],
            )
        if location in (HOSPITAL, INTERMEDIATE):  # no new crisis starts there; death hazards run on
            resident = p.residential_hold is not None
            background = self.background.care_home_per_day if resident else self.background.home_per_day
            return (0.0, 0.0, 0.0, 0.0, background[p.tier] + self.fatal_hazard_away(p, resident))
        return ZERO_RATES

    def fatal_hazard_away(self, p: Patient, resident: bool) -> float:
        """Death hazard per day away from home of the fatal crises and falls the patient would have had there.

        Crisis and fall clocks stop in hospital and intermediate care, so this runs on the death clock, at
        their rates (multipliers included) when the patient left: time away neither protects nor exposes,
        and fewer bed days change no deaths unless a mechanism changes a rate (carecoord.mortality).
        """
        fatality = self.fatality
        now: float = self.env._now
        crisis_steps, fall_steps = _step_product(p, CRISIS, now), _step_product(p, FALL, now)
        if resident:
            crisis = p.crisis_rate * self.params.events.care_home_crisis_rate_ratio * self.care.care_home_ratio(p)
            return crisis * crisis_steps * fatality.resident_crisis
        ev = self.params.events
        falls = ev.fall_per_day_80plus if p.age >= 80 else ev.fall_per_day
        return p.crisis_rate * crisis_steps * fatality.crisis + falls * fall_steps * fatality.fall

    def move(self, p: Patient, location: int) -> None:
        """Move a patient: close the time spent where they were, retime their clocks."""
        now: float = self.env._now
        self._close_location(p, now)
        p.since = now
        if p.clock is not None:
            p.clock.advance(now)
            p.clock.set_factors(self.rates(p, location))
        p.location = location
        self.routine.update_at(p, now)

    def _close_location(self, p: Patient, now: float) -> None:
        """Account the time since the last move to the location being left."""
        self.rec.add_location_days(p.id, p.location, now - p.since)
        if p.location == RESIDENTIAL:
            self.rec.interval(M.residential_care_days, p.locality, p.since, now)
            self.care.care_home_support_hours(p, p.since, now)
        elif p.location == INTERMEDIATE:
            self.rec.interval(M.intermediate_care_days, p.locality, p.since, now)

    def retime(self, p: Patient) -> None:
        """Rates changed: wake the patient's life process so it reschedules."""
        if p.waiting and p.process is not None and p.process.is_alive:
            p.waiting = False
            p.process.interrupt("retime")

    def spawn(self, work: Any) -> None:
        """Start work nobody waits for or interrupts now, without a process's events (model/tasks.py)."""
        spawn(work)

    def ask(self, p: Patient, action: Any) -> None:
        """Queue an action that must run in the patient's own process (admission, moves)."""
        p.add_pending(action)
        self.retime(p)

    def die(self, p: Patient) -> None:
        """Record a death and give back everything the patient held."""
        now: float = self.env._now
        if not p.alive:
            return
        self.rec.count(M.deaths, p.locality, now)
        if p.location == HOSPITAL:
            self.rec.count(M.deaths_in_hospital, p.locality, now)
        elif p.location == RESIDENTIAL:
            self.rec.count(M.deaths_in_care_home, p.locality, now)
        else:  # at home (intermediate care counts here: most of it is reablement at home)
            self.rec.count(M.deaths_at_home, p.locality, now)
        self.rec.interval(M.person_days, p.locality, p.rec.arrival, now)
        self.rec.tier_exposure(p.tier, p.rec.arrival, now)
        self.rec.log(p.id, now, "death")
        self.leave_community(p)
        if p.residential_hold is not None:
            self.service("residential_care", p).release(p.residential_hold)
            p.residential_hold = None
        p.alive = False
        self.move(p, DEAD)

    def leave_community(self, p: Patient) -> None:
        """End home care and caseload membership (death or a care-home move)."""
        self.end_home_care(p)
        self.care.leave(p)

    def set_home_care_hours(self, p: Patient, hours_per_week: float) -> None:
        """Change a package's weekly hours from now on."""
        now: float = self.env._now
        self.rec.interval(M.home_care_hours, p.locality, p.hours_since, now, p.home_care_hours / 7.0)
        p.hours_since = now
        p.home_care_hours = hours_per_week

    def _close_home_care(self, p: Patient, end: float) -> None:
        self.rec.interval(M.home_care_days, p.locality, p.home_care_since, end)
        self.rec.interval(M.home_care_hours, p.locality, p.hours_since, end, p.home_care_hours / 7.0)

    def end_home_care(self, p: Patient) -> None:
        if p.home_care is None:
            return
        self._close_home_care(p, self.env._now)
        self.service("home_care", p).release(p.home_care)
        p.home_care = None

    def finish(self) -> Recorder:
        """Run to the horizon, then close every open interval there (:meth:`run`, :meth:`close`)."""
        self.run()
        return self.close()

    def run(self) -> None:
        """The event loop alone, to the horizon (``carecoord bench`` times it apart from :meth:`close`)."""
        run_until(self.env, self.horizon)  # the cyclic garbage collector paused (a run makes almost none)

    def close(self) -> Recorder:
        """Close every open interval at the horizon (censoring, not dropping), once the run is over."""
        end = self.horizon
        for p in self.patients:
            if p.location == PENDING:
                self.rec.add_location_days(p.id, PENDING, end - p.since)
                continue
            if p.alive:
                self.rec.interval(M.person_days, p.locality, p.rec.arrival, end)
                self.rec.tier_exposure(p.tier, p.rec.arrival, end)
                if p.home_care is not None:
                    self._close_home_care(p, end)
                self.care.censor(p, end)
            self._close_location(p, end)
        self._censor_stays(end)
        for pid, since in sorted(self.waiting_for_bed.items()):  # trolley waits still open count up to the end
            self.rec.count(M.wait_hours_hospital, self._patient(pid).locality, end, (end - since) * 24.0)
        self.waiting_for_bed.clear()
        self._by_id = None  # built for the censoring above; it would hold every patient after the run
        return self.rec

    def _patient(self, pid: int) -> Patient:
        """A patient of this world by id, at the end of the run (ids are the cohort's; a world may hold
        some localities only, so ``patients[pid]`` is not it)."""
        if self._by_id is None:
            self._by_id = {p.id: p for p in self.patients}
        return self._by_id[pid]

    def _censor_stays(self, end: float) -> None:
        """Stays still open at the horizon count up to it."""
        for pid, (admitted, fit) in sorted(self.open_stays.items()):
            p = self._patient(pid)
            self.rec.stays.append(Stay(pid, p.locality, admitted, min(fit, end), end, "censored"))
            self.rec.interval(M.bed_days, p.locality, admitted, end)
            if fit < end:
                self.rec.interval(M.delayed_discharge_days, p.locality, fit, end)
                self.rec.log(pid, end, "delayed_discharge", "hospital", start=fit)
            self.rec.log(pid, end, "hospital_stay", "hospital", start=admitted)  # still in hospital at the end
        self.open_stays.clear()


__all__ = ["World", "make_calendar", "make_recorder"]  # make_recorder: from carecoord.model.localities
