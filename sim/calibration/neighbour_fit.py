"""The ``hazard`` model's neighbour term fitted to pixel mode: how an offender fares who comes into a camera's
view near another of its kind (:class:`sim.scenario.models.NeighbourTerm`), the class's other terms held.

Pixel mode's fishing detector merges two anglers who look close in its image into one body and credits their
one alarm to the first: on held-out runs of three fishing banks an angler who came into view within 10 m of
another was found 0.47 of the time, one with nobody within 20 m 0.93 (docs/detectors.md, "An angler beside
another"). The
class's crowd term (the count of others in view) sees only part of that, and as a rate: a slow rate still
finds its offender in a 30-minute view, which pixel mode does not.

Each offender has its closeness c = exp(−s / scale_heights) (:func:`sim.sensing.alarm_hazard.closeness`; s
how far apart it and the nearest other in the camera's view looked in the image when it came into view, in its
own heights: :mod:`sim.calibration.neighbour_separations`). Its frames' hazard is Δt · λ₀ · exp(c · b) ·
(1 + others)^δ, λ₀ the class's own rate, b the term's ``log_rate`` before ``late_after_s`` in view and
``late_log_rate`` after, δ the change of the class's crowd slope (``crowd_change``: in the class's fit the
count of others in view stood in for the nearest one); and it is one the camera never finds, beside the
class's own share π₀, with probability π = σ(g₀ + g₁ c) (``never_log_odds``, ``never_slope``): it may be
found with probability (1 − π₀)(1 − π). The five are fitted by maximum likelihood with the class held
(:mod:`sim.calibration.held_class_fit`, its frailty integrated out; the mixture cure model of Farewell 1982,
*Biometrics* 38(4):1041-1046, with the cure share's covariate). The gradient in the share's log odds
z_i = g₀ + g₁ c_i is −π_i for an alarmed offender, π_i (F_i − F_i M_i) / L_i for one never alarmed (F_i its
share that may be found, M_i its alarm's likelihood over the frailty, L_i its likelihood).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, log_expit

from sim.calibration.held_class_fit import HeldClassOffenders, held_class_offenders, offender_log_likelihoods
from sim.scenario.models import AlarmHazard, NeighbourTerm

SCALE_HEIGHTS = 2.0
"""The closeness's scale, in the offender's heights in the image: of 1, 2, 3 and 4 the likeliest for whether
the near bank's, the far tile's and the river bank's held-out anglers were found (a logistic fit against
size and closeness; docs/detectors.md, "An angler beside another")."""
LATE_AFTER_S = 10.0
"""Where the early log-rate gives way to the late one, s in view: the fishing detector's first alarms come at
5.7 and 7.4 s (its dwell ramp), a merged angler's later or never."""
BOUND = 20.0
"""Bound of every coefficient, in log-rate or log-odds units (the schema allows more)."""
RIDGE = 0.01
"""A light ridge penalty, λ Σ θ²: keeps the share's log odds finite when no alone offender is lost."""


@dataclass(frozen=True)
class NeighbourFit:
    """A fitted neighbour term and the likelihood it gained."""

    term: NeighbourTerm
    gain: float
    """Log-likelihood of the offenders' first alarms with the term less without it."""
    offenders: int
    near: int
    """Offenders that came into view within ``scale_heights`` of another (closeness above 1/e)."""


