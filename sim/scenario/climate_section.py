"""Scenario model of the site's climate (``zone.climate``): the air and lake temperatures a thermal camera
sees, by season and time of day (:mod:`sim.render.thermal_scene` turns them into temperatures at an
instant).

Defaults: Xuchang, Henan (the default zone). Monthly mean air temperatures are those of Zhengzhou, 80 km
north on the same plain, averaged over 2008 and 2009 (National Bureau of Statistics of China, China
Statistical Yearbook 2009 table 11-13 and 2010 table 12-13, "Monthly Average Temperature of Major
Cities"): two years, not a 30-year normal. See :mod:`sim.scenario.models` for the whole scenario.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.fields import Celsius, Strict

ZHENGZHOU_2008_2009_C = (0.15, 4.35, 11.1, 16.95, 22.85, 27.4, 27.25, 26.4, 21.3, 17.85, 8.05, 3.35)
"""Monthly mean air temperature, January to December, °C (Zhengzhou, mean of 2008 and 2009; module
docstring)."""


class Climate(Strict):
    """Air and lake-surface temperatures of the site (thermal cameras only; visible frames ignore them)."""

    air_temperature: tuple[Celsius, ...] = Field(
        ZHENGZHOU_2008_2009_C,
        min_length=12,
        max_length=12,
        description="monthly mean air temperature, January to December (interpolated between mid-months), °C",
    )
    air_daily_range: float = Field(
        9.0,
        ge=0,
        le=40,
        description="warmest minus coldest air temperature of a day (warmest at 15:00 local time), K; "
        "default an assumption: Xuchang's June means run from 22 to 33 °C, July's high is 32 °C "
        "against a monthly mean of 27 °C",
    )
    water_lag_days: float = Field(
        15.0,
        ge=0,
        le=120,
        description="the lake's surface follows the daily mean air temperature this many days late, d "
        "(assumption: a shallow, well-mixed lake; Piccolroaz et al. 2013, air2water)",
    )
    water_excess: float = Field(
        1.5,
        ge=-20,
        le=20,
        description="surface water temperature above the lagged daily mean air temperature, K "
        "(assumption: shallow lakes in summer run 1-2 K warmer than the air)",
    )
    water_minimum: Celsius = Field(
        2.0,
        ge=0,
        description="coldest surface water temperature (the lake does not freeze in this model), °C",
    )
