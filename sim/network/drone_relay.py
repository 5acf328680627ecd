"""The drone relay (dynamic coverage compensation) and routes out of coverage holes.

When dispatch sends a boat whose path or target lies outside gNB coverage,
:meth:`DroneRelay.mission_started` sends a free drone from its base to hover
at ``altitude`` where the relayed rate at the target is best
(:meth:`sim.network.relay_station.RelayHops.best_station`). With no drone free, a drone on station
whose reach can also cover the new target takes it on, and moves to the point best for all the
boats it serves; it moves again when one of those missions ends. A transfer from a position
without coverage then takes a route (:meth:`DroneRelay.route`):

- through the drone, once it is on station and while its endurance lasts:
  boat → drone over open water (free space / two-ray, :func:`sim.network.aerial.boat_to_drone`)
  and drone → gNB as an aerial UE (TR 36.777 Annex B, :func:`sim.network.aerial.drone_to_gnb`);
  decode-and-forward on one carrier, so the two hops' transmission times add and the rate is
  1 / (1/r_access + 1/r_backhaul);
- otherwise it waits until the boat is in coverage again: heading back along
  its path while on a mission, on its way to the nearest dock after it (a
  boat holds its evidence until it can send it). The wait is never dropped:
  it is the transfer's ``route_wait_s``.

Routes depend on time, not only on place: a transfer at ``t`` from a boat on
a mission belongs to the trip under way at ``t`` whose path the boat is on; a
boat with no mission under way is heading for the nearest dock. Any drone on
station at ``t`` within ``RELAY_REACH_M`` serves it. Trips keep their times and
sorties their on-station windows after they end, so a transfer evaluated after
the run (heartbeats and telemetry, :mod:`sim.network.service_traffic`) gets the route
it would have had during the run.

Drones fly straight at ``speed`` (climb included in the 3-D distance; a move between hover points
at altitude), spend flight time from ``endurance``, and recharge at the base for ``charge_time``
× the share of the battery used. A drone flies for one mission (it leaves when that mission ends)
and serves the boats of others within reach meanwhile.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from sim.network.links import Direction, LinkProfile
from sim.network.radio_map import RadioMap
from sim.network.relay_station import RELAY_REACH_M, RelayHops, stations_in_reach
from sim.scenario.models import Drone, Gnb, Scenario
from sim.world.geometry import WaterNavigator, path_length, points_along


@dataclass(frozen=True)
class RelayRoute:
    """How a transfer from a hole gets out: rate once it can start, and the wait until then."""

    rate_bps: float
    wait_s: float
    via: str
    gnb: Gnb


@dataclass(frozen=True)
class Sortie:
    """One relay flight: on station from ``t_arrive`` above (x, y) (its first hover point, m), back at the
    base at ``t_back``, s."""

    drone_id: str
    x: float
    y: float
    t_depart: float
    t_arrive: float
    t_leave: float
    t_back: float


@dataclass
class _DroneState:
    spec: Drone
    ready_at: float = 0.0
    flight_left_s: float = 0.0
    busy: bool = False

    def __post_init__(self) -> None:
        self.flight_left_s = self.spec.endurance


@dataclass
class _Trip:
    path: np.ndarray
    """Water path from the boat's start to the target, m."""
    speed: float
    t_start: float
    """When the boat set off, s."""
    t_end: float = math.inf
    """When its mission ended (inf while under way), s."""
    drone: _DroneState | None = None
    t_depart: float = 0.0
    t_arrive: float = math.inf
    leave_by: float = -math.inf
    flight_left: float = 0.0
    """The drone's flight time at departure, s."""
    samples: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    stations: list[tuple[float, float, float]] = field(default_factory=list)
    """Its drone's hover points (t_from, x, y): each holds from t_from (s) until the next, m."""
    served: dict[int, tuple[float, float]] = field(default_factory=dict)
    """The targets its drone serves by mission key: its own, and other missions' taken on, m."""

    @property
    def target(self) -> tuple[float, float]:
        """The mission target, m."""
        return float(self.path[-1][0]), float(self.path[-1][1])

    def station_at(self, t: float) -> tuple[float, float]:
        """Where its drone hovers at ``t`` (the first hover point before it arrives), m."""
        i = max(0, bisect.bisect_right(self.stations, t, key=lambda s: s[0]) - 1)
        return self.stations[i][1], self.stations[i][2]

    def gap(self, position: tuple[float, float]) -> float:
        """Distance from ``position`` to the nearest sample of the path, m."""
        return float(np.hypot(*(self.samples - np.asarray(position)).T).min())


