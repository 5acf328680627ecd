"""Render the stored pixel-mode runs that tests/calibration/test_held_out_agreement.py fits and checks
statistical mode against: the agreement tests' beach (``tests.helpers.pixel.agreement_beach``: one camera at
5 frames/s and 320 px, the stroke cue, 150-s runs at 600 swimmers an hour, offenders ignoring warnings) on
24 fitting seeds and 24 held-out seeds, each set written as a pixel-run log
(:class:`sim.calibration.pixel_run_log.PixelRunLog`) to tests/calibration/held_out_beach/{fit,held_out}/.

Run from the repository root whenever the detectors or the renderer change what pixel mode sees (the test's
first check re-renders one seed of each set and says so):

    PYTHONPATH=. python scripts/held_out_beach.py --workers 2

About 230 CPU-s (48 runs of 4-5 CPU-s, 2026-12-06). The same code gives the same files, byte for byte.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.calibration.agreement import pixel_run_log
from tests.helpers.pixel import agreement_beach

FOLDER = Path("tests/calibration/held_out_beach")
SEEDS = {"fit": list(range(0, 24)), "held_out": list(range(100, 124))}
"""Fitting and held-out seeds: about 340 and 300 swimmers in view, disjoint sets."""
DURATION_S, RATE_PER_HOUR = 150.0, 600.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="processes for the pixel runs")
    parser.add_argument("--out", type=Path, default=FOLDER, help=f"folder to write (default {FOLDER})")
    args = parser.parse_args()
    scenario = agreement_beach(DURATION_S, RATE_PER_HOUR)
    for part, seeds in SEEDS.items():
        started = time.perf_counter()
        log = pixel_run_log(
            [scenario],
            seeds,
            progress=True,
            workers=args.workers,
            scene=f"tests.helpers.pixel.agreement_beach({DURATION_S:g}, {RATE_PER_HOUR:g})",
            command="PYTHONPATH=. python scripts/held_out_beach.py",
        )
        folder = log.write(args.out / part)
        swimmers = int((log.detections["kind"] == "swimming").sum())
        took = time.perf_counter() - started
        print(f"{folder}: {len(seeds)} runs, {swimmers} swimmers in view, {took:.0f} s")


if __name__ == "__main__":
    main()
