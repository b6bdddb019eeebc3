"""What one replication of one arm recorded: counters by (metric, locality, month), stays, state time.

Recording is flat vectors of doubles (librt's ``vec``) indexed by integers so that it costs little
inside the event loop; turning it into tables and statistics is the job of :mod:`carecoord.metrics`.

Example:
    >>> rec = Recorder(calendar, n_localities=1, n_patients=10)
    >>> rec.count(M.emergency_admissions, 0, 12.5)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from librt.vecs import vec
from mypy_extensions import i64, mypyc_attr

from carecoord.calendar import Calendar
from carecoord.locations import LOCATIONS

# Recorded metrics. Names are a contract (snake_case, unit in the name where it is not a count).
RECORDED_METRICS: tuple[str, ...] = (
    "emergency_admissions",
    "short_stay_admissions",
    "readmissions_30d",
    "ae_attendances",
    "ambulance_conveyances",
    "gp_appointments",
    "gp_home_visits",
    "community_nursing_visits",
    "routine_gp_consultations",
    "routine_nursing_visits",
    "nhs111_calls",
    "ooh_gp_consultations",
    "social_work_assessments",
    "home_care_packages_started",
    "intermediate_care_admissions",
    "residential_admissions",
    "deaths",
    "deaths_in_hospital",
    "deaths_at_home",
    "deaths_in_care_home",
    "crises",
    "falls",
    "social_crises",
    "declines",
    "patients_enrolled",
    "caseload_discharges",
    "caseload_reenrolments",
    "patients_found_by_case_finding",
    "patients_enrolled_by_case_finding",
    "mdt_reviews",
    "mdt_meetings",
    "mdt_reviews_overdue",
    "coordinator_contacts",
    "crisis_triage_calls",
    "crises_triaged",
    "proactive_visits",
    "post_discharge_follow_ups",
    "rapid_responses",
    "crises_managed_at_home_by_coordinator",
    "escalated_admissions",
    "case_finding_admissions",
    "falls_equipment_installs",
    "end_of_life_crises_at_home",
    "care_home_support_hours",
    "bed_days",
    "delayed_discharge_days",
    "intermediate_care_days",
    "residential_care_days",
    "home_care_days",
    "home_care_hours",
    "person_days",
    "enrolled_days",
    "waiting_list_days",
    "enrolment_wait_days",
    "assessment_wait_hours",
    "staff_hours_gp",
    "staff_hours_ae",
    "staff_hours_community_nursing",
    "staff_hours_social_work",
    "mdt_hours",
    "coordinator_hours",
    "medication_review_hours",
    "wait_hours_gp",
    "wait_hours_ae",
    "wait_hours_community_nursing",
    "wait_hours_social_work",
    "wait_hours_coordinator",
    "wait_hours_home_care",
    "wait_hours_hospital",
    "wait_hours_intermediate_care",
    "wait_hours_residential_care",
)
METRIC_INDEX: dict[str, int] = {name: i for i, name in enumerate(RECORDED_METRICS)}


class M:
    """Metric indices by name, for the event loop: ``rec.count(M.emergency_admissions, ...)``.

    Written out as ``Final`` literals (their position in RECORDED_METRICS; tests/unit/test_recording_metrics.py
    checks every one) because the compiled model (mypyc) inlines them: a namespace's attribute was a
    module-global lookup and a generic attribute read on every count of every event.
    """

    emergency_admissions: Final = 0
    short_stay_admissions: Final = 1
    readmissions_30d: Final = 2
    ae_attendances: Final = 3
    ambulance_conveyances: Final = 4
    gp_appointments: Final = 5
    gp_home_visits: Final = 6
    community_nursing_visits: Final = 7
    routine_gp_consultations: Final = 8
    routine_nursing_visits: Final = 9
    nhs111_calls: Final = 10
    ooh_gp_consultations: Final = 11
    social_work_assessments: Final = 12
    home_care_packages_started: Final = 13
    intermediate_care_admissions: Final = 14
    residential_admissions: Final = 15
    deaths: Final = 16
    deaths_in_hospital: Final = 17
    deaths_at_home: Final = 18
    deaths_in_care_home: Final = 19
    crises: Final = 20
    falls: Final = 21
    social_crises: Final = 22
    declines: Final = 23
    patients_enrolled: Final = 24
    caseload_discharges: Final = 25
    caseload_reenrolments: Final = 26
    patients_found_by_case_finding: Final = 27
    patients_enrolled_by_case_finding: Final = 28
    mdt_reviews: Final = 29
    mdt_meetings: Final = 30
    mdt_reviews_overdue: Final = 31
    coordinator_contacts: Final = 32
    crisis_triage_calls: Final = 33
    crises_triaged: Final = 34
    proactive_visits: Final = 35
    post_discharge_follow_ups: Final = 36
    rapid_responses: Final = 37
    crises_managed_at_home_by_coordinator: Final = 38
    escalated_admissions: Final = 39
    case_finding_admissions: Final = 40
    falls_equipment_installs: Final = 41
    end_of_life_crises_at_home: Final = 42
    care_home_support_hours: Final = 43
    bed_days: Final = 44
    delayed_discharge_days: Final = 45
    intermediate_care_days: Final = 46
    residential_care_days: Final = 47
    home_care_days: Final = 48
    home_care_hours: Final = 49
    person_days: Final = 50
    enrolled_days: Final = 51
    waiting_list_days: Final = 52
    enrolment_wait_days: Final = 53
    assessment_wait_hours: Final = 54
    staff_hours_gp: Final = 55
    staff_hours_ae: Final = 56
    staff_hours_community_nursing: Final = 57
    staff_hours_social_work: Final = 58
    mdt_hours: Final = 59
    coordinator_hours: Final = 60
    medication_review_hours: Final = 61
    wait_hours_gp: Final = 62
    wait_hours_ae: Final = 63
    wait_hours_community_nursing: Final = 64
    wait_hours_social_work: Final = 65
    wait_hours_coordinator: Final = 66
    wait_hours_home_care: Final = 67
    wait_hours_hospital: Final = 68
    wait_hours_intermediate_care: Final = 69
    wait_hours_residential_care: Final = 70


N_LOCATIONS: Final = len(LOCATIONS)


@dataclass(slots=True)
class Stay:
    """One hospital stay (times in days; ``discharged`` is the horizon if still in hospital)."""

    patient: int
    locality: int
    admitted: float
    fit: float
    discharged: float
    outcome: str  # home, home_care, intermediate_care, residential_care, died, censored


# Compiled (mypyc), a class needs this to be subclassed in Python: a test's tracing recorder (test_pathway_traces).
@mypyc_attr(allow_interpreted_subclasses=True)
class Recorder:
    """Counters, stays and per-patient state time of one replication of one arm."""

    def __init__(
        self, calendar: Calendar, n_localities: int, n_patients: int, n_tiers: int = 1, log_events: bool = False
    ):
        self.calendar = calendar
        self.n_localities = n_localities
        self._bins = calendar.n_bins
        self._stride = n_localities * self._bins
        # The counters and their look-up tables are librt vecs: the doubles (and integers) themselves in
        # one buffer, read and added to in C when compiled, with no float object made per addition.
        self._bin_of_day = vec[i64]([calendar.bin(d + 0.5) for d in range(int(calendar.horizon) + 1)])
        self._last_day = len(self._bin_of_day)
        self._bin_ends = vec[float](calendar.bin_ends)
        self._horizon = calendar.horizon
        self.values = vec[float]([0.0] * (len(RECORDED_METRICS) * self._stride))
        self.stays: list[Stay] = []
        # Days in each location, patient after patient (``state_days``): doubles, not objects per patient.
        self.location_days = vec[float]([0.0] * (len(LOCATIONS) * n_patients))
        self.peak_in_use: dict[str, int] = {}
        self.capacity: dict[str, float] = {}
        # (patient, time, activity, resource), time = when recorded (an activity's end); None: the log is off.
        self.events: list[tuple[int, float, str, str]] | None = [] if log_events else None
        self.event_starts: list[float] = []  # beside ``events``: each row's start (== time for an instant)
        # Per risk tier, results window only: what calibration needs.
        self.tier_admissions: list[float] = [0.0] * n_tiers
        self.tier_person_days: list[float] = [0.0] * n_tiers
        # Per patient, for before-and-after analyses: when each admission happened, when each was enrolled.
        self.admission_log: list[tuple[int, float]] = []
        self.enrolled_at: dict[int, float] = {}
        self.enrolment_mark: dict[int, int] = {}  # len(admission_log) at enrolment: what came before it
        self.arrival: list[float] = [0.0] * n_patients  # day each patient joined the cohort

    @property
    def state_days(self) -> list[memoryview]:
        """Days each patient spent in each location (``state_days[patient][location]``), read-only views."""
        n = len(LOCATIONS)
        days = memoryview(self.location_days).toreadonly()
        return [days[i : i + n] for i in range(0, len(days), n)]

    def add_location_days(self, patient: int, location: int, days: float) -> None:
        """Add ``days`` to the time a patient spent in a location."""
        self.location_days[patient * N_LOCATIONS + location] += days

    def count(self, metric: int, locality: int, t: float, value: float = 1.0) -> None:
        """Add ``value`` to a metric at instant ``t``."""
        day = int(t)
        bins = self._bins
        b: i64 = bins - 1  # past the table: the last bin. Statements, not a conditional expression: mypyc
        if day < self._last_day:  # boxes both sides of one that joins an i64 and an int
            b = self._bin_of_day[day]
        self.values[metric * self._stride + locality * bins + b] += value

    def interval(self, metric: int, locality: int, t0: float, t1: float, per_day: float = 1.0) -> None:
        """Add ``per_day`` for every day of [t0, t1), split across months.

        The same pieces as :meth:`Calendar.split`, in the same order and arithmetic (so the same
        sums to the last bit), without a generator or a call per piece: most intervals (stays,
        home-care spells) fall in one month, and this runs for every one of them.
        """
        bins = self._bins
        base = metric * self._stride + locality * bins
        if t1 > self._horizon:
            t1 = self._horizon
        values = self.values
        bin_of_day = self._bin_of_day
        bin_ends = self._bin_ends
        while t0 < t1:
            day = int(t0)
            b: i64 = bins - 1  # as in :meth:`count`
            if day < self._last_day:
                b = bin_of_day[day]
            end = bin_ends[b]
            if end <= t0:  # t0 sits exactly on a boundary rounded into the previous bin
                b += 1
                end = bin_ends[b]
            if end > t1:
                end = t1
            values[base + b] += (end - t0) * per_day
            t0 = end

    def tier_admission(self, tier: int, t: float) -> None:
        if t >= self.calendar.warm_up:
            self.tier_admissions[tier] += 1.0

    def tier_exposure(self, tier: int, t0: float, t1: float) -> None:
        start = max(t0, self.calendar.warm_up)
        end = min(t1, self.calendar.horizon)
        if end > start:
            self.tier_person_days[tier] += end - start

    def log(self, patient: int, t: float, activity: str, resource: str = "", start: float | None = None) -> None:
        """Append to the event log if it is on: an instant at ``t``, or an activity from ``start`` to ``t``.

        Rows are appended when they end, so the log stays in time order of ends (one tuple, no
        formatting: the conversion to tables happens after the run).
        """
        if self.events is not None:
            self.events.append((patient, t, activity, resource))
            self.event_starts.append(t if start is None else start)

    def table(self) -> list[tuple[int, int, int, float]]:
        """Non-zero (metric, locality, bin, value) rows."""
        out = []
        for i, v in enumerate(self.values):
            if v:
                metric, rest = divmod(i, self._stride)
                loc, b = divmod(rest, self._bins)
                out.append((metric, loc, b, v))
        return out

    def total(self, metric: int, include_warm_up: bool = False) -> float:
        """A metric summed over localities and (results) months."""
        start = metric * self._stride
        total = 0.0
        first = 0 if include_warm_up else 1
        for loc in range(self.n_localities):
            row = start + loc * self._bins
            row_total = 0.0  # a locality's sum, then added (as ``sum`` of its row was)
            for b in range(first, self._bins):
                row_total += self.values[row + b]
            total += row_total
        return total
