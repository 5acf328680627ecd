"""Sun elevation and the light level it gives, from the run's start date-time.

Sun position: NOAA Global Monitoring Laboratory, "General Solar Position
Calculations" (fractional-year series for the equation of time and the
declination; accurate to about 0.5 degree, plenty for day/dusk/night).
Light levels: *day* with the sun at least 6 degrees up, *dusk* from 6 degrees
up to the end of civil twilight (6 degrees below the horizon), *night* below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from sim.scenario.models import Light

LIGHT_ORDER = (Light.NIGHT, Light.DUSK, Light.DAY)
_DUSK_BELOW_DEG = 6.0
_NIGHT_BELOW_DEG = -6.0


def _hour_angle_and_declination(
    when: datetime | np.ndarray, longitude_deg: float, utc_offset_h: float
) -> tuple[np.ndarray, np.ndarray]:
    """The sun's hour angle and declination (rad) at local clock time(s) ``when`` (NOAA series)."""
    stamps = np.atleast_1d(np.asarray(when, dtype="datetime64[s]"))
    year_start = stamps.astype("datetime64[Y]")
    day_of_year = (stamps.astype("datetime64[D]") - year_start).astype(float) + 1.0
    seconds_of_day = (stamps - stamps.astype("datetime64[D]")).astype(float)
    hour = seconds_of_day / 3600.0
    year = year_start.astype(int) + 1970
    days_in_year = np.where((year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0)), 366.0, 365.0)
    gamma = 2.0 * np.pi / days_in_year * (day_of_year - 1.0 + (hour - 12.0) / 24.0)
    eq_time_min = 229.18 * (
        0.000075
        + 0.001868 * np.cos(gamma)
        - 0.032077 * np.sin(gamma)
        - 0.014615 * np.cos(2 * gamma)
        - 0.040849 * np.sin(2 * gamma)
    )
    declination = (
        0.006918
        - 0.399912 * np.cos(gamma)
        + 0.070257 * np.sin(gamma)
        - 0.006758 * np.cos(2 * gamma)
        + 0.000907 * np.sin(2 * gamma)
        - 0.002697 * np.cos(3 * gamma)
        + 0.00148 * np.sin(3 * gamma)
    )
    true_solar_min = hour * 60.0 + eq_time_min + 4.0 * longitude_deg - 60.0 * utc_offset_h
    return np.radians(true_solar_min / 4.0 - 180.0), declination


def sun_elevation_deg(
    when: datetime | np.ndarray, latitude_deg: float, longitude_deg: float, utc_offset_h: float
) -> np.ndarray:
    """Solar elevation angle (deg) at local clock time(s) ``when`` (datetime or datetime64 array)."""
    hour_angle, declination = _hour_angle_and_declination(when, longitude_deg, utc_offset_h)
    latitude = np.radians(latitude_deg)
    cos_zenith = np.sin(latitude) * np.sin(declination) + np.cos(latitude) * np.cos(declination) * np.cos(
        hour_angle
    )
    return 90.0 - np.degrees(np.arccos(np.clip(cos_zenith, -1.0, 1.0)))


def sun_azimuth_deg(
    when: datetime | np.ndarray, latitude_deg: float, longitude_deg: float, utc_offset_h: float
) -> np.ndarray:
    """Solar azimuth (deg clockwise from north, in [0, 360)) at local clock time(s) ``when``: from south,
    atan2(sin h, cos h · sin φ − tan δ · cos φ) for hour angle h, latitude φ and declination δ (the
    spherical triangle of the same NOAA page), turned by 180°."""
    hour_angle, declination = _hour_angle_and_declination(when, longitude_deg, utc_offset_h)
    latitude = np.radians(latitude_deg)
    from_south = np.arctan2(
        np.sin(hour_angle), np.cos(hour_angle) * np.sin(latitude) - np.tan(declination) * np.cos(latitude)
    )
    return np.mod(np.degrees(from_south) + 180.0, 360.0)


def light_from_elevation(elevation_deg: np.ndarray) -> np.ndarray:
    """Index into :data:`LIGHT_ORDER` (0 night, 1 dusk, 2 day) for each elevation."""
    return np.digitize(elevation_deg, [_NIGHT_BELOW_DEG, _DUSK_BELOW_DEG])


@dataclass(frozen=True)
class Daylight:
    """Light level as a function of simulation time for one site and start date-time."""

    start: datetime
    latitude_deg: float
    longitude_deg: float
    utc_offset_h: float

    def clock(self, t: np.ndarray | float) -> np.ndarray:
        """Local date-times (datetime64[ms]) of simulation times ``t`` (s)."""
        offsets = (np.atleast_1d(np.asarray(t, dtype=float)) * 1000.0).astype("timedelta64[ms]")
        return np.datetime64(self.start, "ms") + offsets

    def elevation(self, t: np.ndarray | float) -> np.ndarray:
        """Sun elevation (deg) at simulation times ``t`` (s)."""
        return sun_elevation_deg(self.clock(t), self.latitude_deg, self.longitude_deg, self.utc_offset_h)

    def light_index(self, t: np.ndarray | float) -> np.ndarray:
        """0 night, 1 dusk, 2 day, at simulation times ``t`` (s)."""
        return light_from_elevation(self.elevation(t))

    def light(self, t: float) -> Light:
        return LIGHT_ORDER[int(self.light_index(t)[0])]


def local_hour_and_month(start: datetime, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local clock hour (0..23) and month index (0 = January) at simulation times ``t`` (s)."""
    stamps = np.datetime64(start, "ms") + (np.asarray(t, dtype=float) * 1000.0).astype("timedelta64[ms]")
    hour = (stamps - stamps.astype("datetime64[D]")).astype("timedelta64[h]").astype(int)
    month = stamps.astype("datetime64[M]").astype(int) % 12
    return hour, month
