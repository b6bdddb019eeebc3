"""The validation document's study tables (markdown) and the forest plot.

Example:
    >>> text = replace_block(text, "results", results_table(report.rows))
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from carecoord.validation.runner import OutcomeRow, Row, StudyReport, fmt


def results_table(rows: Sequence[Row]) -> str:
    """Emergency admissions, published and model, study by study."""
    lines = [
        "| study | measure | published [95% CI] | model mean [95% CI across replications] | agrees? | setting |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r.published_text is not None:
            published = r.published_text
        elif r.published is None:
            published = "-"
        elif r.published_low is None and r.published_high is None:
            published = f"{fmt(r.published, r.unit)} (no CI)"
        else:
            published = f"{fmt(r.published, r.unit)} [{fmt(r.published_low, r.unit)}, {fmt(r.published_high, r.unit)}]"
        model = f"{fmt(r.model, r.unit)} [{fmt(r.low, r.unit)}, {fmt(r.high, r.unit)}]"
        study = f"*{r.study}*" if r.context else r.study
        lines.append(f"| {study} | {r.measure} | {published} | {model} | {r.verdict} | `{r.setting}` |")
    return "\n".join(lines)


def _fmt_model(model: tuple[float, float, float] | None, unit: str) -> str:
    if model is None:
        return "not modelled"
    m, lo, hi = model
    if unit == "days":
        return f"{m:+.2f} [{lo:+.2f}, {hi:+.2f}] days"
    return f"{fmt(m, unit)} [{fmt(lo, unit)}, {fmt(hi, unit)}]"


def outcomes_table(outcomes: Sequence[OutcomeRow]) -> str:
    """Every outcome each study reports, with whether the comparison is independent."""
    lines = [
        "| study | outcome | published | model mean [95% CI] | agrees? | value chosen from this study? | setting |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        setting = "-" if o.setting == "-" else f"`{o.setting}`"
        lines.append(
            f"| {o.study} | {o.outcome} | {o.published} | {_fmt_model(o.model, o.unit)} | {o.verdict} | {o.source} | "
            f"{setting} |"
        )
    return "\n".join(lines)


def settings_table(report: StudyReport, root: Path) -> str:
    """How each setting is configured, with the studies that use it, then the overrides exactly as applied."""
    lines = [
        "| setting | studies | scenario | population | selection | intensity | follow-up | replications |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in report.settings:
        users = "; ".join(st.short for st in report.studies if st.resolved_setting and st.resolved_setting.key == s.key)
        lines.append(
            f"| `{s.key}` | {users} | `{_relative(s.scenario, root)}` | {s.population} | {s.selection} | "
            f"{s.intervention} | {s.follow_up} | {report.replications[s.key]} |"
        )
    lines += ["", "The overrides, exactly as applied (`load_scenario(path, overrides=[...])`, then the arms kept):", ""]
    for s in report.settings:
        extra = []
        if s.tiers is not None:
            extra.append(f"tiers kept: {', '.join(s.tiers)} (shares renormalised, calibrated crisis rates kept)")
        if s.scale != 1.0:
            extra.append(f"cohorts, incidence, capacities and caseloads x {s.scale:g} (`scale_scenario`)")
        overrides = ", ".join(f"`{o}`" for o in s.overrides) or "no overrides"
        lines.append(f"- `{s.key}` (arms: {', '.join(s.arms)}): {overrides}" + "".join(f"; {e}" for e in extra))
    return "\n".join(lines)


def studies_list(report: StudyReport) -> str:
    """One line per study file: the study, its citation and link, its setting and its follow-up."""
    lines = []
    for st in report.studies:
        link = f"https://doi.org/{st.doi}" if st.doi else st.url
        setting = f"`{st.resolved_setting.key}`" if st.resolved_setting else "none (nothing modelled)"
        lines.append(f"- **{st.study}**: {st.citation} <{link}>. Setting {setting}; follow-up: {st.follow_up}.")
    return "\n".join(lines)


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


def replace_block(text: str, name: str, content: str, document: Path | str = "the document") -> str:
    """The text with the block between ``<!-- validation:NAME:begin -->`` and ``...:end -->`` replaced."""
    begin, end = f"<!-- validation:{name}:begin -->", f"<!-- validation:{name}:end -->"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{document}: missing the markers {begin} ... {end}")
    return pattern.sub(lambda _: f"{begin}\n{content}\n{end}", text, count=1)


def forest_plot(rows: Sequence[Row], path: Path) -> None:
    """Published effects and the model's, one panel per unit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    panels = [
        ("pct", "change in emergency admissions, %"),
        ("per_patient", "difference in admissions per person"),
        ("per_patient_month", "difference per patient per month"),
        ("ratio", "rate ratio (log scale)"),
    ]
    heights = [max(1, sum(r.unit == unit for r in rows)) for unit, _ in panels]
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(10, 1.2 + 0.42 * sum(heights) + 1.2), gridspec_kw={"height_ratios": heights}
    )
    for ax, (unit, xlabel) in zip(axes, panels, strict=True):
        block = [r for r in rows if r.unit == unit]
        labels = []
        for i, r in enumerate(block):
            y = len(block) - 1 - i
            labels.append((y, f"{r.study}\n{r.measure}"))
            if r.published is not None:
                lo = r.published if r.published_low is None else r.published_low
                hi = r.published if r.published_high is None else r.published_high
                ax.plot([lo, hi], [y + 0.15, y + 0.15], color="black", lw=1.5)
                face = "white" if r.study.startswith("Better Care Fund") else "black"  # a plan, not an outcome
                ax.plot(r.published, y + 0.15, marker="D", color="black", mfc=face, ms=6, ls="none")
            colour = "#9aa5b1" if r.context else "#d9480f"
            ax.plot([r.low, r.high], [y - 0.15, y - 0.15], color=colour, lw=2)
            ax.plot(r.model, y - 0.15, marker="o", color=colour, ms=6, ls="none")
        ax.axvline(1.0 if unit == "ratio" else 0.0, color="grey", lw=0.8, ls=":")
        if unit == "ratio":
            ax.set_xscale("log")
            ax.set_xticks([0.3, 0.5, 0.7, 1.0, 1.5])
            ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_yticks([y for y, _ in labels], [text for _, text in labels], fontsize=7)
        ax.set_ylim(-0.7, len(block) - 0.3)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
    handles = [
        plt.Line2D([], [], color="black", marker="D", label="published (line: 95% CI)"),
        plt.Line2D([], [], color="black", marker="D", mfc="white", ls="none", label="planned (BCF)"),
        plt.Line2D([], [], color="#d9480f", marker="o", label="model, evidence_based (95% CI across replications)"),
        plt.Line2D([], [], color="#9aa5b1", marker="o", label="model, for comparison (not a check)"),
    ]
    fig.legend(handles=handles, loc="upper center", ncol=4, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)
