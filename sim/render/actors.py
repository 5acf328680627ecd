"""Who is where: the actors a camera may see at time t, for rendering.

Offenders come from a simulation run (their tracks, and when they left), the
project's boats from the boats' recorded legs, and distractors (walkers on the
shore path, ducks, floating debris, legal boats) from their own named random
streams. Everything is a plain :class:`Actor` record: the renderer knows
nothing about incidents or dispatch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import shapely
from shapely.geometry import LineString

from sim.core.rng import RandomStreams
from sim.scenario.models import Kind, RenderConfig, Scenario
from sim.world.angler_view import facing
from sim.world.geometry import WaterNavigator, ZoneGeometry, sample_in
from sim.world.incidents import Incident, Track, drift_track
from sim.world.records import Leg


class ActorClass(StrEnum):
    SWIMMER = "swimmer"
    FISHER = "fisher"
    WALKER = "walker"
    BIRD = "bird"
    DEBRIS = "debris"
    BOAT = "boat"
    WADER = "wader"
    """A person standing or walking in shallow water where swimming is allowed."""
    REEDS = "reeds"
    """A clump of reeds at the water's edge, swaying in the wind."""
    GLINT = "glint"
    """Sun glitter: the sun mirrored by wave facets on the water (an effect, not an object)."""


@dataclass(frozen=True)
class Actor:
    """One actor at one instant; positions in m, velocity in m/s, heading in rad (compass)."""

    id: str
    cls: ActorClass
    x: float
    y: float
    heading: float
    speed: float
    phase: float
    """Animation phase in [0, 1): swim stroke, walking step, cast."""
    variant: int
    """Stable appearance choice (clothes, colours, sitting or standing)."""
    own: bool = False
    """For boats: the project's unmanned boat (True) or a legal leisure boat."""
    z: float = 0.0
    """Height of the actor's frame above the water or ground, m (a bird in flight)."""


def _heading(dx: float, dy: float) -> float:
    return math.atan2(dx, dy)


def _stable_variant(name: str) -> int:
    return sum(name.encode()) % 97


@dataclass(frozen=True)
class MovingThing:
    """A distractor or offender with a piecewise-linear track over its lifetime."""

    id: str
    cls: ActorClass
    track: Track
    t_start: float
    t_end: float
    cycle_s: float
    """Period of its animation (stroke, step, cast), s."""
    facing: float | None = None
    """Fixed heading for stationary actors (a fisher faces the water), rad."""
    own: bool = False
    heights: tuple[tuple[float, float], ...] = ()
    """(time s, height m) corners of its height above the water, linear between them and held beyond
    (a bird landing and taking off); none: on the water or ground."""

    def at(self, t: float) -> Actor | None:
        if not self.t_start <= t < self.t_end:
            return None
        position = self.track.position([t, t + 1.0])
        (x, y), (x2, y2) = position
        speed = math.hypot(x2 - x, y2 - y)
        heading = self.facing if self.facing is not None and speed < 1e-6 else _heading(x2 - x, y2 - y)
        variant = _stable_variant(self.id)
        phase = ((t - self.t_start) / self.cycle_s + variant / 97.0) % 1.0
        z = float(np.interp(t, *zip(*self.heights, strict=True))) if self.heights else 0.0
        return Actor(self.id, self.cls, float(x), float(y), heading, speed, phase, variant, self.own, z)


def shore_path(geometry: ZoneGeometry, offset: float) -> LineString:
    """The promenade: the longest ring at ``offset`` m from the water, inside the zone."""
    band = geometry.water.buffer(offset).intersection(geometry.bounds)
    rings = [p.exterior for p in getattr(band, "geoms", [band]) if not p.is_empty]
    longest = max(rings, key=lambda ring: ring.length)
    inside = longest.intersection(geometry.bounds.buffer(-1.0))
    parts = list(getattr(inside, "geoms", [inside]))
    return max((p for p in parts if p.geom_type == "LineString"), key=lambda p: p.length)


def boat_actors(legs: list[Leg], docks: dict[str, tuple[float, float]], t: float) -> list[Actor]:
    """The project's boats at time t from their legs; a boat with no leg then is at its last dock."""
    actors = []
    by_boat: dict[str, list[Leg]] = {}
    for leg in legs:
        by_boat.setdefault(leg.boat_id, []).append(leg)
    for boat_id, home in docks.items():
        x, y, heading, speed = home[0], home[1], 0.0, 0.0
        for leg in sorted(by_boat.get(boat_id, []), key=lambda leg: leg.t0):
            if leg.t0 > t:
                break
            fraction = 1.0 if leg.t1 <= leg.t0 else min(1.0, (t - leg.t0) / (leg.t1 - leg.t0))
            x = leg.x0 + fraction * (leg.x1 - leg.x0)
            y = leg.y0 + fraction * (leg.y1 - leg.y0)
            if leg.x1 != leg.x0 or leg.y1 != leg.y0:
                heading = _heading(leg.x1 - leg.x0, leg.y1 - leg.y0)
            speed = leg.speed if t < leg.t1 else 0.0
        actors.append(boat_actor(boat_id, x, y, heading, speed, t))
    return actors


