"""The far-bank tile: where a camera sees distant no-fishing banks, its frame analysed at full resolution.

Why. The detectors analyse a camera's frame downscaled to ``detection.analysis_width``
(640 px of a 1920-px camera). An angler 340 m away is then about 3 px tall and the
rod is thinner than a pixel, and the fishing detector finds neither (held-out tune
clips, day, clear: 9 of the 54 anglers under 12 px at the camera's resolution were
alarmed; ``docs/detectors.md``). Edge systems meet this by slicing: small objects
are looked for in full-resolution crops of the frame where they can be, besides the
downscaled whole (SAHI: Akyon, Altinuc & Temizel 2022, "Slicing aided hyper
inference and fine-tuning for small object detection", IEEE ICIP, pp. 966-970).
Here the slice is fixed per camera by geometry, as the far banks do not move.

What. For a camera with ``fishing_tile_beyond`` = D (m), the *far banks* are the
no-fishing banks (:attr:`sim.world.geometry.ZoneGeometry.no_fishing`: land within the
fishers' band of the water, inside a no-fishing area) that the camera sees and
whose ground points lie at least D from the lens (slant distance) and within its
``max_range``. The tile is the
bounding box of their image at the camera's full resolution, grown on every side by
the fishing detector's search reach (``reach_m`` at the nearest far-bank distance,
the largest scale in the tile), clipped to the image. :class:`sim.world.cameras.CameraModel`
with a ``window`` describes the crop exactly (same focal length, shifted principal
point), so the renderer draws it and :func:`sim.pixel.pixel_camera.camera_context` gives its
masks and pixels per metre per row at the tile's scale.

Each bank pixel is analysed at one scale only: the analysis frame's context keeps
``no_fishing`` where the ground is nearer than D, the tile's where it is at D or
beyond and within ``max_range`` (:func:`far_pixels`, :func:`split_no_fishing`), so
the whole-frame fishing detector reports no angler standing on a far bank and the
tile's detector reports only those. An
angler standing right at D may be reported by both (choose D away from any bank;
the default scenario's D lies in a gap between banks). The tile's detections are
mapped into the analysis frame's pixels (:func:`to_analysis`), where ground truth,
the k-of-n rule and the alarm's ground point are taken as for any other detection;
their track ids are offset by :data:`TILE_TRACKS` to stay apart from the analysis
frame's.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import shapely

from detectors.base import Detections, FrameContext
from sim.render.actors import Actor
from sim.render.conditions import Conditions
from sim.render.ground_map import GroundMap
from sim.render.renderer import Renderer
from sim.world.cameras import CameraModel, far_banks
from sim.world.geometry import ZoneGeometry

TILE_TRACKS = 1_000_000_000
"""Track ids of a tile's detector are offset by this (a tracker at 25 frames/s opening a track every frame
would need over a year of simulated time to reach it)."""


def tile_window(
    camera: CameraModel, geometry: ZoneGeometry, beyond_m: float, reach_m: float
) -> tuple[int, int, int, int] | None:
    """The tile (x0, y0, x1, y1; px, ends exclusive) of ``camera``'s full image; None: no far bank seen."""
    region = far_banks(camera, geometry, beyond_m)
    if region.is_empty:
        return None
    # Dense outline points: lens distortion bends straight ground lines in the image.
    points = shapely.get_coordinates(shapely.segmentize(region, 1.0))
    uv = camera.ground_to_image(points)
    nearest = float(camera.distance(points).min())
    pad = math.ceil(reach_m * camera.intrinsics[0, 0] / nearest)
    width, height = camera.size
    x0, y0 = np.floor(uv.min(axis=0)).astype(int) - pad
    x1, y1 = np.ceil(uv.max(axis=0)).astype(int) + pad + 1
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    return (int(x0), int(y0), int(x1), int(y1)) if x1 > x0 and y1 > y0 else None


def far_pixels(ground: GroundMap, beyond_m: float) -> np.ndarray:
    """(H, W) bool: pixels whose ground lies at least ``beyond_m`` from the lens (slant distance) and within
    the camera's ``max_range`` (:meth:`sim.render.ground_map.GroundMap.in_range`): the tile's share of the
    banks."""
    return (ground.distance >= beyond_m) & ground.in_range()


def split_no_fishing(context: FrameContext, far: np.ndarray) -> FrameContext:
    """``context`` with ``no_fishing`` kept only where ``far`` ((H, W) bool) holds."""
    return dataclasses.replace(context, no_fishing=context.no_fishing & far)


def to_analysis(detections: Detections, window: tuple[int, int, int, int], scale: float) -> Detections:
    """A tile's detections in the analysis frame's pixels (the full image scaled by ``scale``), their
    track ids offset by :data:`TILE_TRACKS`."""
    if not len(detections):
        return detections
    offset = np.array([window[0], window[1], window[0], window[1]], dtype=float)
    return Detections(
        (detections.xyxy + offset) * scale,
        detections.confidence,
        detections.class_id,
        np.where(detections.tracker_id >= 0, detections.tracker_id + TILE_TRACKS, -1),
    )


class FarBankTile:
    """One camera's far-bank tile: renders it and runs its own fishing detector on it."""

    def __init__(self, renderer: Renderer, context: FrameContext, detector, scale: float):
        """``renderer``: draws the tile (its camera has the tile's ``window``); ``context``: the tile's masks,
        ``no_fishing`` already cut to the far banks; ``scale``: analysis width / the camera's full width."""
        if renderer.camera.window is None:
            raise ValueError("a far-bank tile's camera needs a window (a crop of the full image)")
        self.renderer = renderer
        self.context = context
        self.detector = detector
        self.scale = scale

    @property
    def window(self) -> tuple[int, int, int, int]:
        """The tile in the camera's full image, px."""
        return self.renderer.camera.window

    def detect(self, t: float, number: int, actors: list[Actor], conditions: Conditions) -> Detections:
        """Render the tile at ``t`` (s) and detect anglers: detections in the analysis frame's pixels."""
        image = self.renderer.render(t, actors, conditions, number).image
        return to_analysis(self.detector.update(image, t, self.context), self.window, self.scale)
