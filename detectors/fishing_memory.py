"""What the fishing detector remembers about one track between frames (:class:`TrackMemory`).

*Dwell*: each track has an anchor, where its feet have stood since it last moved; feet farther than the
still radius from it for :data:`PATIENCE_S` set a new anchor there (a single bad frame does not).
*Evidence*: the shape and gear evidence of its recent frames, of which the detector scores the best shape
and the :data:`GEAR_QUANTILE` quantile of gear (step 3 and 5 of the pipeline in :mod:`detectors.fishing`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

PATIENCE_S = 1.0
"""A track has moved once its feet stay away from their anchor this long, s (a frame or two of a bad
body box does not restart the dwell; a walker at 1 m/s has moved after about 1.75 s)."""
GEAR_QUANTILE = 0.75
"""The gear factor is this quantile of the per-frame gear evidence of the last ``memory_s``."""


@dataclass
class TrackMemory:
    """What the detector remembers about one track between frames."""

    anchor: tuple[float, float]
    """Feet position (px) where the track has stood since it last moved."""
    anchor_t: float
    """Time it arrived there, s."""
    away_since: float | None = None
    """Time since when its feet have been farther than the still radius from the anchor, s."""
    evidence: deque = field(default_factory=deque)
    """(t, shape, gear, box of the gear segments or None) of recent frames."""
    last_seen: float = 0.0
    wet: deque = field(default_factory=deque)
    """(t, whether the body stood in the water) of recent frames (only with ``dry_feet``)."""

    def dwell(self, feet: tuple[float, float], t: float, radius: float, dwell_s: float) -> float:
        """Seen with its feet at ``feet`` (px) at time ``t`` (s): move the anchor if it has moved (feet
        farther than ``radius`` px for :data:`PATIENCE_S`), and return the time at the anchor over
        ``dwell_s`` (s), capped at 1."""
        if math.hypot(feet[0] - self.anchor[0], feet[1] - self.anchor[1]) <= radius:
            self.away_since = None
        elif self.away_since is None:
            self.away_since = t
        elif t - self.away_since >= PATIENCE_S:  # it has moved: a new anchor where it is now
            self.anchor, self.anchor_t, self.away_since = feet, t, None
        self.last_seen = t
        return min(1.0, (t - self.anchor_t) / dwell_s)

    def remember(self, t: float, shape: float, gear: float, segments, memory_s: float) -> tuple[float, float]:
        """Add this frame's shape and gear evidence (and the box of its gear segments or None), forget
        frames older than ``memory_s`` (s); return the shape and gear factors of the recent frames."""
        self.evidence.append((t, shape, gear, segments))
        while self.evidence[0][0] < t - memory_s:
            self.evidence.popleft()
        shape = max(item[1] for item in self.evidence)
        # Gear seen in at least a quarter of the recent frames: through a cast, but not from one stray frame.
        gear = float(np.quantile([item[2] for item in self.evidence], GEAR_QUANTILE, method="higher"))
        return shape, gear

    def wading(self, t: float, wet: bool, memory_s: float) -> float:
        """Add whether the body stood in the water at time ``t`` (s), forget frames older than ``memory_s``
        (s); return the share of the recent frames in which it did."""
        self.wet.append((t, wet))
        while self.wet[0][0] < t - memory_s:
            self.wet.popleft()
        return sum(item[1] for item in self.wet) / len(self.wet)

    def gear_box(self, gear: float):
        """Box of the gear segments (px, or None) of the latest frame whose gear evidence reached ``gear``."""
        return next(item[3] for item in reversed(self.evidence) if item[2] >= gear)
