"""The ``hazard`` model's weather covariate fitted to pixel mode: the slopes of the optical-depth term
(:class:`sim.scenario.models.OpticalDepthTerm`) of a class whose clear-weather rates are kept as they are.

The hazard classes are fitted to pixel-mode runs in clear weather (``scripts/regenerate_calibration.sh``).
Runs of the same scene in haze, fog or rain (``scripts/weather_effect.py``) then say what the weather adds:
each frame's alarm hazard is Δ · λ₀ · exp(g(τ)), λ₀ the class's own rate in that frame
(:class:`sim.sensing.alarm_hazard.AlarmRates` in clear weather: its age, size, light, threshold and crowd), g
the term's offset at the frame's optical depth τ = d / L (the offender's slant distance from the lens over the
weather's extinction length, :func:`sim.world.visibility.optical_depth`). The likelihood is the grouped-time
hazards model's (complementary log-log link, log Δ as offset; Prentice & Gloeckler 1978, *Biometrics*
34(1):57-67) of each offender's first alarm at the run's threshold, as :mod:`sim.calibration.alarm_hazard_fit`
counts it, with the class's frailty integrated out (Gauss-Hermite quadrature, :data:`NODES` points) and its
share never found as a mixture (Farewell 1982, *Biometrics* 38(4):1041-1046). Only the slopes are fitted: not
negative (L-BFGS-B's bounds), so the offset is 0 up to the first knot and falls ever faster beyond, with a
small ridge (:data:`RIDGE`) that keeps the steepest segment finite where nobody beyond some depth was ever
found (the likelihood then rises for ever as the rate there falls).

Why a covariate and not an offset per weather: on paired runs (the same offenders in clear weather and in
fog) fog costs the near bank's anglers 40 points and the far bank's all of them (docs/detectors.md,
"Weather and the alarm rates"); one offset per weather is wrong at one distance or the other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, logsumexp

from sim.calibration.alarm_hazard_fit import risk_set
from sim.scenario.models import AlarmHazard, OpticalDepthTerm, Weather
from sim.sensing.alarm_hazard import AlarmRates
from sim.world.visibility import optical_depth

KNOTS = (0.5, 1.0, 2.0, 3.0, 4.0, 6.0)
"""Optical depths (1) at which the fall may steepen: the paired runs' cameras stand at medians of 0.5-8.3.
None below 0.5, so clear air (τ < 0.05 within a kilometre) costs nothing and clear runs stay as they were."""
RIDGE = 0.01
"""Weight of the ridge Σ slopes² on the negative log-likelihood."""
NODES = 24
"""Gauss-Hermite points integrating a frailty out."""
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


@dataclass(frozen=True)
class _Offenders:
    """The risk set reduced to what the likelihood needs."""

    exposure: np.ndarray
    """Each frame's Δ · λ₀ (1)."""
    hinges: np.ndarray
    """Each frame's max(0, τ − knot), (frames, knots)."""
    offender: np.ndarray
    event: np.ndarray
    """Whether the frame is its offender's first alarm."""
    alarmed: np.ndarray
    """Per offender: whether it was alarmed on."""
    log_never: np.ndarray
    """Per offender: log of the share never found at its first size (−inf without one)."""
    log_found: np.ndarray
    """Per offender: log of 1 − that share."""
    weather: np.ndarray
    """Per offender: the weather of its frames."""


def fit_optical_depth(
    frames: pd.DataFrame,
    detected: pd.Series,
    block: AlarmHazard,
    reference_pixels: float,
    threshold: float,
    knots: tuple[float, ...] = KNOTS,
) -> OpticalDepthFit:
    """The optical-depth term of ``block``'s kind fitted to ``frames`` (the score log's
    :data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS` and ``distance_m``, m; runs in haze, fog or
    rain) and pixel mode's credited first alarms ``detected`` (s per group) at the run's ``threshold``, the
    class's other terms (``block``, at ``reference_pixels``) held as they are (module docstring)."""
    if block.weather:
        raise ValueError("the class already has weather offsets: its optical depth term would count twice")
    if "distance_m" not in frames:
        raise ValueError("the frames need each offender's distance from the lens (distance_m)")
    data = _offenders(frames, detected, block, reference_pixels, threshold, knots)
    nodes, weights = np.polynomial.hermite_e.hermegauss(NODES if block.frailty_sd > 0 else 1)
    scale = np.exp(block.frailty_sd * nodes)  # z_q: each node's factor on the rates
    log_weights = np.log(weights / weights.sum())

    def objective(slopes: np.ndarray) -> tuple[float, np.ndarray]:
        log_lik, gradient = _log_likelihood(data, slopes, scale, log_weights)
        return -log_lik + RIDGE * float(slopes @ slopes), -gradient + 2.0 * RIDGE * slopes

    start = np.full(len(knots), 0.1)
    result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[(0.0, MAX_SLOPE)] * len(knots))
    slopes = np.round(result.x, 4)
    term = OpticalDepthTerm(knots=knots, slopes=tuple(float(s) for s in slopes))
    log_lik = _log_likelihood(data, slopes, scale, log_weights)[0]
    return OpticalDepthFit(term, log_lik, len(data.alarmed), int(data.alarmed.sum()))


