"""Bad scenario files give one line per problem, ``FILE: field.path: what is wrong (line N)``.

A commissioner editing YAML must be told which field is wrong and where, without a traceback.
Expected line numbers are looked up in the test's own YAML text, never typed in by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from carecoord.errors import ScenarioError
from carecoord.scenario import load_scenario
from carecoord.scenario.arms import EnrolmentSpec
from carecoord.scenario.schema import LocalitySpec, SimulationSpec

BASE = """\
name: errors
simulation:
  start_date: 2014-04-01
  duration_days: 200
  warm_up_days: 50
  replications: 2
  seed: 1
localities:
  - name: east
    cohort_size: 50
  - name: west
    cohort_size: 40
cohort:
  tiers:
    - name: moderate
      share: 0.6
      emergency_admissions_per_person_year: 0.3
    - name: high
      share: 0.4
      emergency_admissions_per_person_year: 1.2
arms:
  - name: baseline
  - name: integrated
    mechanisms:
      enrolment:
        coordinators: 1
        eligible_tiers: [high]
      proactive_visits:
        sensitivity: 0.5
"""

PROBLEM = re.compile(r"^(?P<path>[^:]+): (?P<message>.*) \(line (?P<line>\d+)\)$")


def line_of(text: str, needle: str) -> int:
    """1-based number of the only line of ``text`` that contains ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


def edit(old: str, new: str, text: str = BASE) -> str:
    """``text`` with the one occurrence of ``old`` replaced."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def problems_of(tmp_path: Path, text: str, overrides: list[str] | None = None) -> tuple[Path, ScenarioError]:
    """Write ``text`` as a scenario, load it and return the error it must raise."""
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return path, info.value


def parse(problem: str) -> tuple[str, str, int]:
    """(path, message, line) of one ``field.path: message (line N)`` problem."""
    match = PROBLEM.match(problem)
    assert match, f"not 'field.path: message (line N)': {problem!r}"
    return match["path"], match["message"], int(match["line"])


def test_base_text_is_valid(tmp_path: Path) -> None:
    """The unedited text loads, so every error below comes from its one edit."""
    path = tmp_path / "ok.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert load_scenario(path).name == "errors"


def test_str_prefixes_every_problem_with_the_file(tmp_path: Path) -> None:
    """``str()`` is the problems, each prefixed by the file, so the CLI can print it as is."""
    text = edit("  seed: 1", "  seed: -1").replace("cohort_size: 40", "cohort_size: -4")
    path, err = problems_of(tmp_path, text)
    assert len(err.problems) == 2
    assert str(err).splitlines() == [f"{path}: {p}" for p in err.problems]


@pytest.mark.parametrize(
    ("old", "new", "field_path", "allowed"),
    [
        ("  seed: 1", "  seed: 1\n  sed: 3", "simulation.sed", list(SimulationSpec.model_fields)),
        (
            "    cohort_size: 40",
            "    cohort_size: 40\n    colour: red",
            "localities.1.colour",
            list(LocalitySpec.model_fields),
        ),
        (
            "        coordinators: 1",
            "        coordinators: 1\n        colour: red",
            "arms.1.mechanisms.enrolment.colour",
            list(EnrolmentSpec.model_fields),
        ),
    ],
    ids=["section", "list-item", "optional-mechanism"],
)
def test_unknown_key_lists_allowed_fields(
    tmp_path: Path, old: str, new: str, field_path: str, allowed: list[str]
) -> None:
    """A typo is an error that names the key, its line, and the fields allowed there."""
    text = edit(old, new)
    _, err = problems_of(tmp_path, text)
    assert len(err.problems) == 1
    path, message, line = parse(err.problems[0])
    assert path == field_path
    assert line == line_of(text, new.splitlines()[-1].strip())
    assert message.startswith("unknown field; ")
    assert message.split("; allowed: ")[1].split(", ") == allowed


def test_wrong_type(tmp_path: Path) -> None:
    """A word where a number belongs names the field, its line and the expected type."""
    text = edit("    cohort_size: 40", "    cohort_size: forty")
    _, err = problems_of(tmp_path, text)
    path, message, line = parse(err.problems[0])
    assert (path, line) == ("localities.1.cohort_size", line_of(text, "forty"))
    assert "integer" in message


def test_value_out_of_range(tmp_path: Path) -> None:
    """A probability above 1 names the field, its line and the bound."""
    text = edit("        sensitivity: 0.5", "        sensitivity: 1.5")
    _, err = problems_of(tmp_path, text)
    assert len(err.problems) == 1
    path, message, line = parse(err.problems[0])
    assert (path, line) == ("arms.1.mechanisms.proactive_visits.sensitivity", line_of(text, "sensitivity"))
    assert "less than or equal to 1" in message


def test_out_of_range_in_a_union_field_keeps_the_field_path(tmp_path: Path) -> None:
    """``coordinators`` is a number or a map: its errors still name ``...enrolment.coordinators``.

    Pydantic tags errors inside unions with the member's type (``int``, ``constrained-int``,
    ``dict[str,...]``); the user's field path must not contain those tags.
    """
    text = edit("        coordinators: 1", "        coordinators: -1")
    _, err = problems_of(tmp_path, text)
    for problem in err.problems:
        path, _, line = parse(problem)
        assert path == "arms.1.mechanisms.enrolment.coordinators", problem
        assert line == line_of(text, "coordinators: -1")


def test_missing_required_field(tmp_path: Path) -> None:
    """A missing required field is named, at the line of the item that lacks it."""
    text = edit("      emergency_admissions_per_person_year: 1.2\n", "")
    _, err = problems_of(tmp_path, text)
    path, message, line = parse(err.problems[0])
    assert path == "cohort.tiers.1.emergency_admissions_per_person_year"
    assert message == "required field is missing"
    assert line == line_of(text, "- name: high")


def test_tier_shares_must_add_up_to_one(tmp_path: Path) -> None:
    """Shares adding up to 0.9 are reported on the cohort (or its tiers), with the sum."""
    text = edit("      share: 0.4", "      share: 0.3")
    _, err = problems_of(tmp_path, text)
    path, message, line = parse(err.problems[0])
    assert path in {"cohort", "cohort.tiers"}
    assert line == line_of(text, "cohort:" if path == "cohort" else "  tiers:")
    assert "add up to 1" in message
    assert "0.9" in message


def test_no_baseline_arm(tmp_path: Path) -> None:
    """Without a 'baseline' arm the error names ``arms`` and points at the ``arms:`` line.

    The check runs on the whole scenario, but the line must still be that of the section it
    names, not line 1 (which is ``name:``).
    """
    text = edit("  - name: baseline", "  - name: usual_care")
    _, err = problems_of(tmp_path, text)
    path, message, line = parse(err.problems[0])
    assert path == "arms"
    assert "baseline" in message
    assert line == line_of(text, "arms:")


def test_unknown_tier_in_eligible_tiers(tmp_path: Path) -> None:
    """An unknown tier name is reported in ``arms``, at the arms section or the tier list line."""
    text = edit("[high]", "[hihg]")
    _, err = problems_of(tmp_path, text)
    path, message, line = parse(err.problems[0])
    assert path.startswith("arms")
    assert "hihg" in message
    assert "moderate" in message and "high" in message  # the tiers that do exist
    assert line in {line_of(text, "arms:"), line_of(text, "eligible_tiers")}


def test_yaml_syntax_error(tmp_path: Path) -> None:
    """Broken YAML is one problem with the parser's line, not a traceback."""
    text = edit("  seed: 1", "  seed: 1: 2")
    path, err = problems_of(tmp_path, text)
    assert len(err.problems) == 1
    assert err.problems[0].startswith("YAML syntax error: ")
    assert err.problems[0].endswith(f"(line {line_of(text, 'seed: 1: 2')})")
    assert str(err).startswith(f"{path}: YAML syntax error")


