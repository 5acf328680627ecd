"""The stroke-rhythm cue of the swimming detector: the periodicity measure, the per-track meter, and the
detector on synthetic sequences (a blob that grows and shrinks at the stroke rate against a steady one)."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.base import FrameContext
from detectors.stroke import (
    FLOOR,
    MIN_WINDOW_S,
    STROKE_BAND_HZ,
    WINDOW_S,
    StrokeMeter,
    linear_quantile,
    stroke_periodicity,
)
from detectors.swimming import SwimmingDetector
from sim.render.sprites import SKIN

FPS = 15.0
STROKE_S = 1.4
"""The renderer's stroke cycle, s: two arm entries per cycle, so the height rhythm is at 2 / 1.4 Hz."""


def heights(seconds: float, rhythm_hz: float | None, rng: np.random.Generator, noise: float = 0.05):
    """Blob heights, m: a head (0.3 m) plus a recovering arm rising to 0.6 m ``rhythm_hz`` times a second
    (a steady blob if None), with measurement noise."""
    t = np.arange(round(seconds * FPS)) / FPS
    arm = 0.0 if rhythm_hz is None else 0.6 * np.abs(np.sin(np.pi * rhythm_hz * t))
    return 0.3 + arm + noise * rng.standard_normal(len(t))


def test_linear_quantile_is_numpys_to_the_bit():
    """Equal (==, not approximately) to numpy.quantile's default on short sequences with and without ties,
    at the stroke factor's quantiles, at both ends and where the interpolation weight is exactly 0.5."""
    rng = np.random.default_rng(1)
    for n in range(1, 60):
        for values in (rng.normal(0.4, 0.2, n), np.round(rng.random(n), 1), np.full(n, 0.3)):
            ordered = sorted(values.tolist())
            for q in (0.0, 0.1, 0.25, 0.5, 0.9, 0.97, 1.0):
                assert linear_quantile(ordered, q) == float(np.quantile(values, q)), (n, q)


def test_periodicity_matches_an_independent_periodogram():
    from scipy.signal import periodogram  # here: scipy.signal takes 0.4 s to import, at collection too

    rng = np.random.default_rng(0)
    for series in (heights(WINDOW_S, 2 / STROKE_S, rng), heights(WINDOW_S, None, rng), rng.random(30)):
        frequencies, power = periodogram(
            series, fs=FPS, window=np.hanning(len(series)), detrend="constant", scaling="spectrum"
        )
        if len(series) % 2 == 0:  # stroke_periodicity weighs every non-zero bin alike: undo the one-sided
            power[-1] *= 2  # doubling that scipy applies to all bins but 0 Hz and the Nyquist frequency
        band = (frequencies >= STROKE_BAND_HZ[0]) & (frequencies <= STROKE_BAND_HZ[1])
        expected = power[band].sum() / power[1:].sum()
        assert stroke_periodicity(series, FPS) == pytest.approx(expected, rel=1e-9)


def test_a_stroke_rhythm_is_periodic_and_steady_drifting_or_bobbing_blobs_are_not():
    rng = np.random.default_rng(1)
    # Stroke cycles of 1.0-1.8 s (33-60 per minute) fall in the band, with the window's leakage.
    for cycle_s in (1.0, STROKE_S, 1.8):
        assert stroke_periodicity(heights(WINDOW_S, 2 / cycle_s, rng), FPS) > 0.8
    assert stroke_periodicity(np.full(40, 0.5), FPS) == 0.0
    steady = [stroke_periodicity(heights(WINDOW_S, None, rng), FPS) for _ in range(200)]
    assert np.quantile(steady, 0.95) < 0.45  # white noise spreads over 0-7.5 Hz; the band holds a fifth
    drifting = 0.3 + np.linspace(0.0, 0.4, round(WINDOW_S * FPS))  # a blob that grows as it nears
    assert stroke_periodicity(drifting, FPS) < 0.05
    duck = 0.3 + 0.02 * np.sin(2 * np.pi * np.arange(round(WINDOW_S * FPS)) / FPS / 1.5)  # 1.5-s bob
    assert stroke_periodicity(duck, FPS) < 0.2


def test_periodicity_refuses_too_short_or_shapeless_input():
    with pytest.raises(ValueError, match="at least 4"):
        stroke_periodicity(np.ones(3), FPS)
    with pytest.raises(ValueError, match="1-D"):
        stroke_periodicity(np.ones((5, 2)), FPS)
    with pytest.raises(ValueError, match="fps"):
        StrokeMeter(0.0)


