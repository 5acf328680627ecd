"""SQUAREM: squared extrapolation of a monotone EM map, with a fall-back that keeps it monotone.

Varadhan R. & Roland C. (2008), "Simple and globally convergent methods for accelerating the convergence
of any EM algorithm", Scand. J. Statist. 35(2):335-353, scheme SqS3. From θ₀ two EM steps give θ₁, θ₂;
with r = θ₁ − θ₀, v = θ₂ − θ₁ − r and α = −‖r‖/‖v‖ (at most −1), the extrapolated point
θ′ = θ₀ − 2αr + α²v is followed by one EM step (the paper's stabilisation). EM with random-effect spreads
converges linearly and slowly when much information is missing (a nested fit of the agreement runs took
about 245 iterations); the squared step follows the direction EM crawls along.

Safeguard: the extrapolated point is kept only if, after its EM step, the likelihood is at least θ₂'s;
otherwise the iteration continues from θ₂, which is plain EM. So the likelihood never falls, and the fixed
points are EM's: at convergence the result is EM's optimum to within the same tolerance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

import numpy as np


class EMState(Protocol):
    """Where an EM iteration stands: its parameters as one vector and their log-likelihood."""

    @property
    def params(self) -> np.ndarray: ...

    @property
    def log_likelihood(self) -> float: ...


State = TypeVar("State", bound=EMState)


def squarem(
    step: Callable[[State], State],
    at: Callable[[np.ndarray], State],
    start: State,
    iterations: int,
    tolerance: float,
) -> State:
    """Iterate ``step`` (one EM iteration that never lowers the likelihood) from ``start``, accelerated.

    ``at`` evaluates the state at any parameter vector (the extrapolated point). Stops when an EM step
    gains less than ``tolerance`` × max(1, |log-likelihood|), or after about ``iterations`` EM steps.
    """
    state, used = start, 0
    while used < iterations:
        one = step(state)
        if _converged(state, one, tolerance):
            return one
        two = step(one)
        used += 2
        if _converged(one, two, tolerance):
            return two
        state = _extrapolated(step, at, state, one, two)
        used += 1
    return state


def _converged(before: EMState, after: EMState, tolerance: float) -> bool:
    gain = after.log_likelihood - before.log_likelihood
    return abs(gain) < tolerance * max(1.0, abs(after.log_likelihood))


def _extrapolated(step: Callable[[State], State], at: Callable[[np.ndarray], State], zero, one, two):
    """SqS3's point after one EM step, if it is at least as likely as ``two``; else ``two``'s EM step."""
    r = one.params - zero.params
    v = two.params - one.params - r
    norm_v = float(np.linalg.norm(v))
    alpha = -float(np.linalg.norm(r)) / norm_v if norm_v > 0 else -1.0
    if not np.isfinite(alpha) or alpha >= -1.0:
        return step(two)  # nothing to extrapolate: plain EM
    candidate = zero.params - 2.0 * alpha * r + alpha**2 * v
    if np.isfinite(candidate).all():
        stabilised = step(at(candidate))
        if np.isfinite(stabilised.log_likelihood) and stabilised.log_likelihood >= two.log_likelihood:
            return stabilised
    return step(two)
