"""The ``hazard`` model fitted to pixel mode: the rate of alarms that land on an offender, by the time since
it came into view (:mod:`sim.sensing.alarm_hazard` draws from it).

The events are the offenders' first k-of-n alarms in pixel mode's logged scores
(:data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS`), replayed per detector track at each threshold
of the fit (:func:`sim.calibration.alarm_landing.track_alarms`), except those of tracks known to miss: a
track whose alarm at the run's own threshold came before the alarm pixel mode credited to the offender (or
alarmed on an offender pixel mode never credited) put its box elsewhere, and would at any threshold. At
the run's threshold the events are then pixel mode's credited alarms themselves. Each offender is at risk
from the first frame of each view until its event (the views after it are not counted: only the first
alarm on an offender matters to a run).

Maximum likelihood of the grouped-time proportional-hazards model (complementary log-log link, log Δ as an
offset: Prentice & Gloeckler 1978, Biometrics 34(1):57-67), by L-BFGS-B (scipy); the threshold offsets are
the negative cumulative sums of non-negative steps, so they never rise.

The age bins' log-rates (the baseline) are tied by a first-order difference penalty,
``smoothing`` · Σ (a[b + 1] − a[b])² (Eilers & Marx 1996, *Statistical Science* 11(2):89-121); the other
parameters carry a small ridge (:data:`RIDGE`). The penalty leaves the baseline's level free, so the fit is
the same model at any reference size (moving the reference adds one constant to every bin), and a bin
without an alarm in the fit takes its neighbours' rate rather than one set by a ridge on its level. Fine
bins are 0.2 s and a detector's alarms land at nearly fixed ages, so an unpenalised baseline is a comb of
spikes at the fitting runs' ages; fresh runs' alarms fall between them. The weight is a candidate's (its
label: :data:`sim.calibration.detection_models.SMOOTH`), chosen by held-out likelihood with the rest; on
the default's regeneration runs (2026-12-06) the held-out alarms' log-likelihood rose by 150 units for
fishing and 80 for swimming from a ridge to weight 1-3, and fell again beyond.

The threshold offsets are one per threshold, shared by every age, or (``roughness`` given) one per
threshold and age bin: each threshold then has a baseline of its own (a stratified baseline, Kalbfleisch &
Prentice 2002, *The Statistical Analysis of Failure Time Data*, 2nd ed., §4.4), still never rising with the
threshold in any bin, and the steps of neighbouring bins are tied by a roughness penalty
``roughness`` · Σ (step[j, b + 1] − step[j, b])² (a first-order difference penalty on the log-hazard,
Eilers & Marx 1996, *Statistical Science* 11(2):89-121). A dwell detector's alarms shift in time as well
as in number with the threshold, which shared offsets cannot follow.

With ``crowd`` the log-rate has one more term, ``crowd_slope`` · log2(1 + others), others the offenders of
the kind the same camera logged in the same frame (:func:`sim.calibration.fit_inputs.others_in_view`; what
:mod:`sim.sensing.view_crowds` counts in statistical mode).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.calibration.alarm_landing import track_alarms
from sim.calibration.detectability import MAX_FIT_FRAMES
from sim.calibration.fit_inputs import (
    FIT_THRESHOLDS,
    MIN_SIZE_SLOPE,
    condition_offsets,
    others_in_view,
    score_design,
    split_visits,
)
from sim.calibration.ordinal_logit import fit_pooled_ordinal
from sim.scenario.models import AlarmHazard, Light, Weather
from sim.sensing.alarm_hazard import age_bins
from sim.world.daylight import LIGHT_ORDER

FINE_AGE_S = 10.0
"""Up to this age (s) the age bins are fine: evidence windows and first alarms come within seconds."""
FINE_BIN_S = 0.2
"""Width of a fine age bin (s; the frame step when that is longer)."""
COARSE_RATIO = 1.5
"""Beyond :data:`FINE_AGE_S` each age bin is this many times as long as the one before."""
RIDGE = 1e-3
"""L2 penalty on every parameter but the age bins' log-rates."""
SMOOTHING = 1.0
"""Weight of the difference penalty on neighbouring age bins' log-rates when a candidate names none (module
docstring)."""
LOWEST_LOG_RATE = -50.0
"""Floor of an age bin's log-rate (1/s, at the fit's reference size): keeps the rates of a class without
alarms finite (e^−50 per second is never)."""


