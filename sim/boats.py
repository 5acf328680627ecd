"""Unmanned surface boats: movement on water, battery, and one mission on scene.

First version of the kinematics: constant cruise speed along the planned path
(no acceleration), propulsion power P = c·v³ plus a hotel load (the usual
cubic law for a displacement hull at constant efficiency), charging at the
dock at a constant power. Every movement is recorded as :class:`~sim.records.Leg`
rows, from which tracks and energy are computed afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.geometry import WaterNavigator, path_length, truncate_path
from sim.records import Leg
from sim.scenario import Boat as BoatSpec
from sim.scenario import OnScene

if TYPE_CHECKING:
    from sim.incidents import Incident
    from sim.world import World


class BoatState(StrEnum):
    DOCKED = "docked"
    OUTBOUND = "outbound"
    ON_SCENE = "on_scene"
    RETURNING = "returning"


@dataclass(frozen=True)
class MissionOutcome:
    """What a boat did at one case; times in s, None where it did not happen."""

    t_depart: float
    t_arrive: float
    t_done: float
    incident_id: int | None
    """Offender found and warned on scene (ground truth), None if nobody was found."""
    distance_m: float
    energy_wh: float


class Boat:
    """One boat: where it is, its battery, and what it is doing."""

    def __init__(
        self,
        spec: BoatSpec,
        dock_xy: tuple[float, float],
        navigator: WaterNavigator,
        env: simpy.Environment,
        legs: list[Leg],
        other_docks: tuple[tuple[float, float], ...] = (),
    ):
        """``dock_xy``: the home dock, where the boat starts; it returns to the nearest of all docks."""
        self.spec = spec
        self.id = spec.id
        self.navigator = navigator
        self.docks = tuple(navigator.snap(*xy) for xy in (dock_xy, *other_docks))
        self.env = env
        self._legs = legs
        self.state = BoatState.DOCKED
        self._xy = np.array(self.docks[0], dtype=float)
        self._battery_wh = spec.battery_wh
        self._docked_since = env.now
        self.return_process: simpy.Process | None = None
        self._moving: tuple[float, np.ndarray, np.ndarray] | None = None
        self._heading = 0.0

    # ------------------------------------------------------------ energy

    def moving_power_w(self, speed: float) -> float:
        """Electrical power at ``speed`` m/s: hotel load plus c·v³, W."""
        return self.spec.hotel_power_w + self.spec.drag_coefficient * speed**3

    def battery_wh(self, t: float | None = None) -> float:
        """State of charge at time ``t`` (default now); charging while docked, Wh."""
        t = self.env.now if t is None else t
        if self.state is BoatState.DOCKED:
            charged = self.spec.charge_power_w * (t - self._docked_since) / 3600.0
            return min(self.spec.battery_wh, self._battery_wh + charged)
        return self._battery_wh

    def time_to_charge(self, level_wh: float) -> float:
        """Seconds of docked charging until the battery holds ``level_wh``."""
        missing = max(0.0, level_wh - self.battery_wh())
        return missing * 3600.0 / self.spec.charge_power_w

    @property
    def available(self) -> bool:
        """Can take a mission now: docked or returning, and above the reserve."""
        return (
            self.state in (BoatState.DOCKED, BoatState.RETURNING)
            and self.battery_wh() >= self.spec.reserve_wh
        )

    @property
    def position(self) -> tuple[float, float]:
        return float(self._xy[0]), float(self._xy[1])

    # ------------------------------------------------------------ movement

    def _leave_dock(self) -> None:
        if self.state is BoatState.DOCKED:
            self._battery_wh = self.battery_wh()

    def hold(self, duration: float, state: BoatState) -> Generator[simpy.Event, None, float]:
        """Hold position for ``duration`` s (hotel load only); returns energy used, Wh."""
        if duration <= 0:
            return 0.0
        t0, battery0 = self.env.now, self._battery_wh
        yield self.env.timeout(duration)
        energy = self.spec.hotel_power_w * duration / 3600.0
        self._battery_wh -= energy
        x, y = self.position
        self._legs.append(Leg(self.id, t0, self.env.now, x, y, x, y, state, battery0, self._battery_wh))
        return energy

    def travel(
        self, waypoints: np.ndarray, state: BoatState
    ) -> Generator[simpy.Event, None, tuple[float, float]]:
        """Move along ``waypoints`` at cruise speed; returns (distance m, energy Wh).

        If interrupted (a returning boat re-tasked), the boat stops where it is
        at that moment, the partial legs are recorded, and the Interrupt is re-raised.
        """
        self._leave_dock()
        self.state = state
        speed = self.spec.cruise_speed
        steps = np.hypot(*np.diff(waypoints, axis=0).T)
        times = np.concatenate([[0.0], np.cumsum(steps / speed)])
        t0 = self.env.now
        self._moving = (t0, waypoints, times)
        try:
            if times[-1] > 0:
                yield self.env.timeout(float(times[-1]))
        except simpy.Interrupt:
            self._record_path(waypoints, times, t0, self.env.now - t0, speed, state)
            raise
        finally:
            self._moving = None
        return self._record_path(waypoints, times, t0, float(times[-1]), speed, state)

    def pose(self, t: float) -> tuple[float, float, float, float]:
        """(x m, y m, heading rad, speed m/s) at time ``t`` (now or during the current movement)."""
        if self._moving is None:
            return (*self.position, self._heading, 0.0)
        t0, waypoints, times = self._moving
        elapsed = min(max(t - t0, 0.0), float(times[-1]))
        i = min(int(np.searchsorted(times, elapsed, side="right")) - 1, len(waypoints) - 2)
        span = times[i + 1] - times[i]
        a, b = waypoints[i], waypoints[i + 1]
        x, y = a + (b - a) * ((elapsed - times[i]) / span if span > 0 else 1.0)
        self._heading = math.atan2(b[0] - a[0], b[1] - a[1]) if span > 0 else self._heading
        return float(x), float(y), self._heading, self.spec.cruise_speed if span > 0 else 0.0

    def _record_path(
        self,
        waypoints: np.ndarray,
        times: np.ndarray,
        t0: float,
        elapsed: float,
        speed: float,
        state: BoatState,
    ) -> tuple[float, float]:
        power = self.moving_power_w(speed)
        distance = energy = 0.0
        for i in range(len(waypoints) - 1):
            if times[i] >= elapsed and i > 0:
                break
            end = min(times[i + 1], elapsed)
            span = times[i + 1] - times[i]
            fraction = (end - times[i]) / span if span > 0 else 1.0
            a = waypoints[i]
            b = a + fraction * (waypoints[i + 1] - a)
            leg_energy = power * (end - times[i]) / 3600.0
            battery0 = self._battery_wh
            self._battery_wh -= leg_energy
            if end > times[i]:
                self._legs.append(
                    Leg(self.id, t0 + times[i], t0 + end, *a, *b, state, battery0, self._battery_wh)
                )
            distance += float(np.hypot(*(b - a)))
            energy += leg_energy
            self._xy = np.array(b, dtype=float)
        return distance, energy

    def dock(self) -> None:
        """Arrived home: start charging."""
        self.state = BoatState.DOCKED
        self._docked_since = self.env.now

    # ------------------------------------------------------------ mission

    def mission(
        self,
        target: tuple[float, float],
        kind: str,
        world: World,
        on_scene: OnScene,
        evidence_upload: Callable[[tuple[float, float], float], float],
    ) -> Generator[simpy.Event, None, MissionOutcome]:
        """Go to ``target``, warn the offenders found there, upload evidence.

        ``evidence_upload(position, t)`` returns the upload delay (s).
        """
        t_depart = self.env.now
        speaker = self.spec.loudspeaker_range
        path = truncate_path(self.navigator.path(self.position, target), target, speaker * 0.9)
        distance, energy = yield from self.travel(path, BoatState.OUTBOUND)
        offender = world.offender_near(kind, self.position, self.env.now, search_radius=2 * speaker)
        if offender is not None:
            # The offender drifted out of earshot: close in on where they are now.
            where = offender.position(self.env.now)
            if np.hypot(*(np.subtract(where, self.position))) > speaker:
                path = truncate_path(self.navigator.path(self.position, where), where, speaker * 0.9)
                more_distance, more_energy = yield from self.travel(path, BoatState.OUTBOUND)
                distance, energy = distance + more_distance, energy + more_energy
        t_arrive = self.env.now
        self.state = BoatState.ON_SCENE
        # Everyone of this kind within earshot hears the warnings, not only the offender sought.
        audience = world.offenders_within(kind, self.position, t_arrive, speaker)
        if not audience:
            return MissionOutcome(t_depart, t_arrive, t_arrive, None, distance, energy)
        found = audience[0].id
        for offender in audience:
            world.mark(offender.id, "t_boat_arrived", t_arrive)
            world.attended_by(offender.id, self.id)
        energy += yield from self.hold(on_scene.warning_setup, BoatState.ON_SCENE)
        audience = [o for o in audience if world.present(o.id, self.env.now)]
        if not audience:  # they left on their own while the boat got ready
            return MissionOutcome(t_depart, t_arrive, self.env.now, found, distance, energy)
        energy += yield from self._warn(audience, world, on_scene)
        delay = evidence_upload(self.position, self.env.now)
        energy += yield from self.hold(delay, BoatState.ON_SCENE)
        for offender in audience:
            world.mark(offender.id, "t_evidence_uploaded", self.env.now)
        return MissionOutcome(t_depart, t_arrive, self.env.now, found, distance, energy)

    def _warn(
        self, audience: list[Incident], world: World, on_scene: OnScene
    ) -> Generator[simpy.Event, None, float]:
        """Warn up to ``max_warnings`` times until everyone has left or the boat gives up; energy, Wh.

        An offender who heeds a warning leaves after their own delay (the boat
        stops warning and waits); one who would have left anyway within the
        wait leaves then. Whoever is undecided after the last warning and the
        give-up time is recorded as given up on.
        """
        compliance = world.compliance(audience[0].kind)
        leaving: dict[int, float] = {}
        energy = 0.0
        for number in range(1, compliance.max_warnings + 1):
            t_warning = self.env.now
            last = number == compliance.max_warnings
            patience = on_scene.give_up_after if last else compliance.warning_interval
            for offender in audience:
                if offender.id in leaving:
                    continue
                world.mark(offender.id, "t_warning", t_warning)
                heeded = offender.leave_time_after(number, t_warning)
                if heeded is None and offender.t_end <= t_warning + patience:
                    heeded = offender.t_end
                if heeded is not None:
                    leaving[offender.id] = heeded
                    world.offender_left(offender.id, heeded)
            if len(leaving) == len(audience):
                energy += yield from self.hold(max(leaving.values()) - self.env.now, BoatState.ON_SCENE)
                return energy
            energy += yield from self.hold(patience, BoatState.ON_SCENE)
        for offender in audience:
            if offender.id not in leaving:
                world.mark(offender.id, "t_gave_up", self.env.now)
        # Those who agreed to leave are watched until they have gone (the evidence shows it).
        last_departure = max(leaving.values(), default=self.env.now)
        if last_departure > self.env.now:
            energy += yield from self.hold(last_departure - self.env.now, BoatState.ON_SCENE)
        return energy

    def go_home(self) -> Generator[simpy.Event, None, None]:
        """Return to the nearest dock by water (interruptible by a new mission)."""
        paths = [self.navigator.path(self.position, dock) for dock in self.docks]
        path = min(paths, key=path_length)
        yield from self.travel(path, BoatState.RETURNING)
        self.dock()
