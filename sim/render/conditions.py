"""Light and weather of a rendered frame: :class:`Conditions` and how each looks.

The constants say how bright each light level is, how noisy the sensor and how long the exposure (how far
one sees in each weather: :mod:`sim.world.visibility`); :func:`fog_alpha` and :func:`fog_colour` blend what
lies at a distance towards the fog colour by Koschmieder's law, contrast × exp(−3.912 d / visibility) (used
for the static background and for each actor). A thermal camera's frames depend on temperatures instead of
light: :class:`ThermalScene` (:mod:`sim.render.thermal_scene` computes it from the scenario's climate and the
clock).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.models import Light, Weather
from sim.world.visibility import optical_depth

LIGHT_LEVEL = {Light.DAY: 1.0, Light.DUSK: 0.5, Light.NIGHT: 0.07}
"""Ambient brightness relative to daylight (assumption: camera auto-exposure compresses the real range)."""
NOISE_SD = {Light.DAY: 2.5, Light.DUSK: 5.0, Light.NIGHT: 9.0}
"""Sensor noise standard deviation, 8-bit levels (assumption)."""
EXPOSURE_S = {Light.DAY: 1 / 250, Light.DUSK: 1 / 60, Light.NIGHT: 1 / 15}
"""Exposure time: moving actors blur over this time (assumption)."""


def mean_square_slope(wind_speed: float) -> float:
    """Mean square slope of the water's surface in wind of ``wind_speed`` (m/s), 1: Cox & Munk (1954,
    *J. Opt. Soc. Am.* 44:838), 0.003 + 5.12·10⁻³ U for a clean sea surface, applied to the lake as it is
    (assumption)."""
    return 0.003 + 5.12e-3 * wind_speed


@dataclass(frozen=True)
class ThermalScene:
    """The temperatures a thermal camera's frame depends on at one instant, K and deg."""

    air_k: float
    water_k: float
    """Lake surface, K."""
    sun_elevation_deg: float
    """Sunlit surfaces warm, and lamps are on below the horizon, deg."""


@dataclass(frozen=True)
class Conditions:
    """What a frame looks like apart from its actors."""

    light: Light
    weather: Weather = Weather.CLEAR
    wind_speed: float = 3.0
    """m/s"""
    infrared: bool = False
    """Infrared mode (only used at night)."""
    jpeg_quality: int | None = None
    """Encode and decode as JPEG at this quality; None keeps the raw frame."""
    scene: ThermalScene | None = None
    """Temperatures for a thermal camera (visible cameras ignore them); None: a typical instant of the
    light level (:func:`sim.render.thermal_scene.typical_scene`)."""

    @property
    def infrared_active(self) -> bool:
        return self.infrared and self.light is Light.NIGHT


def fog_alpha(distance: np.ndarray | float, conditions: Conditions) -> np.ndarray:
    """Share of the fog colour in what lies ``distance`` (m) away: 1 − exp(−d / extinction length), in
    [0, 1] (:func:`sim.world.visibility.optical_depth`)."""
    return 1.0 - np.exp(-optical_depth(distance, conditions.weather))


def fog_colour(conditions: Conditions) -> np.ndarray:
    """Colour (BGR, 8-bit levels as float) that haze and fog blend towards."""
    if conditions.infrared_active:
        return np.array([60.0, 60.0, 60.0])
    base = {Light.DAY: (205, 205, 200), Light.DUSK: (150, 150, 165), Light.NIGHT: (28, 24, 22)}[
        conditions.light
    ]
    return np.array(base, dtype=np.float64)