def age_edges(step: float, longest: float) -> np.ndarray:
    """Left edges (s) of the age bins for frames ``step`` s apart and views up to ``longest`` s."""
    width = max(step, FINE_BIN_S)
    fine = np.arange(0.0, FINE_AGE_S - 1e-9, width)
    coarse = [FINE_AGE_S]
    while coarse[-1] * COARSE_RATIO < longest:
        coarse.append(coarse[-1] * COARSE_RATIO)
    edges = np.round(np.r_[fine, coarse], 6)
    return edges[edges <= max(longest, 0.0)]


def first_alarms(
    frames: pd.DataFrame, detected: pd.Series, threshold: float, thresholds, k: int, n: int
) -> dict[float, pd.Series]:
    """Per threshold of ``thresholds``: each offender's (group's) first alarm on it, s (module docstring),
    from tracks not known to miss at the run's ``threshold``; ``detected``: pixel mode's credited first
    alarm per group (s; absent or NaN: never)."""
    alarms = {tau: track_alarms(frames, tau, k, n) for tau in thresholds}
    at_run = alarms[threshold] if threshold in alarms else track_alarms(frames, threshold, k, n)
    missed = set()
    for row in at_run.itertuples():
        when = detected.get(row.group, math.nan)
        if math.isnan(when) or row.t < when - 1e-3:
            missed.add((row.group, row.track))
    events = {}
    for tau, raised in alarms.items():
        kept = [(g, t) not in missed for g, t in zip(raised["group"], raised["track"], strict=True)]
        events[tau] = raised[kept].groupby("group")["t"].min()
    return events


def fit_alarm_hazard(
    frames: pd.DataFrame,
    reference_pixels: float,
    detected: pd.Series,
    threshold: float,
    k: int,
    n: int,
    roughness: float | None = None,
    crowd: bool = False,
    smoothing: float = SMOOTHING,
) -> dict:
    """The ``hazard`` model of one kind's ``frames``: its ``alarm_hazard`` block (counted with the k-of-n
    rule ``k``, ``n`` at :data:`sim.calibration.fit_inputs.FIT_THRESHOLDS` and the run's own ``threshold``),
    the per-frame score model's intercept, size slope, light and weather (for the score of an alarm:
    :func:`fit_score_model`) and the log-likelihood of the events. ``roughness``: threshold offsets per age
    bin tied by that penalty (module docstring); None: one offset per threshold for every age. ``crowd``:
    with the crowd term; ``smoothing``: the baseline's difference penalty (module docstring)."""
    if len(frames) == 0:
        raise ValueError("no offender was ever in view: nothing to calibrate")
    thresholds = tuple(sorted(set(FIT_THRESHOLDS) | {round(threshold, 6)}))
    events = first_alarms(frames, detected, threshold, thresholds, k, n)
    data, _, age, step = split_visits(frames)  # views are told apart by their ages (each starts at 0)
    risk = _at_risk(data, age, thresholds, events, crowd)
    edges = age_edges(step, float(age.max()))
    lights = sorted(set(risk[0]["light"]) - {LIGHT_ORDER.index(Light.DAY)})  # day and clear: the references
    weathers = sorted(set(risk[0]["weather"]) - {Weather.CLEAR.value})
    design = _Design(
        risk, edges, lights, weathers, len(thresholds), reference_pixels, step, roughness, smoothing
    )
    from scipy.optimize import minimize  # imported to fit: 0.3 s every importer of the models paid before

    fitted = minimize(design.penalised, design.start(), jac=True, method="L-BFGS-B", bounds=design.bounds())
    rates = design.block(fitted.x, thresholds, k, n)
    score = fit_score_model(frames, reference_pixels)
    return {
        "model": "hazard",
        "intercept": score["intercept"],
        "size_slope": score["size_slope"],
        "offender_sd": 0.0,
        "alarm_hazard": rates,
        "log_likelihood": design.log_likelihood(fitted.x)[0],
        "light": score["light"],
        "weather": score["weather"],
    }


