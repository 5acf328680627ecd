"""Pixel mode in a run: every camera's frames rendered and analysed in windows of simulated time, their alarms
raised on the SimPy clock.

What a frame shows. A camera's frame at ``t`` (its frames fall at 0, 1/fps, 2/fps, ... s, each time added
to the last as SimPy's clock adds a timeout) draws the actors then in view: offenders still present,
distractors (walkers, ducks, debris, leisure boats, from their own named random streams, whatever the run
does) and the project's boats, as the run stands after every event before ``t``. The alarms the frame's
detectors complete are raised at ``t`` after every other event of that instant.

Windows. Nothing an alarm sets off changes what a camera sees sooner than
:func:`~sim.fleet.dispatch.earliest_response_s` (the dispatch decision time) after it: the lookahead ``L``.
So, with the run's events processed up to a frame instant ``t0`` and the run's next event at ``e``, every
frame from ``t0`` up to ``e`` and before ``t0 + L`` shows what the run shows now: the world is the same until
``e``, and alarms raised in the window can change it only after ``t0 + L``. Such a window's frames are all
made at once, each camera's in order, by the camera groups side by side (:mod:`sim.pixel.camera_workers`:
this process on threads, worker processes or Dask workers); then the clock moves through the window,
raising each instant's alarms at their time in a fixed order. This is conservative parallel simulation
with lookahead (Chandy and Misra, "Distributed simulation: a case study in design and verification of
distributed programs", IEEE Trans. Softw. Eng. SE-5(5), 1979). The result does not depend on where the
frames are made, nor on the windows, and as the clock moves through a window it checks that the actors of
each instant are those its frames were made with: a bound that did not hold stops the run (an internal error)
rather than change it.

Order at an instant. Alarms of frames of the same instant are raised camera by camera in the order the
cameras' frames fell due: by the time of each camera's previous frame, then by their order then (at t = 0:
scenario order), as SimPy would run processes that each wait one frame interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import simpy

from sim.core.rng import RandomStreams
from sim.core.workers import default_workers
from sim.fleet.boats import Boat
from sim.fleet.dispatch import earliest_response_s
from sim.pixel.alarm_frames import alarm_frame_name
from sim.pixel.camera_group import FrameResult, Frames
from sim.pixel.camera_workers import CameraGroups, CameraWorkers
from sim.pixel.pixel_camera import PixelAlarm
from sim.render.actors import Actor, Distractors, MovingThing, boat_actor, offender_thing
from sim.scenario.models import Scenario
from sim.world.daylight import Daylight
from sim.world.geometry import WaterNavigator, ZoneGeometry
from sim.world.ground_truth import World
from sim.world.incidents import Incident

RaiseAlarm = Callable[..., None]
"""``raise_alarm(source, kind, x, y, score, incident_id, payload_bytes)``: the engine's alarm path."""

AFTER_INSTANT = 2
"""SimPy priority of an instant's camera alarms: after NORMAL (1), so its other events come first."""


class LookaheadError(RuntimeError):
    """What a camera sees changed inside a window: the lookahead was not a bound (a bug, not bad input)."""


def delay_to(now: float, t: float) -> float:
    """The smallest delay ``d`` >= 0 with ``now + d`` >= ``t`` in floating point (SimPy adds delays to its
    clock): one landing on ``t`` exactly where there is one. Sometimes there is none: when ``now``'s low
    bits put every sum within reach half-way between two floats at ``t``'s magnitude, rounding to even skips
    every other float (from 3.941024173140528 no delay lands on 23.999999999999947); the event then comes at
    the next float after ``t`` (1 ulp, 3.6e-15 s there), still after every event of the instant ``t``."""
    d = t - now
    while d > 0 and now + d > t:
        d = math.nextafter(d, 0.0)
    while now + d < t:
        d = math.nextafter(d, math.inf)
    return d


class AtInstant(simpy.Event):
    """An event at ``t`` exactly, after every NORMAL event of that instant."""

    def __init__(self, env: simpy.Environment, t: float):
        super().__init__(env)
        self._ok, self._value = True, None  # triggered already, as simpy's own Timeout sets itself up
        env.schedule(self, AFTER_INSTANT, delay_to(env.now, t))


