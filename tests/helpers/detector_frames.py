"""Frames every detector must refuse (``detectors.base.check_frame``), shared by the detector tests."""

from __future__ import annotations

import numpy as np

BAD_FRAMES = [
    (np.zeros((0, 0, 3), np.uint8), "empty"),
    (np.zeros((360, 640), np.uint8), "H x W x 3"),
    (np.zeros((360, 640, 3), np.float32), "uint8"),
    (np.zeros((180, 320, 3), np.uint8), "320x180"),
]
"""(frame, fragment of the ValueError's message) for a 640 x 360 camera: empty, grey, float, wrong size."""
