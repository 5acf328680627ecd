"""The dispatch centre: alarms become cases, cases become boat missions.

Alarms of the same kind within ``association_radius`` of an open case whose
last alarm is at most ``association_window`` old join that case, so one
offender seen by three cameras yields one mission. New cases wait
``decision_time``, join the queue (ordered by the policy's ``rank``, first
come first served by default), and the dispatch policy (:mod:`sim.fleet.policies`)
decides for the head of the queue whenever a case is queued or a boat
becomes free. An optional operator checks each case's snapshot while the
boat is on its way and rejects a share of false alarms: the case is dropped
and its mission aborted. Dispatch knows only alarms and what boats report;
the ground truth carried by alarms is used for recording and for the
operator's verdict (the operator sees the picture), never for choosing boats.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence

import numpy as np
import simpy

from sim.fleet.boats import Boat, BoatState, OnSceneBudget, Route, Task
from sim.fleet.cases import Case, MissionLog, expected_on_scene_s
from sim.fleet.on_scene import mission as mission_on_scene
from sim.fleet.policies import (
    POLICIES,
    AfterCurrent,
    Retarget,
    first_come_first_served,
)
from sim.network.drone_relay import DroneRelay
from sim.network.links import Link
from sim.scenario.models import DispatchConfig, Kind
from sim.world.ground_truth import World
from sim.world.recorder import Recorder
from sim.world.records import Alarm, MissionRecord

COMMAND_BYTES = 256
"""Size of a dispatch command (target, kind, case id, signature), bytes."""
UPLOAD_MARGIN = 3.0
"""Missions are planned with this many times the mean evidence upload delay (its tail is random)."""
PREEMPTED, REJECTED = "preempted", "rejected"


def earliest_response_s(config: DispatchConfig) -> float:
    """A lower bound of the time from an alarm being raised to the first change it can make to where a boat
    is or what an offender does, s (pixel mode's windows, :mod:`sim.pixel.camera_loop`): ``decision_time``.

    The alarm reaches the centre after its uplink (>= 0 s). Joining an open case moves nothing by itself (a
    boat already sent moves on its own, earlier scheduled events); a new case waits ``decision_time`` before
    the policy may send, stop, re-task or preempt a boat; the operator's verdict can only stop a boat sent
    on that case, so comes later still. Every other change (arrival, warnings, an offender leaving) follows
    a boat's sending.
    """
    return config.decision_time


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
        operator_rng: np.random.Generator | None = None,
        relay: DroneRelay | None = None,
    ):
        self.env = env
        self.config = config
        self.boats = list(boats)
        self.policy = POLICIES[config.policy]()
        self._rank = getattr(self.policy, "rank", first_come_first_served)
        self.command_link = command_link
        self.evidence_link = evidence_link
        self.world = world
        self.recorder = recorder
        self.relay = relay  # network hook: told where missions go (sim.network.drone_relay)
        if config.operator is not None and operator_rng is None:
            raise ValueError("an operator needs its random stream")
        self._operator_rng = operator_rng
        self.cases: list[Case] = []
        self.queue: list[Case] = []
        self._missions: list[MissionLog] = []
        self._books: dict[str, MissionLog] = {}
        """Per boat, the mission whose distance and energy are still being counted (until it is back)."""
        self._running: dict[str, simpy.Process] = {}
        self._wake_at = math.inf
        on_scene = config.on_scene
        size = self._evidence_bytes
        # Planning figure for the upload: its mean from the worst-served dock (docks are always covered;
        # a wait for a route out of a coverage hole is not budgeted).
        homes = [boat.position for boat in boats]
        upload = UPLOAD_MARGIN * max(evidence_link.mean_delay(size, xy) for xy in homes) if size > 0 else 0.0
        self.budgets: dict[Kind, OnSceneBudget] = {}
        """Per kind, the longest a boat may spend at a case (s on scene, s of loudspeaker): a boat is
        sent only with the charge for the way there, this budget and the way home above its reserve."""
        self._expected = {}
        for kind in Kind:
            compliance = world.compliance(kind)
            n = compliance.max_warnings
            waiting = (n - 1) * compliance.warning_interval + on_scene.give_up_after
            seconds = on_scene.warning_setup + waiting + upload
            self.budgets[kind] = OnSceneBudget(seconds, n * on_scene.message_length)
            self._expected[kind] = expected_on_scene_s(
                compliance, on_scene.warning_setup, on_scene.give_up_after, upload / UPLOAD_MARGIN
            )
        if getattr(self.policy, "waits_on_water", False):
            points = config.patrol_points
            for i, boat in enumerate(self.boats):
                boat.station = boat.navigator.snap(*points[i % len(points)])
                boat.idle_process = env.process(self._idle(boat))

    @property
    def _evidence_bytes(self) -> int:
        on_scene = self.config.on_scene
        return on_scene.evidence_photos * on_scene.photo_bytes + on_scene.clip_bytes

    # ------------------------------------------------------------ alarms and cases

    def receive(self, alarm: Alarm) -> None:
        """An alarm arrived (after the uplink): join it to a case or open a new one."""
        now = self.env.now
        if alarm.incident_id is not None:
            self.recorder.mark(alarm.incident_id, "t_alarm_received", now)
        case = self._associate(alarm, now)
        if case is None:
            kind = Kind(alarm.kind)
            budget, expected = self.budgets[kind], self._expected[kind]
            case = Case(len(self.cases) + 1, kind, alarm.x, alarm.y, now, now, budget, expected)
            self.cases.append(case)
            self.env.process(self._open(case))
            if self.config.operator is not None:
                self._ask_operator(case)
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
        if not case.closed:
            self._enqueue(case)
            self.assign()

    def _enqueue(self, case: Case) -> None:
        if case.t_queued is None:
            case.t_queued = self.env.now
        case.boat_id = None
        key = self._rank(case)
        position = next((i for i, other in enumerate(self.queue) if self._rank(other) > key), len(self.queue))
        self.queue.insert(position, case)

    def _mark_dispatched(self, case: Case, boat_id: str) -> None:
        self.recorder.dispatched_alarms.update(case.alarm_ids)
        for incident_id in case.incident_ids:
            self.recorder.mark(incident_id, "t_dispatched", self.env.now)
            self.recorder.boat_of.setdefault(incident_id, boat_id)

    # ------------------------------------------------------------ the operator

    def _ask_operator(self, case: Case) -> None:
        """Draw the operator's delay and verdict now (one draw pair per case, in order of opening)."""
        operator = self.config.operator
        delay = float(operator.delay.build().sample(self._operator_rng))
        spots_false = bool(self._operator_rng.random() < operator.reject_false_share)
        self.env.timeout(delay).callbacks.append(lambda _: self._verdict(case, spots_false))

    def _verdict(self, case: Case, spots_false: bool) -> None:
        if case.closed or case.incident_ids or not spots_false:
            return  # confirmed (or already over): nothing changes
        case.closed = case.rejected = True
        if case in self.queue:
            self.queue.remove(case)
        for boat in self.boats:
            if boat.follow_up is case:
                boat.follow_up = None
            mission = self._books.get(boat.id)
            under_way = boat.state is BoatState.OUTBOUND and boat.task is not None
            if mission is not None and mission.case is case and under_way:
                self._stop(boat, REJECTED)

    # ------------------------------------------------------------ boats

    def assign(self) -> None:
        """Offer the head of the queue to the policy until it leaves a case queued."""
        while self.queue:
            case = self.queue[0]
            choice = self.policy.choose(case, self.boats)
            if choice is None:
                break
            if isinstance(choice, AfterCurrent):
                self.queue.pop(0)
                choice.boat.follow_up = case
                case.boat_id = choice.boat.id
            elif isinstance(choice, Retarget):
                self.queue.pop(0)
                self._preempt(choice.boat)
                self._start(choice.boat, case)
            else:
                if not choice.available:
                    raise RuntimeError(f"policy {self.config.policy!r} chose boat {choice.id}, which is busy")
                if not choice.can_serve(case.target, case.budget):
                    break  # it could not come back: keep the case queued
                self.queue.pop(0)
                self._start(choice, case)
        if self.queue:
            self._wake_when_charged(self.queue[0])

    def _wake_when_charged(self, case: Case) -> None:
        """Ask the policy again when a charging boat first holds enough for ``case``."""
        now = self.env.now
        waits = [
            boat.battery.time_to_reach(
                boat.spec.reserve_wh + boat.mission_energy_wh(case.target, case.budget), now
            )
            for boat in self.boats
            if boat.task is None and boat.battery.charging and boat.reachable(case.target)
        ]
        wait = min(waits, default=math.inf)
        if 0 < wait < math.inf and now + wait < self._wake_at:
            if now + wait <= now:
                # A rounding shortfall of the charge: a wait below the clock's resolution would wake at this
                # very instant for ever (the livelock of a 6-h run with the tuned calibration).
                wait = math.nextafter(now, math.inf) - now
            self._wake_at = now + wait
            self.env.timeout(wait).callbacks.append(self._wake)

    def _wake(self, _event: simpy.Event) -> None:
        if self.env.now >= self._wake_at:
            self._wake_at = math.inf
        self.assign()

    def _start(self, boat: Boat, case: Case) -> None:
        """Give ``case`` to ``boat`` (free, or just stopped); its mission begins after the command link."""
        if boat.idle_process is not None and boat.idle_process.is_alive:
            boat.halt()
            boat.idle_process.interrupt("new mission")
        boat.idle_process = None
        self._close_books(boat)
        mission = MissionLog(
            len(self._missions) + 1, boat.id, case, self.env.now, boat.odometer_m, boat.energy_used_wh
        )
        self._missions.append(mission)
        self._books[boat.id] = mission
        case.boat_id = boat.id
        self._mark_dispatched(case, boat.id)
        route = boat.approach(case.target)
        command = self.command_link.mean_delay(COMMAND_BYTES, boat.position, self.env.now)
        t_free = self.env.now + command + route.duration + case.expected_on_scene_s
        boat.task = Task(case.id, str(case.kind), case.target, route.end, t_free)
        boat.state = BoatState.OUTBOUND  # reserved from now on
        self._running[boat.id] = self.env.process(self._run_mission(boat, mission))

    def _mission_started(self, boat: Boat, mission: MissionLog, route: Route) -> None:
        """The one place where a mission starts moving: the boat, its target and its planned route are known.

        Components that follow missions (a drone relay covering the target, say) hook in here.
        """
        mission.t_depart = self.env.now
        if self.relay is not None:  # network hook: a drone may fly ahead to a coverage hole
            self.relay.mission_started(
                mission.id, boat.position, mission.case.target, boat.spec.cruise_speed, self.env.now
            )

    def _run_mission(self, boat: Boat, mission: MissionLog) -> Generator[simpy.Event, None, None]:
        case = mission.case
        try:
            yield self.env.timeout(self.command_link.delay(COMMAND_BYTES, boat.position, self.env.now))
            route = boat.approach(case.target)
            self._mission_started(boat, mission, route)
            outcome = yield from mission_on_scene(
                boat, route, case.target, case.kind, self.world, self.config.on_scene, self._evidence_delay
            )
        except simpy.Interrupt as stop:
            mission.status, mission.t_done = str(stop.cause), self.env.now
            self._mission_ended(mission)
            if stop.cause == PREEMPTED:
                return  # the boat already has its next mission
        else:
            mission.t_arrive, mission.t_done = outcome.t_arrive, outcome.t_done
            mission.found_incident = outcome.incident_id
            mission.status = "completed" if outcome.incident_id is not None else "nobody_found"
            case.closed = True
            self._mission_ended(mission)
        self._finish(boat)

    def _mission_ended(self, mission: MissionLog) -> None:
        if self.relay is not None and mission.t_depart is not None:  # network hook: the drone may go home
            self.relay.mission_ended(mission.id, self.env.now)

    def _stop(self, boat: Boat, why: str) -> None:
        """Stop the boat's mission now (``why``: preempted or rejected)."""
        boat.halt()
        self._running.pop(boat.id).interrupt(why)

    def _preempt(self, boat: Boat) -> None:
        """Take ``boat`` off its mission under way; that case goes back to the queue in its old place."""
        case = self._books[boat.id].case
        self._stop(boat, PREEMPTED)
        boat.task = None
        self._enqueue(case)

    def _finish(self, boat: Boat) -> None:
        """A mission is over: the boat takes its case in waiting, or the queue, or heads for its station."""
        self._running.pop(boat.id, None)
        boat.task = None
        boat.state = BoatState.RETURNING  # free for the next case from here on
        follow_up, boat.follow_up = boat.follow_up, None
        if follow_up is not None and not follow_up.closed:
            if boat.available and boat.can_serve(follow_up.target, follow_up.budget):
                self._start(boat, follow_up)
            else:
                self._enqueue(follow_up)
        self.assign()
        if boat.task is None:
            boat.idle_process = self.env.process(self._idle(boat))

    def _evidence_delay(self, position: tuple[float, float], t: float) -> float:
        size = self._evidence_bytes
        return self.evidence_link.delay(size, position, t) if size > 0 else 0.0  # nothing to send

    # ------------------------------------------------------------ idle boats

    def _idle(self, boat: Boat) -> Generator[simpy.Event, None, None]:
        """Between missions: home to charge, or out to the patrol point to wait while the charge lasts."""
        try:
            while True:
                if boat.station is None or not boat.can_patrol():
                    if not boat.docked:
                        yield from boat.go_home()
                        self._back(boat)
                    if boat.station is None:
                        return
                    full = boat.battery.time_to_reach(boat.battery.capacity_wh, self.env.now)
                    yield self.env.timeout(full)
                    if not boat.can_patrol():
                        return  # even a full battery cannot hold the station: wait at the dock
                route = boat.route(boat.position, boat.station)
                yield from boat.travel(route, BoatState.RETURNING)
                self._back(boat)
                yield from boat.hold(boat.patrol_endurance(), BoatState.PATROLLING, camera=True)
        except simpy.Interrupt:
            pass

    def _back(self, boat: Boat) -> None:
        """The boat reached its station: the last mission is over; look at the queue (after this event)."""
        self._close_books(boat, t_back=self.env.now)
        self.env.timeout(0).callbacks.append(lambda _: self.assign())

    def _close_books(self, boat: Boat, t_back: float | None = None) -> None:
        mission = self._books.pop(boat.id, None)
        if mission is None:
            return
        mission.distance_m = boat.odometer_m - mission.odometer0
        mission.energy_wh = boat.energy_used_wh - mission.energy0
        mission.t_back = t_back

    # ------------------------------------------------------------ end of the run

    def close(self) -> None:
        """End of the run: record what each boat is doing and the distance and energy of open missions."""
        for boat in self.boats:
            boat.close()
            self._close_books(boat)

    def mission_records(self) -> list[MissionRecord]:
        return [m.record() for m in self._missions]