def test_invalid_date_is_a_scenario_error(tmp_path: Path) -> None:
    """A date that YAML recognises but the calendar rejects (month 13) is a ScenarioError.

    PyYAML raises a plain ValueError while building the date; it must still become a problem
    line pointing at the date, not escape as an exception.
    """
    text = edit("  start_date: 2014-04-01", "  start_date: 2014-13-01")
    _, err = problems_of(tmp_path, text)
    assert len(err.problems) == 1
    assert err.problems[0].startswith(("simulation.start_date:", "YAML"))
    assert err.problems[0].endswith(f"(line {line_of(text, '2014-13-01')})")


def test_file_not_found(tmp_path: Path) -> None:
    """A missing file is one problem naming the file."""
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(missing)
    assert info.value.problems == ["file not found"]
    assert str(info.value) == f"{missing}: file not found"


def test_missing_extends_parent(tmp_path: Path) -> None:
    """``extends:`` naming a missing file is reported in the child, at its ``extends:`` line."""
    text = "extends: parent.yaml\n" + BASE
    path = tmp_path / "child.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == (
        f"{path}: extends: 'parent.yaml' does not exist (looked for {tmp_path / 'parent.yaml'}) (line 1)"
    )


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            "arms.nosuch.mechanisms.enrolment.coordinators=2",
            "arms.nosuch: no list item 'nosuch' (from --set)",
        ),
        ("localities.7.cohort_size=10", "localities.7: no list item '7' (from --set)"),
        ("name.first=x", "name.first: cannot set inside a str (from --set)"),
    ],
)
def test_bad_set_path(tmp_path: Path, override: str, expected: str) -> None:
    """A ``--set`` path that leads nowhere says which part, and that it came from --set."""
    _, err = problems_of(tmp_path, BASE, [override])
    assert err.problems == [expected]


