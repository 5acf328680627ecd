"""Which actors can touch a camera's image: the rest need not be drawn (view-frustum culling).

A pixel-mode frame is drawn with every actor of the lake (about 21), most of them
far outside the camera's view; building and projecting a sprite costs about as
much as drawing it. :func:`may_touch` decides from each actor's :data:`sim.render.sprites.REACH`
alone, before any sprite is built, and only ever says "no" when drawing it could
not change a pixel nor give it a truth box, so culled frames are identical to
unculled ones (``tests/test_culling.py``):

* every point of the sprite lies in the vertical box (ground point ± ``radius``
  horizontally, 0 to ``top`` in height); a perspective projection maps that
  convex box, when it lies wholly in front of the lens, into the convex hull of its
  8 projected corners, so their bounding rectangle holds every projected point;
* the :class:`sim.render.sprites.Painter` pads each point by a stroke's half-width or
  radius at the actor's distance plus the anti-aliased edge (at most
  ``focal · STROKE_M / distance + 2.25`` px); motion blur in low light reaches
  ``blur_px`` further; the rectangle is grown by both and a safety margin;
* a box wholly behind the lens is never drawn (:meth:`Painter.finish` skips any
  sprite with a point behind it); a box straddling the lens plane is kept.

Cameras with lens distortion keep every actor: the bound above is for the ideal
pinhole image.
"""

from __future__ import annotations

import numpy as np

from sim.render.actors import Actor
from sim.render.sprites import REACH, STROKE_M
from sim.world.cameras import CameraModel

MARGIN_PX = 4.0
"""Safety margin around the bound: the anti-aliased edge (1.5 px), box rounding and a spare pixel, px."""

_CORNERS = np.array([(sx, sy, sz) for sx in (-1, 1) for sy in (-1, 1) for sz in (0, 1)], dtype=float)


def may_touch(
    camera: CameraModel, actors: list[Actor], distance: np.ndarray, blur_px: np.ndarray
) -> np.ndarray:
    """(n,) bool: which actors' sprites may change a pixel of the image (False: certainly not).

    ``distance``: (n,) slant distance from the lens to each actor's ground point, m (the scale the
    painter sizes strokes by); ``blur_px``: (n,) how far motion blur reaches beyond the sprite, px.
    """
    if not actors or camera.distorted:
        return np.ones(len(actors), bool)
    size = np.array([(REACH[a.cls].radius, REACH[a.cls].radius, REACH[a.cls].top) for a in actors])
    origin = np.array([(a.x, a.y, a.z) for a in actors])
    corners = origin[:, None, :] + _CORNERS[None] * size[:, None, :]  # (n, 8, 3), world
    # In the camera frame (right, down, forward), as the painter projects.
    in_camera = (corners - camera.centre) @ camera.rotation.T
    depth = in_camera[:, :, 2]
    ahead = (depth > 0).all(axis=1)
    behind = (depth <= 0).all(axis=1)
    focal = camera.intrinsics[0, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        uv = focal * in_camera[:, :, :2] / np.where(depth > 0, depth, 1.0)[:, :, None]
    uv += camera.intrinsics[:2, 2]
    pad = focal * STROKE_M / np.asarray(distance, dtype=float) + 2.25 + MARGIN_PX + blur_px
    low = uv.min(axis=1) - pad[:, None]
    high = uv.max(axis=1) + pad[:, None]
    width, height = camera.size
    outside = (high[:, 0] < 0) | (low[:, 0] > width) | (high[:, 1] < 0) | (low[:, 1] > height)
    return ~(behind | (ahead & outside))
