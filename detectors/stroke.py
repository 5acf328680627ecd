"""The swimming stroke as a rhythm in a track's blob height: a cue that does not depend on skin tone.

What it relies on (physics, not colour). In front crawl the arms recover above
the water and enter it alternately, two entries per stroke cycle; a recovering
arm reaches about 0.7 m above the surface, an entering hand throws up a splash,
and between entries only the head shows. Seen from the shore, the moving blob
of a swimmer therefore grows taller and shorter twice per cycle, at twice the
stroke rate. The band :data:`STROKE_BAND_HZ`, 0.9-2.2 Hz, holds that rhythm for
stroke cycles of 1.0-1.8 s (33-60 cycles per minute; an assumption for
recreational to fast front crawl, not a vetted figure) with the window's
leakage: a rectified sine at those cycles scores 0.89-0.95, at 2.0 s 0.58, at
0.8 s 0 (the renderer's swimmers stroke every 1.4 s, ``sim.render.actors.STROKE_S``). A duck
paddles under water and glides (its 2-cm bob is far below a pixel), debris
drifts: their blob heights change only with waves and noise, without a rhythm.

The measure, :func:`stroke_periodicity`: the share of the variance of the
track's blob heights over its last :data:`WINDOW_S` that lies in the stroke
band (Hann-windowed periodogram, mean removed). It is scale-free: a distant
swimmer whose arm adds 1-2 px scores like a near one, as long as the arm shows
at all. Where an arm is much thinner than a pixel (about 0.09 m wide: beyond
roughly 150 m at the 640-px analysis width), a real camera sees it blended into
the water and the rhythm fades; the renderer draws such arms a full pixel wide
(see docs/detectors.md, "What the detectors see"), so results beyond 150 m are
optimistic for this cue as for the others.

Measured (per-frame periodicity of the scored tracks whose persistence × size × pace is at least 0.3,
daylight, clear, ``run_sim.py tune`` clips of seeds 1 and 2, 40 clips × 60 s, all five cameras that see a
no-swimming area; seed 7 held out), over 5.6 s: swimmers of each of the three skin tones have medians of
0.78-0.80 and 75 % of frames above 0.66; ducks' frames lie at or below 0.41 in 99 % of cases, debris's
0.40, foreground blobs on open water (wave flicker) 0.46. Over 2.8 s the swimmers look the same but
flicker reaches 0.64 in 1 % of its frames (a 2.8-s window with a 1.4-s warm-up and bounds 0.3-0.6
raised 409 false alarms per camera-hour on 20 development clips of seed 3), hence the longer window and
the bounds :data:`RHYTHM_LOW` and :data:`RHYTHM_HIGH`. The rhythm fades with distance: beyond 200 m (arm
and splash 1-2 px at 640 px) the swimmers' median over 2.8 s falls from about 0.8 to 0.2-0.6.
"""

from __future__ import annotations

import math
from collections import deque
from functools import cache

import numpy as np

STROKE_BAND_HZ = (0.9, 2.2)
"""Frequencies of the height rhythm (two arm entries per stroke cycle), Hz."""
WINDOW_S = 5.6
"""The periodicity is measured over the track's last this many seconds (four 1.4-s cycles), s."""
MIN_WINDOW_S = 4.2
"""Before a track has been scored this long (three cycles, six arm entries), its rhythm is unknown, s."""
RHYTHM_LOW, RHYTHM_HIGH = 0.45, 0.65
"""The stroke factor rises from its floor to 1 as the periodicity rises from RHYTHM_LOW to RHYTHM_HIGH (see
the module docstring for the measurements)."""
FLOOR = 0.15
"""Stroke factor of a track without a swimmer's rhythm, or too young to tell."""
ARM_M = 0.65
"""Reach of an arm from the shoulder (typical adult; the renderer's), m."""
SWING_M = (0.25, 1.6 * ARM_M)
"""A stroke's swing of the blob height over the window (10 to 90 % quantile), m. The recovering arm lifts
the blob's top by up to an arm; seen from the shore, the swing of the renderer's swimmers' boxes at 68 and
135 m is 0.28-0.6 m (``tests/test_swimming.py`` clips), so at least 0.25 m; at most an arm and a half
with its splash. A floating object whose edge blends with the waves changes its height by a pixel (two
pieces of debris on development clips of seed 3, 96 and 163 m away: 0.18 and 0.30 m, the nearer one is
rejected); a blob that merges with wave foam now and then jumps by metres."""


