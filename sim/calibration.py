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
import pandas as pd

from sim.daylight import LIGHT_ORDER
from sim.scenario import Kind, Light, Weather
from sim.sensing import logit, sigmoid

FIT_THRESHOLDS = (0.2, 0.35, 0.5, 0.65, 0.8)
"""Thresholds at which hits are counted for the fit."""
OFFENDER_FRAME_COLUMNS = ("group", "t", "pixels", "light", "weather", "score", "track")
"""One row per offender per frame: offender seen by one camera, time (s), projected height at the
camera's full resolution (px), light index (0 night, 1 dusk, 2 day), weather, best score (0: none)
and the detector's track id of that best detection (-1: none)."""


HERMITE_NODES = 20
"""Gauss–Hermite nodes for the integral over an offender's own offset."""
MIN_SIZE_SLOPE = 0.05
"""Smallest logit gain per doubling of pixel height the fit may report (the model needs > 0)."""
MAX_FIT_FRAMES = 20_000
"""Longer observation tables are thinned to every k-th frame (neighbouring frames carry little more)."""


SPELLS_S = (0.0, 600.0, 300.0, 120.0, 60.0, 30.0)
"""Candidate spells of an offender's own offset (0: the whole visit), s: the likeliest is kept."""


def fit_detectability(
    frames: pd.DataFrame, reference_pixels: float, thresholds=FIT_THRESHOLDS, spells=SPELLS_S
) -> dict:
    """:func:`fit_hit_model` at each candidate spell; the fit with the highest marginal likelihood.

    The spell is the time an offender's own offset lasts before it is drawn again (``offender_spell_s``):
    a detector that sees a drifting swimmer in some minutes and not in others needs a short one. The
    candidates are nested descriptions of the same frames, so their likelihoods compare directly.
    """
    fits = [fit_hit_model(frames, reference_pixels, thresholds, spell_s=spell) for spell in spells]
    return max(fits, key=lambda fit: fit["log_likelihood"])


