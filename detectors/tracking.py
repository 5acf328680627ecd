"""Multi-object tracking of blob detections: ids that persist from frame to frame.

Background subtraction yields unlabelled blobs in every frame; :class:`Tracker`
links them over time so that later stages can ask how long an object has been
seen and how fast it moves (a swimmer drifts, an angler stands still, a bird
crosses the frame in a second).

The method is SORT (Bewley et al. 2016, "Simple Online and Realtime
Tracking") without its Kalman filter, with greedy assignment in place of the
Hungarian algorithm (as in CenterTrack, Zhou et al. 2020):

1. each live track predicts its box at the new time from a constant velocity,
   estimated over its last ``velocity_window`` centres;
2. a track-detection pair costs ``iou_weight · (1 − IoU) + (1 − iou_weight) ·
   distance / gate`` (IoU of the predicted box, centre distance in px); pairs
   whose centres lie farther apart than the gate are never matched;
3. pairs are taken in order of increasing cost (ties: lower track id, then
   lower detection index), each track and detection at most once;
4. unmatched detections start new tracks (ids 1, 2, ... in detection order,
   never reused); unmatched tracks count a miss and are dropped after more
   than ``max_missed`` consecutive misses.

Runs are deterministic: the same detections at the same times give the same ids.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from .base import Detections


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n, m) intersection over union of boxes ``a`` (n, 4) and ``b`` (m, 4), xyxy in px.

    Pairs whose union has no area (degenerate boxes) get 0, never NaN.
    """
    a = _as_boxes(a, "a")
    b = _as_boxes(b, "b")
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    intersection = np.prod(np.clip(bottom_right - top_left, 0.0, None), axis=2)
    area_a = np.prod(np.clip(a[:, 2:] - a[:, :2], 0.0, None), axis=1)
    area_b = np.prod(np.clip(b[:, 2:] - b[:, :2], 0.0, None), axis=1)
    union = area_a[:, None] + area_b[None, :] - intersection
    iou = np.zeros_like(union)
    np.divide(intersection, union, out=iou, where=union > 0)
    return iou


def _as_boxes(boxes: np.ndarray, name: str) -> np.ndarray:
    array = np.asarray(boxes, dtype=np.float64)
    if array.size == 0:
        return np.zeros((0, 4))
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(f"{name} must be an (n, 4) array of x0, y0, x1, y1, got shape {array.shape}")
    return array


