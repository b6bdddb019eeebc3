"""Schema of the whole population around the cohort, and of the secular trend.

A locality may state its registered (or resident) population by age band. The people outside
the at-risk cohort are not simulated one by one: their emergency admissions and bed days are an
aggregate stream at the rates per 1,000 given here (carecoord.population). Rates are per person
of the band in the whole population (what published tables give); the cohort's own expected
admissions are taken out of them, so the cohort is not counted twice (docs/model.md, "Whole
population").

Default rates, England around 2012/13 (docs/model.md shows the arithmetic):

- all ages 5.3m emergency admissions a year [ref:emergency_admissions.total] over ~53.5m people
  (ONS mid-2012 estimate: assumption, not in docs/references.csv) = 99 per 1,000;
- aged 65+: 2.11m emergency admission episodes in 2010/11 [ref:emergency_admissions.65plus_fae],
  x 1.032^2 [ref:emergency_admissions.growth_per_year] to 2012/13 = 2.25m over ~9.1m people aged
  65+ (assumption) = 247 per 1,000;
- under 65: (5.3m - 2.25m) / ~44.4m = 69 per 1,000;
- 65+ split by band with relative rates 1 : 2 : 3.5 (assumption: rates roughly double from 65-74
  to 75-84) and England's age mix of the 65+ (52% 65-74, 34% 75-84, 14% 85+: assumption) so that
  the 65+ mean is 247: 146, 292, 511 per 1,000;
- mean stays 3.5, 7, 9 and 11 days by band (assumption), which give the all-ages mean of 5.8 days
  per emergency admission [ref:emergency_admission.mean_los].
"""

from __future__ import annotations

import math
import re

from pydantic import Field, NonNegativeFloat, model_validator

from carecoord.scenario.base import StrictModel

BAND_PATTERN = r"^(\d{1,3})(?:-(\d{1,3})|\+)$"
_BAND = re.compile(BAND_PATTERN)


def band_ages(name: str) -> tuple[float, float]:
    """Ages ``[low, high)`` of a band named ``"65-74"`` (65 to under 75) or ``"85+"``."""
    match = _BAND.match(name)
    if match is None:
        raise ValueError(f"age band '{name}' must look like 65-74 or 85+")
    low = float(match.group(1))
    high = float(match.group(2)) + 1.0 if match.group(2) is not None else float("inf")
    return low, high


class AgeBandRates(StrictModel):
    """Emergency hospital use per 1,000 people of one age band, a year."""

    band: str = Field(..., pattern=BAND_PATTERN, description="Age band: 'low-high' (inclusive) or 'low+'.")
    emergency_admissions_per_1000: NonNegativeFloat = Field(
        ..., description="Emergency admissions per 1,000 people of the band a year (the whole population's rate)."
    )
    mean_length_of_stay_days: NonNegativeFloat = Field(
        ..., description="Mean hospital stay of an emergency admission of the band, days."
    )

    @model_validator(mode="after")
    def _ordered(self) -> AgeBandRates:
        low, high = band_ages(self.band)
        if high <= low:
            raise ValueError(f"band '{self.band}': the upper age must not be below the lower")
        return self


def _default_bands() -> list[AgeBandRates]:
    # Sources and arithmetic: this module's docstring and docs/model.md, "Whole population".
    return [
        AgeBandRates(band="0-64", emergency_admissions_per_1000=69.0, mean_length_of_stay_days=3.5),
        AgeBandRates(band="65-74", emergency_admissions_per_1000=146.0, mean_length_of_stay_days=7.0),
        AgeBandRates(band="75-84", emergency_admissions_per_1000=292.0, mean_length_of_stay_days=9.0),
        AgeBandRates(band="85+", emergency_admissions_per_1000=511.0, mean_length_of_stay_days=11.0),
    ]


