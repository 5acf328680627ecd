"""The drone relay (dynamic coverage compensation) and routes out of coverage holes.

When dispatch sends a boat whose path or target lies outside gNB coverage,
:meth:`DroneRelay.mission_started` sends a free drone from its base to hover
at ``altitude`` above the target. A transfer from a position without coverage
then takes a route (:meth:`DroneRelay.route`):

- through the drone, once it is on station and while its endurance lasts:
  boat → drone and drone → gNB are both line-of-sight air links (TR 36.777
  Table B-2 UMi-AV LOS, :func:`sim.radio.aerial_umi_los`); decode-and-forward
  on one carrier, so the two hops' transmission times add and the rate is
  1 / (1/r_access + 1/r_backhaul);
- otherwise it waits until the boat, heading back along its path, is in
  coverage again (a boat holds its evidence until it can send it). The wait
  is never dropped: it is the transfer's ``route_wait_s``.

Drones fly straight at ``speed`` (climb included in the 3-D distance), spend
flight time from ``endurance``, and recharge at the base for ``charge_time``
× the share of the battery used. One drone serves one mission at a time.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from sim import radio
from sim.coverage import RadioMap, check_docks, uplink_efficiency, uplink_factor
from sim.geometry import WaterNavigator
from sim.network import Direction, LinkProfile
from sim.scenario import Drone, Gnb, Scenario

RELAY_REACH_M = 200.0
"""A drone on station serves senders within this horizontal distance of its station, m."""


@dataclass(frozen=True)
class Route:
    """How a transfer from a hole gets out: rate once it can start, and the wait until then."""

    rate_bps: float
    wait_s: float
    via: str
    gnb: Gnb


@dataclass(frozen=True)
class Sortie:
    """One relay flight: on station above (x, y) from ``t_arrive``, back at the base at ``t_back``, s."""

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
    drone: _DroneState | None = None
    t_depart: float = 0.0
    t_arrive: float = math.inf
    leave_by: float = -math.inf
    samples: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))


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
        self._active: dict[int, _Trip] = {}
        """Trips with a drone assigned, until the mission ends."""
        self._covered = radio_map.covered(profile)
        check_docks(scenario, radio_map, profile)

    # ------------------------------------------------------------ hooks from dispatch

    def mission_started(
        self, key: int, start: tuple[float, float], target: tuple[float, float], speed: float, t: float
    ) -> None:
        """A boat leaves ``start`` for ``target`` at ``speed`` m/s: send a drone if the way has a hole."""
        path = self.navigator.path(start, target)
        trip = _Trip(path, speed, samples=_along(path, self.map.resolution / 2))
        self._trips[key] = trip
        if self._covered_at(trip.samples).all():
            return
        free = [d for d in self.drones if not d.busy]
        arrivals = [(self._plan(d, target, t), d) for d in free]
        arrivals = [(plan, d) for plan, d in arrivals if plan is not None]
        if not arrivals:
            return  # no drone can help: transfers wait for the boat to regain coverage
        (depart, arrive, leave_by, flight_left), drone = min(arrivals, key=lambda item: item[0][1])
        drone.busy, drone.flight_left_s = True, flight_left
        self._active[key] = trip
        trip.drone, trip.t_depart, trip.t_arrive, trip.leave_by = drone, depart, arrive, leave_by

    def mission_ended(self, key: int, t: float) -> None:
        """The boat is done on scene: its drone flies home and recharges."""
        trip = self._active.pop(key, None)
        if trip is None:
            return
        drone, spec = trip.drone, trip.drone.spec
        target = trip.path[-1]
        fly = self._flight_s(spec, target)
        leave = max(trip.t_depart, min(t, trip.leave_by))
        back = leave + fly
        drone.flight_left_s -= back - trip.t_depart
        drone.ready_at, drone.busy = back, False
        self.sorties.append(
            Sortie(spec.id, float(target[0]), float(target[1]), trip.t_depart, trip.t_arrive, leave, back)
        )
        trip.leave_by = min(trip.leave_by, leave)

    # ------------------------------------------------------------ routes

    def better_route(
        self, position: tuple[float, float], t: float, profile: LinkProfile, direct_bps: float
    ) -> Route | None:
        """A drone on station within ``RELAY_REACH_M`` that beats the direct rate, if there is one."""
        best = None
        for trip in self._active.values():
            if not trip.t_arrive <= t <= trip.leave_by:
                continue
            station = (float(trip.path[-1][0]), float(trip.path[-1][1]))
            if math.dist(station, position) > RELAY_REACH_M:
                continue
            rate, gnb = self.relay_rate(trip.drone.spec, station, position, profile)
            if rate > max(direct_bps, best.rate_bps if best else 0.0):
                best = Route(rate, 0.0, f"{trip.drone.spec.id}>{gnb.id}", gnb)
        return best

    def route(
        self, position: tuple[float, float], t: float, profile: LinkProfile, direction: Direction
    ) -> Route:
        """The way out of a hole at ``position`` for a transfer starting at ``t``."""
        trip = self._nearest_trip(position)
        if trip is None:
            raise ValueError(f"no coverage at ({position[0]:.0f}, {position[1]:.0f}) and no boat trip there")
        if trip.drone is not None and t <= trip.leave_by:
            rate, gnb = self.relay_rate(trip.drone.spec, tuple(trip.path[-1]), position, profile)
            if rate > 0:
                return Route(rate, max(0.0, trip.t_arrive - t), f"{trip.drone.spec.id}>{gnb.id}", gnb)
        return self._back_into_coverage(position, trip, profile, direction)

    def relay_rate(
        self, drone: Drone, station: tuple[float, float], sender: tuple[float, float], profile: LinkProfile
    ) -> tuple[float, Gnb]:
        """Two-hop rate sender → drone → best gNB, bit/s, and that gNB."""
        altitude = drone.altitude
        access_d = math.hypot(math.dist(station, sender), altitude - self.config.ue_height)
        best: tuple[float, Gnb] = (0.0, self.map.gnbs[0].gnb)
        for gnb_map in self.map.gnbs:
            gnb = gnb_map.gnb
            backhaul_d = math.hypot(math.dist(station, gnb.position), altitude - gnb.height)
            access = self._air_rate(
                float(radio.aerial_umi_los(access_d, gnb.frequency_ghz, altitude)), gnb, profile
            )
            backhaul = self._air_rate(
                float(radio.aerial_umi_los(backhaul_d, gnb.frequency_ghz, altitude)) - gnb.antenna_gain_dbi,
                gnb,
                profile,
            )
            if access > 0 and backhaul > 0:
                rate = 1.0 / (1.0 / access + 1.0 / backhaul)
                if rate > best[0]:
                    best = (rate, gnb)
        return best

    def _air_rate(self, loss_db: float, gnb: Gnb, profile: LinkProfile) -> float:
        """Rate of a power-limited UE-class transmitter over ``loss_db`` to ``gnb``'s carrier, bit/s."""
        bandwidth = self.map.bandwidth_hz(gnb, profile)
        noise = radio.noise_dbm(bandwidth, gnb.noise_figure_db) + self.config.uplink_interference_db
        snr = self.map.ue_power_dbm(profile) - loss_db - noise
        return bandwidth * float(uplink_efficiency(snr, profile.cqi_table)) * uplink_factor(gnb, profile)

    def _back_into_coverage(
        self, position: tuple[float, float], trip: _Trip, profile: LinkProfile, direction: Direction
    ) -> Route:
        """Wait until the boat, going back along its path, reaches the first covered point."""
        samples = trip.samples
        nearest = int(np.argmin(np.hypot(*(samples - np.asarray(position)).T)))
        way_back = samples[nearest::-1]
        covered = np.flatnonzero(self._covered_at(way_back))
        if len(covered) == 0:
            # The trip began out of coverage (a boat re-tasked on the water): the nearest covered cell.
            return self._to_nearest_coverage(position, trip.speed, profile, direction)
        first = int(covered[0])
        steps = np.hypot(*np.diff(way_back[: first + 1], axis=0).T).sum() if first > 0 else 0.0
        distance = math.dist(position, way_back[0]) + float(steps)
        x, y = way_back[first]
        gnb = self.map.serving_gnb(x, y)
        return Route(self.map.rate_at(profile, direction, x, y), distance / trip.speed, gnb.id, gnb)

    def _to_nearest_coverage(
        self, position: tuple[float, float], speed: float, profile: LinkProfile, direction: Direction
    ) -> Route:
        """Wait until the boat, going straight for the nearest covered cell, is there (docks are covered)."""
        rows, cols = np.nonzero(self._covered)
        x, y = self.map.x[cols], self.map.y[rows]
        nearest = int(np.argmin(np.hypot(x - position[0], y - position[1])))
        cx, cy = float(x[nearest]), float(y[nearest])
        gnb = self.map.serving_gnb(cx, cy)
        wait = math.dist(position, (cx, cy)) / speed
        return Route(self.map.rate_at(profile, direction, cx, cy), wait, gnb.id, gnb)

    def _nearest_trip(self, position: tuple[float, float]) -> _Trip | None:
        best, best_d = None, math.inf
        for trip in reversed(self._trips.values()):
            d = float(np.hypot(*(trip.samples - np.asarray(position)).T).min())
            if d < best_d - 1e-9:
                best, best_d = trip, d
        return best

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


def _along(path: np.ndarray, step: float) -> np.ndarray:
    """Points every ``step`` m along a polyline (ends included)."""
    points = [path[0]]
    for a, b in itertools.pairwise(path):
        n = max(1, math.ceil(math.dist(a, b) / step))
        points.extend(a + (b - a) * (i / n) for i in range(1, n + 1))
    return np.asarray(points, dtype=float)
