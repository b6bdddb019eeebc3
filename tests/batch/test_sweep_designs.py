"""Design points, PSA draws, Shapley values and experiment-file errors (mostly without simulating)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carecoord.batch import run_sweep
from carecoord.batch.analysis import shapley_values
from carecoord.batch.designs import design_points, draw
from carecoord.errors import ScenarioError
from carecoord.progress import ProgressReporter
from carecoord.scenario.experiment import (
    Distribution,
    GridDesign,
    LatinHypercubeDesign,
    MechanismsDesign,
    MorrisDesign,
    OneAtATimeDesign,
    PsaDesign,
    Range,
    SobolDesign,
    load_experiment,
)

CASELOAD = "arms.integrated.mechanisms.enrolment.caseload"
SENSITIVITY = "arms.integrated.mechanisms.proactive_visits.sensitivity"
RANGES = {CASELOAD: Range(low=20, high=80), SENSITIVITY: Range(low=0.1, high=0.9)}


def test_grid_is_every_combination(tiny) -> None:
    points = design_points(
        GridDesign(type="grid", parameters={CASELOAD: [10, 20, 30], SENSITIVITY: [0.1, 0.9]}), tiny, "integrated"
    )
    assert len(points) == 6
    assert {(p.params[CASELOAD], p.params[SENSITIVITY]) for p in points} == {
        (c, s) for c in (10, 20, 30) for s in (0.1, 0.9)
    }
    assert points[0].overrides == [f"{CASELOAD}=10", f"{SENSITIVITY}=0.1"]


def test_one_at_a_time_moves_one_parameter_from_the_base(tiny) -> None:
    points = design_points(
        OneAtATimeDesign(type="one_at_a_time", parameters={CASELOAD: [20, 60], SENSITIVITY: [0.2]}), tiny, "integrated"
    )
    base = points[0]
    assert base.label == "base" and base.overrides == []
    assert base.params == {CASELOAD: 40, SENSITIVITY: 0.5}  # tiny.yaml's caseload, the schema's sensitivity
    for p in points[1:]:
        changed = [k for k in base.params if p.params[k] != base.params[k]]
        assert len(changed) == 1 and len(p.overrides) == 1
    assert len(points) == 4


def test_latin_hypercube_has_one_point_per_stratum(tiny) -> None:
    n = 7
    points = design_points(LatinHypercubeDesign(type="latin_hypercube", parameters=RANGES, points=n, seed=3), tiny, "x")
    caseloads = [p.params[CASELOAD] for p in points]
    assert all(isinstance(c, int) and 20 <= c <= 80 for c in caseloads)
    strata = sorted(math.floor((p.params[SENSITIVITY] - 0.1) / 0.8 * n) for p in points)
    assert strata == list(range(n))
    again = design_points(LatinHypercubeDesign(type="latin_hypercube", parameters=RANGES, points=n, seed=3), tiny, "x")
    assert [p.params for p in again] == [p.params for p in points]


def test_morris_and_sobol_sizes(tiny) -> None:
    morris = design_points(MorrisDesign(type="morris", parameters=RANGES, trajectories=3), tiny, "x")
    assert len(morris) == 3 * (len(RANGES) + 1)
    sobol = design_points(SobolDesign(type="sobol", parameters=RANGES, base_samples=4), tiny, "x")
    assert len(sobol) == 4 * (len(RANGES) + 2)
    with pytest.raises(ValueError, match="power of two"):
        SobolDesign(type="sobol", parameters=RANGES, base_samples=6)


def test_psa_draws_follow_their_distributions() -> None:
    """Sample means within 4 standard errors of the stated centres (n = 4000)."""
    n = 4000
    design = PsaDesign(
        type="psa",
        draws=n,
        seed=11,
        parameters={
            "a": Distribution(distribution="normal", ci=(0.8, 1.2)),
            "b": Distribution(distribution="beta", alpha=3, beta=7),
            "c": Distribution(distribution="lognormal", ci=(0.5, 2.0)),
            "d": Distribution(distribution="gamma", mean=100, sd=20),
        },
    )
    values = draw(design)
    sd_a = 0.4 / (2 * 1.959964)
    assert abs(values["a"].mean() - 1.0) < 4 * sd_a / math.sqrt(n)
    assert abs(values["a"].std() - sd_a) < 4 * sd_a / math.sqrt(2 * n)
    mean_b, var_b = 0.3, 0.3 * 0.7 / 11
    assert abs(values["b"].mean() - mean_b) < 4 * math.sqrt(var_b / n)
    # the median of the lognormal is the CI's geometric centre (1.0): about half the draws fall below it
    assert abs((values["c"] < 1.0).mean() - 0.5) < 4 * math.sqrt(0.25 / n)
    assert abs(values["d"].mean() - 100) < 4 * 20 / math.sqrt(n)
    assert np.array_equal(draw(design)["a"], values["a"])


def test_psa_points_each_have_their_own_streams(tiny) -> None:
    design = PsaDesign(type="psa", draws=3, parameters={"a": Distribution(distribution="uniform", low=0, high=1)})
    assert [p.replication_offset for p in design_points(design, tiny, "integrated")] == [0, 1, 2]


def test_distribution_needs_its_parameters() -> None:
    with pytest.raises(ValueError, match="needs alpha and beta"):
        Distribution(distribution="beta", mean=0.3)


def test_shapley_values_of_a_known_game() -> None:
    """v(S) = sum of own effects + an interaction shared equally: Shapley gives own + interaction / 2."""
    own = {"a": 3.0, "b": -1.0, "c": 2.0}
    columns = {m: f"arms.x.mechanisms.{m}.enabled" for m in own}
    rows, values = [], []
    for i, on in enumerate([set(), {"a"}, {"b"}, {"c"}, {"a", "b"}, {"a", "c"}, {"b", "c"}, {"a", "b", "c"}]):
        rows.append({"point": i, **{columns[m]: m in on for m in own}})
        values.append(sum(own[m] for m in on) + (4.0 if {"a", "b"} <= on else 0.0))
    points = pd.DataFrame(rows)
    outputs = pd.DataFrame({"admissions_avoided": values}, index=points["point"])
    table = shapley_values(outputs, points, list(own), columns).set_index("mechanism")
    assert table.loc["a", "shapley_value"] == pytest.approx(5.0)
    assert table.loc["b", "shapley_value"] == pytest.approx(1.0)
    assert table.loc["c", "shapley_value"] == pytest.approx(2.0)
    assert table["shapley_value"].sum() == pytest.approx(table["whole_group_effect"].iloc[0])


def test_mechanism_points(tiny) -> None:
    design = MechanismsDesign(
        type="mechanisms", mechanisms=["rapid_response", "night_visits"], shapley=["rapid_response", "night_visits"]
    )
    points = design_points(design, tiny, "integrated")
    labels = [p.label for p in points]
    assert labels[:3] == ["all mechanisms", "without rapid_response", "without night_visits"]
    assert len(points) == 4  # the full plan, two removals, and both off
    assert points[1].overrides == ["arms.integrated.mechanisms.rapid_response.enabled=false"]
    with pytest.raises(ValueError, match="not switched on"):
        design_points(MechanismsDesign(type="mechanisms", mechanisms=["care_home_support"]), tiny, "integrated")


def test_experiment_file_errors_name_field_and_line(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\nscenario: tiny.yaml\nreplications: 0\ndesign:\n  type: grid\n  parameters: {}\n  extra: 1\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_experiment(path)
    text = str(caught.value)
    assert f"{path}: replications: Input should be greater than 0 (line 3)" in text
    assert f"{path}: design.extra: unknown field (line 7)" in text
    empty = tmp_path / "empty.yaml"
    empty.write_text("name: e\nscenario: tiny.yaml\nreplications: 1\ndesign:\n  type: grid\n  parameters: {}\n")
    with pytest.raises(ScenarioError, match=r"empty.yaml: design: at least one parameter is required .* \(line 4\)$"):
        load_experiment(empty)
    result = run_cli("sweep", path, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "replications: Input should be greater than 0 (line 3)" in result.stderr
    assert not (tmp_path / "out").exists()


def test_progress_plain_lines_and_quiet() -> None:
    stream = io.StringIO()
    with ProgressReporter("sweep x", total=3, stream=stream, interval=0.0) as progress:
        for done in (0, 1, 2, 3):  # the runner first reports the units already on disk
            progress.update(done)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("sweep x: 0/3 units (0%)") and "left" not in lines[0]
    assert lines[1].startswith("sweep x: 1/3 units (33%)") and "left" in lines[1]
    assert lines[-1].startswith("sweep x: 3/3 units (100%)")
    quiet = io.StringIO()
    with ProgressReporter("sweep x", total=3, stream=quiet, quiet=True) as progress:
        progress.update(3)
    assert quiet.getvalue() == ""


def test_mechanisms_sweep_shares_the_effect(write_experiment, tmp_path: Path) -> None:
    """End to end: the Shapley values add up to the effect of the whole group, removal contributions are paired."""
    design = {"type": "mechanisms", "mechanisms": ["rapid_response", "night_visits"]}
    result = run_sweep(write_experiment(design, replications=2), out=tmp_path / "out")
    shapley = result.extra["shapley"]
    for _output, block in shapley.groupby("output"):
        assert block["shapley_value"].sum() == pytest.approx(block["whole_group_effect"].iloc[0])
    removal = result.extra["mechanisms"]
    assert set(removal["mechanism"]) == {"rapid_response", "night_visits"}
    row = removal.query("mechanism == 'rapid_response' and output == 'admissions_avoided'").iloc[0]
    assert row["contribution"] == pytest.approx(row["with_all"] - row["without_it"])
    assert (tmp_path / "out" / "shapley.csv").is_file() and (tmp_path / "out" / "mechanisms.csv").is_file()


def test_psa_sweep_writes_draws_and_acceptability(write_experiment, tmp_path: Path) -> None:
    design = {
        "type": "psa",
        "draws": 3,
        "willingness_to_pay": [0, 1e9],
        "parameters": {
            "arms.integrated.mechanisms.rapid_response.avoidance_probability": {
                "distribution": "beta",
                "alpha": 2,
                "beta": 6,
            }
        },
    }
    result = run_sweep(write_experiment(design, replications=1), out=tmp_path / "out")
    assert sorted(result.tidy.groupby("point")["replication"].first()) == [0, 1, 2]
    draws = result.extra["psa_draws"]
    assert len(draws) == 3 and {"admissions_avoided", "net_cost"} <= set(draws.columns)
    curve = result.extra["acceptability"]["probability_cost_effective"].tolist()
    assert curve[0] <= curve[1]
    with pytest.raises(ValueError, match="one paired replication per draw"):
        run_sweep(write_experiment(design, replications=2, name="psa2"), out=tmp_path / "out2")