def boat_actor(boat_id: str, x: float, y: float, heading: float, speed: float, t: float) -> Actor:
    """One of the project's boats at ``t`` (s): at (x, y) m, heading rad, ground speed m/s."""
    return Actor(f"boat-{boat_id}", ActorClass.BOAT, x, y, heading, speed, (t / 2.0) % 1.0, 0, True)


class Distractors:
    """Walkers, ducks, debris and legal boats over a time window, from their own random streams."""

    def __init__(
        self,
        config: RenderConfig,
        geometry: ZoneGeometry,
        navigator: WaterNavigator,
        streams: RandomStreams,
        t0: float,
        t1: float,
    ):
        self.things: list[MovingThing] = []
        self._latest: tuple[float, list[Actor]] | None = None
        path = shore_path(geometry, config.path_offset)
        rng = streams.stream("render/walkers")
        for i in range(config.walkers):
            self.things.append(self._walker(f"walker-{i}", path, rng, t0, t1))
        water_rng = streams.stream("render/water-things")
        for i in range(config.ducks):
            start = sample_in(geometry.water, water_rng)
            track = drift_track(start, t0, t1 + 1.0, 0.15, geometry.water, water_rng)
            self.things.append(MovingThing(f"bird-{i}", ActorClass.BIRD, track, t0, t1 + 1.0, 1.5))
        for i in range(config.debris):
            start = sample_in(geometry.water, water_rng)
            track = drift_track(start, t0, t1 + 1.0, 0.05, geometry.water, water_rng)
            self.things.append(MovingThing(f"debris-{i}", ActorClass.DEBRIS, track, t0, t1 + 1.0, 4.0))
        for i in range(config.legal_boats):
            self.things.append(self._leisure_boat(f"legal-{i}", geometry, navigator, water_rng, t0, t1))

    @staticmethod
    def _walker(name: str, path: LineString, rng: np.random.Generator, t0: float, t1: float) -> MovingThing:
        speed = rng.uniform(1.0, 1.6)  # m/s, walking pace
        direction = rng.choice([-1.0, 1.0])
        start = rng.uniform(0.0, path.length)
        times = np.arange(t0, t1 + 6.0, 5.0)
        distances = np.mod(start + direction * speed * (times - t0), path.length)
        points = shapely.line_interpolate_point(path, distances)
        xy = shapely.get_coordinates(points)
        return MovingThing(name, ActorClass.WALKER, Track(times, xy), t0, times[-1], 1.1)

    @staticmethod
    def _leisure_boat(
        name: str,
        geometry: ZoneGeometry,
        navigator: WaterNavigator,
        rng: np.random.Generator,
        t0: float,
        t1: float,
    ) -> MovingThing:
        speed = 1.2  # m/s, pedal or rowing boat
        times, points = [t0], [np.array(navigator.snap(*sample_in(geometry.water, rng)))]
        body = navigator.body_of(tuple(points[0]))
        while times[-1] < t1:
            goal = navigator.snap(*sample_in(geometry.water, rng))
            if navigator.body_of(goal) != body:
                continue  # it stays on the lake or river it was put on (one piece of water: never happens)
            for waypoint in navigator.path(tuple(points[-1]), goal)[1:]:
                step = float(np.hypot(*(waypoint - points[-1])))
                if step > 0:
                    times.append(times[-1] + step / speed)
                    points.append(waypoint)
        return MovingThing(
            name, ActorClass.BOAT, Track(np.array(times), np.array(points)), t0, times[-1], 2.0
        )

    def at(self, t: float) -> list[Actor]:
        """The distractors present at ``t`` (s). They do not depend on the run, so the list of the latest
        ``t`` is kept: pixel mode asks once per camera, and most cameras share their frame instants."""
        if self._latest is None or self._latest[0] != t:
            self._latest = (t, [actor for thing in self.things if (actor := thing.at(t)) is not None])
        return list(self._latest[1])


STROKE_S, CAST_CYCLE_S = 1.4, 75.0
"""Swim stroke period and time between casts (assumptions), s."""


def offender_thing(incident: Incident, left_at: float, geometry) -> MovingThing:
    """An incident as a renderable thing: swimmers swim, fishers face the water and cast now and then."""
    if incident.kind is Kind.SWIMMING:
        return MovingThing(
            f"incident-{incident.id}", ActorClass.SWIMMER, incident.track, incident.t_start, left_at, STROKE_S
        )
    return MovingThing(
        f"incident-{incident.id}",
        ActorClass.FISHER,
        incident.track,
        incident.t_start,
        left_at,
        CAST_CYCLE_S,
        facing=facing(geometry.water, incident.start_xy),
    )


def lamp_positions(scenario: Scenario, geometry) -> np.ndarray:
    """Lamps along the shore path every ``render.lamp_spacing`` m, (n, 2)."""
    path = shore_path(geometry, scenario.render.path_offset)
    distances = np.arange(0.0, path.length, scenario.render.lamp_spacing)
    return shapely.get_coordinates(shapely.line_interpolate_point(path, distances))
