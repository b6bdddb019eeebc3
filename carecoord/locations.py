"""Where a patient is: one set of location codes for the cohort, the model and the recorder.

The codes index the per-patient state-time table (the days spent in each add up to the
horizon), so they are small consecutive integers.

Example:
    >>> LOCATIONS[HOME]
    'home'
"""

from __future__ import annotations

PENDING, HOME, HOSPITAL, INTERMEDIATE, RESIDENTIAL, DEAD = range(6)
LOCATIONS = ("not_yet_eligible", "home", "hospital", "intermediate_care", "residential_care", "dead")

__all__ = ["DEAD", "HOME", "HOSPITAL", "INTERMEDIATE", "LOCATIONS", "PENDING", "RESIDENTIAL"]
