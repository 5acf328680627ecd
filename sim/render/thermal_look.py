"""A thermal camera's backdrop under one thermal scene (a :class:`~sim.render.backdrop.Look`), and the grey
level of each part of its actors (:class:`ThermalShading`).

Every pixel's 8-14 µm radiance at the sensor follows :mod:`sim.render.radiometry` from the temperature and
emissivity of what it sees; an automatic gain (:class:`Gain`) maps radiance to 8-bit grey, white hot, as a
thermal core's does; sensor noise of the core's NETD is added in grey levels. Frames stay BGR (three equal
channels), so detectors and video writers take them as they take visible frames.

Ground (assumptions where no source is named): the air temperature, plus sunshine warming up to ``sun_k``
with the sun at the zenith, minus radiative cooling at night up to ``night_k`` (:data:`GROUND_HEAT`);
emissivities from the IDEAL HeatSeeker 160 manual's table (sand 0.76, concrete 0.92, dry soil 0.92) and
0.98 for grass and trees (green vegetation is nearly black in 8-14 µm: assumption). Grass on clear nights
cools below the air (hence frost on grass while the air stays above freezing); paving releases the day's
heat into the night. Clouds, fog and rain keep surfaces near the air temperature (:data:`OPEN_SKY`).
Water: the lake's surface temperature, Fresnel emissivity by viewing angle and the sky it mirrors, on
facets tilted by the slope spread of Cox & Munk (1954, *J. Opt. Soc. Am.* 44:838: mean square slope
0.003 + 5.12·10⁻³ U for wind speed U in m/s, a clean sea surface, applied to the lake as it is:
assumption); the drawn waves carry :data:`RESOLVED_SLOPE_SHARE` of it, the finer ones average within a
pixel and raise the emissivity at grazing angles (Masuda et al. 1988). Street lamps at night: heads 25 K
above the air on 5 m poles (assumption: LED luminaires shed their heat through their housings).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from sim.render.actors import Actor
from sim.render.backdrop import (
    Look,
    ground_texture,
    look_random,
    noise_order,
    noise_tiles,
    wave_field,
    wave_tiles,
)
from sim.render.conditions import Conditions, ThermalScene, mean_square_slope
from sim.render.ground_map import BEYOND, GRASS, ISLAND, PATH, SHORE, WATER, GroundMap
from sim.render.radiometry import (
    apparent_temperature,
    band_radiance,
    hemisphere_sky_radiance,
    sky_radiance,
    transmittance,
    water_emissivity,
)
from sim.render.surfaces import CLOTHING, HEAT, Surface, sunshine, surface_temperature
from sim.scenario.models import Light, ThermalCore, Weather
from sim.world.cameras import CameraModel
from sim.world.visibility import LWIR_EXTINCTION_PER_KM, VISIBILITY_M


@dataclass(frozen=True)
class GroundHeat:
    emissivity: float
    """8-14 µm, 1"""
    sun_k: float
    """Above the air with the sun at the zenith in clear weather, K."""
    night_k: float
    """Below the air on a clear night, K."""
    texture_k: float
    """Spread of temperature over the ground's texture, K."""


GROUND_HEAT = {
    GRASS: GroundHeat(0.98, 4.0, 3.0, 0.5),
    SHORE: GroundHeat(0.76, 15.0, 1.5, 0.8),  # sand
    PATH: GroundHeat(0.92, 20.0, -1.0, 0.4),  # concrete paving
    ISLAND: GroundHeat(0.98, 2.0, 1.0, 1.0),  # trees and reeds
    BEYOND: GroundHeat(0.92, 8.0, 0.0, 1.0),  # town beyond the zone: soil, roofs, roads
}
"""Ground kinds to a thermal camera (assumptions; module docstring)."""
WATER_TEXTURE_K = 0.1
"""Spread of the lake surface's temperature over its texture, K (assumption)."""
OPEN_SKY = {Weather.CLEAR: 1.0, Weather.HAZE: 0.7, Weather.FOG: 0.2, Weather.RAIN: 0.1}
"""Share of clear-sky sunshine and night cooling each weather lets through, 1 (assumption)."""
COOLING_FROM_DEG = 10.0
"""Night cooling sets in as the sun sinks below this elevation, full at the horizon, deg (assumption)."""
SLOPE_NODES = 9
"""Gauss-Hermite nodes over the water's slopes."""
RESOLVED_SLOPE_SHARE = 0.35
"""Share of the slope spread (standard deviation) carried by the drawn waves, 0.55-3.4 m long; shorter
ones average out within a pixel (assumption: most slope variance sits in short, centimetre waves)."""
LAMP_HEIGHT_M, LAMP_HEAD_M, LAMP_POLE_M = 5.0, 0.2, 0.12
"""Street lamps: height of the head, its radius and the pole's width, m (assumption)."""
LAMP_EXCESS_K = 25.0
LAMP_EMISSIVITY = 0.94
"""Painted metal (oil paint in the HeatSeeker table)."""