def linear_quantile(ordered: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``ordered`` (sorted ascending, not empty), interpolated linearly between
    order statistics (Hyndman & Fan's 7th definition, ``numpy.quantile``'s default), with the same float
    operations as ``numpy.quantile`` (numpy 2.x ``_lerp``), so the same value to the bit, without its
    overhead on short sequences (most of a track's stroke factor's time)."""
    position = (len(ordered) - 1) * q
    below = math.floor(position)
    if below >= len(ordered) - 1:
        return ordered[-1]
    low, high = ordered[below], ordered[below + 1]
    weight, difference = position - below, high - low
    return high - difference * (1 - weight) if weight >= 0.5 else low + difference * weight


def stroke_periodicity(
    heights: np.ndarray, fps: float, band_hz: tuple[float, float] = STROKE_BAND_HZ
) -> float:
    """Share (0-1) of the variance of ``heights`` (a blob's height in successive frames, any unit) that lies
    in ``band_hz`` at ``fps`` frames per second: the Hann-windowed one-sided periodogram, mean removed, band
    bins over all non-zero bins (each weighed alike, the Nyquist bin of an even length included: a slight
    overweight of the highest frequency against a strict variance share); 0 for a constant sequence."""
    heights = np.asarray(heights, dtype=np.float64)
    if heights.ndim != 1 or len(heights) < 4:
        raise ValueError(f"heights must be a 1-D sequence of at least 4 values, got shape {heights.shape}")
    power = np.abs(np.fft.rfft((heights - heights.mean()) * _hann(len(heights)))) ** 2
    total = power[1:].sum()
    if total <= 1e-12 * max(1.0, float(np.square(heights).sum())):
        return 0.0
    return float(power[_band(len(heights), fps, band_hz)].sum() / total)


@cache
def _hann(length: int) -> np.ndarray:
    """The Hann window of ``length`` samples (read only: shared by every call)."""
    window = np.hanning(length)
    window.flags.writeable = False
    return window


@cache
def _band(length: int, fps: float, band_hz: tuple[float, float]) -> np.ndarray:
    """Which bins of a ``length``-sample one-sided periodogram at ``fps`` lie in ``band_hz`` (read only)."""
    frequencies = np.fft.rfftfreq(length, 1.0 / fps)
    in_band = (frequencies >= band_hz[0]) & (frequencies <= band_hz[1])
    in_band.flags.writeable = False
    return in_band


class StrokeMeter:
    """Per track, the recent blob heights and the stroke factor they give."""

    def __init__(self, fps: float):
        """``fps``: frames per second of the camera (the heights' sampling rate)."""
        if not fps > 0:
            raise ValueError(f"fps must be > 0, got {fps}")
        self.fps = float(fps)
        self.length = max(4, round(WINDOW_S * fps))
        self.min_length = max(4, round(MIN_WINDOW_S * fps))
        self._heights: dict[int, deque[float]] = {}

    def add(self, track_id: int, height_m: float) -> None:
        """Record the height (m) of ``track_id``'s blob in this frame."""
        self._heights.setdefault(track_id, deque(maxlen=self.length)).append(float(height_m))

    def factor(self, track_id: int) -> float:
        """In [FLOOR, 1]: how clearly the track's heights show a swimmer's stroke, an arm's swing at the
        stroke rhythm (FLOOR while too young to tell, or when the swing is not an arm's)."""
        heights = self._heights.get(track_id, ())
        if len(heights) < self.min_length:
            return FLOOR
        ordered = sorted(heights)
        low, high = linear_quantile(ordered, 0.1), linear_quantile(ordered, 0.9)
        if not SWING_M[0] <= high - low <= SWING_M[1]:
            return FLOOR
        rise = (stroke_periodicity(np.array(heights), self.fps) - RHYTHM_LOW) / (RHYTHM_HIGH - RHYTHM_LOW)
        return FLOOR + (1.0 - FLOOR) * min(1.0, max(0.0, rise))

    def keep_only(self, live: set[int] | dict) -> None:
        """Forget the tracks not in ``live`` (ids)."""
        for gone in self._heights.keys() - live:  # dict keys and sets take set differences alike
            del self._heights[gone]
