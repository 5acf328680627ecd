"""The scenario: pydantic models validated once at the boundary.

A scenario is a YAML file (see ``scenarios/xuchang_lake.yaml``) that becomes an
immutable :class:`Scenario`; nothing downstream reads raw dictionaries.
Units: metres, seconds, degrees, watts, watt-hours, as each field's
description says. Positions are ``[x, y]`` metres, x east and y north, from
the zone's south-west corner.

Loading, ``extends:``, ``--set`` overrides and error reporting live in
:mod:`sim.scenario.loading`; cross-field checks that need geometry live in
:mod:`sim.scenario.checks`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.fields import (
    Codec,
    ConstantSpec,
    DistributionSpec,
    Duration,
    ExponentialSpec,
    Kind,
    KindThreshold,
    Light,
    LogNormalSpec,
    Mode,
    Point,
    Probability,
    Ring,
    Strict,
    UniformSpec,
    Weather,
    parse_duration,
    per_kind,
)
from sim.scenario.network_section import (
    Drone,
    Gnb,
    Inference,
    Mmtc,
    NetworkConfig,
    Obstruction,
    PathLoss,
    PerSite,
    RadioConfig,
    TraceMode,
    Traffic,
)

__all__ = [  # the models of all three modules, importable from here
    "Area",
    "Boat",
    "Buoy",
    "Calibration",
    "Camera",
    "ClassCalibration",
    "Codec",
    "Compliance",
    "ConstantSpec",
    "DetectionConfig",
    "DispatchConfig",
    "DistributionSpec",
    "Dock",
    "Drone",
    "Duration",
    "ExponentialSpec",
    "FalseAlarmCalibration",
    "Gnb",
    "GridCurrentSpec",
    "IncidentKind",
    "Incidents",
    "Inference",
    "Kind",
    "KindThreshold",
    "Light",
    "LogNormalSpec",
    "Mmtc",
    "Mode",
    "NetworkConfig",
    "Obstruction",
    "OnScene",
    "Operator",
    "PathLoss",
    "PerSite",
    "Persistence",
    "Point",
    "Probability",
    "RadioConfig",
    "RenderConfig",
    "Ring",
    "RunConfig",
    "Scenario",
    "Strict",
    "TraceMode",
    "Traffic",
    "UniformCurrentSpec",
    "UniformSpec",
    "Weather",
    "Zone",
    "parse_duration",
    "per_kind",
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
    fishing_tile_beyond: float | None = Field(
        None,
        gt=0,
        description="pixel mode: no-fishing banks farther than this from the lens are analysed in a crop "
        "of the frame at the camera's full resolution (besides the analysis-width frame), m; null: none",
    )


class Buoy(Strict):
    id: str
    position: Point = Field(description="mooring, m")
    detection_radius: float = Field(gt=0, description="radius within which a swimmer is sensed, m")
    report_interval: Duration = Field(gt=0, description="time between sensor reports, s")
    detection_probability: float = Field(
        gt=0, le=1, description="probability that a report includes a swimmer inside the radius"
    )


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
    hit_run_odds_exponent: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="mean run of hits is hit_run_s · (p / (1 − p))^this at hit probability p, 1",
    )
    offender_sd: float = Field(
        0.0,
        ge=0,
        description="spread of one offender's own logit offset in one camera's view (drawn once), logit",
    )
    offender_spell_s: float = Field(
        0.0,
        ge=0,
        description="how long an offender's own offset lasts before it is drawn again, s; 0: the whole visit",
    )
    offender_lasting_sd: float = Field(
        0.0,
        ge=0,
        description="spread of a second own offset drawn once per visit, added to offender_sd's, logit",
    )
    never_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of offenders a camera's detector never scores in any frame (structural zeros), 1",
    )
    never_size_slope: float = Field(
        0.0,
        ge=-12,
        le=12,
        description="logit change of never_share per doubling of the offender's pixel height at first sight "
        "(never_share is the share at the reference size), logit",
    )
    alarm_on_target: float = Field(
        1.0,
        ge=0,
        le=1,
        description="probability that a k-of-n alarm's box lies on the offender (else it is lost), 1",
    )
    shadowed_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of offenders in a camera's view none of whose alarms lands on them (their blob "
        "held by another offender's track), 1",
    )
    evidence_s: float = Field(
        0.0,
        ge=0,
        description="evidence window: time into each view before the detector can score an offender, s",
    )
    entry_acquisition: tuple[Annotated[float, Field(ge=0, le=1)], ...] | None = Field(
        None,
        description="P(the detector acquires an offender in the j-th acquisition step after it came into "
        "view | not before), 1; None: no acquisition model (sim.sensing.acquisition)",
    )
    acquisition_rate_per_s: float = Field(
        0.0, ge=0, description="acquisition hazard after the entry steps (and after a loss), 1/s"
    )
    loss_rate_per_s: float = Field(0.0, ge=0, description="hazard of losing a held track, 1/s")
    acquisition_sd: float = Field(
        0.0,
        description="loading of the offender's lasting offset u (offender_lasting_sd) on the log "
        "acquisition hazards: they are multiplied by exp(this · u), 1",
    )
    track_age_offsets: tuple[float, ...] = Field(
        (), description="logit offset of a held track's score in its j-th acquisition step of age (then 0)"
    )
    acquisition_step_s: float = Field(
        0.2, gt=0, description="length of one step of entry_acquisition and track_age_offsets, s"
    )
    light: dict[Light, float] | None = Field(
        None, description="this class's own logit offsets per light level"
    )
    weather: dict[Weather, float] | None = Field(
        None, description="this class's own logit offsets per weather"
    )


LogRateOffset = Annotated[float, Field(ge=-20, le=20, allow_inf_nan=False)]
"""A natural-log factor on a false-alarm rate; ±20 (a factor of 5·10⁸) bounds any measured contrast."""


class FalseAlarmCalibration(Strict):
    max_rate_per_hour: float = Field(
        ge=0, description="false alarms per camera-hour at threshold 0, in day light and clear weather"
    )
    intercept: float = Field(description="logit of the clutter score")
    slope: float = Field(
        1.0, gt=0, le=20, description="how steeply the rate falls with logit(threshold) (1: logistic clutter)"
    )
    light: dict[Light, LogRateOffset] = Field(
        default_factory=dict, description="log-rate offset per light level (absent: 0, the day rate), ln(1)"
    )
    weather: dict[Weather, LogRateOffset] = Field(
        default_factory=dict, description="log-rate offset per weather (absent: 0, the clear rate), ln(1)"
    )
    light_weather: dict[Light, dict[Weather, LogRateOffset]] = Field(
        default_factory=dict,
        description="log-rate offset of a light and weather together, on top of both (absent: 0), ln(1)",
    )


class Calibration(Strict):
    """Detection model parameters (see :mod:`sim.sensing.statistical` for the model)."""

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
    threshold: KindThreshold = Field(
        0.5,
        description="detector score threshold in (0, 1): one number for every kind, or a mapping of "
        "every kind to its own (swimming: 0.8, fishing: 0.5)",
    )
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

    def threshold_for(self, kind: Kind) -> float:
        """The score threshold of ``kind``'s detector, in (0, 1)."""
        return self.thresholds[kind]

    @property
    def thresholds(self) -> dict[Kind, float]:
        """Every kind's score threshold (the same number for all when ``threshold`` is one number)."""
        return per_kind(self.threshold)


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
        """The detection model; :func:`sim.scenario.loading.load_scenario` always inlines it."""
        if not isinstance(self.detection.calibration, Calibration):
            raise TypeError("calibration path not resolved: load scenarios with sim.load_scenario")
        return self.detection.calibration

    def dock(self, dock_id: str) -> Dock:
        return next(d for d in self.docks if d.id == dock_id)
