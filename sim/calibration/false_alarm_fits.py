"""False alarms of a detector fitted from tune's counts: the threshold curve and the light and weather rates.

False alarms are counted per light, weather and threshold and fitted as a Poisson rate
max_rate · exp(a[light] + b[weather] + ab[light, weather]) · σ(c − s · logit τ)
(:func:`fit_false_alarm_model`, the model of :mod:`sim.sensing.false_alarms`): the curve in τ by a grid
search (:func:`fit_false_alarms`), the condition offsets by Poisson log-linear regression
(:func:`poisson_log_linear`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.fit_inputs import FIT_THRESHOLDS
from sim.scenario.models import Light, Weather
from sim.sensing.false_alarms import false_alarm_share


def fit_false_alarms(counts: dict[float, int], camera_hours: float) -> dict:
    """max_rate_per_hour, intercept c and slope s of rate(τ) = max_rate · σ(c − s · logit τ), by Poisson
    likelihood over a grid of c and s (for each pair the rate has a closed form).

    Only thresholds within the range of :data:`FIT_THRESHOLDS` count when there are any: below about
    0.15 a detector alarms on every flicker (thousands per camera-hour; measured on 3 camera-hours of
    swimming clips: 1,873 per hour at 0.1, 21 at 0.15), a cliff no smooth curve follows together with
    the range researchers operate in. The slope is needed across light and weather: over all twelve
    conditions the rate fell 74-fold from τ 0.2 to 0.65, where a slope of 1 allows 7-fold."""
    low, high = min(FIT_THRESHOLDS), max(FIT_THRESHOLDS)
    if any(low <= t <= high for t in counts):
        counts = {t: n for t, n in counts.items() if low <= t <= high}
    taus = np.array(sorted(counts))
    n = np.array([counts[t] for t in taus], dtype=float)
    if n.sum() == 0:
        return {"max_rate_per_hour": 0.0, "intercept": 0.0, "slope": 1.0}
    best = None
    # Bounded: beyond, the rate's scale and shape trade off freely.
    for slope in np.arange(0.25, 8.01, 0.25):
        for c in np.linspace(-8, 8, 161):
            shape = false_alarm_share(c, slope, taus)
            rate = n.sum() / (camera_hours * shape.sum())
            expected = rate * camera_hours * shape
            loglik = float((n * np.log(np.maximum(expected, 1e-300)) - expected).sum())
            if best is None or loglik > best[0] + 1e-9:
                best = (loglik, c, rate, slope)
    _, c, rate, slope = best
    return {
        "max_rate_per_hour": round(float(rate), 4),
        "intercept": round(float(c), 3),
        "slope": float(slope),
    }


FALSE_ALARM_PRIOR_SD = 3.0
"""Spread of the normal prior on each light and weather log-rate offset (a factor e³ ≈ 20 at one sd): a
level without a single false alarm gets a finite small rate rather than the likelihood's −∞, while tens of
counts move an offset by well under a percent of itself."""


def poisson_log_linear(
    x: np.ndarray, counts: np.ndarray, offset: np.ndarray, prior_sd: np.ndarray, iterations: int = 100
) -> np.ndarray:
    """Coefficients β of counts ~ Poisson(exp(offset + x·β)) by Newton's method (IRLS for the log link),
    maximising the log-likelihood plus a normal prior N(0, prior_sd²) on each β (inf: none).

    Newton step: β += (Xᵀ W X + P)⁻¹ (Xᵀ (y − μ) − P β) with W = diag(μ), P = diag(1 / prior_sd²)
    (McCullagh & Nelder, Generalized Linear Models, 2nd ed., 1989, section 2.5). Starts at the
    intercept-only solution (the first column must be the intercept).
    """
    penalty = np.diag(1.0 / np.asarray(prior_sd, float) ** 2)
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(counts.sum() / np.exp(offset).sum())
    for _ in range(iterations):
        mu = np.exp(offset + x @ beta)
        step = np.linalg.solve(x.T @ (mu[:, None] * x) + penalty, x.T @ (counts - mu) - penalty @ beta)
        step *= min(1.0, 5.0 / np.abs(step).max(initial=1e-300))  # no jump past e⁵ at once
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return beta


def fit_false_alarm_model(table: pd.DataFrame, prior_sd: float = FALSE_ALARM_PRIOR_SD) -> dict:
    """The false-alarm entry of a calibration file from counts by light, weather and threshold.

    ``table`` (``false_alarms.csv`` of ``run_sim.py tune``) has one row per light × weather × threshold:
    ``light``, ``weather``, ``threshold``, ``false_alarms`` (k-of-n alarms on no offender) and
    ``camera_hours`` (that condition's exposure). The model (:mod:`sim.sensing.false_alarms`) is
    n ~ Poisson(hours · max_rate · exp(a[light] + b[weather] + ab[light, weather]) · σ(c − s · logit τ)).
    Its likelihood factorises into the condition totals N (Poisson, mean hours · max_rate · exp(a + b + ab)
    · Σ_τ σ(·)) and, given those, the split over thresholds (multinomial in σ(·), the same for every
    condition), so c and s are fitted to the counts pooled over conditions (:func:`fit_false_alarms`) and
    then max_rate, a, b, ab by Poisson log-linear regression of the totals (:func:`poisson_log_linear`;
    day and clear are the references, 0). With every light × weather measured the model is saturated:
    each condition's rate is its own count over its exposure, except where the prior (``prior_sd`` on
    every offset) keeps a condition without false alarms finite. Levels absent from the table are absent
    from the result, and so are all of a factor's levels when its reference is absent.
    """
    low, high = min(FIT_THRESHOLDS), max(FIT_THRESHOLDS)
    if ((table["threshold"] >= low) & (table["threshold"] <= high)).any():
        table = table[(table["threshold"] >= low) & (table["threshold"] <= high)]
    pooled = table.groupby("threshold")["false_alarms"].sum()
    hours = table.groupby(["light", "weather"])["camera_hours"].first()
    curve = fit_false_alarms(pooled.to_dict(), float(hours.sum()))
    if curve["max_rate_per_hour"] == 0:
        return curve
    shares = false_alarm_share(curve["intercept"], curve["slope"], pooled.index.to_numpy(float)).sum()
    totals = table.groupby(["light", "weather"])["false_alarms"].sum().reindex(hours.index)
    light_of, weather_of = hours.index.get_level_values(0), hours.index.get_level_values(1)
    lights = _levels_against(Light, Light.DAY, set(light_of))
    weathers = _levels_against(Weather, Weather.CLEAR, set(weather_of))
    pairs = [(light, weather) for light in lights for weather in weathers]
    columns = [np.ones(len(hours))]
    columns += [(light_of == light).astype(float) for light in lights]
    columns += [(weather_of == weather).astype(float) for weather in weathers]
    columns += [((light_of == light) & (weather_of == weather)).astype(float) for light, weather in pairs]
    sds = np.array([np.inf] + [prior_sd] * (len(columns) - 1))
    offset = np.log(hours.to_numpy(float) * shares)
    beta = poisson_log_linear(np.column_stack(columns), totals.to_numpy(float), offset, sds)
    values = iter(round(float(b), 4) for b in beta[1:])
    light_offsets = {light: next(values) for light in lights}
    weather_offsets = {weather: next(values) for weather in weathers}
    together: dict[str, dict[str, float]] = {}
    for light, weather in pairs:
        together.setdefault(light, {})[weather] = next(values)
    return curve | {
        "max_rate_per_hour": round(float(np.exp(beta[0])), 4),
        "light": ({"day": 0.0} if lights else {}) | light_offsets,
        "weather": ({"clear": 0.0} if weathers else {}) | weather_offsets,
        "light_weather": together,
    }


def fit_pooled_false_alarms(tables: list[pd.DataFrame], prior_sd: float = FALSE_ALARM_PRIOR_SD) -> dict:
    """:func:`fit_false_alarm_model` of several count tables at once (``tune`` clip runs, the fit clips of a
    false-alarm evidence folder): alarms and camera-hours added per light, weather and threshold, at the
    thresholds of :data:`FIT_THRESHOLDS` only, which every source counts (a tune run counts more, the
    evidence no more; a condition's hours must be the same at each of its thresholds)."""
    kept = [table[np.isin(table["threshold"].round(6), FIT_THRESHOLDS)] for table in tables]
    pooled = pd.concat(kept).groupby(["light", "weather", "threshold"], as_index=False)
    return fit_false_alarm_model(pooled[["false_alarms", "camera_hours"]].sum(), prior_sd)


def _levels_against(levels, reference, seen: set[str]) -> list[str]:
    """The levels seen other than ``reference``, each to get an offset; none where ``reference`` itself was
    not seen (its offset, 0, would be unmeasured: those levels pool into max_rate)."""
    return (
        [level.value for level in levels if level is not reference and level.value in seen]
        if reference.value in seen
        else []
    )
