"""Foreground blobs from a background model, restricted to a region of the image.

OpenCV's MOG2 background subtractor (Zivkovic 2004, "Improved adaptive Gaussian
mixture model for background subtraction") learns each pixel's appearance,
including the periodic flicker of waves; what it cannot explain is foreground.
The foreground is kept only inside a region mask (water, or the bank), cleaned
with a small closing (so an arm and a splash join the head they belong to) and
split into connected components.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Blobs:
    """Connected foreground components of one frame."""

    xyxy: np.ndarray
    """(n, 4) boxes, px (x1, y1 exclusive)."""
    area: np.ndarray
    """(n,) foreground pixels in each component."""
    centroid: np.ndarray
    """(n, 2) centroids, px."""

    def __len__(self) -> int:
        return len(self.area)


class ForegroundModel:
    """MOG2 on the whole frame, foreground kept inside ``region``; returns the blobs."""

    def __init__(
        self,
        history: int = 300,
        var_threshold: float = 25.0,
        learning_rate: float = -1.0,
        close_px: int = 3,
        min_area_px: int = 3,
    ):
        """``history``: frames the model remembers; ``var_threshold``: squared Mahalanobis distance that
        counts as foreground; ``learning_rate``: -1 lets OpenCV choose 1/history; ``close_px``: size of the
        closing that joins nearby pieces; ``min_area_px``: smaller components are noise."""
        if history < 2 or var_threshold <= 0 or close_px < 1 or min_area_px < 1:
            raise ValueError(
                "history >= 2, var_threshold > 0, close_px >= 1 and min_area_px >= 1 are required"
            )
        self.history, self.var_threshold, self.learning_rate = history, var_threshold, learning_rate
        self.kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close_px, close_px))
        self.min_area_px = min_area_px
        self.reset()

    def reset(self) -> None:
        self.model = cv2.createBackgroundSubtractorMOG2(self.history, self.var_threshold, detectShadows=False)
        self.frames = 0

    def apply(self, frame: np.ndarray, region: np.ndarray) -> tuple[np.ndarray, Blobs]:
        """Foreground mask (uint8 0/255) inside ``region`` (bool (H, W)), and its blobs."""
        mask = self.model.apply(frame, learningRate=self.learning_rate)
        self.frames += 1
        mask[~region] = 0
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, self.kernel)
        _, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
        keep = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] >= self.min_area_px) + 1
        x, y = stats[keep, cv2.CC_STAT_LEFT], stats[keep, cv2.CC_STAT_TOP]
        w, h = stats[keep, cv2.CC_STAT_WIDTH], stats[keep, cv2.CC_STAT_HEIGHT]
        boxes = np.column_stack([x, y, x + w, y + h]).astype(np.float64)
        return mask, Blobs(
            boxes.reshape(-1, 4),
            stats[keep, cv2.CC_STAT_AREA].astype(np.float64),
            centroids[keep].reshape(-1, 2),
        )
