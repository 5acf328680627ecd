"""Small random-variable objects: ``sample(rng)`` plus the analytic mean.

Every random duration in a scenario (how long a swimmer stays, how long an
offender takes to leave after a warning, ...) is one of these, so tests can
compare sample means with the analytic value and a researcher can see at a
glance what a parameter means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Constant:
    """Always ``value``."""

    value: float

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        return self.value if size is None else np.full(size, self.value, dtype=float)


@dataclass(frozen=True)
class Exponential:
    """Exponential with the given ``mean`` (rate 1/mean)."""

    mean: float

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        return rng.exponential(self.mean, size)


@dataclass(frozen=True)
class Uniform:
    """Uniform on [low, high]."""

    low: float
    high: float

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        return rng.uniform(self.low, self.high, size)


@dataclass(frozen=True)
class LogNormal:
    """Log-normal parameterised by its own ``mean`` and standard deviation ``sd``.

    With cv² = (sd/mean)², the underlying normal has σ² = ln(1 + cv²) and
    μ = ln(mean) − σ²/2, so E[X] = mean and SD[X] = sd exactly.
    """

    mean: float
    sd: float

    @property
    def sigma(self) -> float:
        return math.sqrt(math.log1p((self.sd / self.mean) ** 2))

    @property
    def mu(self) -> float:
        return math.log(self.mean) - 0.5 * self.sigma**2

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        return rng.lognormal(self.mu, self.sigma, size)


Distribution = Constant | Exponential | Uniform | LogNormal
