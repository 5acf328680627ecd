"""Scenario models of sensing: cameras and buoys, the detectors' threshold and persistence, and the
calibration of statistical mode's detection and false-alarm models (see :mod:`sim.sensing.statistical`).

See :mod:`sim.scenario.models` for the whole scenario.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sim.scenario.fields import (
    Codec,
    Duration,
    Kind,
    KindThreshold,
    Light,
    Point,
    SensorType,
    Strict,
    Weather,
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


DETECTION_MODEL_TERMS = {
    "ordinal": (
        "intercept",
        "size_slope",
        "offender_sd",
        "offender_spell_s",
        "offender_lasting_sd",
        "never_share",
        "never_size_slope",
        "hit_run_s",
        "hit_run_odds_exponent",
        "evidence_s",
    ),
    "acquisition": (
        "intercept",
        "size_slope",
        "entry_acquisition",
        "acquisition_rate_per_s",
        "loss_rate_per_s",
        "acquisition_step_s",
    ),
}
"""The statistical detection models a class's calibration can declare (``model``) and the terms each needs
written in the file: ``ordinal``, offender offsets, hit runs and the evidence window
(:func:`sim.calibration.detectability.fit_detectability`); ``acquisition``, the acquired / not-acquired
chain (:mod:`sim.sensing.acquisition`, :func:`sim.calibration.detectability.fit_acquisition_model`)."""


class ClassCalibration(Strict):
    model: str | None = Field(
        None,
        description="the detection model these terms are of (ordinal or acquisition; its terms must all be "
        "given); None: undeclared, acquisition when entry_acquisition is given",
    )
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

    @model_validator(mode="after")
    def _model_terms(self) -> ClassCalibration:
        if self.model is None:
            return self
        if self.model not in DETECTION_MODEL_TERMS:
            raise ValueError(
                f"model {self.model!r}: no such model (known: {', '.join(DETECTION_MODEL_TERMS)})"
            )
        given = {name for name in self.model_fields_set if getattr(self, name) is not None}
        missing = [term for term in DETECTION_MODEL_TERMS[self.model] if term not in given]
        if missing:
            raise ValueError(f"the {self.model} model needs {', '.join(missing)}, which the entry lacks")
        if self.model == "ordinal" and self.entry_acquisition is not None:
            raise ValueError("the ordinal model has no entry_acquisition (that is the acquisition model's)")
        return self


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


class SensorCalibration(Strict):
    """One sensor type's own terms: on its cameras each kind's ``classes`` and ``false_alarms`` entry takes
    the place of the top-level one (which are the visible cameras'), fitted by ``tune --sensor``."""

    source: str = Field("", description="how these numbers were obtained")
    classes: dict[Kind, ClassCalibration] = Field(
        default_factory=dict, description="each kind's hit model on this sensor's cameras"
    )
    false_alarms: dict[Kind, FalseAlarmCalibration] = Field(
        default_factory=dict, description="each kind's false-alarm model on this sensor's cameras"
    )

    def lacks(self) -> list[str]:
        """The terms a camera of this sensor needs that are missing (``classes.fishing``, ...)."""
        return [
            f"{name}.{k.value}"
            for name in ("classes", "false_alarms")
            for k in Kind
            if k not in getattr(self, name)
        ]


class Calibration(Strict):
    """Detection model parameters (see :mod:`sim.sensing.statistical` for the model)."""

    source: str = Field(description="how these numbers were obtained")
    reference_pixels: float = Field(gt=0, description="pixel height where size enters at zero, px")
    classes: dict[Kind, ClassCalibration]
    light: dict[Light, float] = Field(description="logit offset per light level")
    weather: dict[Weather, float] = Field(description="logit offset per weather")
    false_alarms: dict[Kind, FalseAlarmCalibration]
    sensors: dict[SensorType, SensorCalibration] = Field(
        default_factory=dict,
        description="terms of other sensor types than visible (thermal: {classes, false_alarms}), fitted by "
        "tune --sensor; the top-level classes and false_alarms are the visible cameras'",
    )

    @model_validator(mode="after")
    def _complete(self) -> Calibration:
        for name, enum in (("classes", Kind), ("light", Light), ("weather", Weather), ("false_alarms", Kind)):
            missing = [m.value for m in enum if m not in getattr(self, name)]
            if missing:
                raise ValueError(f"{name} lacks {', '.join(missing)}")
        if SensorType.VISIBLE in self.sensors:
            raise ValueError("sensors.visible: the top-level classes and false_alarms are the visible terms")
        return self

    def missing_terms(self, sensor: SensorType) -> list[str]:
        """What a statistical run with cameras of ``sensor`` lacks in this calibration (``sensors.thermal``,
        or the block's missing ``sensors.thermal.classes.fishing``, ...); empty: nothing."""
        if sensor is SensorType.VISIBLE:
            return []
        if sensor not in self.sensors:
            return [f"sensors.{sensor.value}"]
        return [f"sensors.{sensor.value}.{term}" for term in self.sensors[sensor].lacks()]

    def for_sensor(self, sensor: SensorType) -> Calibration:
        """This calibration as a camera of ``sensor`` uses it: the sensor's classes and false-alarm entries
        in place of the top-level ones (itself for visible cameras)."""
        if sensor is SensorType.VISIBLE:
            return self
        own = self.sensors[sensor]
        return self.model_copy(
            update={"classes": own.classes, "false_alarms": own.false_alarms, "sensors": {}}
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


class PixelDetectors(KindDetectors):
    """Pixel mode's detectors: each kind's parameters (every camera), and a block per sensor whose parameters
    go on top of them on that sensor's cameras (``thermal: {swimming: {...}}``)."""

    visible: KindDetectors = Field(
        default_factory=KindDetectors,
        description="on visible cameras (sensor: visible), on top of each kind's parameters",
    )
    thermal: KindDetectors = Field(
        default_factory=KindDetectors,
        description="on thermal cameras (sensor: thermal), on top of each kind's parameters",
    )

    def parameters(self, kind: Kind, sensor: SensorType) -> DetectorParameters:
        """The parameters of ``kind``'s detector on a camera of ``sensor``: the kind's, then the sensor
        block's on top."""
        return {**self.of(kind), **getattr(self, sensor.value).of(kind)}


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
