"""Foreground from a background model, computed once per frame for every detector of a camera.

OpenCV's MOG2 background subtractor (Zivkovic 2004, "Improved adaptive Gaussian
mixture model for background subtraction", ICPR) learns each pixel's
appearance, including the periodic flicker of waves; what it cannot explain is
foreground. MOG2 is a per-pixel model (no pixel's result depends on its
neighbours), so running it on a crop gives, inside the crop, exactly the
foreground of the whole frame: :class:`Background` runs it only on the
bounding box of the regions its detectors watch (the *window*).

Learning schedule. During ``warmup_s`` the model learns at OpenCV's own fast
rate (1 / frames seen, down to 1 / ``history``). Afterwards it learns slowly,
at α = −ln(TB) / (fps · ``absorb_s``): MOG2 takes a new appearance into the
background once its weight passes 1 − TB (TB = 0.9, OpenCV's background ratio),
i.e. after ln(TB) / ln(1 − α) ≈ ``absorb_s`` of standing still. Windows a
detector *protects* (an angler it is watching) are kept out of the learning:
the model classifies the real frame but learns from a copy in which those
windows hold its background image (two MOG2 passes on such frames).

Sharing. Pixel mode runs a swimming and a fishing detector on the same frames
of a camera; with the same :class:`BackgroundSettings` they share one
:class:`Background` (:func:`share_background`) and its one MOG2 pass per frame,
with the same result as each running its own (the test suite checks this), with
one deliberate difference: the windows the fishing detector protects (an angler
and the line over the water) are kept out of the learning for the swimming
detector too. Each detector then keeps the foreground inside its own region and
cleans it.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

TB = 0.9
"""MOG2's background ratio (OpenCV default): a new appearance joins the background once its weight
exceeds 1 − TB, which takes ln(TB) / ln(1 − α) ≈ 0.105 / α frames at learning rate α."""


@dataclass(frozen=True)
class BackgroundSettings:
    """How a camera's background model learns."""

    history: int = 500
    """MOG2 history during the warm-up, frames."""
    var_threshold: float = 16.0
    """MOG2 squared Mahalanobis distance that counts as foreground."""
    warmup_s: float = 5.0
    """The first frames, this long, train the model at OpenCV's fast rate, s."""
    absorb_s: float = 60.0
    """After the warm-up, an unprotected still object fades into the background after about this long, s."""
    average_frames: int = 1
    """The model sees the mean of the latest this many frames (1: each frame as it is): temporal noise
    reduction, uncorrelated sensor noise falls by the square root of it, what moves smears over it."""

    def __post_init__(self) -> None:
        if (
            isinstance(self.history, bool)
            or not isinstance(self.history, int | np.integer)
            or self.history < 2
        ):
            raise ValueError(f"history must be an integer >= 2 frames, got {self.history!r}")
        frames = self.average_frames
        if isinstance(frames, bool) or not isinstance(frames, int | np.integer) or not 1 <= frames <= 8:
            raise ValueError(f"average_frames must be an integer from 1 to 8 frames, got {frames!r}")
        for name in ("var_threshold", "absorb_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not (
                isinstance(value, int | float) and math.isfinite(value) and value > 0
            ):
                raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        warmup = self.warmup_s
        if isinstance(warmup, bool) or not (
            isinstance(warmup, int | float) and math.isfinite(warmup) and warmup >= 0
        ):
            raise ValueError(f"warmup_s must be a finite number >= 0 s, got {warmup!r}")


def window_of(region: np.ndarray) -> tuple[int, int, int, int]:
    """Bounding box (x0, y0, x1, y1; x1, y1 exclusive) of a bool mask's true pixels; (0, 0, 0, 0) if none."""
    if not region.any():
        return (0, 0, 0, 0)
    x, y, w, h = cv2.boundingRect(region.astype(np.uint8))
    return (x, y, x + w, y + h)


