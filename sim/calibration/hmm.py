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
the likelihood nor the posteriors of real frames. The recursions are
:mod:`sim.calibration.forward_backward`, the re-estimates :mod:`sim.calibration.hmm_reestimation`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calibration.forward_backward import forward_backward, padded
from sim.calibration.hmm_reestimation import fit_acquisition_hazards, fit_held_location, transition_share
from sim.calibration.ordinal_logit import ordinal_log_bin

ENTRY_FRAMES = 5
"""Frames after coming into view whose acquisition probabilities are fitted one by one."""
AGE_STEPS = 0
LIKELIHOOD_NODES = 20
"""Gauss–Hermite nodes for a lasting offset when a fitted chain's likelihood is evaluated on new frames
(not adaptive: no posterior to centre them on)."""
"""Age steps of a held track with their own score offset (at 5 frames/s: the first 1.6 s)."""


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
    em = _AcquisitionEM.build(x, lower, upper, visit, entry_frames, age_steps, offset_nodes, ridge)
    params = em.start(never)
    visits = em.data.visits
    centre, spread = np.zeros(visits), np.ones(visits)
    total, done = -np.inf, 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for done in range(1, iterations + 1):  # noqa: B007 - the count is reported
            expected = em.e_step(params, centre, spread)
            gain, total = float(expected.mixed.sum()) - total, float(expected.mixed.sum())
            if abs(gain) < tolerance * visits:
                break
            if em.lasting:  # the next E-step's nodes: each visit's posterior mean and sd of u
                centre, spread = expected.node_moments()
            params = em.m_step(params, expected, never)
    location, hazard, p = params.location, params.hazard, em.p
    entry = _cloglog(hazard[:entry_frames])
    sds = (abs(location[p]), abs(hazard[-1])) if em.lasting else (0.0, 0.0)
    return AcquisitionFit(
        location[:p],
        location[len(location) - age_steps :],
        entry,
        float(_cloglog(hazard[entry_frames])),
        params.lose,
        params.share,
        total,
        done,
        *sds,
    )


