"""A simulated year on one machine (issue 20, point 1): wall time and peak memory of ``run`` at 1, 30 and
365 days, and how they grow with simulated time; with ``--scenario scenarios/city_waterways.yaml``, the
city's month (issue 20, point 2) the same way.

What it measures
----------------
``python run_sim.py run --duration D --seed S --out TMP`` of the default scenario
(``scenarios/xuchang_lake.yaml``, statistical mode, every output file: tables, summary, figures, replay
page) for each duration D (default 1, 30 and 365 days), each in a subprocess of its own, as a user runs
it (the environment as given: this script sets no thread limits). For each run:

- **wall**: from starting the process to its exit, s;
- **CPU**: user + system time of the process and its children (``tracks.csv`` is written by a second
  process while the clock runs), s;
- **peak RSS**: the largest resident set of any one process of the run (``getrusage``, what
  ``/usr/bin/time`` reports) and the largest sum over the run's processes, sampled every 20 ms from
  ``/proc`` (the figure a machine's memory must hold), MB.

Then the slopes of log(wall) and of log(peak RSS, summed) against log(duration) (least squares over the
durations; goals: wall at most 1.05, memory well below 1), and the ratio of the longest run's wall time to
the baseline measured in the same invocation, the shortest run's wall time scaled linearly to the longest
duration (below 1: a long run costs less per simulated day than short ones). Goals (:data:`GOALS`): the
default scenario's year in at most 60 s and 1 GB; the city's 30 days (``city_waterways``, 60 cameras,
12 boats, a 5 x 4 km radio map) in at most 60 s and 2 GB. The verdict is printed when the longest run is
the goal's duration. The load average before and after is printed: the machine may be shared, and wall
times stretch with its load (CPU times much less).

How to run (from the repository root)
-------------------------------------
::

    python benchmarks/bench_year.py                       # 1, 30 and 365 days, seed 3 (about 2 minutes)
    python benchmarks/bench_year.py --days 1 7            # a quick check
    python benchmarks/bench_year.py --source ../old-checkout --days 1 30   # the same runs of another checkout
    python benchmarks/bench_year.py --scenario scenarios/city_waterways.yaml   # the city: 1, 7, 30 d, seed 0

A measurement, not a test: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WALL_SLOPE_GOAL = 1.05


@dataclass(frozen=True)
class Goal:
    days: tuple[float, ...]
    """The durations run by default (the last is the goal's), simulated days."""
    seed: int
    """The seed run by default."""
    wall_s: float
    rss_mb: float
    """Peak of the summed RSS of the run's processes, MB."""


GOALS = {
    "xuchang_lake": Goal((1, 30, 365), 3, 60.0, 1024.0),  # issue 20, point 1: a year
    # Issue 20, point 2: the city's month; its seed (the scenario's): at seed 3 the shadowing puts
    # gnb-northeast's camera load above 100 %, which loading refuses.
    "city_waterways": Goal((1, 7, 30), 0, 60.0, 2048.0),
}
"""Speed goals by scenario file stem."""
SAMPLE_S = 0.02


@dataclass(frozen=True)
class Measured:
    days: float
    wall_s: float
    cpu_s: float
    largest_mb: float
    """Peak RSS of the largest single process (getrusage), MB."""
    summed_mb: float
    """Peak of the sampled sum of RSS over the run's processes, MB."""
    tracks_rows: int
    transfers_rows: int
    page_mb: float


def tree_rss_mb(pid: int) -> float:
    """Resident set of ``pid`` and its descendants, MB (0 for those already gone)."""
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += (
                next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")) / 1024
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


def lines(path: Path) -> int:
    """Data rows of a CSV file (lines less the header)."""
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 24):
            count += block.count(b"\n")
    return count - 1


def measure(source: Path, scenario: Path, days: float, seed: int, out: Path) -> Measured:
    """One run in a subprocess, its memory sampled meanwhile."""
    argv = [sys.executable, "run_sim.py", "run", "--scenario", str(scenario), "--duration", f"{days:g}d"]
    argv += ["--seed", str(seed), "--out", str(out), "--overwrite"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=source, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0.0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_mb(process.pid))
            time.sleep(SAMPLE_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = process.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"run of {days:g} days failed:\n{errors.decode(errors='replace')[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    page = out / "replay.html"
    return Measured(
        days,
        wall,
        cpu,
        after.ru_maxrss / 1024,  # the largest child so far: runs go from short to long
        peak[0],
        lines(out / "tracks.csv"),
        lines(out / "transfers.csv"),
        page.stat().st_size / 1e6 if page.is_file() else math.nan,
    )


def slope(days: list[float], values: list[float]) -> float:
    """Least-squares slope of log(values) against log(days)."""
    x = [math.log(d) for d in days]
    y = [math.log(v) for v in values]
    mx, my = sum(x) / len(x), sum(y) / len(y)
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / sum((a - mx) ** 2 for a in x)


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=float, nargs="+", help="simulated days (default: the goal's, GOALS)")
    parser.add_argument("--scenario", type=Path, default=Path("scenarios/xuchang_lake.yaml"))
    parser.add_argument("--seed", type=int, help="root seed (default: the goal's, GOALS; else 3)")
    parser.add_argument("--source", type=Path, default=REPO_ROOT, help="checkout whose run_sim.py to run")
    parser.add_argument("--keep", type=Path, help="keep the run folders here (a year's is about 1.5 GB)")
    args = parser.parse_args()
    goal = GOALS.get(args.scenario.stem)
    days = sorted(args.days or (goal.days if goal else (1, 30)))
    seed = args.seed if args.seed is not None else goal.seed if goal else 3
    print(f"source {args.source.resolve()}, {args.scenario}, seed {seed}, load average before {load()}")
    results = []
    folder = Path(tempfile.mkdtemp(prefix="bench_year.")) if args.keep is None else args.keep
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for d in days:
            out = folder.resolve() / f"run_{d:g}d"
            measured = measure(args.source.resolve(), args.scenario, d, seed, out)
            results.append(measured)
            print(
                f"{d:7g} d  wall {measured.wall_s:7.2f} s  CPU {measured.cpu_s:7.2f} s  "
                f"peak RSS {measured.largest_mb:6.0f} MB (one process), {measured.summed_mb:6.0f} MB (all)  "
                f"tracks {measured.tracks_rows:,} rows, transfers {measured.transfers_rows:,}, "
                f"page {measured.page_mb:.2f} MB",
                flush=True,
            )
            if args.keep is None:
                shutil.rmtree(folder / f"run_{d:g}d", ignore_errors=True)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"load average after {load()}")
    report(results, goal)


