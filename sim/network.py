"""Links: how long a message takes from sender to receiver (first version).

A :class:`Link` is the ``Cable`` of SimPy's latency example: a sender asks
``link.delay(payload_bytes, position, t)`` and waits that long before the
receiver gets the message. One-way delay is

    access wait  ~ U(0, access_period)        (scheduling-request / configured-grant opportunity)
  + fixed access and processing time            (grant handshake, TTI, gNB/UE processing)
  + payload / throughput                        (throughput from TS 38.306 §4.1.2)
  + HARQ retransmissions × HARQ round trip     (number of retransmissions ~ geometric(BLER))
  + transport and core                          (edge MEC in the zone or the operator's cloud)
  + inference                                   (for alarm snapshots analysed at edge or cloud)

Timing parameters and their sources are on :data:`PROFILES`. This version is
position-independent (``position`` is accepted for the interface); the radio
model (TR 38.901 path loss, SINR, CQI) replaces the fixed throughput later.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Direction(StrEnum):
    UPLINK = "uplink"
    DOWNLINK = "downlink"


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
class RadioTiming:
    """One direction of one service: access, transmission and retransmission times."""

    access_period_s: float
    """Period of transmission opportunities; a message waits U(0, period) for the next one, s."""
    fixed_s: float
    """Grant handshake, transmission time interval and processing, s."""
    rate_mbps: float
    """Throughput available to one transfer, Mbit/s."""
    bler: float
    """Block error rate target: each transmission fails with this probability."""
    harq_rtt_s: float
    """Time one HARQ retransmission adds, s."""

    def __post_init__(self) -> None:
        if not 0 <= self.bler < 1:
            raise ValueError(f"bler must be in [0, 1), got {self.bler}")
        if min(self.access_period_s, self.fixed_s, self.harq_rtt_s) < 0 or self.rate_mbps <= 0:
            raise ValueError("times must be >= 0 and the rate > 0")

    def mean_delay(self, payload_bytes: int) -> float:
        """Analytic mean of the radio part of the delay, s."""
        retransmissions = self.bler / (1 - self.bler)
        return (
            self.access_period_s / 2
            + self.fixed_s
            + payload_bytes * 8 / (self.rate_mbps * 1e6)
            + retransmissions * self.harq_rtt_s
        )


@dataclass(frozen=True)
class LinkProfile:
    """A radio generation / service type: timings for both directions, with their source."""

    name: str
    uplink: RadioTiming
    downlink: RadioTiming
    source: str


# NR at 3.5 GHz, 100 MHz, 30 kHz (μ = 1: 273 PRB, TS 38.101-1); one layer, 16QAM (Qm = 4)
# assumed for a typical, not peak, user; TDD with one uplink slot in five (DDDSU) assumed.
_NR_UL_MBPS = peak_rate_mbps(1, 4, 273, 1, overhead=0.08) * 0.2
_NR_DL_MBPS = peak_rate_mbps(1, 4, 273, 1, overhead=0.14) * 0.8
# LTE FDD 20 MHz (100 PRB at 15 kHz, μ = 0 timing); same layer and modulation assumptions.
_LTE_UL_MBPS = peak_rate_mbps(1, 4, 100, 0, overhead=0.08)
_LTE_DL_MBPS = peak_rate_mbps(1, 4, 100, 0, overhead=0.14)

PROFILES: dict[str, LinkProfile] = {
    "nr_embb": LinkProfile(
        name="nr_embb",
        # Slot 0.5 ms (TS 38.211, μ = 1); scheduling request every 2 slots, grant and K2 of
        # 3 slots, 1 slot transmission, 1 ms processing: mean ≈ 4 ms, the IMT-2020 eMBB
        # user-plane target (TR 38.913); HARQ round trip of 4 slots assumed; BLER 10 %
        # is the CQI-table target (TS 38.214 Table 5.2.2.1-2).
        uplink=RadioTiming(1.0e-3, 3.5e-3, _NR_UL_MBPS, 0.1, 2.0e-3),
        downlink=RadioTiming(0.5e-3, 2.0e-3, _NR_DL_MBPS, 0.1, 2.0e-3),
        source="IMT-2020/TR 38.913 eMBB 4 ms target; TS 38.211 numerology; TS 38.306 rate",
    ),
    "nr_urllc": LinkProfile(
        name="nr_urllc",
        # Configured grant (no scheduling request), 60 kHz mini-slots of 0.125 ms:
        # mean one-way ≈ 0.5 ms, the URLLC target (TR 38.913: 0.5 ms UL + 0.5 ms DL);
        # BLER 1e-5 (TS 38.214 Table 5.2.2.1-4 target).
        uplink=RadioTiming(0.125e-3, 0.375e-3, _NR_UL_MBPS, 1e-5, 0.5e-3),
        downlink=RadioTiming(0.125e-3, 0.375e-3, _NR_DL_MBPS, 1e-5, 0.5e-3),
        source="TR 38.913 URLLC 0.5 ms one-way target and 1e-5 reliability; TS 38.214 Table 5.2.2.1-4",
    ),
    "lte": LinkProfile(
        name="lte",
        # Holma & Toskala, "LTE for UMTS", user-plane latency: 10 ms scheduling-request
        # period, 4 ms request-to-grant and 4 ms grant-to-data, 1 ms TTI, 8 ms HARQ round
        # trip, 10 % BLER; ≈ 20 ms ping without retransmissions.
        uplink=RadioTiming(10e-3, 12e-3, _LTE_UL_MBPS, 0.1, 8e-3),
        downlink=RadioTiming(1e-3, 4e-3, _LTE_DL_MBPS, 0.1, 8e-3),
        source="Holma & Toskala, LTE for UMTS, ch. 11 user-plane latency budget",
    ),
}


class Link:
    """One traffic class over one profile: samples one-way delays.

    ``backhaul_s`` is the transport and core delay to where the message is
    handled (edge MEC or cloud); ``processing_s`` is work done there before
    the message counts as delivered (inference on an alarm snapshot).
    """

    def __init__(
        self,
        profile: LinkProfile,
        direction: Direction,
        backhaul_s: float,
        rng: np.random.Generator,
        processing_s: float = 0.0,
    ):
        if backhaul_s < 0 or processing_s < 0:
            raise ValueError("backhaul and processing times must be >= 0")
        self.profile = profile
        self.direction = direction
        self.timing = profile.uplink if direction is Direction.UPLINK else profile.downlink
        self.backhaul_s = backhaul_s
        self.processing_s = processing_s
        self._rng = rng

    def delay(self, payload_bytes: int, position: tuple[float, float] | None = None, t: float = 0.0) -> float:
        """One-way delay (s) of a ``payload_bytes`` transfer sent from ``position`` at time ``t``."""
        if payload_bytes <= 0:
            raise ValueError(f"payload must be > 0 bytes, got {payload_bytes}")
        timing = self.timing
        retransmissions = self._rng.geometric(1.0 - timing.bler) - 1 if timing.bler > 0 else 0
        return (
            self._rng.uniform(0.0, timing.access_period_s)
            + timing.fixed_s
            + payload_bytes * 8 / (timing.rate_mbps * 1e6)
            + retransmissions * timing.harq_rtt_s
            + self.backhaul_s
            + self.processing_s
        )

    def mean_delay(self, payload_bytes: int) -> float:
        """Analytic mean of :meth:`delay`, s."""
        return self.timing.mean_delay(payload_bytes) + self.backhaul_s + self.processing_s
