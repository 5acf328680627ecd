"""How far one sees through each weather: the meteorological visibility and the extinction length the
renderer blends distant things towards the fog colour with, the long-wave infrared extinction a thermal
camera sees through (:mod:`sim.render.radiometry`), and the optical depth of a distance in either band (the
``hazard`` model's weather covariate, :mod:`sim.sensing.alarm_hazard`)."""

from __future__ import annotations

import math

import numpy as np

from sim.scenario.models import SensorType, Weather

KOSCHMIEDER = 3.912
"""ln(1 / 0.02): a dark object's contrast against the horizon sky falls to 2 % at the meteorological
visibility, so the extinction coefficient is 3.912 / visibility (Koschmieder 1924, *Beiträge zur Physik der
freien Atmosphäre* 12:33-53; Middleton 1952, *Vision through the Atmosphere*)."""
VISIBILITY_M = {Weather.CLEAR: 78_240.0, Weather.HAZE: 900.0, Weather.FOG: 160.0, Weather.RAIN: 2_500.0}
"""Meteorological visibility per weather (assumption: typical values for each category), m. Clear air's
is that of the 20-km extinction length its frames were drawn with from the start (20 km × 3.912)."""
EXTINCTION_LENGTH_M = {
    Weather.CLEAR: 20_000.0,  # as drawn since the first frames: clear frames stay byte for byte
    **{w: VISIBILITY_M[w] / KOSCHMIEDER for w in (Weather.HAZE, Weather.FOG, Weather.RAIN)},
}
"""Distance over which what lies beyond keeps 1/e of its contrast in visible light, m: the visibility over
:data:`KOSCHMIEDER`. Until 2026-12-07 the renderer blended by exp(−d / visibility), haze and fog about four
times as transparent as their visibility (docs/detectors.md, "Weather and the alarm rates")."""


CLEAR_AIR_PER_KM = 0.2
"""Band extinction of clear, humid air by water vapour, 1/km: 82 % transmitted over 1 km (assumption: a
humid summer atmosphere; FLIR's technical note "Seeing through fog and rain with a thermal imaging camera"
says humid summer air attenuates more than winter air, and gives no single figure)."""
RAIN_RATE_MM_H = 5.0
"""Rain rate of ``weather: rain``, mm/h (assumption: moderate rain)."""
RAIN_DB_PER_KM = 1.076 * RAIN_RATE_MM_H**0.67
"""Rain attenuation of infrared light, dB/km: 1.076 R^0.67 (Carbonneau & Wisely, as adopted by ITU-R
P.1814, "Prediction methods required for the design of terrestrial free-space optical links"); raindrops
are far larger than the wavelength, so it hardly depends on it."""
AEROSOL_WAVELENGTH_M = 10e-6
"""The band's centre, where the aerosol's extinction is evaluated, m."""


def kruse_exponent(visibility_km: float) -> float:
    """Kruse's wavelength exponent q of aerosol extinction, β(λ) = (3.912 / V) (λ / 0.55 µm)^−q (Kruse,
    McGlauchlin & McQuistan 1962, *Elements of Infrared Technology*): 1.6 above 50 km, 1.3 above 6 km,
    0.585 V^(1/3) below."""
    if visibility_km > 50.0:
        return 1.6
    if visibility_km > 6.0:
        return 1.3
    return 0.585 * visibility_km ** (1.0 / 3.0)


def _aerosol_per_km(visibility_m: float) -> float:
    """Long-wave extinction of haze or fog of meteorological visibility ``visibility_m``, 1/km (Kruse)."""
    v_km = visibility_m / 1000.0
    return 3.912 / v_km * (AEROSOL_WAVELENGTH_M / 0.55e-6) ** (-kruse_exponent(v_km))


LWIR_EXTINCTION_PER_KM = {
    Weather.CLEAR: CLEAR_AIR_PER_KM,
    Weather.HAZE: CLEAR_AIR_PER_KM + _aerosol_per_km(VISIBILITY_M[Weather.HAZE]),
    Weather.FOG: CLEAR_AIR_PER_KM + _aerosol_per_km(VISIBILITY_M[Weather.FOG]),
    Weather.RAIN: CLEAR_AIR_PER_KM + RAIN_DB_PER_KM * math.log(10.0) / 10.0,
}
"""Band extinction per weather, 1/km. Haze (900 m) 1.05, fog (160 m) 9.9, rain 0.93, against 4.3, 24 and
1.6 for visible light (3.912 / visibility, Koschmieder): fog and rain attenuate long-wave infrared less.
Kruse's law was fitted to small aerosol particles; fog of large droplets attenuates long-wave infrared
nearly as much as visible light (Pierce, Ramaprasad & Eisenberg 2001, SPIE 4530; Hagen 2018, SPIE 10765):
the fog figure is the optimistic end (radiation fog)."""


def optical_depth(
    distance_m: np.ndarray | float, weather: Weather, sensor: SensorType = SensorType.VISIBLE
) -> np.ndarray:
    """Optical depth over ``distance_m`` (m) of air in ``weather`` in the band of ``sensor`` (1): what lies
    there keeps exp(−depth) of its contrast; d / L for visible light (:data:`EXTINCTION_LENGTH_M`), β d for
    a thermal camera's long-wave infrared (:data:`LWIR_EXTINCTION_PER_KM`)."""
    distance = np.asarray(distance_m, dtype=np.float64)
    if sensor is SensorType.THERMAL:
        return LWIR_EXTINCTION_PER_KM[weather] / 1000.0 * distance  # radiometry.transmittance's order
    return distance / EXTINCTION_LENGTH_M[weather]
