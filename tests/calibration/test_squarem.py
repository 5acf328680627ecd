"""SQUAREM (sim.calibration.squarem) on maps whose fixed point is known, and the GLMM fit it accelerates
against an independent optimiser (scipy's Nelder–Mead on the same marginal likelihood)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from scipy.optimize import minimize

from sim.calibration.glmm import fit_ordinal_nested, nested_log_likelihood
from sim.calibration.squarem import squarem

OPTIMUM = np.array([1.0, -2.0, 0.5])
CURVATURE = np.diag([1.0, 0.1, 0.02])
"""A concave quadratic log-likelihood −½(θ − θ*)ᵀC(θ − θ*) whose slowest direction contracts by 0.98 per
step of the map below: EM with much missing information crawls like this."""


@dataclass(frozen=True)
class Point:
    params: np.ndarray

    @property
    def log_likelihood(self) -> float:
        d = self.params - OPTIMUM
        return float(-0.5 * d @ CURVATURE @ d)


def ascent(point: Point) -> Point:
    """θ + C(θ* − θ): monotone, linearly convergent, fixed point θ*."""
    return Point(point.params + CURVATURE @ (OPTIMUM - point.params))


class Counting:
    def __init__(self, step):
        self.step, self.calls, self.path = step, 0, []

    def __call__(self, point):
        self.calls += 1
        after = self.step(point)
        self.path.append(after.log_likelihood)
        return after


def test_squarem_reaches_the_fixed_point_in_a_fraction_of_plain_steps():
    start = Point(np.zeros(3))
    plain = start
    for steps in range(1, 10_000):  # noqa: B007 - the count is compared
        after = ascent(plain)
        if abs(after.log_likelihood - plain.log_likelihood) < 1e-12:
            break
        plain = after
    counting = Counting(ascent)
    fast = squarem(counting, Point, start, 10_000, 1e-12)
    assert fast.params == pytest.approx(OPTIMUM, abs=1e-5)
    assert plain.params == pytest.approx(OPTIMUM, abs=1e-4)
    assert counting.calls < steps / 5
    # Every accepted state is at least as likely as the last one.
    assert counting.path[-1] >= start.log_likelihood


def test_an_extrapolation_that_lands_outside_the_domain_falls_back_to_plain_steps():
    """Log-likelihood −inf below 0.4 in the first coordinate: extrapolations towards it are refused, and
    the iteration still ends at the fixed point, never less likely than where it started."""

    @dataclass(frozen=True)
    class Bounded(Point):
        @property
        def log_likelihood(self) -> float:
            return -np.inf if self.params[0] < 0.4 else Point.log_likelihood.fget(self)

    def step(point):
        return Bounded(ascent(point).params)

    start = Bounded(np.array([3.0, 0.0, 0.0]))
    fitted = squarem(step, Bounded, start, 10_000, 1e-12)
    assert fitted.params == pytest.approx(OPTIMUM, abs=1e-4)
    assert fitted.log_likelihood >= start.log_likelihood


def test_the_accelerated_glmm_fit_is_the_maximum_another_optimiser_finds():
    """Ordinal frames with an offender and a spell offset; the fit (ridge 0) against Nelder–Mead on
    :func:`sim.calibration.glmm.nested_log_likelihood` from the true values."""
    rng = np.random.default_rng(11)
    offenders, spells, frames = 40, 3, 8
    outer = np.repeat(np.arange(offenders), spells * frames)
    inner = np.repeat(np.arange(offenders * spells), frames)
    size = rng.uniform(-1, 1, len(outer))
    x = np.column_stack([np.ones(len(outer)), size])
    latent = (
        x @ [0.3, 1.0]
        + 1.2 * rng.normal(size=offenders)[outer]
        + 0.8 * rng.normal(size=offenders * spells)[inner]
        + rng.logistic(size=len(outer))
    )
    cuts = np.array([-np.inf, -1.0, 0.0, 1.0, np.inf])
    k = np.searchsorted(cuts, latent) - 1
    lower, upper = cuts[k], cuts[k + 1]
    fit = fit_ordinal_nested(x, lower, upper, outer, inner, ridge=0.0)

    def negative(params):
        beta, sds = params[:2], np.abs(params[2:])
        return -nested_log_likelihood(x @ beta, lower, upper, outer, inner, tuple(sds), np.zeros(offenders))

    options = {"xatol": 1e-6, "fatol": 1e-8}
    other = minimize(negative, [0.3, 1.0, 1.2, 0.8], method="Nelder-Mead", options=options)
    assert fit.log_likelihood == pytest.approx(-other.fun, abs=1e-3)
    assert fit.log_likelihood >= -other.fun - 1e-3
    found = [*other.x[:2], *np.abs(other.x[2:])]
    assert [*fit.beta, fit.outer_sd, fit.inner_sd] == pytest.approx(found, abs=0.02)
