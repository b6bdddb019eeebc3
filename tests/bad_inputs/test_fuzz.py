"""Fuzzing: mutants of a valid scenario either run on a tiny horizon or are refused in the standard format.

Hypothesis changes values (any type: numbers of every sign and size, NaN, infinity, booleans,
text, dates, lists, mappings), deletes keys and list items, and inserts keys (known field names
in the wrong place, and typos). Each mutant goes through ``carecoord validate`` (in-process); an
accepted one is then shortened to at most 60 days, checked again and run for one replication.
Nothing may raise anything but a refusal ``FILE: message``, exit 2.

CI runs 150 examples; ``CARECOORD_FUZZ_EXAMPLES=2000 pytest tests/bad_inputs/test_fuzz.py
--hypothesis-show-statistics`` runs more by hand.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carecoord.cli import app
from carecoord.errors import CarecoordError
from carecoord.experiment import run_replication
from carecoord.preflight import preflight
from carecoord.scenario.describe import allowed_fields
from carecoord.scenario.loader import load_scenario_source

BASE_TEXT = (Path(__file__).parent / "files" / "_valid.yaml").read_text(encoding="utf-8")
BASE: dict[str, Any] = yaml.safe_load(BASE_TEXT)
BASE["arms"][1]["mechanisms"].update({"rapid_response": {}, "discharge_planning": {}, "medication_review": {}})
BASE["services"] = {"gp": {"capacity": 1}, "social_work": {"capacity": 1}}
EXAMPLES = int(os.environ.get("CARECOORD_FUZZ_EXAMPLES", "150"))
LINE = re.compile(r"^[^:\n]+: .+$")
Loc = tuple[str | int, ...]


def _paths(node: Any, loc: Loc = ()) -> list[Loc]:
    out = [loc]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*loc, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*loc, i))
    return out


wild = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from([0, 1, -1, 2**63, 10**12]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["baseline", "east", "high", "2014-13-01", "Bläckburn", "1e9", "yes"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(min_value=-3, max_value=3), max_size=2),
)
plausible = st.one_of(  # values of the right kind, so that many mutants are accepted and run
    st.integers(min_value=0, max_value=100),
    st.floats(min_value=0, max_value=1),
    st.dates(min_value=dt.date(2014, 4, 1), max_value=dt.date(2014, 8, 1)),
)
values = st.one_of(plausible, wild)


def _node(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


@st.composite
def mutants(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(data)[1:]
        kind = draw(st.sampled_from(["set a value", "set a value", "set a value", "set", "delete", "insert"]))
        if kind == "insert":
            containers = [p for p in _paths(data) if isinstance(_node(data, p), dict)]
            where = draw(st.sampled_from(containers))
            names = [*allowed_fields(where), "colour", "sede", "cohort_sise", "extends"]
            key = draw(st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=8)))
            _node(data, where)[key] = draw(values)
            continue
        if not paths:
            break
        if kind == "set a value":  # a scalar: the commonest edit, and the one most mutants survive
            paths = [p for p in paths if not isinstance(_node(data, p), dict | list)] or paths
        loc = draw(st.sampled_from(paths))
        parent = _node(data, loc[:-1])
        if kind.startswith("set"):
            parent[loc[-1]] = draw(values)
        else:
            del parent[loc[-1]]
    return data


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=mutants())
def test_mutants_run_or_are_refused_in_the_standard_format(data: dict[str, Any], tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "mutant.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = folder / "results"
    result = CliRunner().invoke(app, ["validate", str(path), "--out", str(out), "--workers", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 2), result.output
    assert not out.exists()
    if result.exit_code == 2:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert lines and all(LINE.match(line) for line in lines), result.stderr
        assert "Traceback" not in result.stderr
        event("refused by validate")
        return
    shorter = ["simulation.end_date=", "simulation.warm_up_days=0"]
    horizon = load_scenario_source(path).scenario.simulation.horizon_days
    shorter.append(f"simulation.duration_days={min(horizon, 60)}")
    try:
        loaded = load_scenario_source(path, shorter)
        preflight(loaded, workers=1)
    except CarecoordError as exc:  # e.g. a huge incidence refused by the size check on the new horizon
        assert all(LINE.match(line) for line in str(exc).splitlines()), str(exc)
        event("accepted, refused on the shorter horizon")
        return
    arms = run_replication(loaded.scenario, 0)
    event("accepted and ran")
    assert set(arms) == set(loaded.scenario.arm_names)
