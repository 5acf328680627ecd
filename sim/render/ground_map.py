"""What each pixel of one camera looks at (:class:`GroundMap`), independent of light and weather.

Every image pixel below the horizon is traced to the ground through the camera model: world x, y, slant
distance and what is there (the ground labels below: water, grass, shore, path, island, beyond the zone),
the ground size of a pixel, and the light of the shore path's lamps.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import shapely

from sim.world.cameras import CameraModel
from sim.world.geometry import ZoneGeometry

WATER, GRASS, SHORE, PATH, ISLAND, BEYOND = range(6)
"""Ground labels of the label raster."""
RASTER_M = 0.5
"""Resolution of the label raster, m per cell."""
WINDOW_MARGIN_M = 20.0
"""The label raster reaches this far (m) beyond the farthest distance the labels test (the shore band, the
path's offset plus the exact-distance band around it), around the ground a camera sees."""


class GroundMap:
    """What each pixel of one camera looks at; independent of light and weather."""

    def __init__(
        self, camera: CameraModel, geometry: ZoneGeometry, path_offset: float | None, lamps: np.ndarray
    ):
        self.camera = camera
        width, height = camera.size
        self.shape = (height, width)
        v, u = np.mgrid[0:height, 0:width].astype(np.float64)
        uv = np.column_stack([u.ravel() + 0.5, v.ravel() + 0.5])
        ideal = camera.undistort(uv)
        ray_rows = ideal[:, 1] > camera.horizon_row + 0.5
        ground = np.full((len(uv), 2), np.nan)
        if ray_rows.any():
            h = np.column_stack([ideal[ray_rows], np.ones(ray_rows.sum())]) @ camera.inverse_homography.T
            ground[ray_rows] = h[:, :2] / h[:, 2:3]
        self.sky = ~ray_rows.reshape(self.shape)
        gx, gy = ground[:, 0].reshape(self.shape), ground[:, 1].reshape(self.shape)
        self.gx, self.gy = np.nan_to_num(gx), np.nan_to_num(gy)
        self.distance = np.where(
            self.sky,
            np.inf,
            np.sqrt(
                (self.gx - camera.centre[0]) ** 2 + (self.gy - camera.centre[1]) ** 2 + camera.centre[2] ** 2
            ),
        )
        self.labels = self._labels(geometry, path_offset)
        # Size of one pixel on the ground (m): drives texture and wave anti-aliasing.
        self.metres_per_pixel = np.where(
            self.sky, np.inf, self.distance**2 / (camera.intrinsics[0, 0] * camera.centre[2])
        )
        lamp_d2 = np.full(self.shape, np.inf)
        for lx, ly in lamps:
            lamp_d2 = np.minimum(lamp_d2, (self.gx - lx) ** 2 + (self.gy - ly) ** 2)
        self.lamp_light = np.where(self.sky, 0.0, np.exp(-lamp_d2 / (2 * 9.0**2)))

    def in_range(self) -> np.ndarray:
        """(H, W) bool: pixels whose ground lies within the camera's ``max_range`` of its pole (horizontal
        distance, m, as :attr:`sim.world.cameras.CameraModel.footprint`): what the camera analyses. The
        detectors' no-go masks are cut to it (:func:`sim.pixel.pixel_camera.camera_context`), as the
        renderer's truth boxes are to the footprint."""
        x, y = self.camera.centre[:2]
        return ~self.sky & (np.hypot(self.gx - x, self.gy - y) <= self.camera.spec.max_range)

    def _labels(self, geometry: ZoneGeometry, path_offset: float | None) -> np.ndarray:
        """Label per pixel from signed distance fields sampled bilinearly: smooth edges at any zoom."""
        bounds = geometry.bounds.bounds
        (row0, rows), (col0, cols) = self.raster_window(bounds, path_offset)
        map_x = (self.gx / RASTER_M).astype(np.float32) - np.float32(col0)  # exact: an integer off
        map_y = (self.gy / RASTER_M).astype(np.float32) - np.float32(row0)
        offset = np.array([col0, row0])

        def cells(coords) -> np.ndarray:
            return (np.round(np.asarray(coords) / RASTER_M) - offset).astype(np.int32)

        def signed_distance(geom) -> np.ndarray:
            """Distance to the outline of ``geom`` at each pixel, negative inside, m."""
            inside = np.zeros((rows, cols), np.uint8)
            for polygon in getattr(geom, "geoms", [geom]):
                if polygon.is_empty:
                    continue
                cv2.fillPoly(inside, [cells(polygon.exterior.coords)], 1)
                for ring in polygon.interiors:
                    cv2.fillPoly(inside, [cells(ring.coords)], 0)
            outside_d = cv2.distanceTransform(1 - inside, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
            inside_d = cv2.distanceTransform(inside, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
            field = (outside_d - inside_d) * RASTER_M
            coarse = cv2.remap(field, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            # The raster is exact to half a cell; near the lines that are drawn (the edge, the
            # shore band, the path) use the exact distance, so edges stay straight up close.
            near = ~self.sky & ((np.abs(coarse) < 2.0) | (np.abs(coarse - 3.0) < 2.0))
            if path_offset is not None:
                near |= ~self.sky & (np.abs(coarse - path_offset) < 3.0)
            gx, gy = self.gx[near], self.gy[near]
            exact = shapely.distance(geom.boundary, shapely.points(gx, gy))
            coarse[near] = np.where(shapely.contains_xy(geom, gx, gy), -exact, exact)
            return coarse

        to_water = signed_distance(geometry.water)
        labels = np.full(self.shape, GRASS, np.uint8)
        labels[to_water < 3.0] = SHORE
        if path_offset is not None:
            labels[np.abs(to_water - path_offset) < 1.25] = PATH
        labels[to_water < 0.0] = WATER
        if not geometry.islands.is_empty:
            labels[signed_distance(geometry.islands) < 0.0] = ISLAND
        outside = (self.gx < 0) | (self.gy < 0) | (self.gx >= bounds[2]) | (self.gy >= bounds[3])
        labels[outside | self.sky] = BEYOND
        return labels

    def raster_window(self, bounds: tuple, path_offset: float | None) -> tuple[tuple[int, int], ...]:
        """(first row, rows) and (first column, columns) of the zone's label raster that this camera needs:
        the cells around the ground it sees inside the zone, widened by :data:`WINDOW_MARGIN_M` beyond the
        farthest distance the labels test (the path's offset). A distance transform there equals the whole
        zone's wherever it is below the margin (farther, both are above it, and the labels agree); ground
        outside the zone is labelled BEYOND. On a city of 5 x 4 km a camera needs about a third of it."""
        rows, cols = math.ceil(bounds[3] / RASTER_M) + 1, math.ceil(bounds[2] / RASTER_M) + 1
        seen = ~self.sky & (self.gx >= 0) & (self.gy >= 0) & (self.gx < bounds[2]) & (self.gy < bounds[3])
        if not seen.any():
            return (0, 1), (0, 1)
        margin = WINDOW_MARGIN_M + (path_offset or 0.0)

        def span(values: np.ndarray, cells: int) -> tuple[int, int]:
            first = max(0, math.floor((values.min() - margin) / RASTER_M))
            return first, min(cells, math.ceil((values.max() + margin) / RASTER_M) + 2) - first

        return span(self.gy[seen], rows), span(self.gx[seen], cols)
