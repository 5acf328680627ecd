"""Rod and line evidence for the fishing detector, from Hough segments around a body.

In a window of ``reach_m`` around the body, Canny edges of the frame, kept only next to foreground, are
grouped into segments by the probabilistic Hough transform (``cv2.HoughLinesP``); a segment counts only if
it is a *thin line* (:func:`_thin_line`) and touches no other body. A **rod** starts at the upper body and
sticks out of it upwards, a **line** hangs from where this person's rod tip can be down to the water
(step 4 of the pipeline in :mod:`detectors.fishing`, with the references). :func:`gear_evidence` gives
both as one number in [0, 1] and the box of the segments that gave it.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

THIN_SHARE = 0.6
"""A rod or line segment must look like a thin line (see :func:`_thin_line`) on this share of its points."""
RIDGE_LEVELS = 8
"""Contrast (8-bit grey levels) of a thin line against the image 3 px to either side."""
GEAR_WEIGHT = 0.7
"""Gear factor given by a rod alone or a line alone (both together: 1 − 0.3² = 0.91)."""


def gear_evidence(
    grey: np.ndarray,
    foreground: np.ndarray,
    water: np.ndarray,
    box,
    ppm: float,
    others=(),
    *,
    person_height_m: float,
    rod_length_m: float,
    reach_m: float,
):
    """Rod and line evidence in [0, 1] around a body, and the box (px) of the segments that gave it.

    ``grey``: H x W uint8 frame; ``foreground``: its foreground mask; ``water``: where a line may end
    (H x W bool); ``box``: the body (x0, y0, x1, y1), px; ``ppm``: pixels per metre at its feet, px/m;
    sizes in m. Per frame 1 − (1 − 0.7·rod)(1 − 0.7·line) (:data:`GEAR_WEIGHT`).
    Segments touching another body (``others``, boxes (m, 4)) are someone else's: a neighbour's
    rod, or an edge that joins two people.
    """
    segs = _segments(grey, foreground, box, ppm, others, rod_length_m=rod_length_m, reach_m=reach_m)
    if segs is None:
        return 0.0, None
    rod, rod_tips, used = _rod(grey, segs, box, ppm, rod_length_m)
    line, line_used = _line(
        grey, water, segs, box, ppm, rod_tips, person_height_m=person_height_m, rod_length_m=rod_length_m
    )
    used += line_used
    evidence = 1.0 - (1.0 - GEAR_WEIGHT * rod) * (1.0 - GEAR_WEIGHT * line)
    if not used:
        return evidence, None
    pts = np.array(used).reshape(-1, 2)
    return evidence, (*pts.min(axis=0).tolist(), *(pts.max(axis=0) + 1).tolist())


def _segments(grey, foreground, box, ppm: float, others, *, rod_length_m: float, reach_m: float):
    """Hough segments (n, 4: x0, y0, x1, y1, px) of foreground edges within ``reach_m`` of the body
    ``box`` that touch no other body, or None when there is no foreground or no segment."""
    x0, y0, x1, y1 = box
    height, width = grey.shape
    reach = reach_m * ppm
    wx0, wy0 = max(0, int(x0 - reach)), max(0, int(y0 - 0.5 * reach))
    wx1, wy1 = min(width, int(x1 + reach) + 1), min(height, int(y1 + reach) + 1)
    fg = foreground[wy0:wy1, wx0:wx1]
    if not fg.any():
        return None
    edges = cv2.Canny(grey[wy0:wy1, wx0:wx1], 30, 90)
    edges &= cv2.dilate(fg, np.ones((3, 3), np.uint8))
    rod_px = rod_length_m * ppm
    shortest = max(4, round(0.3 * rod_px))
    lines = cv2.HoughLinesP(
        edges, 1, math.pi / 180, threshold=max(4, shortest // 2), minLineLength=shortest, maxLineGap=2
    )
    if lines is None:
        return None
    segs = lines.reshape(-1, 4).astype(np.float64) + np.array([wx0, wy0, wx0, wy0], dtype=np.float64)
    for ox0, oy0, ox1, oy1 in others:
        touches = np.zeros(len(segs), bool)
        for ex, ey in ((segs[:, 0], segs[:, 1]), (segs[:, 2], segs[:, 3])):
            touches |= (ex >= ox0 - 1) & (ex <= ox1 + 1) & (ey >= oy0 - 1) & (ey <= oy1 + 1)
        segs = segs[~touches]
    return segs


def _rod(grey, segs, box, ppm: float, rod_length_m: float):
    """Rod evidence in [0, 1] among ``segs``, the far ends (rod tips) of the rods found and their segments:
    a rod starts at the upper body, ends at least a quarter rod length outside the body box and rises by
    at least a quarter rod length; its value is its length over half a rod length, capped at 1."""
    x0, y0, x1, y1 = box
    rod_px = rod_length_m * ppm
    margin = max(2.0, 0.4 * ppm)
    stick_out = max(2.0, 0.25 * rod_px)  # gear reaches out of the body box; its own outline does not
    body_h = y1 - y0
    upper = (x0 - margin, y0 - margin, x1 + margin, y1 - 0.2 * body_h + margin)
    rod, rod_tips, used = 0.0, [], []
    for sx0, sy0, sx1, sy1 in segs:
        a, b = (sx0, sy0), (sx1, sy1)
        da, db = _box_distance(a, upper), _box_distance(b, upper)
        near, far = (a, b) if da <= db else (b, a)
        if min(da, db) > 0:
            continue
        length = math.hypot(far[0] - near[0], far[1] - near[1])
        rise = near[1] - far[1]
        if _box_distance(far, box) < stick_out or rise < 0.25 * rod_px or length > 1.6 * rod_px + 3:
            continue
        if _thin_line(grey, near, far, box) < THIN_SHARE:
            continue
        rod = max(rod, min(1.0, length / (0.5 * rod_px)))
        rod_tips.append(far)
        used.append((sx0, sy0, sx1, sy1))
    return rod, rod_tips, used


def _line(grey, water, segs, box, ppm: float, rod_tips, *, person_height_m: float, rod_length_m: float):
    """Line evidence in [0, 1] among ``segs`` and the segments that gave it: a line ends on the water at
    least a quarter rod length from the body box, drops to it by at least 0.5 m and hangs from where this
    person's rod tip can be (near a rod tip in ``rod_tips`` when a rod was found); its value is its length
    over 1.5 m, capped at 1."""
    x0, y0, x1, y1 = box
    height, width = grey.shape
    rod_px = rod_length_m * ppm
    margin = max(2.0, 0.4 * ppm)
    stick_out = max(2.0, 0.25 * rod_px)
    body_h = y1 - y0
    line, used = 0.0, []
    # Where a rod tip can be: beside the body by at most a rod length, no higher above the feet
    # than the hands (0.75 of a person's height) plus a rod, and above the waist.
    top = y1 - (0.75 * person_height_m + rod_length_m) * ppm - margin
    tips = (x0 - rod_px - margin, top, x1 + rod_px + margin, y1 - 0.5 * body_h)
    for sx0, sy0, sx1, sy1 in segs:
        low, high = ((sx0, sy0), (sx1, sy1)) if sy0 >= sy1 else ((sx1, sy1), (sx0, sy0))
        lx, ly = min(width - 1, int(low[0])), min(height - 1, int(low[1]))
        if not water[ly, lx] or _box_distance(low, box) < stick_out:
            continue
        if low[1] - high[1] < max(1.0, 0.5 * ppm):
            continue  # a line drops from the rod tip (about 3 m up) to the water
        if _thin_line(grey, high, low, box) < THIN_SHARE:
            continue
        if _box_distance(high, tips) > 0:
            continue  # it must hang from where this person's rod tip can be
        tip_gap = min((math.hypot(high[0] - p[0], high[1] - p[1]) for p in rod_tips), default=0.0)
        if tip_gap > 0.5 * rod_px + margin:
            continue  # when a rod was found, the line hangs from its tip
        line = max(line, min(1.0, math.hypot(low[0] - high[0], low[1] - high[1]) / (1.5 * ppm)))
        used.append((sx0, sy0, sx1, sy1))
    return line, used


def _thin_line(grey: np.ndarray, a, b, body) -> float:
    """Share of the points of segment a-b (outside the body box) where the image shows a thin line.

    A segment from Canny edges may follow the border of a blob; a rod or a fishing line is a thin
    line: within a pixel of the segment the image is darker (rod) or brighter (line) by at least
    :data:`RIDGE_LEVELS` than 3 px to either side. The larger of the dark and bright shares is returned
    (0 when fewer than two points lie outside the body).
    """
    height, width = grey.shape
    (ax, ay), (bx, by) = a, b
    length = math.hypot(bx - ax, by - ay)
    if length < 1:
        return 0.0
    nx, ny = -(by - ay) / length, (bx - ax) / length
    ts = np.linspace(0.0, 1.0, int(length) + 1)
    px, py = ax + ts * (bx - ax), ay + ts * (by - ay)
    outside = (px < body[0] - 1) | (px > body[2] + 1) | (py < body[1] - 1) | (py > body[3] + 1)
    if outside.sum() < 2:
        return 0.0
    px, py = px[outside], py[outside]

    def sample(offset: float) -> np.ndarray:
        x = np.clip(np.rint(px + offset * nx), 0, width - 1).astype(int)
        y = np.clip(np.rint(py + offset * ny), 0, height - 1).astype(int)
        return grey[y, x].astype(np.int32)

    centre = np.stack([sample(k) for k in (-1.0, 0.0, 1.0)])
    left, right = sample(-3.0), sample(3.0)
    dark = centre.min(axis=0) < np.minimum(left, right) - RIDGE_LEVELS
    bright = centre.max(axis=0) > np.maximum(left, right) + RIDGE_LEVELS
    return float(max(dark.mean(), bright.mean()))


def _box_distance(point, box) -> float:
    """Distance (px) from a point to a box (0 inside)."""
    dx = max(box[0] - point[0], 0.0, point[0] - box[2])
    dy = max(box[1] - point[1], 0.0, point[1] - box[3])
    return math.hypot(dx, dy)
