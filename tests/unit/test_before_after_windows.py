"""The before-and-after windows: exact counts on a hand-made record."""

from __future__ import annotations

import datetime as dt

from carecoord.before_after import AdmissionHistory, before_after
from carecoord.calendar import Calendar
from carecoord.recording import Recorder


def _recorder(admissions: list[tuple[int, float]], enrolled: dict[int, float]) -> AdmissionHistory:
    rec = Recorder(Calendar(dt.date(2014, 1, 1), 1000, 0), n_localities=1, n_patients=3)
    rec.admission_log = admissions
    rec.enrolled_at = enrolled
    return AdmissionHistory.of(rec)


def test_the_selecting_admission_counts_before_and_windows_are_a_year() -> None:
    """(t-365, t] is before, (t, t+365] after; patients without full windows are left out."""
    arm = _recorder([(0, 100.0), (0, 400.0), (0, 500.0), (0, 766.0), (2, 10.0)], {0: 400.0, 1: 450.0, 2: 200.0})
    base = _recorder([(0, 100.0), (0, 400.0), (0, 700.0), (0, 760.0), (1, 449.0)], {})
    ba = before_after(arm, base, window_days=365.0)
    assert ba is not None
    assert ba.patients == 2  # patient 2 enrolled at day 200: no full year before
    assert ba.arm_before == 2.0  # patient 0: days 100 and 400 (the enrolment day itself)
    assert ba.arm_after == 1.0  # day 500; day 766 is past 400 + 365
    assert ba.baseline_before == 3.0  # patient 0: 100, 400; patient 1: 449
    assert ba.baseline_after == 2.0  # patient 0: 700, 760


def test_no_enrolment_no_before_after() -> None:
    assert before_after(_recorder([], {}), _recorder([], {})) is None
