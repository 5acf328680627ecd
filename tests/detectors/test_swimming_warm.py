"""The swimming detector's ``warm_only`` rule for thermal cameras: only foreground warmer than the
background model's mean counts, so a cold thing swaying on warmer water (reeds at night) is not a blob."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.base import FrameContext
from detectors.stroke import WINDOW_S
from detectors.swimming import SwimmingDetector

FPS = 15.0
WATER, COLD, WARM = 100, 60, 140
"""Grey levels (a thermal camera's: brighter is warmer) of the water, a reed and a swimmer's head and arms."""


def thermal_scores(grey: int, warm_only: bool, seconds: float = 16.0, arrive_s: float = 6.0) -> list[float]:
    """Best score per frame after arrival of a blob of level ``grey`` on noisy grey water (10 px per metre),
    drifting at 0.15 m/s with an arm rising and falling at the stroke rate (the rhythm the cue accepts)."""
    shape = (120, 240)
    water = np.ones(shape, bool)
    context = FrameContext(
        water, np.zeros(shape, bool), water.copy(), np.zeros(shape, bool), np.full(shape[0], 10.0), FPS
    )
    detector = SwimmingDetector(cue="stroke", warm_only=warm_only)
    rng = np.random.default_rng(5)
    best = []
    for k in range(round(seconds * FPS)):
        t = k / FPS
        level = np.clip(WATER + rng.normal(0.0, 3.0, shape), 0, 255).astype(np.uint8)
        if t >= arrive_s:
            drift = round(1.5 * (t - arrive_s))
            arm = round(6 * abs(np.sin(2 * np.pi * t / 1.4)))
            level[70 - arm : 75, 60 + drift : 69 + drift] = grey
        detections = detector.update(np.repeat(level[..., None], 3, axis=2), t, context)
        if t >= arrive_s:
            best.append(float(detections.confidence.max(initial=0.0)))
    return best


@pytest.mark.parametrize("warm_only", [False, True])
def test_warm_only_keeps_a_warm_swimmer(warm_only):
    settled = round(WINDOW_S * FPS)
    assert np.mean(np.array(thermal_scores(WARM, warm_only)[settled:]) >= 0.5) > 0.8


def test_a_cold_rhythmic_blob_is_a_swimmer_to_the_plain_detector_and_nothing_with_warm_only():
    settled = round(WINDOW_S * FPS)
    assert np.mean(np.array(thermal_scores(COLD, warm_only=False)[settled:]) >= 0.5) > 0.8
    assert max(thermal_scores(COLD, warm_only=True)) == 0.0


def test_warm_only_must_be_a_boolean():
    assert not SwimmingDetector().warm_only
    with pytest.raises(ValueError, match="warm_only must be true or false"):
        SwimmingDetector(warm_only="yes")
