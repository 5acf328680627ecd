"""Labelled frames/s of ``run_sim.py dataset`` against rendering the same frames alone, in one process.

What it measures
----------------
1. The default scenario (``scenarios/xuchang_lake.yaml``) at its analysis width (640 px: 640x360 frames),
   ``--frames`` frames (default 2400, the command's default: one view of 100 frames per light, weather and
   sensor condition, on the seven cameras that see a no-go area), seed 0; ``--sensor`` as the command's
   (default both, visible and thermal).
2. **Baseline, render only.** Every frame of the dataset's plan through
   :func:`sim.dataset.scenes.render_frames`, as the export renders them (ground maps, backdrops, each
   clip's scene, the frame and the frame without actors that gives each box's SNR), consumed and
   dropped: nothing is encoded or written.
3. **Export.** :func:`sim.dataset.export.write_dataset` into a temporary folder, YOLO and then COCO: the
   same rendering, plus JPEG encoding, label files or the COCO JSON, ``truth.csv``, ``images.csv``, the card
   and the atomic rename.
4. **Setup.** The one-time part of the baseline, timed apart: per camera and sensor the renderer's ground
   map, per view its backdrop (``Renderer.look``).
5. **Codecs.** 24 frames of the first view encoded as the export does (JPEG quality 95, 4:4:4) and as PNG
   at OpenCV's level 1 (its fastest compressing level) and 3 (its default): ms per frame, kB per frame,
   and the JPEG's RMS difference to the rendered frame in grey levels.
6. Per loop: seconds, frames/s and, for the exports, the ratio (render-only time) / (export time): the
   share of the export that is rendering; then a verdict against the goal of at least 50 labelled
   640x360 frames/s on one core. Best of ``--repeat``, loops interleaved. The exit code is 0 whatever
   the verdict: this is a measurement, not a test.

"On one core": OpenCV is limited to one thread (``cv2.setNumThreads(1)``) and numpy's BLAS to one
(``benchmarks/common.py``); the rest is single-threaded Python. Rates use process CPU time, the cost on one
core: the machine this runs on is shared, and its load (printed) stretches wall time without changing the
work. Wall times are printed beside them.

How to run (from the repository root)
-------------------------------------
::

    python benchmarks/bench_dataset.py                 # 2400 frames, both sensors, best of 1
    python benchmarks/bench_dataset.py --frames 4800   # more views per condition
    python benchmarks/bench_dataset.py --frames 1200 --sensor thermal   # thermal frames alone
    python benchmarks/bench_dataset.py --repeat 3
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import REPO_ROOT  # first: one core, sim importable

# isort: split

import cv2
import numpy as np

from sim.dataset.export import JPEG_PARAMETERS, write_dataset
from sim.dataset.plan import SENSORS, plan_dataset
from sim.dataset.scenes import frame_conditions, render_frames
from sim.loading import load_scenario
from sim.pixel.pixel_camera import analysis_camera
from sim.render.actors import lamp_positions
from sim.render.renderer import Renderer
from sim.world.geometry import ZoneGeometry

DEFAULT_SCENARIO = REPO_ROOT / "scenarios" / "xuchang_lake.yaml"
GOAL_FPS = 50.0
"""Goal (issue 18): at least this many labelled 640x360 frames/s on one core."""
CODEC_FRAMES = 24


@dataclass(frozen=True)
class Timing:
    cpu_s: float
    wall_s: float


def timed(function) -> tuple[Timing, object]:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = function()
    return Timing(time.process_time() - cpu0, time.perf_counter() - wall0), result


def render_only(scenario, geometry, plan, seed) -> int:
    """Consume every frame of the plan; returns the frame count."""
    return sum(1 for _ in render_frames(scenario, geometry, plan, seed))


def setup_only(scenario, geometry, plan, seed) -> int:
    """Build each camera's ground map (per sensor) and each view's backdrop, as the render does; returns the
    views."""
    lamps = lamp_positions(scenario, geometry)
    specs = {c.id: c for c in scenario.cameras}
    for camera_id, sensor in dict.fromkeys((v.camera_id, v.sensor) for v in plan.views):
        spec = specs[camera_id].as_sensor(sensor)
        camera = analysis_camera(spec, scenario.detection.analysis_width)
        renderer = Renderer(camera, geometry, scenario.render.path_offset, lamps, seed=seed)
        for view in (v for v in plan.views if (v.camera_id, v.sensor) == (camera_id, sensor)):
            renderer.look(frame_conditions(view, spec, scenario))
    return len(plan.views)


def export(scenario, label_format: str, frames: int, sensors: tuple[str, ...], seed: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        return write_dataset(scenario, Path(folder) / "ds", label_format, frames, sensors, seed=seed).images


def codecs(scenario, geometry, plan, seed) -> list[tuple[str, float, float, float | None]]:
    """(codec, ms per frame, kB per frame, RMS difference in grey levels or None if lossless)."""
    images = []
    for rendered in render_frames(scenario, geometry, plan, seed):
        images.append(rendered.frame.image)
        if len(images) == CODEC_FRAMES:
            break
    rows = []
    for name, extension, parameters in (
        ("JPEG q95 4:4:4 (the export's)", ".jpg", JPEG_PARAMETERS),
        ("PNG level 1", ".png", [cv2.IMWRITE_PNG_COMPRESSION, 1]),
        ("PNG level 3 (OpenCV's default)", ".png", [cv2.IMWRITE_PNG_COMPRESSION, 3]),
    ):
        cpu0 = time.process_time()
        encoded = [cv2.imencode(extension, image, parameters)[1] for image in images]
        ms = (time.process_time() - cpu0) / len(images) * 1000
        kb = float(np.mean([e.size for e in encoded])) / 1000
        rms = None
        if extension == ".jpg":
            diffs = [
                cv2.imdecode(e, cv2.IMREAD_COLOR).astype(float) - i
                for e, i in zip(encoded, images, strict=True)
            ]
            rms = float(np.sqrt(np.mean([np.mean(d**2) for d in diffs])))
        rows.append((name, ms, kb, rms))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--frames", type=int, default=2400)
    parser.add_argument("--sensor", action="append", choices=SENSORS, help="repeatable; default: both")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    scenario = load_scenario(args.scenario)
    geometry = ZoneGeometry(scenario)
    sensors = tuple(dict.fromkeys(args.sensor)) if args.sensor else SENSORS
    plan = plan_dataset(scenario, geometry, args.frames, sensors)
    first = next(c for c in scenario.cameras if c.id == plan.views[0].camera_id)
    width, height = analysis_camera(first, scenario.detection.analysis_width).spec.resolution
    print(
        f"{args.frames} frames of {width}x{height} ({', '.join(sensors)}), {len(plan.views)} views, "
        f"{len(plan.clips)} clips; "
        f"Python {platform.python_version()}, OpenCV {cv2.__version__}, numpy {np.__version__}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    best: dict[str, Timing] = {}
    loops = {
        "render only (baseline)": lambda: render_only(scenario, geometry, plan, args.seed),
        "export, YOLO": lambda: export(scenario, "yolo", args.frames, sensors, args.seed),
        "export, COCO": lambda: export(scenario, "coco", args.frames, sensors, args.seed),
        "setup: ground maps and backdrops": lambda: setup_only(scenario, geometry, plan, args.seed),
    }
    for _ in range(args.repeat):
        for name, loop in loops.items():
            timing, _ = timed(loop)
            if name not in best or timing.cpu_s < best[name].cpu_s:
                best[name] = timing
    baseline = best["render only (baseline)"].cpu_s
    print(f"\n{'loop':34} {'CPU s':>7} {'wall s':>7} {'frames/s':>9} {'render / loop':>14}")
    for name, timing in best.items():
        rate = "" if name.startswith("setup") else f"{args.frames / timing.cpu_s:9.1f}"
        ratio = f"{baseline / timing.cpu_s:14.2f}" if name.startswith("export") else ""
        print(f"{name:34} {timing.cpu_s:7.2f} {timing.wall_s:7.2f} {rate:>9} {ratio}")
    setup = best["setup: ground maps and backdrops"].cpu_s
    per_frame = (baseline - setup) / args.frames * 1000
    writing = (best["export, YOLO"].cpu_s - baseline) / args.frames * 1000
    print(
        f"\nper frame: rendering {per_frame:.2f} ms (setup aside), "
        f"encoding and writing {writing:.2f} ms (YOLO)"
    )
    print(f"\n{'codec, 640x360 frames':34} {'ms/frame':>9} {'kB/frame':>9} {'RMS levels':>11}")
    for name, ms, kb, rms in codecs(scenario, geometry, plan, args.seed):
        print(f"{name:34} {ms:9.2f} {kb:9.1f} {'lossless' if rms is None else f'{rms:.2f}':>11}")
    rate = args.frames / best["export, YOLO"].cpu_s
    verdict = "PASS" if rate >= GOAL_FPS else "MISS"
    goal = f"at least {GOAL_FPS:g} labelled {width}x{height} frames/s on one core"
    print(f"\ngoal: {goal}: {verdict} ({rate:.1f} frames/s)")


if __name__ == "__main__":
    main()
