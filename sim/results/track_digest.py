"""What the figures, the replay page and the summary need of ``tracks.csv``, gathered chunk by chunk as
the rows are written (or read back), so that none of them needs the whole table.

Per boat: the spans of each state (the boat timeline), the charge over time (drawn whole up to
:data:`FULL_CHARGE_ROWS` samples; beyond, the first, last, lowest and highest sample of each of
:data:`CHARGE_BUCKETS` equal stretches of the run, the M4 reduction of Jugel et al., "M4: a
visualization-oriented time series data aggregation", VLDB 2014, which draws the same line at any
width under a few thousand pixels), the rows away from the dock with their trip numbers (zone map,
coverage), and the replay page's keyframes (:func:`sim.results.replay_page.columns.keyframes`, computed
over each run of one state: both rows of every state change are keyframes, so this gives the keyframes
of the whole track; a run longer than :data:`KEYFRAME_RUN_ROWS` rows is cut there, which only adds a
keyframe).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.results.keyframes import KEYFRAME_TOLERANCE_M, keyframes
from sim.results.track_rows import TrackChunk

FULL_CHARGE_ROWS = 1_100_000
"""Samples of one boat's charge drawn whole: 63 days at one sample every 5 s."""
CHARGE_BUCKETS = 20_000
"""Stretches of a longer run whose extreme samples are drawn (some 20 per pixel of the figure)."""
KEYFRAME_RUN_ROWS = 250_000
"""Rows of one state run (about 14 days docked) whose keyframes are computed at once."""
DOCKED = "docked"


@dataclass
class BoatDigest:
    """One boat's part of the digest; arrays are lists of pieces until :meth:`TrackDigest.finish`."""

    samples: int = 0
    spans: list[tuple[str, float, float]] = field(default_factory=list)
    """Maximal runs of one state: (state, t0, t1), s; a run ends at the first row of the next."""
    charge: list[np.ndarray] = field(default_factory=list)
    """(t, battery) rows, s and Wh (all, or each bucket's extremes)."""
    away: list[np.ndarray] = field(default_factory=list)
    """(x, y, trip) rows away from the dock, m; the trip counts the docked rows before it."""
    keys: list[np.ndarray] = field(default_factory=list)
    """(t, x, y, state code) keyframes of the replay page."""
    state_names: list[str] = field(default_factory=list)
    run: list[np.ndarray] = field(default_factory=list)
    """Rows (t, x, y, state code) of the state run under way, for its keyframes."""
    run_rows: int = 0
    open_span: tuple[str, float] | None = None
    last_t: float = np.nan
    docked_rows: int = 0
    bucket: list[np.ndarray] = field(default_factory=list)
    """Rows (t, battery) of the charge bucket under way (long runs)."""
    bucket_index: int = -1