class Background:
    """MOG2 of one camera inside a window, computed once per frame however many detectors ask."""

    def __init__(self, settings: BackgroundSettings, window: tuple[int, int, int, int]):
        """``window``: (x0, y0, x1, y1) px, the part of the frame the model runs on (x1, y1 exclusive)."""
        self.settings = settings
        self.window = tuple(int(v) for v in window)
        self.model = cv2.createBackgroundSubtractorMOG2(
            settings.history, settings.var_threshold, detectShadows=False
        )
        self._t0: float | None = None
        self._last: tuple[float, int] | None = None
        self._mask: np.ndarray | None = None
        self._protected: list[tuple[int, int, int, int]] = []
        self._recent: deque[np.ndarray] = deque(maxlen=settings.average_frames)

    def learning(self, t: float) -> bool:
        """Is the frame at ``t`` (s) still in the warm-up (the first frame always is)?"""
        return self._t0 is None or t == self._t0 or t - self._t0 < self.settings.warmup_s

    def covers(self, window: tuple[int, int, int, int]) -> bool:
        """Does the model's window contain ``window`` (x0, y0, x1, y1 px)?"""
        x0, y0, x1, y1 = self.window
        return x0 <= window[0] and y0 <= window[1] and window[2] <= x1 and window[3] <= y1

    def protect(self, windows: Sequence[tuple[int, int, int, int]]) -> None:
        """Keep these boxes (x0, y0, x1, y1 px of the frame) out of the learning from the next frame on."""
        self._protected = list(windows)

    def foreground(self, frame: np.ndarray, t: float, fps: float) -> np.ndarray:
        """Foreground (H, W) uint8 0/255 of ``frame`` at time ``t`` (0 outside the window).

        The first call for a frame runs the model; later calls with the same frame object and time
        return the same array (read-only: callers must not change it)."""
        key = (float(t), id(frame))
        if self._last == key and self._mask is not None:
            return self._mask
        if self._t0 is None:
            self._t0 = float(t)
        x0, y0, x1, y1 = self.window
        crop = frame[y0:y1, x0:x1]
        mask = np.zeros(frame.shape[:2], np.uint8)
        if crop.size:
            mask[y0:y1, x0:x1] = self._apply(crop, t, fps)
        mask.flags.writeable = False
        self._last, self._mask = key, mask
        return mask

    def warmer(self, frame: np.ndarray) -> np.ndarray:
        """(h, w) bool over the window: where ``frame``'s first channel is brighter (warmer, on a thermal
        camera) than the model's background image (the mean of each pixel's most likely mode), after the
        latest :meth:`foreground` of that frame."""
        x0, y0, x1, y1 = self.window
        background = self.model.getBackgroundImage()
        background = background if background.ndim == 2 else background[..., 0]
        crop = frame[y0:y1, x0:x1]
        return (crop if crop.ndim == 2 else crop[..., 0]) > background

    def _averaged(self, crop: np.ndarray) -> np.ndarray:
        """The mean of ``crop`` and the frames before it, up to ``average_frames`` (rounded, uint8)."""
        self._recent.append(crop.astype(np.uint16))
        total = sum(self._recent)
        return ((total + len(self._recent) // 2) // len(self._recent)).astype(np.uint8)

    def _apply(self, crop: np.ndarray, t: float, fps: float) -> np.ndarray:
        if self.settings.average_frames > 1:
            crop = self._averaged(crop)
        if self.learning(t):
            return self.model.apply(crop, learningRate=-1)
        rate = -math.log(TB) / (fps * self.settings.absorb_s)
        if not self._protected:
            return self.model.apply(crop, learningRate=rate)
        mask = self.model.apply(crop, learningRate=0.0)
        background = self.model.getBackgroundImage()
        patched = crop.copy()
        wx, wy = self.window[:2]
        for x0, y0, x1, y1 in self._protected:
            box = (slice(max(0, y0 - wy), max(0, y1 - wy)), slice(max(0, x0 - wx), max(0, x1 - wx)))
            patched[box] = background[box]
        self.model.apply(patched, learningRate=rate)
        return mask


class UsesBackground(Protocol):
    """A detector that can take its foreground from a :class:`Background` it shares with others."""

    background_settings: BackgroundSettings

    def watched_region(self, context) -> np.ndarray:
        """(H, W) bool: where in this camera's image the detector needs foreground."""

    def use_background(self, background: Background) -> None:
        """Take the foreground from ``background`` from now on (until ``reset``)."""


def share_background(detectors: Sequence[object], context) -> Background | None:
    """One :class:`Background` for all ``detectors`` of a camera, attached to each; None (nothing changed)
    when fewer than two can share (a detector without the :class:`UsesBackground` methods, or with other
    settings, keeps its own model)."""
    users = [d for d in detectors if hasattr(d, "use_background") and hasattr(d, "watched_region")]
    if len(users) < 2 or len({d.background_settings for d in users}) != 1:
        return None
    region = np.zeros(context.shape, bool)
    for detector in users:
        region |= detector.watched_region(context)
    background = Background(users[0].background_settings, window_of(region))
    for detector in users:
        detector.use_background(background)
    return background


def clean(foreground: np.ndarray, region: np.ndarray, window, kernel: np.ndarray) -> np.ndarray:
    """The foreground inside ``region`` (bool (H, W)), closed with ``kernel``, as a crop of ``window``
    ((x0, y0, x1, y1): region's bounding box): a closing joins an arm and a splash to their head."""
    x0, y0, x1, y1 = window
    crop = np.where(region[y0:y1, x0:x1], foreground[y0:y1, x0:x1], np.uint8(0))
    return cv2.morphologyEx(crop, cv2.MORPH_CLOSE, kernel)


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


def blobs(mask: np.ndarray, min_area_px: int, offset: tuple[int, int] = (0, 0)) -> Blobs:
    """Connected components (8-connected) of ``mask`` of at least ``min_area_px`` pixels, in frame
    coordinates (``offset``: (x, y) of the mask's top-left pixel in the frame).

    Grana's block-based algorithm (BBDT): with statistics it is about three times faster than OpenCV's
    default (Spaghetti) on these sparse masks, with the same components."""
    _, _, stats, centroids = cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, cv2.CV_32S, cv2.CCL_GRANA)
    keep = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] >= min_area_px) + 1
    x = stats[keep, cv2.CC_STAT_LEFT] + offset[0]
    y = stats[keep, cv2.CC_STAT_TOP] + offset[1]
    w, h = stats[keep, cv2.CC_STAT_WIDTH], stats[keep, cv2.CC_STAT_HEIGHT]
    boxes = np.column_stack([x, y, x + w, y + h]).astype(np.float64).reshape(-1, 4)
    return Blobs(
        boxes, stats[keep, cv2.CC_STAT_AREA].astype(np.float64), centroids[keep].reshape(-1, 2) + offset
    )