def alarm_shares(
    frames: pd.DataFrame, block: AlarmHazard, reference_pixels: float, threshold: float
) -> pd.DataFrame:
    """Per weather of ``frames`` (as :func:`fit_optical_depth` takes them): its offenders and how many of
    them ``block`` (with its optical-depth term, if any) expects to alarm on at ``threshold`` within their
    frames: the sum of each one's chance, 1 − its chance of none (frailty and share never found included)."""
    knots = block.optical_depth.knots if block.optical_depth is not None else (0.0,)
    slopes = np.asarray(block.optical_depth.slopes if block.optical_depth is not None else (0.0,))
    data = _offenders(frames, pd.Series(dtype=float), block, reference_pixels, threshold, knots)
    nodes, weights = np.polynomial.hermite_e.hermegauss(NODES if block.frailty_sd > 0 else 1)
    hazard = data.exposure * np.exp(-(data.hinges @ slopes))
    total = np.bincount(data.offender, hazard, minlength=len(data.alarmed))
    none = np.exp(-np.exp(block.frailty_sd * nodes)[None, :] * total[:, None]) @ (weights / weights.sum())
    chance = (1.0 - none) * np.exp(data.log_found)
    table = pd.DataFrame({"weather": data.weather, "expected": chance})
    return table.groupby("weather").agg(offenders=("expected", "size"), expected=("expected", "sum"))


def _offenders(
    frames: pd.DataFrame,
    detected: pd.Series,
    block: AlarmHazard,
    reference_pixels: float,
    threshold: float,
    knots: tuple[float, ...],
) -> _Offenders:
    """The frames at risk at the run's ``threshold``, with the class's clear-weather hazards and hinges."""
    crowd = block.crowd_slope != 0.0
    (rows, event_rows, _), _, step = risk_set(
        frames, detected, threshold, (round(threshold, 6),), block.k, block.n, crowd
    )
    without = block.model_copy(update={"optical_depth": None})
    clear = AlarmRates(without, reference_pixels, threshold, Weather.CLEAR)
    others = rows["others"].to_numpy(float) if crowd else None
    light = rows["light"].to_numpy(int)
    base = clear.rates(rows["age"].to_numpy(float), rows["pixels"].to_numpy(float), light, others)
    depth = np.empty(len(rows))
    for weather, index in rows.groupby("weather").indices.items():
        depth[index] = optical_depth(rows["distance_m"].to_numpy(float)[index], Weather(weather))
    event = np.zeros(len(rows), dtype=bool)
    event[event_rows] = True
    offender = rows["offender"].to_numpy()
    count = int(offender.max()) + 1 if len(offender) else 0
    first = np.unique(offender, return_index=True)[1]  # each offender's first frame: its size at first sight
    if block.never_log_odds is None:
        log_never, log_found = np.full(count, -math.inf), np.zeros(count)
    else:
        size = np.log2(np.maximum(rows["pixels"].to_numpy(float)[first], 1e-9) / reference_pixels)
        never = expit(block.never_log_odds + block.never_size_slope * size)
        log_never, log_found = np.log(never), np.log1p(-never)
    return _Offenders(
        exposure=step * base,
        hinges=np.maximum(depth[:, None] - np.asarray(knots), 0.0),
        offender=offender,
        event=event,
        alarmed=np.bincount(offender[event], minlength=count) > 0,
        log_never=log_never,
        log_found=log_found,
        weather=rows["weather"].to_numpy()[first],
    )


def _log_likelihood(
    data: _Offenders, slopes: np.ndarray, scale: np.ndarray, log_weights: np.ndarray
) -> tuple[float, np.ndarray]:
    """The offenders' log-likelihood at ``slopes`` and its gradient: per offender and node q, log L_q =
    −z_q H + log(1 − exp(−z_q h_e)) if alarmed (H the hazard of its frames before the alarm, h_e the alarm
    frame's), mixed over the nodes' ``log_weights`` and the share never found."""
    hazard = data.exposure * np.exp(-(data.hinges @ slopes))
    count = len(data.alarmed)
    quiet = ~data.event
    before = np.bincount(data.offender[quiet], hazard[quiet], minlength=count)  # H
    at_alarm = np.bincount(data.offender[data.event], hazard[data.event], minlength=count)  # h_e
    zh = scale[None, :] * at_alarm[:, None]
    alarm_term = np.where(data.alarmed[:, None], np.log(-np.expm1(-np.where(zh > 0, zh, 1.0))), 0.0)
    log_node = log_weights[None, :] - scale[None, :] * before[:, None] + alarm_term
    log_mix = logsumexp(log_node, axis=1) + data.log_found
    log_offender = np.where(data.alarmed, log_mix, np.logaddexp(data.log_never, log_mix))
    posterior = np.exp(log_node + data.log_found[:, None] - log_offender[:, None])  # p_iq
    # d log L / d g for a frame: −z h before the alarm, z h / (e^{z h} − 1) at it; d g / d slope = −hinge.
    exposure_by_knot = np.column_stack(
        [np.bincount(data.offender[quiet], hazard[quiet] * h, minlength=count) for h in data.hinges[quiet].T]
    )
    at_knot = np.zeros((count, data.hinges.shape[1]))
    at_knot[data.offender[data.event]] = data.hinges[data.event]
    ratio = np.where(zh > 1e-12, zh / np.expm1(np.maximum(zh, 1e-12)), 1.0)
    alarm_weight = np.where(data.alarmed, (posterior * ratio).sum(axis=1), 0.0)
    gradient = (posterior @ scale) @ exposure_by_knot - alarm_weight @ at_knot
    return float(log_offender.sum()), gradient
