"""Sweep throughput: one worker against two, and a local Dask cluster against the process pool.

What it measures
----------------
A sweep of ``--runs`` statistical runs of the default scenario
(``scenarios/xuchang_lake.yaml``, ``run.duration`` = ``--duration``, seeds
0..runs-1), executed with :func:`sim.experiments.runner.execute` into a fresh temporary
folder, exactly as ``run_sim.py sweep`` does (workers run the simulations,
the main process writes each run's folder and ``sweep.csv``):

1. a local process pool with 1 worker;
2. a local process pool with ``--workers`` workers (default 2);
3. a local Dask cluster (LocalCluster) with ``--workers`` single-threaded worker processes.

Each wall time includes starting and stopping the workers, which users pay
too; the time to start and stop the same workers with no runs (each imports
the simulator) is printed beside it, and so is the CPU time the sweep took in
the worker processes and in the main process (less sensitive than wall time to
other programs on the machine: where Dask's workers spend more CPU than the
pool's on the same runs, the overhead is inside the workers, not in the
scheduling). Printed: wall time, runs per second, the speed-up (1 worker / N
workers; goal at least 1.7 with 2 workers on 2 cores) and the Dask overhead
(Dask / pool with N workers; goal at most 1.15), with the 1-minute load
average before and after (a loaded machine makes every figure indicative only).
The three sweeps must give identical ``sweep.csv`` files; the script checks it.

How to run (from the repository root)
-------------------------------------
::

    python benchmarks/bench_sweep.py                # 64 runs of 6 simulated hours
    python benchmarks/bench_sweep.py --runs 8       # a quick check
    python benchmarks/bench_sweep.py --no-dask      # without dask installed
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from common import REPO_ROOT

from sim.experiments.executors import DaskCluster, ProcessPool
from sim.experiments.runner import execute
from sim.experiments.sweep_file import load_sweep

SPEEDUP_GOAL = 1.7
DASK_OVERHEAD_GOAL = 1.15


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (1 min), {five:.2f} (5 min)"


def _ready(worker: int) -> int:
    import sim.engine  # noqa: F401  (what a sweep's worker imports first)

    return worker


def _stop_fork_server() -> None:
    """Stop multiprocessing's fork server, as the end of a ``run_sim.py sweep`` process does.

    A process pool's workers are the fork server's children (:func:`sim.core.workers.spawned_pool`): their
    CPU time reaches this process's RUSAGE_CHILDREN only when the server, which has reaped them, exits; and
    each sweep command starts its own server (with the libraries it preloads), so each measurement does too.
    ``_stop`` is the standard library's own way (private, in CPython since 3.8); without it, nothing."""
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


def _startup(executor) -> float:
    """Seconds to start the executor's workers, have each import the simulator, and stop them."""
    start = time.perf_counter()
    with executor:
        for _ in executor.results(_ready, range(executor.workers)):
            pass
    _stop_fork_server()
    return time.perf_counter() - start


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _timed(sweep, executor, folder: Path) -> tuple[float, float, float]:
    """Wall time of the sweep, s, and the CPU time of its worker processes and of this process, s.

    Worker CPU counts processes that have ended and been waited for (RUSAGE_CHILDREN): both
    executors stop and join their workers before ``execute`` returns, and the fork server that forked the
    pool's workers is stopped after it (:func:`_stop_fork_server`).
    """
    start, workers, main = time.perf_counter(), _cpu_s(resource.RUSAGE_CHILDREN), _cpu_s(resource.RUSAGE_SELF)
    report = execute(sweep, folder, executor, progress=False)
    _stop_fork_server()
    wall = time.perf_counter() - start
    if report.done != len(sweep.runs):
        raise SystemExit(f"{executor.name}: only {report.done} of {len(sweep.runs)} runs finished")
    return wall, _cpu_s(resource.RUSAGE_CHILDREN) - workers, _cpu_s(resource.RUSAGE_SELF) - main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=64, help="runs in the sweep (seeds 0..runs-1)")
    parser.add_argument("--duration", default="6h", help="simulated time per run")
    parser.add_argument("--workers", type=int, default=2, help="workers of the parallel executors")
    parser.add_argument("--no-dask", action="store_true", help="skip the local Dask cluster")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_sweep.") as temporary:
        folder = Path(temporary)
        (folder / "bench.yaml").write_text(
            f"scenario: {REPO_ROOT / 'scenarios' / 'xuchang_lake.yaml'}\n"
            f"duration: {args.duration}\nseeds: {args.runs}\n",
            encoding="utf-8",
        )
        sweep = load_sweep(folder / "bench.yaml")
        runs = len(sweep.runs)
        print(f"sweep: {runs} statistical runs of {args.duration}, default scenario; {os.cpu_count()} cores")
        print(f"before: {_load()}")
        factories = [
            ("pool, 1 worker", lambda: ProcessPool(1)),
            (f"pool, {args.workers} workers", lambda: ProcessPool(args.workers)),
        ]
        if not args.no_dask:
            factories.append(
                (f"local Dask, {args.workers} workers", lambda: DaskCluster("local", args.workers))
            )
        walls = {}
        for index, (label, make) in enumerate(factories):
            walls[label], workers_cpu, main_cpu = _timed(sweep, make(), folder / f"out{index}")
            startup = _startup(make())
            print(
                f"  {label:<24} {walls[label]:7.2f} s   {len(sweep.runs) / walls[label]:6.1f} runs/s"
                f"   CPU: workers {workers_cpu:6.2f} s, main process {main_cpu:5.2f} s"
                f"   (starting and stopping the workers alone: {startup:.2f} s)"
            )
        print(f"after: {_load()}")
        tables = {
            (folder / f"out{i}" / "sweep.csv").read_text(encoding="utf-8") for i in range(len(factories))
        }
        print(f"sweep.csv identical across executors: {'yes' if len(tables) == 1 else 'NO'}")

    labels = list(walls)
    speedup = walls[labels[0]] / walls[labels[1]]
    verdict = "meets" if speedup >= SPEEDUP_GOAL else "misses"
    print(f"speed-up, 1 -> {args.workers} workers: {speedup:.2f} ({verdict} the goal of {SPEEDUP_GOAL})")
    if not args.no_dask:
        overhead = walls[labels[2]] / walls[labels[1]]
        verdict = "meets" if overhead <= DASK_OVERHEAD_GOAL else "misses"
        print(f"Dask / pool wall time: {overhead:.2f} ({verdict} the goal of at most {DASK_OVERHEAD_GOAL})")


if __name__ == "__main__":
    main()
