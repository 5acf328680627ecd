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
:mod:`sim.sensing.view_crowds` counts in statistical mode). Its slope is fitted within cameras: each
camera's mean of log2(1 + others) is moved to the mean of every camera's
(:func:`sim.calibration.fit_inputs.crowd_covariate`; group-mean centring, Raudenbush & Bryk 2002,
*Hierarchical Linear Models*, 2nd ed., §5.2), so the slope compares crowded and lone offenders of one view.
Pooled over cameras it compares cameras: on the default's regeneration runs the near beach's swimmers are
both the crowded and the large ones, the far river mouth's the lone and the sub-pixel ones, and the pooled
slope (+0.33 per doubling of 1 + others) had the sign of that difference while within each camera pixel mode
found lone swimmers as often or more (``docs/detectors.md``, "The far river mouth's swimmers on 1800-s
runs, and swimming's crowd slope"; Simpson's paradox). The held-out likelihood
(:func:`alarm_log_likelihood`) and statistical mode apply the slope to the raw covariate.

With ``size_by_age`` the size slope is one per age bin, ``size_slope + size_slope_by_age[bin]``, the
departures tied by the same difference penalty as the baseline (the ridge pins their level): a
varying-coefficient model (Hastie & Tibshirani 1993, *JRSS B* 55(4):757-796). One slope for every age (the
proportional-hazards form) scales the rate of every age alike, so offenders of every size share one
distribution of alarm ages; the fishing detector alarms on an angler whose rod and line it resolves at
5.7 s and on one with only one of them at 7.4 s, and the larger anglers are the former (``docs/
detectors.md``, "Fishing on one camera at a time"). With slopes by age the penalty is no longer the same at
every reference size (moving it shifts each bin's log-rate by its own slope); the fits work at a reference
inside the data (:func:`sim.calibration.detection_models.data_reference`).

With ``frailty`` each offender (one camera's view of it in one run) has its own log-rate offset σu, u ~ N(0,
1), the same at every age and threshold, integrated out of the likelihood (a log-normal frailty: Hougaard
2000, *Analysis of Multivariate Survival Data*, ch. 7). Pixel mode finds some offenders at once and others
late or never, and more so the longer they stay (`cam-river`'s far swimmers, `cam-east-n`'s anglers: ``docs/
detectors.md``): among those not yet found the hard ones gain ground, so the share found falls behind a
model in which every offender of one size, light and crowd has the same rate, more and more with the
time in view.

With ``never`` a share of the offenders (one camera's view of one in one run) is never found there, the rest
at their rates (a mixture cure model: Farewell 1982, *Biometrics* 38(4):1041-1046), with or without the
frailty. A frailty can hold offenders pixel mode never finds within the fitting runs' 300-s views only by
spreading the rates so wide that a slow tail of them is found over a longer view; a share never found
stays so at any length of view (pixel mode on `cam-east-n`'s 1800-s runs: 0.62 of the anglers found
within 10 s, 0.11 more in the next half hour).

The frames at risk: :func:`at_risk`; the likelihood and its penalties: :mod:`sim.calibration.
alarm_hazard_design`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.calibration.alarm_hazard_design import RIDGE, SMOOTHING, HazardDesign
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
from sim.world.daylight import LIGHT_ORDER

FINE_AGE_S = 10.0
"""Up to this age (s) the age bins are fine: evidence windows and first alarms come within seconds."""
FINE_BIN_S = 0.2
"""Width of a fine age bin (s; the frame step when that is longer)."""
COARSE_RATIO = 1.5
"""Beyond :data:`FINE_AGE_S` each age bin is this many times as long as the one before."""


def age_edges(step: float, longest: float) -> np.ndarray:
    """Left edges (s) of the age bins for frames ``step`` s apart and views up to ``longest`` s."""
    width = max(step, FINE_BIN_S)
    fine = np.arange(0.0, FINE_AGE_S - 1e-9, width)
    coarse = [FINE_AGE_S]
    while coarse[-1] * COARSE_RATIO < longest:
        coarse.append(coarse[-1] * COARSE_RATIO)
    edges = np.round(np.r_[fine, coarse], 6)
    return edges[edges <= max(longest, 0.0)]


def at_risk(
    data: pd.DataFrame, age: np.ndarray, thresholds, events: dict[float, pd.Series], crowd: bool = False
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The frames at risk at some threshold, one row each: ``age`` (s), ``pixels``, ``light``, ``weather``,
    ``first``, the lowest threshold (index) at which it is at risk, and ``offender``, its group's number among
    the rows (and with ``crowd`` ``others``, the crowd of :func:`sim.calibration.fit_inputs.others_in_view`;
    ``distance_m`` and ``nearness`` where ``data`` has them);
    and the alarms: each one's row and threshold (index).

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
            "offender": pd.factorize(data["group"].to_numpy()[kept])[0],
        }
    )
    if crowd:  # counted over every frame logged, at risk or not
        rows["others"] = others_in_view(data)[kept]
        rows["camera"] = data["group"].str.split("/").str[1].to_numpy()[kept]
    if "distance_m" in data:  # from the lens: the weather's depth of air (sim.calibration.optical_depth_fit)
        rows["distance_m"] = data["distance_m"].to_numpy(float)[kept]
    if "nearness" in data:  # to another offender, on coming into view (sim.calibration.neighbour_fit)
        rows["nearness"] = data["nearness"].to_numpy(float)[kept]
    row, threshold = np.nonzero(np.abs(t[kept][:, None] - when[kept]) < 1e-6)
    return rows, row, threshold


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
        pairs = zip(raised["group"], raised["track"], strict=True)
        kept = np.array([pair not in missed for pair in pairs], dtype=bool)  # a row mask, even when empty
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
    size_by_age: bool = False,
    frailty: bool = False,
    never: bool = False,
) -> dict:
    """The ``hazard`` model of one kind's ``frames``: its ``alarm_hazard`` block (counted with the k-of-n
    rule ``k``, ``n`` at :data:`sim.calibration.fit_inputs.FIT_THRESHOLDS` and the run's own ``threshold``),
    the per-frame score model's intercept, size slope, light and weather (for the score of an alarm:
    :func:`fit_score_model`) and the log-likelihood of the events. ``roughness``: threshold offsets per age
    bin tied by that penalty (module docstring); None: one offset per threshold for every age. ``crowd``:
    with the crowd term; ``smoothing``: the baseline's difference penalty (module docstring);
    ``size_by_age``: a size slope per age bin; ``frailty``: each offender's own log-rate offset; ``never``: a
    share of offenders never found (module docstring)."""
    terms = (roughness, smoothing, size_by_age, frailty, never)
    design, theta, thresholds = fitted_design(
        frames, reference_pixels, detected, threshold, k, n, crowd, *terms
    )
    rates = design.block(theta, thresholds, k, n)
    score = fit_score_model(frames, reference_pixels)
    return {
        "model": "hazard",
        "intercept": score["intercept"],
        "size_slope": score["size_slope"],
        "offender_sd": 0.0,
        "alarm_hazard": rates,
        "log_likelihood": design.log_likelihood(theta)[0],
        "light": score["light"],
        "weather": score["weather"],
    }


