"""Frames per second of the pixel-mode detectors against a bare MOG2, and the speed of pixel mode.

What it measures
----------------
1. **Detector throughput** at 640x360, for each detector of pixel mode
   (``swimming``, ``fishing``; ``--detectors``). Per detector, one camera of the
   default scenario (``scenarios/xuchang_lake.yaml``) that sees its no-go area:
   ``cam-beach-w`` over the no-swimming beach, ``cam-east-n`` along the
   no-fishing east bank (``--swimming-camera``, ``--fishing-camera``). The
   camera is downscaled to 640 px wide with :func:`sim.pixel.pixel_camera.analysis_camera`
   and its :class:`~detectors.base.FrameContext` comes from
   :func:`sim.pixel.pixel_camera.camera_context`, exactly as pixel mode builds them; the
   renderer is built as ``sim/pixel/pixel_camera.py`` builds it.

   * swimming: two swimmers (0.5 and 0.3 m/s) inside the no-swimming area,
     25-70 m away, and two ducks, a piece of debris and a leisure boat on the
     water, 25-110 m away;
   * fishing: two anglers on the no-fishing bank, 20-50 m away, facing the
     water (one standing, one sitting, arriving 1 and 2 s after the detector's
     warm-up, as an incident appears; the standing one casts during the clip)
     and three walkers passing on the promenade.

   Every track is checked to stay in its region (no-go area, water, bank), in
   range and inside the image. ``--frames`` frames (300) at the camera's frame
   rate are rendered *before* any timing, in daylight with the scenario's
   weather, wind and JPEG quality (the frames pixel mode feeds the detectors).
   Then, ``--repeat`` (3) times, interleaved: a fresh detector
   (``create_detector(name)``) runs ``update(frame, t, context)`` over all
   frames, and a fresh ``cv2.createBackgroundSubtractorMOG2()`` (OpenCV's
   defaults: history 500, varThreshold 16, shadow detection on) runs
   ``.apply(frame)`` over the same frames; for information, a third loop runs
   MOG2 with ``detectShadows=False``, as both detectors configure it. The best
   repeat of each counts. As a check that the detector does its real work,
   the detections at or above the scenario's threshold that fall on the
   offender's ground-truth box are counted.

   The first call of a fresh detector is reported apart, as a one-time cost:
   it builds the camera's masks (the fishing detector dilates the bank by
   ``reach_m`` in strips, which takes most of a second). The frames/s and the
   ratio use the other frames; the ratio over all frames, and over the frames
   after the detector's warm-up (when it does its full work), are printed too.
2. **Pixel mode**: the default scenario with ``run.mode=pixel``,
   ``run.start=2026-07-18T15:00:00`` (a summer afternoon in daylight) and
   ``run.duration`` = ``--pixel-seconds`` (600: the 10-minute run). Every
   camera (8 of them) renders and analyses each of its frames.
   ``Simulation(...)`` is built, advanced in ``--chunks`` (10) equal steps of
   simulated time with ``Simulation.advance(until=...)`` and finished with
   ``Simulation.collect``, as ``Simulation.run`` does. Reported: simulated s
   per wall s (whole run, and steady state: chunks 2 onwards, which excludes
   the one-time setup of cameras and detectors), frames processed, how the
   time per frame splits between rendering and each detector, in wall and CPU
   time (measured by wrapping ``Renderer.render`` and each detector class's
   ``update`` with clocks in this process: about a microsecond per call), and
   the process's resident memory (RSS): after each chunk, every
   ``--sample-interval`` s from a sampling thread, and the peak (``VmHWM``,
   reset just before the run when ``/proc/self/clear_refs`` allows it). RSS
   is flat when it grows by at most 5 % from the end of the first chunk to
   the end of the run; the least-squares slope over the chunk samples is
   printed too.

   The cameras of a window of frames run on ``--threads`` threads (default:
   one per core; ``Simulation(frame_threads=...)``, see ``sim/pixel/camera_group.py``),
   and the run's speed is then its wall time. Afterwards, unless
   ``--baseline-seconds`` is 0, a baseline of the same scenario on one thread
   (``--baseline-seconds``, 120 simulated s, 4 chunks) runs in the same
   process, and the ratio of the steady-state speeds is printed. The
   baseline runs second so that the run's memory figures are its own. Then,
   unless ``--tile-baseline-seconds`` is 0 or no camera has one, a run on the
   same threads without the far-bank tiles (``cameras.N.fishing_tile_beyond``
   set to null, :mod:`sim.pixel.far_bank_tile`; 120 simulated s, 4 chunks) prints the
   ratio of its steady-state speed to the run's: what the tiles cost.
3. A verdict against the goals: a MOG2/detector time ratio of at least 0.6 for
   swimming and 0.3 for fishing, and at least 2 simulated s per wall s in pixel
   mode with flat memory. The exit code is 0 whatever the verdict: this is a
   measurement, not a test.

"On one core": OpenCV is limited to one thread (``cv2.setNumThreads(1)``,
``--cv-threads``) for every measurement, and numpy's BLAS to one thread
(``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` default to 1
before numpy is imported). Frames/s, and simulated s per wall s on one thread,
use the larger of wall time and process CPU time; with frame threads, pixel
mode's speed is its wall time, and the per-call CPU of rendering and detectors
is the calling thread's. The CPU time that *other* processes used
during each part (from ``/proc/stat``) is printed: on a shared 2-core machine
it tells whether the wall times were inflated by someone else's work.

How to run (from the repository root)
-------------------------------------
::

    python benchmarks/bench_detect.py                     # both parts: 300 frames, best of 3; 600 s pixel run
    python benchmarks/bench_detect.py --pixel-seconds 60  # quick look at pixel mode
    python benchmarks/bench_detect.py --skip-pixel        # detectors only (about 35 s)
    python benchmarks/bench_detect.py --skip-detectors --pixel-seconds 120
    python benchmarks/bench_detect.py --skip-detectors --threads 1 --baseline-seconds 0   # one thread only
    python benchmarks/bench_detect.py --skip-detectors --skip-pixel --profile   # cProfile, 30 s run

How to read the ratio
---------------------
Ratio = (time per frame of a bare MOG2 ``apply``) / (time per frame of the
detector's ``update``). 1 would mean the detector costs no more than the
background subtraction alone; 0.5 that everything else it does (masks,
morphology, connected components, blob merging, tracking, scoring; for the
fishing detector Canny, Hough and a second, learning MOG2 pass around
protected anglers) costs as much as one MOG2. Both detectors run MOG2 without
shadow detection, unlike OpenCV's default the ratio is taken against; the
``detectShadows=False`` row shows what that changes (on these daylight frames,
nothing measurable), so a detector's own MOG2 pass costs about one bare
``apply``. The warm-up frames, when a detector only learns its background, are
the cheap ones; the ratio after the warm-up is the one a long run sees.
``--profile`` shows where the
pixel-mode time per frame goes (cumulative µs per frame over all cameras,
inflated by the profiler's own overhead for the Python parts).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import hashlib
import math
import os
import platform
import pstats
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from common import (  # first: one core, sim importable
    BLAS_THREAD_VARIABLES,
    REPO_ROOT,
    machine_busy_s,
    print_profile_rows,
    proc_status,
)

# isort: split

import cv2
import numpy as np
import shapely
from shapely.ops import nearest_points

from detectors.base import ClassId, FrameContext
from detectors.registry import DETECTORS, create_detector
from sim.core.workers import default_workers
from sim.engine import Simulation
from sim.loading import load_scenario
from sim.pixel.camera_group import CameraGroup
from sim.pixel.pixel_camera import PixelCamera, analysis_camera, camera_context
from sim.render.actors import Actor, ActorClass, lamp_positions, shore_path
from sim.render.conditions import Conditions
from sim.render.frame import Frame
from sim.render.renderer import Renderer
from sim.scenario.models import Kind, Light, Scenario
from sim.world.cameras import CameraModel
from sim.world.geometry import ZoneGeometry, sample_in

DEFAULT_SCENARIO = REPO_ROOT / "scenarios" / "xuchang_lake.yaml"
WIDTH = 640
"""Frames are analysed at this width (640x360 for the scenario's 16:9 cameras)."""
GOAL_RATIO = {"swimming": 0.6, "fishing": 0.3}
"""Goal: (time per bare MOG2 apply) / (time per detector update) at least this."""
GOAL_SIM_SPEED = 2.0
"""Goal: pixel mode on the default scenario at least this many simulated s per wall s."""
FLAT_TOLERANCE = 0.05
"""RSS is flat when it grows by at most this fraction from the end of the first chunk to the end."""
PIXEL_START = "2026-07-18T15:00:00"
DETECTOR_CAMERAS = {"swimming": "cam-beach-w", "fishing": "cam-east-n"}
PROFILE_TOP = 25
BASELINE_CHUNKS = 4
"""Chunks of the one-thread baseline run (the first holds the one-time setup)."""
WALKER_IN_VIEW = 0.6
"""A walker is in the image and in range for at least this share of the clip's frames."""
SEPARATION_M = 8.0
"""Actors' tracks keep at least this far apart, m."""


# ---------------------------------------------------------------- machine


def rss_bytes(field_name: str = "VmRSS") -> int | None:
    """Resident set size (``VmRSS``) or its peak (``VmHWM``) of this process from /proc, bytes."""
    return proc_status("self", field_name)


def reset_peak_rss() -> bool:
    """Reset ``VmHWM`` to the current RSS (Linux 4.0+: write 5 to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


@dataclass
class Contention:
    """CPU time other processes used while a part of the benchmark ran."""

    wall0: float = field(default_factory=time.perf_counter)
    cpu0: float = field(default_factory=time.process_time)
    busy0: float | None = field(default_factory=machine_busy_s)

    def others(self) -> tuple[float, float] | None:
        """(CPU s used by other processes, wall s elapsed) since construction."""
        busy = machine_busy_s()
        if busy is None or self.busy0 is None:
            return None
        own = time.process_time() - self.cpu0
        return max(0.0, busy - self.busy0 - own), time.perf_counter() - self.wall0

    def line(self) -> str:
        others = self.others()
        if others is None:
            return "other processes' CPU time: unknown (no /proc/stat)"
        cpu, wall = others
        load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
        return (
            f"other processes used {cpu:,.1f} CPU s over these {wall:,.1f} wall s "
            f"({cpu / max(wall, 1e-9):.2f} cores on average; load average now {load})"
        )


# ---------------------------------------------------------------- scenes


@dataclass(frozen=True)
class Mover:
    """One actor of a benchmark clip: where it is at each frame time (None: not there yet)."""

    id: str
    cls: ActorClass
    xy: np.ndarray
    """(frames, 2) ground positions, m; NaN where absent."""
    heading: np.ndarray
    """(frames,) compass headings, rad."""
    speed: float
    cycle_s: float
    phase0: float
    """Animation phase at the actor's first frame."""
    variant: int
    t_start: float = 0.0

    def at(self, index: int, t: float) -> Actor | None:
        x, y = self.xy[index]
        if not math.isfinite(x):
            return None
        phase = ((t - self.t_start) / self.cycle_s + self.phase0) % 1.0
        return Actor(
            self.id, self.cls, float(x), float(y), float(self.heading[index]), self.speed, phase, self.variant
        )


@dataclass(frozen=True)
class Scene:
    """Everything one detector measurement needs, built before any timing."""

    name: str
    camera: CameraModel
    renderer: Renderer
    context: FrameContext
    conditions: Conditions
    times: np.ndarray
    movers: list[Mover]
    offender: ActorClass
    render_s: float = 0.0
    params: dict = dataclasses.field(default_factory=dict)
    """The scenario's parameters of this detector (``detection.pixel_detectors``): what pixel mode runs."""


def _visible(camera: CameraModel, xy: np.ndarray, margin: float = 0.03) -> float:
    """Share of the points that fall inside the image (below the horizon, ``margin`` from the edges)."""
    uv = camera.ground_to_image(xy)
    width, height = camera.spec.resolution
    inside = (
        (uv[:, 0] > margin * width)
        & (uv[:, 0] < (1 - margin) * width)
        & (uv[:, 1] > camera.horizon_row + margin * height)
        & (uv[:, 1] < (1 - margin) * height)
    )
    return float(inside.mean())


def _apart(xy: np.ndarray, others: list[Mover]) -> bool:
    for other in others:
        gaps = np.hypot(xy[:, 0] - other.xy[:, 0], xy[:, 1] - other.xy[:, 1])
        gaps = gaps[np.isfinite(gaps)]
        if len(gaps) and gaps.min() < SEPARATION_M:
            return False
    return True


def place_straight(
    rng: np.random.Generator,
    camera: CameraModel,
    region,
    times: np.ndarray,
    others: list[Mover],
    *,
    name: str,
    cls: ActorClass,
    speed: float,
    cycle_s: float,
    variant: int,
    distance_m: tuple[float, float],
    t_start: float = 0.0,
    phase0: float | None = None,
    facing=None,
) -> Mover:
    """An actor moving in a straight line (or standing, ``speed`` 0) that stays in ``region`` and in view.

    Candidates are random points of ``region`` inside the camera's analysed
    footprint and random headings; the first whose whole track passes every
    check is taken. A standing actor faces ``facing(x, y)`` (a heading, rad).
    """
    area = region.intersection(camera.footprint)
    if area.is_empty:
        raise SystemExit(
            f"{camera.spec.id}: {name} has no room ({cls}) in the camera's view; choose another camera"
        )
    shapely.prepare(area)
    present = times >= t_start
    for _ in range(5000):
        x, y = sample_in(area, rng)
        heading = float(rng.uniform(0.0, 2.0 * math.pi)) if facing is None else float(facing(x, y))
        steps = speed * (times - times[0])
        xy = np.column_stack([x + steps * math.sin(heading), y + steps * math.cos(heading)])
        distance = camera.distance(xy)
        if distance.min() < distance_m[0] or distance.max() > distance_m[1]:
            continue
        if not shapely.contains_xy(area, xy[:, 0], xy[:, 1]).all() or _visible(camera, xy) < 1.0:
            continue
        xy[~present] = np.nan
        if not _apart(xy, others):
            continue
        return Mover(
            name,
            cls,
            xy,
            np.full(len(times), heading % (2.0 * math.pi)),
            speed,
            cycle_s,
            float(rng.uniform()) if phase0 is None else phase0,
            variant,
            t_start,
        )
    raise SystemExit(f"{camera.spec.id}: no place for {name} ({cls}) in view; choose another camera")


def place_walker(
    rng: np.random.Generator,
    camera: CameraModel,
    path,
    times: np.ndarray,
    others: list[Mover],
    *,
    name: str,
    speed: float,
    variant: int,
    distance_m: tuple[float, float],
) -> Mover:
    """A walker along the promenade (``path``), in view for most of the clip (walkers pass through)."""
    length = path.length
    travel = speed * (times - times[0])
    for _ in range(2000):
        start = float(rng.uniform(0.0, length))
        direction = float(rng.choice([-1.0, 1.0]))
        along = start + direction * travel
        if along.min() < 0 or along.max() > length:
            continue
        xy = shapely.get_coordinates(shapely.line_interpolate_point(path, along))
        distance = camera.distance(xy)
        in_range = distance <= distance_m[1]
        if (
            distance.min() < distance_m[0]
            or in_range.mean() < WALKER_IN_VIEW
            or _visible(camera, xy) < WALKER_IN_VIEW
        ):
            continue
        if not _apart(xy, others):
            continue
        ahead = shapely.get_coordinates(
            shapely.line_interpolate_point(path, np.clip(along + direction, 0, length))
        )
        heading = np.arctan2(ahead[:, 0] - xy[:, 0], ahead[:, 1] - xy[:, 1]) % (2.0 * math.pi)
        return Mover(name, ActorClass.WALKER, xy, heading, speed, 1.1, float(rng.uniform()), variant)
    raise SystemExit(
        f"{camera.spec.id}: no stretch of the promenade in view for {name}; choose another camera"
    )


def _build_scene(
    name: str,
    camera_id: str,
    scenario: Scenario,
    geometry: ZoneGeometry,
    lamps: np.ndarray,
    frames: int,
    seed: int,
) -> Scene:
    cameras = {c.id: c for c in scenario.cameras}
    if camera_id not in cameras:
        raise SystemExit(f"--{name}-camera: no camera {camera_id!r} (cameras: {', '.join(cameras)})")
    spec = cameras[camera_id]
    camera = analysis_camera(spec, WIDTH)
    renderer = Renderer(camera, geometry, scenario.render.path_offset, lamps, seed=seed)
    context = camera_context(renderer, scenario, spec.fps)
    run = scenario.run
    conditions = Conditions(
        Light.DAY, run.weather, run.wind_speed, spec.infrared, scenario.render.jpeg_quality
    )
    times = np.arange(frames) / spec.fps
    rng = np.random.default_rng(seed)
    movers: list[Mover] = []
    if name == "swimming":
        water = geometry.water.buffer(-2.0)  # whole sprites (boat, wake) on water
        banned = shapely.union_all([a.region for a in geometry.no_swimming]).intersection(water)
        swimmers_m, others_m = (25.0, 70.0), (25.0, 110.0)
        plans = (  # name, class, region, speed m/s, animation cycle s, variant, distance range m
            ("swimmer-1", ActorClass.SWIMMER, banned, 0.5, 1.4, 3, swimmers_m),
            ("swimmer-2", ActorClass.SWIMMER, banned, 0.3, 1.4, 8, swimmers_m),
            ("duck-1", ActorClass.BIRD, water, 0.15, 1.5, 1, others_m),
            ("duck-2", ActorClass.BIRD, water, 0.15, 1.5, 2, others_m),
            ("debris", ActorClass.DEBRIS, water, 0.05, 4.0, 2, others_m),
            ("boat", ActorClass.BOAT, geometry.water.buffer(-4.0), 1.2, 2.0, 4, others_m),
        )
        for actor_id, cls, region, speed, cycle_s, variant, distance_m in plans:
            movers.append(
                place_straight(
                    rng,
                    camera,
                    region,
                    times,
                    movers,
                    name=actor_id,
                    cls=cls,
                    speed=speed,
                    cycle_s=cycle_s,
                    variant=variant,
                    distance_m=distance_m,
                )
            )
        offender = ActorClass.SWIMMER
    else:
        banned = shapely.union_all([a.region for a in geometry.no_fishing])

        def facing_water(x: float, y: float) -> float:
            nearest = nearest_points(geometry.water, shapely.Point(x, y))[0]
            return math.atan2(nearest.x - x, nearest.y - y)

        warmup = float(getattr(create_detector("fishing"), "warmup_s", 5.0))
        cast_after = 6.0  # s after arrival: the standing angler casts (phase 0 to 0.06 of a 75 s cycle)
        for i, arrive, phase0 in ((1, warmup + 1.0, 1.0 - cast_after / 75.0), (2, warmup + 2.0, 0.3)):
            movers.append(
                place_straight(
                    rng,
                    camera,
                    banned,
                    times,
                    movers,
                    name=f"fisher-{i}",
                    cls=ActorClass.FISHER,
                    speed=0.0,
                    cycle_s=75.0,
                    variant=i - 1,
                    distance_m=(20.0, 50.0),
                    t_start=arrive,
                    phase0=phase0,
                    facing=facing_water,
                )
            )
        path = shore_path(geometry, scenario.render.path_offset)
        for i, speed in ((1, 1.3), (2, 1.1), (3, 1.5)):
            movers.append(
                place_walker(
                    rng,
                    camera,
                    path,
                    times,
                    movers,
                    name=f"walker-{i}",
                    speed=speed,
                    variant=i,
                    distance_m=(20.0, 120.0),
                )
            )
        offender = ActorClass.FISHER
    params = dict(scenario.detection.pixel_detectors.parameters(Kind(name), camera.spec.sensor))
    return Scene(name, camera, renderer, context, conditions, times, movers, offender, params=params)


def render_frames(scene: Scene) -> tuple[list[Frame], float]:
    """Every frame of the clip (untimed for the benchmark; the wall time is returned for the record)."""
    t0 = time.perf_counter()
    frames = []
    for index, t in enumerate(scene.times):
        actors = [a for m in scene.movers if (a := m.at(index, float(t))) is not None]
        frames.append(scene.renderer.render(float(t), actors, scene.conditions, index))
    return frames, time.perf_counter() - t0


# ---------------------------------------------------------------- detector loops


@dataclass(frozen=True)
class Loop:
    """One timed loop over the frames; per-frame stamps so that parts of the clip can be told apart."""

    wall: np.ndarray
    """(frames,) wall s of each call."""
    cpu: np.ndarray
    """(frames,) process CPU s of each call."""
    detections: tuple = ()

    def one_core_s(self, frames: slice | np.ndarray = slice(None)) -> float:
        return max(float(self.wall[frames].sum()), float(self.cpu[frames].sum()))

    def per_frame_s(self, frames: slice | np.ndarray = slice(None)) -> float:
        """s per frame over ``frames``; NaN when there is none (a clip shorter than the warm-up)."""
        count = len(self.wall[frames])
        return self.one_core_s(frames) / count if count else math.nan


def _timed_loop(
    call: Callable[[np.ndarray, float], object], images: list[np.ndarray], times: np.ndarray
) -> Loop:
    gc.collect()
    n = len(images)
    wall, cpu, results = np.empty(n), np.empty(n), []
    clock, cpu_clock = time.perf_counter, time.process_time
    for i in range(n):
        c0, w0 = cpu_clock(), clock()
        result = call(images[i], float(times[i]))
        wall[i], cpu[i] = clock() - w0, cpu_clock() - c0
        results.append(result)
    return Loop(wall, cpu, tuple(r for r in results if r is not None))


def time_detector(
    name: str, images: list[np.ndarray], times: np.ndarray, context: FrameContext, params: dict | None = None
) -> Loop:
    detector = create_detector(name, **(params or {}))
    return _timed_loop(lambda image, t: detector.update(image, t, context), images, times)


def time_mog2(images: list[np.ndarray], times: np.ndarray, shadows: bool = True) -> Loop:
    model = (
        cv2.createBackgroundSubtractorMOG2()
        if shadows
        else cv2.createBackgroundSubtractorMOG2(detectShadows=False)
    )

    def apply(image: np.ndarray, _t: float) -> None:
        model.apply(image)

    return _timed_loop(apply, images, times)


DETECTOR, MOG2, MOG2_NO_SHADOWS = "detector", "mog2", "mog2-no-shadows"


@dataclass(frozen=True)
class DetectorResult:
    scene: Scene
    frames: list[Frame]
    loops: dict[str, list[Loop]]
    warmup_s: float

    def best(self, key: str, frames: slice | np.ndarray = slice(1, None)) -> Loop:
        return min(self.loops[key], key=lambda loop: loop.one_core_s(frames))

    def per_frame_s(self, key: str, frames: slice | np.ndarray = slice(1, None)) -> float:
        return self.best(key, frames).per_frame_s(frames)

    def ratio(self, frames: slice | np.ndarray = slice(1, None)) -> float:
        """(time per bare MOG2 apply) / (time per detector update) over ``frames``."""
        return self.per_frame_s(MOG2, frames) / self.per_frame_s(DETECTOR, frames)

    @property
    def active(self) -> np.ndarray:
        """Frames after the detector's warm-up (it learns the background only before)."""
        return np.flatnonzero(self.scene.times - self.scene.times[0] >= self.warmup_s)


def measure_detector(scene: Scene, repeat: int) -> DetectorResult:
    frames, render_s = render_frames(scene)
    scene = dataclasses.replace(scene, render_s=render_s)
    images = [f.image for f in frames]
    times = scene.times
    loops: dict[str, list[Loop]] = {DETECTOR: [], MOG2: [], MOG2_NO_SHADOWS: []}
    for _ in range(repeat):  # interleaved: the loops of a repeat share the machine's state
        loops[DETECTOR].append(time_detector(scene.name, images, times, scene.context, scene.params))
        loops[MOG2].append(time_mog2(images, times))
        loops[MOG2_NO_SHADOWS].append(time_mog2(images, times, shadows=False))
    warmup_s = float(getattr(create_detector(scene.name, **scene.params), "warmup_s", 0.0))
    return DetectorResult(scene, frames, loops, warmup_s)


def _hits(result: DetectorResult, threshold: float) -> tuple[int, int, int]:
    """(frames after the warm-up that show an offender, those of them with a detection >= ``threshold`` on
    an offender's truth box, detections >= ``threshold`` on no offender's box)."""
    wanted = {"swimming": ClassId.SWIMMER, "fishing": ClassId.FISHER}[result.scene.name]
    detections = result.loops[DETECTOR][0].detections
    seen = found = stray = 0
    for index in result.active:
        truth = [b for b in result.frames[index].truth if b.cls is result.scene.offender]
        kept = detections[index][
            (detections[index].confidence >= threshold) & (detections[index].class_id == wanted)
        ]
        on = [
            any(b.x0 - 2 <= cx <= b.x1 + 2 and b.y0 - 2 <= cy <= b.y1 + 2 for b in truth)
            for cx, cy in kept.centres
        ]
        seen += bool(truth)
        found += bool(truth) and any(on)
        stray += sum(not o for o in on)
    return seen, found, stray


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f}"


