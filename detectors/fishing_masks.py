"""The fishing detector's masks of one camera, built once per camera by :func:`camera_masks`.

Where it looks (the *search region*: within ``reach_m`` of the bank of a no-fishing area), where a body's
feet may stand (the bank dilated by a pixel) and where they must stand to be reported (and in a no-fishing
area), where the water is (a line ends on it), and the shortest vertical run a body has on each row (the
opening that keeps bodies and drops most of the gear). See :mod:`detectors.fishing` for the pipeline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from detectors.background import window_of
from detectors.base import FrameContext


@dataclass(frozen=True, eq=False)
class CameraMasks:
    """Masks (H x W bool unless said otherwise) of one camera for the fishing detector."""

    ppm: np.ndarray
    """(H,) pixels per metre on the ground at each image row, px/m."""
    feet: np.ndarray
    """The bank (``context.shore``) dilated by a pixel: where a body's feet may stand."""
    feet_and_banned: np.ndarray
    """``feet`` inside a no-fishing area: where a reported body's feet row must touch."""
    region: np.ndarray
    """The search region: within ``reach_m`` of ``feet_and_banned``, each strip of rows at its own scale."""
    water: np.ndarray
    """The water dilated by a pixel: where a fishing line ends."""
    run: np.ndarray
    """(H,) int: shortest vertical run of a body on each row, px (odd, >= 3)."""
    window: tuple[int, int, int, int]
    """Bounding box (x0, y0, x1, y1; x1, y1 exclusive) of ``region``, px; (0, 0, 0, 0) if it is empty."""


def camera_masks(context: FrameContext, person_height_m: float, reach_m: float) -> CameraMasks:
    """The masks of the camera of ``context``, for people ``person_height_m`` tall (m) whose rod and line
    reach ``reach_m`` (m) from the bank."""
    height, width = context.shape
    ppm = np.asarray(context.pixels_per_metre, dtype=np.float64)
    shore = context.shore.astype(np.uint8)
    feet = cv2.dilate(shore, np.ones((3, 3), np.uint8)).astype(bool)
    feet_and_banned = feet & context.no_fishing
    # Search region: within reach_m of the bank of a no-fishing area (where reported feet stand),
    # strip by strip at each strip's scale (an exact Euclidean distance transform: a dilation with a
    # disc of that radius, in a fraction of its time).
    banned_bank = feet_and_banned.astype(np.uint8)
    region = np.zeros((height, width), bool)
    for y0 in range(0, height, 24):
        strip = banned_bank[y0 : y0 + 24]
        if not strip.any():
            continue
        radius = int(min(max(width, height), math.ceil(reach_m * ppm[min(height - 1, y0 + 23)])))
        elsewhere = np.ones((height, width), np.uint8)
        elsewhere[y0 : y0 + 24][strip > 0] = 0
        region |= cv2.distanceTransform(elsewhere, cv2.DIST_L2, cv2.DIST_MASK_PRECISE) <= radius
    water = cv2.dilate(context.water.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    # Shortest vertical run a body has on each row: a third of the height of a person whose middle
    # is on that row (feet half a height lower), odd (a centred kernel), >= 3 px.
    below = np.minimum(height - 1, np.arange(height) + np.round(0.5 * person_height_m * ppm))
    third = 0.33 * person_height_m * ppm[below.astype(int)]
    run = np.maximum(3, 2 * np.floor(third / 2) + 1).astype(int)
    return CameraMasks(ppm, feet, feet_and_banned, region, water, run, window_of(region))
