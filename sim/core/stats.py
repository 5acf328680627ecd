"""Summary statistics of a sample, and Student-t confidence intervals of a mean across replications."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

LEVEL = 0.95
"""Confidence level of every interval."""


def distribution(values: pd.Series | np.ndarray) -> dict:
    """mean, p50, p90, p99 and n of finite values (None where there are none), s."""
    array = np.asarray(pd.Series(values, dtype="float64").dropna(), dtype=float)
    if len(array) == 0:
        return {"mean": None, "p50": None, "p90": None, "p99": None, "n": 0}
    p50, p90, p99 = np.percentile(array, [50, 90, 99])
    return {
        "mean": round(float(array.mean()), 3),
        "p50": round(float(p50), 3),
        "p90": round(float(p90), 3),
        "p99": round(float(p99), 3),
        "n": len(array),
    }


def t_two_sided_probability(t: float, dof: int) -> float:
    """A(t | ν) = P(|T| ≤ t) for Student's t with ν integer degrees of freedom.

    Abramowitz & Stegun, *Handbook of Mathematical Functions* (1964), eq. 26.7.3 (ν odd) and
    26.7.4 (ν even), with θ = arctan(t / √ν): finite sums, exact up to rounding.
    """
    if dof < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {dof}")
    theta = math.atan(t / math.sqrt(dof))
    cos2 = math.cos(theta) ** 2
    if dof % 2 == 0:  # 26.7.4: sin θ · (1 + ½cos²θ + (1·3)/(2·4)cos⁴θ + ... up to cos^(ν−2)θ)
        term = total = 1.0
        for k in range(2, dof - 1, 2):
            term *= cos2 * (k - 1) / k
            total += term
        return math.sin(theta) * total
    if dof == 1:
        return 2.0 * theta / math.pi
    # 26.7.3: (2/π)(θ + sin θ (cos θ + (2/3)cos³θ + ... + (2·4···(ν−3))/(1·3···(ν−2)) cos^(ν−2)θ))
    term = total = math.cos(theta)
    for k in range(3, dof - 1, 2):
        term *= cos2 * (k - 1) / k
        total += term
    return 2.0 / math.pi * (theta + math.sin(theta) * total)


def t_quantile(level: float, dof: int) -> float:
    """t with P(|T| ≤ t) = ``level`` (two-sided: t(0.975, ν) for level 0.95), by bisection on A(t | ν)."""
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    low, high = 0.0, 1.0
    while t_two_sided_probability(high, dof) < level:
        low, high = high, 2.0 * high
    for _ in range(100):  # halves the bracket to below 1e-12 relative
        middle = 0.5 * (low + high)
        if t_two_sided_probability(middle, dof) < level:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with its two-sided t confidence interval (``half_width`` NaN below 2)."""

    mean: float
    half_width: float
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width


def mean_ci(values, level: float = LEVEL) -> Estimate:
    """Mean of the finite ``values`` and the t interval x̄ ± t(1 − α/2, n − 1) · s / √n."""
    array = np.asarray(pd.Series(values, dtype="float64").dropna(), dtype=float)
    n = len(array)
    if n == 0:
        return Estimate(math.nan, math.nan, 0)
    if n == 1:
        return Estimate(float(array[0]), math.nan, 1)
    spread = float(array.std(ddof=1))
    return Estimate(float(array.mean()), t_quantile(level, n - 1) * spread / math.sqrt(n), n)
