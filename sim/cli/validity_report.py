"""``run_sim.py tune --report DIR [DIR ...] --out REPORT``: the validity report of the calibration, from the
latest fits, so a reviewer can check its claims without reading code.

- a false-alarm evidence folder (``tune --false-alarm-hours``): ``false_alarms.md``, ``false_alarms.csv``,
  ``false_alarms.png`` (fitted against held-out rates, :mod:`sim.calibration.false_alarm_evidence`);
- ``tune --pixel-runs`` folders: ``agreement.md``, ``agreement.csv``, ``agreement.png`` (statistical
  against pixel mode per fit and kind, against the goals, :mod:`sim.calibration.agreement_report`).

Every file is written in a staging folder and published at once: the report appears whole or not at all.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from sim.cli.common import EXIT_OK, check_output_folder
from sim.core.files import replace_folder
from sim.errors import BadInputError


def report(args: argparse.Namespace) -> int:
    """Sort the ``--report`` folders into evidence and agreement, check them, write the report."""
    from sim.calibration.agreement_report import is_agreement_folder

    evidence, fits = [], []
    for folder in args.report:
        if (folder / "chunks").is_dir() and any((folder / "chunks").glob("*.json")):
            evidence.append(folder)
        elif is_agreement_folder(folder):
            fits.append(folder)
        else:
            raise BadInputError(
                f"--report {folder}: neither false-alarm evidence (run tune --false-alarm-hours) nor a "
                "tune --pixel-runs folder (agreement.csv)"
            )
    if len(evidence) > 1:
        raise BadInputError(f"--report: one false-alarm evidence folder at a time, got {len(evidence)}")
    if len({folder.name for folder in fits}) < len(fits):
        raise BadInputError(
            "--report: two --pixel-runs folders share a name (the report's rows are named by it)"
        )
    check_output_folder(args.out, args.overwrite)
    staging = Path(tempfile.mkdtemp(prefix=f".{args.out.name}.", dir=args.out.resolve().parent))
    try:
        written = _false_alarms(evidence[0], staging) if evidence else []
        written += _agreement(fits, staging) if fits else []
        replace_folder(staging, args.out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"written: {args.out}/ ({', '.join(written)})")
    return EXIT_OK


def _false_alarms(folder: Path, staging: Path) -> list[str]:
    from sim.calibration.false_alarm_evidence import evidence_table, markdown_table, read_chunks
    from sim.calibration.figures import draw_false_alarm_figure

    table = evidence_table(read_chunks(folder))
    text = markdown_table(table)
    table.to_csv(staging / "false_alarms.csv", index=False)
    (staging / "false_alarms.md").write_text(text, encoding="utf-8")
    draw_false_alarm_figure(table, staging / "false_alarms.png")
    print(text)
    return ["false_alarms.md", "false_alarms.csv", "false_alarms.png"]


def _agreement(folders: list[Path], staging: Path) -> list[str]:
    from sim.calibration.agreement_report import (
        MEDIAN_GOAL,
        RATE_GOAL_POINTS,
        how_made,
        markdown_agreement,
        read_agreement,
    )
    from sim.calibration.figures import agreement_figure
    from sim.results.figure_style import save

    try:
        table = pd.concat([read_agreement(folder) for folder in folders], ignore_index=True)
    except (ValueError, KeyError, pd.errors.ParserError) as error:
        raise BadInputError(f"--report: {error}") from None
    if table.empty:
        raise BadInputError(
            f"--report {' '.join(map(str, folders))}: no offender was in view in these fits, nothing to "
            "compare"
        )
    text = markdown_agreement(table, {folder.name: how_made(folder) for folder in folders})
    table.to_csv(staging / "agreement.csv", index=False)
    (staging / "agreement.md").write_text(text, encoding="utf-8")
    save(agreement_figure(table, RATE_GOAL_POINTS, MEDIAN_GOAL), staging / "agreement.png")
    print(text)
    return ["agreement.md", "agreement.csv", "agreement.png"]
