"""A finished run before its big tables exist: the small tables (incidents, alarms, missions, sorties)
whole, and ``tracks.csv`` and ``transfers.csv`` as sources of chunks, from which the run's folder is
written chunk by chunk (:mod:`sim.results.stream_writing`) or a whole :class:`Result` is built; both
compute the summary from the same digests of the chunks, so both give the same numbers."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata

import pandas as pd

from sim.network.service_traffic import TransferDigest, transfers_table
from sim.network.transfer_columns import TransferColumns
from sim.results.result import Result
from sim.results.tables import summarize
from sim.results.track_digest import TrackDigest, Tracks
from sim.results.track_rows import TRACK_COLUMNS, TrackChunk
from sim.scenario.models import Scenario

PACKAGES = ("numpy", "simpy", "shapely", "networkx", "pandas", "pydantic")
"""Packages whose versions the summary records."""


@dataclass(frozen=True)
class RunParts:
    """What one run produced, the big tables still to be made (each source can be read once)."""

    scenario: Scenario
    seed: int
    incidents: pd.DataFrame
    alarms: pd.DataFrame
    missions: pd.DataFrame
    sorties: pd.DataFrame
    track_chunks: Callable[[], Iterator[TrackChunk]]
    """The rows of tracks.csv, in order, chunk by chunk."""
    transfer_chunks: Callable[[], Iterator[TransferColumns]]
    """The rows of transfers.csv, in order, chunk by chunk."""
    network_summary: Callable[[Tracks, TransferDigest], dict]
    """The network's part of the summary, from the digests of the two big tables."""
    boats: int
    events: int
    """SimPy events the run processed."""
    wall_start: float
    """``time.perf_counter()`` when the run began."""
    alarm_frames: tuple[tuple[str, bytes], ...] = ()

    def summary(self, tracks: Tracks, transfers: TransferDigest) -> dict:
        """summary.json: KPIs from the small tables and the digests; the wall time up to now."""
        run = self.scenario.run
        duration = run.duration
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "mode": run.mode.value,
            "start": run.start.isoformat(),
            "duration_s": duration,
            **summarize(self.incidents, self.alarms, self.missions, duration, self.boats),
            **self.network_summary(tracks, transfers),
            "sim_events": self.events,
            "wall_time_s": round(time.perf_counter() - self.wall_start, 3),
            "versions": {"python": platform.python_version()}
            | {name: metadata.version(name) for name in PACKAGES},
        }

    def result(self) -> Result:
        """The run as a :class:`Result` with every table whole (short runs)."""
        track_digest, transfer_digest = TrackDigest(self.scenario.run.duration), TransferDigest()
        frames = []
        for chunk in self.track_chunks():
            track_digest.add(chunk)
            frames.append(chunk.frame())
        tracks = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(TRACK_COLUMNS))
        transfers = transfers_table(_fed(self.transfer_chunks(), transfer_digest))
        summary = self.summary(track_digest.finish(), transfer_digest)
        return Result(
            self.scenario,
            self.seed,
            self.incidents,
            self.alarms,
            self.missions,
            tracks,
            summary,
            transfers,
            self.sorties,
            self.alarm_frames,
        )


def _fed(chunks: Iterator[TransferColumns], digest: TransferDigest) -> Iterator[TransferColumns]:
    for chunk in chunks:
        digest.add(chunk)
        yield chunk