def alarm_log_likelihood(
    block: AlarmHazard, frames: pd.DataFrame, reference_pixels: float, detected: pd.Series, threshold: float
) -> float:
    """Log-likelihood of one kind's first alarms in ``frames`` (counted as the fit counts them, at the
    block's thresholds and k-of-n rule, pixel mode's credited alarms ``detected`` and its ``threshold``)
    under a fitted ``alarm_hazard`` ``block``: on runs the fit did not see, how well it foretells their
    alarms. NaN without frames."""
    if len(frames) == 0:
        return math.nan
    thresholds = tuple(block.thresholds)
    events = first_alarms(frames, detected, threshold, thresholds, block.k, block.n)
    data, _, age, step = split_visits(frames)
    risk = _at_risk(data, age, thresholds, events, block.crowd_slope != 0.0)
    lights = [LIGHT_ORDER.index(level) for level in block.light]
    weathers = [weather.value for weather in block.weather]
    edges = np.asarray(block.age_edges_s, dtype=float)
    # Offsets per age bin if the block has them; the roughness penalty is not part of the likelihood.
    roughness = 0.0 if block.by_age else None
    design = _Design(risk, edges, lights, weathers, len(thresholds), reference_pixels, step, roughness)
    offsets = np.asarray(block.threshold_offsets, dtype=float).reshape(len(thresholds), -1)
    theta = np.concatenate(
        [
            block.age_log_rates,
            [block.size_slope],
            [block.crowd_slope] if block.crowd_slope != 0.0 else [],
            list(block.light.values()),
            list(block.weather.values()),
            -np.diff(offsets, axis=0).ravel(),  # the steps down from one threshold to the next
        ]
    )
    return design.log_likelihood(theta)[0]


