"""The ``sweep``, ``plot`` and ``compare`` subcommands of ``run_sim.py``.

``sweep FILE`` runs a sweep file into a folder; ``plot DIR ...`` draws a sweep
folder's comparison figures, or redraws a run folder's figures from its tables;
``compare DIR --baseline key=value`` prints paired differences with confidence
intervals.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

from sim.cli.main import EXIT_INTERNAL, EXIT_OK, BadInputError

SWEEP_MARK, RUN_MARK = "sweep.json", "summary.json"
"""Files that tell a sweep folder and a run folder apart."""


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the three subcommands on the main parser's ``commands``."""
    sweep = commands.add_parser("sweep", help="run a sweep file: parameter grid x seeds, locally or on Dask")
    sweep.add_argument("file", type=Path, help="sweep YAML file (see scenarios/sweeps/)")
    sweep.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    sweep.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on a Dask scheduler (tcp://host:8786), or 'local' to start a LocalCluster",
    )
    sweep.add_argument("--resume", action="store_true", help="run only what is missing in --out")
    sweep.add_argument("--out", type=Path, help="output folder (default: out/<sweep name>)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    plot = commands.add_parser("plot", help="draw a sweep folder's comparison figures or redraw a run's")
    plot.add_argument("folders", type=Path, nargs="+", metavar="DIR", help="sweep or run output folder")
    plot.add_argument("--out", type=Path, help="figure folder (default: DIR/figures)")
    plot.add_argument(
        "--baseline", metavar="KEY=VALUE", help="sweep folders: variant the paired differences start from"
    )

    compare = commands.add_parser("compare", help="paired differences between a sweep's variants")
    compare.add_argument("folder", type=Path, metavar="DIR", help="sweep output folder")
    compare.add_argument(
        "--baseline", required=True, metavar="KEY=VALUE", help="swept key and its baseline value"
    )
    compare.add_argument(
        "--metric",
        action="append",
        default=[],
        metavar="COLUMN",
        help="also compare this numeric column of sweep.csv, e.g. counts.alarms (repeatable)",
    )
    compare.add_argument("--csv", type=Path, help="also write the table to this CSV file")


def run_command(args: argparse.Namespace) -> int:
    handlers = {"sweep": _sweep, "plot": _plot, "compare": _compare}
    return handlers[args.command](args)


# ---------------------------------------------------------------- sweep


def _sweep(args: argparse.Namespace) -> int:
    from sim.experiments.executors import (
        DaskCluster,
        ExecutorError,
        ProcessPool,
        WorkerLostError,
        default_workers,
    )
    from sim.experiments.runner import SweepError, execute
    from sim.experiments.sweep_file import load_sweep

    if args.workers is not None and args.workers < 1:
        raise BadInputError(f"--workers: must be >= 1, got {args.workers}")
    if args.dask not in (None, "local") and args.workers is not None:
        raise BadInputError("--workers: a Dask scheduler's own workers run the sweep; drop --workers")
    sweep = load_sweep(args.file)
    out = args.out or Path("out") / sweep.name
    workers = args.workers or min(default_workers(), len(sweep.runs))
    executor = ProcessPool(workers) if args.dask is None else DaskCluster(args.dask, workers)
    start = time.perf_counter()
    try:
        report = execute(sweep, out, executor, resume=args.resume, progress=not args.quiet)
    except (ExecutorError, SweepError) as error:
        raise BadInputError(str(error)) from None
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
    print(f"written: {report.table} and {out}/runs/<run id>/")
    if report.failed:
        print(f"{report.failed} runs failed: their tracebacks are in {out}/runs/<run id>/error.txt")
        return EXIT_INTERNAL
    return EXIT_OK


# ---------------------------------------------------------------- plot and compare


def _plot(args: argparse.Namespace) -> int:
    for folder in args.folders:
        _folder_kind(folder)  # every folder checked before anything is drawn
    for folder in args.folders:
        target = folder / "figures" if args.out is None else args.out
        if args.out is not None and len(args.folders) > 1:
            target = args.out / folder.resolve().name
        if _folder_kind(folder) == "sweep":
            from sim.experiments.sweep_figures import draw_sweep_figures

            paths = draw_sweep_figures(folder, target, _baseline(args.baseline))
        else:
            from sim.results.figures import draw_run_figures
            from sim.results.reading import read_run

            paths = draw_run_figures(read_run(folder), target)
        print(f"{folder}: " + ", ".join(str(p) for p in paths))
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from sim.experiments.paired import compare_table, format_comparison

    if _folder_kind(args.folder) != "sweep":
        raise BadInputError(f"{args.folder}: a run folder; compare needs a sweep folder (with {SWEEP_MARK})")
    key, value = _baseline(args.baseline)
    try:
        table = compare_table(args.folder, key, value, args.metric)
    except ValueError as error:
        message = str(error)
        raise BadInputError(message if message.startswith("--") else f"--baseline: {message}") from None
    print(format_comparison(table, key, value))
    if args.csv is not None:
        table.to_csv(args.csv, index=False, na_rep="")
        print(f"written: {args.csv}")
    return EXIT_OK


def _folder_kind(folder: Path) -> str:
    if (folder / SWEEP_MARK).is_file():
        return "sweep"
    if (folder / RUN_MARK).is_file() and (folder / "scenario.yaml").is_file():
        return "run"
    if not folder.is_dir():
        raise BadInputError(f"{folder}: no such folder")
    raise BadInputError(f"{folder}: neither a sweep folder ({SWEEP_MARK}) nor a run folder ({RUN_MARK})")


def _baseline(text: str | None) -> tuple[str, object] | None:
    """``key=value`` with the value parsed as YAML, as ``--set`` does."""
    if text is None:
        return None
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise BadInputError(f"--baseline {text}: expected key=value, e.g. network.profile=nr_embb")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key.strip(), value
