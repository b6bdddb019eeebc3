"""An experiment file says which outcomes its report leads with (``lead_outcomes``): validated, and the
generator of docs/experiments.md puts them first in the section's table and remarks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carecoord.errors import ScenarioError
from carecoord.scenario.experiment import load_experiment
from experiments.report_experiments import OUTCOMES, markdown_table, point_rows, remarks, splice

ROOT = Path(__file__).resolve().parents[2]
BASE = "name: e\nscenario: tiny.yaml\nreplications: 2\n{lead}design:\n  type: grid\n  parameters: {{a: [1, 2]}}\n"


def _file(tmp_path: Path, lead: str) -> Path:
    path = tmp_path / "e.yaml"
    path.write_text(BASE.format(lead=lead))
    return path


def test_default_leads_with_admissions(tmp_path: Path) -> None:
    assert load_experiment(_file(tmp_path, "")).lead_outcomes == ["admissions_avoided"]


def test_seven_day_social_work_leads_with_delayed_discharges() -> None:
    spec = load_experiment(ROOT / "experiments" / "seven_day_social_work.yaml")
    assert spec.lead_outcomes == ["delayed_discharge_days", "bed_days"]


@pytest.mark.parametrize(
    ("lead", "message"),
    [
        ("lead_outcomes: [beds]\n", r"lead_outcomes\.0: Input should be 'admissions_avoided', .* \(line 4\)"),
        ("lead_outcomes: []\n", r"lead_outcomes: List should have at least 1 item .*\(line 4\)"),
        ("lead_outcomes: [bed_days, bed_days]\n", r"lead_outcomes names bed_days more than once"),
    ],
)
def test_bad_lead_outcomes_name_the_field_and_line(tmp_path: Path, lead: str, message: str) -> None:
    path = _file(tmp_path, lead)
    with pytest.raises(ScenarioError, match=message):
        load_experiment(path)


def _summary() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two points of one arm: the second clearly fewer delayed days than the first, admissions the same."""
    rows = []
    figures = {  # metric: (point 0 value, point 1 value, CI half-width of the difference from point 0)
        "patients_enrolled": (100.0, 100.0, 0.0),
        "admissions_avoided": (-5.0, -5.1, 0.5),
        "bed_days": (10.0, 2.0, 20.0),
        "delayed_discharge_days": (-80.0, -95.0, 5.0),
        "cost_total": (1000.0, 1100.0, 10.0),
    }
    for point in (0, 1):
        for metric, (v0, v1, half) in figures.items():
            value = (v0, v1)[point]
            diff = value - v0
            rows.append(
                {
                    "point": point,
                    "arm": "integrated",
                    "metric": metric,
                    "mean": value,
                    "ci_low": value - 1,
                    "ci_high": value + 1,
                    "diff_vs_baseline": value,
                    "diff_ci_low": value - 1,
                    "diff_ci_high": value + 1,
                    "diff_vs_first_point": diff,
                    "first_point_ci_low": diff - half if point else 0.0,
                    "first_point_ci_high": diff + half if point else 0.0,
                }
            )
    points = pd.DataFrame({"point": [0, 1], "label": ["seven_day=True", "seven_day=False"]})
    return pd.DataFrame(rows), points


def test_table_and_remarks_lead_with_the_files_outcomes() -> None:
    summary, points = _summary()
    rows = point_rows(summary, points, "integrated")
    lead = ["delayed_discharge_days", "bed_days"]
    header = markdown_table(rows, "seven_day=True", lead)[0]
    columns = [c.strip() for c in header.strip("|").split("|")]
    assert columns[2:4] == [OUTCOMES["delayed_discharge_days"].heading, OUTCOMES["bed_days"].heading]
    assert columns[-1] == "delayed discharge days vs seven_day=True"
    said = remarks(rows, "seven_day=True", lead)
    assert said[0].startswith("Fewest delayed discharge days vs baseline at **seven_day=False**")
    assert said[1] == (
        "Paired differences from seven_day=True in delayed discharge days whose 95% CI excludes zero: "
        "seven_day=False (-15.0)."
    )
    assert "cannot tell the points apart on bed days" in said[3]
    assert any("cannot tell the points apart on admissions avoided" in r for r in said[4:])


def test_default_table_keeps_the_usual_columns() -> None:
    summary, points = _summary()
    rows = point_rows(summary, points, "integrated")
    table = markdown_table(rows, "seven_day=True")
    assert table[0] == (
        "| point | enrolled | admissions avoided | bed days vs baseline | delayed discharge days vs baseline "
        "| net cost vs baseline (GBP) | admissions avoided vs seven_day=True |"
    )
    assert table[3] == (
        "| seven_day=False | 100 | -5.1 [-6.1, -4.1] | +2 [+1, +3] | -95 [-96, -94] | +1,100 [+1,099, +1,101] "
        "| -0.1 [-0.6, +0.4] |"
    )
    assert np.isclose(rows.loc[1, "admissions_avoided_vs_first"], -0.1)


def test_splice_replaces_one_section_only() -> None:
    text = "# title\n\nintro\n\n## a\n\nold a\n\n## b\n\nold b\n"
    assert splice(text, "a", ["## a", "", "new a", ""]) == "# title\n\nintro\n\n## a\n\nnew a\n\n## b\n\nold b\n"
    assert splice(text, "b", ["## b", "", "new b", ""]) == "# title\n\nintro\n\n## a\n\nold a\n\n## b\n\nnew b\n"
    assert splice(text, "c", ["## c", "", "c", ""]).endswith("old b\n\n## c\n\nc\n")
