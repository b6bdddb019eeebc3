"""Run the studies' settings and compute every outcome they report, as rows of the validation tables.

Each distinct run (a setting, the kind of run, the arms) is run once, whatever the number of studies and
outcomes that read it; seeds are the scenarios' own, so the rows are the same at every rerun.

Example:
    >>> report = run_studies(load_studies(Path("experiments/studies")), replications={"at_risk": 2}, workers=1)
    >>> report.rows[0].model
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from carecoord.errors import ScenarioError
from carecoord.experiment import default_workers, run_experiment
from carecoord.validation.configure import configure
from carecoord.validation.enrolment import enrolment_tables
from carecoord.validation.outcomes import COMPUTATIONS, Estimate
from carecoord.validation.study import Outcome, Published, Setting, Study, StudyError
from carecoord.validation.verdicts import VERDICTS

RunKey = tuple[str, str, tuple[str, ...] | None]
"""(setting key, run kind, arms or None for all the setting's arms)."""


@dataclass(frozen=True)
class Row:
    """One comparison of a published emergency-admissions figure with the model's (the results table)."""

    study: str
    measure: str
    unit: str  # "pct", "per_patient", "per_patient_month" or "ratio"
    published: float | None
    published_low: float | None
    published_high: float | None
    model: float
    low: float
    high: float
    verdict: str
    setting: str
    context: bool = False  # a row shown for comparison, not a validation check
    published_text: str | None = None  # the published figure in words, where it is not one number


@dataclass(frozen=True)
class OutcomeRow:
    """One outcome a study reports (the table of every outcome): compared where the model produces it."""

    study: str
    outcome: str
    published: str
    model: Estimate | None  # None: not modelled
    unit: str  # as Row.unit, or "days"
    verdict: str
    source: str  # "independent", or why the comparison is circular; "-" where not modelled
    setting: str = "-"


@dataclass
class StudyReport:
    """Everything the validation document shows about the studies."""

    studies: list[Study]
    settings: list[Setting]
    replications: dict[str, int]
    rows: list[Row] = field(default_factory=list)
    outcomes: list[OutcomeRow] = field(default_factory=list)


def settings_of(studies: Sequence[Study]) -> list[Setting]:
    """The distinct settings, in the order the studies first use them; one key, one configuration."""
    found: dict[str, Setting] = {}
    for study in studies:
        setting = study.resolved_setting
        if setting is None:
            continue
        if setting.key in found and found[setting.key] != setting:
            raise StudyError(study.study, [f"setting: '{setting.key}' is configured differently in another study"])
        found.setdefault(setting.key, setting)
    return list(found.values())


def run_studies(
    studies: Sequence[Study],
    replications: Mapping[str, int] | None = None,
    workers: int | None = None,
    scale: float | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> StudyReport:
    """Run every setting the studies use (each run once) and compute every outcome.

    Args:
        studies: loaded study files, in table order.
        replications: per setting key (default: each setting's own).
        workers: processes per run (default: every core, up to the replications).
        scale: multiplies every setting's cohorts, incidence, capacities and caseloads instead of its own
            scale (tests use it to shrink the settings).
        say: progress messages.
    """
    settings = settings_of(studies)
    reps = {s.key: (replications or {}).get(s.key, s.replications) for s in settings}
    by_key = {s.key: s for s in settings}
    runs: dict[RunKey, Any] = {}
    for key in _run_keys(studies):
        setting, kind, arms = by_key[key[0]], key[1], key[2]
        n = reps[setting.key]
        say(f"{setting.key}: {kind} run, {n} replications" + (f" ({', '.join(arms)})" if arms else ""))
        try:
            scenario = configure(setting, scale=scale, arms=arms)
        except ScenarioError as exc:
            raise StudyError(str(setting.scenario), [f"setting {setting.key}: {p}" for p in exc.problems]) from None
        w = min(workers or default_workers(n), n)
        if kind == "experiment":
            runs[key] = run_experiment(scenario, n, w)
        else:
            runs[key] = enrolment_tables(scenario, n, w, setting.cohort_follow_up_days)
    report = StudyReport(list(studies), settings, reps)
    for study in studies:
        rows, outcomes = study_rows(study, runs)
        report.rows += rows
        report.outcomes += outcomes
    return report


def _run_key(setting: Setting, outcome: Outcome) -> RunKey:
    assert outcome.compute is not None
    arms = tuple(outcome.compute.arms) if outcome.compute.arms is not None else None
    return (setting.key, outcome.compute.run, arms)


def _run_keys(studies: Sequence[Study]) -> list[RunKey]:
    keys: dict[RunKey, None] = {}
    for study in studies:
        setting = study.resolved_setting
        for outcome in study.outcomes:
            if setting is not None and outcome.compute is not None:
                keys.setdefault(_run_key(setting, outcome))
    return list(keys)


def estimate(outcome: Outcome, run: Any) -> Estimate:
    """The model's mean and 95% CI for one outcome, from its run."""
    assert outcome.compute is not None
    spec = COMPUTATIONS[outcome.compute.name]
    return spec.function(run, spec.args.model_validate(outcome.compute.args))


def verdict(outcome: Outcome, model: Estimate) -> str:
    assert outcome.verdict is not None
    spec = VERDICTS[outcome.verdict.rule]
    return spec.function(model, outcome.published, spec.args.model_validate(outcome.verdict.args))


def study_rows(study: Study, runs: Mapping[RunKey, Any]) -> tuple[list[Row], list[OutcomeRow]]:
    """The study's admissions rows, and its rows of the table of every outcome: the admissions rows that are
    checks, then its other computed outcomes, then those the model cannot produce."""
    setting = study.resolved_setting
    rows: list[Row] = []
    admissions: list[OutcomeRow] = []
    others: list[OutcomeRow] = []
    missing: list[OutcomeRow] = []
    for outcome in study.outcomes:
        source = outcome.circularity or study.circularity
        published = published_text(outcome.published, outcome.unit)
        if outcome.compute is None:
            why = f"not modelled: {outcome.not_modelled}"
            missing.append(OutcomeRow(study.study, outcome.measure, published, None, "pct", why, "-"))
            continue
        assert setting is not None
        model = estimate(outcome, runs[_run_key(setting, outcome)])
        said = verdict(outcome, model)
        entry = OutcomeRow(study.study, outcome.measure, published, model, outcome.unit, said, source, setting.key)
        if outcome.table == "admissions":
            p = outcome.published
            m, lo, hi = model
            rows.append(
                Row(
                    study=study.study,
                    measure=outcome.measure,
                    unit=outcome.unit,
                    published=p.value,
                    published_low=p.low,
                    published_high=p.high,
                    model=m,
                    low=lo,
                    high=hi,
                    verdict=said,
                    setting=setting.key,
                    context=outcome.context,
                    published_text=p.text,
                )
            )
            if not outcome.context:
                admissions.append(entry)
        else:
            others.append(entry)
    return rows, admissions + others + missing


def fmt(value: float | None, unit: str) -> str:
    """A figure as the tables show it, by unit."""
    if value is None or value != value:  # None or NaN
        return "-"
    if unit == "pct":
        return f"{value:+.1f}%"
    if unit == "per_patient":
        return f"{value:+.3f}"
    if unit == "per_patient_month":
        return f"{value:+.4f}"
    return f"{value:.2f}"


def published_text(published: Published, unit: str) -> str:
    """The published figure as the tables show it: its words, or the number with its CI, or '-'."""
    if published.text is not None:
        return published.text
    if published.value is None:
        return "-"
    if published.low is None and published.high is None:
        return f"{fmt(published.value, unit)} (no CI)"
    return f"{fmt(published.value, unit)} [{fmt(published.low, unit)}, {fmt(published.high, unit)}]"