def print_detector(result: DetectorResult, repeat: int, threshold: float) -> None:
    scene = result.scene
    width, height = scene.camera.spec.resolution
    n = len(scene.times)
    fps = scene.context.fps
    print(
        f"\n{scene.name}: camera {scene.camera.spec.id} at {width}x{height}, {n} frames at {fps:g} frames/s "
        f"({scene.times[-1] - scene.times[0]:.1f} s), best of {repeat}"
        + (f"; parameters {scene.params}" if scene.params else "")
    )
    print(f"  rendered before the timing in {scene.render_s:.1f} s; actors:")
    for m in scene.movers:
        present = np.flatnonzero(np.isfinite(m.xy[:, 0]))
        first, last = m.xy[present[0]], m.xy[present[-1]]
        d0, d1 = scene.camera.distance(np.array([first, last]))
        arrives = f", from t = {m.t_start:.1f} s" if m.t_start > 0 else ""
        print(
            f"    {m.id:<10} {m.cls:<8} ({first[0]:6.1f}, {first[1]:6.1f}) m, {m.speed:.2f} m/s, "
            f"{d0:5.1f} → {d1:5.1f} m{arrives}"
        )
    boxes = sum(len(f.truth) for f in result.frames)
    offender_boxes = sum(1 for f in result.frames for b in f.truth if b.cls is scene.offender)
    print(f"  truth boxes per frame {boxes / n:.2f} ({scene.offender} boxes {offender_boxes})")
    first = result.loops[DETECTOR]
    one_time = min(loop.one_core_s(slice(0, 1)) for loop in first)
    print(
        f"  first update of a fresh detector (camera masks; one-time, excluded below): "
        f"{one_time * 1e3:,.1f} ms; "
        f"MOG2's first apply {min(loop.one_core_s(slice(0, 1)) for loop in result.loops[MOG2]) * 1e3:.1f} ms"
    )
    active = result.active
    print(
        f"  {'frames 2-' + str(n):<34}{'ms/frame':>9}{'frames/s':>10}{'MOG2/det':>10}   "
        f"loop wall ms per repeat (median)"
    )
    labels = {
        DETECTOR: f"detector {scene.name!r} update",
        MOG2: "bare MOG2 apply (defaults)",
        MOG2_NO_SHADOWS: "bare MOG2, detectShadows=False",
    }
    for key in (DETECTOR, MOG2, MOG2_NO_SHADOWS):
        per = result.per_frame_s(key)
        ratio = f"{result.per_frame_s(MOG2) / per:.3f}" if key != DETECTOR else f"{result.ratio():.3f}"
        walls = [float(loop.wall[1:].sum()) for loop in result.loops[key]]
        print(
            f"  {labels[key]:<34}{_ms(per):>9}{1.0 / per:>10,.0f}{ratio:>10}   "
            f"{', '.join(f'{w * 1e3:.0f}' for w in walls)} ({statistics.median(walls) * 1e3:.0f})"
        )
    warm = np.setdiff1d(np.arange(1, n), active)
    detector_warm = result.per_frame_s(DETECTOR, warm) if len(warm) else float("nan")
    print(
        f"  detector per frame: {detector_warm * 1e3:.3f} ms during its {result.warmup_s:g} s warm-up "
        f"(background only), {result.per_frame_s(DETECTOR, active) * 1e3:.3f} ms after it "
        f"({len(active)} frames)"
    )
    print(
        f"  ratio MOG2/detector: {result.ratio():.3f} frames 2-{n}; "
        f"{result.ratio(slice(None)):.3f} all frames "
        f"(first update included); {result.ratio(active):.3f} after the warm-up"
    )
    seen, found, stray = _hits(result, threshold)
    print(
        f"  detections >= {threshold:g} after the warm-up: on the {scene.offender} in {found} of the "
        f"{seen} frames showing one; {stray} elsewhere"
    )


