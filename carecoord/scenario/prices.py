"""One price year for every unit cost: uprating older published costs with a sourced inflation index.

Published unit costs come from different years; adding a 2012/13 GP visit to a 2023/24 bed day
understates the visit by a quarter. Costs older than :data:`PRICE_YEAR` are uprated with the
indices PSSRU publishes in the Unit Costs of Health and Social Care: the HCHS pay and prices index
up to 2014/15, then the NHS Cost Inflation Index (NHSCII, pay and prices) from 2015/16, when PSSRU
replaced the discontinued HCHS index. Each annual change is a row of ``docs/references.csv``.

Example:
    >>> round(uprate(114.0, "2012/13"), 2)  # a GP home visit at 2012/13 prices, in 2023/24 prices
    144.79
"""

from __future__ import annotations

import math

PRICE_YEAR = "2023/24"
"""The price year of every unit cost in the schema."""
INDEX_NAME = "PSSRU HCHS pay and prices index to 2014/15, NHS Cost Inflation Index (pay and prices) from 2015/16"

ANNUAL_CHANGE_PCT: dict[str, tuple[float, str]] = {
    "2013/14": (1.1, "inflation.hchs_pay_prices.2013_14"),
    "2014/15": (0.9, "inflation.hchs_pay_prices.2014_15"),
    "2015/16": (0.40, "inflation.nhscii_pay_prices.2015_16"),
    "2016/17": (2.09, "inflation.nhscii_pay_prices.2016_17"),
    "2017/18": (1.24, "inflation.nhscii_pay_prices.2017_18"),
    "2018/19": (1.60, "inflation.nhscii_pay_prices.2018_19"),
    "2019/20": (2.14, "inflation.nhscii_pay_prices.2019_20"),
    "2020/21": (2.49, "inflation.nhscii_pay_prices.2020_21"),
    "2021/22": (2.58, "inflation.nhscii_pay_prices.2021_22"),
    "2022/23": (7.32, "inflation.nhscii_pay_prices.2022_23"),
    "2023/24": (2.47, "inflation.nhscii_pay_prices.2023_24"),
}
"""Change of the index into each financial year from the one before, %, with its reference key."""
FIRST_YEAR = "2012/13"
"""The earliest year the table reaches back to (its changes start with 2013/14)."""
YEARS = (FIRST_YEAR, *ANNUAL_CHANGE_PCT)


def inflation_factor(from_year: str, to_year: str = PRICE_YEAR) -> float:
    """Multiplier taking a cost at ``from_year`` prices to ``to_year`` prices (below 1 going back)."""
    for year in (from_year, to_year):
        if year not in YEARS:
            raise ValueError(f"price year {year!r} is not covered; known: {', '.join(YEARS)}")
    a, b = YEARS.index(from_year), YEARS.index(to_year)
    factor = math.prod(1.0 + ANNUAL_CHANGE_PCT[y][0] / 100.0 for y in YEARS[min(a, b) + 1 : max(a, b) + 1])
    return factor if b >= a else 1.0 / factor


def uprate(value: float, from_year: str, to_year: str = PRICE_YEAR) -> float:
    """A cost at ``from_year`` prices in ``to_year`` prices."""
    return value * inflation_factor(from_year, to_year)


def uprated_note(value: float, from_year: str, key: str) -> str:
    """The text a cost's description gives: original value, year and source, factor, result."""
    factor = inflation_factor(from_year)
    return (
        f"{value:g} at {from_year} prices [ref:{key}], uprated to {PRICE_YEAR} x {factor:.4f} "
        f"({INDEX_NAME}; carecoord/scenario/prices.py) = {uprate(value, from_year):.2f}"
    )
