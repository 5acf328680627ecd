"""Ordinal (cumulative-logit) regression with nested random intercepts, by EM and Gauss–Hermite quadrature.

The model behind :func:`sim.calibration.detectability.fit_hit_model`: frame f of spell s of offender o
has a latent score logit s_f ~ Logistic(x_f β + σ_o·u_o + σ_s·v_s, 1), u_o and v_s independent N(0, 1),
and we observe only the bin (lower_f, upper_f] it fell in. The marginal likelihood of one offender is

    L_o = ∫ φ(u) ∏_s [∫ φ(v) ∏_{f in s} (F(upper_f − η_f(u, v)) − F(lower_f − η_f(u, v))) dv] du,

two nested one-dimensional integrals, each replaced by a Gauss–Hermite rule (Abramowitz & Stegun
25.4.46; nodes √2·x_k, weights w_k/√π for a standard normal), as lme4's ``glmer`` does with ``nAGQ``
nodes for one level. EM: the E-step gives each frame's posterior weight over the node pairs (the
outer posterior of u_o given all of o's frames times the inner posterior of v_s given u and s's
frames); the M-step is one Newton step on the expected complete-data log-likelihood, with σ_o and
σ_s the coefficients of the node values, halved until the marginal likelihood does not fall. EM is
accelerated by SQUAREM (:mod:`sim.calibration.squarem`), which keeps its fixed points and monotonicity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calibration.ordinal_logit import (
    fit_pooled_ordinal,
    ordinal_derivatives,
    ordinal_log_bin_and_tails,
)
from sim.calibration.squarem import squarem
from sim.core.maths import logit, sigmoid

OUTER_NODES = 20
"""Gauss–Hermite nodes for the offender's lasting offset."""
INNER_NODES = 6
"""Gauss–Hermite nodes for the spell's offset (the inner integral, evaluated at every outer node)."""
NEVER_FLOOR = 1e-3
"""Smallest never-scored share EM starts from (at exactly 0 it cannot move)."""
NEVER_LOGIT = 12.0
"""Bound on the never-scored model's coefficients, logit."""
NEVER_RIDGE = 0.02
"""L2 penalty on the never-scored model's coefficients (a N(0, 7²) prior): where no large offender is
a structural zero the intercept would otherwise drift towards −∞ and EM crawl after it."""
NEVER_NEWTON_STEPS = 3
"""IRLS steps per EM iteration for the never-scored share's covariates."""
EM_TOLERANCE = 1e-9
"""EM stops when an iteration gains less than this share of the log-likelihood."""
START_SD = 0.3
"""Outer spread a warm start begins at, logit (at exactly 0 its gradient vanishes)."""


@dataclass(frozen=True)
class OrdinalFit:
    """Coefficients, spreads (logit) and the maximised marginal log-likelihood."""

    beta: np.ndarray
    outer_sd: float
    inner_sd: float
    """0 when the model has no inner level."""
    never_share: float
    """Share of offenders never scored above the lowest cut-point (0 unless fitted); with ``never_x``, the
    share at covariates (1, 0, ...)."""
    log_likelihood: float
    never_coefficients: tuple[float, ...] = ()
    """logit π_o = never_x_o · these (empty unless ``never``)."""


