"""Background service traffic and the network's part of a run's summary.

URLLC remote-control heartbeats (to a boat while it is outbound or on scene)
and mMTC telemetry (from a boat while it is away from its dock) do not change
what boats do, so they are measured after the run: from the recorded boat
legs, at every multiple of their interval, each message's delay is sampled
on its own link at the boat's position then (one stream per traffic class,
so they never change the draws of other components).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import fields

import numpy as np
import pandas as pd

from sim.core.stats import distribution
from sim.network.links import Direction, LinkProfile, Service, Transfer
from sim.network.radio_map import RadioMap
from sim.scenario.models import NetworkConfig
from sim.world.records import Leg

HEARTBEAT_BYTES = 32
"""A remote-control heartbeat: the 32-byte URLLC reference packet of TR 38.913 §7.9, bytes."""
TRANSFER_COLUMNS = tuple(f.name for f in fields(Transfer))
_HEARTBEAT_STATES = ("outbound", "on_scene")


def _ticks(legs: Sequence[Leg], interval: float, states: tuple[str, ...] | None) -> np.ndarray:
    """(t, x, y) rows of a boat at each multiple of ``interval`` in the legs in ``states`` (None: all)."""
    chunks = [np.zeros((0, 3))]
    for leg in sorted(legs, key=lambda leg: (leg.boat_id, leg.t0)):
        if states is not None and str(leg.state) not in states:
            continue
        t = np.arange(math.ceil(leg.t0 / interval) * interval, leg.t1, interval)
        span = leg.t1 - leg.t0
        f = (t - leg.t0) / span if span > 0 else np.zeros_like(t)
        chunks.append(np.column_stack([t, leg.x0 + f * (leg.x1 - leg.x0), leg.y0 + f * (leg.y1 - leg.y0)]))
    return np.concatenate(chunks)


def service_traffic(
    legs: Sequence[Leg], network: NetworkConfig, make_link: Callable[[str, Direction], object], horizon: float
) -> None:
    """Send the heartbeats and telemetry of the run's boat legs through their links (they log themselves)."""
    plans = (
        ("heartbeat", Direction.DOWNLINK, network.heartbeat_interval, _HEARTBEAT_STATES, HEARTBEAT_BYTES),
        ("telemetry", Direction.UPLINK, network.mmtc.telemetry_interval, None, network.mmtc.telemetry_bytes),
    )
    for traffic, direction, interval, states, size in plans:
        link = make_link(traffic, direction)
        for t, x, y in _ticks(legs, interval, states).tolist():
            if t < horizon:
                link.delay(size, (x, y), t)


def transfers_table(transfers: Sequence[Transfer]) -> pd.DataFrame:
    """One row per transfer, in order of sending; times rounded to the microsecond."""
    row = operator.attrgetter(*TRANSFER_COLUMNS)  # dataclasses.asdict deep-copies: 20x slower
    table = pd.DataFrame([row(t) for t in transfers], columns=list(TRANSFER_COLUMNS))
    table = table.sort_values("t", kind="stable").reset_index(drop=True)
    seconds = [c for c in TRANSFER_COLUMNS if c.endswith("_s") or c == "t"]
    table[seconds] = table[seconds].astype(float).round(6)
    return table


def _latency(values: pd.Series) -> dict:
    spread = distribution(values)
    return {key: spread[key] for key in ("mean", "p50", "p99", "n")}


def network_summary(
    transfers: pd.DataFrame, tracks: pd.DataFrame, radio_map: RadioMap, profile: LinkProfile, sorties: int
) -> dict:
    """``service_latency_s`` per service, ``coverage_gap_fraction`` of boat time away from the docks,
    and the evidence uploads' route waits (the time spent waiting for coverage or the drone)."""
    service = transfers["service"] if len(transfers) else pd.Series(dtype=str)
    latency = {s.value: _latency(transfers.loc[service == s.value, "total_s"]) for s in Service}
    away = tracks[tracks["state"] != "docked"] if len(tracks) else tracks
    if len(away):
        row, col = radio_map.index(away["x"].to_numpy(), away["y"].to_numpy())
        gap = round(float(1.0 - radio_map.covered(profile)[row, col].mean()), 4)
    else:
        gap = None
    evidence = transfers[transfers["traffic"] == "evidence"] if len(transfers) else transfers
    return {
        "service_latency_s": latency,
        "coverage_gap_fraction": gap,
        "network": {
            "evidence_upload_s": _latency(evidence["total_s"]) if len(evidence) else _latency(pd.Series()),
            "evidence_route_wait_s": _latency(evidence["route_wait_s"])
            if len(evidence)
            else _latency(pd.Series()),
            "relayed_transfers": int(transfers["via"].str.contains(">").sum()) if len(transfers) else 0,
            "drone_sorties": sorties,
        },
    }
