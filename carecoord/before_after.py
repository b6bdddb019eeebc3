"""Before-and-after, as a pilot measures it, beside the controlled estimate from the same run.

For the patients an integrated arm enrolled (with a full window before and after enrolment
inside the run), count their emergency admissions in the year up to enrolment (including an
admission at the moment of enrolment, which is what selected them) and the year after it: in
the integrated arm (what a pilot reports), and for the same patients and the same dates in the
baseline arm (no intervention at all: any fall there is regression to the mean).
The controlled effect is integrated-after minus baseline-after, patient by patient (common
random numbers make the two arms comparable).

Both arms are read through :class:`AdmissionHistory`, the few things before-and-after needs from
a run, so that arms run in different processes can be compared without sending whole recorders.

Example:
    >>> before_after(AdmissionHistory.of(integrated), AdmissionHistory.of(baseline), window_days=365)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

import pandas as pd

from carecoord.recording import Recorder
from carecoord.stats import mean_ci


@dataclass(frozen=True)
class BeforeAfter:
    """Admissions of one arm's enrolled patients, before and after enrolment, in both arms."""

    patients: int
    arm_before: float
    arm_after: float
    baseline_before: float
    baseline_after: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class AdmissionHistory:
    """What before-and-after reads from one arm's run: admissions in event order and enrolments."""

    admission_log: list[tuple[int, float]]  # (patient, day), in the order they happened
    enrolled_at: dict[int, float]  # patient -> day of enrolment
    arrival: list[float]  # day each patient joined the cohort
    horizon: float  # the run's last day
    enrolment_mark: dict[int, int] = field(default_factory=dict)  # patient -> admissions logged before enrolment

    @classmethod
    def of(cls, rec: Recorder) -> AdmissionHistory:
        return cls(rec.admission_log, rec.enrolled_at, rec.arrival, rec.calendar.horizon, rec.enrolment_mark)


def _by_patient(rec: AdmissionHistory) -> dict[int, list[tuple[float, int]]]:
    """Each patient's admissions as (time, position in the log), in order."""
    out: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for position, (pid, t) in enumerate(rec.admission_log):
        out[pid].append((t, position))
    return out


def _split(admissions: list[tuple[float, int]], t: float, mark: int | None, window: float) -> tuple[int, int]:
    """Admissions in the window before and after enrolment at ``t``.

    Before means earlier in the event order than the enrolment (``mark``, a log position), so the
    admission that selected the patient counts before and one the programme causes at the same
    instant counts after; without a mark, an admission at ``t`` itself counts before.
    """
    before = after = 0
    for time, position in admissions:
        is_before = position < mark if mark is not None else time <= t
        if is_before and time > t - window:
            before += 1
        elif not is_before and time <= t + window:
            after += 1
    return before, after


def before_after(arm: AdmissionHistory, baseline: AdmissionHistory, window_days: float = 365.0) -> BeforeAfter | None:
    """Before/after counts for the arm's enrolled patients with full windows; None if it enrols none."""
    if not arm.enrolled_at:
        return None
    horizon = arm.horizon
    arm_admissions = _by_patient(arm)
    base_admissions = _by_patient(baseline)
    totals = [0, 0, 0, 0]
    patients = 0
    for pid, t in arm.enrolled_at.items():
        if t - window_days < arm.arrival[pid] or t + window_days > horizon:
            continue  # no full year in the cohort before, or no full year left after
        patients += 1
        a_before, a_after = _split(arm_admissions.get(pid, []), t, arm.enrolment_mark.get(pid), window_days)
        b_before, b_after = _split(base_admissions.get(pid, []), t, None, window_days)
        totals[0] += a_before
        totals[1] += a_after
        totals[2] += b_before
        totals[3] += b_after
    return BeforeAfter(patients, *map(float, totals))


def summarise_before_after(table: pd.DataFrame) -> pd.DataFrame:
    """Per arm: the pilot's before-and-after change, the baseline's (regression to the mean) and the
    controlled change, each in per cent with a 95% CI across replications."""
    rows = []
    for arm, block in table.groupby("arm", sort=False):
        pilot = _pct(block["arm_after"], block["arm_before"])
        rtm = _pct(block["baseline_after"], block["baseline_before"])
        controlled = _pct(block["arm_after"], block["baseline_after"])
        per_patient = ((block["arm_after"] - block["baseline_after"]) / block["patients"].clip(lower=1)).tolist()
        for measure, values in (
            ("before_after_change_pct", pilot),
            ("baseline_before_after_change_pct", rtm),
            ("controlled_change_pct", controlled),
            ("controlled_difference_per_patient", per_patient),
        ):
            mean, lo, hi = mean_ci(values)
            rows.append((arm, measure, float(block["patients"].mean()), mean, lo, hi))
    return pd.DataFrame(rows, columns=["arm", "measure", "patients", "mean", "ci_low", "ci_high"])


def _pct(after: pd.Series, before: pd.Series) -> list[float]:
    return [100.0 * (a / b - 1.0) for a, b in zip(after, before, strict=True) if b > 0]
