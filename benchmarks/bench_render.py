"""Frames per second of the renderer against one bare ``cv2.warpPerspective``, and a thermal camera's
frames against a visible camera's, in one process.

What it measures
----------------
1. The default scenario (``scenarios/xuchang_lake.yaml``), camera
   ``cam-beach-w`` (``--camera``), its resolution overridden to 640x360 and
   1280x720. Per size, a :class:`~sim.render.renderer.Renderer` is built as
   ``sim/render/clips.py`` builds it (shore-path lamps, scenario path offset, seed).
   Its one-time setup is timed separately and is not part of the per-frame
   cost: ``Renderer(...)``, the ground map (every pixel traced to the ground)
   and the daylight look (background, wave, noise tiles).
2. Five actors in the camera's view, 30-120 m from the lens, all on water:
   two swimmers (0.8 m/s), a duck (0.15 m/s), floating debris (0.05 m/s) and
   a leisure boat with its rider and wake (1.2 m/s). Ground points come from
   back-projecting pixels (``CameraModel.image_to_ground``); every position
   of the clip is checked to lie on ``ZoneGeometry.water``, in range and in
   the image. Positions move along each heading and the animation phase
   (stroke, bobbing) changes every frame. The actor lists are built before
   the timing: the renderer is measured, not the scene bookkeeping.
3. ``--frames`` frames (default 300) at t = 0, 1/15, 2/15, ... s in daylight,
   ``Conditions(Light.DAY)`` (raw frame) and
   ``Conditions(Light.DAY, jpeg_quality=85)`` (JPEG encode and decode
   included); one untimed warm-up frame each. Best of ``--repeat`` loops.
   A third loop renders the raw frames with no actors: the difference to the
   raw loop is what the five actors cost, the difference between the JPEG
   and raw loops what the codec costs.
4. The floor: ``cv2.warpPerspective(texture, M, (w, h))``, as often as frames
   are rendered, best of ``--repeat``. ``texture`` is a rendered frame of the
   same size (3-channel uint8) read as a ground orthophoto covering the
   bounding box of the camera's footprint, and ``M`` is the camera's ground
   homography after that texture-to-ground scaling: warping a ground texture
   into the view is the least per-frame work of a perspective-correct
   renderer that does not precompute the per-pixel ground map. Default
   bilinear interpolation, constant border. The share of output pixels that
   sample inside the texture is printed (pixels falling outside are a little
   cheaper).
5. Thermal cameras: the same camera with ``sensor: thermal`` renders the same
   frames, raw, by day and at night (``Conditions(Light.NIGHT)``; the visible
   camera renders the night frames too), and the ratio (time per thermal
   frame) / (time per visible frame) is printed per light and size: the goal is
   at most 1.2. The thermal camera's one-time setup (ground map and the
   thermal look: radiometry of every pixel, gain, wave and noise tiles) is
   timed apart.
6. Per size and mode: ms per frame, frames/s, and the ratio
   (time per bare warp) / (time per rendered frame); then a verdict against
   three goals: at least 150 frames/s at 640x360 on one core, a ratio of at
   least 0.4 (checked with and without JPEG, at both sizes), and a thermal
   frame at most 1.2 times a visible one. The loops of each repeat are
   interleaved (raw, JPEG, no actors, warp, thermal, visible night, thermal
   night), so the figures share the machine's state. The exit code is 0
   whatever the verdict: this is a measurement, not a test.

"On one core": OpenCV is limited to one thread (``cv2.setNumThreads(1)``)
for every measurement, warps included, and numpy's BLAS to one thread
(``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` default
to 1 before numpy is imported: otherwise OpenBLAS workers woken by the large
matrix products of the one-time setup keep spinning into the first timed
loop and double its CPU time). The rest is single-threaded Python and numpy.
Frames/s use the larger of wall time and process CPU time, so a loop that
borrowed a second core is not credited for it.

How to run (from the repository root)
-------------------------------------
::

    python benchmarks/bench_render.py                   # 300 frames, best of 3
    python benchmarks/bench_render.py --repeat 5 --frames 600
    python benchmarks/bench_render.py --camera cam-beach-e
    python benchmarks/bench_render.py --profile         # + cProfile of 640x360, top 20

How to read the ratio
---------------------
A ratio of 1 means a rendered frame costs one bare warp of the same size; 0.4
means a frame costs 2.5 warps. The renderer never warps per frame: its own
pixel work (the "no actors" row: copy the prepared background, add and
subtract wave and noise tiles) costs a fraction of one warp, so the ratio is
set by what comes on top: per-actor Python (keypoints projected one
primitive at a time, cv2 drawing calls, box bookkeeping, shading), a roughly
fixed cost per actor whatever the frame size, and, with JPEG, the encode and
decode, which grow with the pixels and cost as much as or more than the
rendering itself. Small frames therefore have the lower ratio. ``--profile``
shows where the time per frame goes (cumulative µs per frame, inflated by the
profiler's own overhead for the Python parts).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import math
import os
import platform
import pstats
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from common import BLAS_THREAD_VARIABLES, REPO_ROOT, print_profile_rows  # first: one core, sim importable

# isort: split

import cv2
import numpy as np
import shapely

from sim.loading import load_scenario
from sim.render.actors import Actor, ActorClass, lamp_positions
from sim.render.conditions import Conditions
from sim.render.renderer import Renderer
from sim.scenario.models import Camera, Light, Scenario, SensorType
from sim.world.cameras import CameraModel
from sim.world.geometry import ZoneGeometry

DEFAULT_SCENARIO = REPO_ROOT / "scenarios" / "xuchang_lake.yaml"
DEFAULT_CAMERA = "cam-beach-w"
SIZES = ((640, 360), (1280, 720))
FRAME_DT = 1.0 / 15.0
"""Time step between frames, s (the cameras' 15 frames/s)."""
JPEG_QUALITY = 85
RANGE_M = (30.0, 120.0)
"""Actors stand this far (slant distance) from the lens, m."""
GOAL_FPS = 150.0
"""Goal: at least this many frames/s at 640x360 on one core."""
GOAL_SIZE = (640, 360)
GOAL_RATIO = 0.4
"""Goal: (time per bare warp) / (time per rendered frame) at least this."""
GOAL_THERMAL = 1.2
"""Goal: (time per thermal frame) / (time per visible frame) of the same size and light at most this."""
PROFILE_TOP = 20


# ---------------------------------------------------------------- scene


@dataclass(frozen=True)
class ActorPlan:
    """One benchmark actor: where it should be (preferred range and image column) and how it moves."""

    id: str
    cls: ActorClass
    distance_m: float
    """Preferred slant distance, m (the nearest valid candidate is taken)."""
    column: float
    """Preferred image column, fraction of the width."""
    speed: float
    """m/s"""
    cycle_s: float
    """Animation period (stroke, bobbing), s."""
    variant: int


PLANS = (
    ActorPlan("swimmer-1", ActorClass.SWIMMER, 70.0, 0.25, 0.8, 1.4, 3),
    ActorPlan("swimmer-2", ActorClass.SWIMMER, 100.0, 0.50, 0.8, 1.4, 8),
    ActorPlan("duck", ActorClass.BIRD, 45.0, 0.12, 0.15, 1.5, 1),
    ActorPlan("debris", ActorClass.DEBRIS, 55.0, 0.38, 0.05, 4.0, 2),
    ActorPlan("boat", ActorClass.BOAT, 95.0, 0.62, 1.2, 2.0, 4),
)
MIN_SEPARATION_M = 8.0
SHORE_MARGIN_M = 1.5


@dataclass(frozen=True)
class Placed:
    plan: ActorPlan
    x: float
    y: float
    heading: float
    """rad, compass"""

    def at(self, t: float) -> Actor:
        step = self.plan.speed * t
        phase = (t / self.plan.cycle_s + self.plan.variant / 10.0) % 1.0
        return Actor(
            self.plan.id,
            self.plan.cls,
            self.x + step * math.sin(self.heading),
            self.y + step * math.cos(self.heading),
            self.heading,
            self.plan.speed,
            phase,
            self.plan.variant,
        )


def place_actors(camera: CameraModel, geometry: ZoneGeometry, times: np.ndarray) -> list[Placed]:
    """Five actors whose whole track over ``times`` is on water, 30-120 m away and inside the image.

    Candidates are pixels on a grid below the horizon, back-projected to the
    ground; each actor takes the valid candidate nearest its preferred range
    and column, moving across the view (heading the camera's yaw ± 90°).
    """
    width, height = camera.spec.resolution
    top = max(0.0, camera.horizon_row) + 0.02 * height
    us = np.linspace(0.04, 0.96, 47) * width
    vs = np.linspace(top, 0.98 * height, 60)
    grid = np.array([(u, v) for v in vs for u in us])
    ground = camera.image_to_ground(grid)
    yaw = math.radians(camera.spec.yaw)
    # 1.5 m from the shore, so that the whole sprite (boat, wake) sits on water.
    water = geometry.water.buffer(-SHORE_MARGIN_M)
    shapely.prepare(water)
    distance = camera.distance(ground)
    placed: list[Placed] = []
    for plan in PLANS:
        score = np.abs(distance - plan.distance_m) / 10.0 + np.abs(grid[:, 0] / width - plan.column) * 4.0
        chosen = None
        for index in np.argsort(score, kind="stable"):  # the best-scoring candidate that fits
            x, y = ground[index]
            for heading in (yaw - math.pi / 2, yaw + math.pi / 2):
                candidate = Placed(plan, float(x), float(y), heading % (2 * math.pi))
                if _track_ok(candidate, camera, water, times, placed):
                    chosen = candidate
                    break
            if chosen is not None:
                break
        if chosen is None:
            raise SystemExit(
                f"{camera.spec.id}: no place for {plan.id} on water at {RANGE_M[0]:g}-{RANGE_M[1]:g} m "
                "inside the view; choose another --camera"
            )
        placed.append(chosen)
    return placed


def _track_ok(candidate: Placed, camera: CameraModel, water, times: np.ndarray, others: list[Placed]) -> bool:
    steps = candidate.plan.speed * times
    xy = np.column_stack(
        [candidate.x + steps * math.sin(candidate.heading), candidate.y + steps * math.cos(candidate.heading)]
    )
    distance = camera.distance(xy)
    if distance.min() < RANGE_M[0] or distance.max() > RANGE_M[1]:
        return False
    if not shapely.contains_xy(water, xy[:, 0], xy[:, 1]).all():
        return False
    uv = camera.ground_to_image(xy)
    width, height = camera.spec.resolution
    margin = 0.03
    if not ((uv[:, 0] > margin * width) & (uv[:, 0] < (1 - margin) * width)).all():
        return False
    if not ((uv[:, 1] > camera.horizon_row + margin * height) & (uv[:, 1] < (1 - margin) * height)).all():
        return False
    for other in others:
        other_steps = other.plan.speed * times
        ox = other.x + other_steps * math.sin(other.heading)
        oy = other.y + other_steps * math.cos(other.heading)
        if np.hypot(xy[:, 0] - ox, xy[:, 1] - oy).min() < MIN_SEPARATION_M:
            return False
    return True


# ---------------------------------------------------------------- renderer


@dataclass(frozen=True)
class Setup:
    """One-time cost of a renderer, s."""

    renderer_s: float
    ground_s: float
    look_s: float

    @property
    def total_s(self) -> float:
        return self.renderer_s + self.ground_s + self.look_s


def build_renderer(
    camera: CameraModel, scenario: Scenario, geometry: ZoneGeometry, lamps: np.ndarray, seed: int
) -> tuple[Renderer, Setup]:
    """A renderer as ``sim/render/clips.py`` builds it, with its ground map and daylight look ready (the
    night look too, untimed)."""
    gc.collect()
    t0 = time.perf_counter()
    renderer = Renderer(camera, geometry, scenario.render.path_offset, lamps, seed=seed)
    t1 = time.perf_counter()
    _ = renderer.ground
    t2 = time.perf_counter()
    renderer.look(Conditions(Light.DAY))
    t3 = time.perf_counter()
    renderer.look(Conditions(Light.NIGHT))
    return renderer, Setup(t1 - t0, t2 - t1, t3 - t2)


@dataclass(frozen=True)
class Loop:
    """One timed loop; times in s."""

    wall_s: float
    cpu_s: float
    count: int
    boxes: int = 0
    """Ground-truth boxes over all frames."""
    jpeg_bytes: int = 0

    @property
    def one_core_s(self) -> float:
        return max(self.wall_s, self.cpu_s)

    @property
    def per_item_s(self) -> float:
        return self.one_core_s / self.count

    @property
    def rate(self) -> float:
        return self.count / self.one_core_s if self.one_core_s > 0 else float("inf")


def time_render(
    renderer: Renderer, scene: list[list[Actor]], times: np.ndarray, conditions: Conditions
) -> Loop:
    gc.collect()
    boxes = jpeg = 0
    render = renderer.render
    cpu0, t0 = time.process_time(), time.perf_counter()
    for number, (t, actors) in enumerate(zip(times, scene, strict=True)):
        frame = render(float(t), actors, conditions, number)
        boxes += len(frame.truth)
        jpeg += frame.encoded_bytes or 0
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return Loop(wall, cpu, len(times), boxes, jpeg)


def time_warp(texture: np.ndarray, matrix: np.ndarray, size: tuple[int, int], count: int) -> Loop:
    gc.collect()
    cpu0, t0 = time.process_time(), time.perf_counter()
    for _ in range(count):
        cv2.warpPerspective(texture, matrix, size)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return Loop(wall, cpu, count)


def floor_matrix(camera: CameraModel, texture_shape: tuple[int, int]) -> tuple[np.ndarray, float]:
    """(M, share of output pixels sampling inside the texture) for the warp floor.

    The texture is read as an orthophoto of the footprint's bounding box; M
    maps texture pixels to ground metres and then, by the camera's ground
    homography, to image pixels.
    """
    height, width = texture_shape
    x0, y0, x1, y1 = camera.footprint.bounds
    to_ground = np.array([[(x1 - x0) / width, 0.0, x0], [0.0, (y1 - y0) / height, y0], [0.0, 0.0, 1.0]])
    matrix = camera.homography @ to_ground
    matrix /= matrix[2, 2]
    v, u = np.mgrid[0:height, 0:width].astype(np.float64)
    source = np.column_stack([u.ravel(), v.ravel(), np.ones(u.size)]) @ np.linalg.inv(matrix).T
    sx, sy = source[:, 0] / source[:, 2], source[:, 1] / source[:, 2]
    inside = (sx >= 0) & (sx <= width - 1) & (sy >= 0) & (sy <= height - 1)
    return matrix, float(inside.mean())


# ---------------------------------------------------------------- profile


def profile_render(
    renderer: Renderer, scene: list[list[Actor]], times: np.ndarray, top: int = PROFILE_TOP
) -> None:
    """cProfile the raw and the JPEG loops at one size; print ``top`` functions by cumulative time."""
    conditions = (Conditions(Light.DAY), Conditions(Light.DAY, jpeg_quality=JPEG_QUALITY))
    width, height = renderer.camera.spec.resolution
    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    for condition in conditions:
        for number, (t, actors) in enumerate(zip(times, scene, strict=True)):
            renderer.render(float(t), actors, condition, number)
    profiler.disable()
    frames = len(conditions) * len(times)
    stats = pstats.Stats(profiler).sort_stats(pstats.SortKey.CUMULATIVE)
    print(
        f"\ncProfile at {width}x{height}: {len(times)} raw + {len(times)} JPEG frames "
        f"({stats.total_tt:.3f} s under the profiler; top {top} by cumulative time; "
        f"µs/frame = cumulative time / {frames} frames, so JPEG rows are halved)"
    )
    print_profile_rows(stats, top, frames, "frame")


# ---------------------------------------------------------------- report


RAW, JPEG, EMPTY, WARP = "raw", "jpeg", "empty", "warp"
THERMAL, NIGHT, THERMAL_NIGHT = "thermal", "night", "thermal_night"
ROW_LABELS = {
    RAW: "render, raw frame",
    JPEG: f"render + JPEG q{JPEG_QUALITY}",
    EMPTY: "render, raw, no actors",
    WARP: "bare warpPerspective",
    THERMAL: "thermal, raw frame",
    NIGHT: "night, raw frame",
    THERMAL_NIGHT: "thermal night, raw",
}
THERMAL_PAIRS = ((THERMAL, RAW, "day"), (THERMAL_NIGHT, NIGHT, "night"))
"""(thermal loop, visible loop of the same light, light)."""


@dataclass(frozen=True)
class SizeResult:
    size: tuple[int, int]
    setup: Setup
    thermal_setup: Setup
    loops: dict[str, list[Loop]]
    """Every repeat of each measurement (RAW, JPEG, EMPTY, WARP, THERMAL, NIGHT, THERMAL_NIGHT)."""
    coverage: float
    """Share of the warp's output pixels that sample inside its texture."""

    def best(self, key: str) -> Loop:
        return min(self.loops[key], key=lambda loop: loop.one_core_s)

    def ratio(self, key: str) -> float:
        """(time per bare warp) / (time per frame of ``key``)."""
        return self.best(WARP).per_item_s / self.best(key).per_item_s

    def thermal_ratio(self, thermal: str, visible: str) -> float:
        """(time per thermal frame) / (time per visible frame of the same light)."""
        return self.best(thermal).per_item_s / self.best(visible).per_item_s


def measure_size(
    spec: Camera,
    size: tuple[int, int],
    scenario: Scenario,
    geometry: ZoneGeometry,
    lamps: np.ndarray,
    seed: int,
    placed: list[Placed],
    times: np.ndarray,
    repeat: int,
) -> tuple[SizeResult, Renderer, list[list[Actor]]]:
    camera = CameraModel(spec.model_copy(update={"resolution": size}))
    renderer, setup = build_renderer(camera, scenario, geometry, lamps, seed)
    thermal_camera = CameraModel(spec.model_copy(update={"resolution": size, "sensor": SensorType.THERMAL}))
    thermal, thermal_setup = build_renderer(thermal_camera, scenario, geometry, lamps, seed)
    scene = [[p.at(float(t)) for p in placed] for t in times]
    nobody: list[list[Actor]] = [[] for _ in times]
    raw_conditions = Conditions(Light.DAY)
    jpeg_conditions = Conditions(Light.DAY, jpeg_quality=JPEG_QUALITY)
    night = Conditions(Light.NIGHT)
    texture = renderer.render(0.0, scene[0], raw_conditions, 0).image  # warm-up, and the warp's texture
    renderer.render(0.0, scene[0], jpeg_conditions, 0)
    for warm_up in ((renderer, night), (thermal, raw_conditions), (thermal, night)):
        warm_up[0].render(0.0, scene[0], warm_up[1], 0)
    matrix, coverage = floor_matrix(camera, texture.shape[:2])
    cv2.warpPerspective(texture, matrix, size)  # warm-up
    loops: dict[str, list[Loop]] = {key: [] for key in ROW_LABELS}
    for _ in range(repeat):  # interleaved: the loops of a repeat share the machine's state
        loops[RAW].append(time_render(renderer, scene, times, raw_conditions))
        loops[JPEG].append(time_render(renderer, scene, times, jpeg_conditions))
        loops[EMPTY].append(time_render(renderer, nobody, times, raw_conditions))
        loops[WARP].append(time_warp(texture, matrix, size, len(times)))
        loops[THERMAL].append(time_render(thermal, scene, times, raw_conditions))
        loops[NIGHT].append(time_render(renderer, scene, times, night))
        loops[THERMAL_NIGHT].append(time_render(thermal, scene, times, night))
    return SizeResult(size, setup, thermal_setup, loops, coverage), renderer, scene


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Renderer frames/s vs one bare cv2.warpPerspective (see the module docstring)."
    )
    parser.add_argument("--frames", type=int, default=300, help="frames per timed loop (t steps of 1/15 s)")
    parser.add_argument("--repeat", type=int, default=3, help="loops of each measurement; the best counts")
    parser.add_argument("--camera", default=DEFAULT_CAMERA, help="camera id in the scenario")
    parser.add_argument("--seed", type=int, help="renderer seed (default: run.seed of the scenario)")
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario YAML file")
    parser.add_argument("--profile", action="store_true", help="also cProfile the 640x360 rendering")
    return parser


