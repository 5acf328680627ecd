"""Pinhole cameras on poles: projection, ground homography, footprint, pixel size.

Conventions: world x east, y north, z up (metres, water surface at z = 0).
``yaw`` is the compass heading of the optical axis (degrees clockwise from
north), ``pitch`` its depression below horizontal. Image coordinates are
(u right, v down) in pixels with the principal point at the image centre and
square pixels, so f = (width / 2) / tan(hfov / 2) (Hartley & Zisserman,
*Multiple View Geometry*, 2nd ed., §6.1). The ground plane z = 0 maps to the
image by the homography H = K [r1 r2 t] (ibid. §8.1.1).

The same :class:`CameraModel` serves statistical sensing (footprint, pixel
size) and, later, rendering: one source of truth for where an actor appears.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np
import shapely
from shapely.geometry import Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from sim.scenario.models import Camera
from sim.world.geometry import ZoneGeometry

# Rows closer than this to the horizon are not analysed: there the ground
# distance per pixel explodes and the footprint would be unbounded.
_HORIZON_MARGIN_PX = 2.0


@dataclass(frozen=True)
class CameraModel:
    """One camera's geometry, built from its scenario entry: its whole image, or a crop of it (a tile)."""

    spec: Camera
    window: tuple[int, int, int, int] | None = None
    """A crop (x0, y0, x1, y1; x1, y1 exclusive) of the image at ``spec.resolution``, px: the model then
    describes the crop alone (same focal length, principal point shifted by (−x0, −y0)); None: all of it."""

    def __post_init__(self) -> None:
        if self.window is not None:
            x0, y0, x1, y1 = self.window
            width, height = self.spec.resolution
            if not (0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height):
                raise ValueError(f"window {self.window} is not a crop of the {width} x {height} px image")

    @property
    def size(self) -> tuple[int, int]:
        """Width and height of the image this model describes, px."""
        if self.window is None:
            return self.spec.resolution
        x0, y0, x1, y1 = self.window
        return x1 - x0, y1 - y0

    @cached_property
    def intrinsics(self) -> np.ndarray:
        """K (3 x 3), pixels."""
        width, height = self.spec.resolution
        x0, y0 = (0, 0) if self.window is None else self.window[:2]
        focal = (width / 2.0) / math.tan(math.radians(self.spec.hfov) / 2.0)
        return np.array([[focal, 0.0, width / 2.0 - x0], [0.0, focal, height / 2.0 - y0], [0.0, 0.0, 1.0]])

    @cached_property
    def rotation(self) -> np.ndarray:
        """R (3 x 3): rows are the camera's right, down and forward axes in world coordinates."""
        yaw, pitch = math.radians(self.spec.yaw), math.radians(self.spec.pitch)
        forward = np.array(
            [math.sin(yaw) * math.cos(pitch), math.cos(yaw) * math.cos(pitch), -math.sin(pitch)]
        )
        right = np.array([math.cos(yaw), -math.sin(yaw), 0.0])
        down = np.cross(forward, right)
        return np.vstack([right, down, forward])

    @cached_property
    def centre(self) -> np.ndarray:
        """Optical centre in world coordinates, m."""
        x, y = self.spec.position
        return np.array([x, y, self.spec.height])

    @cached_property
    def homography(self) -> np.ndarray:
        """H (3 x 3) mapping ground points (x, y, 1) to image points (u, v, 1) up to scale."""
        translation = -self.rotation @ self.centre
        return self.intrinsics @ np.column_stack([self.rotation[:, 0], self.rotation[:, 1], translation])

    @cached_property
    def inverse_homography(self) -> np.ndarray:
        return np.linalg.inv(self.homography)

    @property
    def distorted(self) -> bool:
        return any(k != 0.0 for k in self.spec.distortion)

    def distort(self, uv: np.ndarray) -> np.ndarray:
        """Ideal pinhole pixels (n, 2) to the pixels of the real lens (radial k1, k2)."""
        if not self.distorted:
            return uv
        k1, k2 = self.spec.distortion
        focal, cx, cy = self.intrinsics[0, 0], self.intrinsics[0, 2], self.intrinsics[1, 2]
        x, y = (uv[:, 0] - cx) / focal, (uv[:, 1] - cy) / focal
        r2 = x * x + y * y
        scale = 1.0 + k1 * r2 + k2 * r2 * r2
        return np.column_stack([cx + focal * x * scale, cy + focal * y * scale])

    def undistort(self, uv: np.ndarray) -> np.ndarray:
        """Real lens pixels (n, 2) to ideal pinhole pixels (inverse of :meth:`distort`, OpenCV)."""
        if not self.distorted:
            return uv
        k1, k2 = self.spec.distortion
        coefficients = np.array([k1, k2, 0.0, 0.0])
        points = np.ascontiguousarray(uv, dtype=np.float64).reshape(-1, 1, 2)
        return cv2.undistortPoints(points, self.intrinsics, coefficients, P=self.intrinsics).reshape(-1, 2)

    def project(self, points: np.ndarray) -> np.ndarray:
        """World points (n, 3) to pixels (n, 2), lens distortion included. Points behind give NaN."""
        points = np.atleast_2d(np.asarray(points, dtype=float))
        camera = (points - self.centre) @ self.rotation.T
        depth = camera[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            uv = (camera @ self.intrinsics.T)[:, :2] / depth[:, None]
        uv[depth <= 0] = np.nan
        return self.distort(uv)

    def in_front(self, xy: np.ndarray) -> np.ndarray:
        """Whether ground points (n, 2) lie in front of the lens (positive depth): the ground homography
        (:meth:`ground_to_image`) maps points behind it into the image as well."""
        xy = np.atleast_2d(np.asarray(xy, dtype=float))
        points = np.column_stack([xy, np.zeros(len(xy))])
        return ((points - self.centre) @ self.rotation.T)[:, 2] > 0.0

    def ground_to_image(self, xy: np.ndarray) -> np.ndarray:
        """Ground points (n, 2) to pixels (n, 2): the homography, then the lens distortion."""
        xy = np.atleast_2d(np.asarray(xy, dtype=float))
        h = np.column_stack([xy, np.ones(len(xy))]) @ self.homography.T
        return self.distort(h[:, :2] / h[:, 2:3])

    def image_to_ground(self, uv: np.ndarray) -> np.ndarray:
        """Pixels (n, 2) below the horizon to ground points (n, 2)."""
        uv = self.undistort(np.atleast_2d(np.asarray(uv, dtype=float)))
        h = np.column_stack([uv, np.ones(len(uv))]) @ self.inverse_homography.T
        return h[:, :2] / h[:, 2:3]

    def distance(self, xy: np.ndarray) -> np.ndarray:
        """Slant distance (m) from the lens to ground points (n, 2)."""
        xy = np.atleast_2d(np.asarray(xy, dtype=float))
        return np.sqrt(((xy - self.centre[:2]) ** 2).sum(axis=1) + self.centre[2] ** 2)

    @cached_property
    def horizon_row(self) -> float:
        """Image row v of the horizon (may lie outside the image), px."""
        focal = self.intrinsics[1, 1]
        return self.intrinsics[1, 2] - focal * math.tan(math.radians(self.spec.pitch))

    @cached_property
    def footprint(self) -> Polygon:
        """Ground region imaged below the horizon and within ``max_range`` of the pole, m.

        Computed for the ideal pinhole image; lens distortion moves the border by a few pixels.
        """
        width, height = self.size
        top = max(0.0, self.horizon_row + _HORIZON_MARGIN_PX)
        if top >= height:
            return Polygon()
        image_region = box(0.0, top, float(width), float(height))
        corners = np.asarray(image_region.exterior.coords)
        ground = Polygon(self.image_to_ground(corners))
        reach = Point(self.spec.position).buffer(self.spec.max_range, quad_segs=32)
        return ground.intersection(reach)

    def pixel_height(self, xy: np.ndarray, object_height: float) -> np.ndarray:
        """Image height (px) of an upright object ``object_height`` m tall at ground points (n, 2)."""
        xy = np.atleast_2d(np.asarray(xy, dtype=float))
        foot = self.project(np.column_stack([xy, np.zeros(len(xy))]))
        head = self.project(np.column_stack([xy, np.full(len(xy), object_height)]))
        return np.abs(foot[:, 1] - head[:, 1])


def visible_region(camera: CameraModel, occluders: BaseGeometry) -> BaseGeometry:
    """The footprint minus what ``occluders`` (islands, land above eye level) hide from the pole.

    The shadow of an occluder is the convex hull of the occluder and its copy
    scaled away from the camera; exact for convex occluders, conservative
    (a little more hidden) for concave ones. The occluder itself counts as
    hidden (trees and reeds on islands), so a fisher on an island's near
    shore is not seen.
    """
    footprint = camera.footprint
    if occluders.is_empty or footprint.is_empty:
        return footprint
    origin = Point(camera.spec.position)
    far = 2.0 * camera.spec.max_range
    shadows = []
    for part in getattr(occluders, "geoms", [occluders]):
        if part.is_empty or part.distance(origin) >= camera.spec.max_range:
            continue
        if part.contains(origin):
            continue  # a pole standing on an island is not hidden by it
        factor = far / max(part.distance(origin), 1.0)
        stretched = shapely.affinity.scale(part, factor, factor, origin=origin)
        shadows.append(shapely.union_all([part, stretched]).convex_hull)
    if not shadows:
        return footprint
    return footprint.difference(shapely.union_all(shadows))


def far_banks(camera: CameraModel, geometry: ZoneGeometry, beyond_m: float) -> BaseGeometry:
    """Ground region (m) of the no-fishing banks ``camera`` sees at a slant distance >= ``beyond_m``."""
    banks = geometry.no_go("fishing")
    seen = banks.intersection(visible_region(camera, geometry.islands))
    horizontal = math.sqrt(max(0.0, beyond_m**2 - camera.centre[2] ** 2))
    near = shapely.Point(camera.centre[:2]).buffer(horizontal, quad_segs=64)
    return seen.difference(near)