@dataclass
class FrameClock:
    """When a camera's next frame falls due, and the camera's place among those due at one instant."""

    camera_id: str
    interval: float
    """1 / fps, s."""
    t: float = 0.0
    number: int = 0
    order: tuple[float, int] = (-math.inf, 0)
    """(time of its last frame, its place among that instant's frames): sorts the frames of an instant."""

    def take(self, first: float, end: float, last: float) -> list[tuple[float, int]]:
        """The (t, number) of its frames in the window starting at ``first``: a frame at ``first``, then those
        before ``end`` and not after ``last``; the clock moves past them."""
        taken = []
        while self.t == first or (self.t < end and self.t <= last):
            taken.append((self.t, self.number))
            self.t += self.interval
            self.number += 1
        return taken


def raising_order(clocks: list[FrameClock], frames: Frames) -> list[tuple[float, list[str]]]:
    """Each instant of a window's ``frames`` (in time order) with the ids of the cameras that have a frame
    then, in the order their frames fell due: by the time of each camera's previous frame, then by its place
    among that instant's (at t = 0: scenario order, the clocks' initial ``order``). SimPy runs processes that
    each wait one frame interval in this order: ties go to the timeout scheduled first. Moves the clocks'
    ``order`` on."""
    by_id = {clock.camera_id: clock for clock in clocks}
    instants: dict[float, list[FrameClock]] = {}
    for camera_id, taken in frames.items():
        for t, _ in taken:
            instants.setdefault(t, []).append(by_id[camera_id])
    ordered = []
    for t in sorted(instants):
        due = sorted(instants[t], key=lambda clock: clock.order)
        for rank, clock in enumerate(due):
            clock.order = (t, rank)
        ordered.append((t, [clock.camera_id for clock in due]))
    return ordered