def test_set_without_equals(tmp_path: Path) -> None:
    """``--set path`` without ``=value`` explains the expected form."""
    _, err = problems_of(tmp_path, BASE, ["simulation.seed"])
    assert len(err.problems) == 1
    assert err.problems[0].startswith("--set simulation.seed: expected path=value")


@pytest.mark.parametrize(
    ("override", "field_path", "fragment"),
    [
        ("services.gp.capacity=lots", "services.gp.capacity", "whole number above 0"),
        ("simulation.sede=3", "simulation.sede", "unknown field"),
        (
            "arms.integrated.mechanisms.enrolment.coordinators={nowhere: 1}",
            "arms.1.mechanisms.enrolment.coordinators.nowhere",
            "unknown locality",
        ),
    ],
)
def test_bad_set_value_names_the_field(tmp_path: Path, override: str, field_path: str, fragment: str) -> None:
    """A ``--set`` value that fails validation is reported under the field path it set."""
    _, err = problems_of(tmp_path, BASE, [override])
    assert len(err.problems) == 1
    path, message = err.problems[0].split(": ", 1)
    assert path == field_path
    assert fragment in message


def test_set_by_name_and_null(tmp_path: Path) -> None:
    """``--set`` finds list items by name, parses YAML values, and an empty value is null."""
    path = tmp_path / "ok.yaml"
    path.write_text(BASE, encoding="utf-8")
    scenario = load_scenario(
        path,
        [
            "localities.west.cohort_size=7",
            "arms.integrated.mechanisms.enrolment.coordinators={east: 2, west: 0}",
            "services.gp.capacity=",
        ],
    )
    assert scenario.localities[1].cohort_size == 7
    assert scenario.arm("integrated").mechanisms.enrolment is not None
    assert scenario.arm("integrated").mechanisms.enrolment.coordinators == {"east": 2, "west": 0}
    assert scenario.services.gp.capacity is None


# --- the command line -------------------------------------------------------------------------

CLI_CASES = {
    "unknown-key": (edit("  seed: 1", "  seed: 1\n  sed: 3"), []),
    "wrong-type": (edit("    cohort_size: 40", "    cohort_size: forty"), []),
    "yaml-syntax": (edit("  seed: 1", "  seed: 1: 2"), []),
    "no-baseline": (edit("  - name: baseline", "  - name: usual_care"), []),
    "bad-set-path": (BASE, ["--set", "arms.nosuch.mechanisms.enrolment.coordinators=2"]),
    "invalid-date": (edit("  start_date: 2014-04-01", "  start_date: 2014-13-01"), []),
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_validate_exits_2_without_traceback(tmp_path: Path, run_cli, case: str) -> None:
    """``carecoord validate`` on a bad scenario exits 2 and prints problems, not a traceback."""
    text, extra = CLI_CASES[case]
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    proc = run_cli("validate", "bad.yaml", *extra, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("bad.yaml: ")


def test_validate_missing_file(tmp_path: Path, run_cli) -> None:
    """A missing file is exit 2 with ``FILE: file not found``."""
    proc = run_cli("validate", "nowhere.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "nowhere.yaml: file not found"


def test_validate_prints_each_problem_on_one_line(tmp_path: Path, run_cli) -> None:
    """stderr is exactly the ``FILE: field.path: message (line N)`` lines, unwrapped.

    Editors and scripts parse these lines; a long message (an unknown key lists every allowed
    field) must not be folded at the terminal width.
    """
    text = edit("  seed: 1", "  seed: 1\n  sed: 3").replace("cohort_size: 40", "cohort_size: forty")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    proc = run_cli("validate", path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == str(info.value).splitlines()


def test_run_on_bad_scenario_writes_nothing(tmp_path: Path, run_cli) -> None:
    """``carecoord run`` on a bad file exits 2 before creating its output folder."""
    path = tmp_path / "bad.yaml"
    path.write_text(edit("    cohort_size: 40", "    cohort_size: forty"), encoding="utf-8")
    out = tmp_path / "results"
    proc = run_cli("run", "bad.yaml", "--replications", "1", "--out", "results", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "localities.1.cohort_size" in proc.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_an_mdt_meeting_too_short_for_one_new_plan(tmp_path: Path) -> None:
    """A 0.1-hour meeting (6 minutes) cannot agree a 15-minute plan: named on the enrolment, with both numbers."""
    text = edit("        coordinators: 1", "        coordinators: 1\n        mdt_meeting_hours: 0.1")
    _, err = problems_of(tmp_path, text)
    assert len(err.problems) == 1
    path, message, line = parse(err.problems[0])
    assert path == "arms.1.mechanisms.enrolment"
    assert line == line_of(text, "      enrolment:")
    assert "mdt_meeting_hours (0.1 h)" in message and "(15 min)" in message
