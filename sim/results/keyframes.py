"""A boat track thinned to its keyframes: a sample is dropped only where the straight line between its kept
neighbours passes within the tolerance of it and the state does not change, so linear interpolation of the
kept samples equals that of ``tracks.csv`` to within that tolerance (the replay page's boat columns)."""

from __future__ import annotations

import numpy as np

KEYFRAME_TOLERANCE_M = 0.05
"""How far a dropped track sample may lie from the line through its kept neighbours, m."""


def keyframes(
    t: np.ndarray, x: np.ndarray, y: np.ndarray, state: np.ndarray, tolerance_m: float
) -> np.ndarray:
    """Indices of the samples to keep (``t`` increasing): the ends, every state change, and enough others
    that interpolating the kept samples puts every sample within ``tolerance_m`` (m) of where it was.

    Starts from the samples off the line through their two neighbours, then adds every sample that the
    kept ones miss by more than the tolerance until none does (vectorised; two or three passes).
    """
    n = len(t)
    if n <= 2:
        return np.arange(n)
    keep = np.zeros(n, bool)
    keep[[0, -1]] = True
    changes = np.flatnonzero(state[1:] != state[:-1])
    keep[changes] = keep[changes + 1] = True
    share = (t[1:-1] - t[:-2]) / np.maximum(t[2:] - t[:-2], 1e-12)
    off = np.hypot(x[:-2] + share * (x[2:] - x[:-2]) - x[1:-1], y[:-2] + share * (y[2:] - y[:-2]) - y[1:-1])
    keep[1:-1] |= off > tolerance_m / 4
    while True:
        kept = np.flatnonzero(keep)
        miss = np.hypot(np.interp(t, t[kept], x[kept]) - x, np.interp(t, t[kept], y[kept]) - y)
        bad = miss > tolerance_m
        if not bad.any():
            return kept
        keep |= bad