def acquisition_log_likelihood(
    eta: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    visit: np.ndarray,
    chain: tuple[np.ndarray, float, float, float],
    age_offsets: np.ndarray | None = None,
    lasting: tuple[float, float] = (0.0, 0.0),
) -> float:
    """The log-likelihood of frames at given parameters (no fit): each frame's held location ``eta``
    (logit), visits as :func:`fit_acquisition_hmm` takes them; ``chain``: per-frame entry acquisition
    probabilities, the later acquisition and loss probabilities per frame and the never-acquired share;
    ``age_offsets``: δ per frame of a young track; ``lasting``: (σ_e, σ_a) of a lasting offset per visit
    (both 0: none; else integrated with :data:`LIKELIHOOD_NODES` Gauss–Hermite nodes)."""
    entry, acquire, lose, share = chain
    age_offsets = np.zeros(0) if age_offsets is None else np.asarray(age_offsets, float)
    offset_nodes = LIKELIHOOD_NODES if any(lasting) else 0
    em = _AcquisitionEM.build(
        np.asarray(eta, float)[:, None], lower, upper, visit, len(entry), len(age_offsets), offset_nodes, 0.0
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        hazard = np.log(-np.log1p(-np.clip(np.r_[entry, acquire], 0.0, 1.0 - 1e-15)))
        location = np.r_[1.0, [lasting[0]] if offset_nodes else [], age_offsets]
        params = _Parameters(location, np.r_[hazard, [lasting[1]] if offset_nodes else []], lose, share)
        visits = em.data.visits
        return float(em.e_step(params, np.zeros(visits), np.ones(visits)).mixed.sum())


@dataclass(frozen=True)
class _PaddedVisits:
    """The frames, and the same laid out as (visits, length), padded after each visit's end."""

    x: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    frame_visit: np.ndarray
    """Each frame's visit number (0, 1, …)."""
    visits: int
    length: int
    """Frames of the longest visit."""
    real: np.ndarray
    """(visits, length): a frame, not padding."""
    lowest: np.ndarray
    """Per frame: its score in the lowest bin."""
    unseen: np.ndarray
    """Per visit: every frame in the lowest bin (it may be a structural zero)."""
    padded_x: np.ndarray
    padded_lower: np.ndarray
    padded_upper: np.ndarray
    emit_n: np.ndarray
    """(visits, length): probability of the frame's bin while not acquired (1 in the lowest bin, else 0)."""
    entry_class: np.ndarray
    """Per frame of a visit: its acquisition hazard's class (frames ≥ ``entry_frames`` share one)."""


def _pad_visits(
    x: np.ndarray, lower: np.ndarray, upper: np.ndarray, visit: np.ndarray, entry_frames: int
) -> _PaddedVisits:
    """The frames of each visit side by side (:class:`_PaddedVisits`)."""
    starts = np.flatnonzero(np.r_[True, visit[1:] != visit[:-1]])
    visits, length = len(starts), int(np.diff(np.r_[starts, len(visit)]).max())
    real = padded(np.ones(len(x)), starts, length, 0.0) > 0
    lowest = ~np.isfinite(lower)
    unseen = padded(lowest.astype(float), starts, length, 1.0).all(axis=1)  # may be structural zeros
    padded_x = padded(x, starts, length, 0.0)
    # Padding frames: the widest bin (probability 1) in every state.
    padded_lower, padded_upper = (
        padded(v, starts, length, f) for v, f in ((lower, -np.inf), (upper, np.inf))
    )
    emit_n = padded(lowest.astype(float), starts, length, 1.0)
    entry_class = np.minimum(np.arange(length), entry_frames)  # frames ≥ entry_frames share one hazard
    frame_visit = np.repeat(np.arange(visits), np.diff(np.r_[starts, len(x)]))
    return _PaddedVisits(
        x,
        lower,
        upper,
        frame_visit,
        visits,
        length,
        real,
        lowest,
        unseen,
        padded_x,
        padded_lower,
        padded_upper,
        emit_n,
        entry_class,
    )


@dataclass(frozen=True)
class _Parameters:
    """The HMM's parameters during EM."""

    location: np.ndarray
    """β, then σ_e (with a lasting offset), then the age offsets δ: the held score's location."""
    hazard: np.ndarray
    """Log-hazards of acquisition at the entry frames and later, then σ_a (with a lasting offset)."""
    lose: float
    share: float
    """π, the never-acquired share."""


@dataclass(frozen=True)
class _Expectations:
    """One E-step: the quadrature nodes of u per visit, their posterior weights, the forward-backward
    posteriors and expected transitions per (visit, node) row, and per visit the log-likelihood of the
    chain (``hmm``) and of the mixture with the structural zeros (``mixed``)."""

    u: np.ndarray
    node_post: np.ndarray
    posterior: np.ndarray
    acquired: np.ndarray
    lost: np.ndarray
    hmm: np.ndarray
    mixed: np.ndarray

    def node_moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Each visit's posterior mean and standard deviation of u (the next adaptive rule's centre and
        scale)."""
        centre = (self.node_post * self.u).sum(axis=1)
        spread = np.sqrt(np.maximum((self.node_post * (self.u - centre[:, None]) ** 2).sum(axis=1), 1e-4))
        return centre, spread


@dataclass(frozen=True)
class _AcquisitionEM:
    """The E- and M-steps of the HMM's EM on padded visits."""

    data: _PaddedVisits
    entry_frames: int
    age_steps: int
    lasting: bool
    """A lasting offset per visit, integrated out over :attr:`nodes` nodes."""
    nodes: int
    rule_x: np.ndarray
    rule_w: np.ndarray
    p: int
    """Columns of x."""
    states: int
    ridge: float

    @classmethod
    def build(cls, x, lower, upper, visit, entry_frames, age_steps, offset_nodes, ridge) -> _AcquisitionEM:
        data = _pad_visits(x, lower, upper, visit, entry_frames)
        lasting = offset_nodes > 0
        nodes = max(offset_nodes, 1)
        rule_x, rule_w = (
            np.polynomial.hermite.hermgauss(nodes) if lasting else (np.zeros(1), np.full(1, np.sqrt(np.pi)))
        )
        states, p = age_steps + 2, x.shape[1]
        return cls(data, entry_frames, age_steps, lasting, nodes, rule_x, rule_w, p, states, ridge)

    def start(self, never: bool) -> _Parameters:
        """EM's start: the held score at the share of frames scored, young tracks on a ramp of low scores,
        an even chance of acquisition at each entry frame and 5 % later, 5 % of losing per frame."""
        seen_share = 1.0 - float(self.data.lowest.mean())
        # Location while held: β, then σ_e, then the age offsets δ (young tracks score low: start on a ramp).
        ramp = np.linspace(-4.0, -0.5, self.age_steps)
        location = np.r_[np.zeros(self.p), [0.5] if self.lasting else [], ramp]
        location[0] = np.log(max(seen_share, 1e-3) / max(1.0 - seen_share, 1e-3))
        hazard = np.r_[np.full(self.entry_frames, np.log(0.5)), np.log(0.05), [0.5] if self.lasting else []]
        lose, share = 0.05, (0.5 * float(self.data.unseen.mean()) if never else 0.0)
        return _Parameters(location, hazard, lose, share)

    def e_step(self, params: _Parameters, centre: np.ndarray, spread: np.ndarray) -> _Expectations:
        """Forward-backward over every (visit, node) row, nodes centred on ``centre`` and scaled by
        ``spread`` per visit."""
        data, nodes, rule_x, rule_w = self.data, self.nodes, self.rule_x, self.rule_w
        u = centre[:, None] + np.sqrt(2.0) * spread[:, None] * rule_x  # (visits, nodes)
        log_weight = np.log(rule_w / np.sqrt(np.pi)) + np.zeros_like(u)
        if self.lasting:  # ∫ φ(u) L(u) du ≈ Σ √2·s·w_k·exp(x_k²)·φ(u_k)·L(u_k) (Liu & Pierce 1994)
            log_weight = np.log(np.sqrt(2.0) * spread[:, None] * rule_w) + rule_x**2 + _log_normal_pdf(u)
        sigma_a = params.hazard[-1] if self.lasting else 0.0
        emit = self._emissions(params.location, u)
        acquire = _cloglog(params.hazard[data.entry_class][None, None, :] + sigma_a * u[:, :, None])
        per_row, posterior, acquired, lost = forward_backward(
            emit, acquire.reshape(data.visits * nodes, data.length), params.lose
        )
        node_joint = per_row.reshape(data.visits, nodes) + log_weight
        per_visit = np.logaddexp.reduce(node_joint, axis=1)
        node_post = np.exp(node_joint - per_visit[:, None])
        share = params.share
        hmm = np.log1p(-share) + per_visit
        mixed = np.logaddexp(hmm, np.where(data.unseen & (share > 0), np.log(share), -np.inf))
        return _Expectations(u, node_post, posterior, acquired, lost, hmm, mixed)

    def _emissions(self, location: np.ndarray, u: np.ndarray) -> np.ndarray:
        """(visits · nodes, length, states): each frame's bin probability in N, A_1 … A_R, A_∞."""
        data, p, age_steps = self.data, self.p, self.age_steps
        sigma_e = location[p] if self.lasting else 0.0
        base = data.padded_x @ location[:p]  # (visits, length)
        held = [
            base[:, None, :] + sigma_e * u[:, :, None] + d for d in (*location[-age_steps:][:age_steps], 0.0)
        ]
        return np.stack(
            [np.broadcast_to(data.emit_n[:, None, :], held[0].shape)]
            + [
                np.exp(ordinal_log_bin(data.padded_upper[:, None] - h, data.padded_lower[:, None] - h))
                for h in held
            ],
            axis=-1,
        ).reshape(data.visits * self.nodes, data.length, self.states)

    def m_step(self, params: _Parameters, expected: _Expectations, never: bool) -> _Parameters:
        """Re-estimates weighted by P(node | visit) and P(not a structural zero | visit): ℓ, the acquisition
        hazards, π (with ``never``) and the held score's location."""
        data, nodes, e = self.data, self.nodes, expected
        row_weight = (e.node_post * np.exp(e.hmm - e.mixed)[:, None]).reshape(-1, 1)
        row_real = np.repeat(data.real, nodes, axis=0) * row_weight
        held_before = np.c_[np.zeros(len(row_real)), e.posterior[:, :-1, 1:].sum(axis=2)] * row_real
        lose = float(transition_share((e.lost * row_real).sum(), held_before.sum()))
        hazard = fit_acquisition_hazards(
            (e.acquired * row_real),
            row_real - held_before,
            data.entry_class,
            self.entry_frames,
            e.u.reshape(-1),
            params.hazard,
        )
        share = params.share
        if never:
            share = float(np.clip(1.0 - np.exp(e.hmm - e.mixed).mean(), 0.0, 1.0 - 1e-9))
        location = fit_held_location(
            data.x,
            data.lower,
            data.upper,
            data.frame_visit,
            e.u,
            e.posterior.reshape(data.visits, nodes, data.length, self.states),
            data.real,
            row_weight.reshape(data.visits, nodes),
            params.location,
            self.p,
            self.lasting,
            self.age_steps,
            self.ridge,
        )
        return _Parameters(location, hazard, lose, share)
