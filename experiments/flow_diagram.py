"""Flow diagram of a patient's pathways in both arms, for docs/model.md (STRESS-DES item 2.1).

Panel A is the baseline (separate services); orange numbered badges mark the steps that the
integrated arm's mechanisms change. Panel B is the integrated arm: enrolment from go-live, the
MDT care plan and the nine mechanisms, numbered as in panel A. Every number on the diagram is
read from the scenario (default: the east Blackburn pilot), so the figure follows the code.

Usage:
    python experiments/flow_diagram.py [--scenario SCENARIO.yaml] [--out docs/figures/pathways.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from carecoord.scenario import arms, load_scenario
from carecoord.scenario.base import ALL_DAYS, WEEKDAYS, OpeningHoursSpec
from carecoord.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS = {
    "proactive_visits": arms.ProactiveVisitsSpec,
    "medication_review": arms.MedicationReviewSpec,
    "rapid_response": arms.RapidResponseSpec,
    "night_visits": arms.NightVisitsSpec,
    "falls_equipment": arms.FallsEquipmentSpec,
    "discharge_planning": arms.DischargePlanningSpec,
    "shared_assessment": arms.SharedAssessmentSpec,
    "home_care_first": arms.HomeCareFirstSpec,
    "case_finding": arms.CaseFindingSpec,
    "care_home_support": arms.CareHomeSupportSpec,
    "joint_retraining": arms.JointRetrainingSpec,
    "end_of_life_care": arms.EndOfLifeCareSpec,
    "post_discharge_follow_up": arms.PostDischargeFollowUpSpec,
}
"""Mechanisms; their number on the diagram is their position here (the follow-up, added last, is 13)."""
DEFAULT_SCENARIO = ROOT / "scenarios" / "east_blackburn_pilot.yaml"
DEFAULT_OUT = ROOT / "docs" / "figures" / "pathways.png"

STYLE = {
    "base": {"face": "#dbe8f6", "edge": "#2b5d8a", "ls": "-"},
    "int": {"face": "#fde2c6", "edge": "#d9480f", "ls": "--"},
    "end": {"face": "#e9e9e9", "edge": "#555555", "ls": "-"},
    "off": {"face": "#f4f4f4", "edge": "#999999", "ls": ":"},
}
ARROW = {"base": ("#2b5d8a", "-"), "int": ("#d9480f", "--")}
RAISES = "#c92a2a"
FONT = 11.5


# --- formatting numbers from the scenario -------------------------------------------------
def pct(x: float) -> str:
    return f"{100 * x:.3g}%"


def num(x: float) -> str:
    return f"{x:g}"


def clock(hour: float) -> str:
    return f"{int(hour):02d}:{round((hour % 1) * 60):02d}"


def hours_text(h: OpeningHoursSpec) -> str:
    days = tuple(h.days)
    if set(days) == set(ALL_DAYS):
        day_text = "daily"
    elif set(days) == set(WEEKDAYS):
        day_text = "Mon–Fri"
    else:
        day_text = ",".join(d.capitalize() for d in days)
    if h.open_hour == 0 and h.close_hour == 24:
        return f"{day_text}, 24 h"
    return f"{day_text} {clock(h.open_hour)}–{clock(h.close_hour)}"


def integrated_arm(scenario: Scenario):
    for arm in scenario.arms:
        if arm.name != "baseline" and arm.mechanisms.any_active:
            return arm
    raise SystemExit("the scenario has no arm with a mechanism switched on")


# --- drawing helpers ------------------------------------------------------------------------
class Canvas:
    """Boxes by name, arrows between their sides, badges on their corners."""

    def __init__(self, ax):
        self.ax = ax
        self.boxes: dict[str, tuple[float, float, float, float]] = {}

    def box(self, key, x, y, w, h, text, kind="base", size=FONT, weight="normal", align="center"):
        st = STYLE[kind]
        patch = FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="round,pad=0.25,rounding_size=0.8",
            facecolor=st["face"],
            edgecolor=st["edge"],
            linewidth=1.6,
            linestyle=st["ls"],
            zorder=2,
        )
        self.ax.add_patch(patch)
        tx = x + w / 2 if align == "center" else x + 0.8
        self.ax.text(
            tx,
            y + h / 2,
            text,
            ha=align,
            va="center",
            fontsize=size,
            fontweight=weight,
            zorder=3,
            linespacing=1.3,
        )
        self.boxes[key] = (x, y, w, h)

    def at(self, key, side, frac=0.5):
        x, y, w, h = self.boxes[key]
        pad = 0.3
        if side == "left":
            return (x - pad, y + h * frac)
        if side == "right":
            return (x + w + pad, y + h * frac)
        if side == "top":
            return (x + w * frac, y + h + pad)
        return (x + w * frac, y - pad)

    def arrow(self, points, kind="base", label=None, where=None, color=None, ha="center", size=FONT - 1):
        col, ls = ARROW[kind]
        col = color or col
        if len(points) > 2:
            xs, ys = zip(*points[:-1], strict=True)
            self.ax.add_line(Line2D(xs, ys, color=col, linestyle=ls, linewidth=1.6, zorder=1))
        arrow = FancyArrowPatch(
            points[-2],
            points[-1],
            arrowstyle="-|>",
            mutation_scale=16,
            color=col,
            linestyle=ls,
            linewidth=1.6,
            zorder=1,
            shrinkA=0,
            shrinkB=0,
        )
        self.ax.add_patch(arrow)
        if label:
            self.label(where, label, color=col if kind == "int" or color else "#1d3b57", ha=ha, size=size)

    def label(self, xy, text, color="#1d3b57", ha="center", size=FONT - 1, style="normal"):
        self.ax.text(
            xy[0],
            xy[1],
            text,
            ha=ha,
            va="center",
            fontsize=size,
            color=color,
            zorder=4,
            style=style,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.2, "alpha": 0.9},
        )

    def badges(self, key, numbers, corner="top-right"):
        x, y, w, h = self.boxes[key]
        bx = x + w if "right" in corner else x
        by = y + h if "top" in corner else y
        for i, n in enumerate(numbers):
            step = 2.6 * i
            self.ax.text(
                bx - step if "right" in corner else bx + step,
                by,
                str(n),
                ha="center",
                va="center",
                fontsize=FONT - 0.5,
                fontweight="bold",
                color="white",
                zorder=5,
                bbox={"boxstyle": "circle,pad=0.25", "facecolor": "#d9480f", "edgecolor": "white", "linewidth": 1.2},
            )


# --- panel A: the baseline pathway -----------------------------------------------------------
def panel_baseline(c: Canvas, s: Scenario) -> None:
    sv = s.services
    ev = s.cohort.events
    hosp = sv.hospital
    needs = hosp.discharge_needs
    inst = s.cohort.instability

    c.box(
        "home",
        1,
        4,
        17,
        55,
        "Patient at home\n\n"
        "competing-risk\nevent clocks\n(next-reaction method)\n\n"
        "crisis rate =\ntier mean\n× gamma frailty\n"
        f"× instability spell\n(×{num(inst.spell_rate_ratio)} for ~{num(inst.mean_spell_days)} d)\n"
        f"× {num(ev.readmission_rate_ratio)} for {num(ev.readmission_window_days)} d\nafter discharge\n\n"
        f"in a care home:\ncrises ×{num(ev.care_home_crisis_rate_ratio)},\n"
        f"deaths {num(ev.care_home_mortality_per_year)}/yr\n\n"
        "in hospital or\nintermediate care:\nno events",
        weight="normal",
    )
    c.box("crisis", 23, 49, 14, 6, "Crisis\n(exacerbation)", weight="bold")
    c.box(
        "fall",
        23,
        35.5,
        14,
        7,
        f"Fall\n{num(ev.fall_rate_per_year)}/yr; {num(ev.fall_rate_per_year_80plus)}/yr if 80+",
        weight="bold",
    )
    c.box("social", 23, 24, 14, 6, "Social crisis\n(carer, night anxiety)", weight="bold")
    c.box("decline", 23, 12, 14, 6, f"Functional decline\n{num(ev.decline_rate_per_year)}/yr", weight="bold")
    c.box("death", 23, 4, 14, 5, "Death\n(tier's rate)", kind="end", weight="bold")
    for key in ("crisis", "fall", "social", "decline", "death"):
        c.arrow([c.at("home", "right", (c.boxes[key][1] + c.boxes[key][3] / 2 - 4) / 55), c.at(key, "left")])

    c.box(
        "coord",
        42,
        62,
        19,
        6.5,
        "Coordinator first\n(enrolled, care plan active)",
        kind="int",
        weight="bold",
    )
    c.box(
        "gp",
        42,
        48,
        19,
        9,
        f"GP ({hours_text(sv.gp.hours)})\n"
        f"seen within {num(sv.gp.max_wait_hours)} h?\n"
        f"home visit if {num(sv.gp.home_visit_age)}+ or care needs",
    )
    c.box(
        "ae",
        42,
        30,
        19,
        9,
        f"999 / A&E ({num(sv.ae.attendance_hours)} h)\n"
        f"{pct(sv.ae.conveyance_probability)} by ambulance\n"
        "crises of care-home residents",
    )
    c.box(
        "managed",
        69,
        55,
        19,
        9,
        "Managed at home\nafter a GP visit: "
        f"{pct(sv.gp.nursing_referral_probability)}\nto community nursing\n"
        f"({sv.community_nursing.follow_up_visits} weekly visits)",
    )
    c.box("admit", 69, 38, 19, 7, "Emergency admission", weight="bold")
    c.box(
        "stay",
        93,
        37,
        26,
        9,
        "Hospital stay to medically fit\n"
        f"{pct(hosp.short_stay_share)} short (<1 d), else lognormal\n"
        f"mean {num(hosp.mean_length_of_stay_days)} d; {pct(hosp.in_hospital_mortality)} die in hospital",
    )
    c.box(
        "needs",
        93,
        24,
        26,
        8,
        "Discharge needs\n"
        f"home care {pct(needs.home_care)} · intermediate {pct(needs.intermediate_care)}\n"
        f"care home {pct(needs.residential_care)} · otherwise none",
    )
    c.box(
        "sw",
        93,
        11,
        26,
        9,
        f"Social-work assessments: {sv.social_work.assessments_per_referral} per referral,\n"
        f"{hours_text(sv.social_work.hours)}, then wait for\n"
        "a place (in hospital: delayed discharge)",
    )
    c.box(
        "place",
        93,
        -1,
        26,
        8,
        "Home-care package · intermediate\n"
        f"care (mean {num(sv.intermediate_care.mean_stay_days)} d) · care home (for life)",
    )

    # crisis routing
    c.arrow([c.at("crisis", "right", 0.75), c.at("gp", "left", 0.35)], label="in hours", where=(40.0, 50.2))
    c.arrow([c.at("crisis", "right", 0.25), c.at("ae", "left", 0.8)], label="out of hours", where=(39.5, 44.5))
    c.arrow(
        [c.at("gp", "bottom", 0.3), c.at("ae", "top", 0.3)],
        label=f"not seen in {num(sv.gp.max_wait_hours)} h",
        where=(48, 43.2),
    )
    c.arrow(
        [c.at("gp", "right", 0.8), c.at("managed", "left", 0.35)],
        label=f"{pct(1 - sv.gp.admission_probability)}",
        where=(66.6, 57.6),
    )
    c.arrow(
        [c.at("gp", "right", 0.25), c.at("admit", "left", 0.8)],
        label=f"{pct(sv.gp.admission_probability)}",
        where=(66.6, 45.6),
    )
    c.arrow(
        [c.at("ae", "right", 0.7), c.at("admit", "left", 0.25)],
        label=f"{pct(sv.ae.admission_probability)} of crises",
        where=(65.6, 35.4),
    )
    c.box("home_end", 77, 25.5, 9, 4, "Home", kind="end", weight="bold")
    c.arrow(
        [c.at("ae", "right", 0.25), (65.0, 32.25), (65.0, 27.5), c.at("home_end", "left")],
        label="not admitted",
        where=(70.8, 27.5),
    )
    c.arrow([c.at("needs", "left", 0.5), c.at("home_end", "right")], label="none", where=(89.6, 29.4))
    # falls and social crises
    c.arrow([c.at("fall", "right", 0.5), c.at("ae", "left", 0.5)])
    c.label(
        (30.0, 33.6),
        f"{pct(ev.fall_ae_probability + ev.fall_admission_probability)} to A&E "
        f"({pct(ev.fall_admission_probability)} admitted);\n"
        f"{pct(1 - ev.fall_ae_probability - ev.fall_admission_probability)} no contact",
        size=FONT - 1.5,
    )
    c.arrow([c.at("social", "right", 0.75), (46.0, 28.5), c.at("ae", "bottom", 0.2)])
    c.label(
        (30.0, 21.6),
        f"out of hours: A&E ({pct(ev.social_admission_probability)} admitted);\nin hours: GP, then home-care referral",
        size=FONT - 1.5,
    )
    # community route to care: social crisis in hours and decline
    c.arrow([c.at("social", "right", 0.25), (40.0, 25.5), (40.0, 15.0), c.at("sw", "left", 0.45)])
    c.arrow([c.at("decline", "right", 0.5), (40.0, 15.0)])
    c.label(
        (66.0, 17.6),
        "community route: social crisis in hours (after a GP appointment) → home care;\n"
        "decline → home care, or for those already dependent a care home "
        f"({pct(ev.residential_on_decline_probability)})",
        size=FONT - 1.5,
    )
    # hospital and discharge
    c.arrow([c.at("admit", "right"), c.at("stay", "left", 0.6)])
    c.arrow([c.at("stay", "bottom"), c.at("needs", "top")], label="medically fit", where=(106, 34.2))
    c.arrow([c.at("needs", "bottom"), c.at("sw", "top")], label="needs care", where=(106, 21.5))
    c.arrow([c.at("sw", "bottom"), c.at("place", "top")])
    # back home
    c.arrow(
        [c.at("place", "left", 0.275), (9.5, 1.2), c.at("home", "bottom", 0.5)],
        label=f"home (crisis rate ×{num(ev.readmission_rate_ratio)} for {num(ev.readmission_window_days)} days "
        "after hospital or intermediate care)",
        where=(55, 1.2),
    )

    # integrated arm: where the coordinator steps in
    c.arrow(
        [c.at("crisis", "top", 0.5), (30.0, 65.25), c.at("coord", "left", 0.5)],
        kind="int",
        label="enrolled",
        where=(35.5, 65.25),
    )
    c.arrow(
        [c.at("coord", "bottom", 0.5), c.at("gp", "top", 0.5)],
        kind="int",
        label="not resolved: usual care",
        where=(52, 59.8),
    )
    c.arrow(
        [c.at("coord", "right", 0.7), (78.5, 66.8), c.at("managed", "top", 0.5)],
        kind="int",
        label="managed at home",
        where=(72, 66.8),
    )
    c.arrow(
        [c.at("coord", "right", 0.25), (64.6, 63.6), (64.6, 44.0), (68.6, 44.0)],
        kind="int",
        color=RAISES,
        label="escalated ↑",
        where=(64.9, 51.2),
        ha="left",
    )
    c.badges("coord", [3, 1])
    c.badges("home", [10, 5, 4, 2])
    c.badges("fall", [5])
    c.badges("social", [4])
    c.badges("decline", [8])
    c.badges("needs", [8])
    c.badges("sw", [11, 7, 6])
    c.badges("admit", [9])
    c.badges("crisis", [12])
    c.badges("home_end", [13])


# --- panel B: the integrated arm -------------------------------------------------------------
def who(spec) -> str:
    """Whom a mechanism with ``applies_to`` acts on."""
    return "everyone in a live locality" if getattr(spec, "applies_to", "enrolled") == "everyone" else "enrolled"


def mechanism_texts(s: Scenario, m) -> list[tuple[str, str, str, bool]]:
    """(key, title, body, raises admissions) for the thirteen mechanisms, numbered in this order."""
    d = {name: m.active(name) or DEFAULTS[name]() for name in DEFAULTS}
    pv, mr, rr, nv, fe = (
        d[k] for k in ("proactive_visits", "medication_review", "rapid_response", "night_visits", "falls_equipment")
    )
    dp, sa, hc, cf = (d[k] for k in ("discharge_planning", "shared_assessment", "home_care_first", "case_finding"))
    ch, jr, eol = d["care_home_support"], d["joint_retraining"], d["end_of_life_care"]
    fu = d["post_discharge_follow_up"]
    nursing = hours_text(s.services.community_nursing.hours)
    return [
        (
            "proactive_visits",
            f"Proactive visits every {num(pv.interval_days)} d",
            f"nurse, {num(pv.visit_minutes)} min. A crisis ≤{num(pv.detection_window_days)} d after a visit\n"
            f"is detected {pct(pv.sensitivity)}: would-be admissions kept at\n"
            f"home {pct(pv.prevented_fraction)}; others: {pct(pv.resolves_minor_crisis_probability)} resolved\n"
            f"by the nurse, {pct(pv.escalation_probability)} escalated to hospital",
            True,
        ),
        (
            "medication_review",
            "Medication review, self-management",
            f"crisis rate ×{num(mr.crisis_rate_ratio)}, ramped in monthly steps from\n"
            f"day {num(mr.onset_days)} to day {num(mr.full_effect_days)} of the plan; GP {num(mr.review_hours)} h;\n"
            f"{mr.self_management_sessions} weekly nurse sessions of {num(mr.session_minutes)} min",
            False,
        ),
        (
            "rapid_response",
            "Rapid response",
            f"crisis not detected at a visit: a nurse\nwithin {num(rr.max_response_hours)} h ({nursing}) "
            f"avoids\n{pct(rr.avoidance_probability)} of would-be admissions and\n"
            f"resolves {pct(rr.resolves_minor_crisis_probability)} of other crises",
            False,
        ),
        (
            "night_visits",
            "Night visits",
            f"patients anxious at night: social-crisis\nrate ×{num(nv.social_crisis_rate_ratio)}; "
            f"{num(nv.visits_per_week)} × {num(nv.visit_minutes)} min a week\n(home-care hours, no capacity used)",
            False,
        ),
        (
            "falls_equipment",
            "Falls equipment",
            f"fall rate ×{num(fe.fall_rate_ratio)} from day {num(fe.install_delay_days)} of the plan;\n"
            f"social-work assessment {num(fe.assessment_hours)} h;\n£{num(fe.equipment_cost)} of equipment each",
            False,
        ),
        (
            "discharge_planning",
            "Discharge planned ahead",
            ("assessment starts on admission\n" if dp.plan_ahead else "")
            + ("seven-day social work\n" if dp.seven_day else "")
            + f"(for: {who(dp)})",
            False,
        ),
        (
            "shared_assessment",
            "Shared assessment",
            f"{sa.assessments_per_referral or s.services.social_work.assessments_per_referral} assessment per "
            "referral instead of\n"
            f"{s.services.social_work.assessments_per_referral} (hospital and community routes)\n(for: {who(sa)})",
            False,
        ),
        (
            "home_care_first",
            "Home care first",
            f"care-home placements ×{num(hc.residential_ratio)} (discharge\nand decline); those kept at home get\n"
            f"+{num(hc.extra_hours_per_week)} h home care a week",
            False,
        ),
        (
            "case_finding",
            "Case finding at plan start",
            f"{pct(cf.admission_probability)} admitted for needs found;\n"
            f"{pct(cf.home_care_referral_probability)} referred for home care",
            True,
        ),
        (
            "care_home_support",
            "Care-home support (system-wide)",
            f"residents' crisis rate ×{num(ch.crisis_rate_ratio)} once live;\n"
            f"team time {num(ch.staff_minutes_per_resident_week)} min per resident a week",
            False,
        ),
        (
            "joint_retraining",
            "Joint retraining (system-wide)",
            f"referral delays ×{num(jr.referral_delay_ratio)}, assessment time\n"
            f"×{num(jr.assessment_hours_ratio)} once live; "
            f"{jr.staff_trained_per_locality} staff × {num(jr.training_hours_per_staff)} h\nper locality at go-live",
            False,
        ),
        (
            "end_of_life_care",
            "End-of-life care at home",
            f"crisis of a patient whose estimated 12-month\nmortality ≥{pct(eol.recognition_threshold)}: "
            f"{pct(eol.avoidance_probability)} kept\n"
            f"at home with a {num(eol.visit_minutes)}-min palliative\nnurse visit (for: {who(eol)})",
            False,
        ),
        (
            "post_discharge_follow_up",
            "Follow-up after discharge",
            f"nurse visit {num(fu.within_days)} d after getting home\n({num(fu.visit_minutes)} min, "
            f"while the window lasts): crisis\nrate ×{num(fu.readmission_rate_ratio)} for the rest of the "
            f"{num(s.cohort.events.readmission_window_days)}-d\nreadmission window (for: {who(fu)})",
            False,
        ),
    ]


def panel_integrated(c: Canvas, s: Scenario) -> None:
    arm = integrated_arm(s)
    m = arm.mechanisms
    en = m.active("enrolment") or arms.EnrolmentSpec()
    coords = en.coordinators if isinstance(en.coordinators, int) else "per-locality"
    tiers = ", ".join(en.eligible_tiers) if en.eligible_tiers else "every tier"
    window = "year" if en.lookback_days == 365 else f"{en.lookback_days:g} days"
    prior = f";\n≥{en.admissions_needed} admissions in the past {window}" if en.admissions_needed else ""
    kind = "int" if m.active("enrolment") else "off"

    c.box("golive", 1, 32.5, 17, 8, "Locality goes live\n(go_live date; default:\nend of the warm-up)", kind="int")
    c.box(
        "wait",
        23,
        31.5,
        30,
        10,
        f"Waiting list ({tiers}{prior})\n"
        "highest risk first: tier's admission rate\n+ own admissions in the past year\n"
        "(also joins on arrival or admission)",
        kind=kind,
    )
    c.box(
        "enrol",
        58,
        31.5,
        25,
        10,
        f"Enrolled: {coords} coordinators × {en.caseload}\nplaces a locality; first (shared)\n"
        f"assessment {num(en.initial_assessment_hours)} h; kept until death\nor a care-home move",
        kind=kind,
    )
    c.box(
        "mdt",
        88,
        31.5,
        31,
        10,
        f"MDT care plan at the next meeting\n({num(en.mdt_interval_days)}-day cycle from go-live; "
        f"{en.mdt_attendees} attend,\n{num(en.mdt_minutes_per_patient)} min each); "
        f"reviewed every {num(en.review_interval_days)} d.\nThe mechanisms start:",
        kind=kind,
        weight="bold",
    )
    c.arrow([c.at("golive", "right"), c.at("wait", "left")], kind="int")
    c.arrow([c.at("wait", "right"), c.at("enrol", "left")], kind="int", label="place\nfree", where=(55.5, 33.8))
    c.arrow([c.at("enrol", "right"), c.at("mdt", "left")], kind="int")
    c.arrow([c.at("mdt", "bottom", 0.5), (103.5, 30.5)], kind="int")

    h, w, gap = 8.8, 28.9, 1.0
    for i, (key, title, body, raises) in enumerate(mechanism_texts(s, m)):
        x = 1 + (i % 4) * (w + gap)
        y = 20.5 - (i // 4) * (h + 1.6)
        on = m.active(key) is not None
        c.box(key, x, y, w, h, "", kind="int" if on else "off")
        c.ax.text(x + 1.7, y + h - 1.0, title, ha="left", va="center", fontsize=FONT, fontweight="bold", zorder=3)
        c.ax.text(x + 0.8, y + h - 2.1, body, ha="left", va="top", fontsize=FONT - 0.5, zorder=3, linespacing=1.3)
        c.badges(key, [i + 1], corner="top-left")
        if raises:
            c.label((x + w - 0.3, y + 0.9), "↑ admissions", color=RAISES, ha="right", size=FONT - 1)
        if not on:
            c.label(
                (x + w - 0.3, y + 0.9), "off in this arm: defaults shown", color="#666666", ha="right", size=FONT - 1.5
            )


def legend(ax) -> None:
    """Colour key, top left of panel A."""
    x, y = 1.0, 62.5
    rows = [("base", "both arms (separate services)"), ("int", "integrated arm only")]
    for i, (kind, text) in enumerate(rows):
        st = STYLE[kind]
        ax.add_patch(
            FancyBboxPatch(
                (x, y + 4.6 - 2.3 * i),
                2.6,
                1.4,
                boxstyle="round,pad=0.1",
                fc=st["face"],
                ec=st["edge"],
                ls=st["ls"],
                zorder=4,
            )
        )
        ax.text(x + 3.4, y + 5.3 - 2.3 * i, text, va="center", fontsize=FONT - 1)
    ax.text(
        x + 1.3,
        y + 0.7,
        "n",
        ha="center",
        va="center",
        fontsize=FONT - 1.5,
        fontweight="bold",
        color="white",
        zorder=5,
        bbox={"boxstyle": "circle,pad=0.25", "facecolor": "#d9480f", "edgecolor": "white"},
    )
    ax.text(x + 3.4, y + 0.7, "integrated mechanism n (panel B) acts here", va="center", fontsize=FONT - 1)


def draw(scenario: Scenario, out: Path) -> None:
    fig = plt.figure(figsize=(22, 23.8))
    ax_a = fig.add_axes((0.01, 0.454, 0.98, 0.515))
    ax_b = fig.add_axes((0.01, 0.005, 0.98, 0.405))
    for ax in (ax_a, ax_b):
        ax.set_axis_off()
    ax_a.set_xlim(0, 120.5)
    ax_a.set_ylim(-2.5, 70)
    ax_b.set_xlim(0, 120.5)
    ax_b.set_ylim(-12.0, 42.5)
    arm = integrated_arm(scenario)
    fig.text(
        0.01,
        0.988,
        f"A. Baseline: separate services — one patient's pathways ({scenario.name})",
        fontsize=FONT + 4,
        fontweight="bold",
        va="top",
    )
    fig.text(
        0.01,
        0.428,
        f"B. Integrated arm '{arm.name}' (effects: {arm.effects or 'schema defaults'}): "
        "enrolment, care plan and mechanisms (numbers as in panel A)",
        fontsize=FONT + 4,
        fontweight="bold",
        va="top",
    )
    canvas = Canvas(ax_a)
    panel_baseline(canvas, scenario)
    legend(ax_a)
    panel_integrated(Canvas(ax_b), scenario)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110, metadata={"Software": None}, facecolor="white")
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    draw(load_scenario(args.scenario), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
