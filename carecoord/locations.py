"""Where a patient is: one set of location codes for the cohort, the model and the recorder.

The codes index the per-patient state-time table (the days spent in each add up to the
horizon), so they are small consecutive integers.

Example:
    >>> LOCATIONS[HOME]
    'home'
"""

from __future__ import annotations

from typing import Final

# Final literals: the compiled model (mypyc) inlines them, where a plain global is a dict lookup per use.
PENDING: Final = 0
HOME: Final = 1
HOSPITAL: Final = 2
INTERMEDIATE: Final = 3
RESIDENTIAL: Final = 4
DEAD: Final = 5
LOCATIONS: Final = ("not_yet_eligible", "home", "hospital", "intermediate_care", "residential_care", "dead")

__all__ = ["DEAD", "HOME", "HOSPITAL", "INTERMEDIATE", "LOCATIONS", "PENDING", "RESIDENTIAL"]
