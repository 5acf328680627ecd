"""Acquired / not-acquired hidden Markov model of a detector's per-frame scores on one offender.

Pixel mode's detector either holds a track on an offender (acquired) or has not acquired it yet, or
has lost it (state N). In N no detection on the offender scores above the lowest cut-point. A track's
score grows with its age (the swimming detector's persistence factor reaches 1 after
``persistence_s`` = 1.5 s of hits), so the acquired state is a ladder of age steps A_1 … A_R, then
A_∞: in A_k the frame's score falls in bin (lower, upper] with the cumulative-logit probability
F(upper − x β − δ_k) − F(lower − x β − δ_k) of :mod:`sim.calibration.glmm` (F the logistic CDF; δ_∞ = 0), and
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

from sim.calibration.glmm import ordinal_derivatives, ordinal_log_bin

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
    offset_sd: float = 0.0
    """σ_e: spread of a visit's lasting offset of the held score's location, logit (0 unless fitted)."""
    acquisition_sd: float = 0.0
    """σ_a: the same offset's loading on the log acquisition hazards (0 unless fitted)."""


def _padded(values: np.ndarray, starts: np.ndarray, length: int, fill: float) -> np.ndarray:
    """Per-frame values (frames first) laid out as (visits, length, ...), ``fill`` after each visit's end."""
    lengths = np.diff(np.r_[starts, len(values)])
    out = np.full((len(starts), length, *values.shape[1:]), fill)
    rows = np.repeat(np.arange(len(starts)), lengths)
    out[rows, np.arange(len(values)) - np.repeat(starts, lengths)] = values
    return out


