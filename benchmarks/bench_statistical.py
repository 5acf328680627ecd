"""Throughput of the statistical-mode simulator against bare SimPy, in one process.

What it measures
----------------
1. The default scenario (``scenarios/xuchang_lake.yaml``) with ``run.duration``
   overridden to 24 simulated hours, built and run ``--repeat`` times; the
   repeat with the smallest wall time counts. Each repeat is timed around
   ``Simulation(scenario, seed).run()`` and split into

   * construction: ``Simulation(...)`` (zone geometry, water visibility graph,
     camera regions, incident generation);
   * event loop: advancing the SimPy clock (``Simulation.advance()``);
   * result tables: the rest of ``run()`` (pandas tables and KPIs).

   Loading and validating the YAML happens once, outside the timing.
   Reported: simulated seconds per wall second, SimPy events processed
   (``summary["sim_events"]``) and events per wall second, incidents, alarms.
2. Bare SimPy: ``--bare-processes`` processes each doing ``yield env.timeout(1)``
   in a loop, ``--bare-events`` timeouts in all, run with ``env.run()``; best
   of ``--repeat``. This is the ceiling of SimPy's own event machinery.
3. The ratio (simulator events/s) / (bare timeout events/s) and a verdict
   against two goals: a 24-hour day in under 2 s on one core, and an
   events/s ratio of at least 0.3. The exit code is 0 whatever the verdict:
   this is a measurement, not a test.

How to run (from the repository root)
-------------------------------------
::

    python benchmarks/bench_statistical.py                  # 24 h, best of 3
    python benchmarks/bench_statistical.py --repeat 5 --seed 7
    python benchmarks/bench_statistical.py --duration 6h    # other run lengths
    python benchmarks/bench_statistical.py --profile        # + cProfile top 25

How to read the ratio
---------------------
The events/s ratio uses the event-loop time only (construction and result
tables excluded), the same thing the bare loop measures, so it is the
figure most favourable to the simulator. Even so it compares unlike events:
a bare timeout costs about a microsecond, while one simulator event may
compute every alarm an incident will raise on all cameras (shapely
intersections, vectorised per-frame sampling, sun elevation) or plan boat
paths on the water visibility graph (A* per candidate boat). Statistical
mode is built to need few events (no process wakes per camera frame), so a
low ratio is expected and is not by itself a defect; simulated seconds per
wall second is the figure users feel. ``--profile`` shows where the time
per event goes (cumulative microseconds per simulator event, inflated by
the profiler's own overhead).

"On one core": the run is single-threaded Python; the goal check uses the
larger of wall time and process CPU time, so a run that borrowed a second
core (a multithreaded BLAS, say) is not credited for it.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

from common import REPO_ROOT, print_profile_rows  # first: one core, sim importable

# isort: split

import simpy

from sim.engine import Simulation
from sim.loading import load_scenario
from sim.scenario.models import Scenario

DEFAULT_SCENARIO = REPO_ROOT / "scenarios" / "xuchang_lake.yaml"
DAY_S = 86_400.0
GOAL_DAY_WALL_S = 2.0
"""Goal: one simulated 24-hour day in under this many wall seconds on one core."""
GOAL_EVENT_RATIO = 0.3
"""Goal: simulator events/s at least this fraction of bare SimPy timeout events/s."""
PROFILE_TOP = 25


# ---------------------------------------------------------------- simulator


@dataclass(frozen=True)
class SimTiming:
    """One build-and-run of the simulator; times in s."""

    construct_s: float
    loop_s: float
    """Event loop: ``Simulation.advance()``."""
    total_s: float
    """``Simulation(...)`` plus ``run()``, including the result tables."""
    cpu_s: float
    """Process CPU time over the same span (all threads)."""
    summary: dict

    @property
    def tables_s(self) -> float:
        return max(0.0, self.total_s - self.construct_s - self.loop_s)

    @property
    def events(self) -> int:
        return int(self.summary["sim_events"])


def time_simulation(scenario: Scenario, seed: int | None) -> SimTiming:
    """Build and run the scenario once; garbage from earlier repeats is collected first."""
    gc.collect()
    cpu0, t0 = time.process_time(), time.perf_counter()
    simulation = Simulation(scenario, seed)
    t1 = time.perf_counter()
    events = simulation.advance()
    t_loop = time.perf_counter()
    result = simulation.collect(events, t1)
    t2, cpu1 = time.perf_counter(), time.process_time()
    return SimTiming(t1 - t0, t_loop - t1, t2 - t0, cpu1 - cpu0, result.summary)


def profile_simulation(scenario: Scenario, seed: int | None, top: int = PROFILE_TOP) -> None:
    """cProfile one build-and-run; print the ``top`` functions by cumulative time, per event too."""
    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    result = Simulation(scenario, seed).run()
    profiler.disable()
    events = max(1, int(result.summary["sim_events"]))
    stats = pstats.Stats(profiler).sort_stats(pstats.SortKey.CUMULATIVE)
    print(
        f"\ncProfile of one run ({stats.total_tt:.3f} s under the profiler, {events:,} simulator events; "
        f"top {top} by cumulative time; µs/event = cumulative time / simulator events)"
    )
    print_profile_rows(stats, top, events, "event")


# ---------------------------------------------------------------- bare SimPy


def _ticker(env: simpy.Environment, count: int) -> Generator[simpy.Event, None, None]:
    for _ in range(count):
        yield env.timeout(1)


def time_bare_simpy(total_timeouts: int, processes: int) -> tuple[int, float]:
    """(events processed, wall s) of ``processes`` processes sharing ``total_timeouts`` unit timeouts.

    Events counted as the engine counts them (every event the scheduler
    processes): the timeouts plus, per process, its start and its end.
    """
    env = simpy.Environment()
    per_process = total_timeouts // processes
    for _ in range(processes):
        env.process(_ticker(env, per_process))
    gc.collect()
    t0 = time.perf_counter()
    env.run()
    wall = time.perf_counter() - t0
    return per_process * processes + 2 * processes, wall


# ---------------------------------------------------------------- report


def _rate(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Statistical-mode simulator throughput vs bare SimPy (see the module docstring)."
    )
    parser.add_argument("--duration", default="86400", help="simulated time: seconds or 30m, 6h, 1d")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each benchmark; the best counts")
    parser.add_argument("--seed", type=int, help="root seed (default: run.seed of the scenario)")
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario YAML file")
    parser.add_argument("--bare-events", type=int, default=1_000_000, help="timeouts in the bare benchmark")
    parser.add_argument("--bare-processes", type=int, default=4, help="processes in the bare benchmark")
    parser.add_argument("--profile", action="store_true", help="also cProfile one simulator run")
    return parser


def _row(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<22}{value:>12}" + (f"   ({note})" if note else ""))


def _walls(seconds: list[float]) -> str:
    return ", ".join(f"{s:.3f}" for s in seconds)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if min(args.repeat, args.bare_events, args.bare_processes) < 1:
        parser.error("--repeat, --bare-events and --bare-processes must be >= 1")

    t0 = time.perf_counter()
    scenario = load_scenario(args.scenario, [f"run.duration={args.duration}"])
    load_s = time.perf_counter() - t0
    duration = scenario.run.duration
    seed = scenario.run.seed if args.seed is None else args.seed

    print(f"Python {platform.python_version()}, simpy {simpy.__version__}, {platform.platform()}")
    print(f"scenario {scenario.name} ({args.scenario.name}), seed {seed}, {duration:,.0f} simulated s")
    print(f"  load + validate once, not timed below: {load_s * 1e3:.1f} ms")

    # -- simulator
    runs = [time_simulation(scenario, seed) for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r.total_s)
    counts = best.summary["counts"]
    if any(r.summary["counts"] != counts or r.events != best.events for r in runs):
        print("  WARNING: repeats differ in counts or events; the run is not deterministic")
    totals = [r.total_s for r in runs]
    sim_speed = _rate(duration, best.total_s)
    loop_rate = _rate(best.events, best.loop_s)
    print(
        f"\nSimulator, best of {args.repeat} "
        f"(total wall s: {_walls(totals)}; median {statistics.median(totals):.3f})"
    )
    _row("construction", f"{best.construct_s * 1e3:.1f} ms", "geometry, visibility graph, cameras, incidents")
    _row("event loop", f"{best.loop_s * 1e3:.1f} ms", "Simulation.advance()")
    _row("result tables", f"{best.tables_s * 1e3:.1f} ms", "pandas tables and KPIs")
    _row("total wall", f"{best.total_s * 1e3:.1f} ms", f"process CPU {best.cpu_s * 1e3:.1f} ms")
    _row("simulated s / wall s", f"{sim_speed:,.0f}")
    _row("SimPy events", f"{best.events:,}")
    _row(
        "events / wall s",
        f"{loop_rate:,.0f}",
        f"event loop; {_rate(best.events, best.total_s):,.0f} over total",
    )
    _row("wall µs per event", f"{_rate(best.loop_s * 1e6, best.events):.1f}", "event loop")
    _row(
        "incidents", f"{counts['incidents']:,}", f"swimming {counts['swimming']}, fishing {counts['fishing']}"
    )
    _row("alarms", f"{counts['alarms']:,}", f"false {counts['false_alarms']}; missions {counts['missions']}")

    # -- bare SimPy
    bare = [time_bare_simpy(args.bare_events, args.bare_processes) for _ in range(args.repeat)]
    bare_events, bare_wall = min(bare, key=lambda b: b[1])
    bare_rate = _rate(bare_events, bare_wall)
    print(
        f"\nBare SimPy, {args.bare_processes} processes yielding timeout(1), best of {args.repeat} "
        f"(wall s: {_walls([w for _, w in bare])})"
    )
    _row("events", f"{bare_events:,}")
    _row("events / wall s", f"{bare_rate:,.0f}", f"{_rate(bare_wall * 1e6, bare_events):.2f} µs per event")

    # -- ratio and verdict
    ratio = loop_rate / bare_rate
    print(
        f"\nRatio simulator / bare events per s: {ratio:.4f} "
        f"(one simulator event costs as much as {_rate(1.0, ratio):,.0f} bare timeouts)"
    )
    day_s = max(best.total_s, best.cpu_s) * DAY_S / duration  # "on one core": CPU time counts too
    projected = "" if duration == DAY_S else f", projected linearly from {duration:,.0f} s"
    print("\nVerdict")
    print(
        f"  24-hour day in under {GOAL_DAY_WALL_S:g} s on one core: "
        f"{'PASS' if day_s < GOAL_DAY_WALL_S else 'MISS'} ({day_s:.3f} s per simulated day{projected}; "
        f"{sim_speed:,.0f} sim s per wall s, goal > {DAY_S / GOAL_DAY_WALL_S:,.0f})"
    )
    print(
        f"  events/s ratio at least {GOAL_EVENT_RATIO:g}: {'PASS' if ratio >= GOAL_EVENT_RATIO else 'MISS'} "
        f"({ratio:.4f} = {loop_rate:,.0f} / {bare_rate:,.0f} events per s)"
    )

    if args.profile:
        profile_simulation(scenario, seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
