"""Reading a run's output folder back into a :class:`~sim.results.result.Result`.

So figures can be redrawn from a finished run (``run_sim.py plot OUT``) with the
same functions that drew them after the run: whatever
:func:`sim.results.figures.draw_run_figures` draws, a redraw draws too.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd

from sim.errors import ScenarioError
from sim.loading import validate
from sim.results.result import Result
from sim.results.tables import ALARM_COLUMNS, INCIDENT_COLUMNS, MISSION_COLUMNS
from sim.results.track_digest import TrackDigest, Tracks
from sim.results.track_rows import TRACK_COLUMNS
from sim.scenario.loading import read_yaml

CONTRACT_COLUMNS = {
    "incidents": INCIDENT_COLUMNS,
    "alarms": ALARM_COLUMNS,
    "missions": MISSION_COLUMNS,
    "tracks": TRACK_COLUMNS,
}
"""Tables every run folder has, with their contract columns (tracks.csv is missing in older folders)."""


def table_fields() -> list[str]:
    """The tables of a :class:`Result`: its DataFrame fields, each written as ``<name>.csv``."""
    return [f.name for f in dataclasses.fields(Result) if f.name not in ("scenario", "seed", "summary")]


def read_table(folder: Path, name: str) -> pd.DataFrame | None:
    """``folder/<name>.csv`` checked for its contract columns; None if an optional table is absent."""
    path = folder / f"{name}.csv"
    if not path.is_file():
        if name == "tracks":  # older run folders have none
            return pd.DataFrame(columns=list(TRACK_COLUMNS))
        if name in CONTRACT_COLUMNS:
            raise ScenarioError(f"{folder}: no {path.name}")
        return None  # a table this run did not write: the Result's default stands
    try:
        table = pd.read_csv(path)
    except pd.errors.EmptyDataError:  # an empty table written without a header
        table = pd.DataFrame(columns=list(CONTRACT_COLUMNS.get(name, ())))
    missing = [column for column in CONTRACT_COLUMNS.get(name, ()) if column not in table.columns]
    if missing:
        raise ScenarioError(f"{path}: missing columns {', '.join(missing)}")
    return table


def read_run(folder: Path, big_tables: bool = True) -> Result:
    """The result stored in a run folder: every table it has, the summary and the resolved scenario.
    ``big_tables`` False: tracks and transfers are left out (empty), for a year's folder
    (:func:`read_track_digest` reads what the figures need of its tracks)."""
    folder = Path(folder)
    scenario = validate(read_yaml(folder / "scenario.yaml"), folder)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    names = [n for n in table_fields() if big_tables or n not in ("tracks", "transfers")]
    tables = {name: read_table(folder, name) for name in names}
    if not big_tables:
        tables["tracks"] = pd.DataFrame(columns=list(TRACK_COLUMNS))
    present = {name: table for name, table in tables.items() if table is not None}
    return Result(scenario, int(summary["seed"]), summary=summary, **present)


def read_track_digest(folder: Path, duration_s: float, rows: int = 500_000) -> Tracks:
    """The digest of ``folder/tracks.csv`` (empty for older folders without one), read ``rows`` at a time."""
    digest = TrackDigest(duration_s)
    path = Path(folder) / "tracks.csv"
    if path.is_file():
        for chunk in pd.read_csv(path, chunksize=rows):
            digest.add_table(chunk)
    return digest.finish()