class DroneRelay:
    """Relay drones, and routes for transfers from positions without coverage."""

    def __init__(
        self, scenario: Scenario, radio_map: RadioMap, navigator: WaterNavigator, profile: LinkProfile
    ):
        self.map = radio_map
        self.navigator = navigator
        self.profile = profile
        """Coverage (both directions above CQI 1) is judged with this profile (the evidence uploads')."""
        self.config = scenario.network.radio
        self.drones = [_DroneState(spec) for spec in scenario.drones]
        self.sorties: list[Sortie] = []
        self._trips: dict[int, _Trip] = {}
        """Every trip of the run by mission key, in the order they set off."""
        self._flights: dict[str, list[_Trip]] = {d.spec.id: [] for d in self.drones}
        """The trips each drone flew to, in order (its on-station windows never overlap)."""
        self._slowest = min((boat.cruise_speed for boat in scenario.boats), default=math.nan)
        """Cruise speed of the slowest boat, m/s: for a boat on no trip (we do not know which it is)."""
        self._docks = [navigator.snap(*dock.position) for dock in scenario.docks]
        self._covered = radio_map.covered(profile)
        self.hops = RelayHops(radio_map)
        """The relay's two hops and its hover-point search."""
        self._hosts: dict[int, _Trip] = {}
        """Missions served by another mission's drone: the trip whose drone took them on."""

    # ------------------------------------------------------------ hooks from dispatch

    def mission_started(
        self, key: int, start: tuple[float, float], target: tuple[float, float], speed: float, t: float
    ) -> None:
        """A boat leaves ``start`` for ``target`` at ``speed`` m/s: send a drone if the way has a hole, or
        have a drone already out take it on."""
        path = self.navigator.path(start, target)
        trip = _Trip(path, speed, t, samples=points_along(path, self.map.resolution / 2))
        self._trips[key] = trip
        if self._covered_at(trip.samples).all():
            return
        arrivals = []
        for drone in (d for d in self.drones if not d.busy):
            station = self.hops.best_station(drone.spec, [target], self.profile)
            if station is not None and (plan := self._plan(drone, station, t)) is not None:
                arrivals.append((plan, station, drone))
        if not arrivals:
            self._take_on(key, target, t)  # else transfers wait for the boat to regain coverage
            return
        (depart, arrive, leave_by, flight_left), station, drone = min(arrivals, key=lambda a: a[0][1])
        drone.busy, drone.flight_left_s = True, flight_left
        self._flights[drone.spec.id].append(trip)
        trip.drone, trip.t_depart, trip.t_arrive, trip.leave_by = drone, depart, arrive, leave_by
        trip.flight_left, trip.stations, trip.served = flight_left, [(depart, *station)], {key: target}

    def mission_ended(self, key: int, t: float) -> None:
        """The boat is done on scene: its drone flies home and recharges; a drone that served it for
        another mission moves to the best point for the boats it still serves."""
        trip = self._trips.get(key)
        if trip is None or trip.t_end < math.inf:
            return
        trip.t_end = t
        if (host := self._hosts.pop(key, None)) is not None:
            del host.served[key]
            self._move(host, t)
        if trip.drone is None:
            return
        drone, spec = trip.drone, trip.drone.spec
        leave = max(trip.t_depart, min(t, trip.leave_by))
        back = leave + self._flight_s(spec, trip.station_at(leave))
        drone.flight_left_s -= back - trip.t_depart
        drone.ready_at, drone.busy = back, False
        self.sorties.append(Sortie(spec.id, *trip.station_at(0.0), trip.t_depart, trip.t_arrive, leave, back))
        trip.leave_by = min(trip.leave_by, leave)

    def _take_on(self, key: int, target: tuple[float, float], t: float) -> None:
        """A drone out for another mission serves ``target`` too if it can reach a point that serves
        all its boats; the first such drone (in flight order) does."""
        for trip in (tr for flights in self._flights.values() for tr in flights[-1:]):
            if trip.t_end < math.inf or t > trip.leave_by:
                continue
            trip.served[key] = target
            if self._move(trip, t):
                self._hosts[key] = trip
                return
            del trip.served[key]

    def _move(self, trip: _Trip, t: float) -> bool:
        """Move ``trip``'s drone to the best point for the boats it serves, if it serves any and can
        still get home from there; the move takes effect on arrival (after ``t`` or on station)."""
        if trip.t_end < math.inf or not trip.served:
            return False  # its drone has left (its own mission ended)
        spec = trip.drone.spec
        station = self.hops.best_station(spec, list(trip.served.values()), self.profile)
        if station is None:
            return False
        since = max(t, trip.t_arrive)
        arrive = since + math.dist(trip.station_at(since), station) / spec.speed
        leave_by = trip.t_depart + trip.flight_left - self._flight_s(spec, station)
        if arrive > leave_by:
            return False
        trip.stations.append((arrive, *station))
        trip.leave_by = leave_by
        return True

    # ------------------------------------------------------------ routes

    def better_route(
        self, position: tuple[float, float], t: float, profile: LinkProfile, direct_bps: float
    ) -> RelayRoute | None:
        """A drone on station at ``t`` within ``RELAY_REACH_M`` that beats the direct rate, if any."""
        best = None
        for trip in self._on_station(t):
            station = trip.station_at(t)
            if math.dist(station, position) > RELAY_REACH_M:
                continue
            rate, gnb = self.relay_rate(trip.drone.spec, station, position, profile)
            if rate > max(direct_bps, best.rate_bps if best else 0.0):
                best = RelayRoute(rate, 0.0, f"{trip.drone.spec.id}>{gnb.id}", gnb)
        return best

    def route(
        self, position: tuple[float, float], t: float, profile: LinkProfile, direction: Direction
    ) -> RelayRoute:
        """The way out of a hole at ``position`` for a transfer starting at ``t``.

        In order: the drone of the sender's trip (now, or once on station); another drone on station
        within reach; the boat's way into coverage (back along its trip's path, or, after the mission,
        home to the nearest dock).
        """
        trip = self._trip_at(position, t)
        own = None
        if trip is not None and trip.drone is not None and t <= trip.leave_by:
            rate, gnb = self.relay_rate(trip.drone.spec, trip.station_at(t), position, profile)
            if rate > 0:
                own = RelayRoute(rate, max(0.0, trip.t_arrive - t), f"{trip.drone.spec.id}>{gnb.id}", gnb)
        if own is not None and own.wait_s == 0:
            return own
        if nearby := self.better_route(position, t, profile, 0.0):
            return nearby
        if own is not None:
            return own
        if trip is not None:
            return self._back_into_coverage(position, trip, profile, direction)
        return self._home_into_coverage(position, profile, direction)

    def relay_rate(
        self, drone: Drone, station: tuple[float, float], sender: tuple[float, float], profile: LinkProfile
    ) -> tuple[float, Gnb]:
        """Two-hop rate sender → drone hovering above ``station`` → best gNB, bit/s, and that gNB."""
        rate, best = self.hops.rate(drone, station, sender, profile)
        return rate, self.map.gnbs[best].gnb

    def _back_into_coverage(
        self, position: tuple[float, float], trip: _Trip, profile: LinkProfile, direction: Direction
    ) -> RelayRoute:
        """Wait until the boat, going back along its path, reaches the first covered point."""
        samples = trip.samples
        nearest = int(np.argmin(np.hypot(*(samples - np.asarray(position)).T)))
        route = self._first_covered(position, samples[nearest::-1], trip.speed, profile, direction)
        # None: the trip began out of coverage (a boat re-tasked on the water): the nearest covered cell.
        return route or self._to_nearest_coverage(position, trip.speed, profile, direction)

    def _home_into_coverage(
        self, position: tuple[float, float], profile: LinkProfile, direction: Direction
    ) -> RelayRoute:
        """Wait until a boat on its way home reaches coverage on the shortest path to a dock.

        For a sender on no trip under way: a boat back from its mission (it heads for the quickest
        dock, ``sim.fleet.boats.Boat.route_home``; docks are covered) or going to a patrol point. Its cruise
        speed is not known here: the slowest boat's is taken (the longer wait).
        """
        if math.isnan(self._slowest):
            raise ValueError(f"no coverage at ({position[0]:.0f}, {position[1]:.0f}) and no boat")
        body = self.navigator.body_of(position)
        ways = [
            self.navigator.path(position, dock)
            for dock in self._docks
            if self.navigator.body_of(dock) == body
        ]
        if ways:
            way = points_along(min(ways, key=path_length), self.map.resolution / 2)
            if route := self._first_covered(position, way, self._slowest, profile, direction):
                return route
        return self._to_nearest_coverage(position, self._slowest, profile, direction)

    def _first_covered(
        self,
        position: tuple[float, float],
        way: np.ndarray,
        speed: float,
        profile: LinkProfile,
        direction: Direction,
    ) -> RelayRoute | None:
        """The route from the first covered point of ``way`` (points from ``position`` on), reached
        at ``speed`` m/s; None if ``way`` never enters coverage."""
        covered = np.flatnonzero(self._covered_at(way))
        if len(covered) == 0:
            return None
        first = int(covered[0])
        distance = math.dist(position, way[0]) + path_length(way[: first + 1])
        x, y = way[first]
        gnb = self.map.serving_gnb(x, y)
        return RelayRoute(self.map.rate_at(profile, direction, x, y), distance / speed, gnb.id, gnb)

    def _to_nearest_coverage(
        self, position: tuple[float, float], speed: float, profile: LinkProfile, direction: Direction
    ) -> RelayRoute:
        """Wait until the boat, going straight for the nearest covered cell, is there (docks are covered)."""
        rows, cols = np.nonzero(self._covered)
        x, y = self.map.x[cols], self.map.y[rows]
        nearest = int(np.argmin(np.hypot(x - position[0], y - position[1])))
        cx, cy = float(x[nearest]), float(y[nearest])
        gnb = self.map.serving_gnb(cx, cy)
        wait = math.dist(position, (cx, cy)) / speed
        return RelayRoute(self.map.rate_at(profile, direction, cx, cy), wait, gnb.id, gnb)

    def _trip_at(self, position: tuple[float, float], t: float) -> _Trip | None:
        """The trip under way at ``t`` of the boat at ``position``; None if no trip under way passes there.

        A boat on a mission follows its trip's path, so its trip is one under way at ``t`` (begun,
        not yet ended) whose path passes within a grid cell of ``position``: the nearest such path
        if several do. Trips that began after ``t`` or ended before it do not count.
        """
        under_way = [trip for trip in self._trips.values() if trip.t_start <= t <= trip.t_end]
        nearest = min(under_way, key=lambda trip: trip.gap(position), default=None)
        return nearest if nearest is not None and nearest.gap(position) <= self.map.resolution else None

    def _on_station(self, t: float) -> Iterator[_Trip]:
        """The trips whose drone hovers on station at ``t``: at most one sortie per drone."""
        for flights in self._flights.values():
            i = bisect.bisect_right(flights, t, key=lambda trip: trip.t_arrive) - 1
            if i >= 0 and t <= flights[i].leave_by:
                yield flights[i]

    def may_relay(self, xy: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Whether a drone hovers on station at ``t`` (s) within reach of ``xy`` ((n, 2), m): where
        :meth:`better_route` may relay (a metre's margin on ``RELAY_REACH_M``: never a false no)."""
        near = np.zeros(len(t), bool)
        for flights in filter(None, self._flights.values()):
            for _, mine, _ in stations_in_reach(flights, xy, t):
                near[mine] = True
        return near

    def prefetch(self, xy: np.ndarray, t: np.ndarray, profile: LinkProfile) -> None:
        """The relayed rates :meth:`better_route` will ask for transfers from ``xy`` at ``t``, at once."""
        for flights in filter(None, self._flights.values()):
            for drone, mine, stations in stations_in_reach(flights, xy, t):
                self.hops.prefetch(drone, stations, xy[mine], profile)

    def _covered_at(self, points: np.ndarray) -> np.ndarray:
        row, col = self.map.index(points[:, 0], points[:, 1])
        return self._covered[row, col]

    # ------------------------------------------------------------ drone flights

    def _flight_s(self, spec: Drone, point: np.ndarray | tuple[float, float]) -> float:
        return math.hypot(math.dist(spec.position, point), spec.altitude) / spec.speed

    def _plan(
        self, drone: _DroneState, target: tuple[float, float], t: float
    ) -> tuple[float, float, float, float] | None:
        """(depart, on station, must leave by, flight time at departure) of a sortie asked at ``t``.

        None if the target is beyond the drone's round-trip reach.
        """
        spec = drone.spec
        fly = self._flight_s(spec, target)
        if 2 * fly >= spec.endurance:
            return None
        depart = max(t, drone.ready_at)
        # Charging since the last landing refills the battery at endurance / charge_time per second.
        rate = math.inf if spec.charge_time == 0 else spec.endurance / spec.charge_time
        flight_left = min(spec.endurance, drone.flight_left_s + (depart - drone.ready_at) * rate)
        if flight_left < 2 * fly:  # not enough for the round trip: wait until it is
            depart += (2 * fly - flight_left) / rate
            flight_left = 2 * fly
        return depart, depart + fly, depart + flight_left - fly, flight_left
