"""The detector's evidence window: how long into a visit before it can score at all (``evidence_s``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.fit_inputs import FIT_THRESHOLDS, split_visits

EVIDENCE_QUANTILE = 0.1
"""Quantile of the first-score age over visits taken as the detector's evidence window
(:func:`fit_evidence_window`)."""


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
    return evidence_window_of_visits(*split_visits(frames), threshold, quantile)


def evidence_window_of_visits(
    data: pd.DataFrame,
    visit: np.ndarray,
    age: np.ndarray,
    step: float,
    threshold: float = min(FIT_THRESHOLDS),
    quantile: float = EVIDENCE_QUANTILE,
) -> float:
    """:func:`fit_evidence_window` of frames already split into visits
    (:func:`sim.calibration.fit_inputs.split_visits`)."""
    scored = data["score"].to_numpy() > threshold
    if not scored.any():
        return 0.0
    first = pd.Series(age[scored]).groupby(visit[scored]).min()
    return float(np.floor(float(first.quantile(quantile)) / step + 1e-6) * step)
