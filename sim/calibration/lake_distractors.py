"""What a lake has near its no-go areas that a detector must not alarm on, for ``tune``'s clips.

Besides the ducks, debris and walkers of :mod:`sim.calibration.clip_scenes`, every clip gets (each thing is
a real actor with truth boxes of its own class, never an offender):

* **boats passing** within :data:`PASS_WITHIN_M` of the no-go areas in view: a pedal boat
  (1.2 m/s, as :class:`sim.render.actors.Distractors` moves its leisure boats), a small motor boat
  (:data:`MOTOR_BOAT_SPEED`) and one of the project's own boats at the fleet's cruise speed, each on a
  straight line across the water through a point near the areas, passing it at a random time;
* **reeds** (:data:`REED_CLUMPS` clumps) in the shallows at the water's edge near the areas, swaying;
* **birds landing and taking off**: one glides in (8 m/s from 6 m up, assumption), lands with a splash,
  floats and takes off again (a 5-m run over the water, then a climb); one floats from the start and takes
  off during the clip;
* **people wading** (:data:`WADERS`) in 0.35-0.65 m of water 2-5 m from the shore, outside every
  no-swimming area (where swimming is allowed) and within :data:`WADE_WITHIN_M` of the areas, walking
  slowly along the shore;
* **sun glints** (:mod:`sim.render.glints`) with the sun where it stands at a random instant of the clip's
  light level on the scenario's date of :data:`sim.render.thermal_scene.TYPICAL_DATE` (:func:`clip_sun`): by
  day the glitter lies towards the sun, at dusk only while the sun is above the horizon, at night none.

A clip whose view holds no place for a thing (no shore near the areas, no water outside the no-swimming
areas) goes without it. All of it is drawn from the clip's random stream after the older things, so those
are unchanged.
"""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import shapely

from sim.render.actors import ActorClass, MovingThing
from sim.render.glints import glint_things
from sim.render.thermal_scene import TYPICAL_DATE
from sim.scenario.models import Light, Scenario, Weather
from sim.world.cameras import CameraModel
from sim.world.daylight import LIGHT_ORDER, light_from_elevation, sun_azimuth_deg, sun_elevation_deg
from sim.world.geometry import ZoneGeometry, sample_in
from sim.world.incidents import Track

WARMUP_S = 5.0
"""As :data:`sim.calibration.clip_scenes.WARMUP_S`: arrivals come after the background model's warm-up."""
PASS_WITHIN_M = 30.0
"""Boats pass through a point of the water this close to the no-go areas in view, m."""
PEDAL_BOAT_SPEED, MOTOR_BOAT_SPEED = 1.2, 4.0
"""m/s: a pedal boat; a small electric leisure motor boat (assumption)."""
REED_CLUMPS = 3
REED_WITHIN_M = 40.0
"""Reeds grow at the water's edge this close to the no-go areas, m."""
WADERS = 2
WADE_WITHIN_M = 60.0
"""Waders stand within this distance of the no-go areas, m."""
WADE_SPEED = 0.3
"""m/s, walking in water (assumption)."""
GLIDE_SPEED, GLIDE_HEIGHT = 8.0, 6.0
"""A landing bird's approach speed (m/s) and the height it starts gliding from (m) (assumption)."""
TAKE_OFF_RUN_M, TAKE_OFF_RUN_S, CLIMB_SPEED, CLIMB_GRADIENT = 5.0, 1.5, 8.0, 0.25
"""A take-off: a run over the water (m, s), then flight at this speed (m/s) climbing this many metres per
metre (assumption)."""


def clip_sun(scenario: Scenario, light: Light, rng: np.random.Generator) -> tuple[float, float]:
    """(azimuth, elevation) of the sun, deg, at a random 5-minute instant of ``light`` on the typical date
    at the scenario's site."""
    zone = scenario.zone
    instants = np.datetime64(TYPICAL_DATE) + np.arange(0, 24 * 60, 5).astype("timedelta64[m]")
    place = (zone.latitude_deg, zone.longitude_deg, zone.utc_offset_h)
    elevation = sun_elevation_deg(instants, *place)
    candidates = np.flatnonzero(light_from_elevation(elevation) == LIGHT_ORDER.index(light))
    i = int(rng.choice(candidates))
    when = TYPICAL_DATE + timedelta(minutes=5 * i)
    return float(sun_azimuth_deg(when, *place)[0]), float(elevation[i])


