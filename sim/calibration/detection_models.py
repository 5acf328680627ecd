"""The statistical detection models ``tune --pixel-runs`` can fit, and their likelihood on new frames.

Two models describe how a camera's detector scores an offender frame by frame (their terms:
:data:`sim.scenario.models.DETECTION_MODEL_TERMS`; ``docs/detectors.md``, "Calibrating statistical mode
from pixel mode"):

* ``ordinal``: independent frames given the offender's own offsets (a lasting one and one redrawn every
  spell, the spell the likeliest of :data:`sim.calibration.detectability.SPELLS_S`), a never-scored share,
  runs of hits and an evidence window (:func:`sim.calibration.detectability.fit_detectability`);
* ``acquisition``: the acquired / not-acquired chain (:func:`sim.calibration.detectability.
  fit_acquisition_model`, :mod:`sim.sensing.acquisition`).

A third, ``hazard``, describes the alarms themselves (their rate by the time in view,
:mod:`sim.calibration.alarm_hazard_fit`); its candidates (threshold offsets shared, or per age bin at a
roughness: :data:`BY_AGE`; a baseline smoothing weight: :data:`SMOOTH`; each with or without the crowd
term, :data:`CROWD`, a size slope by age, :data:`SIZE_BY_AGE`, and a frailty, :data:`FRAILTY`) compare among
themselves
by the likelihood of the alarms on held-out seeds (:func:`candidate_log_likelihood`), never with the frame
models.

:func:`frame_log_likelihood` is the log-likelihood of a table of per-frame observations (each frame's
score bin at the cut-points :data:`sim.calibration.fit_inputs.FIT_THRESHOLDS`) under a class's calibration
as statistical mode reads it: the ordinal model's marginal likelihood over its offsets
(:func:`sim.calibration.glmm.nested_log_likelihood`), the chain's by the forward algorithm
(:func:`sim.calibration.hmm.acquisition_log_likelihood`). Both describe every frame of the same table, so
on held-out frames they compare directly. Stated assumption: the ordinal model's evidence window and hit
runs are not in its frame likelihood (its fit leaves the window's frames out and treats frames as
independent given the offsets; so does this likelihood, on every frame).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.alarm_hazard_fit import SMOOTHING, alarm_log_likelihood, fit_alarm_hazard
from sim.calibration.detectability import (
    SPELLS_S,
    fit_acquisition_model,
    fit_detectability,
    offender_levels,
)
from sim.calibration.fit_inputs import FIT_THRESHOLDS, score_design, split_visits
from sim.calibration.glmm import nested_log_likelihood
from sim.calibration.hit_runs import fit_hit_run_scaling
from sim.calibration.hmm import acquisition_log_likelihood
from sim.core.maths import logit, sigmoid
from sim.scenario.models import DETECTION_MODEL_TERMS, Calibration, Kind, Weather
from sim.sensing.acquisition import AcquisitionChain
from sim.sensing.detection_model import DetectionModel

MODELS = tuple(DETECTION_MODEL_TERMS)
"""The models ``tune --pixel-runs --model`` knows, in the order they are fitted."""
FRAME_MODELS = ("ordinal", "acquisition")
"""The models that describe every frame's score, so that their likelihoods of the same frames compare."""
BY_AGE = "hazard-by-age-"
"""The label of a ``hazard`` candidate with threshold offsets per age bin: ``hazard-by-age-10`` at roughness
10 (:func:`sim.calibration.alarm_hazard_fit.fit_alarm_hazard`); plain ``hazard`` shares them."""
SMOOTH = "-smooth-"
"""The infix of a ``hazard`` candidate's baseline smoothing weight (:func:`sim.calibration.alarm_hazard_fit.
fit_alarm_hazard`): ``hazard-smooth-3``, ``hazard-by-age-10-smooth-0.3+crowd``; without it the weight is
:data:`sim.calibration.alarm_hazard_fit.SMOOTHING`."""
CROWD = "+crowd"
"""The suffix of a ``hazard`` candidate with the crowd term (the others in view: ``hazard+crowd``,
``hazard-by-age-10+crowd``; :mod:`sim.sensing.view_crowds`)."""
SIZE_BY_AGE = "+size-by-age"
"""The suffix of a ``hazard`` candidate whose size slope differs by age bin (``hazard+size-by-age``,
``hazard-by-age-10-smooth-3+crowd+size-by-age``; :mod:`sim.calibration.alarm_hazard_fit`)."""
FRAILTY = "+frailty"
"""The suffix of a ``hazard`` candidate with each offender's own log-rate offset (``hazard+frailty``,
``hazard-by-age-10-smooth-3+crowd+size-by-age+frailty``; :mod:`sim.calibration.alarm_hazard_fit`)."""
NEVER = "+never"
"""The last suffix of a ``hazard`` candidate with a share of offenders never found (``hazard+never``,
``hazard-by-age-10-smooth-3+crowd+frailty+never``; :mod:`sim.calibration.alarm_hazard_fit`)."""
AUTO = "auto"
"""``--model auto``: every model of :data:`FRAME_MODELS`, the one likeliest on held-out frames kept per kind
(the ``hazard`` model describes alarms, not frames: it is chosen by name)."""