# ---------------------------------------------------------------- pixel mode


@contextmanager
def timing_wrappers(targets: dict[str, tuple[type, str]]) -> Iterator[dict[str, list[float]]]:
    """Wrap methods (class, name) with wall and CPU clocks; yields {label: [wall s, CPU s, calls]}."""
    totals: dict[str, list[float]] = {label: [0.0, 0.0, 0] for label in targets}
    originals = []
    for label, (cls, name) in targets.items():
        original = cls.__dict__[name]
        accumulator = totals[label]

        def timed(*args, _original=original, _accumulator=accumulator, **kwargs):
            # CPU time of the calling thread: right whether frames run on one thread or several.
            c0, t0 = time.thread_time(), time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                _accumulator[0] += time.perf_counter() - t0
                _accumulator[1] += time.thread_time() - c0
                _accumulator[2] += 1

        originals.append((cls, name, original))
        setattr(cls, name, timed)
    try:
        yield totals
    finally:
        for cls, name, original in reversed(originals):
            setattr(cls, name, original)


@dataclass
class Schedule:
    """Frames of pixel mode as :class:`CameraGroup` shares them out, summed over windows (constant memory).

    ``makespan[n]``: the time the frames would take on ``n`` idle cores: per window, each camera's frames
    in the window's order go to the lane that is free first (as the group's threads claim cameras), from
    the CPU time its frames took on their thread; s."""

    lanes: tuple[int, ...]
    windows: int = 0
    frames_cpu: float = 0.0
    makespan: dict[int, float] = field(default_factory=dict)

    def add(self, order: list[str], cpu: dict[str, float]) -> None:
        self.windows += 1
        self.frames_cpu += sum(cpu.values())
        for n in self.lanes:
            free = [0.0] * n
            for camera_id in order:
                k = free.index(min(free))
                free[k] += cpu[camera_id]
            self.makespan[n] = self.makespan.get(n, 0.0) + max(free)


