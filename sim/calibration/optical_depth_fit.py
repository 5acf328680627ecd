"""The ``hazard`` model's weather covariate fitted to pixel mode: the slopes of the optical-depth term
(:class:`sim.scenario.models.OpticalDepthTerm`) of a class whose clear-weather rates are kept as they are.

The hazard classes are fitted to pixel-mode runs in clear weather (``scripts/regenerate_calibration.sh``).
Runs of the same scene in haze, fog or rain (``scripts/weather_effect.py``) then say what the weather adds:
each frame's alarm hazard is Δ · λ₀ · exp(g(τ)), λ₀ the class's own rate in that frame and g the term's
offset at the frame's optical depth τ = d / L (the offender's slant distance from the lens over the weather's
extinction length, :func:`sim.world.visibility.optical_depth`), fitted by maximum likelihood with the class
held (:mod:`sim.calibration.held_class_fit`: its frailty and share never found integrated out). Only the
slopes are fitted: not negative (L-BFGS-B's bounds), so the offset is 0 up to the first knot and falls ever
faster beyond, with a small ridge (:data:`RIDGE`) that keeps the steepest segment finite where nobody beyond
some depth was ever found (the likelihood then rises for ever as the rate there falls).

Why a covariate and not an offset per weather: on paired runs (the same offenders in clear weather and in
fog) fog costs the near bank's anglers 40 points and the far bank's all of them (docs/detectors.md,
"Weather and the alarm rates"); one offset per weather is wrong at one distance or the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibration.held_class_fit import (
    alarm_chances,
    fitted_coefficients,
    held_class_offenders,
    log_likelihood,
)
from sim.scenario.models import AlarmHazard, OpticalDepthTerm, SensorType, Weather
from sim.sensing.alarm_hazard import depth_hinges
from sim.world.visibility import optical_depth

KNOTS = (0.5, 1.0, 2.0, 3.0, 4.0, 6.0)
"""Optical depths (1) at which the fall may steepen: the paired runs' cameras stand at medians of 0.5-8.3.
None below 0.5, so clear air (τ < 0.05 within a kilometre) costs nothing and clear runs stay as they were."""
RIDGE = 0.01
"""Weight of the ridge Σ slopes² on the negative log-likelihood."""
MAX_SLOPE = 100.0
"""Upper bound of a slope (the schema's)."""


@dataclass(frozen=True)
class OpticalDepthFit:
    """A fitted optical-depth term and what it was fitted on."""

    term: OpticalDepthTerm
    log_likelihood: float
    """Of the offenders' first alarms under the fitted term (without the ridge)."""
    offenders: int
    """Offenders (one camera's views of one in one run) in the fit."""
    alarmed: int
    """Of them, those pixel mode alarmed on at the run's threshold."""


def fit_optical_depth(
    frames: pd.DataFrame,
    detected: pd.Series,
    block: AlarmHazard,
    reference_pixels: float,
    threshold: float,
    knots: tuple[float, ...] = KNOTS,
    sensor: SensorType = SensorType.VISIBLE,
) -> OpticalDepthFit:
    """The optical-depth term of ``block``'s kind fitted to ``frames`` (the score log's
    :data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS` and ``distance_m``, m; runs in haze, fog or
    rain) and pixel mode's credited first alarms ``detected`` (s per group) at the run's ``threshold``, the
    class's other terms (``block``, at ``reference_pixels``) held as they are (module docstring), the depth
    in the band of the cameras' ``sensor``."""
    if block.weather:
        raise ValueError("the class already has weather offsets: its optical depth term would count twice")
    if "distance_m" not in frames:
        raise ValueError("the frames need each offender's distance from the lens (distance_m)")
    design = depth_design(knots, sensor)
    data = held_class_offenders(frames, detected, block, reference_pixels, threshold, design)
    slopes = np.round(fitted_coefficients(data, [(0.0, MAX_SLOPE)] * len(knots), RIDGE), 4)
    term = OpticalDepthTerm(knots=knots, slopes=tuple(float(s) for s in slopes))
    return OpticalDepthFit(term, log_likelihood(data, slopes)[0], len(data.alarmed), int(data.alarmed.sum()))


def alarm_shares(
    frames: pd.DataFrame,
    block: AlarmHazard,
    reference_pixels: float,
    threshold: float,
    sensor: SensorType = SensorType.VISIBLE,
) -> pd.DataFrame:
    """Per weather of ``frames`` (as :func:`fit_optical_depth` takes them): its offenders and how many of
    them ``block`` (with its optical-depth term, if any) expects to alarm on at ``threshold`` within their
    frames: the sum of each one's chance (:func:`sim.calibration.held_class_fit.alarm_chances`)."""
    term = block.optical_depth or OpticalDepthTerm(knots=(0.0,), slopes=(0.0,))
    nobody = pd.Series(dtype=float)  # no alarm: every frame of every offender at risk
    design = depth_design(term.knots, sensor)
    data = held_class_offenders(frames, nobody, block, reference_pixels, threshold, design)
    chance = alarm_chances(data, np.asarray(term.slopes, dtype=float))
    table = pd.DataFrame({"weather": data.weather, "expected": chance})
    return table.groupby("weather").agg(offenders=("expected", "size"), expected=("expected", "sum"))


def depth_design(knots: tuple[float, ...], sensor: SensorType = SensorType.VISIBLE):
    """The design of the term at ``knots``: −max(0, τ − knot) of each frame at risk (its optical depth τ in
    the band of ``sensor`` from its ``distance_m`` and weather), so that the offset is the design times the
    slopes."""

    def design(rows: pd.DataFrame) -> np.ndarray:
        depth = np.empty(len(rows))
        distance = rows["distance_m"].to_numpy(float)
        for weather, index in rows.groupby("weather").indices.items():
            depth[index] = optical_depth(distance[index], Weather(weather), sensor)
        return -depth_hinges(knots, depth)

    return design
