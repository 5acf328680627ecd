"""Calibration of statistical mode: fitting the detection model to what a pixel-mode detector scored.

Statistical mode (:mod:`sim.sensing.statistical`) models a frame's hit as score > τ with
logit(score) ~ Logistic(η, 1), η = intercept + slope · log2(pixels / reference)
+ light + weather. The fits here take per-frame observations of real
offenders (their projected pixel height, light, weather and the best score the
detector gave them, 0 if none) and estimate η's coefficients by maximum
likelihood over several thresholds at once, −logit τ entering as a known
offset; false alarms are counted per light, weather and threshold and fitted as
a Poisson rate max_rate · exp(a[light] + b[weather] + ab[light, weather]) · σ(c − s · logit τ)
(:func:`fit_false_alarm_model`, :mod:`sim.sensing.false_alarms`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.glmm import fit_ordinal_nested
from sim.calibration.hmm import fit_acquisition_hmm
from sim.core.maths import logit
from sim.scenario.models import Kind, Light, Weather
from sim.sensing.false_alarms import false_alarm_share
from sim.world.daylight import LIGHT_ORDER

FIT_THRESHOLDS = (0.2, 0.35, 0.5, 0.65, 0.8)
"""Thresholds at which hits are counted for the fit."""
OFFENDER_FRAME_COLUMNS = ("group", "t", "pixels", "light", "weather", "score", "track")
"""One row per offender per frame: offender seen by one camera, time (s), projected height at the
camera's full resolution (px), light index (0 night, 1 dusk, 2 day), weather, best score (0: none)
and the detector's track id of that best detection (-1: none)."""


MIN_SIZE_SLOPE = 0.05
"""Smallest logit gain per doubling of pixel height the fit may report (the model needs > 0)."""
MAX_FIT_FRAMES = 20_000
"""Longer observation tables are thinned to every k-th frame (neighbouring frames carry little more)."""


ACQUISITION_KEYS = (
    "entry_acquisition",
    "acquisition_rate_per_s",
    "loss_rate_per_s",
    "acquisition_sd",
    "track_age_offsets",
    "acquisition_step_s",
)
"""A class's keys of the acquisition model (:mod:`sim.sensing.acquisition`), present only when it was
fitted."""

OFFSET_NODES = 0
"""Adaptive Gauss–Hermite nodes for the acquisition model's lasting offset; 0: none. With 5 nodes the
offset wins about 2,070 log-likelihood units on the 300-s agreement runs and brings the detection rate
within 4 points, but makes the median time to detect 2.1-2.6 times pixel mode's (docs/detectors.md),
and its EM needs hundreds of iterations (minutes)."""

EVIDENCE_QUANTILE = 0.1
"""Quantile of the first-score age over visits taken as the detector's evidence window
(:func:`fit_evidence_window`)."""

SPELLS_S = (0.0, 600.0, 300.0, 120.0, 60.0, 30.0, 10.0)
"""Candidate spells of an offender's own offset (0: the whole visit), s: the likeliest is kept."""


def fit_detectability(
    frames: pd.DataFrame, reference_pixels: float, thresholds=FIT_THRESHOLDS, spells=SPELLS_S
) -> dict:
    """:func:`fit_hit_model` at each candidate spell, with a lasting offset and offenders never scored, and
    with spell offsets alone; the fit with the highest marginal likelihood.

    The spell is the time an offender's own offset lasts before it is drawn again (``offender_spell_s``):
    a detector that sees a drifting swimmer in some minutes and not in others needs a short one. The
    candidates are nested descriptions of the same frames, so their likelihoods compare directly.

    First the detector's evidence window (``evidence_s``, :func:`fit_evidence_window`): frames inside it
    are left out of the fit, as statistical mode gives them no chance of a hit.
    """
    data, visit, age, step = _visits(frames)
    evidence = _evidence_window(data, visit, age, step)
    seen = data[age >= evidence - 1e-9]  # nothing can score inside the evidence window: no news on η there
    fits = [fit_hit_model(seen, reference_pixels, thresholds, spell_s=spell, never=True) for spell in spells]
    # Spells alone, integrated with the outer (finer) rule: the nested fit's coarser inner rule can lose
    # more to quadrature error than a lasting offset wins (no never-scored share: that is per offender).
    fits += [
        fit_hit_model(seen, reference_pixels, thresholds, spell_s=spell, lasting=False)
        for spell in spells
        if spell > 0
    ]
    return max(fits, key=lambda fit: fit["log_likelihood"]) | {"evidence_s": evidence}


