"""The scenario: pydantic models validated once at the boundary.

A scenario is a YAML file (see ``scenarios/xuchang_lake.yaml``) that becomes an
immutable :class:`Scenario`; nothing downstream reads raw dictionaries.
Units: metres, seconds, degrees, watts, watt-hours, as each field's
description says. Positions are ``[x, y]`` metres, x east and y north, from
the zone's south-west corner.

Loading, ``extends:``, ``--set`` overrides and error reporting live in
:mod:`sim.loading`; cross-field checks that need geometry live in
:mod:`sim.checks`.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sim import distributions

_DURATION = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: object) -> float:
    """Seconds from a number or a string such as ``"90"``, ``"30s"``, ``"15m"``, ``"6h"``, ``"2d"``.

    Raises ValueError for anything else; the sign is kept so the caller's
    bound check reports negative durations as such.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 90, '30s', '15m', '6h', '2d', got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    raise ValueError(f"expected a duration such as 90, '30s', '15m', '6h', '2d', got {value!r}")


Duration = Annotated[float, BeforeValidator(parse_duration)]
Point = tuple[float, float]
Ring = Annotated[tuple[Point, ...], Field(min_length=3)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    """Base: unknown keys are errors and instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Mode(StrEnum):
    STATISTICAL = "statistical"
    PIXEL = "pixel"


class Weather(StrEnum):
    CLEAR = "clear"
    HAZE = "haze"
    FOG = "fog"
    RAIN = "rain"


class Light(StrEnum):
    DAY = "day"
    DUSK = "dusk"
    NIGHT = "night"


class Codec(StrEnum):
    H264 = "h264"
    H265 = "h265"


class Kind(StrEnum):
    SWIMMING = "swimming"
    FISHING = "fishing"


# ---------------------------------------------------------------- distributions


class ConstantSpec(Strict):
    dist: Literal["constant"]
    value: float = Field(ge=0, description="the value, in the parameter's unit")

    def build(self) -> distributions.Constant:
        return distributions.Constant(self.value)


class ExponentialSpec(Strict):
    dist: Literal["exponential"]
    mean: float = Field(gt=0, description="mean, in the parameter's unit")

    def build(self) -> distributions.Exponential:
        return distributions.Exponential(self.mean)


class UniformSpec(Strict):
    dist: Literal["uniform"]
    low: float = Field(ge=0, description="lower bound, in the parameter's unit")
    high: float = Field(gt=0, description="upper bound, in the parameter's unit")

    @model_validator(mode="after")
    def _ordered(self) -> UniformSpec:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        return self

    def build(self) -> distributions.Uniform:
        return distributions.Uniform(self.low, self.high)


class LogNormalSpec(Strict):
    dist: Literal["lognormal"]
    mean: float = Field(gt=0, description="mean, in the parameter's unit")
    sd: float = Field(gt=0, description="standard deviation, in the parameter's unit")

    def build(self) -> distributions.LogNormal:
        return distributions.LogNormal(self.mean, self.sd)


DistributionSpec = Annotated[
    ConstantSpec | ExponentialSpec | UniformSpec | LogNormalSpec, Field(discriminator="dist")
]

# ---------------------------------------------------------------- run and zone


class RunConfig(Strict):
    seed: int = Field(0, ge=0, description="root seed of all random streams")
    duration: Duration = Field(6 * 3600.0, gt=0, description="simulated time, s ('6h' accepted)")
    start: datetime = Field(
        datetime(2026, 7, 18, 6, 0), description="local date-time of t = 0: time of day and season"
    )
    mode: Mode = Field(Mode.STATISTICAL, description="sensing fidelity")
    weather: Weather = Field(Weather.CLEAR, description="weather for the whole run")
    wind_speed: float = Field(3.0, ge=0, le=30, description="wind speed, raises waves in rendered water, m/s")


class Area(Strict):
    id: str
    polygon: Ring = Field(description="outline, [[x, y], ...] in m")
    weight: float = Field(1.0, gt=0, description="hotspot weight: share of incidents placed here")


class UniformCurrentSpec(Strict):
    type: Literal["uniform"]
    velocity: Point = Field(description="current velocity east and north, m/s")


class GridCurrentSpec(Strict):
    """A current on a regular grid: row r, column c is at (origin_x + c·spacing, origin_y + r·spacing)."""

    type: Literal["grid"]
    origin: Point = Field((0.0, 0.0), description="position of the first row's first column, m")
    spacing: float = Field(gt=0, description="distance between grid points, m")
    east: tuple[tuple[float, ...], ...] = Field(description="east component per row (south to north), m/s")
    north: tuple[tuple[float, ...], ...] = Field(description="north component, same shape as east, m/s")

    @model_validator(mode="after")
    def _shape(self) -> GridCurrentSpec:
        for name in ("east", "north"):
            rows = getattr(self, name)
            if len(rows) < 2 or any(len(row) != len(rows[0]) for row in rows) or len(rows[0]) < 2:
                raise ValueError(f"{name} must be a rectangular grid of at least 2 x 2 values")
        if (len(self.east), len(self.east[0])) != (len(self.north), len(self.north[0])):
            raise ValueError("east and north grids differ in shape")
        return self


CurrentSpec = Annotated[UniformCurrentSpec | GridCurrentSpec, Field(discriminator="type")]


class Zone(Strict):
    width: float = Field(gt=0, description="east-west extent, m")
    height: float = Field(gt=0, description="north-south extent, m")
    latitude_deg: float = Field(34.0, ge=-90, le=90, description="latitude for sun elevation, deg")
    longitude_deg: float = Field(113.8, ge=-180, le=180, description="longitude, deg east")
    utc_offset_h: float = Field(8.0, ge=-12, le=14, description="local clock offset from UTC, h")
    water: tuple[Ring, ...] = Field(min_length=1, description="water polygons (lake, river), m")
    islands: tuple[Ring, ...] = Field((), description="land polygons inside the water, m")
    no_swimming: tuple[Area, ...] = Field(description="areas of water where swimming is banned")
    no_fishing: tuple[Area, ...] = Field(description="shore stretches where fishing is banned")
    shore_margin: float = Field(5.0, gt=0, description="boats keep this far from shore and islands, m")
    current: CurrentSpec | None = Field(None, description="water current boats move through (none if absent)")


# ---------------------------------------------------------------- equipment


class Dock(Strict):
    id: str
    position: Point = Field(description="berth on the shore, m")


class Camera(Strict):
    id: str
    position: Point = Field(description="pole foot, m")
    height: float = Field(gt=0, le=200, description="lens height above the water, m")
    yaw: float = Field(ge=-360, le=360, description="heading of the optical axis, deg clockwise from north")
    pitch: float = Field(gt=0, lt=90, description="depression of the optical axis below horizontal, deg")
    hfov: float = Field(gt=0, lt=180, description="horizontal field of view, deg")
    resolution: tuple[Annotated[int, Field(gt=0)], Annotated[int, Field(gt=0)]] = Field(
        description="image width and height, px"
    )
    fps: float = Field(gt=0, le=240, description="frames per second analysed, 1/s")
    max_range: float = Field(300.0, gt=0, description="ground range beyond which nothing is analysed, m")
    distortion: tuple[float, float] = Field(
        (0.0, 0.0), description="radial lens distortion k1, k2 (Brown-Conrady, normalised coordinates)"
    )
    infrared: bool = Field(False, description="switches to infrared (grey, IR-lit) images at night")
    codec: Codec = Field(Codec.H264, description="video codec of the live uplink stream (eMBB cell load)")


class Buoy(Strict):
    id: str
    position: Point = Field(description="mooring, m")
    detection_radius: float = Field(gt=0, description="radius within which a swimmer is sensed, m")
    report_interval: Duration = Field(gt=0, description="time between sensor reports, s")
    detection_probability: float = Field(
        gt=0, le=1, description="probability that a report includes a swimmer inside the radius"
    )


class Gnb(Strict):
    """A base station; radio ranges follow 3GPP (checked in :mod:`sim.checks`)."""

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


class Drone(Strict):
    id: str
    position: Point = Field(description="base where the relay drone charges, m")
    altitude: float = Field(gt=0, le=300, description="relay altitude, m")
    speed: float = Field(gt=0, description="cruise speed, m/s")
    endurance: Duration = Field(gt=0, description="flight time on one charge, s")
    charge_time: Duration = Field(3600.0, ge=0, description="time to recharge from empty at the base, s")


class Boat(Strict):
    id: str
    dock: str = Field(description="id of the home dock")
    cruise_speed: float = Field(gt=0, description="transit speed, m/s")
    max_speed: float = Field(gt=0, description="top speed, m/s")
    battery_wh: float = Field(gt=0, description="battery capacity, Wh")
    reserve_wh: float = Field(
        0.0, ge=0, description="charge each mission must leave on return; below it the boat charges, Wh"
    )
    hotel_power_w: float = Field(50.0, ge=0, description="electronics, radio and navigation, W")
    loudspeaker_power_w: float = Field(60.0, ge=0, description="loudspeaker while a warning plays, W")
    camera_power_w: float = Field(15.0, ge=0, description="evidence camera while on scene or on patrol, W")
    acceleration: float = Field(0.5, gt=0, description="speeding up, m/s^2")
    deceleration: float = Field(1.0, gt=0, description="slowing down, m/s^2")
    lateral_acceleration: float = Field(1.0, gt=0, description="largest sideways acceleration turning, m/s^2")
    corner_cut: float = Field(2.0, gt=0, description="how far a turn's arc may cut inside a path corner, m")
    drag_coefficient: float = Field(
        20.0, gt=0, description="propulsion power per speed cubed, W/(m/s)^3 (P = c v^3)"
    )
    charge_power_w: float = Field(1000.0, gt=0, description="charging power at the dock, W")
    loudspeaker_range: float = Field(50.0, gt=0, description="distance at which a warning is heard, m")


# ---------------------------------------------------------------- incidents


class Compliance(Strict):
    p_leave: Probability = Field(description="probability an offender leaves after one warning")
    leave_delay: DistributionSpec = Field(description="time from a heeded warning to leaving, s")
    max_warnings: int = Field(ge=1, description="warnings before the boat gives up")
    warning_interval: Duration = Field(gt=0, description="time between repeated warnings, s")


class IncidentKind(Strict):
    rate_per_hour: float = Field(gt=0, description="arrivals per hour at profile multiplier 1, 1/h")
    hourly_profile: tuple[float, ...] = Field(
        min_length=24, max_length=24, description="multiplier for each local hour 0..23"
    )
    monthly_profile: tuple[float, ...] = Field(
        min_length=12, max_length=12, description="multiplier for each month Jan..Dec"
    )
    duration: DistributionSpec = Field(description="time the offender would stay if left alone, s")
    visible_height: float = Field(gt=0, description="height of the visible body above water/ground, m")
    drift_speed: float = Field(0.0, ge=0, description="mean drifting speed of the offender, m/s")
    compliance: Compliance

    @model_validator(mode="after")
    def _profiles(self) -> IncidentKind:
        for name in ("hourly_profile", "monthly_profile"):
            values = getattr(self, name)
            if min(values) < 0:
                raise ValueError(f"{name} has a negative multiplier")
            if max(values) <= 0:
                raise ValueError(f"{name} is all zero: no incident could ever happen")
        return self


class Incidents(Strict):
    swimming: IncidentKind
    fishing: IncidentKind


# ---------------------------------------------------------------- detection


class ClassCalibration(Strict):
    intercept: float = Field(description="logit of the per-frame hit score at the reference size")
    size_slope: float = Field(gt=0, description="logit change per doubling of pixel height")
    hit_run_s: float = Field(
        0.0,
        ge=0,
        description="mean run of consecutive hits on one offender (a track held), s; 0: independent frames",
    )
    offender_sd: float = Field(
        0.0,
        ge=0,
        description="spread of one offender's own logit offset in one camera's view (drawn once), logit",
    )
    light: dict[Light, float] | None = Field(
        None, description="this class's own logit offsets per light level"
    )
    weather: dict[Weather, float] | None = Field(
        None, description="this class's own logit offsets per weather"
    )


class FalseAlarmCalibration(Strict):
    max_rate_per_hour: float = Field(ge=0, description="false alarms per camera-hour at threshold 0")
    intercept: float = Field(description="logit of the clutter score")


class Calibration(Strict):
    """Detection model parameters (see :mod:`sim.sensing` for the model)."""

    source: str = Field(description="how these numbers were obtained")
    reference_pixels: float = Field(gt=0, description="pixel height where size enters at zero, px")
    classes: dict[Kind, ClassCalibration]
    light: dict[Light, float] = Field(description="logit offset per light level")
    weather: dict[Weather, float] = Field(description="logit offset per weather")
    false_alarms: dict[Kind, FalseAlarmCalibration]

    @model_validator(mode="after")
    def _complete(self) -> Calibration:
        for name, enum in (("classes", Kind), ("light", Light), ("weather", Weather), ("false_alarms", Kind)):
            missing = [m.value for m in enum if m not in getattr(self, name)]
            if missing:
                raise ValueError(f"{name} lacks {', '.join(missing)}")
        return self


class Persistence(Strict):
    k: int = Field(ge=1, description="hits needed ...")
    n: int = Field(ge=1, description="... within this many consecutive frames")

    @model_validator(mode="after")
    def _k_le_n(self) -> Persistence:
        if self.k > self.n:
            raise ValueError(f"k ({self.k}) is larger than n ({self.n})")
        return self


class DetectionConfig(Strict):
    threshold: float = Field(0.5, gt=0, lt=1, description="detector score threshold")
    persistence: Persistence = Persistence(k=3, n=5)
    snapshot_bytes: int = Field(200_000, gt=0, description="alarm snapshot sent to dispatch, bytes")
    analysis_width: int = Field(
        640, ge=64, description="pixel-mode detectors analyse frames downscaled to this width, px"
    )
    pixel_detectors: dict[Kind, dict[str, float | int | str | bool]] = Field(
        default_factory=dict, description="pixel mode: parameters of each kind's detector (detectors/*.py)"
    )
    calibration: Calibration | str = Field(
        "calibration/default.json",
        description="detection model: a JSON path relative to the scenario file, or inline",
    )


# ---------------------------------------------------------------- network and dispatch


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


class PathLoss(StrEnum):
    UMI = "umi"
    RMA = "rma"


class Obstruction(Strict):
    """Terrain or structures that block every gNB's signal to receivers inside ``polygon``."""

    id: str
    polygon: Ring = Field(description="outline of the blocked area, [[x, y], ...] in m")
    loss_db: float = Field(gt=0, le=100, description="extra loss on gNB links to points inside, dB")


class RadioConfig(Strict):
    """The radio environment shared by all gNBs (see :mod:`sim.radio`)."""

    path_loss: PathLoss = Field(PathLoss.UMI, description="TR 38.901 scenario: UMi-Street Canyon or RMa")
    resolution: float = Field(5.0, gt=0, le=100, description="grid spacing of the coverage map, m")
    ue_height: float = Field(1.5, ge=1, le=22.5, description="height of boat, camera and buoy radios, m")
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


class OnScene(Strict):
    warning_setup: Duration = Field(ge=0, description="from arrival in range to the first warning, s")
    give_up_after: Duration = Field(gt=0, description="time after the last warning before leaving, s")
    evidence_photos: int = Field(ge=0, description="photos taken per incident")
    photo_bytes: int = Field(gt=0, description="size of one photo, bytes")
    clip_bytes: int = Field(ge=0, description="size of the evidence clip, bytes")
    message_length: Duration = Field(15.0, gt=0, description="length of one loudspeaker warning, s")


class Operator(Strict):
    """An operator who checks each new case's snapshot while the boat is already on its way."""

    delay: DistributionSpec = Field(description="time from the case opening to the operator's verdict, s")
    reject_false_share: Probability = Field(
        description="share of false alarms the operator recognises and rejects (the mission aborts)"
    )


class DispatchConfig(Strict):
    policy: str = Field("nearest_idle", description="dispatch policy name")
    association_radius: float = Field(40.0, gt=0, description="alarms this close join a case, m")
    association_window: Duration = Field(900.0, gt=0, description="... if the case is this recent, s")
    decision_time: Duration = Field(0.0, ge=0, description="dispatcher's time to pick a boat, s")
    on_scene: OnScene
    operator: Operator | None = Field(None, description="optional operator confirmation (none if absent)")
    patrol_points: tuple[Point, ...] = Field(
        (), description="zone_patrol: points on the water where idle boats wait (boat i at point i mod n), m"
    )


# ---------------------------------------------------------------- rendering


class RenderConfig(Strict):
    """Synthetic frames (pixel mode and ``run_sim.py render``)."""

    jpeg_quality: int = Field(85, ge=1, le=100, description="JPEG quality of transmitted frames, 1..100")
    walkers: int = Field(6, ge=0, description="people walking on the shore path at any time")
    ducks: int = Field(8, ge=0, description="ducks and water birds on the lake")
    debris: int = Field(5, ge=0, description="pieces of floating debris")
    legal_boats: int = Field(1, ge=0, description="leisure boats (allowed) on the water")
    path_offset: float = Field(12.0, gt=0, description="distance of the shore path from the water, m")
    lamp_spacing: float = Field(35.0, gt=0, description="distance between lamps along the shore path, m")


# ---------------------------------------------------------------- the scenario


class Scenario(Strict):
    name: str = Field(min_length=1)
    description: str = ""
    run: RunConfig = RunConfig()
    zone: Zone
    docks: tuple[Dock, ...] = Field(min_length=1)
    cameras: tuple[Camera, ...] = ()
    buoys: tuple[Buoy, ...] = ()
    gnbs: tuple[Gnb, ...] = Field(min_length=1)
    drones: tuple[Drone, ...] = ()
    boats: tuple[Boat, ...] = Field(min_length=1)
    incidents: Incidents
    detection: DetectionConfig = DetectionConfig()
    network: NetworkConfig = NetworkConfig()
    dispatch: DispatchConfig
    render: RenderConfig = RenderConfig()

    @property
    def calibration(self) -> Calibration:
        """The detection model; :func:`sim.loading.load_scenario` always inlines it."""
        if not isinstance(self.detection.calibration, Calibration):
            raise TypeError("calibration path not resolved: load scenarios with sim.load_scenario")
        return self.detection.calibration

    def dock(self, dock_id: str) -> Dock:
        return next(d for d in self.docks if d.id == dock_id)
