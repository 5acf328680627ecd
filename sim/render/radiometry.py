"""Long-wave infrared radiometry for thermal cameras: band radiance, emissivity of water, sky, atmosphere.

What a thermal camera measures from a surface at slant distance d (W m⁻² sr⁻¹, in its 8-14 µm band)::

    L_sensor = τ(d) · [ε · L(T) + (1 − ε) · L_reflected] + (1 − τ(d)) · L(T_air)

* ``L(T)``: Planck's law integrated over 8-14 µm (:func:`band_radiance`), by the series of Widger &
  Woodall 1976 (*Bull. Am. Meteorol. Soc.* 57:1217, "Integration of the Planck blackbody radiation
  function"), exact to rounding; constants h, c, k of the SI (BIPM SI Brochure, 9th ed., 2019).
* ``ε``: the surface's emissivity; water's follows Fresnel's equations for its complex refractive index at
  10 µm, n = 1.218 + 0.0508 i (Hale & Querry 1973, *Appl. Opt.* 12:555), 0.99 seen from above, falling at
  grazing angles (0.83 at 75°, 0.70 at 80° from the vertical), where water mirrors the sky. Wind-roughened
  water is a little more emissive at grazing angles than this flat-surface figure (Masuda, Takashima &
  Takayama 1988, *Remote Sens. Environ.* 24:313): far water is drawn slightly more sky-like than it is.
* ``L_reflected``: the sky (:func:`sky_radiance`) for water, a specular mirror; half sky and half
  surroundings at air temperature for everything else (assumption: upright, diffuse surfaces).
* ``τ(d) = exp(−β d)``: Beer-Lambert over the slant path, with a band extinction ``β`` per weather
  (:data:`sim.world.visibility.LWIR_EXTINCTION_PER_KM`); the air emits what it absorbs, ``(1 − τ)
  L(T_air)`` (Kirchhoff).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from sim.scenario.models import SensorType, Weather
from sim.world.visibility import optical_depth

PLANCK_H = 6.62607015e-34
"""J s (exact, SI 2019)."""
LIGHT_C = 299_792_458.0
"""m/s (exact)."""
BOLTZMANN_K = 1.380649e-23
"""J/K (exact, SI 2019)."""
C1 = 2.0 * PLANCK_H * LIGHT_C**2
"""First radiation constant for radiance, W m² sr⁻¹."""
C2 = PLANCK_H * LIGHT_C / BOLTZMANN_K
"""Second radiation constant, m K."""
BAND_M = (8e-6, 14e-6)
"""The long-wave infrared band of uncooled microbolometers, m (REFERENCES.md: 8-14 µm)."""
WATER_INDEX = complex(1.218, 0.0508)
"""Refractive index of water at 10 µm (Hale & Querry 1973)."""

SKY_ZENITH_EMISSIVITY = {Weather.CLEAR: 0.45, Weather.HAZE: 0.6, Weather.FOG: 1.0, Weather.RAIN: 1.0}
"""In-band emissivity of the sky straight up, 1 (assumption: the 8-14 µm window of a humid summer sky is
half transparent, its zenith about 45 K colder than the air; fog and rain clouds are opaque)."""


def _widger_woodall(x: np.ndarray, terms: int = 40) -> np.ndarray:
    """∫ₓ^∞ t³ / (eᵗ − 1) dt (Widger & Woodall 1976), for x > 0."""
    total = np.zeros_like(x)
    for n in range(1, terms + 1):
        total += np.exp(-n * x) * (x**3 / n + 3 * x**2 / n**2 + 6 * x / n**3 + 6 / n**4)
    return total


def band_radiance_exact(temperature_k, band_m: tuple[float, float] = BAND_M) -> np.ndarray:
    """Blackbody radiance (W m⁻² sr⁻¹) between the wavelengths ``band_m`` (m) at ``temperature_k`` (K)."""
    t = np.asarray(temperature_k, dtype=np.float64)
    short, long = band_m
    return C1 * t**4 / C2**4 * (_widger_woodall(C2 / (long * t)) - _widger_woodall(C2 / (short * t)))


TABLE_K = (150.0, 450.0, 0.01)
"""Temperatures of the radiance table: from, to, step, K."""


@cache
def _table() -> tuple[np.ndarray, np.ndarray]:
    temperatures = np.arange(TABLE_K[0], TABLE_K[1] + TABLE_K[2] / 2, TABLE_K[2])
    return temperatures, band_radiance_exact(temperatures)


def band_radiance(temperature_k) -> np.ndarray:
    """8-14 µm blackbody radiance (W m⁻² sr⁻¹) at ``temperature_k`` (K, 150-450), from a 0.01 K table."""
    temperatures, radiance = _table()
    return np.interp(temperature_k, temperatures, radiance)


def apparent_temperature(radiance) -> np.ndarray:
    """The blackbody temperature (K) of an 8-14 µm radiance (W m⁻² sr⁻¹): what a camera reads."""
    temperatures, table = _table()
    return np.interp(radiance, table, temperatures)


def water_emissivity(incidence_rad) -> np.ndarray:
    """Emissivity of a flat water surface seen at ``incidence_rad`` from the vertical: 1 − the Fresnel
    reflectance of unpolarised light, n = :data:`WATER_INDEX`."""
    theta = np.clip(np.asarray(incidence_rad, dtype=np.float64), 0.0, math.pi / 2)
    cos_i, sin_i = np.cos(theta), np.sin(theta)
    cos_t = np.sqrt(1.0 - (sin_i / WATER_INDEX) ** 2)
    n = WATER_INDEX
    r_s = np.abs((cos_i - n * cos_t) / (cos_i + n * cos_t)) ** 2
    r_p = np.abs((n * cos_i - cos_t) / (n * cos_i + cos_t)) ** 2
    return 1.0 - 0.5 * (r_s + r_p)


def sky_emissivity(elevation_rad, weather: Weather) -> np.ndarray:
    """In-band emissivity of the sky at ``elevation_rad`` above the horizon: a plane-parallel atmosphere
    whose zenith emissivity is ε_z emits 1 − (1 − ε_z)^(1 / sin e) along a slant path (Beer-Lambert), so
    the sky warms towards the air temperature near the horizon."""
    zenith = SKY_ZENITH_EMISSIVITY[weather]
    if zenith >= 1.0:
        return np.ones_like(np.asarray(elevation_rad, dtype=np.float64))
    sine = np.clip(np.sin(np.asarray(elevation_rad, dtype=np.float64)), 1e-3, 1.0)
    return 1.0 - (1.0 - zenith) ** (1.0 / sine)


def sky_radiance(elevation_rad, air_k: float, weather: Weather) -> np.ndarray:
    """8-14 µm radiance of the sky at ``elevation_rad`` (W m⁻² sr⁻¹): its emissivity times the air's
    blackbody radiance (assumption: the emitting air is at the ground's air temperature)."""
    return sky_emissivity(elevation_rad, weather) * float(band_radiance(air_k))


def hemisphere_sky_radiance(air_k: float, weather: Weather) -> float:
    """The sky's radiance averaged over the hemisphere, weighted by cos(zenith angle) as a horizontal
    diffuse surface receives it, W m⁻² sr⁻¹."""
    elevation = np.linspace(0.0, math.pi / 2, 181)[1:]
    weight = np.sin(elevation) * np.cos(elevation)  # cos(zenith) · sin(zenith) with zenith = 90° − e
    return float((sky_radiance(elevation, air_k, weather) * weight).sum() / weight.sum())


def transmittance(distance_m, weather: Weather) -> np.ndarray:
    """Share of 8-14 µm radiance that crosses ``distance_m`` (m) of air in ``weather``: exp(−β d)."""
    return np.exp(-optical_depth(distance_m, weather, SensorType.THERMAL))


def radiance_per_kelvin(temperature_k: float) -> float:
    """dL/dT of the band at ``temperature_k`` (K), W m⁻² sr⁻¹ K⁻¹: turns a NETD into radiance."""
    return float(band_radiance(temperature_k + 0.5) - band_radiance(temperature_k - 0.5))
