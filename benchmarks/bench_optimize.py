"""The optimizer's own time per trial against the bare run time, and trials per hour on 1 and 2 workers.

What it measures
----------------
The bundled study ``scenarios/optimize/layout.yaml`` with ``--seeds`` seeds and ``--duration``
simulated time per run:

1. **Overhead**, in one run: ``--trials`` trials through :func:`sim.experiments.optimizer.run_trials`
   with an in-process executor that times every simulation run (``run_metrics``) as it calls it. The
   optimizer's own time is the wall time of the whole loop less the summed run time: Optuna's sampler
   (TPE / NSGA-II) and journal storage, building and checking each trial's scenario, telling the
   results. Printed per trial and as a share of the bare run time of a trial (goal: at most 5 %).
2. **Throughput**: the same number of trials on a process pool of 1 and of 2 workers (spawned
   processes, started and stopped inside the timing, as a user pays them): trials per hour.

The 1-minute load average is printed before and after: other programs on a 2-core machine make the
throughput figures indicative only.

How to run (from the repository root)
-------------------------------------
::

    python benchmarks/bench_optimize.py                       # 24 trials x 4 seeds x 6 h
    python benchmarks/bench_optimize.py --trials 8 --seeds 2  # a quick check
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import common

from sim.experiments import objectives
from sim.experiments.executors import ProcessPool
from sim.experiments.optimizer import open_study, plan_study, run_trials

STUDY = common.REPO_ROOT / "scenarios" / "optimize" / "layout.yaml"


class TimedInline:
    """Runs tasks in this process and sums the time spent inside them, s."""

    name = "in-process"

    def __init__(self):
        self.run_time = 0.0
        self.runs = 0

    def __enter__(self):
        return self

    def __exit__(self, *error):
        return None

    def results(self, task, items):
        for item in list(items):
            start = time.perf_counter()
            outcome = task(item)
            self.run_time += time.perf_counter() - start
            self.runs += 1
            yield item, outcome


def timed_study(plan, executor, trials: int) -> float:
    """Wall time of ``trials`` trials of ``plan`` into a fresh folder, s."""
    with tempfile.TemporaryDirectory(prefix="bench-optimize.") as folder:
        study = open_study(plan, Path(folder) / "out", resume=False)
        start = time.perf_counter()
        run_trials(plan, study, executor, trials)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--duration", type=float, default=6 * 3600.0, help="simulated time per run, s")
    args = parser.parse_args()
    print(f"load average (1 min) before: {os.getloadavg()[0]:.2f}")
    plan = plan_study(STUDY, args.seeds, args.duration, {})
    objectives.run_metrics((plan.given, 0))  # warm caches (imports, calibration) outside the timing

    inline = TimedInline()
    wall = timed_study(plan, inline, args.trials)
    own = wall - inline.run_time
    per_trial_runs = inline.run_time / args.trials
    print(
        f"{args.trials} trials x {args.seeds} seeds x {args.duration / 3600:g} h in one process: "
        f"wall {wall:.2f} s, runs {inline.run_time:.2f} s ({inline.runs} runs)"
    )
    print(
        f"optimizer's own time: {own / args.trials * 1000:.1f} ms per trial = "
        f"{100 * own / inline.run_time:.2f} % of the bare run time of a trial ({per_trial_runs:.3f} s)"
    )
    for workers in (1, 2):
        wall = timed_study(plan, ProcessPool(workers), args.trials)
        print(
            f"process pool, {workers} worker(s): {wall:.1f} s for {args.trials} trials = "
            f"{3600 * args.trials / wall:.0f} trials per hour"
        )
    print(f"load average (1 min) after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
