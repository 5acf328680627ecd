"""Dispatch under overload: a 6-h default run flooded with false alarms, against the same run at normal load.

What it measures
----------------
1. **Overloaded.** The default scenario (``scenarios/xuchang_lake.yaml``) for
   ``--duration`` (6 h) with ``detection.calibration=calibration/tuned_2026-11-26.json``:
   its false-alarm rate, pooled over light and weather, sends each of the 8 cameras
   about 25 swimming false alarms an hour at τ 0.5, far more than 3 boats can serve.
   ``Simulation(scenario, seed).run()`` is timed, best of ``--repeat``.
2. **Baseline, the same process.** The same scenario and seed with the bundled
   default calibration (normal load), timed the same way.
3. **The old wake-up, for reference** (``--old``): the same overloaded run with the
   dispatcher's charge wake-up as it was before the fix (a wait shorter than the
   clock's resolution woke at the same instant again; reproduced by taking away
   the fix's one-clock-step wait, :class:`WithoutNextStep`). The run is stopped once
   ``--stuck-events`` events in a row happen at one simulated instant, and the
   instant is printed: it never finishes by itself.

Printed: wall time, simulated s per wall s, events, cases, missions and queue
length at the end for 1 and 2, the ratio of their wall times, and the load
(``os.getloadavg``) next to each, since the machine may be shared. Exit code 0:
a measurement, not a test.

Run from the repository root: ``python benchmarks/bench_dispatch.py [--old]``.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import common  # noqa: F401  (BLAS threads, sys.path)

import sim.fleet.dispatch as dispatch_module
from sim.engine import Simulation
from sim.loading import load_scenario

TUNED = "detection.calibration=calibration/tuned_2026-11-26.json"


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def timed(overrides: list[str], seed: int, repeat: int) -> tuple[float, Simulation, int]:
    """Best wall time of ``repeat`` runs, s, with the last simulation and its event count."""
    scenario = load_scenario("scenarios/xuchang_lake.yaml", overrides)
    best = math.inf
    for _ in range(repeat):
        simulation = Simulation(scenario, seed)
        start = time.perf_counter()
        events = simulation.advance()
        simulation.collect(events, start)
        best = min(best, time.perf_counter() - start)
    return best, simulation, events


def report(name: str, wall: float, simulation: Simulation, events: int) -> None:
    dispatch = simulation.dispatch
    print(
        f"{name:<11} {wall:8.2f} s wall  {simulation.duration / wall:8.0f} sim s/s  {events:7d} events  "
        f"{len(dispatch.cases):5d} cases  {len(dispatch.mission_records()):5d} missions  "
        f"{len(dispatch.queue):4d} queued at the end  ({load()})"
    )


class WithoutNextStep:
    """``math`` for :mod:`sim.fleet.dispatch` as it behaved before the fix: the wake-up's one-clock-step wait
    (``math.nextafter``) is 0, so a wait that rounds away wakes at the same instant again."""

    def __getattr__(self, name: str):
        return getattr(math, name)

    @staticmethod
    def nextafter(x: float, _toward: float) -> float:
        return x


def run_old(overrides: list[str], seed: int, stuck_events: int) -> None:
    scenario = load_scenario("scenarios/xuchang_lake.yaml", overrides)
    dispatch_module.math = WithoutNextStep()
    try:
        simulation = Simulation(scenario, seed)
        env, last, same, events = simulation.env, -1.0, 0, 0
        start = time.perf_counter()
        while env.peek() <= simulation.duration:
            env.step()
            events += 1
            same = same + 1 if env.now == last else 0
            last = env.now
            if same >= stuck_events:
                print(
                    f"old wake-up: stuck at t = {float(env.now)!r} s after {events} events "
                    f"({stuck_events} in a row at that instant, {time.perf_counter() - start:.1f} s wall; "
                    f"{load()})"
                )
                return
        print(f"old wake-up: finished, {events} events in {time.perf_counter() - start:.1f} s wall")
    finally:
        dispatch_module.math = math


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="6h", help="simulated time (default 6h)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant; the best counts")
    parser.add_argument("--old", action="store_true", help="also run the old wake-up until it is stuck")
    parser.add_argument("--stuck-events", type=int, default=100_000)
    args = parser.parse_args()
    duration = f"run.duration={args.duration}"
    print(
        f"dispatch under overload: default scenario, {args.duration}, seed {args.seed}, best of {args.repeat}"
    )
    wall, simulation, events = timed([TUNED, duration], args.seed, args.repeat)
    report("overloaded", wall, simulation, events)
    base_wall, base, base_events = timed([duration], args.seed, args.repeat)
    report("baseline", base_wall, base, base_events)
    print(f"ratio overloaded / baseline wall time: {wall / base_wall:.2f}")
    if args.old:
        run_old([TUNED, duration], args.seed, args.stuck_events)


if __name__ == "__main__":
    main()
