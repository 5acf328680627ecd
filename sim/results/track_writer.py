"""``tracks.csv`` written by a second process while the clock runs.

A simulated year of the default scenario has some 20 million track rows, as much work to write as the
event loop itself. The run's boat legs are final once recorded, so the engine sends them, a few at a time
(:meth:`TrackWriter.send`), to a process of its own (``spawn``: a fresh interpreter, as the sweeps' pool
uses), which turns them into rows (:class:`~sim.results.track_rows.BoatRows`, the rows of the whole-table
path), writes each boat's rows to a file of its own and feeds the digest; at the end
(:meth:`TrackWriter.close`) it joins the files in order of boat into ``tracks.csv`` and returns the digest.
The second core does the writing while the first runs the clock.
"""

from __future__ import annotations

import multiprocessing
import shutil
import traceback
from pathlib import Path

from sim.results.csv_text import header, rows_text
from sim.results.track_digest import TrackDigest, Tracks
from sim.results.track_rows import SAMPLE_S, TRACK_COLUMNS, BoatRows
from sim.world.records import Leg


class TrackWriter:
    """The process that writes ``folder/tracks.csv`` from the legs it is sent."""

    def __init__(self, folder: Path, duration_s: float, sample_s: float = SAMPLE_S):
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, str(folder), duration_s, sample_s), name="tracks.csv", daemon=True
        )
        self._process.start()
        child.close()
        self._sent = 0

    def send(self, legs: list[Leg]) -> None:
        """Send the legs recorded since the last call (``legs``: all of the run's so far, in order)."""
        new = legs[self._sent :]
        self._sent = len(legs)
        if new:
            self._connection.send([_fields(leg) for leg in new])

    def close(self) -> Tracks:
        """Wait until tracks.csv is whole; its digest. Raises RuntimeError if the writer failed."""
        try:
            self._connection.send(None)
            status, payload = self._connection.recv()
        except (EOFError, OSError) as error:
            raise RuntimeError(f"the process writing tracks.csv ended early ({error})") from None
        finally:
            self._process.join()
        if status != "ok":
            raise RuntimeError(f"writing tracks.csv failed:\n{payload}")
        return payload

    def stop(self) -> None:
        """End the process without waiting for its work (the run failed)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def _fields(leg: Leg) -> tuple:
    """A leg as plain values (its state as text: the writer need not import the fleet)."""
    return (
        leg.boat_id,
        leg.t0,
        leg.t1,
        leg.x0,
        leg.y0,
        leg.x1,
        leg.y1,
        str(leg.state),
        leg.battery0_wh,
        leg.battery1_wh,
    )


def _serve(connection, folder: str, duration_s: float, sample_s: float) -> None:
    """The writer process: legs in, rows out, until ``None``; then the digest (or the error) back."""
    try:
        connection.send(("ok", _write(connection, Path(folder), duration_s, sample_s)))
    except BaseException:
        connection.send(("error", traceback.format_exc()))
    finally:
        connection.close()


def _write(connection, folder: Path, duration_s: float, sample_s: float) -> Tracks:
    digest = TrackDigest(duration_s)
    boats: dict[str, tuple[BoatRows, Path]] = {}
    handles = {}
    try:
        while (batch := connection.recv()) is not None:
            mine: dict[str, list[Leg]] = {}
            for fields in batch:
                mine.setdefault(fields[0], []).append(Leg(*fields))
            for boat_id, legs in mine.items():
                if boat_id not in boats:
                    boats[boat_id] = (BoatRows(boat_id, sample_s), folder / f".tracks-{len(boats)}.part")
                    handles[boat_id] = boats[boat_id][1].open("wb")
                for chunk in boats[boat_id][0].add(legs):
                    digest.add(chunk)
                    handles[boat_id].write(rows_text(chunk.columns()))
        for boat_id, (rows, _) in boats.items():
            for chunk in rows.close():
                digest.add(chunk)
                handles[boat_id].write(rows_text(chunk.columns()))
    finally:
        for handle in handles.values():
            handle.close()
    with (folder / "tracks.csv").open("wb") as table:
        table.write(header(TRACK_COLUMNS))
        for boat_id in sorted(boats):
            part = boats[boat_id][1]
            with part.open("rb") as rows:
                shutil.copyfileobj(rows, table, 1 << 24)
            part.unlink()
    return digest.finish()
