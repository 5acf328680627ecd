"""How far one sees through each weather: the meteorological visibility and the extinction length the
renderer blends distant things towards the fog colour with, and the optical depth of a distance (the
``hazard`` model's weather covariate, :mod:`sim.sensing.alarm_hazard`)."""

from __future__ import annotations

import numpy as np

from sim.scenario.models import Weather

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


def optical_depth(distance_m: np.ndarray | float, weather: Weather) -> np.ndarray:
    """Optical depth of visible light over ``distance_m`` (m) of air in ``weather``, d / L (1): what lies
    there keeps exp(−d / L) of its contrast (:data:`EXTINCTION_LENGTH_M`)."""
    return np.asarray(distance_m, dtype=np.float64) / EXTINCTION_LENGTH_M[weather]
