"""Offsets on a fitted ``hazard`` class's alarm log-rate, fitted with the class held as it is: the likelihood
that :mod:`sim.calibration.optical_depth_fit` (the weather's cost by the depth of air) maximises.

Each frame at risk has the class's own rate λ₀ (:class:`sim.sensing.alarm_hazard.AlarmRates` in clear weather:
its age, size, light, threshold and crowd) and a design row x (the covariates of the offset); its alarm hazard
is Δ · λ₀ · exp(x · β). The likelihood is the grouped-time hazards model's (complementary log-log link, log Δ
as offset; Prentice & Gloeckler 1978, *Biometrics* 34(1):57-67) of each offender's first alarm at the run's
threshold, as :mod:`sim.calibration.alarm_hazard_fit` counts it, with the class's frailty integrated out
(Gauss-Hermite quadrature, :data:`NODES` points) and its share never found as a mixture (Farewell 1982,
*Biometrics* 38(4):1041-1046): per offender and node q, log L_q = −z_q H + log(1 − exp(−z_q h_e)) if
alarmed, H the hazard of its frames before the alarm, h_e the alarm frame's, z_q the node's factor.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, logsumexp

from sim.calibration.alarm_hazard_fit import risk_set
from sim.scenario.models import AlarmHazard, Weather
from sim.sensing.alarm_hazard import AlarmRates

NODES = 24
"""Gauss-Hermite points integrating a frailty out."""


@dataclass(frozen=True)
class HeldClassOffenders:
    """The frames at risk reduced to what the likelihood needs."""

    exposure: np.ndarray
    """Each frame's Δ · λ₀ (1)."""
    design: np.ndarray
    """Each frame's covariates of the offset, (frames, coefficients)."""
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
    frailty_sd: float
    """The class's frailty."""


def held_class_offenders(
    frames: pd.DataFrame,
    detected: pd.Series,
    block: AlarmHazard,
    reference_pixels: float,
    threshold: float,
    design: Callable[[pd.DataFrame], np.ndarray],
    others: bool = False,
) -> HeldClassOffenders:
    """The frames of ``frames`` at risk at the run's ``threshold`` (pixel mode's credited first alarms
    ``detected``, s per group), with ``block``'s clear-weather hazards (without its optical-depth term) and
    ``design`` of the risk set's rows (:func:`sim.calibration.alarm_hazard_fit.at_risk`'s columns; with
    ``others`` the crowd's column even if the class has no crowd term)."""
    crowd = block.crowd_slope != 0.0 or others
    (rows, event_rows, _), _, step = risk_set(
        frames, detected, threshold, (round(threshold, 6),), block.k, block.n, crowd
    )
    # The neighbour term is fitted last (sim.calibration.neighbour_fit), with everything else held: a class's
    # own is left out here, as its optical depth is (the runs' weather is clear).
    without = block.model_copy(update={"optical_depth": None, "neighbour": None})
    clear = AlarmRates(without, reference_pixels, threshold, Weather.CLEAR)
    crowds = rows["others"].to_numpy(float) if crowd else None
    light = rows["light"].to_numpy(int)
    base = clear.rates(rows["age"].to_numpy(float), rows["pixels"].to_numpy(float), light, crowds)
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
    return HeldClassOffenders(
        exposure=step * base,
        design=np.asarray(design(rows), dtype=float).reshape(len(rows), -1),
        offender=offender,
        event=event,
        alarmed=np.bincount(offender[event], minlength=count) > 0,
        log_never=log_never,
        log_found=log_found,
        weather=rows["weather"].to_numpy()[first],
        frailty_sd=block.frailty_sd,
    )


def _nodes(frailty_sd: float) -> tuple[np.ndarray, np.ndarray]:
    """Each Gauss-Hermite node's factor on the rates, z_q = exp(σ w_q), and the log of its weight."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(NODES if frailty_sd > 0 else 1)
    return np.exp(frailty_sd * nodes), np.log(weights / weights.sum())


def log_likelihood(data: HeldClassOffenders, coefficients: np.ndarray) -> tuple[float, np.ndarray]:
    """The offenders' log-likelihood at ``coefficients`` and its gradient (module docstring)."""
    by_offender, _, gradient = offender_log_likelihoods(data, coefficients)
    return float(by_offender.sum()), gradient


def offender_log_likelihoods(
    data: HeldClassOffenders, coefficients: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each offender's log-likelihood at ``coefficients``, log L_i; the log of its part as one that may be
    found, log((1 − π_i) M_i) (π_i its share never found, M_i its alarm's likelihood over the frailty); and
    the gradient of Σ log L_i."""
    scale, log_weights = _nodes(data.frailty_sd)
    hazard = data.exposure * np.exp(data.design @ coefficients)
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
    # d log L / d(x·β) for a frame: −z h before the alarm, z h / (e^{z h} − 1) at it.
    exposure_by_column = np.column_stack(
        [np.bincount(data.offender[quiet], hazard[quiet] * x, minlength=count) for x in data.design[quiet].T]
    )
    at_alarm_design = np.zeros((count, data.design.shape[1]))
    at_alarm_design[data.offender[data.event]] = data.design[data.event]
    with np.errstate(over="ignore"):  # e^{zh} beyond a float: the ratio is 0, as the division gives
        ratio = np.where(zh > 1e-12, zh / np.expm1(np.maximum(zh, 1e-12)), 1.0)
    alarm_weight = np.where(data.alarmed, (posterior * ratio).sum(axis=1), 0.0)
    gradient = alarm_weight @ at_alarm_design - (posterior @ scale) @ exposure_by_column
    return log_offender, log_mix, gradient


def fitted_coefficients(
    data: HeldClassOffenders, bounds: list[tuple[float | None, float | None]], ridge: float
) -> np.ndarray:
    """The coefficients maximising the log-likelihood less ``ridge`` · Σ β², within ``bounds`` (L-BFGS-B)."""

    def objective(beta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = log_likelihood(data, beta)
        return -value + ridge * float(beta @ beta), -gradient + 2.0 * ridge * beta

    start = np.array([0.1 if low is not None and low >= 0 else 0.0 for low, _ in bounds])
    return minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds).x


def alarm_chances(data: HeldClassOffenders, coefficients: np.ndarray) -> np.ndarray:
    """Each offender's chance of an alarm within its frames (the risk set of an offender never alarmed holds
    them all): 1 − its chance of none, the frailty and share never found included."""
    scale, log_weights = _nodes(data.frailty_sd)
    hazard = data.exposure * np.exp(data.design @ coefficients)
    total = np.bincount(data.offender, hazard, minlength=len(data.alarmed))
    none = np.exp(-scale[None, :] * total[:, None]) @ np.exp(log_weights)
    return (1.0 - none) * np.exp(data.log_found)
