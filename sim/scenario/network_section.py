"""Scenario models of the radio network: gNBs, relay drones, radio map, services, traces.

The models behind these keys are explained in ``docs/network.md`` and :mod:`sim.network.links`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from sim.scenario.fields import Codec, Duration, Point, Ring, Strict


class PathLoss(StrEnum):
    """TR 38.901 scenario of a gNB's path loss: UMa (25 m masts), UMi-Street Canyon (10 m), RMa (10-150 m)."""

    UMA = "uma"
    UMI = "umi"
    RMA = "rma"


class Gnb(Strict):
    """A base station; radio ranges follow 3GPP (checked in :mod:`sim.network.checks`)."""

    id: str
    position: Point = Field(description="mast foot, m")
    height: float = Field(gt=0, le=150, description="antenna height, m")
    frequency_ghz: float = Field(
        3.5, gt=0, description="carrier frequency (FR1 0.41-7.125, FR2 24.25-52.6), GHz"
    )
    bandwidth_mhz: float = Field(100.0, gt=0, description="channel bandwidth (TS 38.101-1/-2 values), MHz")
    numerology: int = Field(1, ge=0, le=3, description="subcarrier spacing 15·2^μ kHz; slot 1/2^μ ms")
    tx_power_dbm: float = Field(
        44.0, ge=0, le=60, description="transmit power (assumption: a small-cell/street-level site), dBm"
    )
    antenna_gain_dbi: float = Field(
        8.0, ge=0, le=30, description="antenna element gain (TR 38.901 Table 7.3-1: 8 dBi), dBi"
    )
    noise_figure_db: float = Field(5.0, ge=0, le=20, description="receiver noise figure (assumption), dB")
    uplink_share: float = Field(
        0.2, gt=0, le=1, description="share of slots for uplink (TDD DDDSU: 1 in 5; FDD: 1)"
    )
    path_loss: PathLoss | None = Field(
        None, description="TR 38.901 scenario of this gNB (uma, umi, rma); empty: network.radio.path_loss"
    )


class Drone(Strict):
    id: str
    position: Point = Field(description="base where the relay drone charges, m")
    altitude: float = Field(gt=0, description="relay altitude (TR 36.777: above 22.5 m, at most 300 m), m")
    speed: float = Field(gt=0, description="cruise speed, m/s")
    endurance: Duration = Field(gt=0, description="flight time on one charge, s")
    charge_time: Duration = Field(3600.0, ge=0, description="time to recharge from empty at the base, s")


class Inference(StrEnum):
    EDGE = "edge"
    CLOUD = "cloud"


class Traffic(Strict):
    """Service profile per traffic class; empty means ``network.profile``."""

    alarm: str | None = Field(None, description="camera alarm snapshots (uplink)")
    command: str | None = Field(None, description="dispatch commands to boats (downlink)")
    evidence: str | None = Field(None, description="evidence uploads from boats (uplink)")
    sensor: str | None = Field(None, description="buoy reports (uplink); default nr_mmtc")
    telemetry: str | None = Field(None, description="boat telemetry (uplink); default nr_mmtc")
    heartbeat: str | None = Field(None, description="remote-control heartbeats to boats (downlink)")


class TraceMode(StrEnum):
    LOOP = "loop"
    BOOTSTRAP = "bootstrap"


class PerSite(Strict):
    edge: float = Field(ge=0, description="at the edge (MEC in the zone), s")
    cloud: float = Field(ge=0, description="in the operator's cloud, s")


class Obstruction(Strict):
    """Terrain or structures that block every gNB's signal to receivers inside ``polygon``."""

    id: str
    polygon: Ring = Field(description="outline of the blocked area, [[x, y], ...] in m")
    loss_db: float = Field(gt=0, le=100, description="extra loss on gNB links to points inside, dB")


class RadioConfig(Strict):
    """The radio environment shared by all gNBs (see :mod:`sim.network.radio`)."""

    path_loss: PathLoss = Field(
        PathLoss.UMA, description="TR 38.901 scenario of every gNB without its own: uma, umi or rma"
    )
    resolution: float = Field(5.0, gt=0, le=100, description="grid spacing of the coverage map, m")
    ue_height: float = Field(
        1.5, gt=0, description="height of boat and buoy radios (UMa/UMi 1.5-22.5, RMa 1-10), m"
    )
    ue_power_dbm: float = Field(
        23.0, ge=-40, le=33, description="UE transmit power (TS 38.101-1 class 3), dBm"
    )
    ue_noise_figure_db: float = Field(
        9.0, ge=0, le=20, description="UE receiver noise figure (assumption), dB"
    )
    uplink_interference_db: float = Field(
        3.0, ge=0, le=30, description="uplink interference over thermal at the gNB (assumption), dB"
    )
    shadowing: bool = Field(True, description="draw spatially correlated shadow fading (TR 38.901 §7.6.3.1)")
    obstructions: tuple[Obstruction, ...] = Field(
        (), description="areas behind terrain or structures (a dam, an embankment), with their extra loss"
    )


class Mmtc(Strict):
    """Massive machine-type traffic: buoy reports and boat telemetry (uplink, devices mostly asleep)."""

    telemetry_interval: Duration = Field(
        30.0, gt=0, description="boat telemetry period while on a mission, s"
    )
    telemetry_bytes: int = Field(200, gt=0, description="one telemetry report, bytes")
    edrx_cycle: Duration = Field(
        10.24, ge=0, description="eDRX cycle: a message to a sleeping device waits for its paging occasion, s"
    )
    wake_up: Duration = Field(
        0.02, ge=0, description="idle-to-connected (control-plane) latency of a waking device (TR 38.913), s"
    )


class NetworkConfig(Strict):
    profile: str = Field("nr_embb", description="default link profile for all traffic")
    traffic: Traffic = Traffic()
    inference: Inference = Field(
        Inference.EDGE, description="where the platform (inference and dispatch application) runs"
    )
    backhaul: PerSite = Field(
        PerSite(edge=0.001, cloud=0.015), description="one-way transport and core delay to the platform, s"
    )
    inference_time: PerSite = Field(
        PerSite(edge=0.05, cloud=0.02), description="time to analyse one alarm snapshot, s"
    )
    radio: RadioConfig = RadioConfig()
    mmtc: Mmtc = Mmtc()
    video_bits_per_pixel: dict[Codec, Annotated[float, Field(gt=0)]] = Field(
        {Codec.H264: 0.07, Codec.H265: 0.035},
        description="encoded bits per pixel and frame of camera video (Kush gauge; H.265 about half)",
    )
    heartbeat_interval: Duration = Field(
        1.0, gt=0, description="URLLC remote-control heartbeats to a boat on a mission, s"
    )
    trace: str | None = Field(None, description="CSV of measured one-way latencies for the 'trace' profile")
    trace_mode: TraceMode = Field(TraceMode.LOOP, description="replay the trace in order, or bootstrap")
