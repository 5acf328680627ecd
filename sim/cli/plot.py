"""``run_sim.py plot DIR ...``: draw a sweep folder's comparison figures, or redraw a run folder's figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import EXIT_OK, Commands, folder_kind, parse_baseline


def add_parser(commands: Commands) -> None:
    """Register ``plot`` on the main parser's ``commands``."""
    plot = commands.add_parser("plot", help="draw a sweep folder's comparison figures or redraw a run's")
    plot.add_argument("folders", type=Path, nargs="+", metavar="DIR", help="sweep or run output folder")
    plot.add_argument("--out", type=Path, help="figure folder (default: DIR/figures)")
    plot.add_argument(
        "--baseline",
        metavar="KEY=VALUE",
        help="sweep folders: variant the paired differences start from (default: the first swept key's "
        "first value, as compare's)",
    )
    plot.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Check every folder first, then draw each one's figures and list the files written."""
    for folder in args.folders:
        folder_kind(folder)  # every folder checked before anything is drawn
    for folder in args.folders:
        target = folder / "figures" if args.out is None else args.out
        if args.out is not None and len(args.folders) > 1:
            target = args.out / folder.resolve().name
        if folder_kind(folder) == "sweep":
            paths = _sweep_figures(folder, target, args.baseline)
        else:
            from sim.results.figures import draw_run_figures
            from sim.results.reading import read_run, read_track_digest

            run = read_run(
                folder, big_tables=False
            )  # tracks.csv read a chunk at a time: a year has 20 M rows
            paths = draw_run_figures(run, target, read_track_digest(folder, run.scenario.run.duration))
        print(f"{folder}: " + ", ".join(str(p) for p in paths))
    return EXIT_OK


def _sweep_figures(folder: Path, target: Path, baseline_text: str | None) -> list[Path]:
    """Draw a sweep folder's figures; say which baseline the paired differences start from."""
    from sim.experiments.paired import default_baseline, load_sweep_table
    from sim.experiments.sweep_figures import draw_sweep_figures

    table, swept = load_sweep_table(folder)
    baseline = parse_baseline(baseline_text)
    if baseline is None and swept.keys:
        baseline = default_baseline(table, swept)
    paths = draw_sweep_figures(folder, target, baseline)
    if baseline is not None and any(p.name == "paired_differences.png" for p in paths):
        how = "--baseline" if baseline_text else "default: the first swept key's first value, as compare's"
        print(f"{folder}: paired differences from baseline {baseline[0]}={baseline[1]} ({how})")
    return paths
