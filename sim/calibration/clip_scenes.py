"""The clips ``run_sim.py tune`` renders: the grid of cases and what is on the water in each.

For each case of a grid of conditions (light × weather, each with its own seed, :func:`cases_for`), a
labelled clip is rendered from a camera that sees the detector's no-go areas (:func:`relevant_cameras`),
as the scenario has it or as a camera of another sensor (``tune --sensor``):
two offenders of the detector's kind placed at random in those areas (so distances vary) and
distractors (ducks, debris and boats on the water for swimming; walkers on the promenade for fishing;
for both what a lake has near its no-go areas, :mod:`sim.calibration.lake_distractors`: boats passing,
reeds, birds landing and taking off, people wading, sun glints), :func:`clip_things`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from sim.calibration.lake_distractors import lake_distractors
from sim.errors import TuningError
from sim.render.actors import ActorClass, MovingThing, shore_path
from sim.render.sprites import SKIN, _pick
from sim.scenario.models import Kind, Light, Scenario, SensorType, Weather
from sim.world.cameras import CameraModel, visible_region
from sim.world.geometry import ZoneGeometry, sample_in
from sim.world.incidents import Track

SKIN_TONES = ("light", "medium", "dark")
"""Names of the renderer's skin tones (:data:`sim.render.sprites.SKIN`, in its order)."""

LIGHTS = (Light.DAY, Light.DUSK, Light.NIGHT)
WEATHERS = (Weather.CLEAR, Weather.HAZE, Weather.FOG, Weather.RAIN)
WARMUP_S = 5.0
"""Frames before this are not scored: background models are still learning."""


@dataclass(frozen=True)
class ClipCase:
    """One clip of a tune run: its light and weather, the camera it is rendered from and its seed."""

    light: Light
    weather: Weather
    camera_id: str
    seed: int
    sensor: SensorType | None = None
    """Render the camera as a camera of this sensor (:meth:`sim.scenario.models.Camera.as_sensor`); None:
    as the scenario has it."""


def relevant_cameras(scenario: Scenario, geometry: ZoneGeometry, kind: Kind) -> list[str]:
    """Cameras whose view covers at least 200 m² of this kind's no-go areas."""
    areas = geometry.no_go(kind.value)
    return [
        c.id
        for c in scenario.cameras
        if visible_region(CameraModel(c), geometry.islands).intersection(areas).area > 200.0
    ]


def cases_for(
    scenario: Scenario,
    kind: Kind,
    clips_per_condition: int,
    seed: int,
    lights=LIGHTS,
    weathers=WEATHERS,
    sensor: SensorType | None = None,
) -> list[ClipCase]:
    """``clips_per_condition`` clips per light × weather, cycling over :func:`relevant_cameras` (as cameras
    of ``sensor``, or as they are when None); clip i has seed ``seed`` · 1000 + i."""
    cameras = relevant_cameras(scenario, ZoneGeometry(scenario), kind)
    if not cameras:
        raise TuningError(f"no camera of the scenario sees a {kind.value} no-go area")
    cases = []
    for light in lights:
        for weather in weathers:
            for _ in range(clips_per_condition):
                index = len(cases)
                camera = cameras[index % len(cameras)]
                cases.append(ClipCase(light, weather, camera, seed * 1000 + index, sensor))
    return cases


def skin_tone(actor) -> str:
    """The skin tone (:data:`SKIN_TONES`) the renderer draws ``actor`` with (it follows the variant)."""
    return SKIN_TONES[SKIN.index(_pick(SKIN, actor.variant))]


def clip_things(
    scenario: Scenario,
    geometry: ZoneGeometry,
    kind: Kind,
    camera: CameraModel,
    seconds: float,
    rng: np.random.Generator,
    clip: int = 0,
    light: Light | None = None,
    weather: Weather = Weather.CLEAR,
) -> list[MovingThing]:
    """Offenders and distractors of one clip. The offenders' names carry ``clip`` (the clip's seed): a
    sprite's look (skin tone, clothes) follows its name, so the tones cycle over clips. With the clip's
    ``light`` (and ``weather``) also the lake's distractors (:mod:`sim.calibration.lake_distractors`; the
    sun's glints depend on both), drawn after the others; without it, none of them."""
    view = visible_region(camera, geometry.islands)
    areas = geometry.no_go(kind.value).intersection(view)
    things = _offenders(scenario, geometry, kind, areas, seconds, rng, clip)
    if kind is Kind.SWIMMING:
        water = geometry.water.intersection(view)
        things += _water_distractors(areas, water, seconds, rng)
    else:
        things += _walkers(scenario, geometry, view, seconds, rng)
    if light is None:
        return things
    return things + lake_distractors(scenario, geometry, camera, view, areas, light, weather, seconds, rng)


