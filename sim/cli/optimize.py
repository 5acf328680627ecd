"""``run_sim.py optimize STUDY.yaml --out DIR``: search a layout with Optuna, then confirm the best.

Writes ``DIR/study.json``, ``study.journal`` (Optuna's journal storage: ``--resume`` continues it),
``trials.csv``, ``pareto.csv`` (several objectives), ``best/<rank>/scenario.yaml``, ``confirm.csv`` and
``figures/`` (see docs/optimization.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.cli.common import (
    EXIT_INTERNAL,
    EXIT_OK,
    Commands,
    add_set_option,
    add_worker_options,
    at_least,
    batch_options,
)
from sim.errors import WorkerLostError


def add_parser(commands: Commands) -> None:
    """Register ``optimize`` on the main parser's ``commands``."""
    parser = commands.add_parser(
        "optimize", help="search cameras, docks, boats and thresholds with Optuna, and confirm the best"
    )
    parser.add_argument("file", type=Path, help="study YAML file (see scenarios/optimize/layout.yaml)")
    parser.add_argument("--out", type=Path, help="output folder (default: out/optimize-<study name>)")
    parser.add_argument("--trials", type=int, help="total number of trials (default: the study file's)")
    parser.add_argument("--seeds", type=int, help="search seeds 0..N-1 instead of the study file's")
    parser.add_argument("--duration", help="simulated time of every run instead of the study's: 90, 15m, 2h")
    add_set_option(parser, "fix a scenario key for every trial, added to the study's set: (repeatable)")
    add_worker_options(parser, "run on a Dask scheduler (tcp://host:8786), or 'local'")
    parser.add_argument("--resume", action="store_true", help="continue the study in --out")
    parser.add_argument("--no-confirm", action="store_true", help="skip the held-out confirmation")
    parser.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Run the study; Ctrl-C or a lost worker keeps the finished trials (exit 1, continue with --resume)."""
    from sim.cli.sweep import parse_assignments
    from sim.experiments.executors import DaskCluster, ProcessPool, default_workers
    from sim.experiments.optimize_outputs import summary_text, write_outputs
    from sim.experiments.optimizer import open_study, plan_study, run_trials

    if args.trials is not None:
        at_least("--trials", args.trials, 1)
    seeds, duration = batch_options(args, "study")
    plan = plan_study(args.file, seeds, duration, parse_assignments(args.overrides))
    out = args.out or Path("out") / f"optimize-{plan.name}"
    trials = args.trials or plan.study.trials
    study = open_study(plan, out, args.resume)
    runs_per_batch = plan.study.batch * len(plan.study.seed_list)
    workers = args.workers or min(default_workers(), runs_per_batch)
    executor = ProcessPool(workers) if args.dask is None else DaskCluster(args.dask, workers)
    start = time.perf_counter()
    try:
        ran = run_trials(plan, study, executor, trials, progress=_progress)
    except (WorkerLostError, KeyboardInterrupt) as error:
        write_outputs(plan, study, out)
        why = "interrupted" if isinstance(error, KeyboardInterrupt) else str(error)
        print(f"error: {why}; finished trials are kept in {out}; add --resume to continue", file=sys.stderr)
        return EXIT_INTERNAL
    wall = time.perf_counter() - start
    best = write_outputs(plan, study, out)
    print(f"{ran} trials run on {executor.name} ({workers} workers) in {wall:.1f} s")
    print(summary_text(plan, study, best))
    if best and not args.no_confirm:
        from sim.experiments.confirm import confirm, format_confirmation

        with ProcessPool(workers) if args.dask is None else DaskCluster(args.dask, workers) as pool:
            table = confirm(plan, best[: plan.study.confirm.best], pool, out)
        print(format_confirmation(plan, table))
    from sim.experiments.optimize_figures import write_figures

    write_figures(plan, study, out, best)
    print(f"written: {out}/trials.csv, {out}/best/<rank>/scenario.yaml, {out}/figures/")
    return EXIT_OK


def _progress(text: str) -> None:
    print(f"\r{text}", end="", file=sys.stderr, flush=True)