AGC_TAIL = 0.005
"""The gain ignores this share of the scene's pixels at each end (tail rejection), 1."""
AGC_BINS = 256
AGC_PLATEAU = 3.0
"""Plateau equalisation (Vickers 1996, *Opt. Eng.* 35:1921): no radiance bin counts more than this many
times the mean bin, so a large uniform area (the lake) does not take all the grey levels."""
AGC_LINEAR_SHARE = 0.5
"""Share of a linear map mixed into the equalised one, as thermal cores do ("linear percent" of FLIR's
AGC settings): keeps temperatures between the scene's clusters apart. Assumption."""
AGC_MIN_SPAN_K = 8.0
"""The gain never spreads less than this many kelvin over the 256 levels (a core's "max gain"), K."""
AGC_HEADROOM = 0.2
"""Share of the grey levels left above the backdrop's warmest (tail-rejected) radiance for what is warmer:
people, motors, lamps; the linear map goes on up there at the backdrop's mean slope. Assumption: a core's
tail rejection lets the hottest few pixels of a scene, not the backdrop's, reach white."""
AGC_TABLE = 4096
"""Entries of the radiance-to-grey table, over the gain's range."""


class Gain:
    """Automatic gain: 8-14 µm radiance at the sensor (W m⁻² sr⁻¹) to 8-bit grey, white hot; set once per
    backdrop from its radiance histogram. Actors cover few pixels and real cores damp their gain over
    seconds (assumption), so the gain follows the background."""

    def __init__(self, radiance: np.ndarray):
        values = radiance.ravel()
        low, high = (float(v) for v in np.quantile(values, [AGC_TAIL, 1.0 - AGC_TAIL]))
        centre = float(apparent_temperature(np.median(values)))
        span = float(band_radiance(centre + AGC_MIN_SPAN_K / 2) - band_radiance(centre - AGC_MIN_SPAN_K / 2))
        if high - low < span:
            middle = 0.5 * (low + high)
            low, high = middle - span / 2, middle + span / 2
        counts, edges = np.histogram(values, AGC_BINS, (low, high))
        clipped = np.minimum(counts, AGC_PLATEAU * max(1.0, counts.sum()) / AGC_BINS)
        cumulative = np.concatenate([[0.0], np.cumsum(clipped)]) / max(clipped.sum(), 1e-12)
        top = high + (high - low) * AGC_HEADROOM / (1.0 - AGC_HEADROOM)
        self.low, self.high = low, top
        self._x = np.linspace(low, top, AGC_TABLE)
        linear = (self._x - low) / (high - low)
        equalised = np.interp(self._x, edges, cumulative, right=1.0) + np.maximum(linear - 1.0, 0.0)
        mixed = AGC_LINEAR_SHARE * linear + (1.0 - AGC_LINEAR_SHARE) * equalised
        self.table = np.clip(255.0 * (1.0 - AGC_HEADROOM) * mixed, 0.0, 255.0)
        self._levels = np.rint(self.table).astype(int).tolist()
        self._per_entry = (AGC_TABLE - 1) / (top - low)

    def grey(self, radiance: np.ndarray) -> np.ndarray:
        """Grey levels (float, 0-255) of radiances."""
        return np.interp(radiance, self._x, self.table)

    def level(self, radiance: float) -> int:
        """The grey level (0-255) of one radiance (fast: no numpy)."""
        index = round((radiance - self.low) * self._per_entry)
        return self._levels[min(max(index, 0), AGC_TABLE - 1)]

    def levels_per_kelvin(self, temperature_k: float) -> float:
        """Grey levels per kelvin of scene temperature around ``temperature_k`` (K)."""
        radiance = band_radiance(np.array([temperature_k - 0.5, temperature_k + 0.5]))
        low, high = self.grey(radiance)
        return float(high - low)


