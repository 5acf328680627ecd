"""Checks shared by the hazard model's fit tests."""

from __future__ import annotations

import numpy as np


def assert_penalised_gradient(design, theta: np.ndarray) -> None:
    """A :class:`sim.calibration.alarm_hazard_design.HazardDesign`'s penalised likelihood's analytic
    gradient at ``theta`` against central differences (relative to the gradient's size)."""
    from scipy.optimize import check_grad

    def value(x):
        return design.penalised(x)[0]

    def gradient(x):
        return design.penalised(x)[1]

    scale = np.linalg.norm(gradient(theta))
    assert check_grad(value, gradient, theta, epsilon=1e-6) <= 1e-5 * max(scale, 1.0)
