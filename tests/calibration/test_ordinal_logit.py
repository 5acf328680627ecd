"""One frame's ordinal terms (sim.calibration.ordinal_logit) against scipy's logistic CDF and finite
differences, including the open bins (a cut-point at ±inf) and far tails."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from sim.calibration.ordinal_logit import ordinal_derivatives, ordinal_log_bin


def test_log_bin_is_the_log_of_the_logistic_cdf_difference():
    rng = np.random.default_rng(3)
    eta = rng.uniform(-8, 8, 200)
    lower, upper = rng.uniform(-3, 0, 200), rng.uniform(0.1, 3, 200)
    expected = np.log(expit(upper - eta) - expit(lower - eta))
    assert ordinal_log_bin(upper - eta, lower - eta) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    # Open bins: below the lowest cut-point and above the highest.
    assert ordinal_log_bin(np.array([0.5]), np.array([-np.inf])) == pytest.approx(np.log(expit([0.5])))
    assert ordinal_log_bin(np.array([np.inf]), np.array([0.5])) == pytest.approx(np.log(1 - expit([0.5])))
    # A far tail where the difference of CDFs underflows to 0 in double precision stays finite.
    far = ordinal_log_bin(np.array([-800.0]), np.array([-801.0]))
    assert np.isfinite(far).all() and far[0] == pytest.approx(-800.0 + np.log(1 - np.exp(-1.0)), rel=1e-9)


def test_derivatives_in_the_location_match_finite_differences():
    rng = np.random.default_rng(4)
    eta = rng.uniform(-5, 5, 50)
    lower = np.where(rng.random(50) < 0.3, -np.inf, rng.uniform(-2, 0, 50))
    upper = np.where(rng.random(50) < 0.3, np.inf, rng.uniform(0.2, 2, 50))
    h = 1e-5

    def at(e):
        return ordinal_log_bin(upper - e, lower - e)

    first, second = ordinal_derivatives(upper - eta, lower - eta, at(eta))
    assert first == pytest.approx((at(eta + h) - at(eta - h)) / (2 * h), abs=1e-6)
    assert second == pytest.approx((at(eta + h) - 2 * at(eta) + at(eta - h)) / h**2, abs=1e-3)
