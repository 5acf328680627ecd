"""Scenario models of the zone: its extent and place on Earth, water and islands, banned areas, currents,
climate.

Positions are ``[x, y]`` metres, x east and y north, from the zone's south-west corner; see
:mod:`sim.scenario.models` for the whole scenario.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.climate_section import Climate
from sim.scenario.fields import Point, Ring, Strict


class Area(Strict):
    """A no-go area; its ``weight`` (times its optional hourly and monthly profiles at an incident's local
    time) is its share of the incidents of its kind. The profiles make a hotspot by season and hour: they
    move incidents between areas, never change how many there are (the kind's own profiles do that)."""

    id: str
    polygon: Ring = Field(description="outline, [[x, y], ...] in m")
    weight: float = Field(1.0, gt=0, description="hotspot weight: share of incidents placed here")
    hourly_profile: tuple[float, ...] | None = Field(
        None,
        min_length=24,
        max_length=24,
        description="multiplier of the weight for each local hour 0..23 (none: 1 at every hour)",
    )
    monthly_profile: tuple[float, ...] | None = Field(
        None,
        min_length=12,
        max_length=12,
        description="multiplier of the weight for each month Jan..Dec (none: 1 in every month)",
    )

    @model_validator(mode="after")
    def _profiles(self) -> Area:
        for name in ("hourly_profile", "monthly_profile"):
            values = getattr(self, name)
            if values is not None and min(values) < 0:
                raise ValueError(f"{name} has a negative multiplier")
            if values is not None and max(values) <= 0:
                raise ValueError(f"{name} is all zero: the area would never take an incident")
        return self

    def weight_at(self, hour: int, month: int) -> float:
        """The weight at local ``hour`` (0..23) of month index ``month`` (0 = January)."""
        return hotspot_weight(self.weight, self.hourly_profile, self.monthly_profile, hour, month)


def hotspot_weight(
    weight: float,
    hourly: tuple[float, ...] | None,
    monthly: tuple[float, ...] | None,
    hour: int,
    month: int,
) -> float:
    """``weight`` times the ``hourly`` multiplier at ``hour`` and the ``monthly`` one at ``month``
    (a missing profile multiplies by 1)."""
    if hourly is not None:
        weight *= hourly[hour]
    if monthly is not None:
        weight *= monthly[month]
    return weight


class UniformCurrentSpec(Strict):
    type: Literal["uniform"]
    velocity: Point = Field(description="current velocity east and north, m/s")


class GridCurrentSpec(Strict):
    """A current on a regular grid: row r, column c is at (origin_x + c·spacing, origin_y + r·spacing)."""

    type: Literal["grid"]
    origin: Point = Field((0.0, 0.0), description="position of the first row's first column, m")
    spacing: float = Field(gt=0, description="distance between grid points, m")
    east: tuple[tuple[float, ...], ...] = Field(description="east component per row (south to north), m/s")
    north: tuple[tuple[float, ...], ...] = Field(description="north component, same shape as east, m/s")

    @model_validator(mode="after")
    def _shape(self) -> GridCurrentSpec:
        for name in ("east", "north"):
            rows = getattr(self, name)
            if len(rows) < 2 or any(len(row) != len(rows[0]) for row in rows) or len(rows[0]) < 2:
                raise ValueError(f"{name} must be a rectangular grid of at least 2 x 2 values")
        if (len(self.east), len(self.east[0])) != (len(self.north), len(self.north[0])):
            raise ValueError("east and north grids differ in shape")
        return self


CurrentSpec = Annotated[UniformCurrentSpec | GridCurrentSpec, Field(discriminator="type")]


class Zone(Strict):
    width: float = Field(gt=0, description="east-west extent, m")
    height: float = Field(gt=0, description="north-south extent, m")
    latitude_deg: float = Field(34.0, ge=-90, le=90, description="latitude for sun elevation, deg")
    longitude_deg: float = Field(113.8, ge=-180, le=180, description="longitude, deg east")
    utc_offset_h: float = Field(8.0, ge=-12, le=14, description="local clock offset from UTC, h")
    water: tuple[Ring, ...] = Field(min_length=1, description="water polygons (lake, river), m")
    islands: tuple[Ring, ...] = Field((), description="land polygons inside the water, m")
    no_swimming: tuple[Area, ...] = Field(description="areas of water where swimming is banned")
    no_fishing: tuple[Area, ...] = Field(description="shore stretches where fishing is banned")
    shore_margin: float = Field(5.0, gt=0, description="boats keep this far from shore and islands, m")
    current: CurrentSpec | None = Field(None, description="water current boats move through (none if absent)")
    climate: Climate = Field(
        default_factory=Climate, description="air and lake temperatures by season and hour (thermal cameras)"
    )
