"""Pixel mode in a run: every camera renders and analyses its frames on the SimPy clock.

Each camera is a SimPy process that, every 1/fps s, hands its frame to the run's
:class:`~sim.pixel.simultaneous_frames.FrameBatch` (the frames of one instant are rendered and
analysed together) with the actors then in view: offenders still present, distractors and the
project's boats. The alarms its detectors raise go to the engine through ``raise_alarm``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence

import numpy as np
import simpy

from sim.core.rng import RandomStreams
from sim.fleet.boats import Boat
from sim.pixel.alarm_frames import alarm_frame_name
from sim.pixel.pixel_camera import PixelCamera
from sim.pixel.simultaneous_frames import FrameBatch, default_threads
from sim.render.actors import Actor, Distractors, MovingThing, boat_actor, lamp_positions, offender_thing
from sim.render.thermal_scene import conditions_at
from sim.scenario.models import Scenario
from sim.world.daylight import Daylight
from sim.world.geometry import WaterNavigator, ZoneGeometry
from sim.world.ground_truth import World
from sim.world.incidents import Incident

RaiseAlarm = Callable[..., None]
"""``raise_alarm(source, kind, x, y, score, incident_id, payload_bytes)``: the engine's alarm path."""


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
    ):
        """``places``: the zone's geometry, its water navigator and daylight; ``score_log``: collects
        every offender's detector score in every frame; ``frame_threads``: threads that render and
        analyse the frames of one instant (None: one per core; results do not depend on it);
        ``save_alarm_frames``: keep each alarm's annotated frame in :attr:`alarm_frames`."""
        self.env, self.scenario, self.world, self.boats = env, scenario, world, boats
        self.geometry, navigator, self.daylight = places
        self.raise_alarm = raise_alarm
        threads = default_threads() if frame_threads is None else frame_threads
        self.frames = FrameBatch(env, threads)
        self.offenders: dict[int, MovingThing] = {}
        self.alarm_frames: list[tuple[str, bytes]] = []
        """(file name in the run folder, PNG bytes) of each alarm's frame, in the order raised."""
        lamps: np.ndarray = lamp_positions(scenario, self.geometry)
        self.distractors = Distractors(
            scenario.render, self.geometry, navigator, streams, 0.0, scenario.run.duration
        )
        self.by_id: dict[str, PixelCamera] = {}
        """The run's cameras by id (``replay`` sets their ``observer`` to see what the detectors saw)."""
        for spec in scenario.cameras:
            camera = self.by_id[spec.id] = PixelCamera(spec, scenario, self.geometry, lamps, streams.seed)
            camera.score_log = score_log
            camera.save_frames = save_alarm_frames
            env.process(self._camera_frames(camera))

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

    def close(self) -> None:
        """Stop the frame threads (after the run)."""
        self.frames.close()

    def _camera_frames(self, camera: PixelCamera) -> Generator[simpy.Event, None, None]:
        interval = 1.0 / camera.fps
        number = 0
        while True:
            t = self.env.now
            # Uncompressed: the detectors see the decoded video downscaled (pixel_camera's docstring).
            conditions = conditions_at(self.scenario, camera.camera.spec, self.daylight, t)
            alarms = yield self.frames.submit(camera, t, number, self.actors(t), conditions)
            for alarm in alarms:
                where = (alarm.kind, alarm.x, alarm.y, alarm.score, alarm.incident_id)
                self.raise_alarm(camera.id, *where, alarm.payload_bytes)
                if alarm.frame_png is not None:
                    name = alarm_frame_name(t, camera.id, alarm.kind.value)
                    self.alarm_frames.append((name, alarm.frame_png))
            number += 1
            yield self.env.timeout(interval)
