"""``run_sim.py compare DIR [--baseline key=value]``: paired differences between a sweep's variants.

Each variant minus the baseline, seed by seed, with confidence intervals (:mod:`sim.experiments.paired`).
Without ``--baseline`` the baseline is the first swept key at its first value, as ``plot``'s.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import EXIT_OK, SWEEP_MARK, Commands, folder_kind, parse_baseline
from sim.errors import BadInputError


def add_parser(commands: Commands) -> None:
    """Register ``compare`` on the main parser's ``commands``."""
    compare = commands.add_parser("compare", help="paired differences between a sweep's variants")
    compare.add_argument("folder", type=Path, metavar="DIR", help="sweep output folder")
    compare.add_argument(
        "--baseline",
        metavar="KEY=VALUE",
        help="swept key and its baseline value (default: the first swept key's first value, as plot's)",
    )
    compare.add_argument(
        "--metric",
        action="append",
        default=[],
        metavar="COLUMN",
        help="also compare this numeric column of sweep.csv, e.g. counts.alarms (repeatable)",
    )
    compare.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    compare.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Print the paired differences against ``--baseline`` and write them to ``--csv`` if asked."""
    from sim.experiments.paired import compare_table, default_baseline, format_comparison, load_sweep_table

    if folder_kind(args.folder) != "sweep":
        raise BadInputError(f"{args.folder}: a run folder; compare needs a sweep folder (with {SWEEP_MARK})")
    baseline = parse_baseline(args.baseline)
    key, value = baseline or default_baseline(*load_sweep_table(args.folder))
    table = compare_table(args.folder, key, value, args.metric)
    print(format_comparison(table, key, value, chosen=baseline is not None))
    if args.csv is not None:
        table.to_csv(args.csv, index=False, na_rep="")
        print(f"written: {args.csv}")
    return EXIT_OK
