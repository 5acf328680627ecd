"""Unmanned surface boats: routes on water, movement, battery, patrol endurance.

A boat plans a :class:`Route` (water path, speed profile from
:mod:`sim.fleet.kinematics`, energy from :mod:`sim.fleet.energy`), flies it, holds
position, warns offenders and uploads evidence. Everything it does is
recorded as :class:`~sim.world.records.Leg` rows (moving, holding, charging at the
dock), from which ``tracks.csv`` is sampled after the run. Whatever it is
doing can be cut short at any moment (:meth:`Boat.halt`): the part done so
far is recorded and the battery charged for it. What a boat does on scene is
in :mod:`sim.fleet.on_scene`.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import simpy

from sim.fleet.energy import Battery, PowerModel
from sim.fleet.kinematics import NO_CURRENT, CurrentField, Limits, Motion, plan_motion
from sim.scenario.models import Boat as BoatSpec
from sim.world.geometry import WaterNavigator, truncate_path
from sim.world.records import Leg

APPROACH_FRACTION = 0.9
"""A boat stops this fraction of its loudspeaker range short of the target (to be surely heard)."""
ROUTE_MEMO_SIZE = 1024
"""Routes a boat keeps (a route depends on its ends only: docks, targets and stops recur in later dispatch
decisions); the memo is emptied when full."""


class BoatState(StrEnum):
    DOCKED = "docked"
    OUTBOUND = "outbound"
    ON_SCENE = "on_scene"
    RETURNING = "returning"
    """Heading for its station: a dock, or a patrol point under zone_patrol."""
    PATROLLING = "patrolling"
    """Waiting at a patrol point on the water."""


@dataclass(frozen=True)
class Route:
    """A planned trip: the water path, its speed profile and the energy of each piece."""

    path: np.ndarray
    motion: Motion
    piece_energy_wh: np.ndarray

    @property
    def duration(self) -> float:
        """s"""
        return self.motion.duration

    @property
    def distance(self) -> float:
        """m"""
        return self.motion.distance

    @property
    def energy_wh(self) -> float:
        return float(self.piece_energy_wh.sum())

    @property
    def end(self) -> tuple[float, float]:
        return float(self.path[-1, 0]), float(self.path[-1, 1])


@dataclass(frozen=True)
class OnSceneBudget:
    """The longest a boat can spend at one case (planning the energy of a mission)."""

    seconds: float
    """Arrival to leaving: set-up, every warning interval, the give-up time and the upload, s."""
    loudspeaker_s: float
    """Time the loudspeaker plays in that span, s."""


@dataclass(frozen=True)
class Task:
    """The mission a boat is on, as dispatch sees it (policies read it)."""

    case_id: int
    kind: str
    target: tuple[float, float]
    stop: tuple[float, float]
    """Where the boat will be on scene, m."""
    t_free: float
    """Expected end of the mission, s."""


@dataclass
class _Activity:
    """What the boat is doing now: flying a route (``route``) or holding still (``hold_w``)."""

    t0: float
    state: BoatState
    duration: float
    battery0: float
    route: Route | None = None
    hold_w: float = 0.0

    def energy_by(self, t: float) -> float:
        """Energy used from the start to ``t``, Wh."""
        elapsed = min(max(t - self.t0, 0.0), self.duration)
        if self.route is None:
            return self.hold_w * elapsed / 3600.0
        cumulative = np.concatenate([[0.0], np.cumsum(self.route.piece_energy_wh)])
        return float(np.interp(elapsed, self.route.motion.t, cumulative))


class Boat:
    """One boat: where it is, its battery, what it is doing."""

    def __init__(
        self,
        spec: BoatSpec,
        dock_xy: tuple[float, float],
        navigator: WaterNavigator,
        env: simpy.Environment,
        legs: list[Leg],
        other_docks: tuple[tuple[float, float], ...] = (),
        current: CurrentField = NO_CURRENT,
    ):
        """``dock_xy``: the home dock, where the boat starts; it returns to the nearest of all docks."""
        self.spec = spec
        self.id = spec.id
        self.navigator = navigator
        self.docks = tuple(navigator.snap(*xy) for xy in (dock_xy, *other_docks))
        self.env = env
        self.limits = Limits.of(spec)
        self.power = PowerModel.of(spec)
        self.current = current
        self.battery = Battery(spec.battery_wh, spec.charge_power_w, env.now)
        self.state = BoatState.DOCKED
        self.task: Task | None = None
        self.station: tuple[float, float] | None = None
        """Patrol point where the boat waits when idle (None: it waits at a dock)."""
        self.idle_process: simpy.Process | None = None
        self.follow_up: object | None = None
        """A case dispatch gave the boat to take when its mission ends (fastest_eta)."""
        self.odometer_m = 0.0
        self.energy_used_wh = 0.0
        self._legs = legs
        self._xy = np.array(self.docks[0], dtype=float)
        self._heading = 0.0
        self._activity: _Activity | None = None
        self._routes: dict[tuple, Route] = {}

    # ------------------------------------------------------------ state

    @property
    def position(self) -> tuple[float, float]:
        """Where the boat is now (m), also while it moves."""
        activity = self._activity
        if activity is not None and activity.route is not None:
            return activity.route.motion.at(self.env.now - activity.t0)[:2]
        return float(self._xy[0]), float(self._xy[1])

    def battery_wh(self, t: float | None = None) -> float:
        """State of charge at ``t`` (default now), during any activity or charge, Wh."""
        t = self.env.now if t is None else t
        if self._activity is not None:
            return self._activity.battery0 - self._activity.energy_by(t)
        return self.battery.level(t)

    @property
    def available(self) -> bool:
        """Free for a mission now: not on one, and not below its reserve."""
        return self.task is None and self.battery_wh() >= self.spec.reserve_wh

    @property
    def docked(self) -> bool:
        return self.state is BoatState.DOCKED

    def pose(self, t: float) -> tuple[float, float, float, float]:
        """(x m, y m, heading rad, ground speed m/s) at time ``t`` (now or during the current activity)."""
        activity = self._activity
        if activity is None or activity.route is None:
            return (float(self._xy[0]), float(self._xy[1]), self._heading, 0.0)
        x, y, heading, speed = activity.route.motion.at(t - activity.t0)
        self._heading = heading
        return x, y, heading, speed

    # ------------------------------------------------------------ planning

    def route(self, start: tuple[float, float], goal: tuple[float, float], stop_within: float = 0.0) -> Route:
        """The route from ``start`` to ``goal`` on water, cut where ``goal`` is within ``stop_within`` m."""
        key = (start, goal, stop_within)
        if (known := self._routes.get(key)) is None:
            if len(self._routes) >= ROUTE_MEMO_SIZE:
                self._routes.clear()
            path = self.navigator.path(start, goal)
            if stop_within > 0:
                path = truncate_path(path, goal, stop_within)
            motion = plan_motion(path, self.limits, self.current)
            known = self._routes[key] = Route(path, motion, self.power.motion_energy_wh(motion))
        return known

    def approach(self, target: tuple[float, float], start: tuple[float, float] | None = None) -> Route:
        """The route to within warning range of ``target`` (from ``start``, default where the boat is)."""
        reach = self.spec.loudspeaker_range * APPROACH_FRACTION
        return self.route(self.position if start is None else start, target, reach)

    def route_home(self, start: tuple[float, float] | None = None) -> Route:
        """The quickest route from ``start`` (default here) to any dock."""
        start = self.position if start is None else start
        body = self.navigator.body_of(start)
        docks = [dock for dock in self.docks if self.navigator.body_of(dock) == body]
        # No trip is quicker than its straight line at top speed: nearest docks first, and a dock whose
        # bound exceeds the quickest route found is not planned (the same dock wins as planning them all).
        bounds = [math.dist(start, dock) / self.limits.max_speed for dock in docks]
        best: tuple[float, int, Route] | None = None
        for index in sorted(range(len(docks)), key=bounds.__getitem__):
            if best is not None and bounds[index] > best[0]:
                break
            route = self.route(start, docks[index])
            best = min(best or (route.duration, index, route), (route.duration, index, route), key=_quickest)
        if best is None:
            raise ValueError(f"no dock on the water at {start}")
        return best[2]

    def reachable(self, target: tuple[float, float]) -> bool:
        """Is ``target`` on the water body the boat is on (or next to it)?"""
        return self.navigator.body_of(self.position) == self.navigator.body_of(target)

    def mission_energy_wh(self, target: tuple[float, float], budget: OnSceneBudget) -> float:
        """Energy of a mission to ``target`` from here and back to a dock, at its longest, Wh.

        Out, up to three loudspeaker ranges of closing in on a drifting
        offender (at the slowest ground speed the current allows), the whole
        on-scene budget with camera and loudspeaker, and home from the stop.
        """
        out = self.approach(target)
        slowest = self.limits.cruise_speed - self.current.max_speed()
        power = self.power
        moving_w = power.hotel_w + power.propulsion_w(self.limits.cruise_speed) + power.camera_w
        close_in = moving_w * 3 * self.spec.loudspeaker_range / slowest / 3600.0
        flow = float(np.hypot(*self.current.at(np.array([out.end]))[0]))
        scene = (
            self.power.holding_w(flow, camera=True) * budget.seconds
            + self.power.loudspeaker_w * budget.loudspeaker_s
        ) / 3600.0
        return out.energy_wh + close_in + scene + self.route_home(out.end).energy_wh

    def can_serve(self, target: tuple[float, float], budget: OnSceneBudget) -> bool:
        """Could the boat do this mission and still come home with its reserve?"""
        if not self.reachable(target):
            return False
        return self.battery_wh() - self.mission_energy_wh(target, budget) >= self.spec.reserve_wh

    # ------------------------------------------------------------ doing

    def _begin(
        self, state: BoatState, duration: float, route: Route | None = None, hold_w: float = 0.0
    ) -> None:
        self.halt()
        self.leave_dock()
        self.state = state
        battery = self.battery.level(self.env.now)
        self._activity = _Activity(self.env.now, state, duration, battery, route, hold_w)

    def halt(self) -> None:
        """Stop whatever the boat is doing now; record the part done and charge the battery for it."""
        activity = self._activity
        if activity is None:
            return
        self._activity = None
        now = min(self.env.now, activity.t0 + activity.duration)
        if activity.route is None:
            self._record(activity, now, self._xy, activity.hold_w * (now - activity.t0) / 3600.0)
            return
        motion = activity.route.motion
        elapsed = now - activity.t0
        for i in range(motion.pieces):
            t0, t1 = motion.t[i], motion.t[i + 1]
            if t0 >= elapsed and i > 0:
                break
            end = min(t1, elapsed)
            share = (end - t0) / (t1 - t0) if t1 > t0 else 1.0
            xy = motion.xy[i + 1] if end >= t1 else np.array(motion.at(end)[:2])
            if end > t0:
                energy = activity.route.piece_energy_wh[i] * share
                self._record(activity, activity.t0 + end, xy, energy, activity.t0 + t0)
            self._heading = math.atan2(motion.heading[i, 0], motion.heading[i, 1])

    def _record(
        self, activity: _Activity, t1: float, xy: np.ndarray, energy_wh: float, t0: float | None = None
    ) -> None:
        t0 = activity.t0 if t0 is None else t0
        x0, y0 = float(self._xy[0]), float(self._xy[1])
        battery0 = self.battery.level(t0)
        battery1 = self.battery.draw(energy_wh)
        x1, y1 = float(xy[0]), float(xy[1])
        self._legs.append(Leg(self.id, t0, t1, x0, y0, x1, y1, activity.state, battery0, battery1))
        self.odometer_m += float(np.hypot(xy[0] - x0, xy[1] - y0))
        self.energy_used_wh += energy_wh
        self._xy = np.array(xy, dtype=float)

    def leave_dock(self) -> None:
        """Stop charging (recording the charging spans)."""
        for t0, t1, level0, level1 in self.battery.stop_charging(self.env.now):
            x, y = self.position
            self._legs.append(Leg(self.id, t0, t1, x, y, x, y, BoatState.DOCKED, level0, level1))

    def dock(self) -> None:
        """At a dock: start charging."""
        self.halt()
        self.state = BoatState.DOCKED
        self.battery.start_charging(self.env.now)

    def close(self) -> None:
        """End of the run: record whatever is in progress."""
        self.halt()
        self.leave_dock()

    def travel(self, route: Route, state: BoatState) -> Generator[simpy.Event, None, None]:
        """Fly ``route``. An Interrupt stops the boat where it is (the part flown is recorded), re-raised."""
        self._begin(state, route.duration, route=route)
        try:
            if route.duration > 0:
                yield self.env.timeout(route.duration)
        finally:
            self.halt()

    def hold(
        self, duration: float, state: BoatState, camera: bool = False, loudspeaker: bool = False
    ) -> Generator[simpy.Event, None, None]:
        """Hold position for ``duration`` s (keeping station against the current); interruptible."""
        if duration <= 0:
            return
        flow = float(np.hypot(*self.current.at(self._xy[None, :])[0]))
        self._begin(state, duration, hold_w=self.power.holding_w(flow, camera, loudspeaker))
        try:
            yield self.env.timeout(duration)
        finally:
            self.halt()

    def go_home(self) -> Generator[simpy.Event, None, None]:
        """Return to the nearest dock by water and start charging (interruptible by a new mission)."""
        yield from self.travel(self.route_home(), BoatState.RETURNING)
        self.dock()

    # ------------------------------------------------------------ patrol

    def patrol_endurance(self, spare_wh: float | None = None) -> float:
        """How long the boat can wait at its station and still get home with its reserve, s."""
        if spare_wh is None:
            spare_wh = self.battery_wh() - self.route_home().energy_wh - self.spec.reserve_wh
        flow = float(np.hypot(*self.current.at(np.array([self.station]))[0]))
        power = self.power.holding_w(flow, camera=True)
        return math.inf if power == 0 else max(0.0, spare_wh) * 3600.0 / power

    def can_patrol(self) -> bool:
        """Enough charge to reach the station and, from there, a dock with the reserve left?"""
        to_station = self.route(self.position, self.station)
        home = self.route_home(self.station)
        spare = self.battery_wh() - to_station.energy_wh - home.energy_wh - self.spec.reserve_wh
        return spare > 0 and self.patrol_endurance(spare) > 1.0


def _quickest(choice: tuple[float, int, Route]) -> tuple[float, int]:
    """Order of candidate routes home: quickest first, then the dock listed first."""
    return choice[0], choice[1]
