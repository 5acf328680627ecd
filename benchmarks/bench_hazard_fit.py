"""One ``tune --pixel-runs`` candidate fitted and scored, with numpy's BLAS on every core against on one.

What it measures
----------------
A ``hazard`` candidate (``--model``, by default the installed swimming class's kind of candidate) fitted to
the stored fitting runs of the agreement tests' beach (tests/calibration/held_out_beach/fit: 24 runs, about
106,000 offender-frames) and scored on its held-out runs, as ``tune --pixel-runs`` does for each candidate
(:func:`sim.calibration.model_choice.fit_candidates`), in fresh processes:

1. **baseline**: ``calibrate_from_pixel_runs`` and the two log-likelihoods called directly, numpy's BLAS
   with as many threads as the machine has cores (OpenBLAS's default);
2. **one thread**: the same through ``model_choice._candidate``, which holds BLAS to one thread
   (threadpoolctl) around it;

each alone (one candidate at a time), then ``--at-once`` of them at the same time (the regeneration fits
candidates on a pool of two workers), best of ``--repeat``. Printed: wall and CPU seconds of each, and the
ratio baseline / one thread. The exit code is 0 whatever the figures: a measurement, not a test.

How to run (from the repository root)
-------------------------------------
::

    python benchmarks/bench_hazard_fit.py                       # best of 2
    python benchmarks/bench_hazard_fit.py --model hazard-smooth-3+crowd --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import common  # BLAS thread variables, sys.path

BLAS_ALL = "all"
"""The baseline's BLAS threads: the variables of common.py removed (OpenBLAS then uses every core)."""


def child(model: str, limited: bool) -> None:
    """Fit and score one candidate; print its wall and CPU seconds as JSON."""
    sys.path.insert(0, str(common.REPO_ROOT))  # the stored runs and their scene are the tests'
    from sim.calibration.agreement import calibrate_from_pixel_runs
    from sim.calibration.detection_models import candidate_log_likelihood
    from sim.calibration.model_choice import _candidate
    from sim.calibration.pixel_run_log import PixelRunLog
    from sim.scenario.models import Kind
    from tests.helpers.paths import HELD_OUT_BEACH
    from tests.helpers.pixel import agreement_beach

    scene = agreement_beach()
    fitting, held_out = (PixelRunLog.read(HELD_OUT_BEACH / part) for part in ("fit", "held_out"))
    wall, cpu = time.perf_counter(), time.process_time()
    if limited:
        _candidate(scene, fitting, held_out, "", (10.0,), model)
    else:
        fit = calibrate_from_pixel_runs(scene, fitting, "", (10.0,), model=model)
        for log in (fitting, held_out):
            frames = log.frames[log.frames["kind"] == Kind.SWIMMING]
            alarms = (log.credited, scene.detection.threshold_for(Kind.SWIMMING))
            candidate_log_likelihood(fit, Kind.SWIMMING, frames, alarms)
    print(json.dumps({"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}))


def measure(model: str, limited: bool, at_once: int) -> dict:
    """``at_once`` children started together: the slowest one's wall time, their mean CPU time."""
    env = dict(os.environ)
    if not limited:
        for variable in common.BLAS_THREAD_VARIABLES:
            env.pop(variable, None)
        env["OPENBLAS_NUM_THREADS"] = str(os.cpu_count())  # common.py's setdefault leaves it be
    command = [sys.executable, __file__, "--child", model, *(["--limited"] if limited else [])]
    started = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(at_once)]
    results = [json.loads(process.communicate()[0].strip().splitlines()[-1]) for process in started]
    return {
        "wall_s": max(r["wall_s"] for r in results),
        "cpu_s": sum(r["cpu_s"] for r in results) / len(results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="hazard-by-age-10-smooth-3+crowd+size-by-age")
    parser.add_argument("--repeat", type=int, default=2, help="best of this many (default 2)")
    parser.add_argument("--at-once", type=int, default=2, help="candidates fitted together (default 2)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--limited", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.limited)
        return
    print(f"candidate {args.model}, {os.cpu_count()} cores, best of {args.repeat}")
    for at_once in (1, args.at_once):
        figures = {}
        for limited, label in ((False, f"BLAS on {BLAS_ALL} cores"), (True, "BLAS on one thread")):
            runs = [measure(args.model, limited, at_once) for _ in range(args.repeat)]
            figures[limited] = min(runs, key=lambda r: r["wall_s"])
            best = figures[limited]
            print(
                f"  {at_once} at once, {label:<22} wall {best['wall_s']:7.1f} s  cpu {best['cpu_s']:7.1f} s"
            )
        ratio = figures[False]["wall_s"] / figures[True]["wall_s"]
        print(f"  {at_once} at once: baseline / one thread = {ratio:.2f} (wall)")


if __name__ == "__main__":
    main()
