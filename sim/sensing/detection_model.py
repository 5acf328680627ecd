"""The statistical detection model: the per-frame hit probability of an offender by size, light and
weather, each offender's own offsets, and the false-alarm rate (parameters from the calibration file)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.core.maths import logit, sigmoid
from sim.scenario.models import AlarmHazard, Calibration, Kind, Light, SensorType, Weather, per_kind
from sim.sensing.acquisition import AcquisitionChain
from sim.sensing.alarm_hazard import AlarmRates
from sim.sensing.false_alarms import (
    false_alarm_rate,
)


@dataclass(frozen=True)
class OwnOffset:
    """One offender's own logit offset in one camera's view, redrawn every ``spell_s`` (inf: never).

    Some people are easier to see than others, and the same person is easier to see in some
    minutes than in others (closer, facing the camera, calmer water): σ_o·u with u ~ N(0, 1),
    one draw per spell since the offender came into view.
    """

    values: np.ndarray
    """σ_o·u of each spell, logit."""
    start: float
    """When the offender came into this camera's view, s."""
    spell_s: float
    lasting: float = 0.0
    """u ~ N(0, 1) of the lasting part (0 without one): it also scales the acquisition hazards."""
    shadowed: bool = False
    """No alarm of this camera lands on the offender (``shadowed_share``): another's track holds them."""
    log_rate: float = 0.0
    """The ``hazard`` model's own log-rate offset of the offender in this view, σ_f·w (``alarm_hazard.
    frailty_sd``; 0 without one), −inf for one never found (``alarm_hazard.never_log_odds``, or the
    neighbour's share)."""
    nearness: float = 0.0
    """Its closeness to another of its kind when it came into view (:func:`sim.sensing.alarm_hazard.
    closeness`; 0 unless the class has a neighbour term)."""

    def at(self, t: np.ndarray) -> np.ndarray:
        """Offsets at times ``t`` (s)."""
        if len(self.values) == 1:
            return np.full(len(t), self.values[0])
        index = np.clip(
            ((np.asarray(t) - self.start) // self.spell_s).astype(np.int64), 0, len(self.values) - 1
        )
        return self.values[index]

    def most(self, t0: float, t1: float) -> float:
        """The largest offset at any time in [t0, t1] (s), or above it (a spell more on each side)."""
        if len(self.values) == 1:
            return float(self.values[0])
        first = min(max(int((t0 - self.start) // self.spell_s) - 1, 0), len(self.values) - 1)
        return float(self.values[first : max(int((t1 - self.start) // self.spell_s) + 2, 1)].max())


@dataclass(frozen=True)
class DetectionModel:
    """Per-frame hit probability and false-alarm rates at each kind's threshold and one weather."""

    calibration: Calibration
    thresholds: Mapping[Kind, float]
    """Each kind's score threshold τ in (0, 1) (``detection.threshold``); a number is every kind's."""
    weather: Weather
    sensor: SensorType = SensorType.VISIBLE
    """The cameras' sensor type: the band whose optical depth the alarm rates' weather term reads."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "thresholds", per_kind(self.thresholds))  # frozen: set once, here

    def for_sensor(self, sensor: SensorType) -> DetectionModel:
        """This model on cameras of ``sensor``: the calibration's terms of that sensor in place of the visible
        ones (:meth:`sim.scenario.models.Calibration.for_sensor`); itself for visible cameras."""
        if sensor is SensorType.VISIBLE:
            return self
        return DetectionModel(self.calibration.for_sensor(sensor), self.thresholds, self.weather, sensor)

    def threshold(self, kind: Kind) -> float:
        """The score threshold τ of ``kind``'s detector."""
        return self.thresholds[kind]

    @property
    def weather_offset(self) -> float:
        """The shared logit offset of this run's weather."""
        return self.calibration.weather[self.weather]

    def hit_run_frames(self, kind: Kind, frame_interval: float, p: np.ndarray | float = 0.5) -> np.ndarray:
        """Mean number of consecutive hits on one offender at this frame interval and per-frame hit
        probability ``p``: ``hit_run_s`` · (p / (1 − p))^``hit_run_odds_exponent`` (1: independent frames)."""
        spec = self.calibration.classes[kind]
        run = spec.hit_run_s / frame_interval
        if spec.hit_run_odds_exponent > 0:
            odds = np.asarray(p) / np.maximum(1.0 - np.asarray(p), 1e-12)
            run = run * odds**spec.hit_run_odds_exponent
        return np.maximum(run, 1.0)

    def never_probability(self, kind: Kind, pixels: float) -> float:
        """P(this camera's detector never scores an offender ``pixels`` tall at first sight):
        σ(logit ``never_share`` + ``never_size_slope`` · log2(pixels / reference_pixels))."""
        spec = self.calibration.classes[kind]
        if spec.never_share <= 0 or spec.never_share >= 1 or spec.never_size_slope == 0:
            return spec.never_share
        return float(sigmoid(logit(spec.never_share) + spec.never_size_slope * self._doublings(pixels)))

    def never_found_probability(self, rates: AlarmHazard, pixels: float) -> float:
        """P(this camera never finds an offender ``pixels`` tall at first sight) under the ``hazard`` model's
        ``rates``: σ(``never_log_odds`` + ``never_size_slope`` · log2(pixels / reference_pixels)); 0 without
        the term."""
        if rates.never_log_odds is None:
            return 0.0
        size = self._doublings(pixels) if rates.never_size_slope != 0 else 0.0
        return float(sigmoid(rates.never_log_odds + rates.never_size_slope * size))

    @staticmethod
    def neighbour_never_probability(rates: AlarmHazard, nearness: float) -> float:
        """P(this camera never finds an offender that came into view at closeness ``nearness`` to another of
        its kind, for that reason) under ``rates``' neighbour term: σ(never_log_odds + never_slope · c); 0
        without the term."""
        term = rates.neighbour
        return 0.0 if term is None else float(sigmoid(term.never_log_odds + term.never_slope * nearness))

    def _doublings(self, pixels: float) -> float:
        """log2(``pixels`` / reference_pixels)."""
        return math.log2(max(pixels, 1e-9) / self.calibration.reference_pixels)

    def own_offset(
        self,
        kind: Kind,
        start: float,
        until: float,
        rng: np.random.Generator,
        pixels: float = math.nan,
        nearness: float = 0.0,
    ) -> OwnOffset:
        """An offender's own logit offsets in one camera's view from ``start`` to ``until`` (s), ``pixels``
        tall there at first sight (only needed with a ``never_size_slope``) and at closeness ``nearness`` to
        another of its kind (read with a neighbour term).

        σ_o·v per spell (``offender_sd``, redrawn every ``offender_spell_s``) plus σ_l·u for the
        whole visit (``offender_lasting_sd``), v, u ~ N(0, 1); with probability ``never_share`` the
        offender is one this camera's detector never scores (offset −∞; :meth:`never_probability` with
        ``never_size_slope``), and with probability
        ``shadowed_share`` one none of whose alarms lands on them; for the ``hazard`` model a log-rate
        offset σ_f·w, w ~ N(0, 1) (``alarm_hazard.frailty_sd``), the same in all its views of this camera, and
        with the probability of :meth:`never_found_probability` −∞ (one this camera never finds; drawn
        only with ``alarm_hazard.never_log_odds``), and again with the neighbour term's share
        (:meth:`neighbour_never_probability`). u and those draws
        come after the v's, each only when its parameter is > 0, so calibrations without them keep their
        draws.
        """
        spec = self.calibration.classes[kind]
        spell = spec.offender_spell_s or math.inf
        spells = 1 if math.isinf(spell) else int((until - start) // spell) + 1
        values = spec.offender_sd * rng.standard_normal(spells)
        lasting = 0.0
        if spec.offender_lasting_sd > 0:
            lasting = float(rng.standard_normal())
            values = values + spec.offender_lasting_sd * lasting
        if spec.never_share > 0 and rng.random() < self.never_probability(kind, pixels):
            values = np.full(len(values), -np.inf)  # one the detector never scores: no hit at any τ
        shadowed = spec.shadowed_share > 0 and rng.random() < spec.shadowed_share
        hazard = spec.alarm_hazard
        frailty = hazard.frailty_sd if hazard is not None else 0.0
        log_rate = frailty * float(rng.standard_normal()) if frailty > 0 else 0.0
        never = hazard is not None and hazard.never_log_odds is not None
        if never and rng.random() < self.never_found_probability(hazard, pixels):
            log_rate = -math.inf  # one this camera never finds
        neighbour = hazard is not None and hazard.neighbour is not None
        if neighbour and rng.random() < self.neighbour_never_probability(hazard, nearness):
            log_rate = -math.inf  # lost beside another (drawn for every offender: one stream, any closeness)
        return OwnOffset(values, start, spell, lasting, shadowed, log_rate, nearness if neighbour else 0.0)

    def acquisition(
        self, kind: Kind, frame_interval: float, rng: np.random.Generator, lasting: float = 0.0
    ) -> AcquisitionChain | None:
        """A new view's acquisition chain (:mod:`sim.sensing.acquisition`), None when the class has no
        acquisition
        model (hits follow the per-frame model from the first frame)."""
        spec = self.calibration.classes[kind]
        return (
            None if spec.entry_acquisition is None else AcquisitionChain(spec, frame_interval, rng, lasting)
        )

    def alarm_rates(self, kind: Kind) -> AlarmRates | None:
        """The ``hazard`` model's alarm rates of ``kind`` at its threshold and this weather
        (:mod:`sim.sensing.alarm_hazard`), None when the class has none (alarms come from per-frame hits)."""
        rates = self.calibration.classes[kind].alarm_hazard
        if rates is None:
            return None
        reference = self.calibration.reference_pixels
        return AlarmRates(rates, reference, self.threshold(kind), self.weather, self.sensor)

    def eta(self, kind: Kind, pixels: np.ndarray, light_index: np.ndarray) -> np.ndarray:
        """Latent score location η for targets ``pixels`` tall under light levels 0/1/2 (night/dusk/day)."""
        spec = self.calibration.classes[kind]
        offsets = spec.light or self.calibration.light
        light = np.array(
            [offsets.get(level, self.calibration.light[level]) for level in ("night", "dusk", "day")]
        )
        size = np.log2(np.maximum(pixels, 1e-9) / self.calibration.reference_pixels)
        weather = (spec.weather or {}).get(self.weather, self.weather_offset)
        return spec.intercept + spec.size_slope * size + light[light_index] + weather

    def hit_probability(self, kind: Kind, pixels: np.ndarray, light_index: np.ndarray) -> np.ndarray:
        """P(score > ``kind``'s threshold) for each frame."""
        return sigmoid(self.eta(kind, pixels, light_index) - logit(self.threshold(kind)))

    def score_given_hit(self, kind: Kind, eta: float, u: float) -> float:
        """Score of a hit: inverse-CDF draw of σ(η + ε) conditioned on exceeding ``kind``'s threshold."""
        floor = float(sigmoid(logit(self.threshold(kind)) - eta))  # P(ε <= logit τ − η)
        quantile = min(max(floor + u * (1.0 - floor), 1e-12), 1.0 - 1e-12)
        return float(sigmoid(eta + logit(quantile)))

    def false_alarm_rate(self, kind: Kind, light: Light = Light.DAY) -> float:
        """False alarms per camera-hour of ``kind`` at its threshold in ``light`` (day, the reference level,
        unless given) and this run's weather, 1/h (:func:`sim.sensing.false_alarms.false_alarm_rate`)."""
        spec = self.calibration.false_alarms[kind]
        return false_alarm_rate(spec, self.threshold(kind), light, self.weather)