def lake_distractors(
    scenario: Scenario,
    geometry: ZoneGeometry,
    camera: CameraModel,
    view: shapely.Geometry,
    areas: shapely.Geometry,
    light: Light,
    weather: Weather,
    seconds: float,
    rng: np.random.Generator,
) -> list[MovingThing]:
    """The module's distractors of one clip: ``view`` is what ``camera`` sees, ``areas`` the no-go areas of
    the clip's kind within it."""
    water = geometry.water.intersection(view)
    near = water.intersection(areas.buffer(PASS_WITHIN_M))
    things: list[MovingThing] = []
    cruise = scenario.boats[0].cruise_speed if scenario.boats else 2.5
    for name, speed, own in (
        ("leisure-pedal", PEDAL_BOAT_SPEED, False),
        ("leisure-motor", MOTOR_BOAT_SPEED, False),
        ("usv-passing", cruise, True),
    ):
        if not near.is_empty:
            things.append(_passing_boat(name, geometry, near, speed, own, seconds, rng))
    things += _reeds(geometry, view, areas, seconds, rng)
    things += _birds(water, areas, seconds, rng)
    things += _waders(geometry, view, areas, seconds, rng)
    sun = clip_sun(scenario, light, rng)
    return things + glint_things(camera, water, sun, weather, scenario.run.wind_speed, seconds, rng)


def _passing_boat(name, geometry, near, speed, own, seconds, rng) -> MovingThing:
    """A boat on a straight line across the water through a random point of ``near``, passing it at a
    random time of the clip."""
    p = np.array(sample_in(near, rng))
    angle = rng.uniform(0, 2 * math.pi)
    direction = np.array([math.sin(angle), math.cos(angle)])
    line = shapely.LineString([p - 600.0 * direction, p + 600.0 * direction]).intersection(geometry.water)
    pieces = [g for g in getattr(line, "geoms", [line]) if g.geom_type == "LineString" and not g.is_empty]
    piece = min(pieces, key=lambda g: g.distance(shapely.Point(p)))
    a, b = np.array(piece.coords[0]), np.array(piece.coords[-1])
    if np.dot(b - a, direction) < 0:
        a, b = b, a
    t_pass = float(rng.uniform(WARMUP_S, seconds))
    t_a = t_pass - float(np.hypot(*(p - a))) / speed
    t_b = t_pass + float(np.hypot(*(b - p))) / speed
    track = Track(np.array([t_a, t_b]), np.array([a, b]))
    return MovingThing(name, ActorClass.BOAT, track, max(0.0, t_a), min(t_b, seconds + 1.0), 2.0, own=own)


def _shore_near(geometry: ZoneGeometry, view, areas, within: float):
    """The water's edge in ``view`` within ``within`` m of ``areas``."""
    return geometry.water.boundary.intersection(view).intersection(areas.buffer(within))


def _point_on(line, rng: np.random.Generator) -> np.ndarray:
    return np.array(shapely.line_interpolate_point(line, rng.uniform(0, line.length)).coords[0])


def _reeds(geometry, view, areas, seconds, rng) -> list[MovingThing]:
    """Clumps in the shallows at the water's edge, present all clip long; they bend downwind (one wind
    direction per clip) with a sway period of 1.5-3 s (assumption)."""
    shore = _shore_near(geometry, view, areas, REED_WITHIN_M)
    if shore.is_empty or shore.length < 1.0:
        return []
    downwind = rng.uniform(0, 2 * math.pi)
    things = []
    for i in range(REED_CLUMPS):
        edge = _point_on(shore, rng)
        spot = geometry.water.intersection(shapely.Point(edge).buffer(1.5))
        xy = np.array(sample_in(spot, rng)) if not spot.is_empty else edge
        track = Track(np.array([0.0, seconds + 1.0]), np.array([xy, xy]))
        period = float(rng.uniform(1.5, 3.0))
        things.append(
            MovingThing(f"reeds-{i}", ActorClass.REEDS, track, 0.0, seconds + 1.0, period, facing=downwind)
        )
    return things