@contextmanager
def frame_schedule(lanes: tuple[int, ...]) -> Iterator[list[Schedule]]:
    """Sum every window of :class:`CameraGroup` into the last :class:`Schedule` of the yielded list (append
    a fresh one to start over, e.g. after the one-time setup)."""
    schedules = [Schedule(lanes)]
    window, analyse = CameraGroup.__dict__["analyse"], PixelCamera.__dict__["analyse"]
    cpu: dict[str, float] = {}

    def timed_window(self, frames, seen):
        cpu.clear()
        try:
            return window(self, frames, seen)
        finally:
            schedules[-1].add(list(frames), cpu)

    def timed_analyse(self, *args, **kwargs):
        c0 = time.thread_time()
        try:
            return analyse(self, *args, **kwargs)
        finally:
            cpu[self.id] = cpu.get(self.id, 0.0) + time.thread_time() - c0

    CameraGroup.analyse, PixelCamera.analyse = timed_window, timed_analyse
    try:
        yield schedules
    finally:
        CameraGroup.analyse, PixelCamera.analyse = window, analyse


class RssSampler(threading.Thread):
    """Samples this process's RSS every ``interval`` s: (wall s since start, bytes)."""

    def __init__(self, interval: float):
        super().__init__(daemon=True)
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._halt = threading.Event()
        self._t0 = time.perf_counter()

    def run(self) -> None:
        while not self._halt.is_set():
            rss = rss_bytes()
            if rss is not None:
                self.samples.append((time.perf_counter() - self._t0, rss))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def pixel_scenario(path: Path, seconds: float, tiles: bool = True) -> Scenario:
    """The pixel-mode run's scenario; ``tiles=False`` drops every camera's far-bank tile
    (``fishing_tile_beyond``), which is what the tile baseline measures."""
    scenario = load_scenario(
        path, ["run.mode=pixel", f"run.start={PIXEL_START}", f"run.duration={seconds:g}"]
    )
    if tiles:
        return scenario
    cameras = tuple(c.model_copy(update={"fishing_tile_beyond": None}) for c in scenario.cameras)
    return scenario.model_copy(update={"cameras": cameras})