class ThermalShading:
    """Grey levels of actors' surfaces at a distance: emitted and reflected radiance, then the air's
    transmission and emission over the path, then the gain. Surfaces' radiances are kept per scene."""

    def __init__(self, scene: ThermalScene, weather: Weather, gain: Gain):
        self.scene, self.gain = scene, gain
        self.air = float(band_radiance(scene.air_k))
        # Upright diffuse surfaces see half sky and half surroundings near air temperature (assumption).
        self.reflected = 0.5 * (hemisphere_sky_radiance(scene.air_k, weather) + self.air)
        self.extinction_per_m = LWIR_EXTINCTION_PER_KM[weather] / 1000.0
        self.sunshine = sunshine(scene.sun_elevation_deg, OPEN_SKY[weather])
        self._leaving: dict[tuple[Surface, int, bool], float] = {}

    def leaving(self, surface: Surface, variant: int = 0, moving: bool = False) -> float:
        """Radiance leaving ``surface`` (W m⁻² sr⁻¹): emitted plus reflected."""
        key = (surface, variant % 3 if surface in CLOTHING else 0, moving and surface is Surface.MOTOR)
        if key not in self._leaving:
            s = self.scene
            kelvin = surface_temperature(surface, s.air_k, s.water_k, self.sunshine, key[1], key[2])
            emissivity = HEAT[surface].emissivity
            self._leaving[key] = emissivity * float(band_radiance(kelvin)) + (1 - emissivity) * self.reflected
        return self._leaving[key]

    def shade(self, actor: Actor, distance: float):
        """The colour function (for ``Painter.begin``) of ``actor`` at ``distance``, m."""
        passed = math.exp(-self.extinction_per_m * distance)
        path = (1.0 - passed) * self.air
        moving = actor.speed > 0.3

        def shade(colour, surface: Surface):
            level = self.gain.level(passed * self.leaving(surface, actor.variant, moving) + path)
            return (level, level, level)

        return shade


def scene_radiance(
    g: GroundMap, texture: np.ndarray, conditions: Conditions, scene: ThermalScene, lamps: np.ndarray
) -> np.ndarray:
    """8-14 µm radiance at the sensor of every pixel of ``g``'s camera, without actors, W m⁻² sr⁻¹."""
    weather = conditions.weather
    radiance = _ground_radiance(g, texture, scene, weather, conditions.wind_speed)
    radiance[g.sky] = sky_radiance(_sky_elevation(g), scene.air_k, weather)
    radiance = radiance.astype(np.float32)
    if conditions.light is Light.NIGHT:
        _draw_lamps(radiance, g.camera, lamps, scene, weather)
    return radiance


def build_thermal_look(
    ground: GroundMap,
    seed: int,
    conditions: Conditions,
    scene: ThermalScene,
    core: ThermalCore,
    lamps: np.ndarray,
    whole: GroundMap | None = None,
) -> Look:
    """The backdrop of ``ground``'s thermal camera in ``scene``; deterministic for ``seed`` (the random draws
    of :func:`sim.render.backdrop.build_look`, in its order). ``whole``: for a crop of a camera's image
    (a far-bank tile), the whole image (at any size): the gain is the whole frame's, as a core's is."""
    g = ground
    rng = look_random(seed)
    texture = ground_texture(g, rng)
    weather = conditions.weather
    radiance = scene_radiance(g, texture, conditions, scene, lamps)
    if whole is None:
        gain = Gain(radiance)
    else:
        gain = Gain(scene_radiance(whole, ground_texture(whole, look_random(seed)), conditions, scene, lamps))
    background = cv2.cvtColor(np.rint(gain.grey(radiance)).astype(np.uint8), cv2.COLOR_GRAY2BGR)

    field = wave_field(g, rng)
    amplitude = None if field is None else _wave_amplitude(g, field.rows, scene, conditions, gain)
    wave_up, wave_down, rows = wave_tiles(field, g.shape[1], lambda surface: surface * amplitude)
    median_k = float(apparent_temperature(np.median(radiance)))
    sd = core.netd / 1000.0 * gain.levels_per_kelvin(median_k)
    noise_up, noise_down = noise_tiles(g.shape, sd, 1, rng)
    air_grey = float(gain.grey(band_radiance(scene.air_k)))
    return Look(
        background=background,
        wave_up=wave_up,
        wave_down=wave_down,
        noise_up=noise_up,
        noise_down=noise_down,
        noise_order=noise_order(seed),
        fog_colour=np.full(3, air_grey),  # what fog and distance blend towards: the air
        visibility_m=VISIBILITY_M[weather],
        wave_rows=rows,
        thermal=ThermalShading(scene, weather, gain),
    )


