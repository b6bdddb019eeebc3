"""A run with a saturated service or an implausible result never gets a plain verdict (carecoord.trust)."""

from __future__ import annotations

from carecoord.plausibility import RunWarning
from carecoord.trust import distrust, untrusted_verdict


def test_saturation_and_implausible_results_make_the_run_untrustworthy() -> None:
    warnings = [
        RunWarning("saturated", "social_work in east saturated ...", ("baseline",), "social_work", "east"),
        {
            "kind": "implausible",
            "service": "hospital",
            "message": "arm baseline: mean length of stay 177.0 days is implausible (more than 30; ...)",
        },
        {"kind": "growing_queue", "service": "gp", "message": "queue growing"},
    ]
    reason = distrust(warnings)
    assert reason == (
        "social work saturated in east (arm baseline); implausible result: baseline: mean length of stay 177.0 days"
    )
    assert "Not a result to quote: " + reason in untrusted_verdict(reason)


def test_a_growing_queue_alone_leaves_the_verdict_alone() -> None:
    assert distrust([{"kind": "growing_queue", "service": "gp", "message": "queue growing"}]) is None
    assert distrust([]) is None


def test_another_arms_saturation_does_not_spoil_this_arm() -> None:
    warnings = [{"kind": "saturated", "service": "home_care", "locality": "east", "arms": ["integrated"]}]
    assert distrust(warnings, "integrated") == "home care saturated in east (arm integrated)"
    assert distrust(warnings, "integrated_as_claimed") is None
    baseline = [{"kind": "saturated", "service": "home_care", "locality": "east", "arms": ["baseline"]}]
    assert distrust(baseline, "integrated_as_claimed") is not None  # every comparison uses the baseline
