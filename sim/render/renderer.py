"""Synthetic camera frames with exact ground truth.

Design (fast, and every pixel has a known cause):

* Once per camera: every image pixel below the horizon is traced to the
  ground through the camera model (:class:`GroundMap`): world x, y, slant
  distance and what is there (water, grass, shore, path, island, beyond the
  zone). Textures are procedural functions of the *world* position, so
  perspective is exact.
* Once per set of conditions (:class:`Look`): light (sun elevation: day, dusk,
  night with lamp pools, or an infrared camera at night), weather (haze and fog
  blend towards the fog colour by exp(−d / visibility), rain darkens and adds
  streaks), the static background, looping wave tiles (sums of travelling
  cosines in world coordinates with deep-water dispersion ω² = g k, sun glints
  on the steepest crests), sensor-noise and rain tiles.
* Per frame: copy the background, add and subtract the wave tile of this
  instant, draw the actors far to near (:mod:`sim.render.sprites`), blur moving actors
  in low light, add rain and noise tiles, optionally JPEG-encode and decode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import cv2
import numpy as np
import shapely

from sim.render.actor_reach import may_touch
from sim.render.actors import Actor, ActorClass
from sim.render.sprites import DRAW, Painter
from sim.scenario.models import Light, Weather
from sim.world.cameras import CameraModel
from sim.world.geometry import ZoneGeometry

WATER, GRASS, SHORE, PATH, ISLAND, BEYOND = range(6)
"""Ground labels of the label raster."""
RASTER_M = 0.5
"""Resolution of the label raster, m per cell."""
WAVE_PHASES = 24
WAVE_LOOP_S = 3.0
"""Wave animation: this many tiles loop over this period (phase speeds are quantised to loop)."""
NOISE_TILES = 7
GRAVITY = 9.81

# Day colours (BGR) of each ground label.
GROUND_COLOURS = {
    WATER: (105, 88, 52),
    GRASS: (62, 128, 78),
    SHORE: (140, 168, 188),
    PATH: (150, 156, 160),
    ISLAND: (40, 84, 42),
    BEYOND: (88, 118, 100),
}
VISIBILITY_M = {Weather.CLEAR: 20_000.0, Weather.HAZE: 900.0, Weather.FOG: 160.0, Weather.RAIN: 2_500.0}
"""Meteorological visibility per weather (assumption: typical values for each category), m."""
LIGHT_LEVEL = {Light.DAY: 1.0, Light.DUSK: 0.5, Light.NIGHT: 0.07}
"""Ambient brightness relative to daylight (assumption: camera auto-exposure compresses the real range)."""
NOISE_SD = {Light.DAY: 2.5, Light.DUSK: 5.0, Light.NIGHT: 9.0}
"""Sensor noise standard deviation, 8-bit levels (assumption)."""
EXPOSURE_S = {Light.DAY: 1 / 250, Light.DUSK: 1 / 60, Light.NIGHT: 1 / 15}
"""Exposure time: moving actors blur over this time (assumption)."""


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

    @property
    def infrared_active(self) -> bool:
        return self.infrared and self.light is Light.NIGHT


@dataclass(frozen=True)
class TruthBox:
    """One visible actor in one frame: pixel box (x0, y0) inclusive to (x1, y1) exclusive."""

    actor_id: str
    cls: ActorClass
    x0: int
    y0: int
    x1: int
    y1: int
    visible_fraction: float
    """Share of the actor's box inside the image."""
    distance_m: float


@dataclass(frozen=True)
class Frame:
    t: float
    image: np.ndarray
    """H x W x 3 uint8, BGR."""
    truth: tuple[TruthBox, ...]
    conditions: Conditions
    encoded_bytes: int | None = None
    """Size of the JPEG the camera would send, bytes (None when not encoded)."""