class PixelCameras:
    """The cameras of one pixel-mode run, their frames and the actors they see."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        world: World,
        boats: Sequence[Boat],
        places: tuple[ZoneGeometry, WaterNavigator, Daylight],
        streams: RandomStreams,
        raise_alarm: RaiseAlarm,
        score_log: list[tuple] | None = None,
        frame_threads: int | None = None,
        save_alarm_frames: bool = False,
        workers: CameraWorkers | None = None,
    ):
        """``places``: the zone's geometry, its water navigator and daylight; ``score_log``: collects
        every offender's detector score in every frame; ``frame_threads``: threads that render and analyse
        frames when the cameras run in this process (None: one per core); ``save_alarm_frames``: keep each
        alarm's annotated frame in :attr:`alarm_frames`; ``workers``: where the cameras run (default: in this
        process). None of these but ``score_log`` and ``save_alarm_frames`` changes the run."""
        self.env, self.scenario, self.world, self.boats = env, scenario, world, boats
        self.geometry, navigator, daylight = places
        self.raise_alarm = raise_alarm
        self.score_log = score_log
        self.lookahead = earliest_response_s(scenario.dispatch)
        """Windows are shorter than this, s (the module's docstring)."""
        self.offenders: dict[int, MovingThing] = {}
        self.alarm_frames: list[tuple[str, bytes]] = []
        """(file name in the run folder, PNG bytes) of each alarm's frame, in the order raised."""
        self.distractors = Distractors(
            scenario.render, self.geometry, navigator, streams, 0.0, scenario.run.duration
        )
        threads = default_workers() if frame_threads is None else frame_threads
        self.groups = CameraGroups(
            scenario,
            streams.seed,
            daylight,
            self.geometry,
            CameraWorkers() if workers is None else workers,
            threads,
            score_log is not None,
            save_alarm_frames,
        )
        self.by_id = self.groups.local_cameras
        """The run's cameras by id when they run in this process (``replay`` sets their ``observer`` to see
        what the detectors saw); empty when they run in workers."""
        self.windows = 0
        """Windows so far."""
        self._clocks: list[FrameClock] | None = None

    def appear(self, incident: Incident) -> None:
        """An offender enters the scene (cameras draw it while it is present)."""
        self.offenders[incident.id] = offender_thing(incident, incident.t_end, self.geometry)

    def actors(self, t: float) -> list[Actor]:
        """Everything a camera may draw at ``t``: offenders still present, distractors, the boats."""
        offenders = [
            actor
            for incident_id, thing in self.offenders.items()
            if self.world.present(incident_id, t) and (actor := thing.at(t)) is not None
        ]
        boats = [boat_actor(boat.id, *boat.pose(t), t) for boat in self.boats]
        return offenders + self.distractors.at(t) + boats

    def advance(self, until: float, limit: float) -> int:
        """Make every frame due before ``until`` (s), in windows that may run on up to ``limit`` (the end of
        the run), processing the run's events up to the last frame made; returns how many events that was."""
        try:
            clocks = self._frame_clocks()
            events = 0
            while clocks and (first := min(clock.t for clock in clocks)) < min(until, limit):
                while self.env.peek() < first:
                    self.env.step()
                    events += 1
                events += self._window(clocks, first, limit)
            return events
        except BaseException:
            self.close(failed=True)
            raise

    def close(self, failed: bool = False) -> None:
        """Let the cameras go (after the run; ``failed``: stop worker processes at once)."""
        self.groups.close(failed)

    def _frame_clocks(self) -> list[FrameClock]:
        if self._clocks is None:
            busy = self.groups.busy()
            self._clocks = [
                FrameClock(spec.id, 1.0 / spec.fps, order=(-math.inf, k))
                for k, spec in enumerate(self.scenario.cameras)
                if spec.id in busy
            ]
        return self._clocks

    def _window(self, clocks: list[FrameClock], first: float, limit: float) -> int:
        """Frames from ``first`` (the run's events before it processed), their alarms raised on the clock;
        returns how many events the clock moved through."""
        end, last = min(first + self.lookahead, limit), self.env.peek()
        frames: Frames = {}
        for clock in clocks:
            if taken := clock.take(first, end, last):
                frames[clock.camera_id] = taken
        instants = sorted({t for taken in frames.values() for t, _ in taken})
        seen = {t: self.actors(t) for t in instants}
        results = self.groups.analyse(frames, seen)
        self.windows += 1
        self._raise_in_order(clocks, frames, results)
        return self._move_through(instants, seen)

    def _raise_in_order(self, clocks: list[FrameClock], frames: Frames, results: dict[str, list]) -> None:
        """Log the scores and schedule the alarms of each instant, in the cameras' order at it."""
        made: dict[tuple[float, str], FrameResult] = {
            (t, camera_id): result
            for camera_id, taken in frames.items()
            for (t, _), result in zip(taken, results[camera_id], strict=True)
        }
        for t, due in raising_order(clocks, frames):
            alarms = []
            for camera_id in due:
                found, scores = made[t, camera_id]
                if self.score_log is not None:
                    self.score_log.extend(scores)
                alarms += [(camera_id, alarm) for alarm in found]
            if alarms:
                AtInstant(self.env, t).callbacks.append(lambda _, raised=alarms: self._raise(raised))

    def _raise(self, alarms: list[tuple[str, PixelAlarm]]) -> None:
        t = self.env.now
        for camera_id, alarm in alarms:
            where = (alarm.kind, alarm.x, alarm.y, alarm.score, alarm.incident_id)
            self.raise_alarm(camera_id, *where, alarm.payload_bytes)
            if alarm.frame_png is not None:
                self.alarm_frames.append((alarm_frame_name(t, camera_id, alarm.kind.value), alarm.frame_png))

    def _move_through(self, instants: list[float], seen: dict[float, list[Actor]]) -> int:
        """Process the run's events up to the window's last instant, checking at each instant after an event
        that the cameras' actors are still those its frames were made with."""
        events = 0
        for t in instants[1:]:
            while self.env.peek() < t:
                self.env.step()
                events += 1
            if events and self.actors(t) != seen[t]:
                raise LookaheadError(
                    f"pixel mode: what the cameras see at {t:.3f} s changed after its frames were made: a "
                    f"window outlasted the time from an alarm to any response ({self.lookahead:g} s)"
                )
        return events
