"""The backdrop of one camera's frames under one set of conditions (:class:`Look`), built once.

Everything about a camera's frames that depends on light, weather and wind but not on the instant: the
static background (procedural textures of the *world* position, water lighter at grazing angles, the sky's
gradient, dusk and night tints with lamp pools or an infrared camera's grey levels, rain darkening, haze
and fog blending towards the fog colour by exp(−d / visibility)), looping wave tiles (sums of travelling
cosines in world coordinates with deep-water dispersion ω² = g k, sun glints on the steepest crests), and
sensor-noise and rain tiles. :meth:`sim.render.renderer.Renderer.render` adds the tiles of its instant.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import cv2
import numpy as np

from sim.render.conditions import LIGHT_LEVEL, NOISE_SD, Conditions, fog_alpha, fog_colour
from sim.render.ground_map import BEYOND, GRASS, ISLAND, PATH, SHORE, WATER, GroundMap
from sim.scenario.models import Light, Weather
from sim.world.visibility import VISIBILITY_M


class ActorShading(Protocol):
    """How a camera's actors look when their colours do not say it (a thermal camera:
    :class:`sim.render.thermal_look.ThermalShading`)."""

    def shade(self, actor, distance: float) -> Callable:
        """The colour function of ``actor`` at ``distance`` (m), for ``Painter.begin``."""
        ...


WAVE_PHASES = 24
WAVE_LOOP_S = 3.0
"""Wave animation: this many tiles loop over this period (phase speeds are quantised to loop)."""
NOISE_TILES = 7
NOISE_ORDER_FRAMES = 1021
"""Sensor noise: :data:`NOISE_TILES` tiles, added in a random order (:func:`noise_order`) that repeats after
this many frames (a prime: 68 s at 15 frames/s)."""
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
    wave_up: Sequence[np.ndarray]
    """Wave tiles of the image rows ``wave_rows`` (the rows with water; elsewhere there are no waves)."""
    wave_down: Sequence[np.ndarray]
    noise_up: list[np.ndarray]
    noise_down: list[np.ndarray]
    noise_order: np.ndarray
    """Which noise tile frame ``n`` adds: ``noise_order[n % len(noise_order)]`` (:func:`noise_order`)."""
    rain: list[np.ndarray] = field(default_factory=list)
    fog_colour: np.ndarray = field(default_factory=lambda: np.zeros(3))
    visibility_m: float = 20_000.0
    ambient: float = 1.0
    wave_rows: tuple[int, int] = (0, 0)
    """First and last + 1 image row of the wave tiles."""
    thermal: ActorShading | None = None
    """A thermal camera's radiometry and gain, for its actors (None: a visible camera)."""


def look_random(seed: int) -> np.random.Generator:
    """The random stream of a camera's backdrops (textures, wave directions and phases, noise tiles)."""
    return np.random.default_rng([seed, 7])


def noise_order(seed: int) -> np.ndarray:
    """The order in which a camera's frames add the sensor-noise tiles, :data:`NOISE_ORDER_FRAMES` long: a
    random walk over the :data:`NOISE_TILES` tiles that never adds the same tile twice in a row (wrapping
    round included), so no pixel's noise repeats from one frame to the next and none has a period a
    detector could read as motion. (A fixed cycle of the 7 tiles did: at 15 frames/s it beat at 15/7 =
    2.14 Hz, inside the stroke cue's band, :mod:`detectors.stroke`.) Real sensor noise is independent from
    frame to frame; reusing tiles keeps the renderer's cost (a fresh tile per frame costs a normal draw per
    pixel). Its own stream (``[seed, 7, 1]``), so the backdrop's other draws are those of
    :func:`look_random`."""
    rng = np.random.default_rng([seed, 7, 1])
    order = np.cumsum(rng.integers(1, NOISE_TILES, NOISE_ORDER_FRAMES)) % NOISE_TILES
    if order[-1] == order[0]:  # the wrap: differ from both neighbours
        order[-1] = next(k for k in range(NOISE_TILES) if k not in (order[0], order[-2]))
    return order


def ground_texture(g: GroundMap, rng: np.random.Generator) -> np.ndarray:
    """Smooth procedural texture of the ground in [-1, 1] per pixel, in world coordinates; fine detail fades
    where a pixel covers more ground than the texture's cells (no aliasing)."""
    fine, coarse = _value_noise(rng, blur=1.5), _value_noise(rng, blur=6.0)
    texture = 0.6 * _sample(fine, g.gx, g.gy, 0.35) + 0.4 * _sample(coarse, g.gx, g.gy, 2.0)
    texture *= np.clip(1.0 - g.metres_per_pixel / 2.0, 0.2, 1.0)
    return texture


