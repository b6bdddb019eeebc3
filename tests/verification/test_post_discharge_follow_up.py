"""The post-discharge follow-up (transitional care) acts only on the readmission window, as specified.

* With no effect (``readmission_rate_ratio`` = 1) and community nursing that is never full or closed,
  the visits happen but change nothing else: admissions, readmissions and crises equal those of the same
  arm with the mechanism off, replication by replication (common random numbers; the visit uses no
  random numbers).
* At full strength (ratio 0, visit at once), no crisis happens between a follow-up visit and the end of
  that discharge's readmission window, and 30-day readmissions fall.
* Only enrolled patients are followed up (``applies_to: enrolled``), and never in the baseline.
"""

from __future__ import annotations

from collections import defaultdict

from carecoord.recording import M

OPEN_NURSING = ("services.community_nursing.capacity=", "services.community_nursing.hours={}")
FOLLOW_UP = "arms.integrated.mechanisms.post_discharge_follow_up"
TOTALS = ("emergency_admissions", "readmissions_30d", "crises", "falls", "deaths")


def _total(rec, metric: str) -> float:
    return rec.total(getattr(M, metric), include_warm_up=True)


def test_follow_up_without_effect_changes_nothing_but_staff_time(load_tiny, run_one) -> None:
    """ratio 1, unlimited always-open nursing: the same counts as with the mechanism off, and visits > 0."""
    without = load_tiny(*OPEN_NURSING, f"{FOLLOW_UP}.enabled=false")
    neutral = load_tiny(*OPEN_NURSING, f"{FOLLOW_UP}.readmission_rate_ratio=1")
    for replication in (0, 1):
        _, off = run_one(without, "integrated", replication)
        _, on = run_one(neutral, "integrated", replication)
        assert _total(off, "post_discharge_follow_ups") == 0
        assert _total(on, "post_discharge_follow_ups") > 0
        assert {m: _total(on, m) for m in TOTALS} == {m: _total(off, m) for m in TOTALS}
        extra_visits = _total(on, "community_nursing_visits") - _total(off, "community_nursing_visits")
        assert extra_visits == _total(on, "post_discharge_follow_ups")


def test_full_strength_follow_up_stops_crises_for_the_rest_of_the_window(load_tiny, run_one) -> None:
    """ratio 0, visit at once: no crisis from a follow-up to the end of its window (or the next admission)."""
    window = load_tiny().cohort.events.readmission_window_days
    strong = load_tiny(*OPEN_NURSING, f"{FOLLOW_UP}.within_days=0", f"{FOLLOW_UP}.readmission_rate_ratio=0")
    without = load_tiny(*OPEN_NURSING, f"{FOLLOW_UP}.enabled=false")
    visit_days = strong.arm("integrated").mechanisms.post_discharge_follow_up.visit_minutes / 1440.0
    checked = 0
    for replication in (0, 1):
        _, rec = run_one(strong, "integrated", replication, log_events=True)
        by_patient: dict[int, list[tuple[float, str]]] = defaultdict(list)
        for pid, t, activity, _ in rec.events:
            by_patient[pid].append((t, activity))
        for events in by_patient.values():
            for i, (t, activity) in enumerate(events):
                if activity != "post_discharge_follow_up":
                    continue
                end = t - visit_days + window  # home at t - visit, window from then
                for later, what in events[i + 1 :]:
                    if later >= end or what == "emergency_admission":
                        break
                    assert what != "crisis", f"crisis at {later:.3f} inside the window ending {end:.3f}"
                checked += 1
        _, off = run_one(without, "integrated", replication)
        assert _total(rec, "readmissions_30d") < _total(off, "readmissions_30d")
    assert checked > 20


def test_only_enrolled_patients_are_followed_up(load_tiny, run_one) -> None:
    """applies_to enrolled: every follow-up is of a patient enrolled before it; none in the baseline."""
    scenario = load_tiny()
    _, base = run_one(scenario, "baseline", 0)
    assert _total(base, "post_discharge_follow_ups") == 0
    _, rec = run_one(scenario, "integrated", 0, log_events=True)
    follow_ups = [(pid, t) for pid, t, activity, _ in rec.events if activity == "post_discharge_follow_up"]
    assert follow_ups
    for pid, t in follow_ups:
        assert pid in rec.enrolled_at and rec.enrolled_at[pid] <= t
