"""``run_sim.py dataset``: labelled frames for training detectors, in the YOLO layout or as one COCO JSON."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.cli.common import (
    EXIT_OK,
    Commands,
    add_overwrite_option,
    add_scenario_option,
    add_set_option,
    at_least,
    check_output_folder,
)
from sim.dataset.plan import FORMATS, SENSORS
from sim.loading import load_scenario

DEFAULT_FRAMES = 2400
"""Frames when ``--frames`` is not given: 100 per condition, light × weather × sensor (3 × 4 × 2)."""


def add_parser(commands: Commands) -> None:
    """Register ``dataset`` on the main parser's ``commands``."""
    dataset = commands.add_parser(
        "dataset", help="labelled frames for training detectors (YOLO layout or COCO JSON)"
    )
    add_scenario_option(dataset)
    dataset.add_argument("--out", type=Path, required=True, help="output folder (new or empty)")
    dataset.add_argument("--format", required=True, choices=FORMATS, help="label format")
    dataset.add_argument(
        "--frames", type=int, default=DEFAULT_FRAMES, help=f"number of frames (default: {DEFAULT_FRAMES})"
    )
    dataset.add_argument(
        "--sensor",
        action="append",
        choices=SENSORS,
        help="only this sensor (repeatable; default: every sensor, visible and thermal)",
    )
    dataset.add_argument("--seed", type=int, help="seed of the scenes (default: run.seed of the scenario)")
    add_set_option(dataset)
    add_overwrite_option(dataset)
    dataset.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Check the options, render and write the dataset, and say what it holds."""
    from sim.dataset.export import write_dataset

    frames = at_least("--frames", args.frames, 1)
    check_output_folder(args.out, args.overwrite)
    scenario = load_scenario(args.scenario, args.overrides)
    seed = scenario.run.seed if args.seed is None else at_least("--seed", args.seed, 0)
    sensors = tuple(dict.fromkeys(args.sensor)) if args.sensor else SENSORS
    start = time.perf_counter()
    summary = write_dataset(
        scenario, args.out, args.format, frames, sensors, seed, args.command_line, progress=True
    )
    seconds = time.perf_counter() - start
    print(
        f"{summary.images} images ({summary.train_images} train, {summary.val_images} val), "
        f"{summary.boxes} boxes, {args.format} labels, seed {seed}; "
        f"{seconds:.1f} s ({summary.images / seconds:.0f} frames/s)\n"
        f"written: {summary.out} (README.md is the dataset card)"
    )
    return EXIT_OK
