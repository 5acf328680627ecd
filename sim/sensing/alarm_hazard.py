"""Statistical mode's ``hazard`` model: alarms on an offender come at a rate, not from per-frame hits.

A camera's k-of-n alarm lands on an offender in view at the rate (1/s)

    λ = exp(age_log_rates[bin(age)] + (size_slope + size_slope_by_age[bin(age)]) · log2(pixels /
            reference_pixels) + light + weather + threshold offset(τ) + crowd_slope · log2(1 + others)),

with ``size_cliff`` −slope · max(0, log2(below_pixels / pixels)) more (:func:`size_cliff_offset`: below a size
the detector barely resolves the rate falls faster than the size slope says), and with ``optical_depth`` in
place of the weather's offset, −Σ_k slopes[k] · max(0, τ − knots[k]), τ the optical depth of the offender's
distance from the lens in that frame in the camera's band (:func:`optical_depth_offset`; visible light's d /
L, long-wave infrared's β d: :func:`sim.world.visibility.optical_depth`): the weather's cost grows with the
distance, nothing near a camera and nearly everything far from it in fog (docs/detectors.md, "The optical
depth: the alarm rates' weather covariate"),

age the time since the offender came into this view (the detector's evidence window and its quick first alarms
are the early bins, the slow finds of hard offenders the late ones), pixels its height in that frame, others
the offenders of its kind also in the camera's view then (:mod:`sim.sensing.view_crowds`; a crowd merges blobs
and swaps tracks, and pixel mode alarms later on each of its members). Over a frame of Δ seconds the alarm
comes with probability 1 − exp(−Δ·λ): the grouped-time hazards model (Prentice & Gloeckler 1978, Biometrics
34(1):57-67; the complementary log-log link with log Δ as offset) that
:func:`sim.calibration.alarm_hazard_fit.fit_alarm_hazard` fits to pixel mode's alarms; without
``size_slope_by_age`` (0 in every bin) a proportional-hazards model, in which the size scales every age's
rate alike; with it larger offenders may alarm at other ages than smaller ones. With ``frailty_sd`` σ each
offender's rate in one camera's views carries its own factor exp(σw), w ~ N(0, 1) drawn once
(:meth:`sim.sensing.detection_model.DetectionModel.own_offset`): some offenders are found at once, others late
or never; with ``never_log_odds`` a share of them is never found by that camera at all (drawn once too, by
their size at first sight with ``never_size_slope``). With ``neighbour`` an offender who came into view near
another of its kind, closeness c = exp(−s / scale_heights) (:func:`closeness`; s their separation in the
image in its own heights), has c · log_rate more before
``late_after_s`` in view and c · late_log_rate after (:func:`neighbour_offset`), and a share of its own never
found (:meth:`sim.sensing.detection_model.DetectionModel.neighbour_never_probability`); its ``crowd_change``
is added to ``crowd_slope``.
Drawn as one unit-exponential E per view: the alarm is in the first frame whose cumulative hazard
Σ Δ·λ reaches E, the same E at every threshold, and λ never rises with τ, so a lower threshold never alarms
later (common random numbers).

The offset of a threshold between the fitted ones is linear in logit τ between its neighbours, beyond them
the end segments' slope (a single fitted threshold: its offset everywhere). Offsets given per age bin (a
baseline per threshold: :mod:`sim.calibration.alarm_hazard_fit`) are so interpolated bin by bin; never
rising with τ in any bin, they keep a lower threshold from alarming later.
"""

from __future__ import annotations

import numpy as np

from sim.core.maths import logit
from sim.scenario.models import AlarmHazard, NeighbourTerm, OpticalDepthTerm, SensorType, SizeCliff, Weather
from sim.world.daylight import LIGHT_ORDER
from sim.world.visibility import optical_depth


