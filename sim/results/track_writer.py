"""``tracks.csv`` written by a second process while the clock runs.

A simulated year of the default scenario has some 20 million track rows, about as much work to write as
the event loop itself. The run's boat legs are final once recorded, so the engine sends them, a few at a
time (:meth:`TrackWriter.send`), to a process of its own: a fresh interpreter running :func:`serve`, fed
pickled legs on its standard input (it never imports the caller's script). It turns them into rows
(:class:`~sim.results.track_rows.BoatRows`, as the whole-table path does), writes each boat's rows to a
file of its own and feeds the digest; at the end (:meth:`TrackWriter.close`) it joins the files in order
of boat into ``tracks.csv`` and returns the digest. The second core writes while the first runs the clock.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

from sim.results.csv_text import header, rows_text
from sim.results.track_digest import TrackDigest, Tracks
from sim.results.track_rows import SAMPLE_S, TRACK_COLUMNS, BoatRows
from sim.world.records import Leg


class TrackWriter:
    """The process that writes ``folder/tracks.csv`` from the legs it is sent."""

    def __init__(self, folder: Path, duration_s: float, sample_s: float = SAMPLE_S):
        root = str(Path(__file__).resolve().parents[2])  # where this sim package lives: the child imports it
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": root if not path else os.pathsep.join([root, path])}
        serve = f"from {__name__} import serve; serve({str(folder)!r}, {duration_s!r}, {sample_s!r})"
        argv = [sys.executable, "-c", serve]
        self._process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self._sent = 0

    def send(self, legs: list[Leg]) -> None:
        """Send the legs recorded since the last call (``legs``: all of the run's so far, in order)."""
        new = legs[self._sent :]
        self._sent = len(legs)
        if new:
            self._put([_fields(leg) for leg in new])

    def close(self) -> Tracks:
        """Wait until tracks.csv is whole; its digest. Raises RuntimeError if the writer failed."""
        try:
            self._put(None)
            self._process.stdin.close()
            status, payload = pickle.load(self._process.stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            raise self._gone(error) from None
        self._process.wait()
        if status != "ok":
            raise RuntimeError(f"writing tracks.csv failed:\n{payload}")
        return payload

    def stop(self) -> None:
        """End the process without waiting for its work (the run failed)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()

    def _put(self, message) -> None:
        try:
            pickle.dump(message, self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._process.stdin.flush()
        except OSError as error:  # the writer is gone
            raise self._gone(error) from None

    def _gone(self, error: Exception) -> RuntimeError:
        """Why the writer is gone: its own error if it sent one before it ended (it fails on a batch and
        ends while later ones are still being sent, which then meet a broken pipe), else how its pipe
        broke."""
        try:
            status, payload = pickle.load(self._process.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            status, payload = None, None
        self.stop()
        if status == "error":
            return RuntimeError(f"writing tracks.csv failed:\n{payload}")
        return RuntimeError(f"the process writing tracks.csv ended early ({error!r})")


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


def serve(folder: str, duration_s: float, sample_s: float) -> None:
    """The writer process: pickled batches of legs on stdin until ``None``; the digest (or the error)
    pickled on stdout. Anything printed goes to stderr."""
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    try:
        reply = ("ok", _write(requests, Path(folder), duration_s, sample_s))
    except BaseException:
        reply = ("error", traceback.format_exc())
    pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
    replies.flush()


def _write(requests, folder: Path, duration_s: float, sample_s: float) -> Tracks:
    digest = TrackDigest(duration_s)
    boats: dict[str, tuple[BoatRows, Path]] = {}
    handles = {}
    try:
        while (batch := pickle.load(requests)) is not None:
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
