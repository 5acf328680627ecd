"""The per-frame hit model's pieces: runs of hits (a two-state chain), the k-of-n alarm rule, and the chunks
a view's frames are drawn in (:mod:`sim.sensing.statistical` draws them)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

_FIRST_CHUNK_FRAMES = 64
_MAX_CHUNK_FRAMES = 65_536


def first_k_of_n(hits: np.ndarray, k: int, n: int) -> int:
    """Index of the first observation at which ``k`` of the last ``n`` are hits, or -1."""
    counts = np.cumsum(hits, dtype=np.int64)
    window = counts.copy()
    window[n:] -= counts[:-n]
    found = np.flatnonzero(window >= k)
    return int(found[0]) if len(found) else -1


def chained_hits(
    uniforms: np.ndarray, p: np.ndarray, run_frames: np.ndarray | float, holding: bool
) -> np.ndarray:
    """Hits of a two-state (Gilbert–Elliott) chain with per-frame hit probability ``p`` in steady state.

    A hit ends with probability b = 1 / ``run_frames`` per frame (mean run of hits: a detector
    holding its track; a number, or one per frame) and starts with a = b·p / (1 − p), so the
    chain's stationary hit probability is a / (a + b) = p. Where p > 1 − b the chain would need
    a > 1 − b; there b = 1 − p and a = p instead, i.e. independent frames (``run_frames`` = 1 is
    the independent case everywhere). One uniform per frame decides both moves (hit iff u < a after a miss,
    u < 1 − b after a hit) and both bounds grow with p, so a lower threshold never loses a hit
    (common random numbers across thresholds). ``holding``: the frame before was a hit.

    Vectorised: the chain is in a hit at frame t iff its last start (u < a) came after its last
    break (u >= 1 − b); a start implies no break, as a <= 1 − b.
    """
    b = np.minimum(1.0 / np.maximum(run_frames, 1.0), 1.0 - p)
    start = uniforms < np.where(p < 1.0, b * p / np.maximum(1.0 - p, 1e-300), 1.0)
    broken = uniforms >= 1.0 - b
    index = np.arange(len(uniforms))
    last_start = np.maximum.accumulate(np.where(start, index, -1 if holding else -3))
    last_break = np.maximum.accumulate(np.where(broken, index, -2))
    return last_start > last_break


def chunks(times: np.ndarray) -> Iterator[np.ndarray]:
    """``times`` in consecutive chunks, the first of :data:`_FIRST_CHUNK_FRAMES`, each twice the one before
    up to :data:`_MAX_CHUNK_FRAMES`: an alarm early in a view costs few draws, a long view few calls."""
    start, size = 0, _FIRST_CHUNK_FRAMES
    while start < len(times):
        yield times[start : start + size]
        start, size = start + size, min(2 * size, _MAX_CHUNK_FRAMES)


def next_true(flags: np.ndarray, start: int) -> int:
    """Index of the first true flag at or after ``start``, or len(flags)."""
    found = np.flatnonzero(flags[start:])
    return start + int(found[0]) if len(found) else len(flags)