@dataclass(frozen=True)
class Chunk:
    until: float
    """Simulated s at the end of the chunk."""
    wall_s: float
    """Wall s of this chunk's advance."""
    cpu_s: float
    rss: int | None
    events: int


@dataclass
class PixelRun:
    seconds: float
    threads: int = 1
    """``Simulation(frame_threads=...)``: threads rendering and analysing the cameras of a window."""
    construct_s: float = 0.0
    construct_cpu_s: float = 0.0
    collect_s: float = 0.0
    chunks: list[Chunk] = field(default_factory=list)
    split: dict[str, list[float]] = field(default_factory=dict)
    """{label: [wall s, CPU s, calls]} over the whole advance loop."""
    split_first: dict[str, list[float]] = field(default_factory=dict)
    schedule: Schedule | None = None
    """:func:`frame_schedule` of the chunks after the first."""
    """The same after the first chunk (which holds the one-time setup of cameras and detectors)."""
    rss_before: int | None = None
    rss_built: int | None = None
    peak: int | None = None
    peak_reset: bool = False
    samples: list[tuple[float, int]] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    contention: str = ""

    def elapsed(self, chunk: Chunk) -> float:
        """A chunk's time: its wall time, or on one thread the larger of wall and CPU time."""
        return chunk.wall_s if self.threads > 1 else max(chunk.wall_s, chunk.cpu_s)

    @property
    def advance_s(self) -> float:
        return sum(self.elapsed(c) for c in self.chunks)

    @property
    def total_s(self) -> float:
        return max(self.construct_s, self.construct_cpu_s) + self.advance_s + self.collect_s

    def speed(self) -> float:
        return self.seconds / self.total_s

    def steady_speed(self) -> float:
        rest = self.chunks[1:]
        if not rest:
            return float("nan")
        return (rest[-1].until - self.chunks[0].until) / sum(self.elapsed(c) for c in rest)


def detector_targets(scenario: Scenario) -> dict[str, tuple[type, str]]:
    """``Renderer.render`` and each kind's detector class ``update``: what pixel mode calls per frame."""
    targets: dict[str, tuple[type, str]] = {"render": (Renderer, "render")}
    for kind in Kind:
        factory = DETECTORS.get(kind.value)
        if isinstance(factory, type) and "update" in factory.__dict__:
            targets[f"detector {kind.value!r}"] = (factory, "update")
    return targets


