"""The ordinal (cumulative-logit) model's one-frame terms: log P(lower < logit s ≤ upper) for a logistic
latent score, and its first and second derivatives in the location, stable in both tails.

Shared by the GLMM (:mod:`sim.calibration.glmm`), the acquisition HMM and the alarm-hazard fit. The arrays are
frames × quadrature nodes (tens of megabytes in a fit), so the work is done in place: fresh arrays cost page
faults, about a fifth of a fit's time when every step allocated one.
"""

from __future__ import annotations

import numpy as np


def _log1p_exp_minus_abs(x: np.ndarray) -> np.ndarray:
    """log(1 + e^(−|x|)): what log σ(x) = min(x, 0) − it and log σ(−x) = min(−x, 0) − it share.

    One ``exp`` and one ``log1p`` over the array, which numpy vectorises; ``np.logaddexp`` calls both
    element by element and took two thirds of a fit's time. In place: one new array, not four (the fit's
    arrays are frames × nodes, tens of megabytes; fresh ones cost page faults, a fifth of a fit's time)."""
    out = np.abs(x)
    np.negative(out, out=out)
    np.exp(out, out=out)
    return np.log1p(out, out=out)


def ordinal_log_bin(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log(F(a) − F(b)) for upper and lower cut-points minus the location, F the logistic CDF.

    log(σ(a) − σ(b)) = log σ(a) + log σ(−b) + log(1 − e^(b − a)), stable in both tails.
    """
    return ordinal_log_bin_and_tails(a, b)[0]


def ordinal_log_bin_and_tails(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`ordinal_log_bin` and the tails log(1 + e^(−|a|)), log(1 + e^(−|b|)) its derivatives reuse.

    Computed in place, in the order (min(a, 0) − tail_a) + (min(−b, 0) − tail_b) + log1p(−e^min(b − a, 0))."""
    tail_a, tail_b = _log1p_exp_minus_abs(a), _log1p_exp_minus_abs(b)
    log_bin = np.minimum(a, 0.0)
    log_bin -= tail_a
    term = np.negative(b)
    np.minimum(term, 0.0, out=term)
    term -= tail_b
    log_bin += term
    np.subtract(b, a, out=term)
    np.minimum(term, 0.0, out=term)
    np.exp(term, out=term)
    np.negative(term, out=term)
    log_bin += np.log1p(term, out=term)
    return log_bin, tail_a, tail_b


def ordinal_derivatives(
    a: np.ndarray, b: np.ndarray, log_bin: np.ndarray, tails: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """First and second derivatives of log(F(a) − F(b)) in the location η (a, b: cut-points − η).

    ``tails``: log(1 + e^(−|a|)) and log(1 + e^(−|b|)) if already computed."""
    # With f = F' and f' = f (1 − 2F); log f(x) = log σ(x) + log σ(−x) = −|x| − 2 log(1 + e^(−|x|)).
    tail_a, tail_b = tails if tails is not None else (_log1p_exp_minus_abs(a), _log1p_exp_minus_abs(b))
    ra, rb = _density_ratio(a, tail_a, log_bin), _density_ratio(b, tail_b, log_bin)
    first = rb - ra
    # ra (1 − 2σ(a)) − rb (1 − 2σ(b)) − first², in place.
    swing_a, swing_b = _one_minus_twice_sigmoid(a, tail_a), _one_minus_twice_sigmoid(b, tail_b)
    swing_a *= ra
    swing_b *= rb
    swing_a -= swing_b
    swing_a -= np.square(first, out=swing_b)
    return first, swing_a


def _density_ratio(x: np.ndarray, tail: np.ndarray, log_bin: np.ndarray) -> np.ndarray:
    """f(x) / (F(a) − F(b)) = exp(−|x| − 2·tail − log_bin), infinities made finite (in place)."""
    out = np.abs(x)
    np.negative(out, out=out)
    out -= np.multiply(tail, 2.0)
    out -= log_bin
    np.exp(out, out=out)
    return np.nan_to_num(out, copy=False)


def _one_minus_twice_sigmoid(x: np.ndarray, tail: np.ndarray) -> np.ndarray:
    """1 − 2σ(x), σ(x) = exp(min(x, 0) − tail) (in place)."""
    out = np.minimum(x, 0.0)
    out -= tail
    np.exp(out, out=out)
    out *= 2.0
    return np.subtract(1.0, out, out=out)


def fit_pooled_ordinal(
    x: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    ridge: float,
    start: np.ndarray | None = None,
    bounds: list[tuple[float | None, float | None]] | None = None,
) -> np.ndarray:
    """Maximum-likelihood β of the ordinal model without offender offsets, P(lower < logit s ≤ upper) with
    η = x·β, a ``ridge`` · |β|² penalty, by L-BFGS-B from ``start`` (default 0) within ``bounds``. Concave in
    β (with the ridge, strictly): one optimum, whatever the start, and the same model whatever the size
    covariate's reference, so it is a start the GLMM's EM does not depend on the reference for."""
    from scipy.optimize import minimize  # imported to fit: importers of the models do not pay for it

    def negative(beta: np.ndarray) -> tuple[float, np.ndarray]:
        eta = x @ beta
        a, b = upper - eta, lower - eta
        log_bin, *tails = ordinal_log_bin_and_tails(a, b)
        first, _ = ordinal_derivatives(a, b, log_bin, tuple(tails))
        return -float(log_bin.sum()) + ridge * beta @ beta, -(x.T @ first) + 2 * ridge * beta

    begin = np.zeros(x.shape[1]) if start is None else start
    return minimize(negative, begin, jac=True, method="L-BFGS-B", bounds=bounds).x