def fit_score_model(frames: pd.DataFrame, reference_pixels: float) -> dict:
    """An alarm's score: the per-frame score's ordinal logit model (intercept, size slope, light and weather
    offsets; :func:`sim.calibration.fit_inputs.score_design`) without offender offsets, by maximum
    likelihood (L-BFGS-B, the size slope at least :data:`sim.calibration.fit_inputs.MIN_SIZE_SLOPE`) on
    frames thinned to :data:`sim.calibration.detectability.MAX_FIT_FRAMES`. Only the score an alarm
    reports rests on it (:meth:`sim.sensing.detection_model.DetectionModel.score_given_hit`)."""
    data = frames.iloc[:: -(-len(frames) // MAX_FIT_FRAMES)]
    x, lower, upper, lights_seen, weathers_seen = score_design(data, reference_pixels, FIT_THRESHOLDS)

    bounds = [(None, None), (MIN_SIZE_SLOPE, None)] + [(None, None)] * (x.shape[1] - 2)
    start = np.r_[0.0, 1.0, np.zeros(x.shape[1] - 2)]
    beta = fit_pooled_ordinal(x, lower, upper, RIDGE, start, bounds)
    return {"intercept": float(beta[0]), "size_slope": float(beta[1])} | condition_offsets(
        beta, lights_seen, weathers_seen
    )


def _at_risk(
    data: pd.DataFrame, age: np.ndarray, thresholds, events: dict[float, pd.Series], crowd: bool = False
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The frames at risk at some threshold, one row each: ``age`` (s), ``pixels``, ``light``, ``weather``
    and ``first``, the lowest threshold (index) at which it is at risk (and with ``crowd`` ``others``, the
    crowd of :func:`sim.calibration.fit_inputs.others_in_view`); and the alarms: each one's row and
    threshold (index).

    A frame is at risk at a threshold until the offender's alarm there, in every view up to it; alarms come
    no earlier at a higher threshold (fewer hits), so a frame at risk at one threshold is at risk at every
    higher one and one row holds them all."""
    t = data["t"].to_numpy()
    when = np.column_stack(
        [data["group"].map(events[tau]).to_numpy(dtype=float) for tau in thresholds]
    )  # NaN: no alarm on this offender at that threshold
    first = (t[:, None] > when + 1e-6).sum(axis=1)  # thresholds whose alarm came before this frame
    kept = first < len(thresholds)
    rows = pd.DataFrame(
        {
            "age": age[kept],
            "pixels": data["pixels"].to_numpy(float)[kept],
            "light": data["light"].to_numpy(int)[kept],
            "weather": data["weather"].astype(str).to_numpy()[kept],
            "first": first[kept],
        }
    )
    if crowd:  # counted over every frame logged, at risk or not
        rows["others"] = others_in_view(data)[kept]
    row, threshold = np.nonzero(np.abs(t[kept][:, None] - when[kept]) < 1e-6)
    return rows, row, threshold


class _Design:
    """The fit's index arrays and its penalised negative log-likelihood with gradient. Parameters, in
    order: a log-rate per age bin, the size slope, the crowd slope (if the rows have ``others``), an offset
    per light level seen (not day), per weather seen (not clear), and per threshold after the first a
    non-negative step down, one for every age or (``roughness`` given) one per age bin, threshold by
    threshold.

    With μ_f the rate times Δ of frame f at the first threshold and e_jg = exp(offset_jg) (g the frame's
    age bin, or the one group of every age), a frame at risk from threshold j_f on adds
    −μ_f · Σ_{j ≥ j_f} e_jg, and an alarm at threshold j in frame f adds log(1 − exp(−μ_f e_jg)) + μ_f e_jg
    (its frame counted as an alarm rather than a frame without one)."""

    def __init__(
        self,
        risk,
        edges,
        lights,
        weathers,
        thresholds: int,
        reference_pixels,
        step,
        roughness=None,
        smoothing=SMOOTHING,
    ):
        rows, self.event_row, self.event_threshold = risk
        self.edges, self.lights, self.weathers = edges, lights, weathers
        self.bins = age_bins(edges, rows["age"].to_numpy())
        self.size = np.log2(np.maximum(rows["pixels"].to_numpy(float), 1e-9) / reference_pixels)
        self.crowd = np.log2(1.0 + rows["others"].to_numpy(float)) if "others" in rows else None
        # Each row's light and weather among those with an offset of their own, −1: the reference.
        self.light = pd.Index(lights, dtype=object).get_indexer(rows["light"].astype(object))
        self.weather = pd.Index(weathers, dtype=object).get_indexer(rows["weather"].astype(object))
        self.first = rows["first"].to_numpy(int)
        self.roughness = roughness
        # The threshold steps' groups: every age bin its own, or one for all.
        self.groups = len(edges) if roughness is not None else 1
        self.group = self.bins if roughness is not None else np.zeros(len(self.bins), int)
        self.thresholds = thresholds
        self.counts = (len(edges), len(lights), len(weathers), (thresholds - 1) * self.groups)
        self.slopes = 1 if self.crowd is None else 2  # size, and the crowd's
        self.log_step = math.log(step)
        self.smoothing = smoothing

    def split(self, theta: np.ndarray):
        """The age bins' log-rates, the slopes (size, and crowd if any), the light and weather offsets and
        the threshold steps (a row per threshold after the first) of ``theta``."""
        ages, lights, weathers, _ = self.counts
        conditions = ages + self.slopes
        a = theta[:ages]
        slopes = theta[ages:conditions]
        light = theta[conditions : conditions + lights]
        weather = theta[conditions + lights : conditions + lights + weathers]
        steps = theta[conditions + lights + weathers :].reshape(self.thresholds - 1, self.groups)
        return a, slopes, light, weather, steps

    def start(self) -> np.ndarray:
        """Each age bin's rate as if nothing else mattered (alarms / frame-seconds at risk, half an alarm
        where there was none); the rest 0."""
        theta = np.zeros(sum(self.counts) + self.slopes)
        bins = self.counts[0]
        alarms = np.bincount(self.bins[self.event_row], minlength=bins)
        exposure = np.bincount(self.bins, self.thresholds - self.first, minlength=bins) * math.exp(
            self.log_step
        )
        theta[:bins] = np.log(np.maximum(alarms, 0.5) / np.maximum(exposure, 1e-9))
        return theta

    def bounds(self) -> list[tuple[float | None, float | None]]:
        ages, free = self.counts[0], sum(self.counts[1:3]) + self.slopes
        floor = [(LOWEST_LOG_RATE, None)] * ages
        return floor + [(None, None)] * free + [(0.0, None)] * self.counts[3]

    def penalised(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative log-likelihood plus ``smoothing`` · Σ (a[b + 1] − a[b])² on the age bins' log-rates,
        :data:`RIDGE` · |θ|² on the other parameters and the steps' roughness penalty (if any), and its
        gradient."""
        log_likelihood, gradient = self.log_likelihood(theta)
        ages = self.counts[0]
        rest = theta[ages:]
        value, slope = -log_likelihood + RIDGE * rest @ rest, -gradient
        slope[ages:] += 2 * RIDGE * rest
        rises = np.diff(theta[:ages])  # from each age bin to the next
        value += self.smoothing * float(rises @ rises)
        slope[1:ages] += 2 * self.smoothing * rises
        slope[: ages - 1] -= 2 * self.smoothing * rises
        if self.roughness is not None and self.groups > 1:
            steps = self.split(theta)[4]
            jumps = np.diff(steps, axis=1)  # neighbouring age bins, threshold by threshold
            d_steps = np.zeros_like(steps)
            d_steps[:, 1:] += 2 * self.roughness * jumps
            d_steps[:, :-1] -= 2 * self.roughness * jumps
            value += self.roughness * float((jumps**2).sum())
            slope[len(theta) - steps.size :] += d_steps.ravel()
        return value, slope

    def log_likelihood(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """The events' log-likelihood at ``theta`` and its gradient (the class docstring's sums)."""
        a, slopes, light, weather, steps = self.split(theta)
        cells, groups = self.thresholds * self.groups, self.groups
        scale = np.exp(np.vstack([np.zeros((1, groups)), -np.cumsum(steps, axis=0)]))  # e_jg
        later = np.cumsum(scale[::-1], axis=0)[::-1]  # Σ_{j' ≥ j} e_j'g
        eta = a[self.bins] + slopes[0] * self.size + self.log_step
        if self.crowd is not None:
            eta = eta + slopes[1] * self.crowd
        eta = eta + np.where(self.light >= 0, np.r_[light, 0.0][self.light], 0.0)
        eta = eta + np.where(self.weather >= 0, np.r_[weather, 0.0][self.weather], 0.0)
        mu = np.exp(np.minimum(eta, 30.0))
        at_risk = mu * later[self.first, self.group]
        event_group = self.group[self.event_row]
        alarm = mu[self.event_row] * scale[self.event_threshold, event_group]
        occurred = -np.expm1(-alarm)  # P(the alarm in this frame)
        log_likelihood = -at_risk.sum() + (np.log(np.maximum(occurred, 1e-300)) + alarm).sum()
        # d/d log(alarm) of log(1 − e^−alarm) + alarm; d/d eta_f of −μ_f Σ e_jg is −at_risk_f.
        d_alarm = alarm * np.exp(-alarm) / np.maximum(occurred, 1e-300) + alarm
        g = -at_risk + np.bincount(self.event_row, d_alarm, minlength=len(mu))
        # d/d offset_jg: −e_jg Σ_{f in g: j_f ≤ j} μ_f, plus the alarms at j in g; offset_jg = −(steps 1..j).
        exposed = np.bincount(self.first * groups + self.group, mu, minlength=cells).reshape(-1, groups)
        alarms = np.bincount(self.event_threshold * groups + event_group, d_alarm, minlength=cells)
        d_offset = -scale * np.cumsum(exposed, axis=0) + alarms.reshape(-1, groups)
        gradient = np.concatenate(
            [
                np.bincount(self.bins, g, minlength=len(a)),
                [g @ self.size] + ([g @ self.crowd] if self.crowd is not None else []),
                np.bincount(self.light[self.light >= 0], g[self.light >= 0], minlength=len(light)),
                np.bincount(self.weather[self.weather >= 0], g[self.weather >= 0], minlength=len(weather)),
                -np.cumsum(d_offset[::-1], axis=0)[::-1][1:].ravel(),  # step i lowers thresholds i on
            ]
        )
        return float(log_likelihood), gradient

    def offsets(self, steps: np.ndarray) -> list:
        """The threshold offsets of ``steps``: a value per threshold, or a row of one per age bin."""
        offsets = np.vstack([np.zeros((1, self.groups)), -np.cumsum(steps, axis=0)])
        return offsets.tolist() if self.roughness is not None else offsets[:, 0].tolist()

    def block(self, theta: np.ndarray, thresholds, k: int, n: int) -> dict:
        """The fitted ``alarm_hazard`` block of a calibration class."""
        a, slopes, light, weather, steps = self.split(theta)
        lights, weathers = self.lights, self.weathers
        crowd = {"crowd_slope": float(slopes[1])} if self.crowd is not None else {}
        return crowd | {
            "age_edges_s": [float(v) for v in self.edges],
            "age_log_rates": [float(v) for v in a],
            "size_slope": float(slopes[0]),
            "light": {LIGHT_ORDER[level].value: float(v) for level, v in zip(lights, light, strict=True)},
            "weather": dict(zip(weathers, map(float, weather), strict=True)),
            "thresholds": list(thresholds),
            "threshold_offsets": self.offsets(steps),
            "k": k,
            "n": n,
        }
