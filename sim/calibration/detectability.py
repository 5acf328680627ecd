"""How visible offenders are to a detector: statistical mode's hit model fitted to pixel mode's scores.

Statistical mode (:mod:`sim.sensing.statistical`) models a frame's hit as score > τ with
logit(score) ~ Logistic(η, 1), η = intercept + slope · log2(pixels / reference)
+ light + weather. The fits here take per-frame observations of real
offenders (:data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS`: their projected pixel height,
light, weather and the best score the detector gave them, 0 if none) and estimate η's coefficients by
maximum likelihood over several thresholds at once, −logit τ entering as a known offset: with offender
offsets (:func:`fit_hit_model`, the GLMM of :mod:`sim.calibration.glmm`; :func:`fit_detectability` picks
the spell) or with an acquired / not-acquired chain (:func:`fit_acquisition_model`, the HMM of
:mod:`sim.calibration.hmm`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.evidence_window import evidence_window_of_visits
from sim.calibration.fit_inputs import (
    FIT_THRESHOLDS,
    MIN_SIZE_SLOPE,
    condition_offsets,
    score_design,
    split_visits,
)
from sim.calibration.glmm import OrdinalFit, fit_ordinal_nested
from sim.calibration.hmm import fit_acquisition_hmm

MAX_FIT_FRAMES = 20_000
"""Longer observation tables are thinned to every k-th frame (neighbouring frames carry little more)."""

OFFSET_NODES = 0
"""Adaptive Gauss–Hermite nodes for the acquisition model's lasting offset; 0: none. With 5 nodes the
offset wins about 2,070 log-likelihood units on the 300-s agreement runs and brings the detection rate
within 4 points, but makes the median time to detect 2.1-2.6 times pixel mode's (docs/detectors.md),
and its EM needs hundreds of iterations (minutes)."""

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

    First the detector's evidence window (``evidence_s``,
    :func:`sim.calibration.evidence_window.fit_evidence_window`): frames inside it are left out of the fit,
    as statistical mode gives them no chance of a hit.
    """
    data, visit, age, step = split_visits(frames)
    evidence = evidence_window_of_visits(data, visit, age, step)
    seen = data[age >= evidence - 1e-9]  # nothing can score inside the evidence window: no news on η there
    designs = [_HitDesign(seen, reference_pixels, thresholds, spell) for spell in spells]
    fits = [design.fit(never=True) for design in designs]
    # Spells alone, integrated with the outer (finer) rule: the nested fit's coarser inner rule can lose
    # more to quadrature error than a lasting offset wins (no never-scored share: that is per offender).
    # Each design's spells-only fit is made once: the nested fit's EM started from it.
    fits += [design.fit(lasting=False) for design in designs if design.spell_s > 0]
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
    return _HitDesign(frames, reference_pixels, thresholds, spell_s, iterations).fit(never, lasting)


