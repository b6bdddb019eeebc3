"""What the report says, worked out from a results folder: the question, the scenario in plain words,
the headline with its uncertainty, who pays and who saves, caveats, assumptions and how to reproduce.

Pure functions returning plain dicts and lists for the template; no HTML here.

Example:
    >>> headline(load("results/pilot"), "integrated")["avoided"]
    '−20 [−51 to 11]'
"""

from __future__ import annotations

import datetime as dt
import math
import shlex
from typing import Any

from carecoord.before_after import summarise_before_after
from carecoord.economics import (
    cost_effect,
    paired_outcomes,
    payer_split,
    probability_saves,
)
from carecoord.formatting import describe_cost_effect, describe_net_cost, signed
from carecoord.report.sources import assumption_rows
from carecoord.results import Results
from carecoord.trust import distrust, untrusted_verdict

MECHANISM_WORDS = {
    "enrolment": "named coordinators enrol high-risk patients",
    "proactive_visits": "proactive visits",
    "medication_review": "medication review and self-management",
    "rapid_response": "rapid community response to a crisis",
    "night_visits": "night-time visits",
    "falls_equipment": "falls equipment",
    "discharge_planning": "discharge planned ahead",
    "post_discharge_follow_up": "a nurse's follow-up after discharge",
    "shared_assessment": "one shared assessment",
    "home_care_first": "home care before residential care",
    "case_finding": "case finding (uncovers unmet need)",
    "care_home_support": "care-home support",
    "joint_retraining": "joint retraining of staff",
    "end_of_life_care": "end-of-life care",
}


def years(results: Results) -> float:
    return (results.end_date - results.results_start).days / 365.25


def question(results: Results) -> str:
    places = ", ".join(results.localities)
    arms = " and ".join(results.compared_arms) or "the integrated arm"
    return (
        f"Does named-coordinator integrated care ({arms}) reduce emergency admissions among people with "
        f"long-term conditions in {places}, and what does it cost, and save, each payer — compared with "
        f"separate services (the baseline)?"
    )


def scenario_words(results: Results) -> dict[str, Any]:
    """Localities, population, dates and each arm's mechanisms, in plain words."""
    sc = results.scenario
    localities = [
        {
            "name": loc["name"],
            "patients": f"{loc['cohort_size']:,}",
            "incidence": f"{loc.get('incidence_per_year', 0):,.0f}",
            "go_live": f"{results.go_live[loc['name']]:%d %B %Y}",
        }
        for loc in sc.get("localities", [])
    ]
    arms = []
    for spec in sc.get("arms", []):
        active = results.active_mechanisms(spec["name"])
        arms.append(
            {
                "name": spec["name"],
                "description": spec.get("description") or "",
                "effects": spec.get("effects") or ("none" if not active else "schema defaults"),
                "mechanisms": [MECHANISM_WORDS.get(m, m.replace("_", " ")) for m in active],
            }
        )
    patients = sum(loc["cohort_size"] for loc in sc.get("localities", []))
    return {
        "description": sc.get("description", ""),
        "localities": localities,
        "patients": f"{patients:,}",
        "window": f"{results.results_start:%d %B %Y} to {results.end_date - dt.timedelta(days=1):%d %B %Y}",
        "years": f"{years(results):.1f}",
        "warm_up_days": sc["simulation"]["warm_up_days"],
        "replications": results.replication_count,
        "seed": results.manifest.get("seed"),
        "arms": arms,
    }


def headline(results: Results, arm: str) -> dict[str, Any]:
    """Admissions avoided, net cost, probability of saving, cost per admission avoided, who pays.

    When the run's warnings say it cannot be trusted (saturated service, implausible result), the
    verdict says so and why instead of "saves money overall" (:mod:`carecoord.trust`).
    """
    pairs = paired_outcomes(results.replications, arm)
    effect = cost_effect(pairs)
    mean, lo, hi = effect.avoided
    n = len(pairs)
    saves = round(probability_saves(pairs) * n)
    split = payer_split(pairs)
    payers = []
    for row in split.itertuples():
        verb = "saves" if row.mean < 0 else "pays"
        payers.append(
            {
                "payer": row.payer,
                "verb": verb,
                "amount": describe_net_cost((row.mean, row.ci_low, row.ci_high)).replace(" overall", ""),
            }
        )
    interval = "" if math.isnan(lo) else f" (95% CI {signed(lo)} to {signed(hi)})"
    net, net_lo, net_hi = effect.net_cost
    return {
        "arm": arm,
        "description": results.arm_description(arm),
        "avoided": f"{signed(mean)}{interval}",
        "avoided_clear": not effect.avoided_spans_zero,
        "avoided_sign": "fewer" if mean > 0 else "more",
        "avoided_abs": signed(abs(mean)),
        "net_cost": describe_net_cost(effect.net_cost),
        "saves": f"{saves} of {n} replications",
        "saves_share": f"{saves / n:.0%}" if n else "no figure",
        "per_admission": describe_cost_effect(effect),
        "payers": payers,
        "verdict": untrusted_verdict(untrusted)
        if (untrusted := distrust(results.manifest.get("warnings", []), arm))
        else verdict(effect.avoided_spans_zero, mean, net, net_lo, net_hi),
        "untrusted": bool(untrusted),
    }