def hazard_roughness(name: str) -> float | None:
    """The roughness of a ``hazard`` candidate's label (:data:`BY_AGE`); None for shared offsets."""
    base = _hazard_parts(name)[0]
    return float(base.removeprefix(BY_AGE)) if base.startswith(BY_AGE) else None


def hazard_smoothing(name: str) -> float:
    """The baseline smoothing weight of a ``hazard`` candidate's label (:data:`SMOOTH`; the default
    :data:`sim.calibration.alarm_hazard_fit.SMOOTHING` without one)."""
    return _hazard_parts(name)[1]


def by_age_label(roughness: float) -> str:
    """The label of the ``hazard`` candidate with offsets per age bin at ``roughness``."""
    return f"{BY_AGE}{roughness:g}"


def smooth_label(name: str, smoothing: float) -> str:
    """Hazard candidate ``name`` (without the crowd suffix) with baseline smoothing weight ``smoothing``."""
    return f"{name}{SMOOTH}{smoothing:g}"


def without_crowd(name: str) -> str:
    """Hazard candidate ``name`` without the crowd term, the rest of it kept."""
    after = [suffix for suffix in (SIZE_BY_AGE, FRAILTY, NEVER) if suffix in name]  # those after the crowd's
    for suffix in reversed(after):
        name = name.removesuffix(suffix)
    return name.removesuffix(CROWD) + "".join(after)


def is_hazard(name: str) -> bool:
    """Whether candidate ``name`` is the ``hazard`` model (offsets shared or per age bin, any smoothing, with
    or without the crowd term, the size slope by age, the frailty and the share never found)."""
    base = _hazard_parts(name)[0]
    return base == "hazard" or base.startswith(BY_AGE)


def _hazard_parts(name: str) -> tuple[str, float, bool, bool, bool, bool]:
    """A hazard label's parts: its base (``hazard``, ``hazard-by-age-10``), smoothing weight, whether it has
    the crowd term, whether its size slope differs by age, whether it has the frailty and whether a share
    never found."""
    never = name.endswith(NEVER)
    name = name.removesuffix(NEVER)
    frailty = name.endswith(FRAILTY)
    name = name.removesuffix(FRAILTY)
    size_by_age = name.endswith(SIZE_BY_AGE)
    name = name.removesuffix(SIZE_BY_AGE)
    crowd = name.endswith(CROWD)
    base, _, weight = name.removesuffix(CROWD).partition(SMOOTH)
    return base, float(weight) if weight else SMOOTHING, crowd, size_by_age, frailty, never


def fit_model(
    name: str,
    frames: pd.DataFrame,
    reference_pixels: float,
    threshold: float,
    spells=SPELLS_S,
    alarms: tuple[pd.Series, int, int] | None = None,
) -> dict:
    """The hit model ``name`` fitted to one kind's ``frames`` (its alarm ``threshold`` sets the ordinal
    model's hit runs), with ``model`` set to the model's name (``hazard`` for every hazard candidate).
    ``alarms``: pixel mode's credited first alarm per offender (s, by group) and its k-of-n rule, which the
    ``hazard`` model is fitted to.

    Each is fitted with its size term at a reference inside the data (:func:`data_reference`) and moved to
    ``reference_pixels`` after (:func:`at_reference`): the same model, but the fits' small ridge penalties
    act on the intercepts at the reference, which far outside the data (the analysed heights of a 320-px
    frame, 0.4-2.8 px, against 10 px) are large and tied to the slope; fitted there, the result would
    depend on the file's reference."""
    centre = data_reference(frames)
    return at_reference(_fit_at(name, frames, centre, threshold, spells, alarms), centre, reference_pixels)


def data_reference(frames: pd.DataFrame) -> float:
    """A reference size inside ``frames``' pixel heights: the power of 2 nearest their median, px."""
    return float(2.0 ** np.round(np.median(np.log2(np.maximum(frames["pixels"].to_numpy(float), 1e-9)))))


def at_reference(fit: dict, fitted_at: float, reference_pixels: float) -> dict:
    """``fit``'s terms with its size terms' reference moved from ``fitted_at`` to ``reference_pixels`` (px):
    every intercept at the reference size (the score model's, the alarm rates' per age bin, the never-scored
    share's logit, the never-found log odds) gains its size slope (an age bin's own, if they differ by age) ·
    log2(reference_pixels / fitted_at); the model is the same."""
    shift = float(np.log2(reference_pixels / fitted_at))
    moved = dict(fit)
    moved["intercept"] = fit["intercept"] + fit["size_slope"] * shift
    share, slope = fit.get("never_share", 0.0), fit.get("never_size_slope", 0.0)
    if 0.0 < share < 1.0 and slope != 0.0:
        moved["never_share"] = float(sigmoid(logit(share) + slope * shift))
    if "alarm_hazard" in fit:
        rates = dict(fit["alarm_hazard"])
        if rates.get("never_log_odds") is not None:
            rates["never_log_odds"] += rates.get("never_size_slope", 0.0) * shift
        by_age = rates.get("size_slope_by_age") or [0.0] * len(rates["age_log_rates"])
        slopes = rates["size_slope"] + np.asarray(by_age)
        rates["age_log_rates"] = [
            float(r + slope * shift) for r, slope in zip(rates["age_log_rates"], slopes, strict=True)
        ]
        moved["alarm_hazard"] = rates
    return moved


