"""The detection data model, the Detector protocol and the registry.

``detectors`` turns images into detections and never imports ``sim``: a
detector sees a frame, its time and a :class:`FrameContext` (masks and the
expected size of things per image row), nothing of the simulation.

:class:`Detections` follows supervision's design: one container of numpy
arrays (boxes ``xyxy`` (n, 4) in pixels, ``confidence`` (n,), ``class_id``
(n,), ``tracker_id`` (n,), -1 when untracked), validated on construction,
indexable by boolean masks and index arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Protocol

import numpy as np


class ClassId(IntEnum):
    """Classes detectors report; the values are stable (they appear in files)."""

    SWIMMER = 0
    FISHER = 1
    WALKER = 2
    BIRD = 3
    DEBRIS = 4
    BOAT = 5

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Detections:
    """Detections in one frame; all arrays have the same length n."""

    xyxy: np.ndarray
    """(n, 4) float boxes x0, y0, x1, y1 in pixels (x1 > x0, y1 > y0)."""
    confidence: np.ndarray
    """(n,) scores in [0, 1]."""
    class_id: np.ndarray
    """(n,) integer class ids (:class:`ClassId`)."""
    tracker_id: np.ndarray = field(default=None)  # type: ignore[assignment]
    """(n,) integer track ids, -1 where untracked."""

    def __post_init__(self) -> None:
        xyxy = (
            np.asarray(self.xyxy, dtype=np.float64).reshape(-1, 4) if np.size(self.xyxy) else np.zeros((0, 4))
        )
        n = len(xyxy)
        confidence = np.asarray(self.confidence, dtype=np.float64).reshape(-1)
        class_id = np.asarray(self.class_id, dtype=np.int64).reshape(-1)
        tracker = (
            np.full(n, -1, np.int64)
            if self.tracker_id is None
            else np.asarray(self.tracker_id, dtype=np.int64).reshape(-1)
        )
        for name, array in (("confidence", confidence), ("class_id", class_id), ("tracker_id", tracker)):
            if len(array) != n:
                raise ValueError(f"Detections.{name} has length {len(array)}, expected {n} (one per box)")
        if n and not np.isfinite(xyxy).all():
            raise ValueError("Detections.xyxy contains NaN or infinite coordinates")
        if n and ((xyxy[:, 2] <= xyxy[:, 0]) | (xyxy[:, 3] <= xyxy[:, 1])).any():
            raise ValueError("Detections.xyxy needs x1 > x0 and y1 > y0 for every box")
        if n and ((confidence < 0) | (confidence > 1) | ~np.isfinite(confidence)).any():
            raise ValueError("Detections.confidence must lie in [0, 1]")
        object.__setattr__(self, "xyxy", xyxy)
        object.__setattr__(self, "confidence", confidence)
        object.__setattr__(self, "class_id", class_id)
        object.__setattr__(self, "tracker_id", tracker)

    @classmethod
    def empty(cls) -> Detections:
        return cls(np.zeros((0, 4)), np.zeros(0), np.zeros(0, np.int64))

    @classmethod
    def merge(cls, parts: Sequence[Detections]) -> Detections:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        return cls(
            np.vstack([p.xyxy for p in parts]),
            np.concatenate([p.confidence for p in parts]),
            np.concatenate([p.class_id for p in parts]),
            np.concatenate([p.tracker_id for p in parts]),
        )

    def __len__(self) -> int:
        return len(self.xyxy)

    def __getitem__(self, index) -> Detections:
        """A new Detections of the rows selected by a boolean mask, an index array or a slice."""
        if isinstance(index, int | np.integer):
            index = [index]
        return Detections(
            self.xyxy[index], self.confidence[index], self.class_id[index], self.tracker_id[index]
        )

    @property
    def centres(self) -> np.ndarray:
        """(n, 2) box centres, px."""
        return 0.5 * (self.xyxy[:, :2] + self.xyxy[:, 2:])

    @property
    def feet(self) -> np.ndarray:
        """(n, 2) bottom-centre points (where an object meets the ground or water), px."""
        return np.column_stack([0.5 * (self.xyxy[:, 0] + self.xyxy[:, 2]), self.xyxy[:, 3]])


@dataclass(frozen=True)
class FrameContext:
    """What a detector may know about its camera besides the pixels."""

    water: np.ndarray
    """(H, W) bool: pixels showing water."""
    shore: np.ndarray
    """(H, W) bool: land pixels within a few metres of the water (where anglers stand)."""
    no_swimming: np.ndarray
    """(H, W) bool: pixels inside no-swimming areas."""
    no_fishing: np.ndarray
    """(H, W) bool: pixels inside no-fishing areas (water and bank)."""
    pixels_per_metre: np.ndarray
    """(H,) image size of one metre at the ground distance seen on each row; 0 above the horizon."""
    fps: float
    """Frames per second the detector is fed."""

    def __post_init__(self) -> None:
        shape = np.shape(self.water)
        if len(shape) != 2:
            raise ValueError(f"FrameContext.water must be (H, W), got shape {shape}")
        for name in ("shore", "no_swimming", "no_fishing"):
            if np.shape(getattr(self, name)) != shape:
                raise ValueError(
                    f"FrameContext.{name} has shape {np.shape(getattr(self, name))}, expected {shape}"
                )
        if np.shape(self.pixels_per_metre) != (shape[0],):
            got = np.shape(self.pixels_per_metre)
            raise ValueError(f"FrameContext.pixels_per_metre has shape {got}, expected ({shape[0]},)")
        if not self.fps > 0:
            raise ValueError(f"FrameContext.fps must be > 0, got {self.fps}")

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(np.shape(self.water))


def check_frame(frame: np.ndarray, context: FrameContext) -> None:
    """Raise ValueError for an empty, corrupt or wrongly shaped frame."""
    if not isinstance(frame, np.ndarray) or frame.size == 0:
        raise ValueError("frame is empty")
    if frame.dtype != np.uint8:
        raise ValueError(f"frame must be uint8, got {frame.dtype}")
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"frame must be H x W x 3 (BGR), got shape {frame.shape}")
    if frame.shape[:2] != context.shape:
        height, width = context.shape
        raise ValueError(f"frame is {frame.shape[1]}x{frame.shape[0]}, the camera's context {width}x{height}")


class Detector(Protocol):
    """Turns frames of one camera, in time order, into detections."""

    def reset(self) -> None:
        """Forget everything (background model, tracks)."""

    def update(self, frame: np.ndarray, t: float, context: FrameContext) -> Detections:
        """Detections in ``frame`` (H x W x 3 uint8, BGR) at time ``t`` (s)."""
