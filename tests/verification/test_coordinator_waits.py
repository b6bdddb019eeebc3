"""Coordinators' hours waited are patients' hours: counted exactly (the go-live trace, docs/model.md).

Only first assessments can wait here: no regular contacts (due after the horizon), crisis calls
answered only by a free coordinator (no wait), and MDT meetings, which hold every coordinator. A
meeting is due at midnight and waits for the coordinators' 09:00 opening: that is the meeting's own
wait, not a patient's. It was once counted for each coordinator: here east's 26 meetings (go-live
at the end of the warm-up, Sunday 28 September 2014: 33 hours) x 2 coordinators and west's 19
(Monday 5 January 2015: 9 hours) x 2, 1,716 + 342 = 2,058 hours too many.
"""

from __future__ import annotations

import pytest

from carecoord.recording import M
from tests.conftest import LoadTiny

ONLY_ASSESSMENTS = (
    "arms=[{name: baseline}, {name: integrated, mechanisms: {enrolment: {coordinators: 2, caseload: 40, "
    "contact_interval_days: 10000, triage_max_wait_hours: 0}}}]",
)


def _assessment_waits(rec) -> list[float]:
    """Each first assessment's wait, hours: from the patient's enrolment to the coordinator's start."""
    enrolled: dict[int, float] = {}
    waits = []
    for (patient, _, activity, _), start in zip(rec.events, rec.event_starts, strict=True):
        if activity == "enrolled":
            enrolled[patient] = start
        elif activity == "coordinator_assessment":
            waits.append((start - enrolled[patient]) * 24.0)
    return waits


def test_coordinator_waits_are_the_first_assessments_waits_exactly(load_tiny: LoadTiny, run_arms) -> None:
    rec = run_arms(load_tiny(*ONLY_ASSESSMENTS), 0)["integrated"]
    waits = _assessment_waits(rec)
    assert rec.total(M.mdt_meetings, include_warm_up=True) > 10  # meetings held, each waiting for 09:00
    assert rec.total(M.coordinator_contacts, include_warm_up=True) == 0
    expected = sum(waits)
    # The go-live backlog: 80 places filled at once, 2 hours each, for 2 coordinators of 8 hours a day.
    assert len(waits) >= 80 and max(waits) > 24.0
    assert rec.total(M.wait_hours_coordinator, include_warm_up=True) == pytest.approx(expected, rel=1e-12)
    assert rec.total(M.assessment_wait_hours, include_warm_up=True) == pytest.approx(expected, rel=1e-12)