def fit_hit_model(
    frames: pd.DataFrame,
    reference_pixels: float,
    thresholds=FIT_THRESHOLDS,
    iterations: int = 500,
    spell_s: float = 0.0,
    never: bool = False,
    lasting: bool = True,
) -> dict:
    """Maximum-likelihood fit of P(score > τ) = σ(η + σ_l·u + σ_o·v − logit τ), u per offender, v per spell.

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
    a frame more than once. The offender's offsets are integrated out by (nested) Gauss–Hermite
    quadrature and the model fitted by EM (:func:`sim.calibration.glmm.fit_ordinal_nested`: a random-intercept
    GLMM, cf. lme4's ``glmer`` with ``nAGQ`` nodes). Returns the coefficients, ``offender_sd``,
    ``offender_lasting_sd`` and the light and weather offsets seen in the data (day and clear are the
    references, 0; conditions absent from the data are absent from the result), ``offender_spell_s``
    and the maximised ``log_likelihood``.

    ``spell_s`` 0: one offset σ_o·u per offender, for the whole visit (``offender_sd``; u, v ~ N(0, 1)).
    ``spell_s`` > 0 and ``lasting``: two at once, a lasting one σ_l·u (``offender_lasting_sd``) and
    σ_o·v drawn anew every ``spell_s`` seconds since the offender's first frame: pixel mode sees some swimmers
    never and others within seconds (lasting), and the same swimmer in some minutes and not in
    others (spells), fitted from the optimum of the spells-only model. Without ``lasting``, only the spell
    offset (σ_l = 0; ``never`` then is an error: offenders, not spells, are never scored).
    """
    if len(frames) == 0:
        raise ValueError("no offender was ever in view: nothing to calibrate")
    data = frames.iloc[:: -(-len(frames) // MAX_FIT_FRAMES)]
    x, lower, upper, lights_seen, weathers_seen = _design(data, reference_pixels, thresholds)
    keys = data["group"].astype(str)
    if spell_s > 0:
        since = data["t"] - data.groupby("group")["t"].transform("min")
        keys = keys + "/" + (since // spell_s).astype(int).astype(str)
    offender = pd.factorize(data["group"].astype(str))[0]
    spell = pd.factorize(keys)[0] if spell_s > 0 else None
    start = None
    if spell is not None and not lasting:
        if never:  # a spell-level structural zero would be a different model from sim.sensing.statistical's
            raise ValueError("offenders never scored (never=True) need the lasting level when spell_s > 0")
        offender, spell = spell, None  # one level: the spells are the groups, nothing lasts longer
    elif spell is not None:  # EM from the spells-only optimum: from its default start it can end poorer
        start = fit_ordinal_nested(x, lower, upper, spell, None, iterations)
    # The never-scored share by the offender's size at first sight: structural zeros are the small ones.
    first_pixels = data.groupby(offender, sort=True)["pixels"].first().to_numpy(float)
    never_x = np.column_stack(
        [np.ones(len(first_pixels)), np.log2(np.maximum(first_pixels, 1e-3) / reference_pixels)]
    )
    options = {"never": never, "never_x": never_x}
    fit = fit_ordinal_nested(x, lower, upper, offender, spell, iterations, start=start, **options)
    beta = fit.beta
    if beta[1] < MIN_SIZE_SLOPE:
        # Bigger must not mean harder to see: refit with the slope held at its floor (a known offset).
        size = MIN_SIZE_SLOPE * x[:, 1]
        fit = fit_ordinal_nested(
            np.delete(x, 1, axis=1), lower - size, upper - size, offender, spell, iterations, **options
        )
        beta = np.insert(fit.beta, 1, MIN_SIZE_SLOPE)
    # One level: the offender's offset lasts the whole visit (offender_sd, spell 0). Two: a lasting part
    # plus offender_sd redrawn every spell.
    result = {
        "intercept": float(beta[0]),
        "size_slope": float(beta[1]),
        "offender_sd": fit.inner_sd if spell is not None else fit.outer_sd,
        "offender_lasting_sd": fit.outer_sd if spell is not None else 0.0,
        "offender_spell_s": float(spell_s),
        "never_share": fit.never_share,
        "never_size_slope": fit.never_coefficients[1] if fit.never_coefficients else 0.0,
        "log_likelihood": fit.log_likelihood,
    }
    return result | _condition_offsets(beta, lights_seen, weathers_seen)


def _design(data: pd.DataFrame, reference_pixels: float, thresholds) -> tuple:
    """Covariates of the score's location (1, log2 size, light and weather indicators, day and clear the
    references), the frames' score bins on the logit scale, and the light levels and weathers seen."""
    lights_seen = sorted(set(data["light"].astype(int)) - {LIGHT_ORDER.index(Light.DAY)})
    weathers_seen = sorted(set(data["weather"]) - {Weather.CLEAR.value})
    pixels = data["pixels"].to_numpy(float)
    columns = [np.ones(len(data)), np.log2(np.maximum(pixels, 1e-3) / reference_pixels)]
    columns += [(data["light"].to_numpy() == light).astype(float) for light in lights_seen]
    columns += [(data["weather"].to_numpy() == weather).astype(float) for weather in weathers_seen]
    cuts = np.concatenate([[-np.inf], [logit(t) for t in sorted(thresholds)], [np.inf]])
    bins = np.searchsorted(np.sort(thresholds), data["score"].to_numpy(float), side="left")
    return np.column_stack(columns), cuts[bins], cuts[bins + 1], lights_seen, weathers_seen


def _condition_offsets(beta: np.ndarray, lights_seen: list[int], weathers_seen: list[str]) -> dict:
    """The ``light`` and ``weather`` offsets of a fit whose coefficients follow :func:`_design`'s columns."""
    return {
        "light": {"day": 0.0}
        | {LIGHT_ORDER[light].value: float(b) for light, b in zip(lights_seen, beta[2:], strict=False)},
        "weather": {"clear": 0.0}
        | {w: float(b) for w, b in zip(weathers_seen, beta[2 + len(lights_seen) :], strict=True)},
    }


def _visits(frames: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, float]:
    """``frames`` ordered by group and time, each row's visit number and age in its visit (s), and the frame
    step (s): a visit is a group's run of frames without a gap of more than 1.5 steps (the offender out of
    view in between)."""
    data = frames.sort_values(["group", "t"], kind="stable")
    step = float(data.groupby("group")["t"].diff().min())
    step = round(step, 6) if np.isfinite(step) and step > 0 else 1.0
    gap = ~(data.groupby("group")["t"].diff() <= 1.5 * step)  # a group's first frame, or after a gap
    visit = np.cumsum(gap.to_numpy())
    age = data["t"].to_numpy() - data["t"].groupby(visit).transform("min").to_numpy()
    return data, visit, age, step


def fit_evidence_window(
    frames: pd.DataFrame, threshold: float = min(FIT_THRESHOLDS), quantile: float = EVIDENCE_QUANTILE
) -> float:
    """The detector's evidence window (``evidence_s``): how long into a visit before it can score, s.

    A detector that judges a track by its history (the stroke cue needs 4.2 s of it,
    :data:`detectors.stroke.MIN_WINDOW_S`) scores nobody in the first seconds of a visit, however
    visible: a dead time, not a low hit probability. Estimated as the ``quantile`` of the visit age
    at the first score above ``threshold`` over the visits with one, on the frame grid (a low quantile
    rather than the minimum: an offender who enters the view already tracked, beside another, can
    score at once). 0 without any score.
    """
    return _evidence_window(*_visits(frames), threshold, quantile)


def _evidence_window(
    data: pd.DataFrame,
    visit: np.ndarray,
    age: np.ndarray,
    step: float,
    threshold: float = min(FIT_THRESHOLDS),
    quantile: float = EVIDENCE_QUANTILE,
) -> float:
    """:func:`fit_evidence_window` of frames already split into visits (:func:`_visits`)."""
    scored = data["score"].to_numpy() > threshold
    if not scored.any():
        return 0.0
    first = pd.Series(age[scored]).groupby(visit[scored]).min()
    return float(np.floor(float(first.quantile(quantile)) / step + 1e-6) * step)


def fit_acquisition_model(
    frames: pd.DataFrame,
    reference_pixels: float,
    thresholds=FIT_THRESHOLDS,
    never: bool = False,
    offset_nodes: int = OFFSET_NODES,
) -> dict:
    """Maximum-likelihood acquired / not-acquired hidden Markov model (:mod:`sim.calibration.hmm`) of
    ``frames``.

    The same per-frame observations as :func:`fit_hit_model` (all of them: the chain needs every frame,
    none is thinned). While the detector holds the offender, P(score > τ) = σ(η − logit τ) with η as in
    :func:`fit_hit_model`; it must first acquire the offender: with probability ``entry_acquisition[j]``
    in the j-th frame after it came into view, ``acquisition_rate_per_s`` later on, and it loses it at
    ``loss_rate_per_s`` (frames more than 1.5 frame intervals apart start a new visit); a held track's
    score is offset by ``track_age_offsets`` in its first frames. ``never``: a share of offenders may be
    never acquired (``never_share``). No offender offsets, no hit runs: the hidden state replaces both.
    """
    if len(frames) == 0:
        raise ValueError("no offender was ever in view: nothing to calibrate")
    data, visit, _, step = _visits(frames)
    x, lower, upper, lights_seen, weathers_seen = _design(data, reference_pixels, thresholds)
    options = {"never": never, "offset_nodes": offset_nodes}
    fit = fit_acquisition_hmm(x, lower, upper, visit, **options)
    beta = fit.beta
    if beta[1] < MIN_SIZE_SLOPE:
        size = MIN_SIZE_SLOPE * x[:, 1]  # bigger must not mean harder to see: the slope held at its floor
        fit = fit_acquisition_hmm(np.delete(x, 1, axis=1), lower - size, upper - size, visit, **options)
        beta = np.insert(fit.beta, 1, MIN_SIZE_SLOPE)
    return {
        "intercept": float(beta[0]),
        "size_slope": float(beta[1]),
        "offender_sd": 0.0,
        "offender_lasting_sd": fit.offset_sd,
        "acquisition_sd": fit.acquisition_sd,
        "never_share": fit.never_share,
        "entry_acquisition": [float(h) for h in fit.entry],
        "track_age_offsets": [float(d) for d in fit.age_offsets],
        "acquisition_step_s": step,
        "acquisition_rate_per_s": float(-np.log1p(-fit.acquire) / step),
        "loss_rate_per_s": float(-np.log1p(-fit.lose) / step),
        "log_likelihood": fit.log_likelihood,
    } | _condition_offsets(beta, lights_seen, weathers_seen)


def _runs_by_group(frames: pd.DataFrame, thresholds) -> pd.DataFrame:
    """Per group: ``held`` (s in hits), ``ended`` (runs that ended) and ``hits``, ``frames`` counts,
    pooled over ``thresholds`` (see :func:`fit_hit_runs`)."""
    ordered = frames.sort_values(["group", "t"], kind="stable").reset_index(drop=True)
    by_group = ordered.groupby("group", sort=False)
    position = by_group.cumcount().to_numpy()
    last = position == by_group["t"].transform("size").to_numpy() - 1
    step = by_group["t"].diff().shift(-1).to_numpy(float)  # time to the next frame of the same group
    parts = []
    for threshold in thresholds:
        hits = ordered.assign(position=position, last=last, step=step)[ordered["score"] > threshold]
        after = hits.groupby("group", sort=False)[["position", "track"]].shift(-1)
        far = (after["position"] - hits["position"] > 1) | (after["track"] != hits["track"])
        parts.append(
            pd.DataFrame(
                {
                    "group": hits["group"],
                    "held": np.where(hits["last"], 0.0, hits["step"]),
                    "ended": np.where(after["position"].isna(), ~hits["last"], far).astype(int),
                    "hits": 1,
                }
            )
        )
    runs = pd.concat(parts).groupby("group").sum()
    return runs.assign(frames=by_group.size().reindex(runs.index) * len(thresholds))


def fit_hit_runs(frames: pd.DataFrame, thresholds=FIT_THRESHOLDS) -> float:
    """Mean run of hits on one offender, s (``hit_run_s`` of :func:`sim.sensing.statistical.chained_hits`).

    Moment estimator of the two-state chain, pooled over ``thresholds``: the time offenders spent
    in hits (the frame gap after each hit that has a successor) divided by the number of runs that
    ended. A run ends at a miss, or where the next hit is on another track: the k-of-n rule counts
    hits per track (:mod:`detectors.alarm_filter`), so a detector that keeps losing and re-finding
    an offender holds short runs. 0 when no run was seen to end.
    """
    if not (frames["score"].to_numpy() > min(thresholds)).any():
        return 0.0
    runs = _runs_by_group(frames, thresholds)
    return float(runs["held"].sum() / runs["ended"].sum()) if runs["ended"].sum() else 0.0


def fit_hit_run_scaling(frames: pd.DataFrame, threshold: float) -> tuple[float, float]:
    """Mean run of hits as a power of the hit odds: run(p) = R · (p / (1 − p))^γ; returns (R in s, γ).

    Pixel mode's runs grow with how often an offender is hit: an offender hit in 1 % of frames shows
    isolated blips that never make k of n, one hit in 80 % is held for tens of seconds. Each offender
    with a run that ended gives its hit share p and mean run (:func:`fit_hit_runs` at ``threshold``);
    log run is regressed on log odds by least squares weighted by the runs
    seen. γ is kept in [0, 0.95] (γ < 1 keeps a lower threshold from losing hits); (0, 0) without data.
    """
    if not (frames["score"].to_numpy() > threshold).any():
        return 0.0, 0.0
    runs = _runs_by_group(frames, (threshold,))
    runs = runs[(runs["ended"] > 0) & (runs["held"] > 0) & (runs["hits"] < runs["frames"])]
    if len(runs) < 2:
        return fit_hit_runs(frames, (threshold,)), 0.0
    share = runs["hits"] / runs["frames"]
    x, y = np.log(share / (1 - share)).to_numpy(), np.log(runs["held"] / runs["ended"]).to_numpy()
    w = runs["ended"].to_numpy(float)
    xm, ym = np.average(x, weights=w), np.average(y, weights=w)
    gamma = float(
        np.clip(np.average((x - xm) * (y - ym), weights=w) / np.average((x - xm) ** 2, weights=w), 0, 0.95)
    )
    return float(np.exp(ym - gamma * xm)), gamma


def track_alarms(frames: pd.DataFrame, threshold: float, k: int, n: int) -> pd.DataFrame:
    """The k-of-n alarms each detector track raised on each offender (:mod:`detectors.alarm_filter`'s
    rule replayed on the logged scores): ``group``, ``track``, ``t`` (s) of the hit completing k of the
    track's last n frames; a track alarms at most once. Frames are numbered on each offender's own
    frame grid (its smallest time step)."""
    hits = frames[(frames["score"] >= threshold) & (frames["track"] >= 0)].sort_values(["group", "t"])
    step = frames.sort_values(["group", "t"]).groupby("group")["t"].diff().groupby(frames["group"]).min()
    frame = np.round(hits["t"] / hits["group"].map(step).fillna(1.0)).astype(np.int64)
    earlier = frame.groupby([hits["group"], hits["track"]]).shift(k - 1)
    done = hits[(frame - earlier) < n]
    return done.groupby(["group", "track"], as_index=False)["t"].min().sort_values(["group", "t"])


def fit_alarm_landing(
    frames: pd.DataFrame, detected: pd.Series, threshold: float, k: int, n: int, iterations: int = 500
) -> tuple[float, float]:
    """(``alarm_on_target``, ``shadowed_share``): how often an offender's k-of-n alarms land on them.

    Pixel mode credits an alarm to the offender whose box holds the alarm box's centre; a box grown
    by JPEG ringing or holding two swimmers misses, and that track cannot alarm again. Some offenders
    are never credited however often their hits make k of n: their blob is held by another offender's
    track (two swimmers side by side) for the whole visit. A mixture: with probability q (``shadowed_share``)
    an offender is shadowed and no alarm lands; otherwise each alarm lands with probability p
    (``alarm_on_target``), independently. The alarms of :func:`track_alarms` are taken in time order up to
    the one at the offender's ``detected`` time (s by group, NaN: never credited); offenders credited by
    an alarm that is not among their replayed ones are left out. Maximum likelihood by EM (the E-step:
    each never-credited offender's posterior of being shadowed, q / (q + (1 − q)(1 − p)^m) after m
    alarms). (1, 0) when there is no alarm at all.
    """
    tries, credited = [], []
    for group, times in track_alarms(frames, threshold, k, n).groupby("group")["t"]:
        t = times.to_numpy()
        when = detected.get(group, np.nan)
        match = np.flatnonzero(np.abs(t - when) < 1e-3)
        if np.isnan(when) or len(match):
            tries.append(int(match[0]) + 1 if len(match) else len(t))
            credited.append(bool(len(match)))
    if not tries:
        return 1.0, 0.0
    m, landed = np.array(tries, dtype=float), np.array(credited)
    p, q = max(landed.sum() / m.sum(), 1e-6), 0.5 * float(np.mean(~landed))
    for _ in range(iterations):
        missed_all = (1.0 - p) ** m
        shadowed = np.where(landed, 0.0, q / np.maximum(q + (1.0 - q) * missed_all, 1e-300))
        q_new = float(shadowed.mean())
        p_new = landed.sum() / max(float(((1.0 - shadowed) * m).sum()), 1e-300)
        if abs(q_new - q) < 1e-10 and abs(p_new - p) < 1e-10:
            break
        p, q = p_new, q_new
    return float(p), float(q)


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


def _levels_against(levels, reference, seen: set[str]) -> list[str]:
    """The levels seen other than ``reference``, each to get an offset; none where ``reference`` itself was
    not seen (its offset, 0, would be unmeasured: those levels pool into max_rate)."""
    return (
        [level.value for level in levels if level is not reference and level.value in seen]
        if reference.value in seen
        else []
    )


def class_entry(hit_model: dict) -> dict:
    """A kind's ``classes`` entry of a calibration file from a hit-model fit (rounded for the file)."""
    return (
        {
            "intercept": round(hit_model["intercept"], 4),
            "size_slope": round(hit_model["size_slope"], 4),
            "offender_sd": round(hit_model["offender_sd"], 4),
            "offender_spell_s": hit_model.get("offender_spell_s", 0.0),
            "offender_lasting_sd": round(hit_model.get("offender_lasting_sd", 0.0), 4),
            "never_share": round(hit_model.get("never_share", 0.0), 4),
            "never_size_slope": round(hit_model.get("never_size_slope", 0.0), 4),
            "hit_run_s": round(hit_model.get("hit_run_s", 0.0), 4),
            "hit_run_odds_exponent": round(hit_model.get("hit_run_odds_exponent", 0.0), 4),
            "alarm_on_target": round(hit_model.get("alarm_on_target", 1.0), 4),
            "shadowed_share": round(hit_model.get("shadowed_share", 0.0), 4),
            "evidence_s": round(hit_model.get("evidence_s", 0.0), 4),
        }
        | {
            key: [round(v, 4) for v in hit_model[key]] if isinstance(hit_model[key], list) else hit_model[key]
            for key in ACQUISITION_KEYS
            if key in hit_model
        }
        | {
            "light": {k: round(v, 4) for k, v in hit_model["light"].items()},
            "weather": {k: round(v, 4) for k, v in hit_model["weather"].items()},
        }
    )


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
