"""The :class:`Painter`: an actor's primitives (lines, discs, polygons, rings), given as 3-D points in the
actor's own frame (metres: forward, right, up), projected through the camera at once and drawn with
OpenCV; the union of what each primitive can touch is the actor's ground-truth box."""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np

from sim.render.actors import Actor
from sim.render.surfaces import Surface
from sim.world.cameras import CameraModel

Colour = tuple[int, int, int]
_SHIFT = 4  # sub-pixel bits for cv2 drawing
_ONE = 1 << _SHIFT
_MAX_PX = 0.25 * 2**31 / _ONE
"""Farther from the image than this, fixed-point pixel coordinates would overflow int32, px."""
_AA_PAD = 1.5
"""Anti-aliased edges reach this far (px) beyond a primitive's nominal outline."""


class Painter:
    """Collects one actor's primitives, then projects all their points at once and draws them.

    Sprite functions call :meth:`line`, :meth:`disc`, :meth:`polygon` and
    :meth:`ring` with points in the actor's frame (metres: forward, right, up);
    :meth:`finish` projects every point in one matrix product, draws in call
    order and returns the box (px) that the drawn pixels can touch.
    """

    def __init__(self, image: np.ndarray, camera: CameraModel):
        self.image = image
        self.camera = camera
        self.focal = float(camera.intrinsics[0, 0])
        self._centre = camera.intrinsics[:2, 2]
        self._distorted = camera.distorted
        self._rotation_t = camera.rotation.T
        self._shade: Callable[[Colour, Surface], Colour] = lambda colour, surface: colour
        self._to_camera = np.eye(3)
        self._offset = np.zeros(3)
        self._distance = 1.0
        self._lift = 0.0
        self._points: list = []
        self._strokes: list[tuple[str, int, int, Colour, Surface, float]] = []

    def begin(self, actor: Actor, shade: Callable[[Colour, Surface], Colour]) -> None:
        """Set the actor's frame (forward, right, up) and its colour transform: the colour a primitive of a
        given day colour and surface (:mod:`sim.render.surfaces`) takes in this frame."""
        sin, cos = math.sin(actor.heading), math.cos(actor.heading)
        to_camera = self._rotation_t
        # Actor frame straight to camera frame: one 3 x 3 product and an offset per point.
        self._to_camera = np.array([(sin, cos, 0.0), (cos, -sin, 0.0), (0.0, 0.0, 1.0)]) @ to_camera
        away = np.array([actor.x, actor.y, actor.z]) - self.camera.centre
        self._offset = away @ to_camera
        self._distance = math.sqrt(away.dot(away))  # numpy.linalg.norm's own sum
        self._shade = shade
        self._lift = 0.0
        self._points = []
        self._strokes = []

    def raise_by(self, metres: float) -> None:
        """Lift the primitives that follow (a rider sitting in a boat)."""
        self._lift += metres

    def px(self, metres: float) -> float:
        """Image size (px) of ``metres`` at this actor's distance."""
        return self.focal * metres / self._distance

    def _add(self, kind: str, points, colour: Colour, surface: Surface, size: float) -> None:
        first = len(self._points)
        for x, y, z in points:
            self._points.append((x, y, z + self._lift))
        self._strokes.append((kind, first, len(self._points), colour, surface, size))

    def line(self, a, b, colour: Colour, width_m: float, surface: Surface) -> None:
        self._add("line", (a, b), colour, surface, width_m)

    def disc(self, centre, radius_m: float, colour: Colour, surface: Surface) -> None:
        self._add("disc", (centre,), colour, surface, radius_m)

    def polygon(self, points, colour: Colour, surface: Surface) -> None:
        self._add("polygon", points, colour, surface, 0.0)

    def ring(self, centre, radius_m: float, colour: Colour, segments: int = 14) -> None:
        """A horizontal circle outline of foam (ripples on the water)."""
        step = 2 * math.pi / segments
        outline = [
            (centre[0] + radius_m * math.cos(k * step), centre[1] + radius_m * math.sin(k * step), centre[2])
            for k in range(segments)
        ]
        self._add("ring", outline, colour, Surface.FOAM, 0.0)

    def reach(self) -> tuple[float, float, float, float]:
        """What was recorded since :meth:`begin`: (largest horizontal distance, lowest and highest point,
        widest stroke: half a line's width or a disc's radius), m, in the actor's frame."""
        points = np.array(self._points).reshape(-1, 3)
        strokes = [s[5] / 2 if s[0] == "line" else s[5] for s in self._strokes]
        return (
            float(np.hypot(points[:, 0], points[:, 1]).max(initial=0.0)),
            float(points[:, 2].min(initial=0.0)),
            float(points[:, 2].max(initial=0.0)),
            max(strokes, default=0.0),
        )

    def finish(self) -> tuple[float, float, float, float] | None:
        """Draw everything recorded for this actor; the box (x0, y0, x1, y1) it can touch, or None."""
        if not self._points:
            return None
        camera = np.array(self._points) @ self._to_camera + self._offset
        depth = camera[:, 2:3]
        if depth.min() <= 0:
            return None  # partly behind the camera: not drawn
        uv = self.focal * camera[:, :2] / depth + self._centre
        if self._distorted:
            uv = self.camera.distort(uv)
        if not np.abs(uv).max() <= _MAX_PX:  # also false for NaN
            return None  # grazing the camera plane: projects (nearly) to infinity, not drawn
        fixed = np.round((uv - 0.5) * _ONE).astype(np.int32)  # OpenCV puts pixel centres on integers
        points = fixed.tolist()
        pads = []
        image, colours = self.image, {}
        for kind, first, last, colour, surface, size in self._strokes:
            key = (colour, surface)
            if key not in colours:
                colours[key] = self._shade(colour, surface)
            shade = colours[key]
            if kind == "line":
                thickness = max(1, round(self.px(size)))
                cv2.line(image, points[first], points[first + 1], shade, thickness, cv2.LINE_AA, _SHIFT)
                pad = thickness / 2 + _AA_PAD
            elif kind == "disc":
                radius = max(0.5, self.px(size))
                cv2.circle(image, points[first], round(radius * _ONE), shade, -1, cv2.LINE_AA, _SHIFT)
                pad = radius + _AA_PAD
            elif kind == "polygon":
                cv2.fillPoly(image, [fixed[first:last].reshape(-1, 1, 2)], shade, cv2.LINE_AA, _SHIFT)
                pad = _AA_PAD
            else:
                cv2.polylines(
                    image, [fixed[first:last].reshape(-1, 1, 2)], True, shade, 1, cv2.LINE_AA, _SHIFT
                )
                pad = _AA_PAD
            pads.append((last - first, pad))
        counts, widths = zip(*pads, strict=True)
        reach = np.repeat(widths, counts)[:, None]
        x0, y0 = (uv - reach).min(axis=0).tolist()
        x1, y1 = (uv + reach).max(axis=0).tolist()
        return x0, y0, x1, y1
