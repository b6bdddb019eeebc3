"""``extends:`` with ``remove``: what is dropped with an item, and whose mistake an error is (review 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecoord.errors import ScenarioError
from carecoord.scenario.loader import load_scenario_source
from carecoord.scenario.merge import MergeProblem, merge

PARENT = """name: parent
simulation: {start_date: 2014-04-01, duration_days: 60, warm_up_days: 10, replications: 1, seed: 1}
localities:
  - {name: east, cohort_size: 40}
  - {name: south, cohort_size: 30}
cohort:
  tiers:
    - {name: high, share: 1.0, emergency_admissions_per_person_year: 1.0}
arms:
  - name: baseline
  - name: integrated
    mechanisms:
      enrolment: {coordinators: {east: 1, south: 5}, caseload: 20}
"""


def _write(tmp_path: Path, child: str) -> Path:
    (tmp_path / "parent.yaml").write_text(PARENT, encoding="utf-8")
    path = tmp_path / "child.yaml"
    path.write_text("extends: parent.yaml\n" + child, encoding="utf-8")
    return path


def test_removing_a_locality_drops_the_parents_map_keys_naming_it(tmp_path: Path) -> None:
    loaded = load_scenario_source(_write(tmp_path, "localities:\n  - {name: south, remove: true}\n"))
    assert [loc.name for loc in loaded.scenario.localities] == ["east"]
    assert loaded.scenario.arm("integrated").mechanisms.enrolment.coordinators == {"east": 1}


def test_remove_false_keeps_the_item(tmp_path: Path) -> None:
    loaded = load_scenario_source(_write(tmp_path, "localities:\n  - {name: south, remove: false}\n"))
    assert [loc.name for loc in loaded.scenario.localities] == ["east", "south"]


def test_the_childs_own_key_for_a_removed_locality_is_blamed_on_the_child(tmp_path: Path) -> None:
    child = (
        "localities:\n  - {name: south, remove: true}\narms:\n  - name: integrated\n    mechanisms:\n"
        "      enrolment: {coordinators: {east: 1, south: 2}}\n"
    )
    path = _write(tmp_path, child)
    with pytest.raises(ScenarioError) as exc:
        load_scenario_source(path)
    assert exc.value.files == [str(path)] and "south" in exc.value.problems[0]


@pytest.mark.parametrize("flag", [1, "true", "yes please", None])
def test_remove_must_be_true(flag: object) -> None:
    base = {"localities": [{"name": "east"}, {"name": "west"}]}
    with pytest.raises(MergeProblem, match="expected true") as exc:
        merge(base, {}, {"localities": [{"name": "west", "remove": flag}]}, {})
    assert exc.value.loc == ("localities", 0, "remove")


def test_removing_what_the_parent_lacks_is_one_problem() -> None:
    with pytest.raises(MergeProblem, match="parent has no locality 'north' to remove"):
        merge({"localities": [{"name": "east"}]}, {}, {"localities": [{"name": "north", "remove": True}]}, {})


def test_a_map_not_keyed_by_the_lists_names_is_left_alone() -> None:
    """Only maps whose every key names an item of the list lose the removed name."""
    base = {"localities": [{"name": "gp"}, {"name": "east"}], "services": {"gp": {"capacity": 2}, "ae": {}}}
    merged, _ = merge(base, {}, {"localities": [{"name": "gp", "remove": True}]}, {})
    assert merged["services"] == {"gp": {"capacity": 2}, "ae": {}}
    assert merged["localities"] == [{"name": "east"}]