def _ground_temperature(
    g: GroundMap, texture: np.ndarray, scene: ThermalScene, weather: Weather
) -> np.ndarray:
    """Kinetic temperature of what each ground pixel sees, K."""
    open_sky = OPEN_SKY[weather]
    sun = sunshine(scene.sun_elevation_deg, open_sky)
    night = open_sky * min(1.0, max(0.0, 1.0 - scene.sun_elevation_deg / COOLING_FROM_DEG))
    kinds = [GROUND_HEAT.get(label, GroundHeat(1.0, 0.0, 0.0, WATER_TEXTURE_K)) for label in range(6)]
    sun_k, night_k, texture_k = (
        np.array([getattr(k, name) for k in kinds]) for name in ("sun_k", "night_k", "texture_k")
    )
    labels = g.labels
    temperature = scene.air_k + sun_k[labels] * sun - night_k[labels] * night + texture_k[labels] * texture
    water = labels == WATER
    temperature[water] += scene.water_k - scene.air_k
    return temperature


def _incidence(g: GroundMap, rows: slice = slice(None)) -> np.ndarray:
    """Angle between each ground pixel's line of sight and the vertical, rad."""
    height = g.camera.centre[2]
    horizontal = np.sqrt(np.maximum(g.distance[rows] ** 2 - height**2, 0.0))
    return np.arctan2(horizontal, height)


def slope_spread(wind_speed: float) -> tuple[float, float]:
    """Standard deviations of the water's slope (rad) carried by the drawn waves and by the finer ones
    each pixel averages over: Cox & Munk's total variance 0.003 + 5.12·10⁻³ U split by
    :data:`RESOLVED_SLOPE_SHARE`."""
    variance = mean_square_slope(wind_speed)
    resolved = RESOLVED_SLOPE_SHARE * math.sqrt(variance)
    return resolved, math.sqrt(variance - resolved**2)


def _water_leaving(
    incidence: np.ndarray, temperature: np.ndarray, scene: ThermalScene, weather: Weather, roughness: float
) -> np.ndarray:
    """Radiance leaving rough water seen at ``incidence`` (rad from the vertical): emitted plus the sky each
    facet mirrors, averaged over facets tilted towards or away from the camera with slope spread
    ``roughness`` (rad, Gauss-Hermite nodes), each weighted by the area it shows; facets turned away beyond
    the line of sight are hidden. So rough water at grazing angles emits more than a flat mirror (Masuda
    et al. 1988)."""
    emitted = band_radiance(temperature)
    total = np.zeros_like(incidence)
    shown = np.zeros_like(incidence)
    nodes, weights = np.polynomial.hermite_e.hermegauss(SLOPE_NODES)
    for node, weight in zip(nodes, weights, strict=True):
        tilt = node * roughness  # towards the camera
        local = incidence - tilt
        area = weight * np.maximum(np.cos(local), 0.0)
        emissivity = water_emissivity(np.abs(local))
        sky = sky_radiance(math.pi / 2 - incidence + 2.0 * tilt, scene.air_k, weather)
        total += area * (emissivity * emitted + (1.0 - emissivity) * sky)
        shown += area
    return total / np.maximum(shown, 1e-12)


def _at_sensor(
    leaving: np.ndarray, distance: np.ndarray, scene: ThermalScene, weather: Weather
) -> np.ndarray:
    passed = transmittance(distance, weather)
    return passed * leaving + (1 - passed) * float(band_radiance(scene.air_k))


