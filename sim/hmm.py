"""Acquired / not-acquired hidden Markov model of a detector's per-frame scores on one offender.

Pixel mode's detector either holds a track on an offender (acquired) or has not acquired it yet, or
has lost it (state N). In N no detection on the offender scores above the lowest cut-point. A track's
score grows with its age (the swimming detector's persistence factor reaches 1 after
``persistence_s`` = 1.5 s of hits), so the acquired state is a ladder of age steps A_1 … A_R, then
A_∞: in A_k the frame's score falls in bin (lower, upper] with the cumulative-logit probability
F(upper − x β − δ_k) − F(lower − x β − δ_k) of :mod:`sim.glmm` (F the logistic CDF; δ_∞ = 0), and
each frame a held track moves one step up. Every visit starts in N. At frame j of the visit (j = 0
the first frame in view) an offender not acquired is acquired with probability h_j for j < len(h)
(the entry frames) and a after them; a held track is lost with probability ℓ per frame, at any age.
A share π of visits may be never acquired (``never``: a structural zero, every frame in the lowest
bin).

Fitted by expectation-maximisation (Baum–Welch): scaled forward-backward recursions give each
frame's posterior state probabilities and expected transitions (Rabiner 1989, "A tutorial on hidden
Markov models and selected applications in speech recognition", Proc. IEEE 77(2), section III.C,
eqs. 18-25 and 37-40, scaling eqs. 91-92), the transition probabilities are their closed-form
re-estimates (eq. 40b), π the mean posterior of being never acquired, and β and δ maximise the
posterior-weighted ordinal log-likelihood by Newton steps. The visits are padded to one length and
run through the recursions side by side; padding frames emit 1 in every state, so they change neither
the likelihood nor the posteriors of real frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.glmm import ordinal_derivatives, ordinal_log_bin

ENTRY_FRAMES = 5
"""Frames after coming into view whose acquisition probabilities are fitted one by one."""
AGE_STEPS = 0
"""Age steps of a held track with their own score offset (at 5 frames/s: the first 1.6 s)."""
_FLOOR = 1e-300


@dataclass(frozen=True)
class AcquisitionFit:
    """A fitted acquisition model; probabilities per frame at the data's frame interval."""

    beta: np.ndarray
    """Coefficients of the score's location while the track is held, logit."""
    age_offsets: np.ndarray
    """δ_1 … δ_R: the score's logit offset in a track's first R frames (then 0)."""
    entry: np.ndarray
    """h_j: P(acquired at entry frame j | not acquired before), j < :data:`ENTRY_FRAMES`."""
    acquire: float
    """a: P(acquired in a later frame | not acquired before)."""
    lose: float
    """ℓ: P(lost in a frame | acquired in the frame before)."""
    never_share: float
    """π: share of visits never acquired (0 unless fitted)."""
    log_likelihood: float
    iterations: int


def _padded(values: np.ndarray, starts: np.ndarray, length: int, fill: float) -> np.ndarray:
    """Per-frame values (frames first) laid out as (visits, length, ...), ``fill`` after each visit's end."""
    lengths = np.diff(np.r_[starts, len(values)])
    out = np.full((len(starts), length, *values.shape[1:]), fill)
    rows = np.repeat(np.arange(len(starts)), lengths)
    out[rows, np.arange(len(values)) - np.repeat(starts, lengths)] = values
    return out


def _transitions(acquire: float, lose: float, states: int) -> np.ndarray:
    """Transition matrix (from, to) over N, A_1 … A_R, A_∞ with acquisition probability ``acquire``."""
    matrix = np.zeros((states, states))
    matrix[0, 0], matrix[0, 1] = 1.0 - acquire, acquire
    held = np.arange(1, states)
    matrix[held, 0] = lose
    matrix[held, np.minimum(held + 1, states - 1)] = 1.0 - lose
    return matrix