class TrackDigest:
    """Feed it the rows of ``tracks.csv`` in order (:meth:`add`), then :meth:`finish` it."""

    def __init__(self, duration_s: float, sample_s: float = 5.0):
        self.duration_s = duration_s
        self.thin_charge = duration_s / sample_s > FULL_CHARGE_ROWS
        self.bucket_s = duration_s / CHARGE_BUCKETS
        self.boats: dict[str, BoatDigest] = {}

    def add(self, chunk: TrackChunk) -> None:
        """The next rows (of one boat, in time; a boat's rows all come before the next boat's)."""
        if len(chunk) == 0:
            return
        boat = self.boats.setdefault(chunk.boat_id, BoatDigest())
        names = np.array([_code(boat.state_names, s) for s in chunk.states], np.int64)
        state = names[chunk.state]
        boat.samples += len(chunk)
        self._spans(boat, chunk.t, state)
        docked = (
            state == boat.state_names.index(DOCKED)
            if DOCKED in boat.state_names
            else np.zeros(len(chunk), bool)
        )
        trip = boat.docked_rows + np.cumsum(docked)
        boat.docked_rows = int(trip[-1])
        away = ~docked
        boat.away.append(np.column_stack([chunk.x[away], chunk.y[away], trip[away]]))
        self._charge(boat, chunk.t, chunk.battery_wh)
        self._keyframes(boat, np.column_stack([chunk.t, chunk.x, chunk.y, state]))
        boat.last_t = float(chunk.t[-1])

    def add_table(self, tracks: pd.DataFrame) -> None:
        """Rows of ``tracks.csv`` as a table (read back, or a whole run's), in the file's order."""
        if len(tracks) == 0:
            return
        boat_ids = tracks["boat_id"].astype(str).to_numpy()
        starts = np.flatnonzero(np.r_[True, boat_ids[1:] != boat_ids[:-1]])
        for a, b in zip(starts, [*starts[1:], len(boat_ids)], strict=True):
            part = tracks.iloc[a:b]
            codes, states = pd.factorize(part["state"].astype(str))
            self.add(
                TrackChunk(
                    boat_ids[a],
                    *(part[c].to_numpy(float) for c in ("t", "x", "y", "speed", "battery_wh")),
                    codes.astype(np.int64),
                    tuple(states),
                )
            )

    def finish(self) -> Tracks:
        """The digest, every boat's pieces joined."""
        boats = {}
        for boat_id in sorted(self.boats):
            boat = self.boats[boat_id]
            if boat.open_span is not None:
                state, t0 = boat.open_span
                if boat.last_t > t0:
                    boat.spans.append((state, t0, boat.last_t))
                boat.open_span = None
            self._bucket_done(boat)
            self._run_done(boat)
            boats[boat_id] = BoatTrack(
                boat.samples,
                pd.DataFrame(boat.spans, columns=["state", "t0", "t1"]),
                _joined(boat.charge, 2),
                _joined(boat.away, 3),
                _joined(boat.keys, 4),
                tuple(boat.state_names),
                boat.last_t,
            )
        return Tracks(boats)

    # ------------------------------------------------------------ the pieces

    @staticmethod
    def _spans(boat: BoatDigest, t: np.ndarray, state: np.ndarray) -> None:
        change = np.flatnonzero(state[1:] != state[:-1]) + 1
        starts = [0, *change.tolist()]
        if boat.open_span is not None and boat.state_names[state[0]] == boat.open_span[0]:
            starts = starts[1:]  # the run under way goes on
        for i in starts:
            if boat.open_span is not None:
                previous, t0 = boat.open_span
                if t[i] > t0:
                    boat.spans.append((previous, t0, float(t[i])))
            boat.open_span = (boat.state_names[state[i]], float(t[i]))

    def _charge(self, boat: BoatDigest, t: np.ndarray, battery: np.ndarray) -> None:
        rows = np.column_stack([t, battery])
        if not self.thin_charge:
            boat.charge.append(rows)
            return
        index = (t // self.bucket_s).astype(np.int64)
        cuts = np.flatnonzero(index[1:] != index[:-1]) + 1
        for piece, first in zip(np.split(rows, cuts), [0, *cuts.tolist()], strict=True):
            if index[first] != boat.bucket_index:
                self._bucket_done(boat)
                boat.bucket_index = int(index[first])
            boat.bucket.append(piece)

    @staticmethod
    def _bucket_done(boat: BoatDigest) -> None:
        """The bucket under way reduced to its first, lowest, highest and last rows, in time order."""
        if not boat.bucket:
            return
        rows = np.concatenate(boat.bucket)
        picked = np.unique([0, int(np.argmin(rows[:, 1])), int(np.argmax(rows[:, 1])), len(rows) - 1])
        boat.charge.append(rows[picked])
        boat.bucket = []

    def _keyframes(self, boat: BoatDigest, rows: np.ndarray) -> None:
        state = rows[:, 3]
        cuts = np.flatnonzero(state[1:] != state[:-1]) + 1
        for i, piece in enumerate(np.split(rows, cuts)):
            if i > 0 or (boat.run and boat.run[-1][-1, 3] != piece[0, 3]):
                self._run_done(boat)
            while boat.run_rows + len(piece) > KEYFRAME_RUN_ROWS:  # a long run: cut it at a keyframe
                room = KEYFRAME_RUN_ROWS - boat.run_rows
                if room > 0:
                    boat.run.append(piece[:room])
                    piece = piece[room:]
                last = boat.run[-1][-1:]
                self._run_done(boat)
                boat.keys[-1] = boat.keys[-1][:-1]  # that row is kept once, as the start of the rest
                boat.run, boat.run_rows = [last], 1
            boat.run.append(piece)
            boat.run_rows += len(piece)

    @staticmethod
    def _run_done(boat: BoatDigest) -> None:
        if not boat.run:
            return
        rows = np.concatenate(boat.run)
        kept = keyframes(rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3], KEYFRAME_TOLERANCE_M)
        boat.keys.append(rows[kept])
        boat.run, boat.run_rows = [], 0


@dataclass(frozen=True)
class BoatTrack:
    """What the figures and the replay page draw of one boat."""

    samples: int
    """Rows of the boat in tracks.csv."""
    spans: pd.DataFrame
    """``state, t0, t1``: maximal runs of one state, s."""
    charge: np.ndarray
    """(t, battery) rows to draw, s and Wh."""
    away: np.ndarray
    """(x, y, trip) rows away from the dock, m; rows of one trip share its number."""
    keys: np.ndarray
    """(t, x, y, state code) keyframes, codes into ``state_names``."""
    state_names: tuple[str, ...]
    t_last: float
    """Time of the boat's last row, s."""


@dataclass(frozen=True)
class Tracks:
    """The digest of a run's tracks: one :class:`BoatTrack` per boat, by sorted boat id."""

    boats: dict[str, BoatTrack]

    @property
    def t_max(self) -> float:
        """Time of the last row of any boat, s (nan without rows)."""
        return max((b.t_last for b in self.boats.values()), default=float("nan"))

    def away_xy(self) -> np.ndarray:
        """(x, y) of every row away from the dock, boat by boat as in tracks.csv, m."""
        parts = [b.away[:, :2] for b in self.boats.values()]
        return np.concatenate(parts) if parts else np.zeros((0, 2))

    @classmethod
    def of(cls, tracks: pd.DataFrame, duration_s: float) -> Tracks:
        """The digest of a whole table."""
        digest = TrackDigest(duration_s)
        digest.add_table(tracks)
        return digest.finish()


def digest_of(chunks: Iterable[TrackChunk], duration_s: float) -> Tracks:
    """The digest of a run's chunks."""
    digest = TrackDigest(duration_s)
    for chunk in chunks:
        digest.add(chunk)
    return digest.finish()


def _code(names: list[str], name: str) -> int:
    if name not in names:
        names.append(name)
    return names.index(name)


def _joined(pieces: list[np.ndarray], width: int) -> np.ndarray:
    return np.concatenate(pieces) if pieces else np.zeros((0, width))
