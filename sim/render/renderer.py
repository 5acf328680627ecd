"""Synthetic camera frames with exact ground truth: :class:`Renderer`.

Design (fast, and every pixel has a known cause):

* Once per camera: every image pixel below the horizon is traced to the
  ground through the camera model (:class:`~sim.render.ground_map.GroundMap`):
  world x, y, slant distance and what is there (water, grass, shore, path,
  island, beyond the zone). Textures are procedural functions of the *world*
  position, so perspective is exact.
* Once per set of conditions (:class:`~sim.render.conditions.Conditions`):
  light (sun elevation: day, dusk, night with lamp pools, or an infrared camera
  at night), weather (haze and fog blend towards the fog colour by
  exp(−d / visibility), rain darkens and adds streaks), wind: the backdrop
  (:class:`~sim.render.backdrop.Look`: the static background, looping wave
  tiles, sensor-noise and rain tiles).
* Per frame: copy the background, add and subtract the wave tile of this
  instant, draw the actors far to near (:mod:`sim.render.sprites`), blur moving actors
  in low light, add rain and noise tiles, optionally JPEG-encode and decode
  (:class:`~sim.render.frame.Frame`, with a :class:`~sim.render.frame.TruthBox` per visible actor).
"""

from __future__ import annotations

import math
from functools import cached_property

import cv2
import numpy as np
import shapely

from sim.render.actor_reach import may_touch
from sim.render.actors import Actor
from sim.render.backdrop import WAVE_LOOP_S, WAVE_PHASES, Look, build_look
from sim.render.conditions import EXPOSURE_S, Conditions, fog_alpha
from sim.render.frame import Frame, TruthBox
from sim.render.ground_map import GroundMap
from sim.render.sprites import DRAW, Painter
from sim.render.surfaces import NIR_WARM, Surface
from sim.render.thermal_look import build_thermal_look
from sim.render.thermal_scene import typical_scene
from sim.scenario.models import Light, SensorType, Weather
from sim.world.cameras import CameraModel
from sim.world.geometry import ZoneGeometry

