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
        forward = (math.sin(actor.heading), math.cos(actor.heading), 0.0)
        right = (math.cos(actor.heading), -math.sin(actor.heading), 0.0)
        origin = np.array([actor.x, actor.y, actor.z])
        rotation = self.camera.rotation
        # Actor frame straight to camera frame: one 3 x 3 product and an offset per point.
        self._to_camera = np.array([forward, right, (0.0, 0.0, 1.0)]) @ rotation.T
        self._offset = (origin - self.camera.centre) @ rotation.T
        self._distance = float(np.linalg.norm(origin - self.camera.centre))
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
        if not np.isfinite(uv).all() or np.abs(uv).max() > _MAX_PX:
            return None  # grazing the camera plane: projects (nearly) to infinity, not drawn
        fixed = np.round((uv - 0.5) * _ONE).astype(np.int32)  # OpenCV puts pixel centres on integers
        pads = np.empty(len(uv))
        image, colours = self.image, {}
        for kind, first, last, colour, surface, size in self._strokes:
            key = (colour, surface)
            if key not in colours:
                colours[key] = self._shade(colour, surface)
            shade = colours[key]
            if kind == "line":
                thickness = max(1, round(self.px(size)))
                p, q = fixed[first:last].tolist()
                cv2.line(image, p, q, shade, thickness, cv2.LINE_AA, _SHIFT)
                pads[first:last] = thickness / 2 + _AA_PAD
            elif kind == "disc":
                radius = max(0.5, self.px(size))
                cv2.circle(image, fixed[first].tolist(), round(radius * _ONE), shade, -1, cv2.LINE_AA, _SHIFT)
                pads[first:last] = radius + _AA_PAD
            elif kind == "polygon":
                cv2.fillPoly(image, [fixed[first:last].reshape(-1, 1, 2)], shade, cv2.LINE_AA, _SHIFT)
                pads[first:last] = _AA_PAD
            else:
                cv2.polylines(
                    image, [fixed[first:last].reshape(-1, 1, 2)], True, shade, 1, cv2.LINE_AA, _SHIFT
                )
                pads[first:last] = _AA_PAD
        x0, y0 = (uv - pads[:, None]).min(axis=0).tolist()
        x1, y1 = (uv + pads[:, None]).max(axis=0).tolist()
        return x0, y0, x1, y1
