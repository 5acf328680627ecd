"""``run_sim.py render``: a camera's view of a simulated stretch of time, with ground truth.

The statistical simulation runs up to the end of the clip so that offenders,
their departures and the project's boats are exactly those of the run; walkers,
ducks, debris and leisure boats come from their own random streams. Each frame
is rendered by :class:`~sim.render.renderer.Renderer` and either written to a video with
the ground-truth boxes drawn over it, or saved as a PNG with ``truth.csv``.
Files are written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from sim.core.files import publish, replace_folder
from sim.errors import ClipError
from sim.render.actors import (
    Actor,
    ActorClass,
    Distractors,
    boat_actors,
    lamp_positions,
    offender_thing,
)
from sim.render.conditions import Conditions
from sim.render.frame import Frame
from sim.render.renderer import Renderer
from sim.render.thermal_scene import conditions_at
from sim.scenario.models import Scenario
from sim.sensing.first_sighting import first_sighting
from sim.world.cameras import CameraModel
from sim.world.daylight import Daylight

VIDEO_CODECS = {".webm": "VP80", ".mp4": "mp4v", ".avi": "MJPG"}
"""Video types ``render`` writes; .webm (VP8) plays in browsers, .mp4 with mp4v does not."""
TRUTH_COLUMNS = ("frame", "t", "actor_id", "class", "x0", "y0", "x1", "y1", "visible_fraction", "distance_m")
FRAME_COLUMNS = ("frame", "t", "light", "weather", "infrared", "sensor", "jpeg_bytes")
OFFENDER_COLOUR = (40, 40, 255)
OTHER_COLOUR = (0, 220, 255)
LEAD_S = 3.0
"""Without ``--start``, a clip starts this long before the first offender enters the view, s."""


@dataclass(frozen=True)
class ClipSummary:
    camera_id: str
    start_s: float
    frames: int
    output: Path
    offender_boxes: int
    other_boxes: int
    mean_jpeg_bytes: float | None


class Clip:
    """What one camera sees from ``start`` for ``seconds`` (s) of a run.

    ``simulation`` is a run not yet advanced (``sim.engine.Simulation``): the clip advances it to its
    end to know where the boats went and who left when; the renderer never needs the engine itself.
    ``renderer``: one this camera already has for this scenario and seed (:attr:`renderer` of an earlier
    clip), whose ground map and looks are then not built again; its frames are the same.
    """

    def __init__(
        self,
        simulation,
        camera_id: str,
        seconds: float,
        start: float | None = None,
        renderer: Renderer | None = None,
    ):
        scenario: Scenario = simulation.scenario
        cameras = {c.id: c for c in scenario.cameras}
        if camera_id not in cameras:
            raise ClipError(f"--camera: no camera {camera_id!r} (cameras: {', '.join(cameras)})")
        if not 0 < seconds < math.inf:
            raise ClipError(f"--seconds: must be positive and finite, got {seconds:g}")
        self.scenario = scenario
        self.camera = CameraModel(cameras[camera_id])
        self.simulation = simulation
        geometry = self.simulation.geometry
        if start is None:
            self.start, self.start_reason = self._default_start(camera_id)
        else:
            self.start, self.start_reason = start, f"starting at {start:.1f} s, as --start asks"
        if not 0 <= self.start < scenario.run.duration:
            raise ClipError(
                f"--start: must lie within the run (0 to {scenario.run.duration:g} s), got {self.start:g}"
            )
        self.seconds = seconds
        self.end = min(self.start + seconds, scenario.run.duration)
        self.simulation.advance(until=self.end)
        world = self.simulation.world
        self.offenders = [
            offender_thing(i, world.left_at(i.id), geometry)
            for i in self.simulation.incidents
            if i.t_start < self.end and world.left_at(i.id) > self.start
        ]
        self.distractors = Distractors(
            scenario.render,
            geometry,
            self.simulation.navigator,
            self.simulation.streams,
            self.start,
            self.end,
        )
        self.docks = {b.id: b.docks[0] for b in self.simulation.boats}
        if renderer is not None and (
            renderer.camera.spec != self.camera.spec or renderer.seed != simulation.seed
        ):
            raise ValueError("a clip's renderer must be of its own camera and seed")
        self.renderer = renderer or Renderer(
            self.camera,
            geometry,
            scenario.render.path_offset,
            lamp_positions(scenario, geometry),
            seed=self.simulation.seed,
        )
        zone = scenario.zone
        self.daylight = Daylight(scenario.run.start, zone.latitude_deg, zone.longitude_deg, zone.utc_offset_h)

    def _default_start(self, camera_id: str) -> tuple[float, str]:
        """A few seconds before the first offender enters this camera's view (0 if none does), s, and a
        line saying why the clip starts there."""
        sighting = first_sighting(self.simulation.incidents, self.simulation.sensors, [camera_id])
        if sighting is None:
            return 0.0, f"no offender enters {camera_id}'s view in this run: starting at 0 s"
        start = max(0.0, sighting.t - LEAD_S)
        return start, (
            f"starting at {start:.1f} s, {sighting.t - start:g} s before an offender "
            f"(incident {sighting.incident_id}) enters {camera_id}'s view"
        )

    def actors(self, t: float) -> list[Actor]:
        things = [a for thing in self.offenders if (a := thing.at(t)) is not None]
        return things + self.distractors.at(t) + boat_actors(self.simulation.recorder.legs, self.docks, t)

    def conditions(self, t: float) -> Conditions:
        quality = self.scenario.render.jpeg_quality
        return conditions_at(self.scenario, self.camera.spec, self.daylight, t, quality)

    @property
    def frame_count(self) -> int:
        return max(1, round((self.end - self.start) * self.camera.spec.fps))

    def frames(self):
        """(frame number from 1, Frame) for each frame of the clip, in order."""
        interval = 1.0 / self.camera.spec.fps
        for number in range(self.frame_count):
            t = self.start + number * interval
            yield number + 1, self.renderer.render(t, self.actors(t), self.conditions(t), number)


def annotate(frame: Frame) -> np.ndarray:
    """The frame with its ground-truth boxes: red for offenders, yellow for everything else."""
    image = frame.image.copy()
    for box in frame.truth:
        offender = box.cls in (ActorClass.SWIMMER, ActorClass.FISHER)
        colour = OFFENDER_COLOUR if offender else OTHER_COLOUR
        cv2.rectangle(image, (box.x0, box.y0), (box.x1 - 1, box.y1 - 1), colour, 1)
        cv2.putText(
            image,
            f"{box.cls} {box.distance_m:.0f} m",
            (box.x0, max(10, box.y0 - 3)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.35,
            colour,
            1,
            cv2.LINE_AA,
        )
    stamp = f"t = {frame.t:8.1f} s   {frame.conditions.light}, {frame.conditions.weather}"
    cv2.putText(image, stamp, (8, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
    return image


def check_video_path(out: Path) -> None:
    if out.suffix.lower() not in VIDEO_CODECS:
        raise ClipError(
            f"--out: unsupported video type {out.suffix or '(none)'!r} (use {', '.join(VIDEO_CODECS)})"
        )
    if out.is_dir():
        raise ClipError(f"--out: {out} is a folder; give a video file name")
    _check_folder(out.resolve().parent, "--out")


def check_frames_folder(folder: Path) -> None:
    """A new folder, or one this command wrote before (it holds truth.csv); never anything else."""
    folder = folder.resolve()
    if folder.exists() and not folder.is_dir():
        raise ClipError(f"--frames: {folder} exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / "truth.csv").is_file():
        raise ClipError(
            f"--frames: {folder} is not empty and holds no earlier frames (no truth.csv): choose a new folder"
        )
    _check_folder(folder.parent, "--frames")


def _check_folder(folder: Path, flag: str) -> None:
    if not folder.is_dir():
        raise ClipError(f"{flag}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise ClipError(f"{flag}: folder {folder} is not writable")


def write_video(clip: Clip, out: Path, progress: bool = True) -> ClipSummary:
    """Render the clip to ``out`` (.webm, .mp4 or .avi) with ground-truth boxes drawn."""
    check_video_path(out)
    width, height = clip.camera.spec.resolution
    fd, temporary = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=out.suffix, dir=out.resolve().parent)
    os.close(fd)
    writer = cv2.VideoWriter(
        temporary,
        cv2.VideoWriter_fourcc(*VIDEO_CODECS[out.suffix.lower()]),
        clip.camera.spec.fps,
        (width, height),
    )
    try:
        if not writer.isOpened():
            raise ClipError(f"--out: OpenCV cannot write {out.suffix} video here")
        stats = _Stats()
        for _, frame in tqdm(
            clip.frames(), total=clip.frame_count, unit="frame", disable=not progress, leave=False
        ):
            writer.write(annotate(frame))
            stats.add(frame)
        writer.release()
        publish(Path(temporary))
        os.replace(temporary, out)
    except BaseException:
        writer.release()
        Path(temporary).unlink(missing_ok=True)
        raise
    return stats.summary(clip, out)


def write_frames(clip: Clip, folder: Path, progress: bool = True) -> ClipSummary:
    """Render the clip as ``frame_000001.png``, ... plus ``truth.csv`` and ``frames.csv`` in ``folder``."""
    check_frames_folder(folder)
    folder = folder.resolve()
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        stats = _Stats()
        with (
            open(staging / "truth.csv", "w", newline="") as truth_file,
            open(staging / "frames.csv", "w", newline="") as frames_file,
        ):
            truth = csv.writer(truth_file)
            truth.writerow(TRUTH_COLUMNS)
            frames = csv.writer(frames_file)
            frames.writerow(FRAME_COLUMNS)
            for number, frame in tqdm(
                clip.frames(), total=clip.frame_count, unit="frame", disable=not progress, leave=False
            ):
                cv2.imwrite(str(staging / f"frame_{number:06d}.png"), frame.image)
                c = frame.conditions
                frames.writerow(
                    [
                        number,
                        f"{frame.t:.3f}",
                        c.light,
                        c.weather,
                        c.infrared_active,
                        frame.sensor,
                        "" if frame.encoded_bytes is None else frame.encoded_bytes,
                    ]
                )
                for b in frame.truth:
                    truth.writerow(
                        [
                            number,
                            f"{frame.t:.3f}",
                            b.actor_id,
                            b.cls,
                            b.x0,
                            b.y0,
                            b.x1,
                            b.y1,
                            b.visible_fraction,
                            b.distance_m,
                        ]
                    )
                stats.add(frame)
        replace_folder(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return stats.summary(clip, folder)


class _Stats:
    def __init__(self) -> None:
        self.frames = self.offenders = self.others = 0
        self.jpeg: list[int] = []

    def add(self, frame: Frame) -> None:
        self.frames += 1
        offenders = sum(b.cls in (ActorClass.SWIMMER, ActorClass.FISHER) for b in frame.truth)
        self.offenders += offenders
        self.others += len(frame.truth) - offenders
        if frame.encoded_bytes is not None:
            self.jpeg.append(frame.encoded_bytes)

    def summary(self, clip: Clip, output: Path) -> ClipSummary:
        mean = float(np.mean(self.jpeg)) if self.jpeg else None
        return ClipSummary(
            clip.camera.spec.id, clip.start, self.frames, output, self.offenders, self.others, mean
        )