def test_meter_waits_for_its_window_then_scores_the_rhythm_and_forgets_lost_tracks():
    rng = np.random.default_rng(2)
    meter = StrokeMeter(FPS)
    swimmer, duck = heights(2 * WINDOW_S, 2 / STROKE_S, rng), heights(2 * WINDOW_S, None, rng)
    for k, (a, b) in enumerate(zip(swimmer, duck, strict=True)):
        if k + 1 < round(MIN_WINDOW_S * FPS):
            assert meter.factor(1) == FLOOR  # too young to tell
        meter.add(1, a)
        meter.add(2, b)
    assert meter.factor(1) == 1.0
    assert meter.factor(2) == FLOOR
    meter.keep_only({2})
    assert meter.factor(1) == FLOOR and meter.factor(2) == FLOOR


@pytest.mark.parametrize("swing_m", [0.1, 2.0])
def test_a_rhythm_smaller_or_larger_than_an_arm_is_not_a_stroke(swing_m):
    """A floating object whose edge toggles a pixel with the waves (0.1 m), or a blob merging with foam
    (metres), at the stroke rate: periodic, but not an arm's swing."""
    meter = StrokeMeter(FPS)
    for height in heights(WINDOW_S, 2 / STROKE_S, np.random.default_rng(4), noise=0.0) * swing_m / 0.6:
        meter.add(1, height)
    assert meter.factor(1) == FLOOR
    for height in heights(WINDOW_S, 2 / STROKE_S, np.random.default_rng(4), noise=0.0):  # a 0.6-m swing
        meter.add(1, height)
    assert meter.factor(1) == 1.0


def synthetic_context(shape=(120, 240), pixels_per_metre=10.0) -> FrameContext:
    water = np.ones(shape, bool)
    return FrameContext(
        water,
        np.zeros(shape, bool),
        water.copy(),
        np.zeros(shape, bool),
        np.full(shape[0], pixels_per_metre),
        FPS,
    )


def blob_scores(colour, seconds: float = 16.0, arrive_s: float = 6.0) -> tuple[list[float], list[float]]:
    """Scores of two blobs of the same colour, size and drift on noisy water (10 px per metre): one
    with a swimmer's arm rising and falling at the stroke rate, one steady. Per frame after arrival:
    (best score within the periodic blob's column range, best score within the steady one's)."""
    context = synthetic_context()
    detector = SwimmingDetector(cue="stroke")
    rng = np.random.default_rng(3)
    periodic, steady = [], []
    for k in range(round(seconds * FPS)):
        t = k / FPS
        frame = np.empty((*context.shape, 3), np.uint8)
        frame[:] = (110, 80, 40)
        frame[:] = np.clip(frame + rng.normal(0.0, 3.0, frame.shape), 0, 255).astype(np.uint8)
        if t >= arrive_s:
            drift = round(1.5 * (t - arrive_s))  # 0.15 m/s, as ducks and swimmers drift in the renderer
            arm = round(6 * abs(np.sin(2 * np.pi * t / STROKE_S)))  # up to 0.6 m, two entries a cycle
            frame[70 - arm : 75, 60 + drift : 69 + drift] = colour
            frame[70:75, 160 + drift : 169 + drift] = colour
        detections = detector.update(frame, t, context)
        if t >= arrive_s:
            x = detections.centres[:, 0] if len(detections) else np.zeros(0)
            periodic.append(float(detections.confidence[x < 120].max(initial=0.0)))
            steady.append(float(detections.confidence[x >= 120].max(initial=0.0)))
    return periodic, steady


@pytest.mark.parametrize("colour", [*SKIN, (128, 128, 128)], ids=["light", "medium", "dark", "grey"])
def test_detector_scores_the_stroke_rhythm_not_the_colour(colour):
    periodic, steady = blob_scores(colour)
    settled = round(WINDOW_S * FPS)
    # Once a full window has been seen, the periodic blob scores high in most frames and the steady one,
    # of the same colour, size and drift (which persistence, size and pace alone would accept), never does.
    assert np.mean(np.array(periodic[settled:]) >= 0.5) > 0.8
    assert max(steady) < 0.2
    # Not before its rhythm can be told: at most the floor of the stroke factor.
    assert max(periodic[: round(MIN_WINDOW_S * FPS) - 1]) <= FLOOR + 1e-9