def build_look(ground: GroundMap, seed: int, conditions: Conditions) -> Look:
    """The backdrop of ``ground``'s camera under ``conditions``; deterministic for ``seed``."""
    g = ground
    rng = look_random(seed)
    texture = ground_texture(g, rng)
    colours = np.array([GROUND_COLOURS[k] for k in range(6)], dtype=np.float64)
    image = colours[g.labels]
    contrast = np.array([0.10, 0.22, 0.12, 0.06, 0.45, 0.15])[g.labels]
    image *= (1.0 + contrast * texture)[..., None]
    # Water reflects more sky at grazing angles (Fresnel): farther water is lighter.
    with np.errstate(invalid="ignore"):
        grazing = np.nan_to_num(g.distance / (g.distance + 6.0 * g.camera.centre[2]), nan=1.0)
    sky_tint = np.array([190.0, 170.0, 150.0])
    is_water = (g.labels == WATER)[..., None]
    image = np.where(
        is_water, image * (1 - 0.45 * grazing[..., None]) + sky_tint * 0.45 * grazing[..., None], image
    )
    image[g.sky] = _sky(g, conditions)[g.sky]
    image, ambient = _lit(image, texture, g, conditions)
    if conditions.weather is Weather.RAIN:
        image *= 0.85
    fog = fog_colour(conditions)
    alpha = np.where(
        g.sky,
        0.0 if conditions.weather is Weather.CLEAR else 0.9,
        fog_alpha(g.distance, conditions),
    )
    image = image * (1 - alpha[..., None]) + fog * alpha[..., None]
    background = np.clip(image, 0, 255).astype(np.uint8)

    wave_up, wave_down, wave_rows = _waves(g, conditions, ambient, alpha, rng)
    noise_up, noise_down = _noise(g.shape, conditions, rng)
    rain = _rain(g.shape, rng) if conditions.weather is Weather.RAIN else []
    return Look(
        background,
        wave_up,
        wave_down,
        noise_up,
        noise_down,
        noise_order(seed),
        rain,
        fog,
        VISIBILITY_M[conditions.weather],
        ambient,
        wave_rows,
    )


def _lit(
    image: np.ndarray, texture: np.ndarray, g: GroundMap, conditions: Conditions
) -> tuple[np.ndarray, float]:
    """The day-lit ``image`` under the light of ``conditions``, and its ambient brightness (1: daylight)."""
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
        lit = ambient * tint + (conditions.light is Light.NIGHT) * 0.9 * g.lamp_light[..., None] * np.array(
            [0.55, 0.85, 1.0]
        )
        ground_pixels = ~g.sky
        image[ground_pixels] = image[ground_pixels] * lit[ground_pixels]
    return image, ambient


def _sky(g: GroundMap, conditions: Conditions) -> np.ndarray:
    """The sky's colour gradient over the image rows (BGR), float."""
    camera = g.camera
    height = g.shape[0]
    # 0 at the top of the camera's whole image, 1 at its bottom (a tile shows its own rows of it).
    top = 0 if camera.window is None else camera.window[1]
    full_height = camera.spec.resolution[1]
    rows = ((np.arange(height) + top) / max(1, full_height - 1))[:, None, None]
    top, horizon = {
        Light.DAY: ((225, 170, 110), (235, 215, 200)),
        Light.DUSK: ((130, 90, 70), (120, 160, 235)),
        Light.NIGHT: ((30, 14, 8), (45, 30, 22)),
    }[conditions.light]
    gradient = np.array(top) * (1 - rows) + np.array(horizon) * rows
    return np.broadcast_to(gradient, (*g.shape, 3)).astype(np.float64)


@dataclass(frozen=True)
class WaveField:
    """The water's surface over the rows ``rows`` of an image: travelling cosines in world coordinates."""

    components: list[tuple[np.ndarray, np.ndarray, float]]
    """(phase per pixel, amplitude per pixel, angular frequency rad/s) of each cosine."""
    rows: tuple[int, int]
    """First and last + 1 image row with water."""
    water: np.ndarray
    """Which pixels of those rows are water."""

    @cached_property
    def _terms(self) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """(a·cos φ, a·sin φ, ω) of each cosine: a·cos(φ − ωt) = a·cos φ·cos ωt + a·sin φ·sin ωt, so the
        per-pixel cosines are taken once, not at every instant (they took half of a look's build)."""
        return [(a * np.cos(phase), a * np.sin(phase), omega) for phase, a, omega in self.components]

    def surface(self, k: int) -> np.ndarray:
        """The surface (about unit standard deviation) at the ``k``-th of the :data:`WAVE_PHASES` instants of
        the loop."""
        t = k * WAVE_LOOP_S / WAVE_PHASES
        return sum(c * math.cos(omega * t) + s * math.sin(omega * t) for c, s, omega in self._terms)


