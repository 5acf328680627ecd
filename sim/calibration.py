"""Calibration of statistical mode: fitting the detection model to what a pixel-mode detector scored.

Statistical mode (:mod:`sim.sensing`) models a frame's hit as score > τ with
logit(score) ~ Logistic(η, 1), η = intercept + slope · log2(pixels / reference)
+ light + weather. The fits here take per-frame observations of real
offenders (their projected pixel height, light, weather and the best score the
detector gave them, 0 if none) and estimate η's coefficients by maximum
likelihood over several thresholds at once, −logit τ entering as a known
offset; false alarms are counted per threshold and fitted as a Poisson rate
max_rate · σ(c − logit τ).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sim.daylight import LIGHT_ORDER
from sim.scenario import Kind, Light, Weather
from sim.sensing import logit, sigmoid

FIT_THRESHOLDS = (0.2, 0.35, 0.5, 0.65, 0.8)
"""Thresholds at which hits are counted for the fit."""


def fit_hit_model(
    rows: list[tuple[float, int, str, float]], reference_pixels: float, thresholds=FIT_THRESHOLDS
) -> dict:
    """Maximum-likelihood fit of P(score > τ) = σ(η − logit τ) (see the module docstring).

    Returns intercept, size_slope and the light and weather offsets seen in the data (day and clear
    are the references, 0); conditions absent from the data are absent from the result.
    """
    data = np.array([(p, light, score) for p, light, _, score in rows], dtype=float).reshape(-1, 3)
    weathers = [w for _, _, w, _ in rows]
    if len(data) == 0:
        raise ValueError("no offender was ever in view: nothing to calibrate")
    lights_seen = sorted({int(v) for v in data[:, 1]} - {LIGHT_ORDER.index(Light.DAY)})
    weathers_seen = sorted(set(weathers) - {Weather.CLEAR.value})
    columns = [np.ones(len(data)), np.log2(np.maximum(data[:, 0], 1e-3) / reference_pixels)]
    columns += [(data[:, 1] == light).astype(float) for light in lights_seen]
    columns += [np.array([w == weather for w in weathers], dtype=float) for weather in weathers_seen]
    features = np.column_stack(columns)
    x = np.vstack([features] * len(thresholds))
    offset = np.concatenate([np.full(len(data), -logit(t)) for t in thresholds])
    y = np.concatenate([(data[:, 2] > t).astype(float) for t in thresholds])
    beta = _logistic_newton(x, y, offset)
    result = {"intercept": float(beta[0]), "size_slope": float(max(beta[1], 0.05))}
    result["light"] = {"day": 0.0} | {
        LIGHT_ORDER[light].value: float(b) for light, b in zip(lights_seen, beta[2:], strict=False)
    }
    result["weather"] = {"clear": 0.0} | {
        w: float(b) for w, b in zip(weathers_seen, beta[2 + len(lights_seen) :], strict=True)
    }
    return result


def _logistic_newton(
    x: np.ndarray, y: np.ndarray, offset: np.ndarray, ridge: float = 1e-3, iterations: int = 50
) -> np.ndarray:
    """Logistic regression with a known offset (Newton-Raphson); a small ridge keeps separable data finite."""
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = sigmoid(x @ beta + offset)
        gradient = x.T @ (y - p) - ridge * beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def fit_false_alarms(counts: dict[float, int], camera_hours: float) -> dict:
    """max_rate_per_hour and intercept c of rate(τ) = max_rate · σ(c − logit τ), by Poisson likelihood."""
    taus = np.array(sorted(counts))
    n = np.array([counts[t] for t in taus], dtype=float)
    if n.sum() == 0:
        return {"max_rate_per_hour": 0.0, "intercept": 0.0}
    best = None
    for c in np.linspace(-8, 8, 321):  # bounded: beyond, the rate's scale and shape trade off freely
        shape = sigmoid(c - np.array([logit(t) for t in taus]))
        rate = n.sum() / (camera_hours * shape.sum())
        expected = rate * camera_hours * shape
        loglik = float((n * np.log(np.maximum(expected, 1e-300)) - expected).sum())
        if best is None or loglik > best[0]:
            best = (loglik, c, rate)
    return {"max_rate_per_hour": round(float(best[2]), 4), "intercept": round(float(best[1]), 3)}


def write_calibration(
    base: dict, kind: Kind, hit_model: dict, false_alarm_fit: dict, source: str, path: Path
) -> dict:
    """The calibration file with this kind's class and false-alarm entries replaced."""
    calibration = json.loads(json.dumps(base))
    calibration["classes"][kind.value] = {
        "intercept": round(hit_model["intercept"], 4),
        "size_slope": round(hit_model["size_slope"], 4),
        "light": {k: round(v, 4) for k, v in hit_model["light"].items()},
        "weather": {k: round(v, 4) for k, v in hit_model["weather"].items()},
    }
    calibration["false_alarms"][kind.value] = false_alarm_fit
    calibration["source"] = source
    path.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    return calibration
