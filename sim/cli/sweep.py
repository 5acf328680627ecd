"""``run_sim.py sweep FILE``: run a sweep file (parameter grid x seeds) into a folder, locally or on Dask."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

from sim.cli.common import EXIT_INTERNAL, EXIT_OK, Commands, add_set_option, add_worker_options, batch_options
from sim.errors import BadInputError, WorkerLostError


def add_parser(commands: Commands) -> None:
    """Register ``sweep`` on the main parser's ``commands``."""
    sweep = commands.add_parser("sweep", help="run a sweep file: parameter grid x seeds, locally or on Dask")
    sweep.add_argument(
        "file", type=Path, help="sweep YAML file (see scenarios/sweeps/; its scenario: is relative to it)"
    )
    sweep.add_argument("--seeds", type=int, help="seeds 0..N-1 instead of the file's seeds")
    sweep.add_argument("--duration", help="simulated time of every run instead of the file's: 90, 15m, 6h")
    add_set_option(sweep, "fix a scenario key for every run, added to the file's set: (repeatable)")
    add_worker_options(sweep, "run on a Dask scheduler (tcp://host:8786), or 'local' to start a LocalCluster")
    sweep.add_argument("--resume", action="store_true", help="run only what is missing in --out")
    sweep.add_argument(
        "--out", type=Path, help="output folder, parents made as needed (default: out/<sweep name>)"
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Run the sweep; a lost worker or Ctrl-C keeps the finished runs and says how to resume (exit 1)."""
    from sim.experiments.executors import DaskCluster, ProcessPool, default_workers
    from sim.experiments.runner import execute as execute_sweep
    from sim.experiments.sweep_file import load_sweep

    seeds, duration = batch_options(args, "sweep")
    sweep = load_sweep(args.file, seeds, duration, parse_assignments(args.overrides))
    out = args.out or Path("out") / sweep.name
    workers = args.workers or min(default_workers(), len(sweep.runs))
    executor = ProcessPool(workers) if args.dask is None else DaskCluster(args.dask, workers)
    start = time.perf_counter()
    try:
        report = execute_sweep(sweep, out, executor, resume=args.resume, progress=not args.quiet)
    except (WorkerLostError, KeyboardInterrupt) as error:
        why = "interrupted" if isinstance(error, KeyboardInterrupt) else str(error)
        print(
            f"error: {why}; finished runs are kept in {out}/runs; add --resume to complete the sweep",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    wall = time.perf_counter() - start
    print(
        f"{sweep.name}: {report.total} runs on {executor.name} ({workers} workers) in {wall:.1f} s: "
        f"{report.done} done, {report.failed} failed, {report.skipped} done before"
    )
    if report.done + report.skipped:
        from sim.experiments.paired import format_variants, load_sweep_table

        print(format_variants(load_sweep_table(out)[0]))
    print(f"written: {report.table} and {out}/runs/<run id>/")
    if report.failed:
        print(f"{report.failed} runs failed: their tracebacks are in {out}/runs/<run id>/error.txt")
        return EXIT_INTERNAL
    return EXIT_OK


def parse_assignments(assignments: list[str]) -> dict[str, object]:
    """``--set key=value`` options as a mapping, each value parsed as YAML (as ``run --set`` does)."""
    parsed: dict[str, object] = {}
    for text in assignments:
        key, sep, raw = text.partition("=")
        if not sep or not key.strip():
            raise BadInputError(f"--set {text}: expected key.path=value, e.g. dispatch.decision_time=10")
        try:
            parsed[key.strip()] = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            parsed[key.strip()] = raw
    return parsed
