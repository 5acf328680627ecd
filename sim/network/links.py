"""Links: how long a message takes from sender to receiver.

A :class:`Link` is the ``Cable`` of SimPy's latency example: a sender asks
``link.delay(payload_bytes, position, t)`` and waits that long before the
receiver gets the message. One transfer takes

    route wait                                  (no coverage: wait for the drone relay or for the boat
                                                 to come back into coverage; see sim.network.drone_relay)
  + scheduling wait ~ U(0, period) + fixed      (scheduling request or configured grant, grant, K2,
                                                 processing; mMTC devices wake up first)
  + ceil(payload / bits per TTI) TTIs           (rate = B · efficiency(SINR) · (1 − OH) · share at the
                                                 sender's position, slowed by the cell's video load)
  + HARQ retransmissions × k TTIs               (retransmissions ~ geometric, BLER per service)
  + transport and core                          (edge MEC in the zone or the operator's cloud)
  + inference                                   (alarm snapshots analysed at edge or cloud)

Rates come from :class:`sim.network.radio_map.RadioMap` (TR 38.901 path loss, TS 38.214
CQI tables); timings per service are on :data:`PROFILES` with their sources.
Every transfer is logged as a :class:`Transfer` row.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np

from sim.network import radio

_GEOMETRIC_SEARCH_FROM = 0.333333333333333333333333
"""numpy's ``random_geometric``: sequential search for p at least this, inversion below."""
_SKIP_BATCH = 1 << 20
"""Doubles drawn and dropped at a time by :meth:`Link.fork`."""


class Direction(StrEnum):
    UPLINK = "uplink"
    DOWNLINK = "downlink"


class Service(StrEnum):
    EMBB = "embb"
    URLLC = "urllc"
    MMTC = "mmtc"


def peak_rate_mbps(
    layers: int, modulation_order: int, prbs: int, numerology: int, overhead: float, scaling: float = 1.0
) -> float:
    """Approximate data rate of one carrier, TS 38.306 §4.1.2, Mbit/s.

    rate = 1e-6 · layers · Qm · f · (948/1024) · (N_PRB · 12 / T_s^μ) · (1 − OH),
    with T_s^μ = 1e-3 / (14 · 2^μ) the average OFDM symbol duration.
    """
    symbol_s = 1e-3 / (14 * 2**numerology)
    return 1e-6 * layers * modulation_order * scaling * (948 / 1024) * (prbs * 12 / symbol_s) * (1 - overhead)


@dataclass(frozen=True)
class Scheduling:
    """Access timing of one direction, in transmission time intervals (TTIs)."""

    period_ttis: float
    """A message waits U(0, period) for the next opportunity (scheduling request or configured grant)."""
    fixed_ttis: float
    """Grant handshake, K2 / K1 offsets and processing."""


@dataclass(frozen=True)
class LinkProfile:
    """A radio generation and service type: TTI, scheduling, reliability and efficiency table."""

    name: str
    service: Service
    uplink: Scheduling
    downlink: Scheduling
    bler: float
    """Block error rate target: each transmission fails with this probability."""
    harq_rtt_ttis: float
    """k: TTIs one HARQ retransmission adds."""
    cqi_table: radio.CqiTable
    symbols_per_tti: int = 14
    """14: a slot; 2: a URLLC mini-slot (TS 38.214 PUSCH/PDSCH mapping type B)."""
    numerology: int | None = None
    """Fixed numerology (LTE: 0, 1 ms TTI); None: the serving gNB's."""
    bandwidth_cap_mhz: float | None = None
    """Largest carrier the generation supports (LTE: 20 MHz, TS 36.101)."""
    fdd: bool = False
    """Paired spectrum: the uplink has its own carrier (no TDD share)."""
    overhead_ul: float = 0.08
    overhead_dl: float = 0.14
    """TS 38.306 §4.1.2 overheads for FR1 (FR2: 0.10 / 0.18, applied by the radio map)."""
    core_s: float = 0.0
    """Extra one-way core-network delay of this generation, s."""
    max_ue_power_dbm: float | None = None
    """Highest UE power class of the generation (LTE: class 3, 23 dBm, TS 36.101 Table 6.2.2-1), dBm."""
    source: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.bler < 1:
            raise ValueError(f"bler must be in [0, 1), got {self.bler}")
        timings = (self.uplink.period_ttis, self.uplink.fixed_ttis, self.downlink.period_ttis)
        if min(*timings, self.downlink.fixed_ttis, self.harq_rtt_ttis, self.core_s) < 0:
            raise ValueError("timings must be >= 0")

    def tti_s(self, gnb_numerology: int) -> float:
        """Length of one TTI on a gNB of ``gnb_numerology``, s."""
        mu = gnb_numerology if self.numerology is None else self.numerology
        return radio.slot_seconds(mu) * self.symbols_per_tti / 14

    def scheduling(self, direction: Direction) -> Scheduling:
        return self.uplink if direction is Direction.UPLINK else self.downlink


