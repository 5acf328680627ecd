"""Scenario models of sensing: cameras and buoys, the detectors' threshold and persistence and their
parameters; the calibration of statistical mode's models is :mod:`sim.scenario.calibration_section`.

See :mod:`sim.scenario.models` for the whole scenario.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sim.scenario.calibration_section import Calibration
from sim.scenario.fields import (
    Codec,
    Duration,
    Kind,
    KindThreshold,
    Light,
    Point,
    SensorType,
    Strict,
    per_kind,
)


class ThermalCore(Strict):
    """The long-wave infrared core of a thermal camera (``sensor: thermal``); its frame size and field of view
    are the camera's ``resolution`` and ``hfov``."""

    netd: float = Field(
        50.0,
        gt=0,
        le=1000,
        description="noise equivalent temperature difference, mK (uncooled microbolometers: below 50 mK "
        "at f/1.0, vendor data sheets)",
    )
    time_constant: float = Field(
        0.010,
        gt=0,
        le=0.1,
        description="thermal time constant of the microbolometer: moving things blur over it, s "
        "(assumption: 8-12 ms is typical of uncooled cores)",
    )


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
    sensor: SensorType = Field(
        SensorType.VISIBLE,
        description="visible: colour frames (near-infrared at night with infrared: true); thermal: grey "
        "frames of apparent temperature, long-wave infrared 8-14 µm (docs/rendering.md)",
    )
    thermal: ThermalCore = Field(
        default_factory=ThermalCore,
        description="noise and time constant of the thermal core (sensor: thermal)",
    )
    infrared: bool = Field(False, description="switches to infrared (grey, IR-lit) images at night")
    codec: Codec = Field(Codec.H264, description="video codec of the live uplink stream (eMBB cell load)")
    fishing_tile_beyond: float | None = Field(
        None,
        gt=0,
        description="pixel mode: no-fishing banks farther than this from the lens are analysed in a crop "
        "of the frame at the camera's full resolution (besides the analysis-width frame), m; null: none",
    )

    @field_validator("infrared")
    @classmethod
    def _visible_only(cls, infrared: bool, info: ValidationInfo) -> bool:
        if infrared and info.data.get("sensor") is SensorType.THERMAL:
            raise ValueError(
                "a thermal camera has no near-infrared night mode: leave it false, or sensor: visible"
            )
        return infrared

    def as_sensor(self, sensor: SensorType) -> Camera:
        """This camera as a camera of ``sensor``: itself, or a copy with the other sensor (the same pose,
        frame size and field of view, the same thermal core; a copy has no near-infrared mode, which a
        thermal camera cannot have)."""
        if self.sensor is sensor:
            return self
        return self.model_copy(update={"sensor": sensor, "infrared": False})


class Buoy(Strict):
    id: str
    position: Point = Field(description="mooring, m")
    detection_radius: float = Field(gt=0, description="radius within which a swimmer is sensed, m")
    report_interval: Duration = Field(gt=0, description="time between sensor reports, s")
    detection_probability: float = Field(
        gt=0, le=1, description="probability that a report includes a swimmer inside the radius"
    )


class Persistence(Strict):
    k: int = Field(ge=1, description="hits needed ...")
    n: int = Field(ge=1, description="... within this many consecutive frames")

    @model_validator(mode="after")
    def _k_le_n(self) -> Persistence:
        if self.k > self.n:
            raise ValueError(f"k ({self.k}) is larger than n ({self.n})")
        return self


DetectorParameters = dict[str, float | int | str | bool]
"""Keyword arguments of one detector's constructor (``detectors/*.py``); the detector checks them."""


class KindDetectors(Strict):
    """Parameters of each kind's pixel-mode detector (``detectors/swimming.py``, ``detectors/fishing.py``)."""

    swimming: DetectorParameters = Field(
        default_factory=dict, description="the swimming detector's parameters (detectors/swimming.py)"
    )
    fishing: DetectorParameters = Field(
        default_factory=dict, description="the fishing detector's parameters (detectors/fishing.py)"
    )

    def of(self, kind: Kind) -> DetectorParameters:
        """``kind``'s parameters."""
        return getattr(self, kind.value)


class SensorDetectors(KindDetectors):
    """One sensor's block: each kind's parameters on that sensor's cameras, and a block per light level whose
    parameters go on top of them while the camera sees that light (``dusk: {swimming: {...}}``)."""

    day: KindDetectors = Field(
        default_factory=KindDetectors, description="in daylight, on top of the sensor's parameters"
    )
    dusk: KindDetectors = Field(
        default_factory=KindDetectors, description="at dusk, on top of the sensor's parameters"
    )
    night: KindDetectors = Field(
        default_factory=KindDetectors, description="at night, on top of the sensor's parameters"
    )

    def at(self, light: Light) -> KindDetectors:
        """The block of ``light``."""
        return getattr(self, light.value)


class PixelDetectors(KindDetectors):
    """Pixel mode's detectors: each kind's parameters (every camera), a block per sensor whose parameters
    go on top of them on that sensor's cameras (``thermal: {swimming: {...}}``), and in it a block per light
    level on top of those (``visible: {dusk: {swimming: {...}}}``)."""

    visible: SensorDetectors = Field(
        default_factory=SensorDetectors,
        description="on visible cameras (sensor: visible), on top of each kind's parameters; day:, dusk:, "
        "night: on top of those at that light",
    )
    thermal: SensorDetectors = Field(
        default_factory=SensorDetectors,
        description="on thermal cameras (sensor: thermal), on top of each kind's parameters; day:, dusk:, "
        "night: on top of those at that light",
    )

    def parameters(self, kind: Kind, sensor: SensorType, light: Light | None = None) -> DetectorParameters:
        """The parameters of ``kind``'s detector on a camera of ``sensor`` (at ``light``, if given): the
        kind's, the sensor block's on top, and the sensor's block of that light on top of those."""
        block = getattr(self, sensor.value)
        at_light = {} if light is None else block.at(light).of(kind)
        return {**self.of(kind), **block.of(kind), **at_light}


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
    pixel_detectors: PixelDetectors = Field(
        default_factory=PixelDetectors,
        description="pixel mode: parameters of each kind's detector (detectors/*.py), with per-sensor "
        "blocks on top (visible:, thermal:)",
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
