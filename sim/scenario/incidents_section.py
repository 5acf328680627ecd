"""Scenario models of incidents: how often each kind happens by hour and month, how long it lasts, how
it looks, and how offenders answer a boat's warnings.

See :mod:`sim.scenario.models` for the whole scenario.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.scenario.fields import DistributionSpec, Duration, Probability, Strict


class Compliance(Strict):
    p_leave: Probability = Field(description="probability an offender leaves after one warning")
    leave_delay: DistributionSpec = Field(description="time from a heeded warning to leaving, s")
    max_warnings: int = Field(ge=1, description="warnings before the boat gives up")
    warning_interval: Duration = Field(gt=0, description="time between repeated warnings, s")


class IncidentKind(Strict):
    rate_per_hour: float = Field(gt=0, description="arrivals per hour at profile multiplier 1, 1/h")
    hourly_profile: tuple[float, ...] = Field(
        min_length=24, max_length=24, description="multiplier for each local hour 0..23"
    )
    monthly_profile: tuple[float, ...] = Field(
        min_length=12, max_length=12, description="multiplier for each month Jan..Dec"
    )
    duration: DistributionSpec = Field(description="time the offender would stay if left alone, s")
    visible_height: float = Field(gt=0, description="height of the visible body above water/ground, m")
    drift_speed: float = Field(0.0, ge=0, description="mean drifting speed of the offender, m/s")
    compliance: Compliance

    @model_validator(mode="after")
    def _profiles(self) -> IncidentKind:
        for name in ("hourly_profile", "monthly_profile"):
            values = getattr(self, name)
            if min(values) < 0:
                raise ValueError(f"{name} has a negative multiplier")
            if max(values) <= 0:
                raise ValueError(f"{name} is all zero: no incident could ever happen")
        return self


class Incidents(Strict):
    swimming: IncidentKind
    fishing: IncidentKind