PROFILES: dict[str, LinkProfile] = {
    "nr_embb": LinkProfile(
        name="nr_embb",
        service=Service.EMBB,
        # Scheduling request every 2 slots; SR → grant → K2 of 3 slots plus 2 slots of UE/gNB
        # processing: ≈ 4 ms one-way at μ = 1, the IMT-2020 eMBB user-plane target (TR 38.913).
        uplink=Scheduling(period_ttis=2, fixed_ttis=5),
        downlink=Scheduling(period_ttis=1, fixed_ttis=4),
        bler=0.1,  # the CQI tables' target (TS 38.214 §5.2.2.1)
        harq_rtt_ttis=4,  # k = 4 slots (assumption, typical K1 + processing)
        cqi_table=radio.CQI_NR_256QAM,
        source="TR 38.913 eMBB 4 ms target; TS 38.211 numerology; TS 38.214 Table 5.2.2.1-3",
    ),
    "nr_urllc": LinkProfile(
        name="nr_urllc",
        service=Service.URLLC,
        # Configured grant (no scheduling request) on 2-symbol mini-slots: ≈ 0.5 ms one-way,
        # the URLLC target (TR 38.913: 0.5 ms UL + 0.5 ms DL), BLER 1e-5.
        uplink=Scheduling(period_ttis=1, fixed_ttis=3),
        downlink=Scheduling(period_ttis=1, fixed_ttis=3),
        bler=1e-5,
        harq_rtt_ttis=4,
        cqi_table=radio.CQI_NR_64QAM,
        symbols_per_tti=2,
        source="TR 38.913 URLLC 0.5 ms one-way and 1e-5 reliability; TS 38.214 configured grant, type B",
    ),
    "nr_mmtc": LinkProfile(
        name="nr_mmtc",
        service=Service.MMTC,
        # Small reports from devices that sleep (PSM / eDRX): they first wake up (network.mmtc.wake_up),
        # then send like eMBB; messages to them wait for the paging occasion (network.mmtc.edrx_cycle).
        uplink=Scheduling(period_ttis=2, fixed_ttis=5),
        downlink=Scheduling(period_ttis=1, fixed_ttis=4),
        bler=0.1,
        harq_rtt_ttis=4,
        cqi_table=radio.CQI_NR_64QAM,
        source="TR 38.913 control-plane latency; TS 38.304 eDRX paging",
    ),
    "lte": LinkProfile(
        name="lte",
        service=Service.EMBB,
        # Holma & Toskala, "LTE for UMTS", user-plane latency: 10 ms scheduling-request period,
        # 4 ms request-to-grant and 4 ms grant-to-data plus 4 ms processing, 1 ms TTI, 8 ms HARQ
        # round trip, 10 % BLER; FDD 20 MHz carriers; EPC gateways add a core hop.
        uplink=Scheduling(period_ttis=10, fixed_ttis=12),
        downlink=Scheduling(period_ttis=1, fixed_ttis=4),
        bler=0.1,
        harq_rtt_ttis=8,
        cqi_table=radio.CQI_LTE,
        numerology=0,
        bandwidth_cap_mhz=20.0,
        fdd=True,
        core_s=0.005,  # S-GW/P-GW hop of the EPC vs a 5GC UPF at the edge (assumption)
        max_ue_power_dbm=23.0,
        source="Holma & Toskala, LTE for UMTS, ch. 11; TS 36.213 Table 7.2.3-1; TS 36.101 20 MHz",
    ),
}
DEFAULT_PROFILE = {"sensor": "nr_mmtc", "telemetry": "nr_mmtc", "heartbeat": "nr_urllc"}
"""Traffic classes whose default is not ``network.profile``."""
GENERATIONS = {"lte": "lte", "trace": "trace"}
"""``network.profile`` values that replace the whole network (LTE has no NR services; a trace is
a measured network): under them a per-traffic NR profile (``nr_*``) falls back to them, so
``network.profile=lte`` is one override."""