GAIN_WIDTH = 320
"""A tile's gain is computed over its whole image at this width, px (the histogram needs no more)."""
LOOKS_KEPT = 6
"""Backdrops a renderer keeps (the oldest goes first): a thermal camera's change with the temperatures of
the hour, a visible camera's with the light level."""


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
        self.sensor = camera.spec.sensor
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

    @cached_property
    def whole_image(self) -> GroundMap | None:
        """For a crop of a camera's image (a tile), its whole image at most :data:`GAIN_WIDTH` px wide: a
        thermal core sets its gain over the whole frame. None for a whole image."""
        if self.camera.window is None:
            return None
        width, height = self.camera.spec.resolution
        small = (min(width, GAIN_WIDTH), max(1, round(height * min(width, GAIN_WIDTH) / width)))
        whole = CameraModel(self.camera.spec.model_copy(update={"resolution": small}))
        return GroundMap(whole, self.geometry, self.path_offset, self.lamps)

    # ------------------------------------------------------------ conditions

    def look(self, conditions: Conditions) -> Look:
        if self.sensor is SensorType.THERMAL:
            scene = conditions.scene or typical_scene(conditions.light)
            lamps_on = conditions.light is Light.NIGHT
            key: tuple = (SensorType.THERMAL, lamps_on, conditions.weather, conditions.wind_speed, scene)
        else:
            key = (conditions.light, conditions.weather, conditions.wind_speed, conditions.infrared_active)
        if key not in self._looks:
            if len(self._looks) >= LOOKS_KEPT:
                del self._looks[next(iter(self._looks))]
            if self.sensor is SensorType.THERMAL:
                core = self.camera.spec.thermal
                look = build_thermal_look(
                    self.ground, self.seed, conditions, scene, core, self.lamps, self.whole_image
                )
            else:
                look = build_look(self.ground, self.seed, conditions)
            self._looks[key] = look
        return self._looks[key]

    # ------------------------------------------------------------ actors

    def _shade(self, actor: Actor, conditions: Conditions, look: Look, distance: float):
        if look.thermal is not None:
            return look.thermal.shade(actor, distance)
        fog = float(fog_alpha(distance, conditions))
        fog_colour = look.fog_colour.tolist()  # Python floats: numpy scalars are slow to add one by one
        if conditions.infrared_active:
            illuminator = 1.0 / (1.0 + (distance / 70.0) ** 2)

            def shade(colour, surface):
                level = 235.0 if surface in NIR_WARM else 0.45 * sum(colour) / 3 + 40
                grey = level * max(illuminator, 0.25)
                value = grey * (1 - fog) + fog_colour[0] * fog
                return (int(value),) * 3

            return shade
        light = look.ambient
        if conditions.light is Light.NIGHT and len(self.lamps):
            d2 = ((self.lamps - [actor.x, actor.y]) ** 2).sum(axis=1).min()
            light += 0.9 * math.exp(-d2 / (2 * 9.0**2))
        if conditions.weather is Weather.RAIN:
            light *= 0.85

        light, clear = float(light), 1 - fog
        haze = [f * fog for f in fog_colour]

        def shade(colour, surface):
            lit = 1.0 if surface is Surface.GLINT else light  # the sun mirrored, not the ambient light
            return tuple(int(min(255.0, c * lit * clear + h)) for c, h in zip(colour, haze, strict=True))

        return shade

    def analysed(self, xy: np.ndarray) -> np.ndarray:
        """Which ground points (n, 2), m, lie in the camera's analysed footprint (below the horizon, within
        ``max_range``: :attr:`sim.world.cameras.CameraModel.footprint`): only actors standing there get a
        truth box."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        return shapely.contains_xy(self._footprint, xy[:, 0], xy[:, 1])

    def _hidden(self, xy: np.ndarray) -> np.ndarray:
        """Which ground points (n, 2) an island hides from the camera."""
        if self._islands.is_empty or len(xy) == 0:
            return np.zeros(len(xy), bool)
        sights = shapely.linestrings(
            np.stack([np.broadcast_to(self.camera.centre[:2], xy.shape), xy], axis=1)
        )
        return shapely.intersects(self._islands, sights)

    def _exposure(self, conditions: Conditions) -> float:
        """How long a moving actor smears, s: a visible camera's exposure (none in daylight), a thermal
        camera's bolometer time constant at any light."""
        if self.sensor is SensorType.THERMAL:
            return self.camera.spec.thermal.time_constant
        return 0.0 if conditions.light is Light.DAY else EXPOSURE_S[conditions.light]

    def _blur_paths(self, actors: list[Actor], conditions: Conditions) -> list[np.ndarray | None]:
        """For each actor the image points (2, 2) where it is at the start and end of the exposure, or None
        if it does not blur (no exposure to speak of, standing still, moving less than 1.5 px, or an end
        behind the lens: passing under the pole, where the ground homography would map that end into the
        image and make the path a million pixels long); all projected at once."""
        exposure = self._exposure(conditions)
        paths: list[np.ndarray | None] = [None] * len(actors)
        moving = [i for i, actor in enumerate(actors) if actor.speed > 0.0] if exposure > 0.0 else []
        if not moving:
            return paths
        ends = []
        for i in moving:
            actor = actors[i]
            step = exposure * actor.speed
            ends += [
                (actor.x, actor.y),
                (actor.x + step * math.sin(actor.heading), actor.y + step * math.cos(actor.heading)),
            ]
        uv = self.camera.ground_to_image(np.array(ends)).reshape(-1, 2, 2)
        seen = self.camera.in_front(np.array(ends)).reshape(-1, 2).all(axis=1)
        for i, path, both_ends_seen in zip(moving, uv, seen, strict=True):
            length = float(np.hypot(*(path[1] - path[0])))
            if both_ends_seen and np.isfinite(length) and length >= 1.5:
                paths[i] = path
        return paths

    @staticmethod
    def _blur_reach(paths: list[np.ndarray | None]) -> np.ndarray:
        """(n,) how far (px) motion blur changes pixels beyond each actor's box: its kernel size."""
        return np.array(
            [0.0 if uv is None else math.ceil(float(np.hypot(*(uv[1] - uv[0])))) | 1 for uv in paths]
        )

    @staticmethod
    def _motion_blur(image: np.ndarray, uv: np.ndarray | None, box) -> None:
        if uv is None:
            return
        length = float(np.hypot(*(uv[1] - uv[0])))
        size = math.ceil(length) | 1
        height, width = image.shape[:2]
        x0, y0 = max(0, int(box[0]) - size), max(0, int(box[1]) - size)
        x1, y1 = min(width, int(box[2]) + size), min(height, int(box[3]) + size)
        if x1 <= x0 or y1 <= y0:
            # The smear cannot reach the image. Checked before the kernel is made: an actor passing beside or
            # behind the pole projects far outside it, with a path of tens of thousands of pixels.
            return
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
        paths = self._blur_paths(actors, conditions)
        touching = may_touch(self.camera, actors, distances, self._blur_reach(paths))
        actors, paths, xy, distances = (
            [a for a, k in zip(actors, touching, strict=True) if k],
            [p for p, k in zip(paths, touching, strict=True) if k],
            xy[touching],
            distances[touching],
        )
        distances = distances.tolist()
        hidden = self._hidden(xy).tolist()
        analysed = self.analysed(xy).tolist()
        order = sorted(range(len(actors)), key=lambda i: (-distances[i], actors[i].id))  # far to near
        for i in order:
            actor, distance = actors[i], distances[i]
            if hidden[i] or _smeared_away(paths[i], width, height):
                continue
            painter.begin(actor, self._shade(actor, conditions, look, distance))
            DRAW[actor.cls](painter, actor)
            box = painter.finish()
            if box is None:
                continue
            self._motion_blur(image, paths[i], box)
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
        n = look.noise_order[frame_number % len(look.noise_order)]
        cv2.add(image, look.noise_up[n], dst=image)
        cv2.subtract(image, look.noise_down[n], dst=image)
        encoded = None
        if conditions.jpeg_quality is not None:
            ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, conditions.jpeg_quality])
            if not ok:
                raise RuntimeError("JPEG encoding failed")
            encoded = int(data.size)
            image = cv2.imdecode(data, cv2.IMREAD_COLOR)
        return Frame(t, image, tuple(truth), conditions, encoded, self.sensor)


def _smeared_away(uv: np.ndarray | None, width: int, height: int) -> bool:
    """Whether a blur path (2, 2) is longer than the image's diagonal: the actor's light, spread over more
    pixels than the image has, is below one grey level in each, so it is not drawn (a kernel that long
    would blur the whole frame along the path; near the lens's plane the path runs to a million pixels)."""
    return uv is not None and float(np.hypot(*(uv[1] - uv[0]))) > math.hypot(width, height)
