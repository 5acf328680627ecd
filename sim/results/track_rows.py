"""The rows of ``tracks.csv``, a chunk at a time: boat positions every ``sample_s`` seconds while moving,
holding or docked, plus each leg's ends, from the boat legs of a run.

A year of the default scenario has some 20 million rows; each chunk holds at most about
:data:`CHUNK_ROWS` of them, of one boat, as numpy columns, so the table is never held whole. The rows
are those of :func:`track_table`: legs in order of boat and start, a row per sample time of each leg
(times rounded to the ms), and of rows at the same boat and rounded time only the last. Within one boat
the legs follow each other in time, so such rows are neighbours; the last row of a chunk waits for the
next chunk to see whether that chunk's first row replaces it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby

import numpy as np
import pandas as pd

from sim.results.csv_text import Column, Fixed, Labels
from sim.world.records import Leg

TRACK_COLUMNS = ("boat_id", "t", "x", "y", "speed", "battery_wh", "state")
SAMPLE_S = 5.0
"""Time between two samples of a boat, s (tracks.csv: a row every 5 s, docked too)."""
CHUNK_ROWS = 400_000
"""Rows of one chunk (about; a chunk ends with a leg, or inside a longer leg), some 30 MB as columns."""


@dataclass(frozen=True)
class TrackChunk:
    """Consecutive rows of ``tracks.csv``, all of one boat, values rounded as written."""

    boat_id: str
    t: np.ndarray
    """s, to the ms."""
    x: np.ndarray
    y: np.ndarray
    """m, to the cm."""
    speed: np.ndarray
    """m/s, to the mm/s."""
    battery_wh: np.ndarray
    """Wh, to the cWh."""
    state: np.ndarray
    """Indices into ``states``."""
    states: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.t)

    def columns(self) -> list[Column]:
        """The chunk as CSV columns, in the order of :data:`TRACK_COLUMNS`."""
        boat = Labels(np.zeros(len(self), np.int64), (self.boat_id,))
        numbers = [Fixed(self.t, 3), Fixed(self.x, 2), Fixed(self.y, 2), Fixed(self.speed, 3)]
        return [boat, *numbers, Fixed(self.battery_wh, 2), Labels(self.state, self.states)]

    def frame(self) -> pd.DataFrame:
        """The chunk as a table with the columns of ``tracks.csv``."""
        return pd.DataFrame(
            {
                "boat_id": np.full(len(self), self.boat_id),
                "t": self.t,
                "x": self.x,
                "y": self.y,
                "speed": self.speed,
                "battery_wh": self.battery_wh,
                "state": np.asarray(self.states)[self.state] if len(self) else np.array([], str),
            },
            columns=list(TRACK_COLUMNS),
        )

    def rows(self, keep: np.ndarray | slice) -> TrackChunk:
        """The chunk's rows at ``keep`` (a mask, indices or a slice)."""
        return TrackChunk(
            self.boat_id,
            self.t[keep],
            self.x[keep],
            self.y[keep],
            self.speed[keep],
            self.battery_wh[keep],
            self.state[keep],
            self.states,
        )


def track_chunks(
    legs: Iterable[Leg], sample_s: float = SAMPLE_S, rows: int = CHUNK_ROWS
) -> Iterator[TrackChunk]:
    """The rows of ``tracks.csv`` in order (boat by boat, in time), in chunks of about ``rows`` rows."""
    ordered = sorted(legs, key=lambda leg: (leg.boat_id, leg.t0))
    for boat_id, boat_legs in groupby(ordered, key=lambda leg: leg.boat_id):
        held = None  # the last row so far, until the next row shows it is not replaced
        for chunk in _sampled(boat_id, list(boat_legs), sample_s, rows):
            if held is not None:
                chunk = _joined(held, chunk)
            last = np.ones(len(chunk), bool)
            last[:-1] = chunk.t[1:] != chunk.t[:-1]  # the last of rows at one time
            if np.any(chunk.t[1:] < chunk.t[:-1]):
                raise RuntimeError(f"the legs of boat {boat_id!r} overlap in time")
            kept = np.flatnonzero(last)
            held = chunk.rows(kept[-1:])
            if len(kept) > 1:
                yield chunk.rows(kept[:-1])
        if held is not None:
            yield held


def track_table(legs: Iterable[Leg], sample_s: float = SAMPLE_S) -> pd.DataFrame:
    """The whole of ``tracks.csv`` as one table (short runs; long ones are written chunk by chunk)."""
    frames = [chunk.frame() for chunk in track_chunks(legs, sample_s)]
    if not frames:
        return pd.DataFrame(columns=list(TRACK_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def _sampled(boat_id: str, legs: Sequence[Leg], sample_s: float, rows: int) -> Iterator[TrackChunk]:
    """Rows of one boat's legs (ordered by start), duplicates included, in chunks of about ``rows``."""
    batch: list[Leg] = []
    times: list[np.ndarray] = []
    count = 0
    for leg in legs:
        t = leg_times(leg, sample_s)
        for start in range(0, len(t), rows):  # a leg longer than a chunk (a boat docked for weeks)
            batch.append(leg)
            times.append(t[start : start + rows])
            count += len(times[-1])
            if count >= rows:
                yield _rows(boat_id, batch, times)
                batch, times, count = [], [], 0
    if batch:
        yield _rows(boat_id, batch, times)


def leg_times(leg: Leg, sample_s: float) -> np.ndarray:
    """A leg's sample times: its start, every multiple of ``sample_s`` inside it, its end (s)."""
    inside = np.arange(math.ceil(leg.t0 / sample_s) * sample_s, leg.t1, sample_s)
    return np.unique(np.concatenate([[leg.t0], inside, [leg.t1]]))


def _rows(boat_id: str, legs: list[Leg], times: list[np.ndarray]) -> TrackChunk:
    """Rows of ``legs`` at ``times`` (one array per leg): positions and charge interpolated linearly."""
    counts = [len(t) for t in times]
    attributes = np.array(
        [[leg.t0, leg.t1, leg.x0, leg.y0, leg.x1, leg.y1, leg.battery0_wh, leg.battery1_wh] for leg in legs]
    )
    t0, t1, x0, y0, x1, y1, b0, b1 = np.repeat(attributes, counts, axis=0).T
    t = np.concatenate(times)
    span = t1 - t0
    fraction = np.divide(t - t0, span, out=np.zeros_like(t), where=span > 0)
    states, codes = np.unique([str(leg.state) for leg in legs], return_inverse=True)
    return TrackChunk(
        boat_id,
        t.round(3),
        (x0 + fraction * (x1 - x0)).round(2),
        (y0 + fraction * (y1 - y0)).round(2),
        np.repeat([round(leg.speed, 3) for leg in legs], counts),
        (b0 + fraction * (b1 - b0)).round(2),
        np.repeat(codes.astype(np.int64), counts),
        tuple(str(s) for s in states),
    )


def _joined(first: TrackChunk, second: TrackChunk) -> TrackChunk:
    """Two chunks of one boat as one (the second's state names after the first's)."""
    states = first.states + tuple(s for s in second.states if s not in first.states)
    recode = np.array([states.index(s) for s in second.states], np.int64)
    return TrackChunk(
        first.boat_id,
        *(
            np.concatenate([getattr(first, c), getattr(second, c)])
            for c in ("t", "x", "y", "speed", "battery_wh")
        ),
        np.concatenate([first.state, recode[second.state]]),
        states,
    )