def verdict(avoided_unclear: bool, avoided: float, net: float, net_lo: float, net_hi: float) -> str:
    """One plain sentence: does it avoid admissions, and does it cost or save money (both at 95%)?"""
    if avoided_unclear:
        admissions = "no clear change in emergency admissions"
    else:
        admissions = "fewer emergency admissions" if avoided > 0 else "more emergency admissions"
    if math.isnan(net_lo) or net_lo <= 0 <= net_hi:
        money_words = "no clear saving or extra cost overall"
    else:
        money_words = "saves money overall" if net < 0 else "costs more overall"
    return f"In short: {admissions}; {money_words}."


def caveats(results: Results) -> list[str]:
    """The before-and-after vs controlled gap, and what the numbers are not."""
    out = []
    table = results.before_after
    if not table.empty and table["patients"].sum() > 0:
        summary = summarise_before_after(table).set_index(["arm", "measure"])
        for arm in dict.fromkeys(table["arm"]):
            pilot = summary.loc[(arm, "before_after_change_pct"), "mean"]
            rtm = summary.loc[(arm, "baseline_before_after_change_pct"), "mean"]
            controlled = summary.loc[(arm, "controlled_change_pct")]
            out.append(
                f"{arm}: measured as a pilot would (the enrolled patients' year before vs year after), "
                f"admissions change by {signed(pilot)}%. The same patients with no programme change by "
                f"{signed(rtm)}% (regression to the mean: they were picked at a peak). The controlled effect is "
                f"{signed(controlled['mean'])}% (95% CI {signed(controlled['ci_low'])} to "
                f"{signed(controlled['ci_high'])}). Quote the controlled figure, not the before-and-after one."
            )
    else:
        out.append(
            "No enrolled patient had a full year before and after enrolment inside this run, so the pilot-style "
            "before-and-after figure cannot be compared with the controlled one; run a longer horizon to see it."
        )
    out.append(
        f"Uncertainty shown is across {results.replication_count} simulated replications of the same scenario "
        "(randomness in who falls ill and when); it does not include uncertainty in the scenario's parameters "
        "(for that, run a sweep)."
    )
    out.append("Costs are in the scenario's price year, undiscounted, over the results window only.")
    return out


def assumptions(results: Results) -> dict[str, Any]:
    """The run's scenario values with the sources written beside them (:mod:`.sources`), and unit costs."""
    from carecoord.scenario.costs import CouncilCostsSpec, NHSCostsSpec, ProgrammeCostsSpec

    found = assumption_rows(results)
    costs = results.scenario.get("costs", {})
    unit_costs = []
    for payer, spec in (("nhs", NHSCostsSpec), ("council", CouncilCostsSpec), ("programme", ProgrammeCostsSpec)):
        for name, value in (costs.get(payer) or {}).items():
            field = spec.model_fields.get(name)
            unit_costs.append(
                {
                    "payer": {"nhs": "NHS"}.get(payer, payer),
                    "item": name.replace("_", " "),
                    "value": f"£{value:,.0f}",
                    "source": (field.description or "") if field else "",
                }
            )
    return {**found, "unit_costs": unit_costs, "price_year": costs.get("price_year", "")}


def reproduce(results: Results) -> dict[str, Any]:
    m = results.manifest
    command = m.get("command") or []
    return {
        "command": shlex.join(str(c) for c in command) if command else "",
        "report": f"carecoord report {shlex.quote(str(results.folder))}",  # it draws every figure itself
        "version": m.get("carecoord_version"),
        "commit": m.get("git_commit") or "not recorded",
        "scenario_hash": m.get("scenario_file_sha256") or "not recorded",
        "seed": m.get("seed"),
        "finished": m.get("finished"),
    }
