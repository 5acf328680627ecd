"""Scaled forward-backward recursions of the acquisition HMM (:mod:`sim.calibration.hmm`), over visits
padded to one length and run side by side.

Rabiner 1989, "A tutorial on hidden Markov models and selected applications in speech recognition",
Proc. IEEE 77(2), section III.C, eqs. 18-25 and 37, scaling eqs. 91-92.
"""

from __future__ import annotations

import numpy as np

PROBABILITY_FLOOR = 1e-300
"""Smallest probability divided by or taken the log of (0 would give inf or nan)."""


def padded(values: np.ndarray, starts: np.ndarray, length: int, fill: float) -> np.ndarray:
    """Per-frame values (frames first) laid out as (visits, length, ...), ``fill`` after each visit's end."""
    lengths = np.diff(np.r_[starts, len(values)])
    out = np.full((len(starts), length, *values.shape[1:]), fill)
    rows = np.repeat(np.arange(len(starts)), lengths)
    out[rows, np.arange(len(values)) - np.repeat(starts, lengths)] = values
    return out


def forward_backward(
    emit: np.ndarray, acquire: np.ndarray, lose: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scaled forward-backward over (rows, frames, states) emissions with states N, A_1 … A_R, A_∞.

    ``acquire``: (rows, frames) acquisition probabilities; ``lose`` per frame. Returns per-row
    log-likelihoods, the states' posterior probabilities (rows, frames, states), and expected
    acquisitions and losses into each frame (rows, frames) (Rabiner 1989, eqs. 18-25 and 37 with the
    scaling of eqs. 91-92). Each row starts not acquired."""
    rows, frames, states = emit.shape
    up = np.minimum(np.arange(1, states) + 1, states - 1)  # a held track's next age step

    def predict(previous: np.ndarray, t: int) -> np.ndarray:
        out = np.zeros_like(previous)
        out[:, 0] = previous[:, 0] * (1.0 - acquire[:, t]) + previous[:, 1:].sum(axis=1) * lose
        out[:, 1] = previous[:, 0] * acquire[:, t]
        np.add.at(out.T, up, (previous[:, 1:] * (1.0 - lose)).T)
        return out

    alpha = np.empty_like(emit)
    scale = np.empty((rows, frames))
    previous = np.zeros((rows, states))
    previous[:, 0] = 1.0
    for t in range(frames):
        joint = predict(previous, t) * emit[:, t]
        scale[:, t] = np.maximum(joint.sum(axis=1), PROBABILITY_FLOOR)
        previous = alpha[:, t] = joint / scale[:, t, None]
    posterior = np.empty_like(emit)
    acquired = np.empty((rows, frames))
    lost = np.empty((rows, frames))
    beta = np.ones((rows, states))
    start = np.zeros((rows, states))
    start[:, 0] = 1.0
    for t in range(frames - 1, -1, -1):
        posterior[:, t] = alpha[:, t] * beta
        before = alpha[:, t - 1] if t else start
        ahead = emit[:, t] * beta / scale[:, t, None]
        acquired[:, t] = before[:, 0] * acquire[:, t] * ahead[:, 1]
        lost[:, t] = before[:, 1:].sum(axis=1) * lose * ahead[:, 0]
        beta = np.empty_like(beta)
        beta[:, 0] = (1.0 - acquire[:, t]) * ahead[:, 0] + acquire[:, t] * ahead[:, 1]
        beta[:, 1:] = lose * ahead[:, :1] + (1.0 - lose) * ahead[:, up]
    return np.log(scale).sum(axis=1), posterior, acquired, lost