def _birds(water, areas, seconds, rng) -> list[MovingThing]:
    """One bird that lands near the areas and takes off again, one that takes off from there."""
    spots = water.intersection(areas.buffer(PASS_WITHIN_M))
    if spots.is_empty:
        return []
    things = []
    landing = np.array(sample_in(spots, rng))
    t_land = float(rng.uniform(WARMUP_S + 2.0, max(WARMUP_S + 3.0, 0.6 * seconds)))
    t_off = t_land + float(rng.uniform(10.0, 60.0))
    things.append(_flight("flyer-landing", landing, t_land, t_off, seconds, rng))
    floating = np.array(sample_in(spots, rng))
    t_off = float(rng.uniform(WARMUP_S + 5.0, max(WARMUP_S + 6.0, seconds - 5.0)))
    things.append(_flight("flyer-leaving", floating, None, t_off, seconds, rng))
    return things


def _flight(name, spot, t_land, t_off, seconds, rng) -> MovingThing:
    """A bird at ``spot`` from ``t_land`` (gliding in before; None: there from the start) until ``t_off``,
    then running over the water and climbing away; drifting at 0.1 m/s on the water."""
    heading = rng.uniform(0, 2 * math.pi)
    ahead = np.array([math.sin(heading), math.cos(heading)])
    times, points, heights = [], [], []
    if t_land is not None:
        glide = GLIDE_HEIGHT / math.tan(math.radians(12.0))  # a 12° glide path (assumption)
        times += [t_land - glide / GLIDE_SPEED, t_land, t_land + 1.0]
        points += [spot - glide * ahead, spot, spot + 2.0 * ahead]
        heights += [GLIDE_HEIGHT, 0.0, 0.0]
        start = times[0]
    else:
        times, points, heights, start = [0.0], [spot], [0.0], 0.0
    drift = 0.1 * np.array([math.cos(heading), -math.sin(heading)])
    settled = points[-1] + drift * max(0.0, t_off - times[-1])
    if t_off > times[-1]:
        times.append(t_off)
        points.append(settled)
        heights.append(0.0)
    run_end = settled + TAKE_OFF_RUN_M * ahead
    away = run_end + 60.0 * ahead
    times += [times[-1] + TAKE_OFF_RUN_S, times[-1] + TAKE_OFF_RUN_S + 60.0 / CLIMB_SPEED]
    points += [run_end, away]
    heights += [0.0, 60.0 * CLIMB_GRADIENT]
    track = Track(np.array(times), np.array(points))
    lift = tuple(zip(times, heights, strict=True))
    end = min(times[-1], seconds + 1.0)
    return MovingThing(name, ActorClass.BIRD, track, max(0.0, start), end, 1.5, heights=lift)


def _waders(geometry, view, areas, seconds, rng) -> list[MovingThing]:
    """People in the shallows outside every no-swimming area near ``areas``, walking along the shore."""
    banned = shapely.union_all([a.region for a in geometry.no_swimming])
    shore = _shore_near(geometry, view, areas, WADE_WITHIN_M).difference(banned.buffer(5.0))
    if shore.is_empty or shore.length < 1.0:
        return []
    shallows = geometry.water.difference(banned).intersection(view)
    things = []
    for i in range(WADERS):
        edge = _point_on(shore, rng)
        ring = shapely.Point(edge).buffer(5.0).difference(shapely.Point(edge).buffer(2.0))
        spot = shallows.intersection(ring)
        if spot.is_empty:
            continue
        p0 = np.array(sample_in(spot, rng))
        arrival = float(rng.uniform(WARMUP_S, max(WARMUP_S + 1.0, 0.5 * seconds)))
        tangent = _shore_tangent(geometry, edge)
        p1 = p0 + rng.choice([-1.0, 1.0]) * WADE_SPEED * (seconds + 1.0 - arrival) * tangent
        if not shallows.contains(shapely.LineString([p0, p1])):
            p1 = p0  # the walk would leave the shallows: they stand
        facing = float(rng.uniform(0, 2 * math.pi))
        track = Track(np.array([arrival, seconds + 1.0]), np.array([p0, p1]))
        things.append(
            MovingThing(f"wader-{i}", ActorClass.WADER, track, arrival, seconds + 1.0, 1.2, facing=facing)
        )
    return things


def _shore_tangent(geometry: ZoneGeometry, edge: np.ndarray) -> np.ndarray:
    """Unit vector along the water's edge at ``edge`` (a point on it)."""
    boundary = geometry.water.boundary
    s = boundary.project(shapely.Point(edge))
    a = np.array(shapely.line_interpolate_point(boundary, max(0.0, s - 1.0)).coords[0])
    b = np.array(shapely.line_interpolate_point(boundary, s + 1.0).coords[0])
    direction = b - a
    return direction / max(float(np.hypot(*direction)), 1e-9)