def profile_name(traffic: str, per_traffic: str | None, default: str) -> str:
    """The profile a traffic class uses, from its own setting, the class default and ``network.profile``."""
    name = per_traffic or DEFAULT_PROFILE.get(traffic) or default
    if default in GENERATIONS and name.startswith("nr_"):
        return GENERATIONS[default]
    return name


@dataclass(frozen=True)
class AirPath:
    """What the radio offers a sender at one place and time."""

    rate_bps: float
    """Throughput available to this transfer (after cell load), bit/s; > 0."""
    tti_s: float
    wait_s: float
    """Time until a route exists (0 when covered), s."""
    via: str
    """Serving gNB id, or 'drone-id>gnb-id' for a relayed transfer."""
    cell_load: float
    """Share of the cell's uplink air time taken by camera video, 0..1."""


class Access(Protocol):
    """Radio access for one profile and direction (``sim.network.radio_map.RadioAccess``)."""

    def path(self, position: tuple[float, float] | None, t: float) -> AirPath: ...


@dataclass(frozen=True)
class FixedAccess:
    """The same rate and TTI everywhere and always: idealised studies and exact test timelines."""

    rate_bps: float
    tti_s: float

    def path(self, position: tuple[float, float] | None, t: float) -> AirPath:
        return AirPath(self.rate_bps, self.tti_s, 0.0, "fixed", 0.0)


class Sender(Protocol):
    """What a transfer's record names of the link it went over (:class:`Link`, a trace link)."""

    traffic: str
    direction: Direction

    @property
    def service(self) -> Service: ...


@dataclass(frozen=True)
class Transfer:
    """One message over one link: where its time went, s."""

    t: float
    traffic: str
    service: str
    direction: str
    x: float | None
    y: float | None
    payload_bytes: int
    route_wait_s: float
    scheduling_s: float
    transmission_s: float
    harq_s: float
    core_s: float
    processing_s: float
    total_s: float
    via: str

    @classmethod
    def over(
        cls,
        link: Sender,
        t: float,
        position: tuple[float, float] | None,
        payload_bytes: int,
        parts: dict[str, float],
        total_s: float,
        via: str,
    ) -> Transfer:
        """The record of one transfer over ``link`` sent at ``t`` from (or to) ``position``; ``parts``
        maps route_wait_s ... processing_s to their times, s."""
        x, y = (None, None) if position is None else (float(position[0]), float(position[1]))
        names = (link.traffic, link.service.value, link.direction.value)
        return cls(t, *names, x, y, payload_bytes, **parts, total_s=total_s, via=via)


