"""Temperatures of air and water at an instant (:class:`~sim.render.conditions.ThermalScene`), from the
scenario's climate (``zone.climate``), and the conditions of a camera's frame at a time of the run.

* Air: the monthly means, interpolated linearly between mid-months (a smooth annual cycle), plus a daily
  cosine of amplitude ``air_daily_range / 2`` peaking at 15:00 local time (assumption: a simplification of
  Parton & Logan 1981, *Agric. Meteorol.* 23:205, whose daily maximum comes 1.5-2 h after solar noon).
* Lake surface: the daily mean air temperature ``water_lag_days`` earlier plus ``water_excess``, never below
  ``water_minimum`` (a shallow, well-mixed lake follows the air with a lag: Piccolroaz, Toffolon & Majone
  2013, *Hydrol. Earth Syst. Sci.* 17:3323, "air2water"), plus a daily cosine of 0.5 K peaking at 16:00
  (:data:`WATER_DAILY_AMPLITUDE_K`, assumption: sunshine warms the top centimetres of calm lakes by about a
  kelvin by late afternoon).
* Temperatures are rounded to :data:`ROUND_K` and the sun's elevation to :data:`ROUND_DEG` (a sun below
  the horizon counts as on it: nothing depends on how far below), so that the frames of several minutes
  share one prepared backdrop: a thermal camera's automatic gain hides such steps.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import cache

import numpy as np

from sim.render.conditions import Conditions, ThermalScene
from sim.scenario.models import Camera, Climate, Light, Scenario, SensorType, Weather, Zone
from sim.world.daylight import Daylight, sun_elevation_deg

KELVIN = 273.15
WARMEST_AIR_HOUR = 15.0
"""Local clock hour of the day's warmest air, h (assumption, module docstring)."""
WARMEST_WATER_HOUR = 16.0
"""Local clock hour of the warmest lake surface, h (assumption)."""
WATER_DAILY_AMPLITUDE_K = 0.5
"""Half the daily swing of the lake surface's temperature, K (assumption)."""
ROUND_K = 0.25
ROUND_DEG = 2.0
TYPICAL_DATE = datetime(2026, 7, 18)
"""The default scenario's date (``run.start``): a July Saturday."""
TYPICAL_HOUR = {Light.DAY: 15.0, Light.DUSK: 19.75, Light.NIGHT: 2.0}
"""A typical local hour of each light level on :data:`TYPICAL_DATE` in Xuchang (sunset about 19:35, so the
sun is 2° below the horizon at 19:45), h."""


def _year_fraction(when: datetime) -> float:
    """Days since 1 January 00:00 of ``when``'s year, as a fraction of a 365.25-day year."""
    start = datetime(when.year, 1, 1)
    return (when - start).total_seconds() / 86400.0 / 365.25


def daily_mean_air_c(climate: Climate, when: datetime) -> float:
    """Daily mean air temperature (°C) at ``when``: monthly means interpolated between mid-months."""
    anchors = (np.arange(12) + 0.5) / 12.0  # mid-months, as fractions of the year
    return float(np.interp(_year_fraction(when), anchors, climate.air_temperature, period=1.0))


def _hour(when: datetime) -> float:
    return when.hour + when.minute / 60.0 + when.second / 3600.0


def air_temperature_k(climate: Climate, when: datetime) -> float:
    """Air temperature (K) at local time ``when``."""
    daily = math.cos(2.0 * math.pi * (_hour(when) - WARMEST_AIR_HOUR) / 24.0)
    return daily_mean_air_c(climate, when) + 0.5 * climate.air_daily_range * daily + KELVIN


def water_temperature_k(climate: Climate, when: datetime) -> float:
    """Lake surface temperature (K) at local time ``when``."""
    lagged = daily_mean_air_c(climate, when - timedelta(days=climate.water_lag_days))
    base = max(lagged + climate.water_excess, climate.water_minimum)
    daily = math.cos(2.0 * math.pi * (_hour(when) - WARMEST_WATER_HOUR) / 24.0)
    return base + WATER_DAILY_AMPLITUDE_K * daily + KELVIN


def _rounded(value: float, step: float) -> float:
    return round(value / step) * step


def scene_at(climate: Climate, when: datetime, sun_elevation: float) -> ThermalScene:
    """The thermal scene at local time ``when`` with the sun at ``sun_elevation`` (deg), rounded."""
    return ThermalScene(
        _rounded(air_temperature_k(climate, when), ROUND_K),
        _rounded(water_temperature_k(climate, when), ROUND_K),
        _rounded(max(sun_elevation, 0.0), ROUND_DEG),
    )


@cache
def typical_scene(light: Light, zone: Zone | None = None) -> ThermalScene:
    """The thermal scene at a typical hour of ``light`` on :data:`TYPICAL_DATE` in ``zone`` (default: the
    default zone, Xuchang): what a thermal frame shows when only the light level is known (the contact
    sheet, tuning clips)."""
    keys = ("latitude_deg", "longitude_deg", "utc_offset_h")
    if zone is None:
        place, climate = [Zone.model_fields[key].default for key in keys], Climate()
    else:
        place, climate = [getattr(zone, key) for key in keys], zone.climate
    when = TYPICAL_DATE + timedelta(hours=TYPICAL_HOUR[light])
    return scene_at(climate, when, float(sun_elevation_deg(when, *place)[0]))


def typical_conditions(scenario: Scenario, spec: Camera, light: Light, weather: Weather) -> Conditions:
    """What camera ``spec`` sees at a typical instant of ``light`` in ``weather`` (rendered clips that stand
    for a condition, not for a time of the run: ``tune``, ``dataset``): the run's wind, the camera's infrared
    mode, uncompressed; for a thermal camera the thermal scene of :func:`typical_scene` in the scenario's
    zone and climate."""
    scene = typical_scene(light, scenario.zone) if spec.sensor is SensorType.THERMAL else None
    return Conditions(light, weather, scenario.run.wind_speed, spec.infrared, scene=scene)


def conditions_at(
    scenario: Scenario, spec: Camera, daylight: Daylight, t: float, jpeg_quality: int | None = None
) -> Conditions:
    """What camera ``spec`` sees at run time ``t`` (s): light, the run's weather and wind, its infrared
    mode; for a thermal camera also the thermal scene. ``jpeg_quality``: None keeps frames raw."""
    run = scenario.run
    light = daylight.light(t)
    scene = None
    if spec.sensor is SensorType.THERMAL:
        when = run.start + timedelta(seconds=float(t))
        scene = scene_at(scenario.zone.climate, when, float(daylight.elevation(t)[0]))
    return Conditions(light, run.weather, run.wind_speed, spec.infrared, jpeg_quality, scene)
