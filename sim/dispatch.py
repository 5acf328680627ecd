"""The dispatch centre: alarms become cases, cases become boat missions.

Alarms of the same kind within ``association_radius`` of an open case whose
last alarm is at most ``association_window`` old join that case, so one
offender seen by three cameras yields one mission. New cases wait
``decision_time``, join a first-come-first-served queue, and the dispatch
policy picks a boat for the head of the queue whenever a case opens or a boat
becomes free. Dispatch knows only alarms and what boats report; the ground
truth carried by alarms is used for recording, never for decisions.

A policy is one class registered by name (``@register_policy("name")``)
with ``choose(case, boats) -> Boat | None``; ``dispatch.policy`` in the
scenario selects it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import simpy

from sim.boats import Boat, BoatState
from sim.metrics import Recorder
from sim.network import Link
from sim.records import Alarm, MissionRecord
from sim.relay import DroneRelay
from sim.scenario import DispatchConfig, Kind
from sim.world import World

COMMAND_BYTES = 256
"""Size of a dispatch command (target, kind, case id, signature), bytes."""


@dataclass
class Case:
    """What dispatch believes: an offender of ``kind`` near (x, y). Mutable while open."""

    id: int
    kind: Kind
    x: float
    y: float
    t_opened: float
    t_last_alarm: float
    alarm_ids: list[int] = field(default_factory=list)
    incident_ids: list[int] = field(default_factory=list)
    """Ground truth of the alarms, for the records only."""
    boat_id: str | None = None
    closed: bool = False


class DispatchPolicy(Protocol):
    def choose(self, case: Case, boats: Sequence[Boat]) -> Boat | None:
        """The boat to send to ``case``, or None to leave it queued."""


POLICIES: dict[str, type[DispatchPolicy]] = {}


def register_policy(name: str) -> Callable[[type], type]:
    """Class decorator: make a policy selectable as ``dispatch.policy: name``."""

    def register(cls: type) -> type:
        if name in POLICIES:
            raise ValueError(f"policy {name!r} is already registered")
        POLICIES[name] = cls
        return cls

    return register


@register_policy("nearest_idle")
class NearestIdle:
    """The available boat (docked above reserve, or returning) with the shortest water path."""

    def choose(self, case: Case, boats: Sequence[Boat]) -> Boat | None:
        candidates = sorted(
            (math.hypot(boat.position[0] - case.x, boat.position[1] - case.y), order, boat)
            for order, boat in enumerate(boats)
            if boat.available
        )
        best, best_length = None, math.inf
        for crow_flies, _, boat in candidates:
            if crow_flies >= best_length:
                break  # a water path is never shorter than the straight line
            length = boat.navigator.distance(boat.position, (case.x, case.y))
            if length < best_length:
                best, best_length = boat, length
        return best


@dataclass
class _Mission:
    """A mission in progress; becomes a frozen MissionRecord when the run ends."""

    id: int
    boat_id: str
    case: Case
    t_assigned: float
    t_depart: float | None = None
    t_arrive: float | None = None
    t_done: float | None = None
    t_back: float | None = None
    distance_m: float = 0.0
    energy_wh: float = 0.0
    found_incident: int | None = None

    def record(self) -> MissionRecord:
        truth = self.found_incident
        if truth is None and self.case.incident_ids:
            truth = self.case.incident_ids[0]
        return MissionRecord(
            self.id,
            self.boat_id,
            truth,
            self.t_assigned,
            self.t_depart,
            self.t_arrive,
            self.t_done,
            self.t_back,
            self.distance_m,
            self.energy_wh,
        )


class DispatchCenter:
    """Receives alarms, keeps cases, sends boats."""

    def __init__(
        self,
        env: simpy.Environment,
        config: DispatchConfig,
        boats: Sequence[Boat],
        command_link: Link,
        evidence_link: Link,
        world: World,
        recorder: Recorder,
        relay: DroneRelay | None = None,
    ):
        self.env = env
        self.config = config
        self.boats = list(boats)
        self.policy = POLICIES[config.policy]()
        self.command_link = command_link
        self.evidence_link = evidence_link
        self.world = world
        self.recorder = recorder
        self.relay = relay  # network hook: told where missions go (sim.relay)
        self.cases: list[Case] = []
        self.queue: list[Case] = []
        self._missions: list[_Mission] = []

    # ------------------------------------------------------------ alarms and cases

    def receive(self, alarm: Alarm) -> None:
        """An alarm arrived (after the uplink): join it to a case or open a new one."""
        now = self.env.now
        if alarm.incident_id is not None:
            self.recorder.mark(alarm.incident_id, "t_alarm_received", now)
        case = self._associate(alarm, now)
        if case is None:
            case = Case(len(self.cases) + 1, alarm.kind, alarm.x, alarm.y, now, now)
            self.cases.append(case)
            self.env.process(self._open(case))
        case.alarm_ids.append(alarm.alarm_id)
        case.x, case.y, case.t_last_alarm = alarm.x, alarm.y, now
        if alarm.incident_id is not None and alarm.incident_id not in case.incident_ids:
            case.incident_ids.append(alarm.incident_id)
        if case.boat_id is not None:
            self._mark_dispatched(case, case.boat_id)

    def _associate(self, alarm: Alarm, now: float) -> Case | None:
        radius, window = self.config.association_radius, self.config.association_window
        for case in reversed(self.cases):
            if now - case.t_last_alarm > window:
                break  # cases are in order of opening; older ones cannot be recent either
            if case.closed or case.kind != alarm.kind:
                continue
            if math.hypot(case.x - alarm.x, case.y - alarm.y) <= radius:
                return case
        return None

    def _open(self, case: Case) -> Generator[simpy.Event, None, None]:
        if self.config.decision_time > 0:
            yield self.env.timeout(self.config.decision_time)
        self.queue.append(case)
        self.assign()

    def _mark_dispatched(self, case: Case, boat_id: str) -> None:
        self.recorder.dispatched_alarms.update(case.alarm_ids)
        for incident_id in case.incident_ids:
            self.recorder.mark(incident_id, "t_dispatched", self.env.now)
            self.recorder.boat_of.setdefault(incident_id, boat_id)

    # ------------------------------------------------------------ boats

    def assign(self) -> None:
        """Give queued cases, oldest first, to the boats the policy picks."""
        while self.queue:
            case = self.queue[0]
            boat = self.policy.choose(case, self.boats)
            if boat is None:
                return
            self.queue.pop(0)
            if boat.return_process is not None and boat.return_process.is_alive:
                boat.return_process.interrupt("new mission")
            mission = _Mission(len(self._missions) + 1, boat.id, case, self.env.now)
            self._missions.append(mission)
            case.boat_id = boat.id
            self._mark_dispatched(case, boat.id)
            boat.state = BoatState.OUTBOUND  # reserved from now on
            self.env.process(self._run_mission(boat, mission))

    def _run_mission(self, boat: Boat, mission: _Mission) -> Generator[simpy.Event, None, None]:
        case = mission.case
        if self.relay is not None:  # network hook: a drone may fly ahead to a coverage hole
            self.relay.mission_started(
                mission.id, boat.position, (case.x, case.y), boat.spec.cruise_speed, self.env.now
            )
        yield self.env.timeout(self.command_link.delay(COMMAND_BYTES, boat.position, self.env.now))
        mission.t_depart = self.env.now
        outcome = yield from boat.mission(
            (case.x, case.y), case.kind, self.world, self.config.on_scene, self._evidence_delay
        )
        mission.t_arrive, mission.t_done = outcome.t_arrive, outcome.t_done
        if self.relay is not None:  # network hook: the relay drone may go home
            self.relay.mission_ended(mission.id, self.env.now)
        mission.found_incident = outcome.incident_id
        mission.distance_m += outcome.distance_m
        mission.energy_wh += outcome.energy_wh
        case.closed = True
        boat.state = BoatState.RETURNING  # free for the next case from here on
        self.assign()
        if boat.state is BoatState.RETURNING:  # not re-tasked on the spot: head home
            boat.return_process = self.env.process(self._return(boat, mission))

    def _evidence_delay(self, position: tuple[float, float], t: float) -> float:
        on_scene = self.config.on_scene
        size = on_scene.evidence_photos * on_scene.photo_bytes + on_scene.clip_bytes
        return self.evidence_link.delay(size, position, t)

    def _return(self, boat: Boat, mission: _Mission) -> Generator[simpy.Event, None, None]:
        legs_before = len(self.recorder.legs)
        try:
            yield from boat.go_home()
            mission.t_back = self.env.now
        except simpy.Interrupt:
            pass
        finally:
            new_legs = self.recorder.legs[legs_before:]
            mission.distance_m += sum(
                leg.speed * (leg.t1 - leg.t0) for leg in new_legs if leg.boat_id == boat.id
            )
            mission.energy_wh += sum(
                leg.battery0_wh - leg.battery1_wh for leg in new_legs if leg.boat_id == boat.id
            )
        if mission.t_back is None:
            return
        boat.return_process = None
        if boat.battery_wh() < boat.spec.reserve_wh:
            # Charging: look at the queue again once the boat is above its reserve.
            wake = self.env.timeout(boat.time_to_charge(boat.spec.reserve_wh))
            wake.callbacks.append(lambda _: self.assign())
        else:
            self.assign()

    def mission_records(self) -> list[MissionRecord]:
        return [m.record() for m in self._missions]
