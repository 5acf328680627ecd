"""Background service traffic, the rows of ``transfers.csv`` a chunk at a time, and the network's part of a
run's summary.

URLLC remote-control heartbeats (to a boat while it is outbound or on scene) and mMTC telemetry (from a
boat while it is away or docked) do not change what boats do, so they are measured after the run: from
the recorded boat legs, at every multiple of their interval, each message's delay is sampled on its
own link at the boat's position then (one stream per traffic class, so they never change the draws of
other components). A class's stream is drawn boat by boat (boats in order of id, each boat's legs in
time), as one ``delay`` call per message would draw it; each boat's share starts where the boats
before it end (:meth:`sim.network.links.Link.fork`), so the messages can be made a stretch of time at a
time, for every boat at once, and merged with the run's own transfers in time order.

``transfers.csv`` lists every message in order of sending (ties: the run's own transfers in the order
they were sent, then heartbeats, then telemetry, boats in order of id), times to the microsecond.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby, pairwise

import numpy as np
import pandas as pd

from sim.core.stats import distribution
from sim.core.ticks import multiples
from sim.network.link_batches import transfers
from sim.network.links import Direction, LinkProfile, Service, Transfer
from sim.network.radio_map import RadioMap
from sim.network.transfer_columns import TRANSFER_COLUMNS, Text, TransferColumns
from sim.scenario.models import NetworkConfig
from sim.world.records import Leg

HEARTBEAT_BYTES = 32
"""A remote-control heartbeat: the 32-byte URLLC reference packet of TR 38.913 §7.9, bytes."""
CHUNK_ROWS = 100_000
"""Rows of transfers.csv made at a time (about)."""
_HEARTBEAT_STATES = ("outbound", "on_scene")

__all__ = ["TRANSFER_COLUMNS", "ServiceTraffic", "TransferDigest", "transfer_chunks", "transfers_table"]


@dataclass
class _BoatTicks:
    """One traffic class of one boat: its legs in time order, (t0, t1, x0, y0, x1, y1) rows, and its link,
    whose draws start at this boat's first message."""

    legs: np.ndarray
    link: object
    size: int
    interval: float
    horizon: float

    def count(self) -> int:
        """Messages in all."""
        return len(self._times(self.legs)[0])

    def between(self, lo: float, hi: float) -> TransferColumns | None:
        """The boat's messages sent in [lo, hi) (the next stretch after the last one asked for)."""
        legs = self.legs[(self.legs[:, 1] > lo) & (self.legs[:, 0] < hi)]
        t, owner = self._times(legs)
        inside = (t >= lo) & (t < hi)
        if not inside.any():
            return None
        t, (t0, t1, x0, y0, x1, y1) = t[inside], legs[owner[inside]].T
        span = t1 - t0
        f = np.divide(t - t0, span, out=np.zeros_like(t), where=span > 0)
        return transfers(self.link, self.size, t, np.column_stack([x0 + f * (x1 - x0), y0 + f * (y1 - y0)]))

    def _times(self, legs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The multiples of the interval in [t0, t1) of each leg before the horizon, and their legs."""
        t, counts = multiples(legs[:, 0], legs[:, 1], self.interval)
        owner = np.repeat(np.arange(len(legs)), counts)
        before = t < self.horizon
        return t[before], owner[before]


@dataclass
class ServiceTraffic:
    """The heartbeats and telemetry of a run's boat legs, a stretch of time at a time (:meth:`between`)."""

    streams: list[_BoatTicks] = field(default_factory=list)
    """Heartbeats boat by boat, then telemetry boat by boat."""
    count: int = 0
    """Messages in all."""

    @classmethod
    def of(
        cls,
        legs: Sequence[Leg],
        network: NetworkConfig,
        make_link: Callable[[str, Direction], object],
        horizon: float,
    ) -> ServiceTraffic:
        mmtc = network.mmtc
        plans = (
            ("heartbeat", Direction.DOWNLINK, network.heartbeat_interval, _HEARTBEAT_STATES, HEARTBEAT_BYTES),
            ("telemetry", Direction.UPLINK, mmtc.telemetry_interval, None, mmtc.telemetry_bytes),
        )
        ordered = sorted(legs, key=lambda leg: (leg.boat_id, leg.t0))
        traffic = cls()
        for name, direction, interval, states, size in plans:
            link = make_link(name, direction)
            drawn = 0  # messages of the boats before this one
            for _, boat_legs in groupby(ordered, key=lambda leg: leg.boat_id):
                mine = [leg for leg in boat_legs if states is None or str(leg.state) in states]
                rows = np.array([[g.t0, g.t1, g.x0, g.y0, g.x1, g.y1] for g in mine], float).reshape(-1, 6)
                stream = _BoatTicks(rows, link.fork(drawn), size, interval, horizon)
                traffic.streams.append(stream)
                drawn += stream.count()
            traffic.count += drawn
        return traffic

    def between(self, lo: float, hi: float) -> list[TransferColumns]:
        """Messages sent in [lo, hi), stream by stream; stretches must be asked for in time order."""
        return [part for stream in self.streams if (part := stream.between(lo, hi)) is not None]


def transfer_chunks(
    logged: Sequence[Transfer], service: ServiceTraffic, horizon: float, rows: int | None = None
) -> Iterator[TransferColumns]:
    """The rows of transfers.csv in order, in chunks of about ``rows`` (times rounded to the µs):
    the run's own transfers ``logged`` (in the order they were sent) and the service traffic (``rows``:
    default :data:`CHUNK_ROWS`)."""
    own = TransferColumns.of(logged)
    stretches = max(1, math.ceil((service.count + len(own)) / (rows or CHUNK_ROWS)))
    edges = [-math.inf, *np.linspace(0.0, horizon, stretches + 1)[1:-1].tolist(), math.inf]
    for lo, hi in pairwise(edges):
        mine = own.take(np.flatnonzero((own["t"] >= lo) & (own["t"] < hi)))
        chunk = TransferColumns.joined([mine, *service.between(lo, hi)])
        if len(chunk):
            yield chunk.take(np.argsort(chunk["t"], kind="stable")).rounded()


def transfers_table(chunks: Iterator[TransferColumns]) -> pd.DataFrame:
    """The whole of transfers.csv as one table (short runs; long ones are written chunk by chunk)."""
    frames = [chunk.frame() for chunk in chunks]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(TRANSFER_COLUMNS))


