"""Reading a run's output folder back into a :class:`~sim.engine.Result`.

So figures can be redrawn from a finished run (``run_sim.py plot OUT``) with the
same functions that drew them after the run: whatever
:func:`sim.plots.draw_run_figures` draws, a redraw draws too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.engine import Result
from sim.loading import ScenarioError, read_yaml, validate
from sim.metrics import ALARM_COLUMNS, INCIDENT_COLUMNS, MISSION_COLUMNS, TRACK_COLUMNS

TABLES = {
    "incidents": INCIDENT_COLUMNS,
    "alarms": ALARM_COLUMNS,
    "missions": MISSION_COLUMNS,
    "tracks": TRACK_COLUMNS,
}
"""The tables of a run folder and their contract columns."""


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """``folder/<name>.csv``, checked for its contract columns (an absent tracks.csv reads as empty)."""
    path = folder / f"{name}.csv"
    if not path.is_file():
        if name == "tracks":  # older run folders have none
            return pd.DataFrame(columns=list(TRACK_COLUMNS))
        raise ScenarioError(f"{folder}: no {path.name}")
    table = pd.read_csv(path)
    missing = [column for column in TABLES[name] if column not in table.columns]
    if missing:
        raise ScenarioError(f"{path}: missing columns {', '.join(missing)}")
    return table


def read_run(folder: Path) -> Result:
    """The result stored in a run folder: tables, summary and the resolved scenario."""
    folder = Path(folder)
    scenario = validate(read_yaml(folder / "scenario.yaml"), folder)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    tables = {name: read_table(folder, name) for name in TABLES}
    return Result(scenario, int(summary["seed"]), summary=summary, **tables)
