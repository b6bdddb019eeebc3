"""One price year: older published costs uprated with the sourced inflation index (issue 8, item 10)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from carecoord.scenario.costs import UPRATED_DEFAULTS, CostsSpec, price_basis, price_line
from carecoord.scenario.prices import ANNUAL_CHANGE_PCT, PRICE_YEAR, YEARS, inflation_factor, uprate

REFERENCES = Path(__file__).resolve().parents[2] / "docs" / "references.csv"


def test_factor_is_the_product_of_the_annual_changes() -> None:
    """2021/22 -> 2023/24 compounds the changes into 2022/23 (7.32%) and 2023/24 (2.47%)."""
    assert inflation_factor("2021/22", "2023/24") == pytest.approx(1.0732 * 1.0247, rel=1e-12)
    assert inflation_factor("2012/13") == pytest.approx(math.prod(1 + p / 100 for p, _ in ANNUAL_CHANGE_PCT.values()))


def test_same_year_is_one_and_going_back_is_the_inverse() -> None:
    assert inflation_factor(PRICE_YEAR, PRICE_YEAR) == 1.0
    for year in YEARS:
        assert inflation_factor(year) * inflation_factor(PRICE_YEAR, year) == pytest.approx(1.0, rel=1e-12)


def test_factors_chain() -> None:
    """Uprating in two steps equals uprating in one (the index is one series)."""
    assert uprate(uprate(100.0, "2012/13", "2016/17"), "2016/17") == pytest.approx(uprate(100.0, "2012/13"), rel=1e-12)


def test_unknown_year_is_refused() -> None:
    with pytest.raises(ValueError, match="2009/10"):
        inflation_factor("2009/10")


def test_index_values_are_the_referenced_rows() -> None:
    """Each annual change in the code equals its row of docs/references.csv (same value, same year)."""
    with REFERENCES.open(encoding="utf-8", newline="") as fh:
        rows = {r["key"]: r for r in csv.DictReader(fh)}
    for year, (pct, key) in ANNUAL_CHANGE_PCT.items():
        assert float(rows[key]["value"]) == pct
        assert rows[key]["year"] == year


def test_default_costs_are_uprated_to_the_price_year() -> None:
    """The two older defaults are their published value times the factor; the table says which year and index."""
    costs = CostsSpec()
    assert costs.price_year == PRICE_YEAR
    assert costs.nhs.gp_home_visit == round(114.0 * inflation_factor("2012/13"), 2)
    assert costs.nhs.delayed_discharge_day == round(313.0 * inflation_factor("2016/17"), 2)
    basis = price_basis(costs)
    assert set(basis["uprated_defaults"]) == set(UPRATED_DEFAULTS)
    assert "NHS Cost Inflation Index" in basis["index"]
    assert "2012/13" in price_line(costs) and PRICE_YEAR in price_line(costs)


def test_another_price_year_rebases_the_defaults_and_keeps_given_costs() -> None:
    """price_year 2019/20: defaults deflated with the index; a cost the user states is taken as given (review 5)."""
    back = inflation_factor(PRICE_YEAR, "2019/20")
    costs = CostsSpec(price_year="2019/20", nhs={"gp_appointment": 40.0})
    assert costs.nhs.ae_attendance == round(273.0 * back, 2)
    assert costs.council.social_work_hour == round(58.0 * back, 2)
    assert costs.nhs.gp_appointment == 40.0
    line = price_line(costs)
    assert line.startswith("Costs in 2019/20 prices; defaults re-based from 2023/24")
    assert f"x {back:.4f}" in line
    assert price_basis(costs)["uprated_defaults"]["costs.nhs.gp_home_visit"]["factor"] == pytest.approx(
        inflation_factor("2012/13", "2019/20"), abs=1e-6
    )


def test_only_defaults_in_use_are_listed_as_uprated() -> None:
    """A user's own gp_home_visit is not reported as '114 (2012/13) x factor'."""
    costs = CostsSpec(nhs={"gp_home_visit": 120.0})
    assert "gp_home_visit" not in price_line(costs)
    assert "costs.nhs.gp_home_visit" not in price_basis(costs)["uprated_defaults"]
    assert "delayed_discharge_day" in price_line(costs)


@pytest.mark.parametrize("year", ["next year", 2023, "2009/10", "2024/25"])
def test_price_year_must_be_one_the_index_covers(year: object) -> None:
    with pytest.raises(ValueError, match="expected a financial year the inflation index covers"):
        CostsSpec(price_year=year)
