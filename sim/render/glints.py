"""Sun glitter: where a camera sees the sun mirrored by wave facets on the water (:attr:`ActorClass.GLINT`).

A water point P shows the camera a glint when a wave facet there is tilted so that it mirrors the sun into
the lens: the facet's normal is then the half-vector of the unit vectors from P to the sun and from P to the
camera, and its slope tan β follows. Facet slopes are an isotropic Gaussian of mean square s² (Cox & Munk
1954, :func:`sim.render.conditions.mean_square_slope`), so the share of facets so tilted, against a flat
facet's share at the specular point, is exp(−tan² β / s²) (:func:`glint_weight`): the glitter lies around
the sun's mirror image, towards the sun's azimuth, longer and farther as the sun sinks (its centre is
``height / tan(elevation)`` from the pole's foot), wider in stronger wind. A camera that looks away from the
sun sees none.

:func:`glint_things` places glint patches in the water a camera sees, as many as
:data:`GLINT_DENSITY_PER_M2` per m² of weight-one water times the weather's share of sunshine
(:data:`sim.render.thermal_look.OPEN_SKY`), and none with the sun below the horizon; each patch flickers
with its own wave period (0.6-1.6 s, assumption), bright during :data:`sim.render.sprites.GLINT_DUTY` of it.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from sim.render.actors import ActorClass, MovingThing
from sim.render.conditions import mean_square_slope
from sim.render.thermal_look import OPEN_SKY
from sim.scenario.models import Weather
from sim.world.cameras import CameraModel
from sim.world.incidents import Track

GLINT_DENSITY_PER_M2 = 0.04
"""Glint patches per m² where every facet could mirror the sun (weight 1) in clear sunshine (assumption: a
patch every 5 m at the heart of the glitter, as rendered frames of a 10-m pole at 640 px look)."""
MAX_GLINTS = 40
"""Patches per camera at most: beyond, more patches add cost, not another kind of false alarm."""
CANDIDATES = 4000
"""Random points of the water in view on which the glitter's extent is estimated."""


def sun_direction(azimuth_deg: float, elevation_deg: float) -> np.ndarray:
    """Unit vector (east, north, up) towards the sun."""
    azimuth, elevation = math.radians(azimuth_deg), math.radians(elevation_deg)
    level = math.cos(elevation)
    return np.array([math.sin(azimuth) * level, math.cos(azimuth) * level, math.sin(elevation)])


def glint_weight(camera_centre: np.ndarray, xy: np.ndarray, sun: np.ndarray, wind_speed: float) -> np.ndarray:
    """(n,) share of facets at water points ``xy`` (n, 2; m) tilted to mirror the ``sun`` (unit vector)
    into a lens at ``camera_centre`` (m), against the share at the specular point: exp(−tan² β / s²)."""
    points = np.column_stack([xy, np.zeros(len(xy))])
    to_camera = camera_centre - points
    to_camera /= np.linalg.norm(to_camera, axis=1, keepdims=True)
    normal = to_camera + sun
    tan2 = (normal[:, 0] ** 2 + normal[:, 1] ** 2) / np.maximum(normal[:, 2], 1e-9) ** 2
    return np.exp(-tan2 / mean_square_slope(wind_speed))


def glint_things(
    camera: CameraModel,
    water: shapely.Geometry,
    sun: tuple[float, float],
    weather: Weather,
    wind_speed: float,
    seconds: float,
    rng: np.random.Generator,
) -> list[MovingThing]:
    """The glint patches ``camera`` sees on ``water`` (the water in its view) over a clip of ``seconds``
    with the sun at (azimuth, elevation) deg: none with the sun at or below the horizon (module docstring)."""
    azimuth, elevation = sun
    if elevation <= 0.0 or water.is_empty:
        return []
    x0, y0, x1, y1 = water.bounds
    xy = np.column_stack([rng.uniform(x0, x1, CANDIDATES), rng.uniform(y0, y1, CANDIDATES)])
    xy = xy[shapely.contains_xy(water, xy[:, 0], xy[:, 1])]
    if len(xy) == 0:
        return []
    weight = glint_weight(camera.centre, xy, sun_direction(azimuth, elevation), wind_speed)
    expected = GLINT_DENSITY_PER_M2 * OPEN_SKY[weather] * water.area * float(weight.mean())
    count = min(int(rng.poisson(expected)), MAX_GLINTS, int((weight > 0).sum()))
    if count == 0:
        return []
    chosen = xy[rng.choice(len(xy), size=count, replace=False, p=weight / weight.sum())]
    things = []
    for i, (x, y) in enumerate(chosen):
        facing = math.atan2(x - camera.centre[0], y - camera.centre[1])  # away from the camera
        track = Track(np.array([0.0, seconds + 1.0]), np.array([(x, y), (x, y)]))
        period = float(rng.uniform(0.6, 1.6))
        things.append(MovingThing(f"glint-{i}", ActorClass.GLINT, track, 0.0, seconds + 1.0, period, facing))
    return things
