"""How large a camera's detectors see an offender: its height in the image they analyse, px.

Pixel mode's detectors analyse a camera's frame downscaled to ``detection.analysis_width`` (scale
``analysis_width / resolution width``, never above 1: :func:`sim.pixel.pixel_camera.analysis_camera`), except
on a camera's far-bank tile (``fishing_tile_beyond`` = D, :mod:`sim.pixel.far_bank_tile`), where the fishing
detector analyses the full image: an angler on ground at a slant distance of D or more from the lens is seen
at scale 1. The analysed height is the full image's height
(:meth:`sim.world.cameras.CameraModel.pixel_height`) times that scale.

Why it matters. The detection models' size term (``size_slope · log2(pixels / reference_pixels)``) carries one
camera's fit to another. On the full image's heights it cannot: an angler 30 px tall on ``cam-east-n`` (2560
px wide, analysed at a quarter) is analysed at 7.5 px, one 30 px tall on ``cam-peninsula``'s far bank (its
tile) at 30 px. Fitted to both cameras pooled on full heights, statistical mode detected 10.9 points too
many anglers on ``cam-east-n`` alone and 23.2 too few on ``cam-peninsula`` alone (600-s runs by day,
2026-12-06; on analysed heights +3.1 and +4.5: docs/detectors.md, "The size the detector analyses").

A calibration class says which it was fitted to (``size_basis``: ``analysed``, or ``full`` for files written
before), and statistical mode gives it that (:class:`sim.sensing.statistical.StatisticalSensing`); pixel
mode and the tune clips log analysed heights (``pixels`` of ``sim.calibration.fit_inputs``'s frame log).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.models import Camera, Kind
from sim.world.cameras import CameraModel


@dataclass(frozen=True)
class AnalysedScale:
    """One camera's analysed height over its full image's height, by kind and ground point."""

    camera: CameraModel
    """The camera at its full resolution."""
    frame_scale: float
    """The analysed frame's scale, (0, 1]."""
    tile_beyond_m: float | None
    """Slant distance from which anglers are analysed on the full-resolution tile, m (None: no tile)."""

    @classmethod
    def of(cls, spec: Camera, analysis_width: int) -> AnalysedScale:
        """The scale of camera ``spec`` analysed at ``analysis_width`` px (``detection.analysis_width``)."""
        width = spec.resolution[0]
        return cls(CameraModel(spec), min(analysis_width, width) / width, spec.fishing_tile_beyond)

    def at(self, xy: np.ndarray, kind: Kind) -> np.ndarray:
        """The scale (analysed over full height) of an offender of ``kind`` at ground points ``xy`` (n, 2)."""
        xy = np.atleast_2d(np.asarray(xy, dtype=float))
        scale = np.full(len(xy), self.frame_scale)
        if self.tile_beyond_m is not None and kind is Kind.FISHING:
            scale[self.camera.distance(xy) >= self.tile_beyond_m] = 1.0
        return scale

    def pixel_height(self, xy: np.ndarray, object_height: float, kind: Kind) -> np.ndarray:
        """Analysed height (px) of an offender of ``kind``, ``object_height`` m tall, at ``xy`` (n, 2)."""
        return self.camera.pixel_height(xy, object_height) * self.at(xy, kind)
