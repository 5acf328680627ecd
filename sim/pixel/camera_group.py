"""Some cameras of a pixel-mode run, each with its renderer, detectors and alarm filters for the whole run.

A :class:`CameraGroup` lives where its cameras run (the run's own process, a process spawned on this machine
or a Dask worker: :mod:`sim.pixel.camera_workers`) and analyses their frames a window of simulated time at a
time (:mod:`sim.pixel.camera_loop` says why windows give the same run). It is handed each frame's time and
number and the actors of each instant; it draws nothing from the run's random streams (the renderer's noise
and the detectors are each camera's own), so its results do not depend on which process holds it, nor on
which cameras share it. Within a window its cameras are analysed on ``threads`` threads, one camera at a
time per thread (a camera's frames stay in order); OpenCV, numpy and shapely release the GIL in their heavy
calls.
"""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor

import cv2

from sim.pixel.pixel_camera import PixelAlarm, PixelCamera
from sim.render.actors import Actor, lamp_positions
from sim.render.conditions import Conditions
from sim.render.thermal_scene import conditions_at
from sim.scenario.models import Scenario
from sim.world.daylight import Daylight
from sim.world.geometry import ZoneGeometry

Frames = dict[str, list[tuple[float, int]]]
"""Per camera id, the (time s, frame number) of each of its frames in a window, in order."""
Seen = dict[float, list[Actor]]
"""Per instant (s), the actors any camera may draw then."""
FrameResult = tuple[list[PixelAlarm], list[tuple]]
"""What one frame gave: the alarms it completed and its offenders' scores (empty unless scores are logged)."""


class CameraGroup:
    """Cameras of one run (``camera_ids`` of ``scenario``), held for the whole run."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        camera_ids: list[str],
        daylight: Daylight,
        geometry: ZoneGeometry | None = None,
        threads: int = 1,
        log_scores: bool = False,
        save_frames: bool = False,
        worker: bool = False,
    ):
        """``geometry``: the zone's, if already built in this process; ``threads`` (>= 1) analyse cameras
        side by side; ``log_scores``: report every offender's score in every frame; ``save_frames``: alarms
        carry their annotated frame (``PixelAlarm.frame_png``); ``worker``: the group is alone in a worker
        process that stands for one core, so OpenCV keeps to one thread there (its own pool, a thread per
        core, would only contend with the other workers: about a fifth more CPU per frame, measured in
        ``tests/conftest.py``)."""
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        if worker:
            cv2.setNumThreads(1)
        geometry = ZoneGeometry(scenario) if geometry is None else geometry
        lamps = lamp_positions(scenario, geometry)
        self.scenario, self.daylight = scenario, daylight
        self.cameras: dict[str, PixelCamera] = {}
        """The group's cameras by id, in scenario order."""
        for spec in scenario.cameras:
            if spec.id in camera_ids:
                camera = self.cameras[spec.id] = PixelCamera(spec, scenario, geometry, lamps, seed)
                camera.score_log = [] if log_scores else None  # turns scoring on; scores are returned
                camera.save_frames = save_frames
        self.cpu_s = dict.fromkeys(self.cameras, 0.0)
        """CPU time each camera's frames took so far (its thread's), s: how the work is shared out."""
        self._helpers = threads - 1
        """Threads besides the caller's, which analyses cameras too."""
        self._pool = ThreadPoolExecutor(self._helpers, "pixel-camera") if self._helpers else None

    def busy(self) -> list[str]:
        """The cameras that can raise alarms (an idle one sees no no-go area: it has no frames to analyse)."""
        return [camera_id for camera_id, camera in self.cameras.items() if not camera.idle]

    def analyse(self, frames: Frames, seen: Seen) -> dict[str, list[FrameResult]]:
        """Render and analyse the ``frames`` of the window, each with the actors ``seen`` at its instant;
        per camera, each frame's result in order."""
        jobs = list(frames.items())
        results: list = [None] * len(jobs)
        claims = itertools.count()  # next() on it is atomic under the GIL: each camera is claimed once

        def drain() -> None:
            while (k := next(claims)) < len(jobs):
                camera_id, taken = jobs[k]
                results[k] = self._analyse(self.cameras[camera_id], taken, seen)

        helpers = (
            []
            if self._pool is None
            else [self._pool.submit(drain) for _ in range(min(self._helpers, len(jobs) - 1))]
        )
        drain()  # this thread takes cameras too
        for helper in helpers:
            helper.result()
        return {camera_id: result for (camera_id, _), result in zip(jobs, results, strict=True)}

    def _analyse(self, camera: PixelCamera, taken: list[tuple[float, int]], seen: Seen) -> list[FrameResult]:
        start = time.thread_time()
        out = [camera.analyse(t, number, seen[t], self._conditions(camera, t)) for t, number in taken]
        self.cpu_s[camera.id] += time.thread_time() - start
        return out

    def _conditions(self, camera: PixelCamera, t: float) -> Conditions:
        """Light and weather of ``camera``'s frame at ``t`` (s); uncompressed: the detectors see the decoded
        video downscaled (:mod:`sim.pixel.pixel_camera`'s docstring)."""
        return conditions_at(self.scenario, camera.camera.spec, self.daylight, t)

    def cpu_times(self) -> dict[str, float]:
        """:attr:`cpu_s`, for a caller in another process."""
        return dict(self.cpu_s)

    def close(self) -> None:
        """Stop the threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