def fit_neighbour(
    frames: pd.DataFrame,
    detected: pd.Series,
    block: AlarmHazard,
    reference_pixels: float,
    threshold: float,
    scale_heights: float = SCALE_HEIGHTS,
    late_after_s: float = LATE_AFTER_S,
) -> NeighbourFit:
    """The neighbour term of ``block``'s kind fitted to ``frames`` (the score log's columns and each
    offender's ``nearness``, its closeness at ``scale_heights`` in every row of it) and pixel mode's
    credited first alarms ``detected`` (s per group) at the run's ``threshold``, ``block`` (at
    ``reference_pixels``, without a neighbour term of its own) held."""
    data = _held(frames, detected, block, reference_pixels, threshold, late_after_s)
    nearness = _first_nearness(data)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = _log_likelihood(data, nearness, theta)
        return -value + RIDGE * float(theta @ theta), -gradient + 2.0 * RIDGE * theta

    start = np.array([0.0, 0.0, 0.0, -3.0, 0.0])
    theta = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[(-BOUND, BOUND)] * 5).x
    log_rate, late_log_rate, crowd_change, never_log_odds, never_slope = (
        float(x) for x in np.round(theta, 4)
    )
    term = NeighbourTerm(
        scale_heights=scale_heights,
        log_rate=log_rate,
        late_log_rate=late_log_rate,
        late_after_s=late_after_s,
        never_log_odds=never_log_odds,
        never_slope=never_slope,
        crowd_change=crowd_change,
    )
    near = int((nearness > np.exp(-1.0)).sum())
    return NeighbourFit(term, neighbour_gain_of(data, nearness, term), len(nearness), near)


def neighbour_gain(
    frames: pd.DataFrame,
    detected: pd.Series,
    block: AlarmHazard,
    reference_pixels: float,
    threshold: float,
    term: NeighbourTerm,
) -> float:
    """How much more likely ``frames``' first alarms are with ``term`` than without it, ``block`` held (the
    frames' ``nearness`` at the term's scale): on runs the fit did not see, whether it foretells them."""
    data = _held(frames, detected, block, reference_pixels, threshold, term.late_after_s)
    return neighbour_gain_of(data, _first_nearness(data), term)


def neighbour_gain_of(data: HeldClassOffenders, nearness: np.ndarray, term: NeighbourTerm) -> float:
    """Log-likelihood of ``data`` with ``term`` less without it."""
    theta = np.array(
        [term.log_rate, term.late_log_rate, term.crowd_change, term.never_log_odds, term.never_slope]
    )
    without = offender_log_likelihoods(data, np.zeros(3))[0].sum()
    return float(_log_likelihood(data, nearness, theta)[0] - without)


def _held(frames, detected, block: AlarmHazard, reference_pixels, threshold, late_after_s: float):
    """The offenders at risk with ``block``'s rates, and the design of the term's log-rates: c in the frames
    before ``late_after_s`` in view, c in those after, and log2(1 + others)."""

    def design(rows: pd.DataFrame) -> np.ndarray:
        nearness, early = rows["nearness"].to_numpy(float), rows["age"].to_numpy(float) < late_after_s
        crowd = np.log2(1.0 + rows["others"].to_numpy(float))
        return np.column_stack([nearness * early, nearness * ~early, crowd])

    held = block.model_copy(update={"neighbour": None})
    return held_class_offenders(frames, detected, held, reference_pixels, threshold, design, others=True)


def _first_nearness(data: HeldClassOffenders) -> np.ndarray:
    """Each offender's closeness, read off its first frame's design row (one of its first two columns is
    c)."""
    first = np.unique(data.offender, return_index=True)[1]
    return data.design[first, :2].sum(axis=1)


def _log_likelihood(
    data: HeldClassOffenders, nearness: np.ndarray, theta: np.ndarray
) -> tuple[float, np.ndarray]:
    """Log-likelihood and gradient at θ = (log_rate, late_log_rate, crowd_change, never_log_odds,
    never_slope)."""
    odds = theta[3] + theta[4] * nearness
    log_found = data.log_found + log_expit(-odds)  # may be found: (1 − π₀)(1 − π)
    log_never = np.log(-np.expm1(np.minimum(log_found, -1e-300)))
    mixed = dataclasses.replace(data, log_found=log_found, log_never=log_never)
    by_offender, found_part, rate_gradient = offender_log_likelihoods(mixed, theta[:3])
    share = expit(odds)
    lost = np.where(data.alarmed, 0.0, by_offender)  # only the offenders never alarmed need it
    quiet = share * (
        np.exp(np.minimum(log_found - lost, 700.0)) - np.exp(np.minimum(found_part - lost, 700.0))
    )
    by_odds = np.where(data.alarmed, -share, quiet)
    gradient = np.r_[rate_gradient, by_odds.sum(), by_odds @ nearness]
    return float(by_offender.sum()), gradient
