"""Writing a run's folder as its big tables are made: ``tracks.csv`` and ``transfers.csv`` are appended
chunk by chunk (:mod:`sim.results.csv_text`, the bytes pandas would write), each chunk fed to the digests
from which the summary, the figures and the replay page are made, so no table is ever held whole. A year
of the default scenario writes about 20 million track rows and 5 million transfers this way in bounded
memory. The engine writes into a staging folder that appears whole or not at all
(:func:`sim.results.writing.staged`; :meth:`sim.engine.Simulation.run_into`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from sim.network.service_traffic import TRANSFER_COLUMNS, TransferDigest
from sim.network.transfer_columns import TEXT_COLUMNS, TransferColumns
from sim.results.csv_text import Column, Fixed, Floats, Integers, Labels, header, rows_text
from sim.results.run_data import RunData
from sim.results.run_parts import RunParts
from sim.results.track_digest import TrackDigest
from sim.results.track_rows import TRACK_COLUMNS, TrackChunk
from sim.results.track_writer import TrackWriter
from sim.results.writing import SMALL_TABLES, write_rest


def fill_folder(
    parts: RunParts,
    staging: Path,
    out: Path,
    figures: bool = True,
    replay: bool = True,
    replay_label: str | None = None,
    track_writer: TrackWriter | None = None,
    summary_extra: dict | None = None,
) -> dict:
    """Write the run's files into ``staging`` (to become ``out``); returns the summary. ``track_writer``:
    the process writing tracks.csv there, which has been sent every leg (default: written here);
    ``summary_extra``: entries added to summary.json."""
    for name in SMALL_TABLES:
        getattr(parts, name).to_csv(staging / f"{name}.csv", index=False, na_rep="")
    transfers = TransferDigest()
    if track_writer is None:
        digest = TrackDigest(parts.scenario.run.duration)
        append_table(
            staging / "tracks.csv", TRACK_COLUMNS, parts.track_chunks(), digest.add, TrackChunk.columns
        )
        tracks = digest.finish()
    append_table(
        staging / "transfers.csv", TRANSFER_COLUMNS, parts.transfer_chunks(), transfers.add, transfer_csv
    )
    if track_writer is not None:
        tracks = track_writer.close()
    summary = parts.summary(tracks, transfers) | dict(summary_extra or {})
    data = RunData(
        parts.scenario,
        parts.seed,
        parts.incidents,
        parts.alarms,
        parts.missions,
        pd.DataFrame(columns=list(TRACK_COLUMNS)),  # written above; the figures and the page take its digest
        summary,
        pd.DataFrame(columns=list(TRANSFER_COLUMNS)),
        parts.sorties,
        parts.alarm_frames,
    )
    write_rest(data, staging, out, figures, replay, replay_label, tracks=tracks)
    return summary


def append_table(
    path: Path, names: Iterable[str], chunks: Iterable, digest: Callable, columns: Callable
) -> None:
    """Write ``names`` as the header line, then each chunk's rows as they come, each chunk also given to
    ``digest``; ``columns(chunk)`` turns a chunk into CSV columns. A thread writes one chunk's text to the
    file while the next is made (writing releases the GIL)."""
    with path.open("wb") as handle, ThreadPoolExecutor(1) as writer:
        handle.write(header(list(names)))
        pending = None
        for chunk in chunks:
            digest(chunk)
            text = rows_text(columns(chunk))
            if pending is not None:
                pending.result()
            pending = writer.submit(handle.write, text)
        if pending is not None:
            pending.result()


def transfer_csv(chunk: TransferColumns) -> list[Column]:
    """A chunk of transfers as the columns of transfers.csv (times already rounded to the µs)."""
    columns: list[Column] = []
    for name in TRANSFER_COLUMNS:
        column = chunk[name]
        if name in TEXT_COLUMNS:
            columns.append(Labels(column.codes, column.names))
        elif name == "payload_bytes":
            columns.append(Integers(column))
        elif name in ("x", "y"):
            columns.append(Floats(column))
        else:
            columns.append(Fixed(column, 6))
    return columns
