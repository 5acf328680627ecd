"""The sweep table: one row per run, rebuilt from a sweep folder's ``runs/``.

Columns: ``run_id``, ``seed``, one per swept key (lists and mappings as
compact JSON), ``status`` (``ok``, ``failed``, ``missing``), ``error`` (the
last line of a failed run's traceback), then the fields of the run's
``summary.json`` flattened with dots (``response_time_s.p50``,
``counts.outcomes.deterred``, ...). ``wall_time_s`` and ``versions`` stay in
each run's ``summary.json``: they describe the machine, not the result, and
would make the table differ between executors.
"""

from __future__ import annotations

import importlib.util
import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core.files import publish
from sim.experiments.sweep_file import cell

MACHINE_FIELDS = ("wall_time_s", "versions")
"""Summary fields left out of the table (they depend on where and when a run executed)."""

STATUSES = ("ok", "failed", "missing")


def write_text(path: Path, text: str) -> None:
    """Write ``path`` through a temporary file renamed into place: readers never see half a file."""
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        handle.write(text)
    publish(Path(handle.name))
    Path(handle.name).replace(path)


def read_meta(out: Path) -> dict:
    """``sweep.json`` of a sweep folder."""
    return json.loads((Path(out) / "sweep.json").read_text(encoding="utf-8"))


def flatten(mapping: dict, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as one level with dotted keys; lists as compact JSON text."""
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list):  # one cell, one type per column (parquet)
            flat[name] = json.dumps(value, separators=(",", ":"))
        else:
            flat[name] = value
    return flat


def run_row(out: Path, run: dict, swept_keys: list[str]) -> dict[str, Any]:
    """The table row of one run of ``sweep.json``."""
    folder = Path(out) / "runs" / run["run_id"]
    row: dict[str, Any] = {"run_id": run["run_id"], "seed": run["seed"]}
    row |= {key: cell(run["swept"][key]) for key in swept_keys}
    if (folder / "summary.json").is_file():
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        kept = {k: v for k, v in summary.items() if k not in MACHINE_FIELDS}
        return row | {"status": "ok", "error": None} | flatten(kept)
    if (folder / "error.txt").is_file():
        lines = (folder / "error.txt").read_text(encoding="utf-8").strip().splitlines()
        return row | {"status": "failed", "error": lines[-1] if lines else "failed"}
    return row | {"status": "missing", "error": None}


def sweep_table(out: Path) -> pd.DataFrame:
    """The table of a sweep folder, runs in the order of ``sweep.json``."""
    meta = read_meta(out)
    rows = [run_row(out, run, meta["swept_keys"]) for run in meta["runs"]]
    return pd.DataFrame(rows)  # columns in first-seen order: the fixed ones, then the summary's own


def write_table(out: Path) -> Path:
    """Write ``sweep.csv`` (and ``sweep.parquet`` when pyarrow is installed); returns the CSV path."""
    out = Path(out)
    table = sweep_table(out)
    path = out / "sweep.csv"
    write_text(path, table.to_csv(index=False, na_rep="", lineterminator="\n"))
    if importlib.util.find_spec("pyarrow") is not None:
        staging = out / ".sweep.parquet.partial"
        # Parquet needs one type per column: swept values may mix numbers and text.
        swept = read_meta(out)["swept_keys"]
        table.astype({key: str for key in swept}).to_parquet(staging, index=False)
        publish(staging)
        staging.replace(out / "sweep.parquet")
    return path