def age_bins(edges: np.ndarray, ages: np.ndarray) -> np.ndarray:
    """The age bin of each of ``ages`` (s) among bins with left ``edges`` (s); a frame within a microsecond
    of an edge is in the bin the edge begins (frame times are sums of rounded steps)."""
    return np.searchsorted(edges, np.asarray(ages) + 1e-6, side="right") - 1


def depth_hinges(knots, depth: np.ndarray) -> np.ndarray:
    """max(0, depth − knot) of optical depths ``depth`` (1) for each of ``knots``, (..., knots)."""
    return np.maximum(np.asarray(depth, dtype=float)[..., None] - np.asarray(knots, dtype=float), 0.0)


def optical_depth_offset(term: OpticalDepthTerm, depth: np.ndarray) -> np.ndarray:
    """The log-rate offset of ``term`` at optical depths ``depth`` (1): −Σ_k slopes[k] · max(0, depth −
    knots[k]), 0 up to the first knot, falling ever faster beyond."""
    return -(depth_hinges(term.knots, depth) @ np.asarray(term.slopes, dtype=float))


def size_cliff_offset(cliff: SizeCliff, pixels: np.ndarray, ages: np.ndarray | None = None) -> np.ndarray:
    """The log-rate offset of ``cliff`` for offenders ``pixels`` tall: −slope · max(0, log2(below /
    pixels)), with the cliff's ``late_slope`` in place of ``slope`` in frames at ``ages`` (s in view) from its
    ``late_after_s`` on (``ages`` needed then)."""
    below = np.maximum(np.log2(cliff.below_pixels / np.maximum(np.asarray(pixels, dtype=float), 1e-9)), 0.0)
    if cliff.late_slope is None:
        return -cliff.slope * below
    if ages is None:
        raise ValueError("a size cliff with a late slope needs the frames' ages in view")
    slope = np.where(np.asarray(ages, dtype=float) < cliff.late_after_s, cliff.slope, cliff.late_slope)
    return -slope * below


def closeness(separation: float, scale: float) -> float:
    """exp(−``separation`` / ``scale``): 1 for an offender that looks to stand on another, 0 for one with
    nobody near (``separation`` inf); both in the offender's heights in the image."""
    return float(np.exp(-separation / scale)) if np.isfinite(separation) else 0.0


def neighbour_offset(term: NeighbourTerm, nearness: float | np.ndarray, ages: np.ndarray) -> np.ndarray:
    """The log-rate offset of ``term`` in frames at ``ages`` (s in view) of an offender of closeness
    ``nearness`` (:func:`closeness`; one, or one per frame): c · log_rate before late_after_s, c ·
    late_log_rate from then on."""
    ages = np.asarray(ages, dtype=float)
    return np.asarray(nearness, dtype=float) * np.where(
        ages < term.late_after_s, term.log_rate, term.late_log_rate
    )


def threshold_offset(rates: AlarmHazard, threshold: float) -> float | np.ndarray:
    """The log-rate offset at ``threshold`` (module docstring), ln(1); per age bin (an array) when the
    offsets are given per age bin."""
    if rates.by_age:
        columns = np.asarray(rates.threshold_offsets, dtype=float).T
        return np.array([_interpolated(rates.thresholds, column, threshold) for column in columns])
    return _interpolated(rates.thresholds, np.asarray(rates.threshold_offsets, dtype=float), threshold)


def _interpolated(thresholds, offsets: np.ndarray, threshold: float) -> float:
    """``offsets`` (one per threshold of ``thresholds``) at ``threshold``: linear in logit τ between them,
    the end segments' slopes beyond."""
    cuts = np.array([logit(t) for t in thresholds])
    if len(cuts) == 1:
        return float(offsets[0])
    x = logit(threshold)
    if x < cuts[0]:
        return float(offsets[0] + (x - cuts[0]) * (offsets[1] - offsets[0]) / (cuts[1] - cuts[0]))
    if x > cuts[-1]:
        return float(offsets[-1] + (x - cuts[-1]) * (offsets[-1] - offsets[-2]) / (cuts[-1] - cuts[-2]))
    return float(np.interp(x, cuts, offsets))