class WaveLoop:
    """A look's wave tiles, each instant's made the first time a frame asks for it: a look used for a few
    frames (a contact sheet, a replay page's frames, a dataset) makes a few of the loop's instants, a run
    makes each once. Threads that ask for the same instant at once may both make it: the same tiles."""

    def __init__(self, field: WaveField, value: Callable[[np.ndarray], np.ndarray]):
        self._field, self._value = field, value
        self._made: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def tiles(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """What instant ``k`` adds and what it subtracts (``value(surface)``, 8-bit levels, grey)."""
        if (made := self._made.get(k)) is None:
            levels = self._value(self._field.surface(k))
            up = cv2.cvtColor(np.clip(levels, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
            down = cv2.cvtColor(np.clip(-levels, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
            made = self._made[k] = (up, down)
        return made


class WaveTiles(Sequence):
    """One side of a :class:`WaveLoop` (``side`` 0: what each instant adds, 1: what it subtracts), indexed
    by instant."""

    def __init__(self, loop: WaveLoop, side: int):
        self._loop, self._side = loop, side

    def __len__(self) -> int:
        return WAVE_PHASES

    def __getitem__(self, k):
        if not 0 <= k < WAVE_PHASES:
            raise IndexError(k)
        return self._loop.tiles(k)[self._side]


def wave_field(g: GroundMap, rng: np.random.Generator) -> WaveField | None:
    """The waves of ``g``'s water (None: no water in view): six cosines with deep-water dispersion
    ω² = g k, spread around a random wind direction, fading where finer than the pixels."""
    water = g.labels == WATER
    if not water.any():
        return None
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
    return WaveField(components, (int(r0), int(r1)), water[r0:r1])


def wave_tiles(
    field: WaveField | None, width: int, value: Callable[[np.ndarray], np.ndarray]
) -> tuple[Sequence[np.ndarray], Sequence[np.ndarray], tuple[int, int]]:
    """Looping wave tiles of ``field``: what each phase adds and subtracts (``value(surface)``, 8-bit
    levels, grey; made when first asked for, :class:`WaveLoop`), and the rows they cover; empty tiles
    without water."""
    if field is None:
        empty = np.zeros((0, width, 3), np.uint8)
        return [empty] * WAVE_PHASES, [empty] * WAVE_PHASES, (0, 0)
    loop = WaveLoop(field, value)
    return WaveTiles(loop, 0), WaveTiles(loop, 1), field.rows


def _waves(
    g: GroundMap, conditions: Conditions, ambient: float, fog: np.ndarray, rng: np.random.Generator
) -> tuple[list[np.ndarray], list[np.ndarray], tuple[int, int]]:
    """Looping wave tiles: crests brighten, troughs darken; glints on the steepest crests in sunlight.
    Tiles cover only the rows with water (the rows are returned too), as the waves do."""
    field = wave_field(g, rng)
    if field is None:
        return wave_tiles(None, g.shape[1], lambda surface: surface)
    r0, r1 = field.rows
    strength = 0.5 + conditions.wind_speed / 4.0
    scale = 10.0 * strength * (ambient if not conditions.infrared_active else 0.4)
    scale = scale * (1 - fog[r0:r1]) * field.water
    # Crest highlights in clear daylight only, as documented (docs/rendering.md): they do not follow the
    # sun, and at dusk (the sun within 6° of the horizon) its mirror image is the glint actors' alone
    # (sim/render/glints.py). At dusk they had flashed at full daylight brightness, and a detector took
    # them for swimmers' strokes (docs/detectors.md, visible swimmers at dusk held out on seed 9).
    glint = 1.0 if conditions.light is Light.DAY and conditions.weather is Weather.CLEAR else 0.0

    def value(surface: np.ndarray) -> np.ndarray:
        if not glint:
            return surface * scale
        glints = glint * 160.0 * np.clip(surface - 1.9, 0, None) * (1 - fog[r0:r1]) * field.water
        return surface * scale + glints

    return wave_tiles(field, g.shape[1], value)


def _noise(
    shape: tuple[int, int], conditions: Conditions, rng: np.random.Generator
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Sensor-noise tiles: what each adds and what it subtracts, 8-bit levels."""
    sd = NOISE_SD[conditions.light] * (1.3 if conditions.infrared_active else 1.0)
    channels = 1 if conditions.infrared_active else 3  # an infrared sensor is monochrome
    return noise_tiles(shape, sd, channels, rng)


def noise_tiles(
    shape: tuple[int, int], sd: float, channels: int, rng: np.random.Generator
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """:data:`NOISE_TILES` tiles of Gaussian noise of ``sd`` (8-bit levels): what each adds and subtracts;
    one channel repeated for a monochrome sensor, else three."""
    ups, downs = [], []
    for _ in range(NOISE_TILES):
        noise = rng.normal(0.0, sd, (*shape, channels)).repeat(3 // channels, axis=2)
        ups.append(np.clip(noise, 0, 255).astype(np.uint8))
        downs.append(np.clip(-noise, 0, 255).astype(np.uint8))
    return ups, downs


def _rain(shape: tuple[int, int], rng: np.random.Generator) -> list[np.ndarray]:
    """Tiles of rain streaks, 8-bit levels added to a frame."""
    height, width = shape
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