def _forward_backward(
    emit: np.ndarray, acquire: np.ndarray, lose: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scaled forward-backward over (visits, frames, states) emissions; ``acquire`` per frame index.

    Returns per-visit log-likelihoods, the states' posterior probabilities (visits, frames, states),
    and expected acquisitions and losses into each frame (visits, frames) (Rabiner 1989, eqs. 18-25
    and 37 with the scaling of eqs. 91-92)."""
    visits, frames, states = emit.shape
    matrices = [_transitions(h, lose, states) for h in acquire]
    alpha = np.empty_like(emit)
    scale = np.empty((visits, frames))
    previous = np.zeros((visits, states))
    previous[:, 0] = 1.0  # every visit starts not acquired
    for t in range(frames):
        joint = (previous @ matrices[t]) * emit[:, t]
        scale[:, t] = np.maximum(joint.sum(axis=1), _FLOOR)
        previous = alpha[:, t] = joint / scale[:, t, None]
    posterior = np.empty_like(emit)
    acquired = np.empty((visits, frames))
    lost = np.empty((visits, frames))
    beta = np.ones((visits, states))
    for t in range(frames - 1, -1, -1):
        posterior[:, t] = alpha[:, t] * beta
        before = alpha[:, t - 1] if t else np.eye(1, states)[[0] * visits]
        ahead = emit[:, t] * beta / scale[:, t, None]
        acquired[:, t] = before[:, 0] * acquire[t] * ahead[:, 1]
        lost[:, t] = before[:, 1:].sum(axis=1) * lose * ahead[:, 0]
        beta = ahead @ matrices[t].T
    return np.log(scale).sum(axis=1), posterior, acquired, lost


def fit_acquisition_hmm(
    x: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    visit: np.ndarray,
    never: bool = False,
    entry_frames: int = ENTRY_FRAMES,
    age_steps: int = AGE_STEPS,
    iterations: int = 500,
    tolerance: float = 1e-6,
    ridge: float = 1e-6,
) -> AcquisitionFit:
    """Maximum-likelihood HMM of the module docstring, by EM.

    Rows of ``x`` (covariates of the score's location while the track is held, first column 1),
    ``lower`` and ``upper`` (the frame's score bin on the logit scale, −inf for the lowest) are
    frames, grouped by ``visit`` (consecutive frames of one offender in one camera's view, in time
    order; each visit's frames contiguous). ``age_steps`` 0: no age ladder (one held state). EM stops
    when the log-likelihood gains less than ``tolerance`` per visit.
    """
    starts = np.flatnonzero(np.r_[True, visit[1:] != visit[:-1]])
    length = int(np.diff(np.r_[starts, len(visit)]).max())
    states = age_steps + 2
    real = _padded(np.ones(len(x)), starts, length, 0.0) > 0
    lowest = ~np.isfinite(lower)
    unseen = _padded(lowest.astype(float), starts, length, 1.0).all(axis=1)  # may be structural zeros
    # Held states' design: x plus an indicator of the age step (A_∞ has none), one copy per state.
    ages = np.eye(states - 1, age_steps)
    design = np.concatenate([np.column_stack([x, np.tile(age, (len(x), 1))]) for age in ages])
    stacked_lower, stacked_upper = np.tile(lower, states - 1), np.tile(upper, states - 1)

    seen_share = 1.0 - float(lowest.mean())
    theta = np.zeros(design.shape[1])
    theta[0] = np.log(max(seen_share, 1e-3) / max(1.0 - seen_share, 1e-3))
    # A young track scores low: start the age offsets on a ramp (EM from flat offsets can settle on a
    # poorer optimum where early acquisitions and uniformly low young scores trade off).
    theta[x.shape[1] :] = np.linspace(-4.0, -0.5, age_steps)
    entry = np.full(entry_frames, 0.5)
    acquire, lose, share = 0.05, 0.05, (0.5 * float(unseen.mean()) if never else 0.0)
    total, done = -np.inf, 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for done in range(1, iterations + 1):  # noqa: B007 - the count is reported
            location = design @ theta
            held = np.exp(ordinal_log_bin(stacked_upper - location, stacked_lower - location))
            emit = _padded(np.column_stack([lowest, held.reshape(states - 1, -1).T]), starts, length, 1.0)
            hazard = np.r_[entry, np.full(max(length - entry_frames, 0), acquire)][:length]
            per_visit, posterior, acquired, lost = _forward_backward(emit, hazard, lose)
            hmm = np.log1p(-share) + per_visit
            mixed = np.logaddexp(hmm, np.where(unseen & (share > 0), np.log(share), -np.inf))
            gain, total = float(mixed.sum()) - total, float(mixed.sum())
            if gain < tolerance * len(starts):
                break
            # M-step: each visit's expectations weighted by its posterior of not being a structural zero.
            weight = np.exp(hmm - mixed)[:, None] * real
            held_before = np.c_[np.zeros(len(starts)), posterior[:, :-1, 1:].sum(axis=2)] * weight
            at_risk = (weight - held_before).sum(axis=0)  # not acquired in the frame before (frame −1: N)
            gained = (acquired * weight).sum(axis=0)
            entry = _share(gained[:entry_frames], at_risk[:entry_frames])
            acquire = float(_share(gained[entry_frames:].sum(), at_risk[entry_frames:].sum()))
            lose = float(_share((lost * weight).sum(), held_before.sum()))
            if never:
                share = float(np.clip(1.0 - weight[:, 0].mean(), 0.0, 1.0 - 1e-9))
            frame_weight = (posterior * weight[:, :, None])[real][:, 1:].T.ravel()
            theta = _weighted_ordinal(design, stacked_lower, stacked_upper, frame_weight, theta, ridge)
    p = x.shape[1]
    return AcquisitionFit(theta[:p], theta[p:], entry, acquire, lose, share, total, done)


def _share(events, at_risk):
    """Re-estimated transition probability: expected transitions over expected frames at risk, kept
    inside (0, 1) so that no path becomes impossible."""
    return np.clip(np.asarray(events) / np.maximum(at_risk, _FLOOR), 1e-9, 1 - 1e-9)


def _weighted_ordinal(
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