def run_pixel(
    path: Path,
    seconds: float,
    seed: int | None,
    chunks: int,
    interval: float,
    threads: int,
    tiles: bool = True,
) -> PixelRun:
    scenario = pixel_scenario(path, seconds, tiles)
    result = PixelRun(seconds, threads)
    contention = Contention()
    gc.collect()
    result.rss_before = rss_bytes()
    result.peak_reset = reset_peak_rss()
    sampler = RssSampler(interval)
    sampler.start()
    lanes = tuple(sorted({1, 2, threads}))
    with timing_wrappers(detector_targets(scenario)) as split, frame_schedule(lanes) as schedules:
        cpu0, t0 = time.process_time(), time.perf_counter()
        simulation = Simulation(scenario, seed, frame_threads=threads)
        result.construct_s, result.construct_cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
        result.rss_built = rss_bytes()
        wall_start = t0
        events = 0
        for k in range(1, chunks + 1):
            until = seconds * k / chunks
            cpu0, t0 = time.process_time(), time.perf_counter()
            count = simulation.advance(progress=False, until=until)
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            events += count
            result.chunks.append(Chunk(until, wall, cpu, rss_bytes(), count))
            if k == 1:
                result.split_first = {label: list(v) for label, v in split.items()}
                schedules.append(Schedule(lanes))  # the steady state, without the one-time setup
            print(
                f"    chunk {k:>2}/{chunks}: to {until:6.1f} sim s in {wall:7.1f} wall s, {cpu:7.1f} CPU s "
                f"({(seconds / chunks) / result.elapsed(result.chunks[-1]):.3f} sim s/wall s), "
                f"RSS {_mb(result.chunks[-1].rss)}",
                flush=True,
            )
        t0 = time.perf_counter()
        outcome = simulation.collect(events, wall_start)
        result.collect_s = time.perf_counter() - t0
    sampler.stop()
    result.split = {k: list(v) for k, v in split.items()}
    result.schedule = schedules[-1] if chunks > 1 else None
    result.samples = sampler.samples
    result.peak = rss_bytes("VmHWM")
    result.summary = outcome.summary
    result.contention = contention.line()
    return result


def _mb(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 2**20:,.0f} MB"


def expected_frames(scenario: Scenario) -> tuple[int, dict[str, float]]:
    """(frames over the run, summed over cameras; fps per camera): frame k at k/fps while k/fps < duration."""
    duration = scenario.run.duration
    fps = {c.id: c.fps for c in scenario.cameras}
    return sum(math.ceil(duration * f - 1e-9) for f in fps.values()), fps


def _print_frame_split(run: PixelRun, rendered: int, render_label: str) -> float:
    """Time per frame and its split by stage; returns the loop's CPU seconds."""
    steady = run.chunks[1:]
    if steady and run.split_first:
        # Chunks 2 onwards: what every further frame costs (cameras and detectors are set up).
        parts = {
            label: [a - b for a, b in zip(v, run.split_first[label], strict=True)]
            for label, v in run.split.items()
        }
        loop_wall, loop_cpu = sum(c.wall_s for c in steady), sum(c.cpu_s for c in steady)
        title = f"steady state (chunks 2-{len(run.chunks)})"
    else:
        parts = run.split
        loop_wall, loop_cpu = sum(c.wall_s for c in run.chunks), sum(c.cpu_s for c in run.chunks)
        title = "whole advance loop"
    count = max(1, int(parts[render_label][2]) if render_label in parts else rendered)
    print(
        f"  time per frame, {title}: {loop_wall / count * 1e3:.2f} ms wall, "
        f"{loop_cpu / count * 1e3:.2f} ms CPU over {count:,} frames; of which "
        "(ms per frame, wall / CPU, share of CPU):"
    )
    wall_sum = cpu_sum = 0.0
    for label, (wall, cpu, calls) in parts.items():
        wall_sum, cpu_sum = wall_sum + wall, cpu_sum + cpu
        print(
            f"    {label:<24}{wall / count * 1e3:>8.2f} /{cpu / count * 1e3:>6.2f}  "
            f"({cpu / max(loop_cpu, 1e-9):5.1%}; {int(calls):,} calls)"
        )
    rest_wall, rest_cpu = loop_wall - wall_sum, loop_cpu - cpu_sum
    rest_wall_ms = f"{rest_wall / count * 1e3:>8.2f}" if run.threads == 1 else f"{'n/a':>8}"  # calls overlap
    print(
        f"    {'rest':<24}{rest_wall_ms} /{rest_cpu / count * 1e3:>6.2f}  "
        f"({rest_cpu / max(loop_cpu, 1e-9):5.1%}; SimPy, actor lists, alarm filters, alarms)"
    )
    return loop_cpu


def print_pixel(run: PixelRun, path: Path) -> tuple[float, bool | None]:
    scenario = pixel_scenario(path, run.seconds)
    frames, fps = expected_frames(scenario)
    rate = sum(fps.values())
    summary = run.summary
    counts = summary.get("counts", {})
    print(
        f"\n  {run.seconds:g} simulated s: construction {run.construct_s:.2f} s, "
        f"advance {run.advance_s:,.1f} s "
        f"({'wall' if run.threads > 1 else 'one thread: larger of wall and CPU'}), "
        f"collect {run.collect_s:.2f} s; total {run.total_s:,.1f} s"
    )
    print(
        f"  simulated s per wall s: {run.speed():.3f} whole run; {run.steady_speed():.3f} steady state "
        f"(chunks 2-{len(run.chunks)}: no camera or detector setup)"
    )
    cpu = sum(c.cpu_s for c in run.chunks)
    wall = sum(c.wall_s for c in run.chunks)
    print(
        f"  advance loop: {wall:,.1f} wall s, {cpu:,.1f} CPU s of this process "
        f"({cpu / max(wall, 1e-9):.0%}); {run.seconds / max(cpu, 1e-9):.3f} sim s per CPU s "
        f"(what one idle core would approach); frames on {run.threads} thread(s)"
    )
    render_label = "render"
    rendered = int(run.split[render_label][2]) if render_label in run.split else frames
    print(
        f"  frames: {frames:,} expected ({rate:g} frames per simulated s over {len(fps)} cameras: "
        f"{', '.join(f'{k} {v:g}' for k, v in fps.items())}); {rendered:,} rendered"
    )
    loop_cpu = _print_frame_split(run, rendered, render_label)
    if run.schedule is not None and run.schedule.windows:
        print_projection(run.schedule, run.chunks[-1].until - run.chunks[0].until, loop_cpu)
    first = run.chunks[0]
    print(
        f"  first chunk (one-time setup: daylight looks, camera masks of the detectors): "
        f"{first.wall_s:.1f} wall s, {first.cpu_s:.1f} CPU s for {run.chunks[0].until:g} simulated s"
    )
    print(
        f"  SimPy events {summary.get('sim_events', 0):,}; incidents {counts.get('incidents', 0)} "
        f"(swimming {counts.get('swimming', 0)}, fishing {counts.get('fishing', 0)}); "
        f"alarms {counts.get('alarms', 0)} (false {counts.get('false_alarms', 0)})"
    )
    # Memory
    chunk_rss = [(c.until, c.rss) for c in run.chunks if c.rss is not None]
    print(
        f"  RSS: {_mb(run.rss_before)} before, {_mb(run.rss_built)} after construction; "
        "after each chunk (simulated s: MB):"
    )
    print("    " + ", ".join(f"{until:g}: {rss / 2**20:,.0f}" for until, rss in chunk_rss))
    flat = None
    if len(chunk_rss) >= 2:
        first, last = chunk_rss[0][1], chunk_rss[-1][1]
        sampled_peak = max([rss for _, rss in run.samples] + [rss for _, rss in chunk_rss])
        xs = np.array([u for u, _ in chunk_rss])
        ys = np.array([r for _, r in chunk_rss]) / 2**20
        slope = float(np.polyfit(xs, ys, 1)[0]) if len(xs) >= 2 else float("nan")
        growth = (last - first) / first
        flat = growth <= FLAT_TOLERANCE
        peak_note = (
            "since just before the run" if run.peak_reset else "of the whole process (reset not allowed)"
        )
        print(
            f"    first chunk {_mb(first)}, last {_mb(last)} ({growth:+.1%}), "
            f"sampled peak {_mb(sampled_peak)} "
            f"({len(run.samples)} samples), peak RSS (VmHWM, {peak_note}) {_mb(run.peak)}"
        )
        print(f"    slope {slope:+.3f} MB per simulated s ({slope * 600:+.1f} MB per 10 simulated minutes)")
    print(f"  {run.contention}")
    return run.speed(), flat