def drifting(name, cls, region, speed, seconds, rng, own=False, facing=None, cycle=1.4, start=0.0):
    """A thing placed at random in ``region`` at ``start`` (s), moving at ``speed`` (m/s) in a random
    direction until the clip's end."""
    p0 = np.array(sample_in(region, rng))
    angle = rng.uniform(0, 2 * math.pi)
    p1 = p0 + speed * (seconds + 1 - start) * np.array([math.sin(angle), math.cos(angle)])
    track = Track(np.array([start, seconds + 1.0]), np.array([p0, p1]))
    return MovingThing(name, cls, track, start, seconds + 1.0, cycle, facing=facing, own=own)


def _offenders(scenario, geometry, kind, areas, seconds, rng, clip) -> list[MovingThing]:
    """Two offenders in the no-go ``areas`` in view: drifting swimmers, or fishers facing the water."""
    spec = getattr(scenario.incidents, kind.value)
    things = []
    for i in range(2):
        # Offenders arrive after the background model has warmed up, as incidents do in a run:
        # someone present from the first frame would be learnt as background.
        arrival = WARMUP_S + float(rng.uniform(1.0, 6.0))
        if arrival >= seconds + 1.0:  # the clip (and its last second) ends before the offender arrives
            raise TuningError(f"--seconds {seconds:g}: too short, an offender arrives at {arrival:.1f} s")
        if kind is Kind.SWIMMING:
            name, speed = f"offender-{clip}-{i}", spec.drift_speed
            things.append(drifting(name, ActorClass.SWIMMER, areas, speed, seconds, rng, start=arrival))
        else:
            p0 = np.array(sample_in(areas, rng))
            nearest = shapely.ops.nearest_points(geometry.water, shapely.Point(p0))[0]
            facing = math.atan2(nearest.x - p0[0], nearest.y - p0[1])
            track = Track(np.array([arrival, seconds + 1.0]), np.array([p0, p0]))
            cycle = float(rng.uniform(20, 90))
            things.append(
                MovingThing(
                    f"offender-{clip}-{i}",
                    ActorClass.FISHER,
                    track,
                    arrival,
                    seconds + 1.0,
                    cycle,
                    facing=facing,
                )
            )
    return things


def _water_distractors(areas, water, seconds, rng) -> list[MovingThing]:
    """What a swimming detector must not alarm on: two ducks, debris and a boat of the fleet."""
    return [
        drifting("duck-0", ActorClass.BIRD, areas, 0.15, seconds, rng),
        drifting("duck-1", ActorClass.BIRD, water, 0.1, seconds, rng),
        drifting("debris-0", ActorClass.DEBRIS, areas, 0.05, seconds, rng),
        drifting("boat-0", ActorClass.BOAT, water, 2.5, seconds, rng, own=True, cycle=2.0),
    ]


def _walkers(scenario, geometry, view, seconds, rng) -> list[MovingThing]:
    """What a fishing detector must not alarm on: up to three walkers on the promenade near the view."""
    things = []
    path = shore_path(geometry, scenario.render.path_offset)
    near = path.intersection(view.buffer(5.0))
    for i in range(3):
        if near.is_empty:
            break
        start = path.project(shapely.Point(sample_in(near.buffer(3.0), rng)))
        pace = rng.choice([-1.0, 1.0]) * rng.uniform(1.0, 1.6)
        distances = start + pace * np.arange(0.0, seconds + 2.0)
        xy = shapely.get_coordinates(shapely.line_interpolate_point(path, np.mod(distances, path.length)))
        things.append(
            MovingThing(
                f"walker-{i}",
                ActorClass.WALKER,
                Track(np.arange(0, seconds + 2.0), xy),
                0.0,
                seconds + 1.0,
                1.1,
            )
        )
    return things
