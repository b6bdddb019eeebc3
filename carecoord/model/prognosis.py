"""A clinician's prognosis: recognising the last year of life from what the team can know.

End-of-life care must not read a patient's future. The team sees the patient's current mortality
hazard (what tier, age and where they live imply: the model's own death rate for them now), through
a prognosis with a persistent error: each patient's estimate is the true hazard times
``exp(sd * z)``, with ``z`` a standard normal drawn once per patient from its own stream (so the
same clinicians misjudge the same patient the same way, in every arm). The patient is recognised
as in the last year of life when the estimated 12-month mortality reaches a threshold (the
"surprise question": would you be surprised if this patient died in the next year?).

Example:
    >>> recognised(death_rate_per_day=0.06 / 365.25, u=0.99, error_sd=1.0, threshold=0.2)
    True
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Final

_NORMAL: Final = NormalDist()
DAYS_PER_YEAR: Final = 365.25


def estimated_mortality_12m(death_rate_per_day: float, u: float, error_sd: float) -> float:
    """The clinician's estimate of 12-month mortality for a hazard, with error quantile ``u``."""
    z = _NORMAL.inv_cdf(min(max(u, 1e-9), 1.0 - 1e-9))
    hazard = death_rate_per_day * DAYS_PER_YEAR * math.exp(error_sd * z)
    return -math.expm1(-hazard)


def recognised(death_rate_per_day: float, u: float, error_sd: float, threshold: float) -> bool:
    """Whether the team recognises the last year of life (estimate at or above the threshold)."""
    return estimated_mortality_12m(death_rate_per_day, u, error_sd) >= threshold


def recognised_share(death_rate_per_day: float, error_sd: float, threshold: float) -> float:
    """Share of patients with this hazard whom the team recognises (over the error distribution).

    The estimate crosses the threshold when ``z >= (log(h*) - log(h)) / sd``, with ``h*`` the
    yearly hazard whose 12-month mortality is the threshold.
    """
    hazard = death_rate_per_day * DAYS_PER_YEAR
    needed = -math.log1p(-threshold)
    if hazard <= 0:
        return 0.0
    if error_sd == 0:
        return float(hazard >= needed)
    return 1.0 - _NORMAL.cdf((math.log(needed) - math.log(hazard)) / error_sd)
