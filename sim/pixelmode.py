"""What a pixel-mode detector may know about its camera: masks and expected sizes, from the camera model.

This is the bridge from ``sim`` (zone geometry, camera geometry) to ``detectors``
(pixels only): :func:`camera_context` computes a
:class:`detectors.base.FrameContext` from the renderer's ground map, so the
detector's notion of "water", "bank", "no-swimming area" and "how big is a
person on this row" comes from the same camera model that draws the frames.
"""

from __future__ import annotations

import numpy as np
import shapely

from detectors.base import FrameContext
from sim.render import WATER, Renderer
from sim.scenario import Scenario

BANK_WIDTH_M = 6.0
"""Land within this distance of the water counts as the bank where anglers stand."""


def camera_context(renderer: Renderer, scenario: Scenario, fps: float) -> FrameContext:
    """Masks and pixels-per-metre of one camera, in its image."""
    geometry = renderer.geometry
    ground = renderer.ground
    height, width = ground.shape
    on_ground = ~ground.sky
    gx, gy = ground.gx[on_ground], ground.gy[on_ground]

    def mask_of(region) -> np.ndarray:
        mask = np.zeros((height, width), bool)
        if not region.is_empty:
            mask[on_ground] = shapely.contains_xy(region, gx, gy)
        return mask

    water = ground.labels == WATER
    bank = mask_of(geometry.water.buffer(BANK_WIDTH_M).difference(geometry.water))
    no_swimming = mask_of(shapely.union_all([a.region for a in geometry.no_swimming]))
    # The whole no-fishing area, bank and water: the rod and line reach over the water.
    no_fishing = mask_of(shapely.union_all([shapely.Polygon(a.polygon) for a in scenario.zone.no_fishing]))
    # One metre at the distance seen on each row (centre column): f / slant distance.
    focal = renderer.camera.intrinsics[0, 0]
    centre = ground.distance[:, width // 2]
    pixels_per_metre = np.where(np.isfinite(centre), focal / np.where(np.isfinite(centre), centre, 1.0), 0.0)
    return FrameContext(water, bank, no_swimming, no_fishing, pixels_per_metre, fps)