class AlarmRates:
    """One kind's alarm rates on one sensor type's cameras at one threshold and weather (the optical depth in
    that sensor's band)."""

    def __init__(
        self,
        rates: AlarmHazard,
        reference_pixels: float,
        threshold: float,
        weather: Weather,
        sensor: SensorType = SensorType.VISIBLE,
    ):
        self.edges = np.asarray(rates.age_edges_s, dtype=float)
        self.age_log_rates = np.asarray(rates.age_log_rates, dtype=float)
        by_age = rates.size_slope_by_age or np.zeros(len(self.edges))
        self.size_slopes = rates.size_slope + np.asarray(by_age, dtype=float)  # by age bin
        self.crowd_slope = rates.crowd_slope + (rates.neighbour.crowd_change if rates.neighbour else 0.0)
        self.reference_pixels = reference_pixels
        self.light = np.array([rates.light.get(level, 0.0) for level in LIGHT_ORDER])  # by light index
        offset = threshold_offset(rates, threshold)
        if isinstance(offset, np.ndarray):  # a baseline per threshold: the age bins' rates at this one
            self.age_log_rates, offset = self.age_log_rates + offset, 0.0
        self.base = offset + rates.weather.get(weather, 0.0)
        self.optical_depth = rates.optical_depth
        self.weather, self.sensor = weather, sensor
        self.size_cliff = rates.size_cliff
        self.neighbour = rates.neighbour

    def rates(
        self,
        ages: np.ndarray,
        pixels: np.ndarray,
        light_index: np.ndarray,
        others: np.ndarray | None = None,
        distances: np.ndarray | None = None,
        nearness: float = 0.0,
    ) -> np.ndarray:
        """Alarm rate (1/s) in frames at ``ages`` (s since the view began) of an offender ``pixels`` tall
        under light levels ``light_index`` (0 night, 1 dusk, 2 day), with ``others`` offenders of its kind
        also in view (None: none), ``distances`` (m) from the lens (needed with an optical depth term) and
        ``nearness`` its closeness to another when it came into view (:func:`closeness`; read with a
        neighbour term)."""
        bins = age_bins(self.edges, ages)
        size = np.log2(np.maximum(pixels, 1e-9) / self.reference_pixels)
        log_rate = self.age_log_rates[bins] + self.size_slopes[bins] * size
        if self.size_cliff is not None:
            log_rate = log_rate + size_cliff_offset(self.size_cliff, pixels, ages)
        log_rate = log_rate + self.light[light_index] + self.base
        if others is not None and self.crowd_slope != 0.0:
            log_rate = log_rate + self.crowd_slope * np.log2(1.0 + others)
        if self.optical_depth is not None:
            if distances is None:
                raise ValueError("an optical depth term needs the offender's distances from the lens")
            depth = optical_depth(distances, self.weather, self.sensor)
            log_rate = log_rate + optical_depth_offset(self.optical_depth, depth)
        if self.neighbour is not None and nearness > 0.0:
            log_rate = log_rate + neighbour_offset(self.neighbour, nearness, ages)
        return np.exp(log_rate)

    @property
    def crowded(self) -> bool:
        """Whether the rates depend on the others in view."""
        return self.crowd_slope != 0.0


def first_reaching(hazards: np.ndarray, budget: float) -> tuple[int, float]:
    """The index of the first frame at which the cumulative hazard ``hazards`` (each Δ·λ) reaches ``budget``
    (-1 if none does) and the budget left after the frames (for the next chunk of frames)."""
    cumulative = np.cumsum(hazards)
    index = int(np.searchsorted(cumulative, budget, side="left"))
    if index < len(cumulative):
        return index, 0.0
    return -1, budget - (float(cumulative[-1]) if len(cumulative) else 0.0)
