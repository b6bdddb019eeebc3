"""Shared building blocks of the scenario schema: strict models and opening hours.

Every spec is immutable and rejects unknown keys, so a typo in a YAML file is an error
rather than a silently ignored setting.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_INDEX: dict[str, int] = {d: i for i, d in enumerate(ALL_DAYS)}

Probability = Annotated[float, Field(ge=0, le=1)]
"""A probability or a share, 0 to 1 (give the default and description with ``Field`` as usual)."""


class StrictModel(BaseModel):
    """Immutable, unknown keys forbidden, defaults validated, no infinite or NaN numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)


class OpeningHoursSpec(StrictModel):
    """When a service starts new work. Work in progress at closing time is finished."""

    days: list[Weekday] = Field(
        default_factory=lambda: list(ALL_DAYS),
        description="Days the service opens (mon..sun).",
    )
    open_hour: float = Field(0.0, ge=0, lt=24, description="Hour of opening (0-24, local time). Default: assumption.")
    close_hour: float = Field(24.0, gt=0, le=24, description="Hour of closing (0-24). Default: assumption.")

    @model_validator(mode="after")
    def _open_before_close(self) -> OpeningHoursSpec:
        if self.close_hour <= self.open_hour:
            raise ValueError("close_hour must be later than open_hour")
        if not self.days:
            raise ValueError("days must name at least one day")
        return self

    @property
    def always_open(self) -> bool:
        return len(set(self.days)) == 7 and self.open_hour == 0 and self.close_hour == 24


def weekday_hours(open_hour: float, close_hour: float) -> OpeningHoursSpec:
    """Monday-to-Friday opening hours (a default factory helper)."""
    return OpeningHoursSpec(days=list(WEEKDAYS), open_hour=open_hour, close_hour=close_hour)


def daily_hours(open_hour: float, close_hour: float) -> OpeningHoursSpec:
    """Seven-day opening hours (a default factory helper)."""
    return OpeningHoursSpec(days=list(ALL_DAYS), open_hour=open_hour, close_hour=close_hour)
