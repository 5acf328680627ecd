"""``run_sim.py render``: render one camera's view of a run, with the ground truth drawn or listed."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import (
    EXIT_OK,
    Commands,
    add_overwrite_option,
    add_scenario_option,
    add_seed_option,
    add_set_option,
    check_output_folder,
    offset_seconds,
    seed_override,
)
from sim.loading import load_scenario


def add_parser(commands: Commands) -> None:
    """Register ``render`` on the main parser's ``commands``."""
    render = commands.add_parser("render", help="render one camera's view with ground truth")
    add_scenario_option(render)
    render.add_argument("--camera", required=True, help="camera id")
    render.add_argument("--seconds", type=float, default=30.0, help="clip length, s")
    render.add_argument(
        "--start",
        help="clip start in the run: seconds or 30s, 15m, 6h "
        "(default: just before an offender first enters the view)",
    )
    add_seed_option(render)
    add_set_option(render)
    target = render.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="video (.webm for browsers, .mp4, .avi), truth drawn")
    target.add_argument("--frames", type=Path, help="folder for frame_000001.png, ..., truth.csv, frames.csv")
    add_overwrite_option(render)
    render.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Write the clip as a video (``--out``) or a folder of frames (``--frames``) and say what it holds."""
    from sim.engine import Simulation
    from sim.render.clips import Clip, check_frames_folder, check_video_path, write_frames, write_video

    overrides = [*args.overrides, *seed_override(args.seed)]
    start = None if args.start is None else offset_seconds("--start", args.start)
    if args.out is not None:
        check_output_folder(args.out, args.overwrite)
        check_video_path(args.out)  # before the (slower) scene is built
    else:
        check_frames_folder(args.frames)  # never a folder of the user's, even with --overwrite
        check_output_folder(args.frames, args.overwrite, "--frames")
    scenario = load_scenario(args.scenario, overrides)
    clip = Clip(Simulation(scenario), args.camera, args.seconds, start)
    summary = write_video(clip, args.out) if args.out is not None else write_frames(clip, args.frames)
    jpeg = (
        "" if summary.mean_jpeg_bytes is None else f", JPEG {summary.mean_jpeg_bytes / 1000:.0f} kB per frame"
    )
    print(clip.start_reason)
    print(
        f"{summary.camera_id}: {summary.frames} frames from t = {summary.start_s:.1f} s; "
        f"{summary.offender_boxes} offender and {summary.other_boxes} other truth boxes{jpeg}\n"
        f"written: {summary.output}"
    )
    return EXIT_OK