def fitted_design(
    frames: pd.DataFrame,
    reference_pixels: float,
    detected: pd.Series,
    threshold: float,
    k: int,
    n: int,
    crowd: bool = False,
    *terms,
    thresholds: tuple[float, ...] | None = None,
) -> tuple[HazardDesign, np.ndarray, tuple[float, ...]]:
    """The design of one kind's ``frames`` (the arguments of :func:`fit_alarm_hazard`; ``terms``: its
    ``roughness``, ``smoothing``, ``size_by_age``, ``frailty`` and ``never``, in that order), its penalised
    maximum-likelihood parameters and the thresholds they are counted at (``thresholds``, or if None
    :data:`sim.calibration.fit_inputs.FIT_THRESHOLDS` and the run's own): a light and a weather offset for
    each one the frames hold, day and clear the references."""
    if len(frames) == 0:
        raise ValueError("no offender was ever in view: nothing to calibrate")
    if thresholds is None:
        thresholds = tuple(sorted(set(FIT_THRESHOLDS) | {round(threshold, 6)}))
    risk, longest, step = risk_set(frames, detected, threshold, thresholds, k, n, crowd)
    lights = sorted(set(risk[0]["light"]) - {LIGHT_ORDER.index(Light.DAY)})  # day and clear: the references
    weathers = sorted(set(risk[0]["weather"]) - {Weather.CLEAR.value})
    edges = age_edges(step, longest)
    design = HazardDesign(
        risk, edges, lights, weathers, len(thresholds), reference_pixels, step, *terms, crowd_within=True
    )
    return design, design.minimise(), thresholds


def alarm_log_likelihood(
    block: AlarmHazard, frames: pd.DataFrame, reference_pixels: float, detected: pd.Series, threshold: float
) -> float:
    """Log-likelihood of one kind's first alarms in ``frames`` (counted as the fit counts them, at the
    block's thresholds and k-of-n rule, pixel mode's credited alarms ``detected`` and its ``threshold``)
    under a fitted ``alarm_hazard`` ``block``: on runs the fit did not see, how well it foretells their
    alarms. NaN without frames."""
    if len(frames) == 0:
        return math.nan
    if block.size_cliff is not None or block.optical_depth is not None or block.neighbour is not None:
        # Fitted afterwards with the class held (sim.calibration.held_class_fit): not in this design.
        raise ValueError(
            "a block with a size cliff, an optical-depth or a neighbour term: their likelihood is "
            "held_class_fit's"
        )
    thresholds, crowd = tuple(block.thresholds), block.crowd_slope != 0.0
    risk, _, step = risk_set(frames, detected, threshold, thresholds, block.k, block.n, crowd)
    lights = [LIGHT_ORDER.index(level) for level in block.light]
    weathers = [weather.value for weather in block.weather]
    edges = np.asarray(block.age_edges_s, dtype=float)
    # Offsets per age bin if the block has them; the penalties are not part of the likelihood.
    roughness = 0.0 if block.by_age else None
    mixture = (block.frailty_sd > 0.0, block.never_log_odds is not None)
    terms = (roughness, 0.0, block.size_slope_by_age is not None, *mixture)
    design = HazardDesign(risk, edges, lights, weathers, len(thresholds), reference_pixels, step, *terms)
    return design.log_likelihood(HazardDesign.theta_of(block))[0]


def risk_set(
    frames: pd.DataFrame, detected: pd.Series, threshold: float, thresholds, k: int, n: int, crowd: bool
) -> tuple[tuple, float, float]:
    """The frames at risk and the alarms (:func:`sim.calibration.alarm_hazard_design.at_risk`) of one kind's
    ``frames``, counted at ``thresholds``; the longest age in view and the frame step, s."""
    events = first_alarms(frames, detected, threshold, thresholds, k, n)
    data, _, age, step = split_visits(frames)  # views are told apart by their ages (each starts at 0)
    return at_risk(data, age, thresholds, events, crowd), float(age.max()), step


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