class Link:
    """One traffic class over one profile: samples one-way delays and logs each transfer.

    ``backhaul_s`` is the transport and core delay to where the message is
    handled (edge MEC or cloud); ``processing_s`` is work done there before
    the message counts as delivered (inference on an alarm snapshot);
    ``wake_up_s`` is added before an uplink from a sleeping mMTC device and
    ``paging_cycle_s`` is the eDRX cycle a downlink to one waits in.
    """

    def __init__(
        self,
        profile: LinkProfile,
        direction: Direction,
        backhaul_s: float,
        rng: np.random.Generator,
        access: Access,
        processing_s: float = 0.0,
        traffic: str = "",
        log: Callable[[Transfer], None] | None = None,
        wake_up_s: float = 0.0,
        paging_cycle_s: float = 0.0,
    ):
        if min(backhaul_s, processing_s, wake_up_s, paging_cycle_s) < 0:
            raise ValueError("backhaul, processing and wake-up times must be >= 0")
        self.profile = profile
        self.direction = direction
        self.backhaul_s = backhaul_s
        self.processing_s = processing_s
        self.access = access
        self.traffic = traffic
        self.wake_up_s = wake_up_s
        self.paging_cycle_s = paging_cycle_s
        self._log = log
        self._rng = rng

    @property
    def service(self) -> Service:
        return self.profile.service

    def delay(self, payload_bytes: int, position: tuple[float, float] | None = None, t: float = 0.0) -> float:
        """One-way delay (s) of a ``payload_bytes`` transfer sent from (or to) ``position`` at ``t``."""
        air = self._air(payload_bytes, position, t)
        profile = self.profile
        retransmissions, waiting = self.draw_waits(air.tti_s)
        parts = {
            "route_wait_s": air.wait_s,
            "scheduling_s": waiting,
            "transmission_s": self._transmission_s(payload_bytes, air),
            "harq_s": retransmissions * profile.harq_rtt_ttis * air.tti_s,
            "core_s": self.backhaul_s + profile.core_s,
            "processing_s": self.processing_s,
        }
        total = sum(parts.values())
        if self._log is not None:
            self._log(Transfer.over(self, t, position, payload_bytes, parts, total, air.via))
        return total

    def draw_waits(self, tti_s: float) -> tuple[int, float]:
        """One transfer's draws: HARQ retransmissions, and its scheduling (and paging) wait at ``tti_s``."""
        profile, rng = self.profile, self._rng
        scheduling = profile.scheduling(self.direction)
        retransmissions = rng.geometric(1.0 - profile.bler) - 1 if profile.bler > 0 else 0
        waiting = (rng.uniform(0.0, scheduling.period_ttis) + scheduling.fixed_ttis) * tti_s
        if self.direction is Direction.UPLINK:
            waiting += self.wake_up_s
        elif self.paging_cycle_s > 0:
            waiting += rng.uniform(0.0, self.paging_cycle_s)
        return retransmissions, waiting

    @property
    def draws_per_transfer(self) -> int | None:
        """Uniform doubles one transfer draws (:meth:`draw_waits`), or None where that varies: numpy's
        ``geometric`` searches with one uniform when its p = 1 − BLER is at least 1/3 and inverts an
        exponential draw below."""
        bler = self.profile.bler
        if bler > 0 and 1.0 - bler < _GEOMETRIC_SEARCH_FROM:
            return None
        paging = self.direction is not Direction.UPLINK and self.paging_cycle_s > 0
        return int(bler > 0) + 1 + int(paging)

    def uniforms(self, transfers: int) -> np.ndarray:
        """The draws of the next ``transfers`` transfers, (transfers, :attr:`draws_per_transfer`)."""
        return self._rng.random((transfers, self.draws_per_transfer))

    def fork(self, skip: int = 0) -> Link:
        """A copy of this link (logging nowhere) whose draws are this link's after ``skip`` more transfers;
        this link's draws are unchanged."""
        twin = copy.copy(self)
        twin._rng, twin._log = copy.deepcopy(self._rng), None
        per_transfer = self.draws_per_transfer
        for _ in range(skip if per_transfer is None else 0):
            twin.draw_waits(1.0)
        for start in range(0, skip * (per_transfer or 0), _SKIP_BATCH):
            twin._rng.random(min(_SKIP_BATCH, skip * per_transfer - start))
        return twin

    def mean_delay(
        self, payload_bytes: int, position: tuple[float, float] | None = None, t: float = 0.0
    ) -> float:
        """Analytic mean of :meth:`delay` at ``position`` and ``t``, s."""
        air = self._air(payload_bytes, position, t)
        profile = self.profile
        scheduling = profile.scheduling(self.direction)
        retransmissions = profile.bler / (1 - profile.bler)
        sleep = self.wake_up_s if self.direction is Direction.UPLINK else self.paging_cycle_s / 2
        return (
            air.wait_s
            + (scheduling.period_ttis / 2 + scheduling.fixed_ttis) * air.tti_s
            + sleep
            + self._transmission_s(payload_bytes, air)
            + retransmissions * profile.harq_rtt_ttis * air.tti_s
            + self.backhaul_s
            + profile.core_s
            + self.processing_s
        )

    def _air(self, payload_bytes: int, position: tuple[float, float] | None, t: float) -> AirPath:
        if payload_bytes <= 0:
            raise ValueError(f"payload must be > 0 bytes, got {payload_bytes}")
        return self.access.path(position, t)

    @staticmethod
    def _transmission_s(payload_bytes: int, air: AirPath) -> float:
        """Whole TTIs at the available rate, s."""
        return math.ceil(payload_bytes * 8 / (air.rate_bps * air.tti_s)) * air.tti_s
