"""Pixel mode on several cores: simulated s per wall s and peak memory per process, with the cameras in the
run's own process against the cameras in two worker processes and on a local Dask cluster.

What it measures
----------------
The scenario (``--scenario``, default ``scenarios/xuchang_lake.yaml``: 8 cameras) in pixel mode with every
camera at ``--fps`` (5) frames/s, ``run.start`` on a summer afternoon (daylight: swimmers, the detectors at
work) and ``run.duration`` = ``--seconds`` (120), run once per configuration:

1. ``1 worker, 1 thread``: the cameras in the run's process, on one frame thread: the baseline (one core);
2. ``1 worker, 2 threads``: the same on two frame threads (``run`` without ``--workers``, on 2 cores);
3. ``2 workers``: ``run --workers 2``, the cameras in two worker processes spawned on this machine;
4. ``Dask, 2 workers``: ``run --dask local --workers 2``, a LocalCluster of two single-threaded worker
   processes started by the run (its start-up is counted, as a user waits for it).

Each configuration runs in a fresh Python process (this script with ``--one``), so that the peak memory
(``VmHWM``) of every process is the configuration's own. Per configuration it prints the wall time of the
whole run (building the simulation, starting the workers, the clock and the result tables: what
``run_sim.py run`` costs), simulated s per wall s over it and in the steady state (``--chunks`` chunks of
the run, the first one left out: it holds the workers' and detectors' one-time setup), the CPU time of the
run's process and of each worker process over the steady state, the peak RSS of every process, and the
windows the clock moved through. Then the ratios against the baseline measured in the same invocation, the
Dask overhead against the pool (wall time of the whole run; CPU time), and a verdict on the goals of issue
20: at least 5 simulated s per wall s with 2 workers on a 2-core machine, at most 500 MB peak per process.

The machine is shared: each configuration prints the CPU time other processes used meanwhile (from
``/proc/stat``) and the load average. Where others took cores, wall times are theirs as much as ours; the
``CPU-bound`` figure (steady-state simulated s per CPU s of the busiest process of the configuration) is what
the configuration would reach with a core per process, waits for the other processes aside. Every
configuration must write the same tables (the script compares their hashes: the run is identical on any
number of workers).

How to run (from the repository root)
-------------------------------------
::

    python benchmarks/bench_pixel_workers.py                  # 120 simulated s, four configurations
    python benchmarks/bench_pixel_workers.py --seconds 60     # a quicker look
    python benchmarks/bench_pixel_workers.py --no-dask        # without dask installed
    python benchmarks/bench_pixel_workers.py --scenario scenarios/city_waterways.yaml \
        --seconds 40 --skip-threads                           # the city: 60 cameras
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import REPO_ROOT, machine_busy_s, proc_status

START = "2026-07-18T15:00:00"
"""A summer afternoon: daylight, swimmers (as bench_detect.py's pixel run)."""
RATE_GOAL = 5.0
"""Simulated s per wall s with 2 workers on a 2-core machine (issue 20)."""
PEAK_GOAL_MB = 500.0
"""Peak RSS per process, MB (issue 20)."""
CONFIGS = {
    "1 worker, 1 thread": {"workers": None, "threads": 1, "dask": None},
    "1 worker, 2 threads": {"workers": None, "threads": 2, "dask": None},
    "2 workers": {"workers": 2, "threads": 1, "dask": None},
    "Dask, 2 workers": {"workers": 2, "threads": 1, "dask": "local"},
}
BASELINE = "1 worker, 1 thread"


# ---------------------------------------------------------------- processes, from /proc


def proc_cpu_s(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads), s."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            words = cmdline.read().split(b"\0")
    except OSError:
        return "?"
    text = b" ".join(words).decode(errors="replace")
    if "resource_tracker" in text:
        return "resource tracker"
    if "spawn_main" in text:
        return "worker"
    return text[:40]


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as children:
                    kids = [int(k) for k in children.read().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


class PeakSampler(threading.Thread):
    """Every 0.5 s, the RSS of this process and every process below it: each one's peak, bytes."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peaks: dict[int, int] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.5):
            for pid in [os.getpid(), *descendants(os.getpid())]:
                rss = proc_status(pid, "VmRSS") or 0
                self.peaks[pid] = max(self.peaks.get(pid, 0), rss)

    def stop(self) -> None:
        self._halt.set()
        self.join()


# ---------------------------------------------------------------- one configuration (in its own process)


def tables_hash(result) -> str:
    digest = hashlib.sha256()
    for table in (result.incidents, result.alarms, result.missions, result.tracks, result.transfers):
        digest.update(table.to_csv(index=False).encode())
    return digest.hexdigest()[:16]


def run_one(args: argparse.Namespace) -> dict:
    """Run one configuration (``args.one``) and return its figures."""
    from sim.engine import Simulation
    from sim.loading import load_scenario
    from sim.pixel.camera_workers import camera_workers

    config = CONFIGS[args.one]
    changes = ["run.mode=pixel", f"run.start={START}", f"run.duration={args.seconds:g}"]
    cameras = len(load_scenario(args.scenario, changes).cameras)
    fps = [f"cameras.{k}.fps={args.fps:g}" for k in range(cameras)]
    scenario = load_scenario(args.scenario, [*changes, *fps])
    sampler = PeakSampler()
    sampler.start()
    busy0, t0, me = machine_busy_s(), time.perf_counter(), os.getpid()
    chunks = []
    with camera_workers(config["workers"], config["dask"]) as workers:
        t_workers = time.perf_counter() - t0
        simulation = Simulation(scenario, frame_threads=config["threads"], camera_workers=workers)
        t_built = time.perf_counter() - t0
        events = 0
        for k in range(1, args.chunks + 1):
            events += simulation.advance(until=args.seconds * k / args.chunks)
            tree = [me, *descendants(me)]
            chunks.append((time.perf_counter() - t0, {pid: proc_cpu_s(pid) for pid in tree}))
        tree = [me, *descendants(me)]
        peaks = {pid: proc_status(pid, "VmHWM") for pid in tree}
        names = {pid: "run" if pid == me else proc_name(pid) for pid in tree}
        cameras = simulation.cameras
        windows, lookahead = cameras.windows, cameras.lookahead
        camera_cpu = cameras.groups.cpu_times()
        result = simulation.collect(events, t0)
    total = time.perf_counter() - t0
    sampler.stop()
    busy = machine_busy_s() - busy0
    (t_first, cpu_first), (t_last, cpu_last) = chunks[0], chunks[-1]
    steady_s = args.seconds * (args.chunks - 1) / args.chunks
    steady_cpu = {pid: cpu_last[pid] - cpu_first.get(pid, 0.0) for pid in cpu_last}
    own_cpu = sum(cpu_last.values())  # this process tree's CPU over the run (the busy count includes it)
    return {
        "config": args.one,
        "total_s": total,
        "workers_s": t_workers,
        "built_s": t_built,
        "rate": args.seconds / total,
        "steady_rate": steady_s / (t_last - t_first),
        "steady_cpu": {f"{names[pid]} {pid}": cpu for pid, cpu in steady_cpu.items()},
        "cpu_bound_rate": steady_s / max(steady_cpu.values()),
        "peaks_mb": {
            f"{names[pid]} {pid}": max(peaks[pid] or 0, sampler.peaks.get(pid, 0)) / 2**20 for pid in peaks
        },
        "camera_cpu": camera_cpu,
        "windows": windows,
        "lookahead": lookahead,
        "alarms": len(result.alarms),
        "incidents": len(result.incidents),
        "hash": tables_hash(result),
        "others_cores": max(0.0, busy - own_cpu) / total,
        "load": os.getloadavg()[0],
    }


# ---------------------------------------------------------------- the comparison


def report(one: dict) -> None:
    peaks = ", ".join(f"{name} {mb:.0f}" for name, mb in one["peaks_mb"].items())
    cpu = ", ".join(f"{name} {s:.1f}" for name, s in one["steady_cpu"].items())
    print(
        f"\n{one['config']}: whole run {one['total_s']:.1f} wall s = {one['rate']:.2f} sim s per wall s "
        f"(workers ready after {one['workers_s']:.1f} s, simulation built after {one['built_s']:.1f} s); "
        f"steady state {one['steady_rate']:.2f} sim s per wall s, CPU-bound {one['cpu_bound_rate']:.2f}"
    )
    print(f"  steady-state CPU s per process: {cpu}")
    print(f"  peak RSS per process (MB): {peaks}")
    groups = "; ".join(", ".join(f"{c} {s:.1f}" for c, s in group.items()) for group in one["camera_cpu"])
    print(f"  CPU s per camera, by group: {groups}")
    print(
        f"  {one['windows']} windows (lookahead {one['lookahead']:g} s), {one['incidents']} incidents, "
        f"{one['alarms']} alarms, tables {one['hash']}; other processes used {one['others_cores']:.2f} "
        f"cores on average, load average {one['load']:.2f} at the end"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, default=REPO_ROOT / "scenarios" / "xuchang_lake.yaml")
    parser.add_argument("--seconds", type=float, default=120.0, help="simulated s per run (default 120)")
    parser.add_argument("--fps", type=float, default=5.0, help="frames/s of every camera (default 5)")
    parser.add_argument("--chunks", type=int, default=4, help="chunks of the run; the first is setup")
    parser.add_argument("--no-dask", action="store_true", help="leave out the Dask configuration")
    parser.add_argument(
        "--skip-threads", action="store_true", help="leave out '1 worker, 2 threads' (a large scenario)"
    )
    parser.add_argument("--one", choices=list(CONFIGS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args)))
        return
    print(
        f"{args.scenario.name}: pixel mode, every camera at {args.fps:g} frames/s, run.start={START}, "
        f"{args.seconds:g} simulated s; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    figures = {}
    for name in CONFIGS:
        if (name.startswith("Dask") and args.no_dask) or (name.endswith("2 threads") and args.skip_threads):
            continue
        command = [sys.executable, __file__, "--one", name, "--scenario", str(args.scenario)]
        command += ["--seconds", f"{args.seconds:g}", "--fps", f"{args.fps:g}", "--chunks", str(args.chunks)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"\n{name}: failed\n{done.stderr}", flush=True)
            continue
        figures[name] = json.loads(done.stdout.strip().splitlines()[-1])
        report(figures[name])
    summarize(figures, goals=args.scenario.name == "xuchang_lake.yaml")  # the goals are the default's


def summarize(figures: dict[str, dict], goals: bool = True) -> None:
    if BASELINE not in figures:
        return
    base = figures[BASELINE]
    print(f"\nAgainst {BASELINE} (same invocation): whole run / steady state / CPU-bound")
    for name, one in figures.items():
        print(
            f"  {name}: {one['rate'] / base['rate']:.2f} / {one['steady_rate'] / base['steady_rate']:.2f} / "
            f"{one['cpu_bound_rate'] / base['cpu_bound_rate']:.2f}"
        )
    print(f"  identical tables: {len({one['hash'] for one in figures.values()}) == 1}")
    pool, dask = figures.get("2 workers"), figures.get("Dask, 2 workers")
    if pool and dask:
        cpu = sum(dask["steady_cpu"].values()) / sum(pool["steady_cpu"].values())
        print(
            f"Dask overhead against the pool: whole run {dask['total_s'] / pool['total_s']:.2f} x the wall "
            f"time, steady state {pool['steady_rate'] / dask['steady_rate']:.2f} x, CPU {cpu:.2f} x"
        )
    if pool and goals:
        peak = max(pool["peaks_mb"].values())
        print(
            f"Goals (2 workers): {pool['rate']:.2f} sim s per wall s over the whole run, steady state "
            f"{pool['steady_rate']:.2f}, CPU-bound {pool['cpu_bound_rate']:.2f} (goal >= {RATE_GOAL:g}: "
            f"{'met' if pool['rate'] >= RATE_GOAL else 'not met'} in wall time); peak {peak:.0f} MB per "
            f"process (goal <= {PEAK_GOAL_MB:g}: {'met' if peak <= PEAK_GOAL_MB else 'not met'})"
        )


if __name__ == "__main__":
    main()
