"""The M-step of the acquisition HMM (:mod:`sim.calibration.hmm`): its parameters re-estimated from one
E-step's expectations.

Transition probabilities are expected transitions over expected frames at risk (Rabiner 1989, eq. 40b);
the acquisition hazards and their loading on a visit's lasting offset are fitted by Fisher scoring
(:func:`fit_acquisition_hazards`); the held score's location by Newton steps on the posterior-weighted
ordinal log-likelihood (:func:`fit_held_location`, :func:`weighted_ordinal`).
"""

from __future__ import annotations

import numpy as np

from sim.calibration.forward_backward import PROBABILITY_FLOOR
from sim.calibration.ordinal_logit import ordinal_derivatives, ordinal_log_bin


def fit_acquisition_hazards(
    events: np.ndarray,
    at_risk: np.ndarray,
    entry_class: np.ndarray,
    entry_frames: int,
    u: np.ndarray,
    hazard: np.ndarray,
) -> np.ndarray:
    """Log-hazards (entry frames, later frames) and σ_a of the acquisition probabilities
    1 − exp(−exp(θ_class + σ_a·u)): binomial maximum likelihood on the expected acquisitions and
    frames at risk of each (visit, node) row and class, by Fisher scoring with step halving."""
    classes = entry_frames + 1
    count = np.stack([np.bincount(entry_class, weights=row, minlength=classes) for row in events])
    trials = np.stack([np.bincount(entry_class, weights=row, minlength=classes) for row in at_risk])
    design = np.zeros((len(u), classes, len(hazard)))
    design[:, np.arange(classes), np.arange(classes)] = 1.0
    if len(hazard) > classes:
        design[:, :, -1] = u[:, None]
    design, count, trials = (
        design.reshape(-1, len(hazard)),
        count.ravel(),
        np.maximum(trials.ravel(), count.ravel()),
    )

    def loglik(theta: np.ndarray) -> float:
        mu = np.exp(np.minimum(design @ theta, 30.0))
        return (
            float(count @ np.log(np.maximum(-np.expm1(-mu), PROBABILITY_FLOOR)) - (trials - count) @ mu)
            - 1e-6 * theta @ theta
        )

    value = loglik(hazard)
    for _ in range(20):
        mu = np.exp(np.minimum(design @ hazard, 30.0))
        p = np.maximum(-np.expm1(-mu), PROBABILITY_FLOOR)
        score = design.T @ (mu * (count / p - trials)) - 2e-6 * hazard
        information = (design * (trials * mu**2 * (1.0 - p) / p)[:, None]).T @ design + 1e-6 * np.eye(
            len(hazard)
        )
        step = np.linalg.solve(information, score)
        for _ in range(30):
            candidate = loglik(hazard + step)
            if candidate >= value - 1e-12 * abs(value):
                break
            step = step / 2
        hazard, gain, value = hazard + step, candidate - value, candidate
        if gain < 1e-10 * max(1.0, abs(value)):
            break
    return hazard


def fit_held_location(
    x, lower, upper, frame_visit, u, posterior, real, node_weight, location, p, lasting, age_steps, ridge
) -> np.ndarray:
    """β, σ_e and δ of the held score's location: the posterior-weighted ordinal log-likelihood over every
    (held state, node) copy of the frames, maximised by :func:`weighted_ordinal`."""
    nodes, states = u.shape[1], posterior.shape[-1]
    blocks, weights = [], []
    for k in range(nodes):
        state_post = posterior[:, k][real] * node_weight[frame_visit, k][:, None]  # (frames, states)
        for s in range(1, states):
            columns = [x] + ([u[frame_visit, k][:, None]] if lasting else [])
            columns.append(
                np.tile(
                    np.eye(1, age_steps, s - 1) if s <= age_steps else np.zeros((1, age_steps)), (len(x), 1)
                )
            )
            blocks.append(np.hstack(columns))
            weights.append(state_post[:, s])
    design = np.concatenate(blocks)
    copies = len(blocks)
    return weighted_ordinal(
        design, np.tile(lower, copies), np.tile(upper, copies), np.concatenate(weights), location, ridge
    )


def transition_share(events, at_risk):
    """Re-estimated transition probability: expected transitions over expected frames at risk, kept
    inside (0, 1) so that no path becomes impossible."""
    return np.clip(np.asarray(events) / np.maximum(at_risk, PROBABILITY_FLOOR), 1e-9, 1 - 1e-9)


def weighted_ordinal(
    x: np.ndarray, lower: np.ndarray, upper: np.ndarray, weight: np.ndarray, beta: np.ndarray, ridge: float
) -> np.ndarray:
    """β maximising Σ weight · log P(lower < logit s ≤ upper | x β): Newton steps, halved until the
    objective does not fall (the EM's M-step for the score while acquired)."""

    def objective(b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        a, c = upper - x @ b, lower - x @ b
        log_bin = ordinal_log_bin(a, c)
        return float(weight @ log_bin) - 0.5 * ridge * float(b @ b), a, c, log_bin

    value, a, c, log_bin = objective(beta)
    for _ in range(20):
        first, second = ordinal_derivatives(a, c, log_bin)
        gradient = x.T @ (weight * first) - ridge * beta
        hessian = (x * (weight * -second)[:, None]).T @ x + ridge * np.eye(len(beta))
        step = np.linalg.solve(hessian, gradient)
        for _ in range(30):
            candidate = objective(beta + step)
            if candidate[0] >= value - 1e-12 * abs(value):
                break
            step = step / 2
        gain = candidate[0] - value
        beta, (value, a, c, log_bin) = beta + step, candidate
        if gain < 1e-10 * max(1.0, abs(value)):
            break
    return beta