class PopulationRatesSpec(StrictModel):
    """Age bands of the localities' populations and the emergency hospital use of each band."""

    bands: list[AgeBandRates] = Field(
        default_factory=_default_bands,
        min_length=1,
        description="Age bands, youngest first, with their rates. Default: England about 2012/13, derived "
        "from [ref:emergency_admissions.total], [ref:emergency_admissions.65plus_fae], "
        "[ref:emergency_admissions.growth_per_year] and [ref:emergency_admission.mean_los] with assumed "
        "population denominators and band ratios (docs/model.md, 'Whole population').",
    )

    @model_validator(mode="after")
    def _disjoint(self) -> PopulationRatesSpec:
        previous_high = -1.0
        for i, band in enumerate(self.bands):
            low, high = band_ages(band.band)
            if low < previous_high:
                raise ValueError(
                    f"bands.{i}.band: '{band.band}' overlaps the band before it (list bands youngest first)"
                )
            previous_high = high
        return self

    @property
    def names(self) -> list[str]:
        return [b.band for b in self.bands]


class TrendSpec(StrictModel):
    """A secular trend: the yearly change in emergency admissions that no service explains."""

    emergency_admissions_per_year: float = Field(
        ...,
        gt=-1,
        description="Yearly change in crisis rates (the cohort's) and emergency admission rates (the rest of the "
        "population's), compounding: 0.032 multiplies them by 1.032 in the second simulated year, 1.032^2 in "
        "the third. Above -1. England 2006/07-2017/18: 0.032 [ref:emergency_admissions.growth_per_year].",
    )


__all__ = ["AgeBandRates", "PopulationRatesSpec", "TrendSpec", "band_ages"]


def expected_cohort_by_band(mean: float, sd: float, low_age: float, high_age: float, bands: list[str]) -> list[float]:
    """Expected share of a generated cohort in each band: a normal clipped to [low_age, high_age]."""
    shares = []
    for name in bands:
        low, high = band_ages(name)
        below = 0.0 if low <= low_age else (1.0 if low > high_age else _cdf(low, mean, sd))
        upto = 1.0 if high > high_age else (0.0 if high <= low_age else _cdf(high, mean, sd))
        shares.append(max(0.0, upto - below))
    return shares


def _cdf(x: float, mean: float, sd: float) -> float:
    """Normal distribution function (math.erf: no scipy.stats import, which costs a second)."""
    if sd == 0:
        return 1.0 if x > mean else 0.0
    return 0.5 * (1.0 + math.erf((x - mean) / (sd * math.sqrt(2.0))))


def check_populations(
    populations: list[dict[str, int] | None],
    rates: list[AgeBandRates],
    cohort_in_band: list[list[float]],
    cohort_rate: float,
) -> None:
    """Each population names every band, and no band holds fewer people
    than the cohort is expected to have there, nor fewer admissions at its rate than the cohort is expected
    to have there (``cohort_rate``: the tiers' mean observed admissions per person-year). Raises
    ``ValueError`` with the field's dotted path."""
    bands = [r.band for r in rates]
    for i, population in enumerate(populations):
        if population is None:
            continue
        for band in population:
            if band not in bands:
                raise ValueError(
                    f"localities.{i}.population.{band}: unknown age band '{band}'; allowed: {', '.join(bands)} "
                    "(population_rates.bands)"
                )
        missing = [b for b in bands if b not in population]
        if missing:
            raise ValueError(f"localities.{i}.population: missing age bands {', '.join(missing)} (give 0 for none)")
        for band, expected in zip(rates, cohort_in_band[i], strict=True):
            people = population[band.band]
            where = f"localities.{i}.population.{band.band}"
            if people < expected:
                raise ValueError(
                    f"{where}: {people} people, fewer than the cohort is expected to have in this band ({expected:.0f})"
                )
            whole = people * band.emergency_admissions_per_1000 / 1000.0
            if whole < expected * cohort_rate:
                rate = band.emergency_admissions_per_1000
                raise ValueError(
                    f"{where}: {people} people at {rate:g} emergency admissions per 1,000 have {whole:.0f} a year, "
                    f"fewer than the cohort's expected {expected * cohort_rate:.0f} in this band "
                    "(raise the population or the band's rate in population_rates)"
                )
