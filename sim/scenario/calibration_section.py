"""Scenario models of statistical mode's calibration: each kind's detection model (the ordinal model or the
acquisition chain, :mod:`sim.sensing.statistical`), the false-alarm model, and the terms of sensor types
other than visible (``sensors.thermal``), all read from the file ``detection.calibration`` names.

See :mod:`sim.scenario.models` for the whole scenario.
"""

from __future__ import annotations

import itertools
import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.fields import Kind, Light, SensorType, Strict, Weather
from sim.scenario.hazard_terms_section import NeighbourTerm, OpticalDepthTerm, SizeCliff

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
    "hazard": ("intercept", "size_slope", "alarm_hazard"),
}
"""The statistical detection models a class's calibration can declare (``model``) and the terms each needs
written in the file: ``ordinal``, offender offsets, hit runs and the evidence window
(:func:`sim.calibration.detectability.fit_detectability`); ``acquisition``, the acquired / not-acquired
chain (:mod:`sim.sensing.acquisition`, :func:`sim.calibration.detectability.fit_acquisition_model`);
``hazard``, the rate of alarms on the offender itself (:class:`AlarmHazard`, :mod:`sim.sensing.alarm_hazard`,
:func:`sim.calibration.alarm_hazard_fit.fit_alarm_hazard`; intercept and size slope only give an alarm's
score)."""


def _slope(description: str):
    """A slope per doubling of the ``hazard`` model, 0 unless given, within ±20 (a factor of e^20 per
    doubling bounds any fitted contrast)."""
    return Field(0.0, ge=-20, le=20, allow_inf_nan=False, description=description)