def greedy_assignment(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of pairs taken by increasing finite cost, each row and column at most once.

    Ties are broken by row, then column, so the result is deterministic. Infinite
    costs mark forbidden pairs.
    """
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2:
        raise ValueError(f"cost must be a 2-D matrix, got shape {cost.shape}")
    rows, cols = np.nonzero(np.isfinite(cost))
    order = np.lexsort((cols, rows, cost[rows, cols]))
    row_used = np.zeros(cost.shape[0], bool)
    col_used = np.zeros(cost.shape[1], bool)
    pairs = []
    for k in order:
        row, col = rows[k], cols[k]
        if not row_used[row] and not col_used[col]:
            row_used[row] = col_used[col] = True
            pairs.append((row, col))
    matched = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return matched[:, 0], matched[:, 1]


@dataclass(frozen=True)
class TrackState:
    """A snapshot of one track after the latest :meth:`Tracker.update`."""

    track_id: int
    """The id written into ``Detections.tracker_id``; ids start at 1."""
    class_id: int
    """Class of the latest matched detection."""
    first_t: float
    """Time of the first detection, s."""
    last_t: float
    """Time of the latest matched detection, s."""
    hits: int
    """Frames in which the track was matched (its first frame included)."""
    missed: int
    """Consecutive frames, up to now, in which it was not matched."""
    age_frames: int
    """Updates since the track was created, its first frame included."""
    xyxy: tuple[float, float, float, float]
    """Box of the latest matched detection, px."""
    history: tuple[tuple[float, float, float], ...]
    """(t s, x px, y px) of recent matched box centres, oldest first (bounded length)."""
    confirmed: bool
    """True once ``hits`` reached the tracker's ``min_hits``; stays true."""

    @property
    def centre(self) -> tuple[float, float]:
        """Centre of the latest box, px."""
        return (0.5 * (self.xyxy[0] + self.xyxy[2]), 0.5 * (self.xyxy[1] + self.xyxy[3]))

    @property
    def speed_px_per_s(self) -> float | None:
        """Net centre displacement over the history span divided by that span, px/s.

        Net displacement (not path length) so that centroid jitter of a still
        object does not add up to speed. None with fewer than two centres.
        """
        if len(self.history) < 2:
            return None
        (t0, x0, y0), (t1, x1, y1) = self.history[0], self.history[-1]
        return math.hypot(x1 - x0, y1 - y0) / (t1 - t0)


class _Track:
    """Mutable state of one live track (internal; callers see :class:`TrackState`)."""

    def __init__(self, track_id: int, xyxy: np.ndarray, class_id: int, t: float, history_length: int):
        self.track_id = track_id
        self.class_id = class_id
        self.first_t = self.last_t = t
        self.xyxy = xyxy
        self.hits = self.age_frames = 1
        self.missed = 0
        self.confirmed = False
        self.history: deque[tuple[float, float, float]] = deque(maxlen=history_length)
        self._record(t)

    def _record(self, t: float) -> None:
        self.history.append((t, 0.5 * (self.xyxy[0] + self.xyxy[2]), 0.5 * (self.xyxy[1] + self.xyxy[3])))

    def hit(self, xyxy: np.ndarray, class_id: int, t: float) -> None:
        self.xyxy, self.class_id, self.last_t = xyxy, class_id, t
        self.hits += 1
        self.age_frames += 1
        self.missed = 0
        self._record(t)

    def miss(self) -> None:
        self.missed += 1
        self.age_frames += 1

    def predicted_box(self, t: float, velocity_window: int) -> np.ndarray:
        """The latest box moved at the velocity of the last ``velocity_window`` centres to time t."""
        k = min(velocity_window, len(self.history))
        if k < 2:
            return self.xyxy
        (t0, x0, y0), (t1, x1, y1) = self.history[-k], self.history[-1]
        shift = np.array([x1 - x0, y1 - y0]) * (t - self.last_t) / (t1 - t0)
        return self.xyxy + np.tile(shift, 2)

    def snapshot(self) -> TrackState:
        return TrackState(
            track_id=self.track_id,
            class_id=self.class_id,
            first_t=self.first_t,
            last_t=self.last_t,
            hits=self.hits,
            missed=self.missed,
            age_frames=self.age_frames,
            xyxy=tuple(float(v) for v in self.xyxy),
            history=tuple(self.history),
            confirmed=self.confirmed,
        )


class Tracker:
    """Gives detections persistent ids over the frames of one camera (see the module docstring)."""

    def __init__(
        self,
        *,
        max_distance_px: float = 40.0,
        gate_box_scale: float = 1.0,
        iou_weight: float = 0.5,
        max_missed: int = 5,
        min_hits: int = 3,
        velocity_window: int = 5,
        history_length: int = 64,
    ) -> None:
        """
        Args:
            max_distance_px: smallest gate, px: a detection whose centre lies farther than the gate
                from a track's predicted centre never joins that track.
            gate_box_scale: the gate grows to this multiple of the predicted box diagonal for big
                (near) objects: gate = max(max_distance_px, gate_box_scale × diagonal), px. 0 keeps it fixed.
            iou_weight: weight in [0, 1] of (1 − IoU) in the cost; the rest weighs distance / gate.
            max_missed: consecutive unmatched frames a track survives; one more drops it.
            min_hits: matched frames (the first included) before a track is confirmed.
            velocity_window: recent centres used to estimate the velocity that predicts a track's box;
                1 disables prediction.
            history_length: centres kept per track (for :attr:`TrackState.speed_px_per_s`).
        """
        if not max_distance_px > 0:
            raise ValueError(f"max_distance_px must be > 0 px, got {max_distance_px}")
        if not gate_box_scale >= 0:
            raise ValueError(f"gate_box_scale must be >= 0, got {gate_box_scale}")
        if not 0 <= iou_weight <= 1:
            raise ValueError(f"iou_weight must lie in [0, 1], got {iou_weight}")
        for name, value, least in (
            ("max_missed", max_missed, 0),
            ("min_hits", min_hits, 1),
            ("velocity_window", velocity_window, 1),
            ("history_length", history_length, 2),
        ):
            if not isinstance(value, int | np.integer) or value < least:
                raise ValueError(f"{name} must be an integer >= {least}, got {value!r}")
        self.max_distance_px = float(max_distance_px)
        self.gate_box_scale = float(gate_box_scale)
        self.iou_weight = float(iou_weight)
        self.max_missed = int(max_missed)
        self.min_hits = int(min_hits)
        self.velocity_window = int(velocity_window)
        self.history_length = int(history_length)
        self.reset()

    def reset(self) -> None:
        """Drop every track and restart ids at 1."""
        self._tracks: dict[int, _Track] = {}
        self._next_id = 1
        self._last_t: float | None = None

    @property
    def tracks(self) -> dict[int, TrackState]:
        """Snapshots of the live tracks by id, in increasing id order."""
        return {track_id: track.snapshot() for track_id, track in self._tracks.items()}

    def update(self, detections: Detections, t: float) -> Detections:
        """The detections of the frame at time ``t`` (s, increasing) with ``tracker_id`` filled.

        Every detection gets an id, new tracks included; use :attr:`tracks` to
        keep only confirmed ones.
        """
        t = float(t)
        if not math.isfinite(t):
            raise ValueError(f"t must be a finite time in s, got {t}")
        if self._last_t is not None and t <= self._last_t:
            raise ValueError(f"t must increase from update to update: got {t} s after {self._last_t} s")
        self._last_t = t
        tracks = list(self._tracks.values())
        ids = np.full(len(detections), -1, np.int64)
        matched: set[int] = set()
        if tracks and len(detections):
            predicted = np.array([track.predicted_box(t, self.velocity_window) for track in tracks])
            rows, cols = greedy_assignment(self._cost(predicted, detections.xyxy))
            for row, col in zip(rows, cols, strict=True):
                tracks[row].hit(detections.xyxy[col].copy(), int(detections.class_id[col]), t)
                ids[col] = tracks[row].track_id
                matched.add(int(row))
        for row, track in enumerate(tracks):
            if row not in matched:
                track.miss()
                if track.missed > self.max_missed:
                    del self._tracks[track.track_id]
        for index in np.flatnonzero(ids < 0):
            track = _Track(
                self._next_id,
                detections.xyxy[index].copy(),
                int(detections.class_id[index]),
                t,
                self.history_length,
            )
            self._tracks[track.track_id] = track
            ids[index] = track.track_id
            self._next_id += 1
        for track in self._tracks.values():
            track.confirmed = track.confirmed or track.hits >= self.min_hits
        return Detections(detections.xyxy, detections.confidence, detections.class_id, ids)

    def _cost(self, predicted: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """(tracks, detections) association cost; inf beyond the gate."""
        iou = box_iou(predicted, boxes)
        predicted_centres = 0.5 * (predicted[:, :2] + predicted[:, 2:])
        centres = 0.5 * (boxes[:, :2] + boxes[:, 2:])
        distance = np.linalg.norm(predicted_centres[:, None, :] - centres[None, :, :], axis=2)
        diagonal = np.hypot(predicted[:, 2] - predicted[:, 0], predicted[:, 3] - predicted[:, 1])
        gate = np.maximum(self.max_distance_px, self.gate_box_scale * diagonal)[:, None]
        cost = self.iou_weight * (1.0 - iou) + (1.0 - self.iou_weight) * distance / gate
        cost[distance > gate] = np.inf
        return cost