class TransferDigest:
    """What the summary needs of transfers.csv, gathered chunk by chunk: each service's delays, the
    evidence uploads' delays and route waits, and how many transfers went through a relay drone."""

    def __init__(self) -> None:
        self._totals: dict[str, list[np.ndarray]] = {s.value: [] for s in Service}
        self._evidence: list[np.ndarray] = []
        self.relayed = 0

    def add(self, chunk: TransferColumns) -> None:
        service: Text = chunk["service"]
        names = np.asarray(service.names, dtype=object)
        for code, name in enumerate(names):
            if name in self._totals:
                self._totals[name].append(chunk["total_s"][service.codes == code])
        traffic: Text = chunk["traffic"]
        evidence = traffic.codes == (traffic.names.index("evidence") if "evidence" in traffic.names else -1)
        self._evidence.append(np.column_stack([chunk["total_s"][evidence], chunk["route_wait_s"][evidence]]))
        via: Text = chunk["via"]
        relayed = np.array([">" in name for name in via.names] or [False])
        self.relayed += int(relayed[via.codes].sum())

    def summary(self, away_xy: np.ndarray, radio_map: RadioMap, profile: LinkProfile, sorties: int) -> dict:
        """``service_latency_s`` per service, ``coverage_gap_fraction`` of boat time away from the docks
        (``away_xy``: the tracks rows away from the dock, m), and the evidence uploads' route waits (the
        time spent waiting for coverage or the drone)."""
        latency = {name: _latency(_joined(parts)) for name, parts in self._totals.items()}
        if len(away_xy):
            row, col = radio_map.index(away_xy[:, 0], away_xy[:, 1])
            gap = round(float(1.0 - radio_map.covered(profile)[row, col].mean()), 4)
        else:
            gap = None
        evidence = np.concatenate(self._evidence) if self._evidence else np.zeros((0, 2))
        return {
            "service_latency_s": latency,
            "coverage_gap_fraction": gap,
            "network": {
                "evidence_upload_s": _latency(evidence[:, 0]),
                "evidence_route_wait_s": _latency(evidence[:, 1]),
                "relayed_transfers": self.relayed,
                "drone_sorties": sorties,
            },
        }


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0)


def _latency(values: np.ndarray) -> dict:
    spread = distribution(values)
    return {key: spread[key] for key in ("mean", "p50", "p99", "n")}
