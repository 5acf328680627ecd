"""``run_sim.py replay RUN_DIR [RUN_DIR_B]``: (re)build a run's ``replay.html``, or two runs side by side."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import EXIT_OK, Commands


def add_parser(commands: Commands) -> None:
    """Register ``replay`` on the main parser's ``commands``."""
    replay = commands.add_parser("replay", help="the run in the browser: write a self-contained replay.html")
    replay.add_argument(
        "run_dir", type=Path, metavar="RUN_DIR", help="run folder (also a sweep's runs/<id>/)"
    )
    replay.add_argument(
        "run_dir_b",
        type=Path,
        nargs="?",
        metavar="RUN_DIR_B",
        help="a second run of the same scenario and seed, shown side by side on one clock",
    )
    replay.add_argument("--out", type=Path, help="page to write (default: RUN_DIR/replay.html)")
    replay.add_argument(
        "--camera-frames",
        action="store_true",
        help="render each detected incident's camera frames from first sight to alarm (JPEG, truth boxes; "
        "a pixel-mode run is repeated up to its last alarm shown, for its detector's boxes and scores)",
    )
    replay.add_argument(
        "--camera",
        action="append",
        default=[],
        metavar="ID",
        help="only this camera's frames (repeatable; implies --camera-frames)",
    )
    replay.add_argument(
        "--max-frames", type=int, default=24, metavar="N", help="at most N frames per incident (default 24)"
    )
    replay.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Check every input, then build the page and write it atomically."""
    from sim.cli.common import at_least
    from sim.replay.run_folder import check_run_folder, read_run_folder
    from sim.results.replay_page.page import check_out, write_replay

    folders = [args.run_dir] + ([args.run_dir_b] if args.run_dir_b is not None else [])
    for folder in folders:
        check_run_folder(folder)
    out = args.out if args.out is not None else args.run_dir / "replay.html"
    check_out(out)
    at_least("--max-frames", args.max_frames, 1)
    results, tracks = zip(*(read_run_folder(folder) for folder in folders), strict=True)
    frames = None
    if args.camera_frames or args.camera:
        from sim.replay.frames import camera_frames
        from sim.replay.sightings import check_cameras

        for result in results:
            check_cameras(result.scenario, args.camera)
        frames = [camera_frames(result, args.camera, args.max_frames) for result in results]
    labels = [folder.resolve().name for folder in folders]
    write_replay(list(results), labels, out, frames, list(tracks))
    count = sum(len(f) for f in frames) if frames else 0
    print(f"replay: {out}" + (f"  ({count} camera frames)" if frames is not None else ""))
    return EXIT_OK
