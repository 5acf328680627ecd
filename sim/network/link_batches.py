"""Many transfers over one link at once: the transfers that one ``delay`` call each, in order, would
log, with the same random draws, as :class:`~sim.network.transfer_columns.TransferColumns`.

A transfer over a radio link draws, in this order, one uniform for its HARQ retransmissions
(``Generator.geometric`` by sequential search uses exactly one when its p = 1 − BLER is at least 1/3),
one for its scheduling wait and, for a downlink to a sleeping mMTC device, one for its paging wait: a
fixed number of doubles per transfer (:attr:`~sim.network.links.Link.draws_per_transfer`), so n
transfers take n times that many ``Generator.random`` doubles in one call. The geometric count is the
first k with U <= p + pq + ... + pq^(k−1), the partial sums formed as numpy's search forms them.
Links with BLER above 2/3 (a variable number of draws) and places where the radio map offers no
direct rate or a relay drone on station is within reach (a relayed or waiting route,
:mod:`sim.network.drone_relay`) take the one-at-a-time path, so every value is the one ``delay`` gives.
"""

from __future__ import annotations

import numpy as np

from sim.network.links import AirPath, Direction, Link
from sim.network.traces import TraceLink
from sim.network.transfer_columns import TEXT_COLUMNS, Text, TransferColumns


def air_paths(access, xy: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, Text]:
    """Rate (bit/s), TTI (s), route wait (s) and route of transfers from ``xy`` (n, 2) at ``t``, as
    ``access.path`` gives them; vectorised for a radio access where the map has a direct rate and no
    drone on station is within reach, one call each elsewhere."""
    n = len(t)
    rate, tti, wait = np.zeros(n), np.zeros(n), np.zeros(n)
    via = np.zeros(n, np.int64)
    names: list[str] = []
    single = np.ones(n, bool)
    radio_map = getattr(access, "map", None)
    if radio_map is not None and n:
        row, col = radio_map.index(xy[:, 0], xy[:, 1])
        serving = radio_map.serving[row, col]
        direct = access.rates[row, col]
        single = direct <= 0
        for fx, fy in access.fixed:
            single |= (xy[:, 0] == fx) & (xy[:, 1] == fy)
        reach = getattr(access.router, "may_relay", None)
        if access.router is not None:
            single |= reach(xy, t) if reach is not None else True
        uplink = access.load is not None and access.direction is Direction.UPLINK
        gnbs = [g.gnb for g in radio_map.gnbs]
        load = np.array([access.load.load[g.id] if uplink else 0.0 for g in gnbs])
        rate = direct * (1.0 - load[serving])
        tti = np.array([access.profile.tti_s(g.numerology) for g in gnbs])[serving]
        names = [g.id for g in gnbs]
        via = serving.astype(np.int64)
        if (prefetch := getattr(access.router, "prefetch", None)) is not None and single.any():
            prefetch(xy[single], t[single], access.profile)  # the relayed rates the calls below ask for
    for i in np.flatnonzero(single):
        air: AirPath = access.path((float(xy[i, 0]), float(xy[i, 1])), float(t[i]))
        rate[i], tti[i], wait[i] = air.rate_bps, air.tti_s, air.wait_s
        if air.via not in names:
            names.append(air.via)
        via[i] = names.index(air.via)
    return rate, tti, wait, Text(via, tuple(names))


def transfers(link: Link | TraceLink, payload_bytes: int, t: np.ndarray, xy: np.ndarray) -> TransferColumns:
    """The transfers ``link.delay(payload_bytes, xy[i], t[i])`` would log, for each i in order (times ``t``,
    s; positions ``xy`` (n, 2), m), drawing what those calls would draw."""
    if payload_bytes <= 0:
        raise ValueError(f"payload must be > 0 bytes, got {payload_bytes}")
    if isinstance(link, TraceLink):
        return _trace_transfers(link, payload_bytes, t, xy, link.next_delays(len(t)))
    n = len(t)
    rate, tti, route_wait, via = air_paths(link.access, xy, t)
    profile = link.profile
    scheduling = profile.scheduling(link.direction)
    if link.draws_per_transfer is None:  # a variable number of draws: one transfer at a time
        draws = [link.draw_waits(float(tti[i])) for i in range(n)]
        retransmissions = np.array([d[0] for d in draws], np.int64).reshape(n)
        waiting = np.array([d[1] for d in draws], float).reshape(n)
    else:
        uniforms = link.uniforms(n)
        first = int(profile.bler > 0)
        retransmissions = (
            _geometric(uniforms[:, 0], 1.0 - profile.bler) - 1 if first else np.zeros(n, np.int64)
        )
        waiting = (0.0 + scheduling.period_ttis * uniforms[:, first] + scheduling.fixed_ttis) * tti
        if link.direction is Direction.UPLINK:
            waiting = waiting + link.wake_up_s
        elif link.paging_cycle_s > 0:
            waiting = waiting + (0.0 + link.paging_cycle_s * uniforms[:, first + 1])
    transmission = np.ceil(payload_bytes * 8 / (rate * tti)) * tti
    harq = retransmissions * profile.harq_rtt_ttis * tti
    core = np.full(n, link.backhaul_s + profile.core_s)
    processing = np.full(n, float(link.processing_s))
    total = 0 + route_wait + waiting + transmission + harq + core + processing  # as sum() adds the parts
    return TransferColumns(
        {
            "t": np.asarray(t, float),
            "traffic": Text.constant(link.traffic, n),
            "service": Text.constant(profile.service.value, n),
            "direction": Text.constant(link.direction.value, n),
            "x": xy[:, 0].astype(float),
            "y": xy[:, 1].astype(float),
            "payload_bytes": np.full(n, payload_bytes, np.int64),
            "route_wait_s": route_wait,
            "scheduling_s": waiting,
            "transmission_s": transmission,
            "harq_s": harq,
            "core_s": core,
            "processing_s": processing,
            "total_s": total,
            "via": via,
        }
    )


def _trace_transfers(
    link: TraceLink, payload_bytes: int, t: np.ndarray, xy: np.ndarray, total: np.ndarray
) -> TransferColumns:
    """Transfers of a trace link: only the total is known (``via`` "trace", every part 0)."""
    n = len(t)
    zeros = np.zeros(n)
    texts = dict(
        zip(TEXT_COLUMNS, (link.traffic, link.service.value, link.direction.value, "trace"), strict=True)
    )
    return TransferColumns(
        {
            "t": np.asarray(t, float),
            **{name: Text.constant(value, n) for name, value in texts.items()},
            "x": xy[:, 0].astype(float),
            "y": xy[:, 1].astype(float),
            "payload_bytes": np.full(n, payload_bytes, np.int64),
            **{name: zeros for name in ("route_wait_s", "scheduling_s", "transmission_s", "harq_s")},
            "core_s": zeros,
            "processing_s": zeros,
            "total_s": np.asarray(total, float),
        }
    )


def _geometric(uniforms: np.ndarray, p: float) -> np.ndarray:
    """numpy's geometric draws by sequential search from their uniforms: the first k >= 1 with
    U <= p + pq + ... + pq^(k−1), the sums accumulated as numpy accumulates them."""
    sums = [p]
    term, q = p, 1.0 - p
    top = float(uniforms.max(initial=0.0))
    while sums[-1] < top:
        term *= q
        sums.append(sums[-1] + term)
    return np.searchsorted(np.array(sums), uniforms, side="left") + 1
