"""Whether a run's headline can be quoted: saturated services or implausible results mean it cannot.

A commissioner reads the first sentence and stops. When a service is saturated (its queue, not the
programme, drives the outcomes) or a result is impossible (a 177-day mean stay), a sentence such as
"saves money overall" must not be that first sentence. This module turns the run's warnings
(``plausibility.RunWarning`` records, or the dicts the manifest stores) into one plain reason the
printout and the report put in place of the verdict.

Example:
    >>> distrust([{"kind": "saturated", "service": "social_work", "locality": "east"}])
    'social work saturated in east'
    >>> distrust([{"kind": "saturated", "service": "home_care", "arms": ["integrated"]}], arm="other") is None
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from carecoord.results import BASELINE

UNTRUSTWORTHY_KINDS = ("saturated", "implausible")  # growing queues alone are shown as warnings, not a verdict


def _field(warning: Any, name: str) -> Any:
    if isinstance(warning, Mapping):
        return warning.get(name)
    return getattr(warning, name, None)


def distrust(warnings: Iterable[Any], arm: str | None = None) -> str | None:
    """Why the run's headline is not trustworthy, in a few words, or ``None`` when nothing says so.

    With ``arm``, only warnings about that arm or the baseline count (every comparison uses the
    baseline; another arm's saturated service does not spoil this one's).
    """
    reasons: list[str] = []
    for warning in warnings:
        kind = _field(warning, "kind")
        arms = tuple(_field(warning, "arms") or ())
        if kind not in UNTRUSTWORTHY_KINDS or (arm is not None and arms and not {arm, BASELINE} & set(arms)):
            continue
        service = str(_field(warning, "service") or "").replace("_", " ")
        locality = _field(warning, "locality")
        if kind == "saturated":
            text = f"{service} saturated" + (f" in {locality}" if locality else "")
            text += f" (arm {', '.join(arms)})" if arms else ""
        else:
            message = str(_field(warning, "message") or "")
            text = "implausible result: " + message.split(" is implausible")[0].split(" (")[0].split(", above")[0]
            text = text.replace("arm ", "", 1) if text.startswith("implausible result: arm ") else text
        if text not in reasons:
            reasons.append(text)
    return "; ".join(reasons) if reasons else None


def untrusted_verdict(reason: str) -> str:
    """The sentence that replaces "saves money overall" when the run cannot be trusted."""
    return (
        f"Not a result to quote: {reason}. The model's queues, not the programme, drive these figures; "
        "fix the capacity named in the warnings and rerun."
    )
