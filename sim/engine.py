"""Builds one simulation from a scenario and a seed, runs it, returns a :class:`Result`.

The engine wires components together and advances the SimPy clock; it knows
nothing about cameras, radio or boats beyond their constructors.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import simpy
from tqdm import tqdm

from sim.core.rng import RandomStreams
from sim.fleet.boats import Boat
from sim.fleet.dispatch import DispatchCenter
from sim.fleet.kinematics import current_field
from sim.fleet.policies import waits_on_water
from sim.network.links import Direction
from sim.network.run_network import RunNetwork
from sim.network.service_traffic import ServiceTraffic, TransferDigest, transfer_chunks
from sim.network.transfer_columns import TransferColumns
from sim.pixel.camera_loop import PixelCameras
from sim.pixel.camera_workers import CameraWorkers
from sim.results.result import SORTIE_COLUMNS, Result
from sim.results.run_parts import RunParts
from sim.results.stream_writing import fill_folder
from sim.results.tables import alarms_table, incidents_table, missions_table
from sim.results.track_digest import Tracks
from sim.results.track_rows import track_chunks
from sim.results.track_writer import TrackWriter
from sim.results.writing import staged
from sim.scenario.models import Kind, Mode, Scenario
from sim.sensing.detection_model import DetectionModel
from sim.sensing.false_alarms import false_alarm_regions
from sim.sensing.sensors import build_sensors
from sim.sensing.statistical import Detection, StatisticalSensing
from sim.world.daylight import Daylight
from sim.world.geometry import WaterNavigator, ZoneGeometry, sample_in
from sim.world.ground_truth import World
from sim.world.incidents import Incident, IncidentGenerator
from sim.world.recorder import Recorder
from sim.world.records import Alarm

_PROGRESS_STEPS = 200
TRACKS_PROCESS_FROM_S = 5 * 86400.0
"""Runs at least this long (s) write tracks.csv in a second process while the clock runs (its start, about
a second, is then hidden behind the clock; shorter runs write it after, in this process)."""


class Simulation:
    """One run: the SimPy environment and its components."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int | None = None,
        score_log: list[tuple] | None = None,
        frame_threads: int | None = None,
        incidents: list[Incident] | None = None,
        save_alarm_frames: bool = False,
        camera_workers: CameraWorkers | None = None,
    ):
        """``score_log``: pixel mode only, a list that collects every offender's detector score in every
        frame (for calibrating from pixel runs). ``frame_threads``: pixel mode only, threads that render
        and analyse frames in this process (None: one per core; the results do not depend on it).
        ``incidents``: drawn beforehand (``sim.world.incident_window``) instead of from the scenario;
        one may have arrived before t = 0. ``save_alarm_frames``: pixel mode only, keep each alarm's
        frame with its boxes (``Result.alarm_frames``). ``camera_workers``: pixel mode only, where the
        cameras run (default: in this process; the results do not depend on it)."""
        self.scenario = scenario
        self.seed = scenario.run.seed if seed is None else seed
        self.duration = scenario.run.duration
        self.env = simpy.Environment()
        self.streams = RandomStreams(self.seed)
        self.recorder = Recorder()
        self.world = World(scenario.incidents, self.recorder)
        self.geometry = ZoneGeometry(scenario)
        self.navigator = WaterNavigator(self.geometry.water, scenario.zone.shore_margin)

        zone = scenario.zone
        daylight = Daylight(scenario.run.start, zone.latitude_deg, zone.longitude_deg, zone.utc_offset_h)
        self.model = DetectionModel(scenario.calibration, scenario.detection.thresholds, scenario.run.weather)
        self.sensors = build_sensors(scenario, self.geometry)

        # The network: one radio map per run from its own stream, camera video load, drone relay.
        patrols = waits_on_water(scenario.dispatch.policy)
        self.network = RunNetwork(scenario, self.streams, self.navigator, patrols)
        self.relay = self.network.relay
        self.alarm_link = self.network.link("alarm", Direction.UPLINK, with_inference=True)
        self.sensor_link = self.network.link("sensor", Direction.UPLINK, with_inference=True)
        self._sender_xy = {s.id: s.position for s in (*scenario.cameras, *scenario.buoys)}
        self._buoy_ids = {b.id for b in scenario.buoys}
        self.boats = self._boats()
        self.dispatch = DispatchCenter(
            self.env,
            scenario.dispatch,
            self.boats,
            self.network.link("command", Direction.DOWNLINK),
            self.network.link("evidence", Direction.UPLINK),
            self.world,
            self.recorder,
            operator_rng=self.streams.stream("dispatch/operator"),
            relay=self.relay,
        )
        if incidents is None:
            incidents = IncidentGenerator(scenario, self.geometry, self.streams).generate(self.duration)
        self.incidents: list[Incident] = incidents
        self.sensing = StatisticalSensing(self.sensors, self.model, daylight, self.duration, incidents)
        self.first_visible: dict[int, float | None] = {}
        self.daylight = daylight
        self.pixel = scenario.run.mode is Mode.PIXEL
        self.env.process(self._incident_source())
        if self.pixel:
            self.cameras = PixelCameras(
                self.env,
                scenario,
                self.world,
                self.boats,
                (self.geometry, self.navigator, daylight),
                self.streams,
                self._raise_alarm,
                score_log,
                frame_threads,
                save_alarm_frames,
                camera_workers,
            )
        else:
            for (camera_id, kind), region in sorted(false_alarm_regions(self.sensors).items()):
                self.env.process(self._false_alarms(camera_id, kind, region))

    def _boats(self) -> list[Boat]:
        scenario = self.scenario
        return [
            Boat(
                spec,
                scenario.dock(spec.dock).position,
                self.navigator,
                self.env,
                self.recorder.legs,
                other_docks=tuple(d.position for d in scenario.docks if d.id != spec.dock),
                current=current_field(scenario.zone.current),
            )
            for spec in scenario.boats
        ]

    # ------------------------------------------------------------ processes

    def _incident_source(self) -> Generator[simpy.Event, None, None]:
        for incident in self.incidents:
            yield self.env.timeout(max(0.0, incident.t_start - self.env.now))  # < 0: there at t = 0
            self.world.forget_departed(self.env.now)
            self.world.appear(incident)
            first_visible, detections = self.sensing.observe(incident, self.streams.stream)
            self.first_visible[incident.id] = first_visible
            self.recorder.notify(incident.id, "t_start", incident.t_start)
            if first_visible is not None:
                self.recorder.notify(incident.id, "t_first_visible", first_visible)
            if self.pixel:
                self.cameras.appear(incident)
                # The cameras' detectors decide; buoys are not pixels and report as in statistical mode.
                detections = [d for d in detections if d.sensor_id in self._buoy_ids]
            for detection in detections:
                event = self.env.timeout(max(0.0, detection.t - self.env.now))
                event.callbacks.append(lambda _, d=detection, i=incident: self._detected(d, i))

    def _detected(self, detection: Detection, incident: Incident) -> None:
        if not self.world.present(incident.id, self.env.now):
            return  # the offender left (warned away) before this sensor's rule fired
        self._raise_alarm(
            detection.sensor_id, incident.kind, detection.x, detection.y, detection.score, incident.id
        )

    def _false_alarms(self, camera_id: str, kind: Kind, region) -> Generator[simpy.Event, None, None]:
        rng = self.streams.stream(f"false_alarms/{camera_id}/{kind}")
        model = self.sensing.model_of(camera_id)  # its sensor type's terms
        rate_per_s = model.false_alarm_rate(kind) / 3600.0  # in day light: the clock scales it
        if rate_per_s <= 0:
            return
        clock = self.sensing.false_alarm_clock(kind, camera_id)
        clutter_eta = model.calibration.false_alarms[kind].intercept
        while True:
            yield self.env.timeout(clock.delay(self.env.now, rng.exponential(1.0 / rate_per_s)))
            x, y = sample_in(region, rng)
            score = model.score_given_hit(kind, clutter_eta, float(rng.random()))
            self._raise_alarm(camera_id, kind, x, y, score, None)

    def _raise_alarm(
        self,
        source: str,
        kind: Kind,
        x: float,
        y: float,
        score: float,
        incident_id: int | None,
        payload_bytes: int | None = None,
    ) -> None:
        alarm = Alarm(len(self.recorder.alarms) + 1, self.env.now, source, kind, x, y, score, incident_id)
        self.recorder.alarms.append(alarm)
        if incident_id is not None:
            self.recorder.mark(incident_id, "t_detected", self.env.now)
        payload = payload_bytes or self.scenario.detection.snapshot_bytes
        link = self.sensor_link if source in self._buoy_ids else self.alarm_link
        delay = link.delay(payload, self._sender_xy.get(source, (x, y)), self.env.now)
        self.env.timeout(delay).callbacks.append(lambda _: self.dispatch.receive(alarm))

    # ------------------------------------------------------------ running

    def run(self, progress: bool = False) -> Result:
        """Advance the clock to the end of the run and build the result (every table whole)."""
        wall_start = time.perf_counter()
        events = self.advance(progress)
        return self.collect(events, wall_start)

    def run_into(
        self,
        out: Path,
        progress: bool = False,
        figures: bool = True,
        replay: bool = True,
        summary_extra: dict | None = None,
    ) -> dict:
        """Advance the clock to the end of the run and write its folder to ``out`` (replacing it) as its
        tables are made, never holding the big ones whole (:mod:`sim.results.stream_writing`); runs of
        :data:`TRACKS_PROCESS_FROM_S` or more write tracks.csv in a second process as the clock runs.
        ``summary_extra``: entries added to summary.json. Returns the summary."""
        wall_start = time.perf_counter()
        with staged(Path(out)) as staging:
            writer = TrackWriter(staging, self.duration) if self.duration >= TRACKS_PROCESS_FROM_S else None
            try:
                send = (lambda: writer.send(self.recorder.legs)) if writer is not None else None
                parts = self.finish(self.advance(progress, on_step=send), wall_start)
                if writer is not None:
                    writer.send(self.recorder.legs)
                return fill_folder(
                    parts,
                    staging,
                    Path(out),
                    figures,
                    replay,
                    track_writer=writer,
                    summary_extra=summary_extra,
                )
            except BaseException:
                if writer is not None:
                    writer.stop()
                raise

    def advance(
        self, progress: bool = False, until: float | None = None, on_step: Callable[[], None] | None = None
    ) -> int:
        """Process every event up to the end of the run (or ``until``, s); returns how many there were.
        ``on_step``: called after each of the run's :data:`_PROGRESS_STEPS` stretches."""
        events = 0
        env, horizon = self.env, self.duration if until is None else min(until, self.duration)
        with tqdm(
            total=round(horizon),
            unit="sim s",
            disable=not progress,
            delay=2.0,
            leave=False,
            desc=self.scenario.name,
        ) as bar:
            for step in range(1, _PROGRESS_STEPS + 1):
                until = horizon * step / _PROGRESS_STEPS
                if self.pixel:  # frames in windows, which may run past until (not past the horizon)
                    events += self.cameras.advance(until, horizon)
                while env.peek() < until:
                    env.step()
                    events += 1
                bar.update(round(until) - bar.n)
                if on_step is not None:
                    on_step()
        env.run(until=horizon)  # moves the clock exactly to the horizon
        return events

    def collect(self, events: int, wall_start: float) -> Result:
        """Tables and summary after :meth:`advance`; ``wall_start`` is the perf_counter at the start."""
        return self.finish(events, wall_start).result()

    def finish(self, events: int, wall_start: float) -> RunParts:
        """After :meth:`advance`: close dispatch, build the small tables, and hand the big ones (boat
        tracks; transfers with the heartbeats and telemetry measured after the run) over as chunk sources."""
        self.dispatch.close()
        if self.pixel:
            self.cameras.close()
        self.recorder.missions.extend(self.dispatch.mission_records())
        legs, logged, network = self.recorder.legs, list(self.network.transfers), self.network
        sorties = pd.DataFrame([asdict(s) for s in self.relay.sorties], columns=SORTIE_COLUMNS).round(3)

        def transfers() -> Iterator[TransferColumns]:
            service = ServiceTraffic.of(legs, self.scenario.network, network.link, self.duration)
            return transfer_chunks(logged, service, self.duration)

        def network_part(tracks: Tracks, digest: TransferDigest) -> dict:
            evidence = network.profile("evidence")
            return digest.summary(tracks.away_xy(), network.radio_map, evidence, len(sorties))

        return RunParts(
            self.scenario,
            self.seed,
            incidents_table(self.incidents, self.recorder, self.first_visible, self.duration),
            alarms_table(self.recorder),
            missions_table(self.recorder),
            sorties,
            lambda: track_chunks(legs),
            transfers,
            network_part,
            len(self.boats),
            events,
            wall_start,
            tuple(self.cameras.alarm_frames) if self.pixel else (),
        )


def run(scenario: Scenario, seed: int | None = None, progress: bool = False) -> Result:
    """Build and run one simulation (seed defaults to ``scenario.run.seed``)."""
    return Simulation(scenario, seed).run(progress=progress)


def expected_incidents(scenario: Scenario, step_s: float = 60.0) -> dict[str, float]:
    """Expected number of incidents of each kind over the run (integral of the arrival rate)."""
    from sim.world.daylight import local_hour_and_month

    t = np.arange(0.0, scenario.run.duration, step_s)
    widths = np.minimum(step_s, scenario.run.duration - t)
    hour, month = local_hour_and_month(scenario.run.start, t)
    expected = {}
    for kind in Kind:
        spec = getattr(scenario.incidents, kind.value)
        rate = (
            spec.rate_per_hour
            / 3600.0
            * np.asarray(spec.hourly_profile)[hour]
            * np.asarray(spec.monthly_profile)[month]
        )
        expected[kind.value] = float((rate * widths).sum())
    return expected