def _walls(seconds: list[float]) -> str:
    return ", ".join(f"{s * 1e3:.0f}" for s in seconds)


def _print_size(result: SizeResult, frames: int, repeat: int) -> None:
    width, height = result.size
    s = result.setup
    print(f"\n{width}x{height}: {frames} frames per loop, best of {repeat}")
    print(
        f"  one-time setup {s.total_s * 1e3:,.0f} ms, not per frame: Renderer() {s.renderer_s * 1e3:.1f} ms, "
        f"ground map {s.ground_s * 1e3:,.0f} ms, daylight look {s.look_s * 1e3:,.0f} ms"
    )
    t = result.thermal_setup
    print(
        f"  thermal camera setup {t.total_s * 1e3:,.0f} ms: ground map {t.ground_s * 1e3:,.0f} ms, "
        f"thermal day look {t.look_s * 1e3:,.0f} ms"
    )
    print(f"  {'':<26}{'ms/frame':>9}{'frames/s':>10}{'warp/frame':>12}   loop wall ms per repeat (median)")
    for key in (RAW, JPEG, WARP, EMPTY, THERMAL, NIGHT, THERMAL_NIGHT):
        loop = result.best(key)
        walls = [r.wall_s for r in result.loops[key]]
        ratio = f"{result.ratio(key):.3f}" if key != WARP else "-"
        print(
            f"  {ROW_LABELS[key]:<26}{loop.per_item_s * 1e3:>9.3f}{loop.rate:>10,.0f}{ratio:>12}   "
            f"{_walls(walls)} ({statistics.median(walls) * 1e3:.0f})"
        )
    for thermal, visible, light in THERMAL_PAIRS:
        print(
            f"  thermal / visible frame, {light}: {result.thermal_ratio(thermal, visible):.3f} "
            f"({result.best(thermal).per_item_s * 1e3:.3f} / {result.best(visible).per_item_s * 1e3:.3f} ms)"
        )
    raw, jpeg = result.best(RAW), result.best(JPEG)
    actors_ms = (raw.per_item_s - result.best(EMPTY).per_item_s) * 1e3
    print(
        f"  5 actors cost {actors_ms:.3f} ms per frame (raw - no actors); JPEG encode + decode "
        f"{(jpeg.per_item_s - raw.per_item_s) * 1e3:.3f} ms (JPEG - raw)"
    )
    print(
        f"  truth boxes per frame {raw.boxes / raw.count:.2f}; "
        f"mean JPEG {jpeg.jpeg_bytes / jpeg.count / 1e3:.1f} kB; "
        f"warp samples inside its texture for {result.coverage:.0%} of the output pixels"
    )
    if raw.boxes < len(PLANS) * raw.count:
        print(f"  WARNING: fewer than {len(PLANS)} actors visible in some frames (island, edge)")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if min(args.repeat, args.frames) < 1:
        parser.error("--repeat and --frames must be >= 1")
    cv2.setNumThreads(1)

    t0 = time.perf_counter()
    scenario = load_scenario(args.scenario)
    geometry = ZoneGeometry(scenario)
    lamps = lamp_positions(scenario, geometry)
    load_s = time.perf_counter() - t0
    cameras = {c.id: c for c in scenario.cameras}
    if args.camera not in cameras:
        parser.error(f"--camera: no camera {args.camera!r} (cameras: {', '.join(cameras)})")
    spec = cameras[args.camera]
    seed = scenario.run.seed if args.seed is None else args.seed
    times = np.arange(args.frames) * FRAME_DT
    placed = place_actors(CameraModel(spec.model_copy(update={"resolution": GOAL_SIZE})), geometry, times)

    print(
        f"Python {platform.python_version()}, OpenCV {cv2.__version__} "
        f"(cv2.setNumThreads(1): {cv2.getNumThreads()} thread), numpy {np.__version__}, {platform.platform()}"
    )
    blas = ", ".join(f"{v}={os.environ[v]}" for v in BLAS_THREAD_VARIABLES)
    print(f"one core: OpenCV 1 thread; BLAS {blas}; frames/s from the larger of wall and CPU time")
    print(
        f"scenario {scenario.name} ({args.scenario.name}), camera {spec.id}, seed {seed}, daylight, "
        f"clear, wind {Conditions(Light.DAY).wind_speed:g} m/s"
    )
    print(f"  load scenario, zone geometry, lamps once, not timed below: {load_s * 1e3:.0f} ms")
    reference = CameraModel(spec.model_copy(update={"resolution": GOAL_SIZE}))
    print(f"  actors over {times[-1]:.1f} s (all on water, {RANGE_M[0]:g}-{RANGE_M[1]:g} m from the lens):")
    for p in placed:
        first, last = p.at(0.0), p.at(float(times[-1]))
        d0, d1 = reference.distance([[first.x, first.y], [last.x, last.y]])
        print(
            f"    {p.plan.id:<10} {p.plan.cls:<8} ({first.x:6.1f}, {first.y:6.1f}) m, "
            f"{p.plan.speed:.2f} m/s heading {math.degrees(p.heading):5.1f}°, {d0:5.1f} → {d1:5.1f} m"
        )

    results: dict[tuple[int, int], SizeResult] = {}
    goal_renderer = goal_scene = None
    for size in SIZES:
        result, renderer, scene = measure_size(
            spec, size, scenario, geometry, lamps, seed, placed, times, args.repeat
        )
        results[size] = result
        _print_size(result, args.frames, args.repeat)
        if size == GOAL_SIZE:
            goal_renderer, goal_scene = renderer, scene

    goal = results[GOAL_SIZE]
    print("\nVerdict (frames/s on one core: larger of wall and CPU time)")
    for key, label in ((RAW, "raw frame"), (JPEG, f"JPEG q{JPEG_QUALITY}")):
        loop = goal.best(key)
        verdict = "PASS" if loop.rate >= GOAL_FPS else "MISS"
        print(
            f"  {GOAL_SIZE[0]}x{GOAL_SIZE[1]} at least {GOAL_FPS:g} frames/s, {label}: "
            f"{verdict} ({loop.rate:,.0f} frames/s, {loop.per_item_s * 1e3:.2f} ms per frame)"
        )
    for (width, height), result in results.items():
        for key, label in ((RAW, "raw frame"), (JPEG, f"JPEG q{JPEG_QUALITY}")):
            ratio = result.ratio(key)
            print(
                f"  {width}x{height} warp/frame ratio at least {GOAL_RATIO:g}, {label}: "
                f"{'PASS' if ratio >= GOAL_RATIO else 'MISS'} ({ratio:.3f} = "
                f"{result.best(WARP).per_item_s * 1e3:.3f} / {result.best(key).per_item_s * 1e3:.3f} ms)"
            )

    for (width, height), result in results.items():
        for thermal, visible, light in THERMAL_PAIRS:
            ratio = result.thermal_ratio(thermal, visible)
            ms = [result.best(key).per_item_s * 1e3 for key in (thermal, visible)]
            print(
                f"  {width}x{height} thermal / visible frame at most {GOAL_THERMAL:g}, {light}: "
                f"{'PASS' if ratio <= GOAL_THERMAL else 'MISS'} ({ratio:.3f} = {ms[0]:.3f} / {ms[1]:.3f} ms)"
            )

    if args.profile and goal_renderer is not None and goal_scene is not None:
        profile_render(goal_renderer, goal_scene, times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
