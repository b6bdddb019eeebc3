"""Study files (``experiments/studies/``): every shipped file loads, mistakes are reported by file, field and
line, and a study runs end to end (issue 9, item 5: a researcher adds a study without writing Python)."""

from __future__ import annotations

import csv
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from carecoord.validation import load_studies, load_study, run_studies
from carecoord.validation.study import StudyError, load_setting

ROOT = Path(__file__).resolve().parents[2]
STUDIES = ROOT / "experiments" / "studies"
TINY = ROOT / "tests" / "data" / "studies" / "tiny_study.yaml"


def _references() -> set[str]:
    with (ROOT / "docs" / "references.csv").open(encoding="utf-8", newline="") as fh:
        return {row["key"] for row in csv.DictReader(fh)}


def test_every_study_file_loads_with_its_setting_and_references() -> None:
    """Each file in experiments/studies/ validates, names an existing scenario and cites existing references;
    every shared setting is used by a study."""
    studies = load_studies(STUDIES, _references())
    assert len(studies) == len(list(STUDIES.glob("*.yaml")))
    used = {s.resolved_setting.key for s in studies if s.resolved_setting is not None}
    for path in (STUDIES / "settings").glob("*.yaml"):
        setting = load_setting(path)
        assert setting.key == path.stem
        assert setting.scenario_path.is_file(), setting.scenario
        assert setting.key in used, f"{path.name} is used by no study"


def test_the_document_reports_exactly_the_studies_in_the_files() -> None:
    """The table of every outcome in docs/validation.md lists the studies of the files, no more, no fewer
    (the document is regenerated from the files)."""
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- validation:outcomes:begin -->(.*?)<!-- validation:outcomes:end -->", text, re.S)
    assert block is not None
    reported = {line.split(" | ")[0].removeprefix("| ") for line in block.group(1).strip().splitlines()[2:]}
    assert reported == {s.study for s in load_studies(STUDIES)}


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("  - measure: admissions per person", "  - mesure: admissions per person", "outcomes.0.mesure: unknown field"),
        ("{name: before_after, args", "{name: before_afterr, args", "outcomes.0.compute.name: unknown computation"),
        ("metric: emergency_admissions, months: 6}", "metric: emergency_admissions, months: 0}", "compute.args.months"),
        ("  replications: 2", "  replications: 1", "setting.replications: Input should be greater than or equal to 2"),
        ("{rule: inside_ci}", "{rule: inside_cl}", "outcomes.0.verdict.rule: unknown rule 'inside_cl'; did you mean"),
        (
            "args: {subset: all}",
            "args: {subset: all, arm: integrated_x}",
            "outcomes.1.compute.args.arm: 'integrated_x'",
        ),
    ],
)
def test_a_mistake_is_reported_with_file_field_and_line(tmp_path: Path, old: str, new: str, problem: str) -> None:
    """A typo in a field, a computation, an argument, a rule or an arm names the file, the field and the line."""
    text = TINY.read_text(encoding="utf-8")
    assert old in text
    bad = text.replace(old, new, 1)
    (tmp_path / "studies").mkdir()
    (tmp_path / "tiny.yaml").write_text((TINY.parent.parent / "tiny.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "studies" / "bad_study.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(StudyError) as caught:
        load_study(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert problem in message, message
    assert message.endswith(f"(line {_line_of(bad, new.strip())})"), message


def test_the_driver_refuses_a_bad_study_with_status_2_and_no_traceback(tmp_path: Path) -> None:
    """experiments/validation.py prints the problem (file: field: what, line) and exits with status 2."""
    folder = tmp_path / "studies"
    folder.mkdir()
    (tmp_path / "tiny.yaml").write_text((TINY.parent.parent / "tiny.yaml").read_text(encoding="utf-8"))
    text = TINY.read_text(encoding="utf-8").replace("  - measure: patient satisfaction", "  - measur: x", 1)
    (folder / "bad.yaml").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / "validation.py"), "--studies", str(folder), "--no-write"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{folder / 'bad.yaml'}: outcomes.8.measur: unknown field" in done.stderr


def test_a_tiny_study_runs_end_to_end_and_gives_finite_rows() -> None:
    """The tiny scenario as a study's population (its setting written in the study file), 2 replications:
    every computed outcome is a finite mean and CI with a verdict; the one not modelled says so."""
    study = load_study(TINY)
    report = run_studies([study], workers=1)
    assert report.replications == {"tiny": 2}
    assert [r.measure for r in report.rows] == [o.measure for o in study.outcomes if o.table == "admissions"]
    assert len(report.outcomes) == len(study.outcomes)
    for row in report.rows:
        assert all(math.isfinite(v) for v in (row.model, row.low, row.high)), row
        assert row.low <= row.model <= row.high, row
    for outcome in report.outcomes:
        if outcome.model is None:
            assert outcome.verdict == "not modelled: no patient-reported outcomes"
        else:
            assert all(math.isfinite(v) for v in outcome.model), outcome
            assert outcome.verdict, outcome


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def test_published_figures_are_the_ones_in_references_csv() -> None:
    """Where an outcome cites a row of docs/references.csv and gives a number, the number (and CI) is that
    row's; a row holding a planned fractional reduction is compared as a % change (-100 x the fraction)."""
    with (ROOT / "docs" / "references.csv").open(encoding="utf-8", newline="") as fh:
        rows = {row["key"]: row for row in csv.DictReader(fh)}
    compared = 0
    for study in load_studies(STUDIES):
        for outcome in study.outcomes:
            published = outcome.published
            if published.ref is None or published.value is None or _number(rows[published.ref]["value"]) is None:
                continue
            row = rows[published.ref]
            factor = -100.0 if "fractional reduction" in row["unit"] else 1.0
            assert published.value == pytest.approx(factor * float(row["value"])), (study.study, outcome.measure)
            for mine, theirs in ((published.low, row["low"]), (published.high, row["high"])):
                if _number(theirs) is not None:
                    assert mine == pytest.approx(float(theirs)), (study.study, outcome.measure)
            compared += 1
    assert compared >= 10