class _HitDesign:
    """One table of frames made ready for :func:`fit_hit_model` at one spell: thinned to
    :data:`MAX_FIT_FRAMES`, its ordinal design and offender (and spell) labels. The spells-only fit is
    made at most once: it is a candidate model of its own and the start of the two-level model's EM."""

    def __init__(
        self, frames: pd.DataFrame, reference_pixels: float, thresholds, spell_s: float, iterations: int = 500
    ):
        if len(frames) == 0:
            raise ValueError("no offender was ever in view: nothing to calibrate")
        self.data = frames.iloc[:: -(-len(frames) // MAX_FIT_FRAMES)]
        self.x, self.lower, self.upper, self.lights_seen, self.weathers_seen = score_design(
            self.data, reference_pixels, thresholds
        )
        self.offender, self.spell = offender_levels(self.data, spell_s)
        self.reference_pixels, self.spell_s, self.iterations = reference_pixels, spell_s, iterations
        self._spells_only: OrdinalFit | None = None

    def spells_only(self) -> OrdinalFit:
        """The spells-only model's EM fit (spells as the one level), made once."""
        if self._spells_only is None:
            self._spells_only = fit_ordinal_nested(
                self.x, self.lower, self.upper, self.spell, None, self.iterations
            )
        return self._spells_only

    def fit(self, never: bool = False, lasting: bool = True) -> dict:
        """:func:`fit_hit_model`'s result on this design."""
        offender, spell, start, made = self.offender, self.spell, None, None
        if spell is not None and not lasting:
            if never:  # a spell-level structural zero: not sim.sensing.statistical's model
                raise ValueError(
                    "offenders never scored (never=True) need the lasting level when spell_s > 0"
                )
            offender, spell = spell, None  # one level: the spells are the groups, nothing lasts longer
            made = self.spells_only()  # this very model, fitted once
        elif spell is not None:  # EM from the spells-only optimum: from its default start it can end poorer
            start = self.spells_only()
        options = {"never": never, "never_x": _never_design(self.data, offender, self.reference_pixels)}
        design = (self.x, self.lower, self.upper, offender, spell, self.iterations)
        fit, beta = _fit_nested_with_slope_floor(*design, start, options, made)
        return _hit_model_entry(fit, beta, spell is not None, self.spell_s) | condition_offsets(
            beta, self.lights_seen, self.weathers_seen
        )


def offender_levels(data: pd.DataFrame, spell_s: float) -> tuple[np.ndarray, np.ndarray | None]:
    """Each frame's offender label and, with ``spell_s`` > 0, its spell label (None without spells): a
    spell is a ``spell_s``-long stretch since the offender's first frame."""
    keys = data["group"].astype(str)
    if spell_s > 0:
        since = data["t"] - data.groupby("group")["t"].transform("min")
        keys = keys + "/" + (since // spell_s).astype(int).astype(str)
    offender = pd.factorize(data["group"].astype(str))[0]
    spell = pd.factorize(keys)[0] if spell_s > 0 else None
    return offender, spell


def _never_design(data: pd.DataFrame, offender: np.ndarray, reference_pixels: float) -> np.ndarray:
    """Covariates of the never-scored share per offender (a row per label in ascending order): 1 and the
    log2 size at first sight, relative to ``reference_pixels``: structural zeros are the small ones."""
    first_pixels = data.groupby(offender, sort=True)["pixels"].first().to_numpy(float)
    return np.column_stack(
        [np.ones(len(first_pixels)), np.log2(np.maximum(first_pixels, 1e-3) / reference_pixels)]
    )


def _fit_nested_with_slope_floor(
    x: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    offender: np.ndarray,
    spell: np.ndarray | None,
    iterations: int,
    start: OrdinalFit | None,
    options: dict,
    made: OrdinalFit | None = None,
) -> tuple[OrdinalFit, np.ndarray]:
    """:func:`sim.calibration.glmm.fit_ordinal_nested` and its coefficients, refitted with the size slope
    held at :data:`sim.calibration.fit_inputs.MIN_SIZE_SLOPE` (a known offset) when it came out below.
    ``made``: that fit, already made (the slope's floor still applies)."""
    fit = made or fit_ordinal_nested(x, lower, upper, offender, spell, iterations, start=start, **options)
    beta = fit.beta
    if beta[1] < MIN_SIZE_SLOPE:
        # Bigger must not mean harder to see: refit with the slope held at its floor (a known offset).
        size = MIN_SIZE_SLOPE * x[:, 1]
        fit = fit_ordinal_nested(
            np.delete(x, 1, axis=1), lower - size, upper - size, offender, spell, iterations, **options
        )
        beta = np.insert(fit.beta, 1, MIN_SIZE_SLOPE)
    return fit, beta


def _hit_model_entry(fit: OrdinalFit, beta: np.ndarray, two_levels: bool, spell_s: float) -> dict:
    """The hit model's terms but the light and weather offsets. One level: the offender's offset lasts the
    whole visit (offender_sd, spell 0). Two: a lasting part plus offender_sd redrawn every spell."""
    return {
        "intercept": float(beta[0]),
        "size_slope": float(beta[1]),
        "offender_sd": fit.inner_sd if two_levels else fit.outer_sd,
        "offender_lasting_sd": fit.outer_sd if two_levels else 0.0,
        "offender_spell_s": float(spell_s),
        "never_share": fit.never_share,
        "never_size_slope": fit.never_coefficients[1] if fit.never_coefficients else 0.0,
        "log_likelihood": fit.log_likelihood,
    }


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
    data, visit, _, step = split_visits(frames)
    x, lower, upper, lights_seen, weathers_seen = score_design(data, reference_pixels, thresholds)
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
    } | condition_offsets(beta, lights_seen, weathers_seen)
