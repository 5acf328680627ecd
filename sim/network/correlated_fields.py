"""Spatially correlated Gaussian fields for the radio map: the LOS state and the shadow fading of each gNB.

TR 38.901 §7.6.3.1 (spatial consistency) correlates the LOS state and the shadow fading of nearby points
with the exponential correlation exp(−r / d_corr), d_corr from Table 7.6.3.1-2 (LOS state) and Table
7.5-6 Part-1 (shadow fading). The fields are drawn by circulant embedding (Dietrich & Newsam 1997, *SIAM
J. Sci. Comput.* 18(4):1088-1107).
"""

from __future__ import annotations

import functools
import math

import numpy as np


def correlated_field(
    shape: tuple[int, int], spacing_m: float, decorrelation_m: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Two independent zero-mean, unit-variance Gaussian fields with correlation exp(−r / d_corr).

    Circulant embedding on a torus twice the grid's size: the FFT of the
    wrapped correlation gives the eigenvalues; real and imaginary parts of one
    complex draw are two independent fields.
    """
    ny, nx = shape
    amplitude = _embedding_amplitude(ny, nx, spacing_m, decorrelation_m)
    noise = rng.standard_normal(amplitude.shape) + 1j * rng.standard_normal(amplitude.shape)
    field = np.fft.fft2(amplitude * noise)
    return field.real[:ny, :nx], field.imag[:ny, :nx]


@functools.lru_cache(maxsize=16)
def _embedding_amplitude(ny: int, nx: int, spacing_m: float, decorrelation_m: float) -> np.ndarray:
    """sqrt(eigenvalues / N) of the embedded correlation (shared by every gNB and run on this grid)."""
    my, mx = 2 * ny, 2 * nx
    ky = np.minimum(np.arange(my), my - np.arange(my)) * spacing_m
    kx = np.minimum(np.arange(mx), mx - np.arange(mx)) * spacing_m
    correlation = np.exp(-np.hypot(ky[:, None], kx[None, :]) / decorrelation_m)
    eigenvalues = np.fft.fft2(correlation).real
    if eigenvalues.min() < -1e-6 * eigenvalues.max():
        raise ValueError("circulant embedding failed: the grid is too small for the decorrelation distance")
    amplitude = np.sqrt(np.maximum(eigenvalues, 0.0) / (my * mx))
    amplitude.flags.writeable = False
    return amplitude


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """Φ(z), the standard normal CDF, element-wise."""
    return 0.5 * (1.0 + np.vectorize(math.erf, otypes=[float])(z / math.sqrt(2.0)))