def _fit_at(
    name: str,
    frames: pd.DataFrame,
    reference_pixels: float,
    threshold: float,
    spells,
    alarms: tuple[pd.Series, int, int] | None,
) -> dict:
    """:func:`fit_model` at ``reference_pixels`` as given."""
    if is_hazard(name):
        if alarms is None:
            raise ValueError("the hazard model is fitted to pixel mode's alarms: none given")
        detected, k, n = alarms
        _, smoothing, crowd, size_by_age, frailty, never = _hazard_parts(name)
        terms = (hazard_roughness(name), crowd, smoothing, size_by_age, frailty, never)
        return fit_alarm_hazard(frames, reference_pixels, detected, threshold, k, n, *terms) | {
            "model": "hazard"
        }
    if name == "acquisition":
        fit = fit_acquisition_model(frames, reference_pixels)
    elif name == "ordinal":
        fit = fit_detectability(frames, reference_pixels, spells=spells)
        # Runs at the alarm's threshold: those decide when k of n hits come together.
        fit["hit_run_s"], fit["hit_run_odds_exponent"] = fit_hit_run_scaling(frames, threshold)
    else:
        raise ValueError(f"no detection model {name!r} (known: {', '.join(MODELS)})")
    return fit | {"model": name}


def candidate_log_likelihood(
    calibration: Calibration, kind: Kind, frames: pd.DataFrame, alarms: tuple[pd.Series, float]
) -> float:
    """The log-likelihood by which candidates of one family are compared (on the held-out seeds; on the
    fitting seeds for the record): of the frames' scores (:func:`frame_log_likelihood`), or for a ``hazard``
    class of the offenders' first alarms (:func:`sim.calibration.alarm_hazard_fit.alarm_log_likelihood`;
    ``alarms``: pixel mode's credited first alarm per offender on those seeds and its threshold of
    ``kind``)."""
    block = calibration.classes[kind].alarm_hazard
    if block is None:
        return frame_log_likelihood(calibration, kind, frames)
    detected, threshold = alarms
    return alarm_log_likelihood(block, frames, calibration.reference_pixels, detected, threshold)


def frame_log_likelihood(calibration: Calibration, kind: Kind, frames: pd.DataFrame) -> float:
    """Log-likelihood of one kind's per-frame observations (:data:`sim.calibration.fit_inputs.
    OFFENDER_FRAME_COLUMNS`) under ``calibration``'s class of ``kind`` (module docstring); nan without
    frames."""
    if len(frames) == 0 or calibration.classes[kind].alarm_hazard is not None:
        return float("nan")  # the hazard model describes alarms, not the frames' scores
    data, visit, _, step = split_visits(frames)
    _, lower, upper, _, _ = score_design(data, calibration.reference_pixels, FIT_THRESHOLDS)
    eta = _locations(calibration, kind, data)
    spec = calibration.classes[kind]
    if spec.entry_acquisition is not None:
        chain = AcquisitionChain(spec, step, np.random.default_rng(0))
        return acquisition_log_likelihood(
            eta,
            lower,
            upper,
            visit,
            (chain.entry, chain.acquire, chain.lose, spec.never_share),
            chain.age_offsets[1:-1],
            (spec.offender_lasting_sd, spec.acquisition_sd),
        )
    offender, spell = offender_levels(data, spec.offender_spell_s)
    if spell is not None and spec.offender_lasting_sd <= 0:  # one level: the spells
        offender, spell = spell, None
    sds = (spec.offender_sd,) if spell is None else (spec.offender_lasting_sd, spec.offender_sd)
    model = DetectionModel(calibration, 0.5, Weather.CLEAR)
    first = data.groupby(offender, sort=True)["pixels"].first().to_numpy(float)
    never = np.array([model.never_probability(kind, p) for p in first])
    return nested_log_likelihood(eta, lower, upper, offender, spell, sds, never)


def _locations(calibration: Calibration, kind: Kind, data: pd.DataFrame) -> np.ndarray:
    """Each frame's η (logit) under ``calibration``: size, light and its weather (statistical mode's
    :meth:`sim.sensing.detection_model.DetectionModel.eta`)."""
    eta = np.empty(len(data))
    weather = data["weather"].astype(str).to_numpy()
    pixels, light = data["pixels"].to_numpy(float), data["light"].to_numpy(int)
    for value in np.unique(weather):
        rows = weather == value
        model = DetectionModel(calibration, 0.5, Weather(value))
        eta[rows] = model.eta(kind, pixels[rows], light[rows])
    return eta
