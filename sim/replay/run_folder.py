"""Reading a run folder for the replay, refusing what is not one with a one-line reason.

A folder is a run if it holds every file the page is built from, each CSV with its contract columns; a
folder written by an older version of the program that lacks a column is named with that column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.errors import ReplayError
from sim.results.reading import CONTRACT_COLUMNS, read_run, read_track_digest
from sim.results.result import SORTIE_COLUMNS, Result
from sim.results.track_digest import Tracks

REQUIRED_FILES = (
    "summary.json",
    "scenario.yaml",
    "incidents.csv",
    "alarms.csv",
    "missions.csv",
    "tracks.csv",
)
"""What a run folder must hold for its replay (sorties.csv is optional: runs without drones have none)."""


def check_run_folder(folder: Path) -> None:
    """Raise :class:`ReplayError` unless ``folder`` holds a run with the columns the page needs."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReplayError(f"{folder}: no such folder")
    if (folder / "sweep.json").is_file():
        raise ReplayError(f"{folder}: is a sweep folder; replay one of its runs: {folder / 'runs'}/<run id>")
    for name in REQUIRED_FILES:
        if not (folder / name).is_file():
            raise ReplayError(f"{folder}: not a run folder: {name} is missing")
    expected = {f"{name}.csv": columns for name, columns in CONTRACT_COLUMNS.items()}
    expected["sorties.csv"] = SORTIE_COLUMNS
    for name, columns in expected.items():
        path = folder / name
        if not path.is_file():
            continue
        try:
            header = list(pd.read_csv(path, nrows=0).columns)
        except pd.errors.EmptyDataError:
            header = list(columns) if name == "sorties.csv" else []
        missing = [c for c in columns if c not in header]
        if missing:
            raise ReplayError(
                f"{path}: column {missing[0]!r} is missing (written by an older version of the program? "
                "run it again)"
            )


def read_run_folder(folder: Path) -> tuple[Result, Tracks]:
    """What ``replay`` needs of the run in ``folder``, checked first: the run without its two big tables
    (tracks.csv and transfers.csv: a year's run has 20 million track rows) and the digest of its tracks,
    read a piece at a time, from which the page draws the boats (as ``run`` draws it)."""
    check_run_folder(folder)
    result = read_run(Path(folder), big_tables=False)
    return result, read_track_digest(folder, result.scenario.run.duration)