def _normal_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and log-weights of an n-point Gauss–Hermite rule for E[g(u)], u ~ N(0, 1)."""
    if n == 1:
        return np.zeros(1), np.zeros(1)
    nodes, weights = np.polynomial.hermite.hermgauss(n)
    return np.sqrt(2.0) * nodes, np.log(weights / np.sqrt(np.pi))


def fit_ordinal_nested(
    x: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    outer: np.ndarray,
    inner: np.ndarray | None = None,
    iterations: int = 500,
    ridge: float = 1e-3,
    nodes: tuple[int, int] = (OUTER_NODES, INNER_NODES),
    never: bool = False,
    start: OrdinalFit | None = None,
    never_x: np.ndarray | None = None,
) -> OrdinalFit:
    """Maximum-likelihood β, σ_o ≥ 0, σ_s ≥ 0 of P(lower < logit s ≤ upper) (module docstring).

    ``outer``: each frame's offender (any integer labels); ``inner``: its spell, nested in the
    offender (labels unique across offenders), or None for one random intercept per offender.
    ``ridge`` is a small L2 penalty on all parameters that keeps Newton steps finite.

    ``never``: a zero-inflated model — a share π of offenders is never scored above the lowest
    cut-point (a structural zero, whatever β and the offsets), the rest follow the model:
    L_o = π·[all of o's frames in the lowest bin] + (1 − π)·L_o. π gets its closed-form EM update
    (the mean posterior probability of being never seen) after each Newton step. ``never_x``: covariates
    of π per offender (a row per outer label in ascending order, first column 1), logit π_o = never_x_o · γ;
    γ is then updated by Newton steps on the posterior-weighted logistic log-likelihood (IRLS) instead.

    ``start``: a fit of a model this one contains (the same β columns; its one level being this model's
    inner one) to start EM from, with the outer spread at :data:`START_SD`. EM never lowers the
    likelihood, so the richer model ends at least about as likely as the one it starts from: from the
    default start it can settle in a poorer optimum (docs/detectors.md, "Calibrating statistical mode
    from pixel mode").
    """
    levels = 1 if inner is None else 2
    frames = _nest(x, lower, upper, outer, inner)
    model = _NestedLikelihood.build(frames, nodes, levels, ridge)
    never_x, gamma = _never_start(never, never_x, frames.unseen)
    p = x.shape[1]
    theta = _start_theta(frames, levels, ridge, start)
    if start is not None and never and start.never_coefficients:
        gamma[: len(start.never_coefficients)] = start.never_coefficients
    theta, gamma, total = _em(model, theta, never_x, gamma, never, iterations)
    sds = np.abs(theta[p:])
    return OrdinalFit(
        theta[:p],
        float(sds[0]),
        float(sds[1]) if levels == 2 else 0.0,
        float(sigmoid(gamma[0])) if never else 0.0,
        total,
        tuple(float(g) for g in gamma) if never else (),
    )


def nested_log_likelihood(
    eta: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    outer: np.ndarray,
    inner: np.ndarray | None,
    sds: tuple[float, ...],
    never_share: np.ndarray,
) -> float:
    """The marginal log-likelihood of frames at given parameters (no fit, no penalty): each frame's
    location ``eta`` (logit), offender labels ``outer`` (0 … n−1), spells ``inner`` (None: one level),
    spreads ``sds`` (outer, then inner) and each offender's never-scored share (by label)."""
    levels = 1 if inner is None else 2
    frames = _nest(np.asarray(eta, float)[:, None], lower, upper, outer, inner)
    model = _NestedLikelihood.build(frames, (OUTER_NODES, INNER_NODES), levels, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        total, _ = model.evaluate(np.r_[1.0, np.asarray(sds[:levels], float)], np.asarray(never_share, float))
    return total


@dataclass(frozen=True)
class _NestedFrames:
    """The frames sorted by offender and spell, and where each spell and each offender begins."""

    x: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    spell_start: np.ndarray
    """Index of each spell's first frame."""
    spell_of_frame: np.ndarray
    offender_start: np.ndarray
    """Index of each offender's first spell."""
    offender_of_spell: np.ndarray
    unseen: np.ndarray
    """Per offender: every frame in the lowest bin (it may be a structural zero)."""


def _nest(
    x: np.ndarray, lower: np.ndarray, upper: np.ndarray, outer: np.ndarray, inner: np.ndarray | None
) -> _NestedFrames:
    """The frames in offender and spell order (one spell per offender when ``inner`` is None)."""
    order = np.lexsort((inner if inner is not None else outer, outer))
    x, lower, upper = x[order], lower[order], upper[order]
    outer = outer[order]
    inner = outer if inner is None else inner[order]
    spell_start = np.flatnonzero(np.r_[True, (inner[1:] != inner[:-1]) | (outer[1:] != outer[:-1])])
    spell_of_frame = np.repeat(np.arange(len(spell_start)), np.diff(np.r_[spell_start, len(x)]))
    spell_outer = outer[spell_start]
    offender_start = np.flatnonzero(np.r_[True, spell_outer[1:] != spell_outer[:-1]])
    offender_of_spell = np.repeat(
        np.arange(len(offender_start)), np.diff(np.r_[offender_start, len(spell_start)])
    )
    all_low = np.logical_and.reduceat(~np.isfinite(lower), spell_start)
    unseen = np.logical_and.reduceat(all_low, offender_start)
    return _NestedFrames(
        x, lower, upper, spell_start, spell_of_frame, offender_start, offender_of_spell, unseen
    )


@dataclass(frozen=True)
class _NestedLikelihood:
    """The penalised marginal log-likelihood of nested frames over a Gauss–Hermite grid, and its Newton
    step (the E- and M-steps of EM)."""

    frames: _NestedFrames
    u: np.ndarray
    """Outer nodes."""
    log_wu: np.ndarray
    v: np.ndarray
    """Inner nodes (one node at 0 without an inner level)."""
    log_wv: np.ndarray
    z: np.ndarray
    """Random-effect design over the (outer, inner) node grid, flattened: (nodes, levels)."""
    ridge: float

    @classmethod
    def build(
        cls, frames: _NestedFrames, nodes: tuple[int, int], levels: int, ridge: float
    ) -> _NestedLikelihood:
        u, log_wu = _normal_rule(nodes[0])
        v, log_wv = _normal_rule(nodes[1] if levels == 2 else 1)
        z = np.column_stack([np.repeat(u, len(v)), np.tile(v, len(u))])[:, :levels]
        return cls(frames, u, log_wu, v, log_wv, z, ridge)

    def evaluate(self, theta: np.ndarray, never_share: np.ndarray) -> tuple[float, tuple]:
        """Penalised marginal log-likelihood and what the Newton step needs, with ``never_share`` the
        never-scored share of each offender."""
        return self.mix(theta, self.frame_terms(theta), never_share)

    def frame_terms(self, theta: np.ndarray) -> tuple:
        """What :meth:`evaluate` computes from θ alone: the frames × nodes work, shared by every
        never-scored share (the EM step's second evaluation, after γ's M-step, reuses it: the same numbers,
        bit for bit; 118 of the agreement fit's 166 evaluations are then made, the rest cost little)."""
        f, u, v = self.frames, self.u, self.v
        p = f.x.shape[1]
        eta = (f.x @ theta[:p])[:, None] + self.z @ theta[p:]  # (frames, nodes)
        a, b = f.upper[:, None] - eta, f.lower[:, None] - eta
        log_bin, tail_a, tail_b = ordinal_log_bin_and_tails(a, b)
        per_spell = np.add.reduceat(log_bin, f.spell_start, axis=0).reshape(-1, len(u), len(v))
        spell_joint = per_spell + self.log_wv
        spell_marginal = np.logaddexp.reduce(spell_joint, axis=2)  # (spells, outer nodes)
        offender_joint = np.add.reduceat(spell_marginal, f.offender_start, axis=0) + self.log_wu
        offender_marginal = np.logaddexp.reduce(offender_joint, axis=1)
        inner_post = np.exp(spell_joint - spell_marginal[:, :, None])  # P(v_j | u_k, spell's frames)
        return a, b, log_bin, (tail_a, tail_b), offender_joint, offender_marginal, inner_post

    def mix(self, theta: np.ndarray, terms: tuple, never_share: np.ndarray) -> tuple[float, tuple]:
        """:meth:`evaluate` from θ's :meth:`frame_terms` and the never-scored shares."""
        f = self.frames
        a, b, log_bin, tails, offender_joint, offender_marginal, inner_post = terms
        pi = never_share
        seen = np.log1p(-pi) + offender_marginal
        mixed = np.logaddexp(seen, np.where(f.unseen & (pi > 0), np.log(np.maximum(pi, 1e-300)), -np.inf))
        visible = np.exp(seen - mixed)  # P(not a structural zero | offender's frames)
        total = float(mixed.sum()) - 0.5 * self.ridge * float(theta @ theta)
        # P(u_k | offender's frames), given that it is not a structural zero, times that chance.
        outer_post = np.exp(offender_joint - offender_marginal[:, None]) * visible[:, None]
        posterior = (outer_post[f.offender_of_spell][:, :, None] * inner_post).reshape(len(f.spell_start), -1)
        return total, (a, b, log_bin, tails, posterior[f.spell_of_frame], visible)

    def newton_step(self, theta: np.ndarray, parts: tuple) -> np.ndarray:
        """One Newton step on the expected complete-data log-likelihood (:meth:`evaluate`'s ``parts``)."""
        x, z, ridge = self.frames.x, self.z, self.ridge
        p = x.shape[1]
        a, b, log_bin, tails, posterior, _ = parts
        first, second = ordinal_derivatives(a, b, log_bin, tails)
        residual = posterior * first
        curvature = np.negative(np.multiply(posterior, second, out=second), out=second)
        gradient = np.concatenate([x.T @ residual.sum(axis=1), residual.sum(axis=0) @ z]) - ridge * theta
        w0, w1 = curvature.sum(axis=1), curvature @ z
        hessian = np.empty((len(theta), len(theta)))
        hessian[:p, :p] = (x * w0[:, None]).T @ x
        hessian[:p, p:] = x.T @ w1
        hessian[p:, :p] = hessian[:p, p:].T
        hessian[p:, p:] = (z * curvature.sum(axis=0)[:, None]).T @ z
        return np.linalg.solve(hessian + ridge * np.eye(len(theta)), gradient)


def _never_start(
    never: bool, never_x: np.ndarray | None, unseen: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The never-scored share's covariates (a column of ones by default) and starting coefficients: half
    the share of offenders never scored, within [:data:`NEVER_FLOOR`, 0.5]; −inf without ``never``."""
    if never_x is None:
        never_x = np.ones((len(unseen), 1))
    never_x = np.asarray(never_x, dtype=float)
    if never_x.shape[0] != len(unseen):
        raise ValueError(f"never_x has {never_x.shape[0]} rows for {len(unseen)} offenders")
    gamma = np.zeros(never_x.shape[1])
    gamma[0] = logit(min(max(0.5 * float(unseen.mean()), NEVER_FLOOR), 0.5)) if never else -np.inf
    return never_x, gamma


def _start_theta(frames: _NestedFrames, levels: int, ridge: float, start: OrdinalFit | None) -> np.ndarray:
    """EM's starting β and spreads: ``start``'s, or the pooled model's β (:func:`fit_pooled_ordinal`) with
    spreads of 1 (at exactly zero spread their gradient vanishes).

    The pooled start makes the fit the same whatever the size covariate's reference: from the share of
    frames above the middle cut-point and every slope 0 (the start until 2026-12-06), EM on the agreement
    beach's frames ended in an optimum that depended on it (log-likelihood −9196.6 from a reference of
    0.5 px, −9153.7 from 1.67 px, −9196.2 from 10 px, the spells-only model); from the pooled fit, −9153.74,
    −9153.74 and −9154.07 (docs/detectors.md, "Fishing on one camera at a time")."""
    p = frames.x.shape[1]
    theta = np.ones(p + levels)
    if start is not None:
        theta[:p], theta[p:] = start.beta, (START_SD, start.outer_sd)[:levels]
    else:
        theta[:p] = fit_pooled_ordinal(frames.x, frames.lower, frames.upper, ridge)
    return theta


@dataclass(frozen=True)
class _EMState:
    """EM's parameters (θ, and γ of the never-scored share), their penalised log-likelihood and what the
    next Newton step needs (:meth:`_NestedLikelihood.evaluate`'s ``parts``)."""

    theta: np.ndarray
    gamma: np.ndarray
    log_likelihood: float
    parts: tuple
    never: bool
    terms: tuple
    """θ's :meth:`_NestedLikelihood.frame_terms`, which γ's M-step reuses."""

    @property
    def params(self) -> np.ndarray:
        """θ, then γ with ``never`` (without it γ is −inf and stays so): what SQUAREM extrapolates."""
        return np.r_[self.theta, self.gamma] if self.never else self.theta


@dataclass(frozen=True)
class _EMIteration:
    """One EM iteration of :class:`_NestedLikelihood` (:func:`_em`), and the state at any parameters."""

    model: _NestedLikelihood
    never_x: np.ndarray
    never: bool
    gamma_off: np.ndarray
    """γ without ``never`` (−inf: no offender is a structural zero)."""

    def state(self, theta: np.ndarray, gamma: np.ndarray, terms: tuple | None = None) -> _EMState:
        """The state at θ and γ; ``terms``: θ's :meth:`_NestedLikelihood.frame_terms` if already made."""
        share = sigmoid(self.never_x @ gamma) if self.never else np.zeros(len(self.never_x))
        if terms is None:
            terms = self.model.frame_terms(theta)
        total, parts = self.model.mix(theta, terms, share)
        return _EMState(theta, gamma, total, parts, self.never, terms)

    def at(self, params: np.ndarray) -> _EMState:
        size = len(params) - (len(self.gamma_off) if self.never else 0)
        gamma = np.clip(params[size:], -NEVER_LOGIT, NEVER_LOGIT) if self.never else self.gamma_off
        return self.state(params[:size], gamma)

    def step(self, state: _EMState) -> _EMState:
        """A Newton step on θ, halved until the marginal likelihood does not fall (a full one can overshoot
        to a poorer optimum); with ``never``, then γ's M-step (:func:`_logistic_step`)."""
        step = self.model.newton_step(state.theta, state.parts)
        for _ in range(30):
            candidate = self.state(state.theta + step, state.gamma)
            if candidate.log_likelihood >= state.log_likelihood - 1e-9 * abs(state.log_likelihood):
                break
            step = step / 2
        if self.never:
            gamma = _logistic_step(self.never_x, 1.0 - candidate.parts[-1], state.gamma)
            candidate = self.state(candidate.theta, gamma, candidate.terms)  # θ's frame terms again
        return candidate


def _em(
    model: _NestedLikelihood,
    theta: np.ndarray,
    never_x: np.ndarray,
    gamma: np.ndarray,
    never: bool,
    iterations: int,
) -> tuple[np.ndarray, np.ndarray, float]:
    """EM from ``theta`` and ``gamma``, accelerated by SQUAREM (:mod:`sim.calibration.squarem`): the fitted θ,
    γ and the maximised penalised log-likelihood."""
    em = _EMIteration(model, never_x, never, gamma)
    with np.errstate(divide="ignore", invalid="ignore"):
        fitted = squarem(em.step, em.at, em.state(theta, gamma), iterations, EM_TOLERANCE)
    return fitted.theta, fitted.gamma, fitted.log_likelihood


def _logistic_step(
    x: np.ndarray, target: np.ndarray, gamma: np.ndarray, ridge: float = NEVER_RIDGE
) -> np.ndarray:
    """Newton steps of logistic regression of the posterior shares ``target`` on ``x`` from ``gamma`` (IRLS;
    fractional targets: the M-step of the never-scored share), logits kept within ±:data:`NEVER_LOGIT`."""
    for _ in range(NEVER_NEWTON_STEPS):
        pi = sigmoid(x @ gamma)
        gradient = x.T @ (target - pi) - ridge * gamma
        hessian = (x * (pi * (1.0 - pi))[:, None]).T @ x + ridge * np.eye(len(gamma))
        gamma = gamma + np.linalg.solve(hessian, gradient)
    return np.clip(gamma, -NEVER_LOGIT, NEVER_LOGIT)