def _forward_backward(
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
        scale[:, t] = np.maximum(joint.sum(axis=1), _FLOOR)
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


def _log_normal_pdf(u: np.ndarray) -> np.ndarray:
    return -0.5 * u**2 - 0.5 * np.log(2.0 * np.pi)


def _cloglog(eta: np.ndarray) -> np.ndarray:
    """1 − exp(−e^η): a probability whose hazard e^η scales with exp(offset) (frame-rate free)."""
    return -np.expm1(-np.exp(np.minimum(eta, 30.0)))


def fit_acquisition_hmm(
    x: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    visit: np.ndarray,
    never: bool = False,
    entry_frames: int = ENTRY_FRAMES,
    age_steps: int = AGE_STEPS,
    offset_nodes: int = 0,
    iterations: int = 500,
    tolerance: float = 1e-6,
    ridge: float = 1e-6,
) -> AcquisitionFit:
    """Maximum-likelihood HMM of the module docstring, by EM.

    Rows of ``x`` (covariates of the score's location while the track is held, first column 1),
    ``lower`` and ``upper`` (the frame's score bin on the logit scale, −inf for the lowest) are
    frames, grouped by ``visit`` (consecutive frames of one offender in one camera's view, in time
    order; each visit's frames contiguous). ``age_steps`` 0: no age ladder (one held state).

    ``offset_nodes`` > 0: each visit has a lasting offset u ~ N(0, 1) that shifts the held score's
    location by σ_e·u and multiplies the acquisition hazards by exp(σ_a·u) (acquisition probabilities
    1 − (1 − h)^exp(σ_a·u): a complementary log-log link); u is integrated out by adaptive
    Gauss–Hermite quadrature with that many nodes, centred and scaled on each visit's posterior mean
    and standard deviation of u from the previous E-step (Liu & Pierce 1994, "A note on
    Gauss–Hermite quadrature", Biometrika 81(3), 624-629; Pinheiro & Bates 1995). EM stops when the
    log-likelihood changes by less than ``tolerance`` per visit.
    """
    starts = np.flatnonzero(np.r_[True, visit[1:] != visit[:-1]])
    visits, length = len(starts), int(np.diff(np.r_[starts, len(visit)]).max())
    states, p = age_steps + 2, x.shape[1]
    lasting = offset_nodes > 0
    nodes = max(offset_nodes, 1)
    rule_x, rule_w = (
        np.polynomial.hermite.hermgauss(nodes) if lasting else (np.zeros(1), np.full(1, np.sqrt(np.pi)))
    )
    real = _padded(np.ones(len(x)), starts, length, 0.0) > 0
    lowest = ~np.isfinite(lower)
    unseen = _padded(lowest.astype(float), starts, length, 1.0).all(axis=1)  # may be structural zeros
    padded_x = _padded(x, starts, length, 0.0)
    # Padding frames: the widest bin (probability 1) in every state.
    padded_lower, padded_upper = (
        _padded(v, starts, length, f) for v, f in ((lower, -np.inf), (upper, np.inf))
    )
    emit_n = _padded(lowest.astype(float), starts, length, 1.0)
    entry_class = np.minimum(np.arange(length), entry_frames)  # frames ≥ entry_frames share one hazard
    frame_visit = np.repeat(np.arange(visits), np.diff(np.r_[starts, len(x)]))

    seen_share = 1.0 - float(lowest.mean())
    # Location while held: β, then σ_e, then the age offsets δ (young tracks score low: start on a ramp).
    location = np.r_[np.zeros(p), [0.5] if lasting else [], np.linspace(-4.0, -0.5, age_steps)]
    location[0] = np.log(max(seen_share, 1e-3) / max(1.0 - seen_share, 1e-3))
    hazard = np.r_[np.full(entry_frames, np.log(0.5)), np.log(0.05), [0.5] if lasting else []]
    lose, share = 0.05, (0.5 * float(unseen.mean()) if never else 0.0)
    centre, spread = np.zeros(visits), np.ones(visits)
    total, done = -np.inf, 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for done in range(1, iterations + 1):  # noqa: B007 - the count is reported
            u = centre[:, None] + np.sqrt(2.0) * spread[:, None] * rule_x  # (visits, nodes)
            log_weight = np.log(rule_w / np.sqrt(np.pi)) + np.zeros_like(u)
            if lasting:  # ∫ φ(u) L(u) du ≈ Σ √2·s·w_k·exp(x_k²)·φ(u_k)·L(u_k) (Liu & Pierce 1994)
                log_weight = np.log(np.sqrt(2.0) * spread[:, None] * rule_w) + rule_x**2 + _log_normal_pdf(u)
            sigma_e, sigma_a = (location[p], hazard[-1]) if lasting else (0.0, 0.0)
            base = padded_x @ location[:p]  # (visits, length)
            held = [
                base[:, None, :] + sigma_e * u[:, :, None] + d
                for d in (*location[-age_steps:][:age_steps], 0.0)
            ]
            emit = np.stack(
                [np.broadcast_to(emit_n[:, None, :], held[0].shape)]
                + [
                    np.exp(ordinal_log_bin(padded_upper[:, None] - h, padded_lower[:, None] - h))
                    for h in held
                ],
                axis=-1,
            ).reshape(visits * nodes, length, states)
            acquire = _cloglog(hazard[entry_class][None, None, :] + sigma_a * u[:, :, None])
            per_row, posterior, acquired, lost = _forward_backward(
                emit, acquire.reshape(visits * nodes, length), lose
            )
            node_joint = per_row.reshape(visits, nodes) + log_weight
            per_visit = np.logaddexp.reduce(node_joint, axis=1)
            node_post = np.exp(node_joint - per_visit[:, None])
            hmm = np.log1p(-share) + per_visit
            mixed = np.logaddexp(hmm, np.where(unseen & (share > 0), np.log(share), -np.inf))
            gain, total = float(mixed.sum()) - total, float(mixed.sum())
            if abs(gain) < tolerance * visits:
                break
            if lasting:  # the next E-step's nodes: each visit's posterior mean and sd of u
                centre = (node_post * u).sum(axis=1)
                spread = np.sqrt(np.maximum((node_post * (u - centre[:, None]) ** 2).sum(axis=1), 1e-4))
            # M-step: expectations weighted by P(node | visit) and P(not a structural zero | visit).
            row_weight = (node_post * np.exp(hmm - mixed)[:, None]).reshape(-1, 1)
            row_real = np.repeat(real, nodes, axis=0) * row_weight
            held_before = np.c_[np.zeros(len(row_real)), posterior[:, :-1, 1:].sum(axis=2)] * row_real
            lose = float(_share((lost * row_real).sum(), held_before.sum()))
            hazard = _fit_acquisition(
                (acquired * row_real),
                row_real - held_before,
                entry_class,
                entry_frames,
                u.reshape(-1),
                hazard,
            )
            if never:
                share = float(np.clip(1.0 - np.exp(hmm - mixed).mean(), 0.0, 1.0 - 1e-9))
            location = _fit_location(
                x,
                lower,
                upper,
                frame_visit,
                u,
                posterior.reshape(visits, nodes, length, states),
                real,
                row_weight.reshape(visits, nodes),
                location,
                p,
                lasting,
                age_steps,
                ridge,
            )
    entry = _cloglog(hazard[:entry_frames])
    sds = (abs(location[p]), abs(hazard[-1])) if lasting else (0.0, 0.0)
    return AcquisitionFit(
        location[:p],
        location[len(location) - age_steps :],
        entry,
        float(_cloglog(hazard[entry_frames])),
        lose,
        share,
        total,
        done,
        *sds,
    )


def _fit_acquisition(
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
            float(count @ np.log(np.maximum(-np.expm1(-mu), _FLOOR)) - (trials - count) @ mu)
            - 1e-6 * theta @ theta
        )

    value = loglik(hazard)
    for _ in range(20):
        mu = np.exp(np.minimum(design @ hazard, 30.0))
        p = np.maximum(-np.expm1(-mu), _FLOOR)
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


def _fit_location(
    x, lower, upper, frame_visit, u, posterior, real, node_weight, location, p, lasting, age_steps, ridge
) -> np.ndarray:
    """β, σ_e and δ of the held score's location: the posterior-weighted ordinal log-likelihood over every
    (held state, node) copy of the frames, maximised by :func:`_weighted_ordinal`."""
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
    return _weighted_ordinal(
        design, np.tile(lower, copies), np.tile(upper, copies), np.concatenate(weights), location, ridge
    )


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
