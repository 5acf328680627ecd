"""Swimming detector: moving blobs on the water, of a swimmer's size and pace, tracked over time.

Pipeline: MOG2 foreground on the water (:mod:`detectors.background`), blobs
filtered by the size a swimmer has at that image row (from the context's
pixels per metre), tracked across frames (:mod:`detectors.tracking`) and
scored by

* persistence: the share of recent frames in which the track was seen
  (waves and glints flicker, a swimmer stays),
* size: how close the blob's extent is to a swimmer's (head, arms and the
  ring of disturbed water, about 1 m; ducks and debris are smaller, boats and wakes larger),
* pace: swimmers move at under about 1.5 m/s; boats and their wakes faster,
* skin: a swimmer shows skin; water is blue, glints, foam and wakes are
  unsaturated.

The score is the product, in [0, 1]. Only blobs whose water line lies in a
no-swimming area are reported.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from detectors.background import ForegroundModel
from detectors.base import ClassId, Detections, FrameContext, check_frame, register_detector
from detectors.tracking import Tracker

MAX_BLOBS = 60
"""At most this many foreground blobs per frame are considered (merging them is quadratic)."""


def merge_nearby(boxes: np.ndarray, pixels_per_metre: np.ndarray, gap_m: float) -> np.ndarray:
    """Union boxes closer than ``gap_m`` metres (at their rows) until none are: one swimmer's head,
    arm and splash become one box."""
    boxes = [list(b) for b in boxes]
    rows = len(pixels_per_metre)
    merged = True
    while merged and len(boxes) > 1:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                gap_px = gap_m * pixels_per_metre[min(rows - 1, int(max(a[3], b[3])) - 1)]
                dx = max(0.0, max(a[0], b[0]) - min(a[2], b[2]))
                dy = max(0.0, max(a[1], b[1]) - min(a[3], b[3]))
                if dx <= gap_px and dy <= gap_px:
                    boxes[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return np.array(boxes, dtype=np.float64).reshape(-1, 4)


@register_detector("swimming")
class SwimmingDetector:
    """Scores swimmers in no-swimming areas; see the module docstring."""

    def __init__(
        self,
        swimmer_size_m: float = 1.0,
        max_speed_mps: float = 1.6,
        persistence_s: float = 1.5,
        warmup_s: float = 4.0,
        history: int = 300,
        var_threshold: float = 30.0,
    ):
        """``swimmer_size_m``: typical visible extent (head and arms), m; ``max_speed_mps``: fastest swimming
        pace, m/s; ``persistence_s``: how long a track must be seen for full persistence, s; ``warmup_s``:
        frames before this are used only to learn the background, s; ``history``, ``var_threshold``: MOG2."""
        for name, value in (
            ("swimmer_size_m", swimmer_size_m),
            ("max_speed_mps", max_speed_mps),
            ("persistence_s", persistence_s),
        ):
            if not value > 0:
                raise ValueError(f"{name} must be > 0, got {value}")
        if warmup_s < 0:
            raise ValueError(f"warmup_s must be >= 0, got {warmup_s}")
        self.swimmer_size_m = swimmer_size_m
        self.max_speed_mps = max_speed_mps
        self.persistence_s = persistence_s
        self.warmup_s = warmup_s
        self.foreground = ForegroundModel(history=history, var_threshold=var_threshold)
        self.tracker = Tracker()
        self._t0: float | None = None
        self._water: np.ndarray | None = None

    def reset(self) -> None:
        self.foreground.reset()
        self.tracker.reset()
        self._t0 = None
        self._water = None

    def update(self, frame: np.ndarray, t: float, context: FrameContext) -> Detections:
        check_frame(frame, context)
        if self._water is None:
            # Keep off the shoreline, where sand, grass and water alternate under the waves.
            water = context.water.astype(np.uint8)
            self._water = cv2.erode(water, np.ones((5, 5), np.uint8)).astype(bool)
            self._t0 = t
        _, blobs = self.foreground.apply(frame, self._water)
        if t - self._t0 < self.warmup_s or len(blobs) == 0:
            self.tracker.update(Detections.empty(), t)
            return Detections.empty()
        xyxy = blobs.xyxy
        if len(xyxy) > MAX_BLOBS:  # a noisy frame (rain at night): keep the largest
            xyxy = xyxy[np.argsort(-blobs.area, kind="stable")[:MAX_BLOBS]]
        boxes = merge_nearby(xyxy, context.pixels_per_metre, gap_m=0.5 * self.swimmer_size_m)
        rows = np.clip(boxes[:, 3].astype(int) - 1, 0, context.shape[0] - 1)
        ppm = context.pixels_per_metre[rows]
        sides = boxes[:, 2:] - boxes[:, :2]
        extent_m = sides.max(axis=1) / np.maximum(ppm, 1e-9)
        size = self.swimmer_size_m
        plausible = (ppm > 0) & (extent_m > 0.25 * size) & (extent_m < 4.0 * size)
        candidates = Detections(
            boxes[plausible],
            np.ones(int(plausible.sum())),
            np.full(int(plausible.sum()), ClassId.SWIMMER),
        )
        tracked = self.tracker.update(candidates, t)
        if len(tracked) == 0:
            return tracked
        tracks = self.tracker.tracks
        scores = np.array(
            [
                self._score(
                    frame,
                    tracked.xyxy[i],
                    tracks[int(tracked.tracker_id[i])],
                    ppm[plausible][i],
                    extent_m[plausible][i],
                    context,
                )
                for i in range(len(tracked))
            ]
        )
        feet = tracked.feet.astype(int)
        feet[:, 0] = np.clip(feet[:, 0], 0, context.shape[1] - 1)
        feet[:, 1] = np.clip(feet[:, 1] - 1, 0, context.shape[0] - 1)
        inside = context.no_swimming[feet[:, 1], feet[:, 0]]
        result = Detections(tracked.xyxy, scores, tracked.class_id, tracked.tracker_id)
        return result[inside]

    def _score(self, frame, box, track, ppm: float, extent_m: float, context: FrameContext) -> float:
        window = max(1.0, self.persistence_s * context.fps)
        # Seen often enough, and in most frames since it appeared (waves and glints flicker).
        persistence = min(1.0, track.hits / window) * (track.hits / max(track.age_frames, 1))
        size = math.exp(-0.5 * (math.log(extent_m / self.swimmer_size_m) / 0.55) ** 2)
        speed_mps = (track.speed_px_per_s or 0.0) / max(ppm, 1e-9)
        pace = 1.0 if speed_mps <= self.max_speed_mps else math.exp(-(speed_mps - self.max_speed_mps) / 0.5)
        return float(persistence * size * pace * self._skin(frame, box))

    @staticmethod
    def _skin(frame: np.ndarray, box) -> float:
        """Share of skin-coloured pixels in the box, mapped to (0.15, 1).

        Skin: red-orange hue, some saturation, and brighter than the water around
        the box (a brown duck has the hue but is as dark as the water; glints, foam
        and wakes are unsaturated; water is blue).
        """
        x0, y0, x1, y1 = (int(v) for v in box)
        height, width = frame.shape[:2]
        pad = max(3, x1 - x0)
        around = frame[max(0, y0 - pad) : min(height, y1 + pad), max(0, x0 - pad) : min(width, x1 + pad)]
        patch = frame[y0:y1, x0:x1]
        if patch.size == 0:
            return 0.15
        hsv = cv2.cvtColor(patch, cv2.COLOR_BGR2HSV)
        hue, saturation, value = hsv[..., 0], hsv[..., 1], hsv[..., 2]
        if saturation.mean() < 12:
            return 0.6  # a grey (infrared) image says nothing about skin colour
        water_value = float(np.median(cv2.cvtColor(around, cv2.COLOR_BGR2HSV)[..., 2]))
        skin = ((hue < 25) | (hue > 170)) & (saturation > 40) & (value > water_value + 8)
        return 0.15 + 0.85 * min(1.0, float(skin.mean()) / 0.08)
