"""Every start of work by every service falls in its opening hours; weekends only with seven-day working.

``test_opening_hours.py`` reads starts back from the event log, which records only some
activities (not, e.g., the GP appointments of social crises, nursing visits or home-care starts).
Here every service of a run is instrumented instead: each place it grants is logged with its
time and whether the request was a seven-day (``any_day``) one. Theory is the scenario's
opening-hours table itself, evaluated independently of the package (``open_at`` in conftest):

* a grant happens on an open day, between opening and closing;
* weekday social workers never assess at weekends; seven-day discharge (``seven_day: true`` in an
  integrated arm, shown both ways) adds weekend social workers who assess on Saturdays and Sundays
  only, in the social-work hours; never in the baseline.
"""

from __future__ import annotations

import math

import pytest

from carecoord.scenario import Scenario
from carecoord.scenario.base import WEEKDAYS, OpeningHoursSpec

ENROL_MANY = ("arms.integrated.mechanisms.enrolment.coordinators=3", "arms.integrated.mechanisms.enrolment.caseload=80")


@pytest.mark.parametrize(
    ("arm", "overrides"),
    [
        ("baseline", ()),
        ("integrated", ENROL_MANY),
        ("integrated", (*ENROL_MANY, "arms.integrated.mechanisms.discharge_planning.seven_day=false")),
    ],
    ids=["baseline", "integrated-seven-day", "integrated-five-day"],
)
def test_every_grant_is_within_opening_hours(
    load_tiny, run_instrumented, open_at, arm: str, overrides: tuple[str, ...], figure
) -> None:
    """GP, nursing, social work (and the always-open services) start work only when open."""
    scenario: Scenario = load_tiny("services.gp.capacity=1", "services.social_work.capacity=1", *overrides)
    run = run_instrumented(scenario, arm, 0)
    weekday0 = scenario.simulation.start_date.weekday()
    by_service: dict[str, int] = {}
    weekend_social_work = 0
    sw = scenario.services.social_work.hours
    weekend_hours = OpeningHoursSpec(days=["sat", "sun"], open_hour=sw.open_hour, close_hour=sw.close_hour)
    for grant in run.grants:
        weekend_team = grant.service == "social_work_weekend"
        spec: OpeningHoursSpec = weekend_hours if weekend_team else getattr(scenario.services, grant.service).hours
        by_service[grant.service] = by_service.get(grant.service, 0) + 1
        assert open_at(spec, weekday0, grant.time, grant.any_day), (grant, spec)
        on_weekend = (weekday0 + math.floor(grant.time + 1e-9)) % 7 >= 5
        assert not (grant.service == "social_work" and on_weekend and set(sw.days) == set(WEEKDAYS)), grant
        weekend_social_work += weekend_team
    seven_day = arm == "integrated" and scenario.arm(arm).mechanisms.discharge_planning.seven_day  # type: ignore[union-attr]
    figure(f"Opening hours ({arm}, seven-day {seven_day}): starts {by_service}; weekend SW {weekend_social_work}")
    assert by_service.get("gp", 0) > 100 and by_service.get("social_work", 0) > 50
    assert by_service.get("community_nursing", 0) > 100
    assert not any(g.any_day for g in run.grants)  # weekend work is done by weekend staff, not stretched
    if seven_day:
        assert weekend_social_work > 0  # seven-day working is visible, so the other cases could fail
    else:
        assert weekend_social_work == 0


def test_open_at_reference(open_at) -> None:
    """The reference used above: weekday 09:00-17:00 from a Tuesday start."""
    spec = OpeningHoursSpec(days=["mon", "tue", "wed", "thu", "fri"], open_hour=9, close_hour=17)
    tuesday = 1
    assert open_at(spec, tuesday, 9 / 24, False) and not open_at(spec, tuesday, 17 / 24, False)
    assert not open_at(spec, tuesday, 8.99 / 24, False)
    assert not open_at(spec, tuesday, 4 + 10 / 24, False)  # day 4 is a Saturday
    assert open_at(spec, tuesday, 4 + 10 / 24, True)
    assert not open_at(spec, tuesday, 4 + 18 / 24, True)