def fit_hit_model(
    frames: pd.DataFrame,
    reference_pixels: float,
    thresholds=FIT_THRESHOLDS,
    iterations: int = 500,
    spell_s: float = 0.0,
) -> dict:
    """Maximum-likelihood fit of P(score > τ) = σ(η + σ_o·u − logit τ), u ~ N(0, 1) per offender and spell.

    ``frames`` has one row per offender per frame: ``group`` (one offender seen by one camera),
    ``pixels`` (projected height at the camera's full resolution, px), ``light`` (0 night, 1 dusk,
    2 day), ``weather`` and ``score`` (the best score the detector gave it, 0 if none).

    η = intercept + size_slope · log2(pixels / reference) + light + weather offsets, and σ_o
    (``offender_sd``) is the spread of one offender's own detectability in one camera's view
    (appearance, pose, what is behind them): a detector that finds some swimmers at once and
    others never has a large σ_o, which independent per-frame draws cannot mimic.

    Each frame contributes the probability of the bin between consecutive ``thresholds`` its
    score fell in, P(τ_k < s ≤ τ_k+1) = σ(logit τ_k+1 − η) − σ(logit τ_k − η): an ordinal
    (cumulative-logit) model with known cut-points, so all thresholds are used without counting
    a frame more than once. The offender's offset is integrated out by Gauss–Hermite quadrature;
    EM with one Newton step per iteration treats σ_o as the coefficient of the node value (a
    random-intercept GLMM, cf. lme4's ``glmer`` with ``nAGQ`` nodes). Returns the coefficients,
    ``offender_sd`` and the light and weather offsets seen in the data (day and clear are the
    references, 0; conditions absent from the data are absent from the result), ``offender_spell_s``
    and the maximised ``log_likelihood``. With ``spell_s`` > 0 each offender's offset is drawn anew
    every ``spell_s`` seconds since its first frame (each spell is a group).
    """
    if len(frames) == 0:
        raise ValueError("no offender was ever in view: nothing to calibrate")
    data = frames.iloc[:: -(-len(frames) // MAX_FIT_FRAMES)]
    lights_seen = sorted(set(data["light"].astype(int)) - {LIGHT_ORDER.index(Light.DAY)})
    weathers_seen = sorted(set(data["weather"]) - {Weather.CLEAR.value})
    pixels = data["pixels"].to_numpy(float)
    columns = [np.ones(len(data)), np.log2(np.maximum(pixels, 1e-3) / reference_pixels)]
    columns += [(data["light"].to_numpy() == light).astype(float) for light in lights_seen]
    columns += [(data["weather"].to_numpy() == weather).astype(float) for weather in weathers_seen]
    cuts = np.concatenate([[-np.inf], [logit(t) for t in sorted(thresholds)], [np.inf]])
    bins = np.searchsorted(np.sort(thresholds), data["score"].to_numpy(float), side="left")
    keys = data["group"].astype(str)
    if spell_s > 0:
        since = data["t"] - data.groupby("group")["t"].transform("min")
        keys = keys + "/" + (since // spell_s).astype(int).astype(str)
    group, _ = pd.factorize(keys)
    x, lower, upper = np.column_stack(columns), cuts[bins], cuts[bins + 1]
    beta, sd, log_likelihood = _ordinal_random_intercept(x, lower, upper, group, iterations)
    if beta[1] < MIN_SIZE_SLOPE:
        # Bigger must not mean harder to see: refit with the slope held at its floor (a known offset).
        size = MIN_SIZE_SLOPE * x[:, 1]
        rest, sd, log_likelihood = _ordinal_random_intercept(
            np.delete(x, 1, axis=1), lower - size, upper - size, group, iterations
        )
        beta = np.insert(rest, 1, MIN_SIZE_SLOPE)
    result = {
        "intercept": float(beta[0]),
        "size_slope": float(beta[1]),
        "offender_sd": sd,
        "offender_spell_s": float(spell_s),
        "log_likelihood": log_likelihood,
    }
    result["light"] = {"day": 0.0} | {
        LIGHT_ORDER[light].value: float(b) for light, b in zip(lights_seen, beta[2:], strict=False)
    }
    result["weather"] = {"clear": 0.0} | {
        w: float(b) for w, b in zip(weathers_seen, beta[2 + len(lights_seen) :], strict=True)
    }
    return result


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def _ordinal_random_intercept(
    x: np.ndarray, lower: np.ndarray, upper: np.ndarray, group: np.ndarray, iterations: int, ridge=1e-3
) -> tuple[np.ndarray, float, float]:
    """β, σ ≥ 0 and the maximised marginal log-likelihood of P(lower < logit s ≤ upper),
    logit s ~ Logistic(xβ + σu, 1), u ~ N(0, 1) per group."""
    nodes, weights = np.polynomial.hermite.hermgauss(HERMITE_NODES)
    u, log_w = np.sqrt(2.0) * nodes, np.log(weights / np.sqrt(np.pi))
    groups = int(group.max()) + 1

    def evaluate(theta: np.ndarray) -> tuple[float, tuple]:
        """Marginal log-likelihood and what the Newton step needs."""
        eta = (x @ theta[:-1])[:, None] + theta[-1] * u[None, :]  # (frames, nodes)
        a, b = upper[:, None] - eta, lower[:, None] - eta
        # log(σ(a) − σ(b)) = log σ(a) + log σ(−b) + log(1 − e^(b − a)), stable in both tails.
        log_bin = _log_sigmoid(a) + _log_sigmoid(-b) + np.log1p(-np.exp(np.minimum(b - a, 0.0)))
        per_group = np.column_stack(
            [np.bincount(group, weights=log_bin[:, q], minlength=groups) for q in range(len(u))]
        )
        joint = per_group + log_w
        marginal = np.logaddexp.reduce(joint, axis=1)
        return float(marginal.sum()) - 0.5 * ridge * float(theta @ theta), (a, b, log_bin, joint, marginal)

    def newton_step(theta: np.ndarray, parts: tuple) -> np.ndarray:
        a, b, log_bin, joint, marginal = parts
        posterior = np.exp(joint - marginal[:, None])[group]  # each frame's weights over the nodes
        # Derivatives of log(F(a) − F(b)) in η with f = F' and f' = f (1 − 2F).
        ra = np.nan_to_num(np.exp(_log_sigmoid(a) + _log_sigmoid(-a) - log_bin))
        rb = np.nan_to_num(np.exp(_log_sigmoid(b) + _log_sigmoid(-b) - log_bin))
        first = rb - ra
        second = ra * (1 - 2 * sigmoid(a)) - rb * (1 - 2 * sigmoid(b)) - first**2
        residual, curvature = posterior * first, -posterior * second
        gradient = np.append(x.T @ residual.sum(axis=1), (residual * u).sum()) - ridge * theta
        w0, w1, w2 = curvature.sum(axis=1), curvature @ u, curvature @ (u * u)
        hessian = np.empty((len(theta), len(theta)))
        hessian[:-1, :-1] = (x * w0[:, None]).T @ x
        hessian[:-1, -1] = hessian[-1, :-1] = x.T @ w1
        hessian[-1, -1] = w2.sum()
        return np.linalg.solve(hessian + ridge * np.eye(len(theta)), gradient)

    # Start at the pooled share of frames above the middle cut-point, with some spread (at exactly
    # zero spread its gradient vanishes); a full Newton step can overshoot to a poorer optimum,
    # so each step is halved until the marginal likelihood does not fall.
    theta = np.zeros(x.shape[1] + 1)
    above = float(np.mean(lower >= np.nanmedian(np.where(np.isfinite(lower), lower, np.nan))))
    theta[0], theta[-1] = logit(min(max(above, 1e-4), 1 - 1e-4)), 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        total, parts = evaluate(theta)
        for _ in range(iterations):
            step = newton_step(theta, parts)
            for _ in range(30):
                candidate_total, candidate_parts = evaluate(theta + step)
                if candidate_total >= total - 1e-9 * abs(total):
                    break
                step = step / 2
            theta, gain = theta + step, candidate_total - total
            total, parts = candidate_total, candidate_parts
            if abs(gain) < 1e-9 * max(1.0, abs(total)):
                break
    return theta[:-1], abs(float(theta[-1])), total


def fit_hit_runs(frames: pd.DataFrame, thresholds=FIT_THRESHOLDS) -> float:
    """Mean run of consecutive hits on one offender, s (``hit_run_s`` of :func:`sim.sensing.chained_hits`).

    Moment estimator of the two-state chain, pooled over ``thresholds``: the time offenders spent
    in hits (the frame gap after each hit that has a successor) divided by the number of runs that
    ended. A run ends at a miss, or where the next hit is on another track: the k-of-n rule counts
    hits per track (:mod:`detectors.alarm_filter`), so a detector that keeps losing and re-finding
    an offender holds short runs. 0 when no run was seen to end.
    """
    ordered = frames.sort_values(["group", "t"], kind="stable")
    same = ordered["group"].to_numpy()[1:] == ordered["group"].to_numpy()[:-1]
    gaps = np.diff(ordered["t"].to_numpy(float))[same]
    scores = ordered["score"].to_numpy(float)
    track = ordered["track"].to_numpy()
    switched = (track[1:] != track[:-1])[same]
    held, ended = 0.0, 0
    for threshold in thresholds:
        hit = scores > threshold
        before, after = hit[:-1][same], hit[1:][same]
        held += float(gaps[before].sum())
        ended += int(np.count_nonzero(before & (~after | switched)))
    return held / ended if ended else 0.0


def fit_false_alarms(counts: dict[float, int], camera_hours: float) -> dict:
    """max_rate_per_hour and intercept c of rate(τ) = max_rate · σ(c − logit τ), by Poisson likelihood.

    Only thresholds within the range of :data:`FIT_THRESHOLDS` count when there are any: below about
    0.15 a detector alarms on every flicker (thousands per camera-hour; measured on 3 camera-hours of
    swimming clips: 1,873 per hour at 0.1, 21 at 0.15), a cliff the one-slope logistic cannot follow
    together with the range researchers operate in, where it fits."""
    low, high = min(FIT_THRESHOLDS), max(FIT_THRESHOLDS)
    if any(low <= t <= high for t in counts):
        counts = {t: n for t, n in counts.items() if low <= t <= high}
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


def class_entry(hit_model: dict) -> dict:
    """A kind's ``classes`` entry of a calibration file from a hit-model fit (rounded for the file)."""
    return {
        "intercept": round(hit_model["intercept"], 4),
        "size_slope": round(hit_model["size_slope"], 4),
        "offender_sd": round(hit_model["offender_sd"], 4),
        "offender_spell_s": hit_model.get("offender_spell_s", 0.0),
        "hit_run_s": round(hit_model.get("hit_run_s", 0.0), 4),
        "light": {k: round(v, 4) for k, v in hit_model["light"].items()},
        "weather": {k: round(v, 4) for k, v in hit_model["weather"].items()},
    }


def write_calibration(
    base: dict, kind: Kind, hit_model: dict, false_alarm_fit: dict, source: str, path: Path
) -> dict:
    """The calibration file with this kind's class and false-alarm entries replaced."""
    calibration = json.loads(json.dumps(base))
    calibration["classes"][kind.value] = class_entry(hit_model)
    calibration["false_alarms"][kind.value] = false_alarm_fit
    calibration["source"] = source
    path.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    return calibration
