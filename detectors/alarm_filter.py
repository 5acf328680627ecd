"""k-of-n persistence per track: when do scored detections become an alarm?

The statistical mode draws the same rule (:mod:`sim.sensing.statistical`): an alarm is
raised for a track the first time ``k`` of its last ``n`` frames carried a
detection scoring at least ``threshold``. A track raises at most one alarm.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from detectors.base import Detections


@dataclass(frozen=True)
class TrackAlarm:
    """A track that has just met the persistence rule."""

    track_id: int
    t: float
    """Time of the frame that completed the rule, s."""
    xyxy: tuple[float, float, float, float]
    """Box in that frame, px."""
    score: float
    class_id: int


class AlarmFilter:
    """Applies the k-of-n rule to tracked detections, frame by frame."""

    def __init__(self, threshold: float, k: int, n: int):
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}")
        if not 1 <= k <= n:
            raise ValueError(f"need 1 <= k <= n, got k={k}, n={n}")
        self.threshold, self.k, self.n = threshold, k, n
        self.reset()

    def reset(self) -> None:
        self._hits: dict[int, deque[bool]] = {}
        self._alarmed: set[int] = set()

    def update(self, detections: Detections, t: float) -> list[TrackAlarm]:
        """Alarms completed in this frame. Tracks absent from the frame count a miss."""
        if len(detections) and (detections.tracker_id < 0).any():
            raise ValueError("the alarm filter needs tracked detections (tracker_id >= 0)")
        present = {}
        for i, track_id in enumerate(detections.tracker_id.tolist()):
            if detections.confidence[i] >= self.threshold:
                present[track_id] = i
        alarms = []
        for track_id in set(self._hits) | set(present):
            window = self._hits.setdefault(track_id, deque(maxlen=self.n))
            window.append(track_id in present)
            if track_id in present and track_id not in self._alarmed and sum(window) >= self.k:
                self._alarmed.add(track_id)
                i = present[track_id]
                box = tuple(float(v) for v in detections.xyxy[i])
                alarms.append(
                    TrackAlarm(track_id, t, box, float(detections.confidence[i]), int(detections.class_id[i]))
                )
            if not any(window):
                del self._hits[track_id]  # forgotten once it has missed n frames in a row
        return sorted(alarms, key=lambda alarm: alarm.track_id)