class GroundMap:
    """What each pixel of one camera looks at; independent of light and weather."""

    def __init__(
        self, camera: CameraModel, geometry: ZoneGeometry, path_offset: float | None, lamps: np.ndarray
    ):
        self.camera = camera
        width, height = camera.size
        self.shape = (height, width)
        v, u = np.mgrid[0:height, 0:width].astype(np.float64)
        uv = np.column_stack([u.ravel() + 0.5, v.ravel() + 0.5])
        ideal = camera.undistort(uv)
        ray_rows = ideal[:, 1] > camera.horizon_row + 0.5
        ground = np.full((len(uv), 2), np.nan)
        if ray_rows.any():
            h = np.column_stack([ideal[ray_rows], np.ones(ray_rows.sum())]) @ camera.inverse_homography.T
            ground[ray_rows] = h[:, :2] / h[:, 2:3]
        self.sky = ~ray_rows.reshape(self.shape)
        gx, gy = ground[:, 0].reshape(self.shape), ground[:, 1].reshape(self.shape)
        self.gx, self.gy = np.nan_to_num(gx), np.nan_to_num(gy)
        self.distance = np.where(
            self.sky,
            np.inf,
            np.sqrt(
                (self.gx - camera.centre[0]) ** 2 + (self.gy - camera.centre[1]) ** 2 + camera.centre[2] ** 2
            ),
        )
        self.labels = self._labels(geometry, path_offset)
        # Size of one pixel on the ground (m): drives texture and wave anti-aliasing.
        self.metres_per_pixel = np.where(
            self.sky, np.inf, self.distance**2 / (camera.intrinsics[0, 0] * camera.centre[2])
        )
        lamp_d2 = np.full(self.shape, np.inf)
        for lx, ly in lamps:
            lamp_d2 = np.minimum(lamp_d2, (self.gx - lx) ** 2 + (self.gy - ly) ** 2)
        self.lamp_light = np.where(self.sky, 0.0, np.exp(-lamp_d2 / (2 * 9.0**2)))

    def _labels(self, geometry: ZoneGeometry, path_offset: float | None) -> np.ndarray:
        """Label per pixel from signed distance fields sampled bilinearly: smooth edges at any zoom."""
        bounds = geometry.bounds.bounds
        rows, cols = math.ceil(bounds[3] / RASTER_M) + 1, math.ceil(bounds[2] / RASTER_M) + 1
        map_x = (self.gx / RASTER_M).astype(np.float32)
        map_y = (self.gy / RASTER_M).astype(np.float32)

        def signed_distance(geom) -> np.ndarray:
            """Distance to the outline of ``geom`` at each pixel, negative inside, m."""
            inside = np.zeros((rows, cols), np.uint8)
            for polygon in getattr(geom, "geoms", [geom]):
                if polygon.is_empty:
                    continue
                cv2.fillPoly(
                    inside, [np.round(np.asarray(polygon.exterior.coords) / RASTER_M).astype(np.int32)], 1
                )
                for ring in polygon.interiors:
                    cv2.fillPoly(inside, [np.round(np.asarray(ring.coords) / RASTER_M).astype(np.int32)], 0)
            outside_d = cv2.distanceTransform(1 - inside, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
            inside_d = cv2.distanceTransform(inside, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
            field = (outside_d - inside_d) * RASTER_M
            coarse = cv2.remap(field, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            # The raster is exact to half a cell; near the lines that are drawn (the edge, the
            # shore band, the path) use the exact distance, so edges stay straight up close.
            near = ~self.sky & ((np.abs(coarse) < 2.0) | (np.abs(coarse - 3.0) < 2.0))
            if path_offset is not None:
                near |= ~self.sky & (np.abs(coarse - path_offset) < 3.0)
            gx, gy = self.gx[near], self.gy[near]
            exact = shapely.distance(geom.boundary, shapely.points(gx, gy))
            coarse[near] = np.where(shapely.contains_xy(geom, gx, gy), -exact, exact)
            return coarse

        to_water = signed_distance(geometry.water)
        labels = np.full(self.shape, GRASS, np.uint8)
        labels[to_water < 3.0] = SHORE
        if path_offset is not None:
            labels[np.abs(to_water - path_offset) < 1.25] = PATH
        labels[to_water < 0.0] = WATER
        if not geometry.islands.is_empty:
            labels[signed_distance(geometry.islands) < 0.0] = ISLAND
        outside = (self.gx < 0) | (self.gy < 0) | (self.gx >= bounds[2]) | (self.gy >= bounds[3])
        labels[outside | self.sky] = BEYOND
        return labels


def _value_noise(rng: np.random.Generator, size: int = 256, blur: float = 2.0) -> np.ndarray:
    """A tileable smooth noise tile in [-1, 1]."""
    tile = rng.standard_normal((size, size)).astype(np.float32)
    # Blur a 3 x 3 mosaic and keep the centre: the result wraps around seamlessly.
    tile = cv2.GaussianBlur(np.tile(tile, (3, 3)), (0, 0), blur)[size : 2 * size, size : 2 * size]
    return tile / (np.abs(tile).max() + 1e-9)


def _sample(tile: np.ndarray, x: np.ndarray, y: np.ndarray, metres_per_cell: float) -> np.ndarray:
    size = tile.shape[0]
    return tile[(y / metres_per_cell).astype(np.int64) % size, (x / metres_per_cell).astype(np.int64) % size]


@dataclass
class Look:
    """Everything about a camera's frames that depends on the conditions but not on the instant."""

    background: np.ndarray
    wave_up: list[np.ndarray]
    """Wave tiles of the image rows ``wave_rows`` (the rows with water; elsewhere there are no waves)."""
    wave_down: list[np.ndarray]
    noise_up: list[np.ndarray]
    noise_down: list[np.ndarray]
    rain: list[np.ndarray] = field(default_factory=list)
    fog_colour: np.ndarray = field(default_factory=lambda: np.zeros(3))
    visibility_m: float = 20_000.0
    ambient: float = 1.0
    wave_rows: tuple[int, int] = (0, 0)
    """First and last + 1 image row of the wave tiles."""


class Renderer:
    """Renders one camera's frames; deterministic for its ``seed``."""

    def __init__(
        self,
        camera: CameraModel,
        geometry: ZoneGeometry,
        path_offset: float | None = None,
        lamps: np.ndarray | None = None,
        seed: int = 0,
    ):
        """``path_offset``: shore path distance from the water (m); ``lamps``: (n, 2) positions (m)."""
        self.camera = camera
        self.geometry = geometry
        self.lamps = np.zeros((0, 2)) if lamps is None else np.asarray(lamps, dtype=float)
        self.path_offset = path_offset
        self.seed = seed
        self._looks: dict[tuple, Look] = {}
        # A copy of its own: GEOS builds a prepared geometry's indexes lazily, which is not thread-safe, and
        # pixel mode may render several cameras at once.
        self._islands = shapely.from_wkb(shapely.to_wkb(geometry.islands))
        shapely.prepare(self._islands)
        self._footprint = camera.footprint
        shapely.prepare(self._footprint)

    @cached_property
    def ground(self) -> GroundMap:
        return GroundMap(self.camera, self.geometry, self.path_offset, self.lamps)

    # ------------------------------------------------------------ conditions

    def look(self, conditions: Conditions) -> Look:
        key = (conditions.light, conditions.weather, conditions.wind_speed, conditions.infrared_active)
        if key not in self._looks:
            self._looks[key] = self._build_look(conditions)
        return self._looks[key]

    def _fog_alpha(self, distance: np.ndarray | float, conditions: Conditions) -> np.ndarray:
        return 1.0 - np.exp(-np.asarray(distance, dtype=np.float64) / VISIBILITY_M[conditions.weather])

    def _fog_colour(self, conditions: Conditions) -> np.ndarray:
        if conditions.infrared_active:
            return np.array([60.0, 60.0, 60.0])
        base = {Light.DAY: (205, 205, 200), Light.DUSK: (150, 150, 165), Light.NIGHT: (28, 24, 22)}[
            conditions.light
        ]
        return np.array(base, dtype=np.float64)

    def _build_look(self, conditions: Conditions) -> Look:
        g = self.ground
        rng = np.random.default_rng([self.seed, 7])
        fine, coarse = _value_noise(rng, blur=1.5), _value_noise(rng, blur=6.0)
        texture = 0.6 * _sample(fine, g.gx, g.gy, 0.35) + 0.4 * _sample(coarse, g.gx, g.gy, 2.0)
        # Fine texture fades where a pixel covers more ground than the texture's cells (no aliasing).
        texture *= np.clip(1.0 - g.metres_per_pixel / 2.0, 0.2, 1.0)
        colours = np.array([GROUND_COLOURS[k] for k in range(6)], dtype=np.float64)
        image = colours[g.labels]
        contrast = np.array([0.10, 0.22, 0.12, 0.06, 0.45, 0.15])[g.labels]
        image *= (1.0 + contrast * texture)[..., None]
        # Water reflects more sky at grazing angles (Fresnel): farther water is lighter.
        with np.errstate(invalid="ignore"):
            grazing = np.nan_to_num(g.distance / (g.distance + 6.0 * self.camera.centre[2]), nan=1.0)
        sky_tint = np.array([190.0, 170.0, 150.0])
        is_water = (g.labels == WATER)[..., None]
        image = np.where(
            is_water, image * (1 - 0.45 * grazing[..., None]) + sky_tint * 0.45 * grazing[..., None], image
        )
        image[g.sky] = self._sky(conditions)[g.sky]

        ambient = LIGHT_LEVEL[conditions.light]
        if conditions.infrared_active:
            # Infrared at night: grey levels by near-IR reflectance, lit by the camera's illuminator.
            reflectance = np.array([0.18, 0.75, 0.55, 0.5, 0.7, 0.45])[g.labels] * (1.0 + 0.2 * texture)
            illuminator = 1.0 / (1.0 + (g.distance / 70.0) ** 2)
            grey = 255.0 * reflectance * illuminator
            grey[g.sky] = 25.0
            image = np.repeat(grey[..., None], 3, axis=2)
            ambient = 1.0
        elif conditions.light is not Light.DAY:
            tint = np.array([0.8, 0.9, 1.1]) if conditions.light is Light.DUSK else np.array([1.2, 0.9, 0.8])
            lit = ambient * tint + (conditions.light is Light.NIGHT) * 0.9 * g.lamp_light[
                ..., None
            ] * np.array([0.55, 0.85, 1.0])
            ground_pixels = ~g.sky
            image[ground_pixels] = image[ground_pixels] * lit[ground_pixels]
        if conditions.weather is Weather.RAIN:
            image *= 0.85
        fog_colour = self._fog_colour(conditions)
        alpha = np.where(
            g.sky,
            0.0 if conditions.weather is Weather.CLEAR else 0.9,
            self._fog_alpha(g.distance, conditions),
        )
        image = image * (1 - alpha[..., None]) + fog_colour * alpha[..., None]
        background = np.clip(image, 0, 255).astype(np.uint8)

        wave_up, wave_down, wave_rows = self._waves(conditions, ambient, alpha, rng)
        noise_up, noise_down = self._noise(conditions, rng)
        rain = self._rain(rng) if conditions.weather is Weather.RAIN else []
        return Look(
            background,
            wave_up,
            wave_down,
            noise_up,
            noise_down,
            rain,
            fog_colour,
            VISIBILITY_M[conditions.weather],
            ambient,
            wave_rows,
        )

    def _sky(self, conditions: Conditions) -> np.ndarray:
        height = self.ground.shape[0]
        # 0 at the top of the camera's whole image, 1 at its bottom (a tile shows its own rows of it).
        top = 0 if self.camera.window is None else self.camera.window[1]
        full_height = self.camera.spec.resolution[1]
        rows = ((np.arange(height) + top) / max(1, full_height - 1))[:, None, None]
        top, horizon = {
            Light.DAY: ((225, 170, 110), (235, 215, 200)),
            Light.DUSK: ((130, 90, 70), (120, 160, 235)),
            Light.NIGHT: ((30, 14, 8), (45, 30, 22)),
        }[conditions.light]
        gradient = np.array(top) * (1 - rows) + np.array(horizon) * rows
        return np.broadcast_to(gradient, (*self.ground.shape, 3)).astype(np.float64)

    def _waves(
        self, conditions: Conditions, ambient: float, fog: np.ndarray, rng: np.random.Generator
    ) -> tuple[list[np.ndarray], list[np.ndarray], tuple[int, int]]:
        """Looping wave tiles: crests brighten, troughs darken; glints on the steepest crests in sunlight.
        Tiles cover only the rows with water (the rows are returned too), as the waves do."""
        g = self.ground
        water = g.labels == WATER
        if not water.any():
            empty = np.zeros((0, g.shape[1], 3), np.uint8)
            return [empty] * WAVE_PHASES, [empty] * WAVE_PHASES, (0, 0)
        strength = 0.5 + conditions.wind_speed / 4.0
        rows = np.flatnonzero(water.any(axis=1))
        r0, r1 = rows[0], rows[-1] + 1  # only the rows with water are computed
        gx, gy, res = g.gx[r0:r1], g.gy[r0:r1], g.metres_per_pixel[r0:r1]
        components = []
        wind_direction = rng.uniform(0, 2 * np.pi)
        for wavelength, amplitude in (
            (3.4, 0.8),
            (2.3, 0.7),
            (1.6, 0.6),
            (1.1, 0.5),
            (0.8, 0.4),
            (0.55, 0.3),
        ):
            k = 2 * np.pi / wavelength
            omega = math.sqrt(GRAVITY * k)
            cycles = max(1, round(omega * WAVE_LOOP_S / (2 * np.pi)))  # quantised so the loop is seamless
            direction = wind_direction + rng.uniform(-0.9, 0.9)
            phase = k * (gx * math.sin(direction) + gy * math.cos(direction)) + rng.uniform(0, 2 * np.pi)
            fade = np.clip(wavelength / (2.5 * res) - 1.0, 0.0, 1.0)  # no waves finer than the pixels
            components.append((phase, amplitude * fade, 2 * np.pi * cycles / WAVE_LOOP_S))
        scale = 10.0 * strength * (ambient if not conditions.infrared_active else 0.4)
        scale = scale * (1 - fog[r0:r1]) * water[r0:r1]
        glint = 0.0 if conditions.light is Light.NIGHT or conditions.weather is not Weather.CLEAR else 1.0
        ups, downs = [], []
        for k in range(WAVE_PHASES):
            t = k * WAVE_LOOP_S / WAVE_PHASES
            surface = sum(a * np.cos(phase - omega * t) for phase, a, omega in components)
            value = surface * scale
            if glint:
                value = (
                    value + glint * 160.0 * np.clip(surface - 1.9, 0, None) * (1 - fog[r0:r1]) * water[r0:r1]
                )
            ups.append(cv2.cvtColor(np.clip(value, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR))
            downs.append(cv2.cvtColor(np.clip(-value, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR))
        return ups, downs, (int(r0), int(r1))

    def _noise(
        self, conditions: Conditions, rng: np.random.Generator
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        sd = NOISE_SD[conditions.light] * (1.3 if conditions.infrared_active else 1.0)
        ups, downs = [], []
        channels = 1 if conditions.infrared_active else 3  # an infrared sensor is monochrome
        for _ in range(NOISE_TILES):
            noise = rng.normal(0.0, sd, (*self.ground.shape, channels)).repeat(3 // channels, axis=2)
            ups.append(np.clip(noise, 0, 255).astype(np.uint8))
            downs.append(np.clip(-noise, 0, 255).astype(np.uint8))
        return ups, downs

    def _rain(self, rng: np.random.Generator) -> list[np.ndarray]:
        height, width = self.ground.shape
        tiles = []
        for _ in range(5):
            tile = np.zeros((height, width), np.uint8)
            count = width * height // 900
            x0, y0 = rng.uniform(0, width, count), rng.uniform(0, height, count)
            length = rng.uniform(0.02, 0.05, count) * height
            for x, y, n in zip(x0, y0, length, strict=True):
                cv2.line(tile, (int(x), int(y)), (int(x + 0.25 * n), int(y + n)), 70, 1, cv2.LINE_AA)
            tiles.append(cv2.cvtColor(cv2.GaussianBlur(tile, (3, 3), 0), cv2.COLOR_GRAY2BGR))
        return tiles

    # ------------------------------------------------------------ actors

    def _shade(self, actor: Actor, conditions: Conditions, look: Look, distance: float):
        fog = float(self._fog_alpha(distance, conditions))
        fog_colour = look.fog_colour
        if conditions.infrared_active:
            illuminator = 1.0 / (1.0 + (distance / 70.0) ** 2)

            def shade(colour, warm):
                grey = (235.0 if warm else 0.45 * sum(colour) / 3 + 40) * max(illuminator, 0.25)
                value = grey * (1 - fog) + fog_colour[0] * fog
                return (int(value),) * 3

            return shade
        light = look.ambient
        if conditions.light is Light.NIGHT and len(self.lamps):
            d2 = ((self.lamps - [actor.x, actor.y]) ** 2).sum(axis=1).min()
            light += 0.9 * math.exp(-d2 / (2 * 9.0**2))
        if conditions.weather is Weather.RAIN:
            light *= 0.85

        def shade(colour, warm):
            return tuple(
                int(min(255.0, c * light * (1 - fog) + f * fog))
                for c, f in zip(colour, fog_colour, strict=True)
            )

        return shade

    def _hidden(self, xy: np.ndarray) -> np.ndarray:
        """Which ground points (n, 2) an island hides from the camera."""
        if self._islands.is_empty or len(xy) == 0:
            return np.zeros(len(xy), bool)
        sights = shapely.linestrings(
            np.stack([np.broadcast_to(self.camera.centre[:2], xy.shape), xy], axis=1)
        )
        return shapely.intersects(self._islands, sights)

    def _blur_path(self, actor: Actor, conditions: Conditions) -> np.ndarray | None:
        """Image points (2, 2) where the actor is at the start and end of the exposure, or None if it
        does not blur (daylight, standing still, or moving less than 1.5 px)."""
        if actor.speed <= 0.0 or conditions.light is Light.DAY:
            return None
        step = EXPOSURE_S[conditions.light] * actor.speed
        ahead = (actor.x + step * math.sin(actor.heading), actor.y + step * math.cos(actor.heading))
        uv = self.camera.ground_to_image(np.array([[actor.x, actor.y], ahead]))
        length = float(np.hypot(*(uv[1] - uv[0])))
        return uv if np.isfinite(length) and length >= 1.5 else None

    def _blur_reach(self, actors: list[Actor], conditions: Conditions) -> np.ndarray:
        """(n,) how far (px) motion blur changes pixels beyond each actor's box: its kernel size."""
        reach = np.zeros(len(actors))
        if conditions.light is not Light.DAY:
            for i, actor in enumerate(actors):
                if (uv := self._blur_path(actor, conditions)) is not None:
                    reach[i] = math.ceil(float(np.hypot(*(uv[1] - uv[0])))) | 1
        return reach

    def _motion_blur(self, image: np.ndarray, actor: Actor, box, conditions: Conditions) -> None:
        uv = self._blur_path(actor, conditions)
        if uv is None:
            return
        length = float(np.hypot(*(uv[1] - uv[0])))
        size = math.ceil(length) | 1
        kernel = np.zeros((size, size), np.float32)
        angle = math.atan2(uv[1][1] - uv[0][1], uv[1][0] - uv[0][0])
        c = size // 2
        cv2.line(
            kernel,
            (round(c - c * math.cos(angle)), round(c - c * math.sin(angle))),
            (round(c + c * math.cos(angle)), round(c + c * math.sin(angle))),
            1.0,
            1,
        )
        kernel /= kernel.sum()
        height, width = image.shape[:2]
        x0, y0 = max(0, int(box[0]) - size), max(0, int(box[1]) - size)
        x1, y1 = min(width, int(box[2]) + size), min(height, int(box[3]) + size)
        if x1 > x0 and y1 > y0:
            roi = image[y0:y1, x0:x1]
            roi[:] = cv2.filter2D(roi, -1, kernel)

    # ------------------------------------------------------------ frames

    def render(self, t: float, actors: list[Actor], conditions: Conditions, frame_number: int = 0) -> Frame:
        """The frame at time ``t`` (s) with these actors, and its ground truth."""
        look = self.look(conditions)
        image = look.background.copy()
        k = int((t % WAVE_LOOP_S) / WAVE_LOOP_S * WAVE_PHASES) % WAVE_PHASES
        r0, r1 = look.wave_rows
        if r1 > r0:
            water_rows = image[r0:r1]  # a view: the waves are added in place
            cv2.add(water_rows, look.wave_up[k], dst=water_rows)
            cv2.subtract(water_rows, look.wave_down[k], dst=water_rows)

        height, width = image.shape[:2]
        painter = Painter(image, self.camera)
        truth = []
        xy = np.array([(a.x, a.y) for a in actors], dtype=float).reshape(-1, 2)
        distances = self.camera.distance(xy)
        # Actors whose sprite cannot reach the image are skipped before their sprite is built (most of
        # the lake's actors for any one camera); the frame is the same as if they were drawn.
        touching = may_touch(self.camera, actors, distances, self._blur_reach(actors, conditions))
        actors, xy, distances = (
            [a for a, k in zip(actors, touching, strict=True) if k],
            xy[touching],
            distances[touching],
        )
        distances = distances.tolist()
        hidden = self._hidden(xy).tolist()
        analysed = shapely.contains_xy(self._footprint, xy[:, 0], xy[:, 1]).tolist()
        order = sorted(range(len(actors)), key=lambda i: (-distances[i], actors[i].id))  # far to near
        for i in order:
            actor, distance = actors[i], distances[i]
            if hidden[i]:
                continue
            painter.begin(actor, self._shade(actor, conditions, look, distance))
            DRAW[actor.cls](painter, actor)
            box = painter.finish()
            if box is None:
                continue
            self._motion_blur(image, actor, box, conditions)
            x0, y0, x1, y1 = math.floor(box[0]), math.floor(box[1]), math.ceil(box[2]), math.ceil(box[3])
            cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
            if cx1 <= cx0 or cy1 <= cy0 or not analysed[i]:
                continue  # outside the image, or beyond the analysed range
            fraction = (cx1 - cx0) * (cy1 - cy0) / max(1, (x1 - x0) * (y1 - y0))
            truth.append(
                TruthBox(actor.id, actor.cls, cx0, cy0, cx1, cy1, round(fraction, 4), round(distance, 2))
            )

        if look.rain:
            cv2.add(image, look.rain[frame_number % len(look.rain)], dst=image)
        n = (frame_number * 5 + 3) % NOISE_TILES
        cv2.add(image, look.noise_up[n], dst=image)
        cv2.subtract(image, look.noise_down[n], dst=image)
        encoded = None
        if conditions.jpeg_quality is not None:
            ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, conditions.jpeg_quality])
            if not ok:
                raise RuntimeError("JPEG encoding failed")
            encoded = int(data.size)
            image = cv2.imdecode(data, cv2.IMREAD_COLOR)
        return Frame(t, image, tuple(truth), conditions, encoded)
