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

from sim.core.ticks import multiples
from sim.results.csv_text import Column, Fixed, Labels
from sim.world.records import Leg

TRACK_COLUMNS = ("boat_id", "t", "x", "y", "speed", "battery_wh", "state")
SAMPLE_S = 5.0
"""Time between two samples of a boat, s (tracks.csv: a row every 5 s, docked too)."""
_LEGS_PER_BATCH = 4096
"""Legs sampled at once."""
CHUNK_ROWS = 400_000
"""Most rows of a chunk (cut from the rows of up to :data:`_LEGS_PER_BATCH` legs made at once), ~30 MB."""


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
    legs: Iterable[Leg], sample_s: float = SAMPLE_S, rows: int | None = None
) -> Iterator[TrackChunk]:
    """The rows of ``tracks.csv`` in order (boat by boat, in time), in chunks of at most ``rows`` rows
    (default :data:`CHUNK_ROWS`)."""
    ordered = sorted(legs, key=lambda leg: (leg.boat_id, leg.t0))
    for boat_id, boat_legs in groupby(ordered, key=lambda leg: leg.boat_id):
        boat = BoatRows(boat_id, sample_s, rows)
        yield from boat.add(list(boat_legs))
        yield from boat.close()


class BoatRows:
    """One boat's rows of ``tracks.csv``, from its legs given in order of start, all at once or a few at
    a time as the run records them (:meth:`add`), then :meth:`close`."""

    def __init__(self, boat_id: str, sample_s: float = SAMPLE_S, rows: int | None = None):
        """``rows``: most rows of a chunk (default :data:`CHUNK_ROWS`)."""
        self.boat_id, self.sample_s, self.rows = boat_id, sample_s, rows or CHUNK_ROWS
        self._held: TrackChunk | None = None  # the last row so far, until the next row shows it stays
        self._start = -math.inf  # start of the last leg, s

    def add(self, legs: Sequence[Leg]) -> Iterator[TrackChunk]:
        """The rows of ``legs`` (the boat's next ones) that no later leg can replace."""
        for leg in legs:
            if leg.t0 < self._start:
                raise RuntimeError(
                    f"boat {self.boat_id!r}: a leg from t = {leg.t0} s after one from {self._start} s"
                )
            self._start = leg.t0
        for chunk in _sampled(self.boat_id, legs, self.sample_s, self.rows):
            if self._held is not None:
                chunk = _joined(self._held, chunk)
            if np.any(chunk.t[1:] < chunk.t[:-1]):
                raise RuntimeError(f"the legs of boat {self.boat_id!r} overlap in time")
            last = np.ones(len(chunk), bool)
            last[:-1] = chunk.t[1:] != chunk.t[:-1]  # the last of rows at one time
            kept = np.flatnonzero(last)
            self._held = chunk.rows(kept[-1:])
            if len(kept) > 1:
                yield chunk.rows(kept[:-1])

    def close(self) -> Iterator[TrackChunk]:
        """The last row."""
        if self._held is not None:
            yield self._held
            self._held = None


def track_table(legs: Iterable[Leg], sample_s: float = SAMPLE_S) -> pd.DataFrame:
    """The whole of ``tracks.csv`` as one table (short runs; long ones are written chunk by chunk)."""
    frames = [chunk.frame() for chunk in track_chunks(legs, sample_s)]
    if not frames:
        return pd.DataFrame(columns=list(TRACK_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def _sampled(boat_id: str, legs: Sequence[Leg], sample_s: float, rows: int) -> Iterator[TrackChunk]:
    """Rows of one boat's legs (ordered by start), duplicates included, in chunks of at most ``rows``."""
    for first in range(0, len(legs), _LEGS_PER_BATCH):
        batch = legs[first : first + _LEGS_PER_BATCH]
        chunk = _rows(boat_id, batch, *leg_times(batch, sample_s))
        for start in range(0, len(chunk), rows):
            yield chunk.rows(slice(start, start + rows))


def leg_times(legs: Sequence[Leg], sample_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Each leg's sample times, one leg after the other: its start, every multiple of ``sample_s`` inside
    it, its end, in order and each once (``numpy.unique`` of them), s; and how many each leg has."""
    t0 = np.array([leg.t0 for leg in legs], float)
    t1 = np.array([leg.t1 for leg in legs], float)
    inside, counts = multiples(t0, t1, sample_s)
    lengths = counts + 2
    ends = np.cumsum(lengths)
    times = np.empty(int(ends[-1]) if len(legs) else 0)
    ends_mask = np.zeros(len(times), bool)
    ends_mask[ends - lengths] = ends_mask[ends - 1] = True
    times[ends - lengths], times[ends - 1], times[~ends_mask] = t0, t1, inside
    owner = np.repeat(np.arange(len(legs)), lengths)
    same = owner[1:] == owner[:-1]
    if np.any(same & (times[1:] < times[:-1])):  # rounding put a multiple outside its leg: sort each leg
        parts = [np.unique(times[e - n : e]) for e, n in zip(ends, lengths, strict=True)]
        return np.concatenate(parts), np.array([len(p) for p in parts], np.int64)
    keep = np.ones(len(times), bool)
    keep[1:] = ~(same & (times[1:] == times[:-1]))
    return times[keep], np.bincount(owner[keep], minlength=len(legs))


def _rows(boat_id: str, legs: Sequence[Leg], t: np.ndarray, counts: np.ndarray) -> TrackChunk:
    """Rows of ``legs`` at times ``t`` (``counts`` each): positions and charge interpolated linearly."""
    attributes = np.array(
        [[leg.t0, leg.t1, leg.x0, leg.y0, leg.x1, leg.y1, leg.battery0_wh, leg.battery1_wh] for leg in legs]
    )
    t0, t1, x0, y0, x1, y1, b0, b1 = np.repeat(attributes, counts, axis=0).T
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
        np.repeat(codes.reshape(-1).astype(np.int64), counts),
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