def report(results: list[Measured], goal: Goal | None) -> None:
    if not results:
        return
    short, long = results[0], results[-1]
    if len(results) > 1:
        days = [r.days for r in results]
        wall_slope = slope(days, [r.wall_s for r in results])
        rss_slope = slope(days, [r.summed_mb for r in results])
        baseline = short.wall_s * long.days / short.days
        print(f"slope of log(wall) against log(duration): {wall_slope:.3f} (goal <= {WALL_SLOPE_GOAL})")
        print(f"slope of log(peak RSS, all processes) against log(duration): {rss_slope:.3f} (goal << 1)")
        print(
            f"ratio {long.days:g} d wall / ({short.days:g} d wall x {long.days / short.days:g}): "
            f"{long.wall_s:.2f} / {baseline:.2f} = {long.wall_s / baseline:.3f}; CPU "
            f"{long.cpu_s:.2f} / {short.cpu_s * long.days / short.days:.2f}"
        )
    if goal is not None and long.days >= goal.days[-1]:
        verdict = "met" if long.wall_s <= goal.wall_s else "MISSED"
        print(f"{long.days:g} d: wall {long.wall_s:.1f} s (goal <= {goal.wall_s:.0f} s: {verdict}), ", end="")
        print(f"CPU {long.cpu_s:.1f} s; ", end="")
        verdict = "met" if long.summed_mb <= goal.rss_mb else "MISSED"
        print(f"peak RSS {long.summed_mb:.0f} MB (goal <= {goal.rss_mb:.0f} MB: {verdict})")


if __name__ == "__main__":
    main()