def print_projection(schedule: Schedule, seconds: float, loop_cpu: float) -> None:
    """What ``seconds`` of steady state would take on idle cores, from the CPU time each frame took on its
    thread; ``loop_cpu``: the process's CPU time over them, s."""
    outside = max(0.0, loop_cpu - schedule.frames_cpu)  # SimPy, actor lists, alarms: the simulation's thread
    speeds = {n: seconds / (outside + makespan) for n, makespan in schedule.makespan.items()}
    print(
        "  projected on idle cores (each frame's thread CPU time; a window's cameras shared out in "
        "order; GIL waits and shared caches not counted): "
        + ", ".join(f"{n} thread(s) {v:.3f} sim s per wall s" for n, v in speeds.items())
        + f" ({schedule.windows:,} windows, {outside / seconds * 1e3:.0f} ms per sim s outside frames)"
    )


def print_baseline(run: PixelRun) -> None:
    """The one-thread baseline in two lines: speed and CPU per frame, and the machine's load meanwhile."""
    steady = run.chunks[1:]
    frames = run.split["render"][2] - run.split_first["render"][2]
    cpu = sum(c.cpu_s for c in steady)
    print(
        f"    steady state (chunks 2-{len(run.chunks)}): {run.steady_speed():.3f} sim s per wall s "
        f"(larger of wall and CPU), {cpu / max(frames, 1) * 1e3:.2f} ms CPU per frame "
        f"over {int(frames):,} frames"
    )
    print(f"    {run.contention}")


def profile_pixel(path: Path, seconds: float, seed: int | None, top: int = PROFILE_TOP) -> None:
    """cProfile construction and run of a short pixel run; top functions by cumulative time, per frame."""
    scenario = pixel_scenario(path, seconds)
    frames, _ = expected_frames(scenario)
    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    Simulation(scenario, seed, frame_threads=1).run()  # cProfile sees only the thread it runs on
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats(pstats.SortKey.CUMULATIVE)
    rendered = [
        ncalls
        for (filename, _, name), (_, ncalls, *_) in stats.stats.items()
        if name == "render" and filename.replace(os.sep, "/").endswith("sim/render/renderer.py")
    ]
    frames = rendered[0] if rendered else frames  # frames rendered (the last instant may add one per camera)
    print(
        f"\ncProfile of a {seconds:g} s pixel run, construction included ({stats.total_tt:.1f} s under the "
        f"profiler, {frames:,} frames over all cameras; top {top} by cumulative time; "
        "µs/frame = cumulative time / frames)"
    )
    print_profile_rows(stats, top, frames, "frame")
    print(f"\nSelected functions (cumulative µs per frame over all {frames:,} frames; one-time ones marked):")
    selected = (
        ("sim/render/renderer.py", "render", "render a frame"),
        ("~", "imencode", "  JPEG encode"),
        ("~", "imdecode", "  JPEG decode"),
        ("sim/render/backdrop.py", "build_look", "  daylight look (one-time per camera)"),
        ("detectors/swimming.py", "update", "swimming detector"),
        ("detectors/swimming.py", "merge_nearby", "  merge_nearby (numpy)"),
        ("detectors/swimming.py", "_score", "  scoring (skin colour per track)"),
        ("detectors/background.py", "foreground", "shared background model (MOG2, both detectors)"),
        ("detectors/background.py", "clean", "  region and closing, per detector"),
        ("detectors/background.py", "blobs", "  swimming blobs (components)"),
        ("detectors/fishing.py", "update", "fishing detector"),
        ("detectors/fishing.py", "_prepare", "  camera masks (one-time per camera)"),
        ("detectors/fishing_bodies.py", "find_bodies", "  bodies (openings, components)"),
        ("detectors/fishing_gear.py", "gear_evidence", "  rod and line (Canny, Hough)"),
        ("~", "BackgroundSubtractorMOG2", "MOG2 apply, all callers"),
        ("sim/engine.py", "_actors", "actor lists"),
    )
    for suffix, name, label in selected:
        cumtime, calls = 0.0, 0
        for func, (_, ncalls, _, cum, _) in stats.stats.items():
            filename, _, funcname = func
            if suffix == "~":
                match = filename == "~" and name in funcname
            else:
                match = filename.replace(os.sep, "/").endswith(suffix) and funcname == name
            if match:
                cumtime, calls = cumtime + cum, calls + ncalls
        if calls:
            print(f"  {label:<42}{cumtime / frames * 1e6:>9.0f} µs  ({calls:,} calls)")


# ---------------------------------------------------------------- main


SOURCES = (
    "detectors/swimming.py",
    "detectors/fishing.py",
    "detectors/fishing_bodies.py",
    "detectors/fishing_gear.py",
    "detectors/background.py",
    "sim/render/renderer.py",
    "sim/render/backdrop.py",
)
"""Files whose version the figures depend on most (printed, as they may change between runs)."""


def source_digests() -> str:
    digests = []
    for name in SOURCES:
        path = REPO_ROOT / name
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.exists() else "missing"
        digests.append(f"{name} {digest}")
    return ", ".join(digests)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Pixel-mode detectors vs a bare MOG2, and pixel-mode speed (see the module docstring)."
    )
    parser.add_argument(
        "--frames", type=int, default=300, help="frames per detector loop (at the camera's fps)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="loops of each detector measurement; the best counts"
    )
    parser.add_argument(
        "--detectors",
        nargs="+",
        default=["swimming", "fishing"],
        help="detectors to measure (registered names)",
    )
    parser.add_argument(
        "--swimming-camera", default=DETECTOR_CAMERAS["swimming"], help="camera of the swimming clip"
    )
    parser.add_argument(
        "--fishing-camera", default=DETECTOR_CAMERAS["fishing"], help="camera of the fishing clip"
    )
    parser.add_argument(
        "--pixel-seconds", type=float, default=600.0, help="simulated s of the pixel-mode run"
    )
    parser.add_argument("--chunks", type=int, default=10, help="the pixel run advances in this many steps")
    parser.add_argument(
        "--threads",
        type=int,
        default=default_workers(),
        help="threads rendering and analysing the cameras of a window (default: one per core)",
    )
    parser.add_argument(
        "--baseline-seconds",
        type=float,
        default=120.0,
        help="simulated s of the one-thread baseline run after the pixel run (0: none)",
    )
    parser.add_argument(
        "--tile-baseline-seconds",
        type=float,
        default=120.0,
        help="pixel mode: simulated s of a same-threads run without far-bank tiles, for their cost (0: none)",
    )
    parser.add_argument("--sample-interval", type=float, default=1.0, help="RSS sampling period, wall s")
    parser.add_argument("--skip-detectors", action="store_true", help="only the pixel-mode run")
    parser.add_argument("--skip-pixel", action="store_true", help="only the detector loops")
    parser.add_argument("--profile", action="store_true", help="also cProfile a short pixel run")
    parser.add_argument("--profile-seconds", type=float, default=30.0, help="simulated s of the profiled run")
    parser.add_argument("--cv-threads", type=int, default=1, help="cv2.setNumThreads (1: one core)")
    parser.add_argument("--seed", type=int, help="seed (default: run.seed of the scenario)")
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario YAML file")
    return parser