def _ground_radiance(
    g: GroundMap, texture: np.ndarray, scene: ThermalScene, weather: Weather, wind_speed: float
) -> np.ndarray:
    """8-14 µm radiance at the sensor of every ground pixel, W m⁻² sr⁻¹ (sky pixels: the air's)."""
    temperature = _ground_temperature(g, texture, scene, weather)
    emissivity = np.array([GROUND_HEAT[k].emissivity if k in GROUND_HEAT else 1.0 for k in range(6)])[
        g.labels
    ]
    leaving = emissivity * band_radiance(temperature) + (1 - emissivity) * hemisphere_sky_radiance(
        scene.air_k, weather
    )
    water = g.labels == WATER
    _, roughness = slope_spread(wind_speed)
    leaving[water] = _water_leaving(_incidence(g)[water], temperature[water], scene, weather, roughness)
    return _at_sensor(leaving, g.distance, scene, weather)


def _sky_elevation(g: GroundMap) -> np.ndarray:
    """Elevation above the horizon of the line of sight of each sky pixel (in ``g.sky``'s order), rad."""
    camera = g.camera
    v, u = np.nonzero(g.sky)
    ideal = camera.undistort(np.column_stack([u + 0.5, v + 0.5]).astype(np.float64))
    rays = (
        np.column_stack([ideal, np.ones(len(ideal))]) @ np.linalg.inv(camera.intrinsics).T @ camera.rotation
    )
    return np.arctan2(rays[:, 2], np.hypot(rays[:, 0], rays[:, 1]))


def _wave_amplitude(
    g: GroundMap, rows: tuple[int, int], scene: ThermalScene, conditions: Conditions, gain: Gain
) -> np.ndarray:
    """Grey levels a unit of wave surface adds to each pixel of the water rows: half the change of the
    water's radiance at the sensor between facets tilted by the drawn waves' slope spread towards and away
    from the camera."""
    r0, r1 = rows
    water = g.labels[r0:r1] == WATER
    amplitude = np.zeros(water.shape)
    incidence = _incidence(g, slice(r0, r1))[water]
    temperature = np.full(incidence.shape, scene.water_k)
    distance = g.distance[r0:r1][water]
    weather = conditions.weather
    resolved, roughness = slope_spread(conditions.wind_speed)
    towards, away = (
        _at_sensor(
            _water_leaving(incidence + tilt, temperature, scene, weather, roughness), distance, scene, weather
        )
        for tilt in (-resolved, resolved)
    )
    amplitude[water] = 0.5 * (gain.grey(towards) - gain.grey(away))
    return amplitude


def _draw_lamps(
    radiance: np.ndarray, camera: CameraModel, lamps: np.ndarray, scene: ThermalScene, weather: Weather
) -> None:
    """Street lamps lit at night: a pole at air temperature and a warm head, drawn into ``radiance``."""
    if not len(lamps):
        return
    air = float(band_radiance(scene.air_k))
    reflected = 0.5 * (hemisphere_sky_radiance(scene.air_k, weather) + air)
    focal = float(camera.intrinsics[0, 0])
    height, width = radiance.shape
    for lx, ly in lamps:
        foot, head = camera.project(np.array([[lx, ly, 0.0], [lx, ly, LAMP_HEIGHT_M]]))
        if not (np.isfinite(foot).all() and np.isfinite(head).all()):
            continue
        distance = float(np.linalg.norm(np.array([lx, ly, LAMP_HEIGHT_M]) - camera.centre))
        if abs(head[0]) > 4 * width or abs(head[1]) > 4 * height:
            continue
        passed = float(transmittance(distance, weather))
        for kelvin, draw in ((scene.air_k, "pole"), (scene.air_k + LAMP_EXCESS_K, "head")):
            leaving = LAMP_EMISSIVITY * float(band_radiance(kelvin)) + (1 - LAMP_EMISSIVITY) * reflected
            value = passed * leaving + (1 - passed) * air
            if draw == "pole":
                thickness = max(1, round(focal * LAMP_POLE_M / distance))
                cv2.line(radiance, _px(foot), _px(head), value, thickness, cv2.LINE_8)
            else:
                radius = max(1, round(focal * LAMP_HEAD_M / distance))
                cv2.circle(radiance, _px(head), radius, value, -1, cv2.LINE_8)


def _px(uv: np.ndarray) -> tuple[int, int]:
    return round(float(uv[0]) - 0.5), round(float(uv[1]) - 0.5)