class AlarmHazard(Strict):
    """The ``hazard`` model's terms: the rate (1/s) at which a camera's k-of-n alarm lands on an offender in
    view, by the time since the offender came into view (age), its size, the light, the weather and the
    threshold, log λ = age_log_rates[bin] + (size_slope + size_slope_by_age[bin]) · log2(pixels /
    reference_pixels) (+ the size cliff's offset) + light + weather (or the optical depth's offset) +
    threshold offset + crowd_slope · log2(1 + others in view) (+ the neighbour's offset) + frailty_sd · w,
    w ~ N(0, 1) drawn once per offender and camera, and a share of offenders never found by that camera,
    σ(never_log_odds + never_size_slope · log2(pixels at first sight / reference_pixels)) (and the
    neighbour's share beside it) (a grouped-time hazards model, proportional without ``size_slope_by_age``,
    fitted by :func:`sim.calibration.alarm_hazard_fit.fit_alarm_hazard`)."""

    age_edges_s: tuple[Annotated[float, Field(ge=0, allow_inf_nan=False)], ...] = Field(
        min_length=1, description="left edge of each age bin, s: 0 first, increasing; the last bin is open"
    )
    age_log_rates: tuple[Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)], ...] = Field(
        description="log alarm rate in each age bin at the reference size, day, clear and the first "
        "threshold, ln(1/s) (extrapolated: the reference may lie outside the sizes fitted)"
    )
    size_slope: float = Field(
        ge=-20, le=20, allow_inf_nan=False, description="log-rate change per doubling of pixel height"
    )
    size_slope_by_age: tuple[Annotated[float, Field(ge=-20, le=20, allow_inf_nan=False)], ...] | None = Field(
        None,
        description="each age bin's departure from size_slope (the size slope there is their sum); absent: "
        "one size slope at every age",
    )
    light: dict[Light, float] = Field(
        default_factory=dict, description="log-rate offset per light level (absent: 0)"
    )
    weather: dict[Weather, float] = Field(
        default_factory=dict, description="log-rate offset per weather (absent: 0)"
    )
    optical_depth: OpticalDepthTerm | None = Field(
        None,
        description="log-rate offset by the optical depth between lens and offender in the run's weather "
        "(absent: none; with it the weather offsets must be absent, else both would count the weather)",
    )
    size_cliff: SizeCliff | None = Field(
        None,
        description="a steeper fall of the log-rate below a size the detector barely resolves (absent: none)",
    )
    neighbour: NeighbourTerm | None = Field(
        None,
        description="the log-rate and the share never found of an offender who comes into view near another "
        "of its kind (absent: none)",
    )
    crowd_slope: float = _slope(
        "log-rate change per doubling of 1 + the other offenders of the kind in the camera's view (0: no "
        "crowd term)"
    )
    frailty_sd: float = Field(
        0.0,
        ge=0,
        le=10,
        allow_inf_nan=False,
        description="standard deviation of each offender's own log-rate offset in one camera's view, drawn "
        "once from a normal distribution (a log-normal frailty: some offenders found fast, others late or "
        "never; 0: none)",
    )
    never_log_odds: float | None = Field(
        None,
        ge=-100,
        le=100,
        allow_inf_nan=False,
        description="log odds that an offender is never found in one camera's views, at the reference size, "
        "drawn once per offender and camera (a cure fraction: the others at the rates above; absent: every "
        "offender may be found). Log odds, not a share: fitted on sizes far from the reference, a share "
        "there may lie too near 0 or 1 for a file's digits",
    )
    never_size_slope: float = _slope(
        "change of never_log_odds per doubling of the offender's pixel height at its first sight in the "
        "camera's view"
    )
    thresholds: tuple[Annotated[float, Field(gt=0, lt=1)], ...] = Field(
        min_length=1, description="the score thresholds the alarms were counted at, increasing"
    )
    threshold_offsets: tuple[float, ...] | tuple[tuple[float, ...], ...] = Field(
        description="log-rate offset at each threshold: 0 first, never rising (linear in logit τ between "
        "them, the end segments' slopes beyond); or per threshold a row with one per age bin, each age's "
        "column 0 first and never rising (a baseline per threshold)"
    )
    k: int = Field(ge=1, description="hits the alarm rule the rates were counted with needs")
    n: int = Field(ge=1, description="frames within which it needs them")

    @property
    def by_age(self) -> bool:
        """Whether the threshold offsets are given per age bin (a row per threshold)."""
        return isinstance(self.threshold_offsets[0], tuple)

    @model_validator(mode="after")
    def _consistent(self) -> AlarmHazard:
        edges, thresholds, offsets = self.age_edges_s, self.thresholds, self.threshold_offsets
        if edges[0] != 0 or any(b <= a for a, b in itertools.pairwise(edges)):
            raise ValueError("age_edges_s must start at 0 and increase")
        if len(self.age_log_rates) != len(edges):
            raise ValueError(f"age_log_rates has {len(self.age_log_rates)} values for {len(edges)} age bins")
        by_size = self.size_slope_by_age
        if by_size is not None and len(by_size) != len(edges):
            raise ValueError(f"size_slope_by_age has {len(by_size)} values for {len(edges)} age bins")
        if any(b <= a for a, b in itertools.pairwise(thresholds)):
            raise ValueError("thresholds must increase")
        if len(offsets) != len(thresholds):
            raise ValueError(f"threshold_offsets has {len(offsets)} values for {len(thresholds)} thresholds")
        by_age = self.by_age
        rows = offsets if by_age else tuple((value,) for value in offsets)
        if not all(math.isfinite(v) for row in rows for v in row):
            raise ValueError("threshold_offsets must be finite numbers")
        if by_age and any(len(row) != len(edges) for row in rows):
            raise ValueError(
                f"threshold_offsets: each threshold's row needs one value per age bin ({len(edges)})"
            )
        if any(v != 0 for v in rows[0]) or any(
            b > a for r, s in itertools.pairwise(rows) for a, b in zip(r, s, strict=True)
        ):
            raise ValueError(
                "threshold_offsets must start at 0 and never rise (a higher threshold alarms less)"
                + (" in any age bin" if by_age else "")
            )
        if self.k > self.n:
            raise ValueError(f"k {self.k} > n {self.n}")
        if self.optical_depth is not None and self.weather:
            raise ValueError("optical_depth and weather offsets both say what the weather does: give one")
        if self.never_log_odds is None and self.never_size_slope != 0:
            # A slope of a share the block does not have would be silently ignored.
            raise ValueError(
                "never_size_slope needs never_log_odds (the share never found at the reference size)"
            )
        return self


class ClassCalibration(Strict):
    model: str | None = Field(
        None,
        description="the detection model these terms are of (ordinal, acquisition or hazard; its terms must "
        "all be given); None: undeclared, acquisition when entry_acquisition is given",
    )
    intercept: float = Field(description="logit of the per-frame hit score at the reference size")
    size_slope: float = Field(gt=0, description="logit change per doubling of pixel height")
    size_basis: Literal["full", "analysed"] = Field(
        "full",
        description="the pixel height the size terms were fitted to: as the detectors analyse it (the "
        "analysed frame, or the far-bank tile; sim.sensing.analysed_size), or in the camera's full image "
        "(files fitted before 2026-12-06)",
    )
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
    alarm_hazard: AlarmHazard | None = Field(
        None, description="the hazard model's alarm rates (model hazard); None: alarms from per-frame hits"
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
        if self.model != "hazard" and self.alarm_hazard is not None:
            raise ValueError(f"the {self.model} model has no alarm_hazard (that is the hazard model's)")
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
