"""How the weather changes the ``hazard`` model's alarm rates: each weather's offset on the alarm log-rate,
with its 95 % profile-likelihood interval.

The hazard classes are fitted to pixel-mode runs in clear weather (``scripts/regenerate_calibration.sh``),
which cannot tell what rain, haze or fog do to the rate at which alarms land on an offender.
:func:`hazard_weather` fits the hazard model (:func:`sim.calibration.alarm_hazard_fit.fitted_design`: one
threshold offset for every age, one size slope, the default baseline smoothing, by default a frailty per
offender; no crowd or share never found) to offender frames and first alarms of several weathers, with an
offset for each light and each weather, at the run's threshold alone. The interval: the offsets w at which
2 (ℓ̂ − ℓ_p(w)) = χ²₁(0.95) = 3.84, ℓ_p(w) the penalised log-likelihood maximised over the other parameters
with the offset held at w (Venzon & Moolgavkar 1988, *Applied Statistics* 37(1):87-94; Pawitan 2001, *In
All Likelihood*, §2.6). A weather with few alarms has a skewed likelihood, which a Wald interval (estimate
± 1.96 standard errors) would make symmetric.

Two uses: ``tune`` on its clips (``hazard_weather.csv``; each weather's clips hold other offenders, which
differ far more than the weathers do, hence the frailty), and ``scripts/weather_effect.py`` on pixel runs
of the same seeds in clear weather and in another. Neither is installed: the paired runs show the weather's
effect is a cliff in the optical depth d / V, nothing near a camera and nearly everything far from it, which
one offset per weather (``alarm_hazard.weather``) cannot hold (docs/detectors.md, "Weather and the alarm
rates").
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from sim.calibration.alarm_hazard_design import SMOOTHING
from sim.calibration.alarm_hazard_fit import fitted_design
from sim.scenario.models import Weather

CHI2_95 = 3.841458820694124
"""χ² quantile of one degree of freedom at 0.95: scipy.stats.chi2.ppf(0.95, 1)."""
WIDEST = 20.0
"""How far from its estimate an interval's end is sought (log-rate units): beyond it, unbounded (±inf)."""
COLUMNS = ("weather", "offenders", "alarmed", "offset", "low", "high")


def hazard_weather(
    frames: pd.DataFrame,
    detected: pd.Series,
    reference_pixels: float,
    threshold: float,
    k: int,
    n: int,
    frailty: bool = True,
) -> pd.DataFrame:
    """Each weather of ``frames`` (:data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS`) with its
    offenders, those ``detected`` (credited first alarms, s, at the run's ``threshold``), its offset on the
    alarm log-rate (clear: 0, the reference) and the offset's 95 % profile-likelihood interval (``low``,
    ``high``; ±inf where the likelihood never falls that far), counted with the k-of-n rule ``k``, ``n``.
    Clear weather first, then the rest by name."""
    # The run's threshold alone: the thresholds' first alarms on one offender come from one score sequence,
    # and a likelihood summing their terms (the classes' composite likelihood) would count each alarm as
    # many times, its intervals too narrow by the square root of that.
    only = (round(threshold, 6),)
    terms = (None, SMOOTHING, False, frailty, False)  # roughness, smoothing, size by age, frailty, never
    design, theta, _ = fitted_design(
        frames, reference_pixels, detected, threshold, k, n, False, *terms, thresholds=only
    )
    best = design.penalised(theta)[0]
    rows = []
    for weather in [Weather.CLEAR.value, *design.weathers]:
        seen = frames.loc[frames["weather"] == weather, "group"].unique()
        counts = {"weather": weather, "offenders": len(seen), "alarmed": int(detected.index.isin(seen).sum())}
        if weather == Weather.CLEAR.value:
            rows.append(counts | {"offset": 0.0, "low": 0.0, "high": 0.0})
            continue
        index = design.weather_index(weather)
        low, high = (_interval_end(design, theta, index, best, side) for side in (-1.0, 1.0))
        rows.append(counts | {"offset": float(theta[index]), "low": low, "high": high})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _interval_end(design, theta: np.ndarray, index: int, best: float, side: float) -> float:
    """The end of the profile-likelihood interval of parameter ``index`` on ``side`` (−1 below, +1 above
    the estimate ``theta[index]``): the root of 2 (ℓ̂ − ℓ_p(w)) − χ²₁(0.95), ``best`` = −ℓ̂ (penalised)."""
    estimate = theta[index]

    def excess(w: float) -> float:
        return 2.0 * (_profile(design, theta, index, w) - best) - CHI2_95

    step = 0.5
    while step <= WIDEST:  # widen until the likelihood has fallen far enough
        far = estimate + side * step
        if excess(far) > 0.0:
            return float(brentq(excess, estimate, far, xtol=1e-3))
        step *= 2.0
    return side * math.inf


def _profile(design, theta: np.ndarray, index: int, value: float) -> float:
    """−ℓ_p: the penalised negative log-likelihood minimised over every parameter but ``index``, held at
    ``value``, from the estimate ``theta``."""
    bounds = design.bounds()
    bounds[index] = (value, value)
    start = theta.copy()
    start[index] = value
    return design.penalised(design.minimise(bounds, start))[0]