def _detector_section(args, scenario, seed: int) -> list[str]:
    """Detector throughput on its clips; the verdict lines."""
    verdicts: list[str] = []
    geometry = ZoneGeometry(scenario)
    lamps = lamp_positions(scenario, geometry)
    cameras = {"swimming": args.swimming_camera, "fishing": args.fishing_camera}
    print(
        f"\nDetector throughput at {WIDTH} px wide, daylight, {scenario.run.weather}, wind "
        f"{scenario.run.wind_speed:g} m/s, JPEG q{scenario.render.jpeg_quality} as in pixel mode"
    )
    for name in args.detectors:
        goal = GOAL_RATIO.get(name)
        if name not in DETECTORS:
            print(
                f"\n{name}: NOT MEASURED: no detector {name!r} is registered "
                f"(valid: {', '.join(sorted(DETECTORS))})"
            )
            verdicts.append(
                f"  {name}: MOG2/detector ratio at least {'n/a' if goal is None else goal}: "
                "NOT MEASURED (not registered)"
            )
            continue
        if name not in cameras:
            print(f"\n{name}: NOT MEASURED: this benchmark has no clip for it (clips: swimming, fishing)")
            continue
        contention = Contention()
        scene = _build_scene(name, cameras[name], scenario, geometry, lamps, args.frames, seed)
        result = measure_detector(scene, args.repeat)
        print_detector(result, args.repeat, scenario.detection.threshold_for(Kind(name)))
        print(f"  {contention.line()}")
        per = result.per_frame_s(DETECTOR)
        ratio = result.ratio()
        verdicts.append(
            f"  {name}: MOG2/detector ratio at least {goal:g}: {'PASS' if ratio >= goal else 'MISS'} "
            f"({ratio:.3f} = {_ms(result.per_frame_s(MOG2))} / {_ms(per)} ms per frame; "
            f"{1.0 / per:,.0f} frames/s; after the warm-up {result.ratio(result.active):.3f})"
        )
        del result, scene
        gc.collect()
    return verdicts


def _pixel_section(args, scenario, seed: int) -> list[str]:
    """Pixel mode's simulated seconds per wall second and memory; the verdict lines."""
    verdicts: list[str] = []
    print(
        f"\nPixel mode: {args.scenario.name}, run.mode=pixel, run.start={PIXEL_START}, "
        f"run.duration={args.pixel_seconds:g} s, seed {seed}, {args.chunks} chunks"
    )
    if "fishing" not in DETECTORS:
        print("  NOT MEASURED: pixel mode needs a 'fishing' detector, none is registered")
        verdicts.append(f"  pixel mode at least {GOAL_SIM_SPEED:g} sim s per wall s: NOT MEASURED")
    else:
        print(f"  the run: {args.pixel_seconds:g} simulated s on {args.threads} thread(s)")
        run = run_pixel(
            args.scenario, args.pixel_seconds, args.seed, args.chunks, args.sample_interval, args.threads
        )
        speed, flat = print_pixel(run, args.scenario)
        against = ""
        if args.baseline_seconds > 0:  # after the run: its memory figures stay its own
            print(
                f"  baseline: {args.baseline_seconds:g} simulated s on one thread, {BASELINE_CHUNKS} chunks"
            )
            gc.collect()
            baseline = run_pixel(
                args.scenario, args.baseline_seconds, args.seed, BASELINE_CHUNKS, args.sample_interval, 1
            )
            print_baseline(baseline)
            ratio = run.steady_speed() / baseline.steady_speed()
            print(f"  steady state, {args.threads} thread(s) / one thread: {ratio:.2f}")
            against = f"; {ratio:.2f} x the one-thread baseline's {baseline.steady_speed():.3f}"
        tiled = [c.id for c in scenario.cameras if c.fishing_tile_beyond is not None]
        if args.tile_baseline_seconds > 0 and tiled:
            print(
                f"  tile baseline: {args.tile_baseline_seconds:g} simulated s on {args.threads} "
                f"thread(s) without the far-bank tiles of {', '.join(tiled)}, {BASELINE_CHUNKS} chunks"
            )
            gc.collect()
            plain = run_pixel(
                args.scenario,
                args.tile_baseline_seconds,
                args.seed,
                BASELINE_CHUNKS,
                args.sample_interval,
                args.threads,
                tiles=False,
            )
            print_baseline(plain)
            cost = plain.steady_speed() / run.steady_speed()
            print(f"  steady state, without tiles / with tiles: {cost:.3f} (the tiles' cost in wall time)")
        verdicts.append(
            f"  pixel mode at least {GOAL_SIM_SPEED:g} sim s per wall s: "
            f"{'PASS' if speed >= GOAL_SIM_SPEED else 'MISS'} ({speed:.3f} over {args.pixel_seconds:g} "
            f"simulated s on {args.threads} thread(s); steady state {run.steady_speed():.3f}{against}; "
            f"needs {GOAL_SIM_SPEED * sum(c.fps for c in scenario.cameras):g} frames per wall s)"
        )
        growth = "n/a" if flat is None else ("PASS" if flat else "MISS")
        verdicts.append(
            f"  RSS flat (at most +{FLAT_TOLERANCE:.0%} from the first chunk to the end) over "
            f"{args.pixel_seconds:g} simulated s: {growth} (peak {_mb(run.peak)})"
            + ("" if args.pixel_seconds >= 600 else "; the goal asks for a 10-minute run")
        )
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if min(args.repeat, args.frames, args.chunks, args.threads) < 1 or args.frames < 2:
        parser.error("--repeat, --chunks and --threads must be >= 1, --frames >= 2")
    if args.baseline_seconds < 0 or args.tile_baseline_seconds < 0:
        parser.error("--baseline-seconds and --tile-baseline-seconds must be >= 0")
    if not (args.pixel_seconds > 0 and args.profile_seconds > 0 and args.sample_interval > 0):
        parser.error("--pixel-seconds, --profile-seconds and --sample-interval must be > 0")
    cv2.setNumThreads(args.cv_threads)

    scenario = load_scenario(args.scenario)
    seed = scenario.run.seed if args.seed is None else args.seed
    print(
        f"Python {platform.python_version()}, OpenCV {cv2.__version__} "
        f"(cv2.setNumThreads({args.cv_threads}): {cv2.getNumThreads()} thread(s)), "
        f"numpy {np.__version__}, shapely {shapely.__version__}, "
        f"{platform.platform()}, {os.cpu_count()} CPUs"
    )
    blas = ", ".join(f"{v}={os.environ[v]}" for v in BLAS_THREAD_VARIABLES)
    print(f"BLAS {blas}; frames/s and sim s per wall s from the larger of wall and CPU time")
    print(f"registered detectors: {', '.join(sorted(DETECTORS))}; scenario {scenario.name}, seed {seed}")
    print(f"sources (sha256, first 12 hex digits): {source_digests()}")

    verdicts: list[str] = []
    if not args.skip_detectors:
        verdicts += _detector_section(args, scenario, seed)
    if not args.skip_pixel:
        verdicts += _pixel_section(args, scenario, seed)
    if verdicts:
        print("\nVerdict")
        print("\n".join(verdicts))
    if args.profile:
        profile_pixel(args.scenario, args.profile_seconds, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
