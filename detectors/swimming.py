"""Swimming detector: moving blobs on the water, of a swimmer's size and pace, tracked over time.

Pipeline: MOG2 foreground (:mod:`detectors.background`; in pixel mode one model
per camera, shared with the fishing detector) on the water near no-swimming
areas, cleaned with a 3 x 3 closing; connected components (Grana's block-based
labelling) merged when closer than half a swimmer (numpy, all pairs at once);
blobs filtered by the size a swimmer has at that image row (from the context's
pixels per metre), tracked across frames (:mod:`detectors.tracking`) and
scored by the product of

* persistence: the share of recent frames in which the track was seen
  (waves and glints flicker, a swimmer stays),
* size: how close the blob's extent, less the 2 px that anti-aliasing and the
  closing add, is to a swimmer's (head, arms and the ring of disturbed water,
  about 1 m; boats and wakes are larger),
* pace: swimmers move at under about 1.5 m/s; boats and their wakes faster,
* a cue that tells swimmers from ducks, debris, glints and wakes, chosen by
  the ``cue`` parameter:

  - ``"skin"`` (the detector's default; the default scenario selects ``"stroke"``):
    the share of the blob's *moving* pixels that are skin-coloured, averaged
    over the track's recent frames: a swimmer's face and arms show in most
    frames; a brown duck has skin's hue but not its brightness against the
    wave crests around it; debris, foam, glints and wakes are blue, grey or
    white. Only moving pixels count, so sand in the
    box of a blob at the shoreline does not. It fails for dark skin on bright
    water (a brown duck differs from dark skin in brightness only), and says
    nothing in grey (infrared) images;
  - ``"stroke"``: the rhythm of the blob's height over the track's last
    seconds (:mod:`detectors.stroke`): a swimmer's arms recover above the
    water and splash on entry twice per stroke cycle, so its blob grows and
    shrinks at 1-2 Hz by an arm's swing; ducks glide, debris drifts, glints
    and wakes flicker without that rhythm. It reads shapes, not colours, so it
    works the same for every skin tone and in grey images; it needs
    :data:`detectors.stroke.MIN_WINDOW_S` of a track before it can score
    (which the statistical mode's per-frame model does not reproduce yet:
    docs/detectors.md).

The score is in [0, 1]. Only blobs whose water line lies in a no-swimming
area are reported. Limits: with the skin cue, at dusk and at night (grey
infrared images, or colours lost in the dark) the score rests on persistence,
size and pace alone (:data:`GREY_SKIN` caps it); a swimmer present from the
first frames is partly learnt as background.
"""

from __future__ import annotations

import math
from collections import deque

import cv2
import numpy as np

from detectors.background import Background, BackgroundSettings, blobs, clean, window_of
from detectors.base import ClassId, Detections, FrameContext, check_frame
from detectors.stroke import FLOOR, StrokeMeter
from detectors.tracking import Tracker

MIN_AREA_PX = 3
"""Foreground components smaller than this are noise, px."""
SKIN_FLOOR, SKIN_SHARE = 0.03, 0.08
"""The skin factor rises from 0.15 to 1 as the share of a track's moving pixels that are skin-coloured,
averaged over its recent frames, rises from SKIN_FLOOR to SKIN_SHARE. A face and arms at 50-100 m are a
few pixels of a blob that includes the foam ring (daylight clips of ``run_sim.py tune``: 5-95 % of
swimmer frames 0.065-0.55); the anti-aliased fringe of a brown duck, where body, head and foam blend, gives
a few warm pixels now and then (99 % of duck frames below 0.041)."""
SKIN_LIFT = 8
"""Skin is at least this much brighter (HSV value, 8-bit) than the upper quartile of the still water around
it (the wave crests): the renderer's darkest skin tone (value 140 in daylight colours) clears water (105)
by far, a brown duck (100) only beside the dark troughs of waves, which the quartile leaves out."""
LOOK_AT_CUE = 0.05
"""Tracks whose persistence × size × pace is below this score at most that much: their colour or rhythm is
not looked at (colour is most of the scoring time), and they are scored with the cue's floor, 0.15."""
CUES = ("skin", "stroke")
"""What tells a swimmer from a duck: skin colour, or the stroke rhythm (:mod:`detectors.stroke`)."""
GREY_SKIN = 0.6
"""Skin factor in grey (infrared) images, where colour says nothing: a swimmer scores at most 0.6."""
BLUR_PX = 2.0
"""Pixels that anti-aliasing and the 3 x 3 closing add to a blob's extent (one on each side)."""
MAX_EXTENT = 4.0
"""Blobs larger than this many swimmer sizes are boats, wakes or groups, never scored."""
WARM_SHARE = 0.75
"""With ``warm_only``: a blob is a candidate only if at least this share of its moving pixels are warmer than
the background model's mean (a swimmer's head and arms: nearly all; a swaying reed, colder than the night's
water, about half: the stem where water was and the water where the stem was; a boat's cold hull)."""
MAX_BLOBS = 60
"""At most this many foreground blobs per frame are considered (merging compares every pair)."""


def merge_nearby(boxes: np.ndarray, pixels_per_metre: np.ndarray, gap_m: float) -> np.ndarray:
    """Union boxes closer than ``gap_m`` metres (at the lower box's row) until none are: one swimmer's
    head, arm and splash become one box.

    Each round joins every group of boxes linked by such gaps at once (connected components of the
    "near" relation, found by label propagation on the pairwise matrix); a grown box may then be near
    another, so rounds repeat until nothing merges. Groups keep the order of their first box."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    last_row = len(pixels_per_metre) - 1
    while len(boxes) > 1:
        n = len(boxes)
        bottom = np.maximum(boxes[:, None, 3], boxes[None, :, 3])
        gap_px = gap_m * pixels_per_metre[np.clip(bottom.astype(int) - 1, 0, last_row)]
        dx = np.maximum(boxes[:, None, 0], boxes[None, :, 0]) - np.minimum(
            boxes[:, None, 2], boxes[None, :, 2]
        )
        dy = np.maximum(boxes[:, None, 1], boxes[None, :, 1]) - np.minimum(
            boxes[:, None, 3], boxes[None, :, 3]
        )
        near = (dx <= gap_px) & (dy <= gap_px)  # negative gaps: overlapping; the diagonal is near
        labels = np.arange(n)
        while True:
            spread = np.where(near, labels[None, :], n).min(axis=1)
            if np.array_equal(spread, labels):
                break
            labels = spread
        if len(np.unique(labels)) == n:
            break
        _, group = np.unique(labels, return_inverse=True)
        merged = np.full((group.max() + 1, 4), np.inf)
        merged[:, 2:] = -np.inf
        np.minimum.at(merged[:, 0], group, boxes[:, 0])
        np.minimum.at(merged[:, 1], group, boxes[:, 1])
        np.maximum.at(merged[:, 2], group, boxes[:, 2])
        np.maximum.at(merged[:, 3], group, boxes[:, 3])
        boxes = merged
    return boxes


def warm_shares(boxes: np.ndarray, moving: np.ndarray, warm: np.ndarray, origin: tuple[int, int]):
    """Per box (x0, y0, x1, y1 px of the frame): the share of its ``moving`` pixels that are ``warm`` (both
    (h, w) crops whose top-left pixel is ``origin`` (x, y) of the frame); 1 for a box with none."""
    shares = np.ones(len(boxes))
    for i, (x0, y0, x1, y1) in enumerate(boxes.astype(int) - np.array([*origin, *origin])):
        mine = moving[max(0, y0) : y1, max(0, x0) : x1] > 0
        if mine.any():
            shares[i] = float(warm[max(0, y0) : y1, max(0, x0) : x1][mine].mean())
    return shares


class SwimmingDetector:
    """Scores swimmers in no-swimming areas; see the module docstring."""

    def __init__(
        self,
        swimmer_size_m: float = 1.0,
        max_speed_mps: float = 1.6,
        persistence_s: float = 1.5,
        warmup_s: float = 5.0,
        history: int = 500,
        var_threshold: float = 16.0,
        absorb_s: float = 60.0,
        cue: str = "skin",
        average_frames: int = 1,
        warm_only: bool = False,
    ):
        """``swimmer_size_m``: typical visible extent (head and arms), m; ``max_speed_mps``: fastest swimming
        pace, m/s; ``persistence_s``: how long a track must be seen for full persistence, s; ``warmup_s``:
        frames before this are used only to learn the background, s; ``history``, ``var_threshold``,
        ``absorb_s``: the background model (:class:`detectors.background.BackgroundSettings`; the defaults
        are the fishing detector's, so that pixel mode runs one model per camera for both); ``cue``: one of
        :data:`CUES` (see the module docstring); ``average_frames``: the background model sees the mean of
        this many latest frames, temporal noise reduction for dim, noisy frames (1: none; with more it no
        longer shares the fishing detector's model); ``warm_only``: a blob counts only if it is mostly
        warmer (brighter) than the background model's mean (:data:`WARM_SHARE`), for thermal cameras: a
        swimmer's head and arms are warmer than the water, reeds at the air's temperature colder than the
        night's water (docs/detectors.md)."""
        if not isinstance(warm_only, bool | np.bool_):
            raise ValueError(f"warm_only must be true or false, got {warm_only!r}")
        self.warm_only = bool(warm_only)
        if cue not in CUES:
            raise ValueError(f"cue must be one of {', '.join(CUES)}, got {cue!r}")
        self.cue = cue
        for name, value in (
            ("swimmer_size_m", swimmer_size_m),
            ("max_speed_mps", max_speed_mps),
            ("persistence_s", persistence_s),
        ):
            if not value > 0:
                raise ValueError(f"{name} must be > 0, got {value}")
        self.swimmer_size_m = swimmer_size_m
        self.max_speed_mps = max_speed_mps
        self.persistence_s = persistence_s
        self.background_settings = BackgroundSettings(
            history, var_threshold, warmup_s, absorb_s, average_frames
        )
        self.warmup_s = warmup_s
        self.kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
        self.reset()

    def reset(self) -> None:
        """Forget the background model, the tracks and the camera's masks."""
        self.tracker = Tracker()
        self._skin_seen: dict[int, deque[float]] = {}
        self._strokes: StrokeMeter | None = None
        self.factors: dict[int, tuple[float, float, float, float]] = {}
        """(persistence, size, pace, cue: skin or stroke) of each track scored in the latest frame."""
        self._context: FrameContext | None = None
        self._background: Background | None = None

    def watched_region(self, context: FrameContext) -> np.ndarray:
        """The water near no-swimming areas: within the largest plausible blob (``MAX_EXTENT`` swimmer
        sizes, at each row's scale) of them, since only boxes whose water line is inside are reported;
        kept off the shoreline, where sand, grass and water alternate under the waves."""
        if self._context is not context:
            water = cv2.erode(context.water.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
            outside = (~context.no_swimming).astype(np.uint8)
            distance = cv2.distanceTransform(outside, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
            reach = MAX_EXTENT * self.swimmer_size_m * context.pixels_per_metre[:, None] + 2.0
            self._water = water & (distance <= reach)
            self._window = window_of(self._water)
            self._context = context
        return self._water

    def use_background(self, background: Background) -> None:
        self._background = background

    def update(self, frame: np.ndarray, t: float, context: FrameContext) -> Detections:
        check_frame(frame, context)
        water = self.watched_region(context)
        if self._window[2] == self._window[0]:  # no no-swimming area in view: nothing to report
            return Detections.empty()
        if self._background is None:
            self._background = Background(self.background_settings, self._window)
        foreground = self._background.foreground(frame, t, context.fps)
        if self._background.learning(t):
            self.tracker.update(Detections.empty(), t)
            return Detections.empty()
        x0, y0 = self._window[:2]
        moving = clean(foreground, water, self._window, self.kernel)
        found = blobs(moving, MIN_AREA_PX, (x0, y0))
        if len(found) == 0:
            self.tracker.update(Detections.empty(), t)
            return Detections.empty()
        xyxy = found.xyxy
        if len(xyxy) > MAX_BLOBS:  # a noisy frame (rain at night): keep the largest
            xyxy = xyxy[np.argsort(-found.area, kind="stable")[:MAX_BLOBS]]
        boxes = merge_nearby(xyxy, context.pixels_per_metre, gap_m=0.5 * self.swimmer_size_m)
        rows = np.clip(boxes[:, 3].astype(int) - 1, 0, context.shape[0] - 1)
        ppm = context.pixels_per_metre[rows]
        sides = boxes[:, 2:] - boxes[:, :2]
        # Anti-aliased edges and the closing add about a pixel on each side (as in the fishing detector).
        extent_m = np.maximum(sides.max(axis=1) - BLUR_PX, 1.0) / np.maximum(ppm, 1e-9)
        size = self.swimmer_size_m
        plausible = (ppm > 0) & (extent_m > 0.25 * size) & (extent_m < MAX_EXTENT * size)
        if self.warm_only and plausible.any():
            plausible[plausible] = self._warm_enough(boxes[plausible], moving, frame)
        candidates = Detections(
            boxes[plausible],
            np.ones(int(plausible.sum())),
            np.full(int(plausible.sum()), ClassId.SWIMMER),
        )
        tracked = self.tracker.update(candidates, t)
        if len(tracked) == 0:
            return tracked
        # Only boxes whose water line lies in a no-swimming area are scored and reported.
        feet = tracked.feet.astype(int)
        feet[:, 0] = np.clip(feet[:, 0], 0, context.shape[1] - 1)
        feet[:, 1] = np.clip(feet[:, 1] - 1, 0, context.shape[0] - 1)
        inside = np.flatnonzero(context.no_swimming[feet[:, 1], feet[:, 0]])
        tracks = self.tracker.tracks
        if self.cue == "skin":
            for gone in self._skin_seen.keys() - tracks.keys():
                del self._skin_seen[gone]
        else:
            if self._strokes is None or self._strokes.fps != context.fps:
                self._strokes = StrokeMeter(context.fps)
            self._strokes.keep_only(tracks)
        self.factors = {}
        if len(inside) == 0:
            return Detections.empty()
        x0, y0, x1, y1 = self._window
        hsv = cv2.cvtColor(frame[y0:y1, x0:x1], cv2.COLOR_BGR2HSV) if self.cue == "skin" else None
        ppm, extent_m = ppm[plausible], extent_m[plausible]
        scores = [
            self._score(
                hsv, moving, tracked.xyxy[i], tracks[int(tracked.tracker_id[i])], ppm[i], extent_m[i], context
            )
            for i in inside
        ]
        reported = tracked[inside]
        return Detections(reported.xyxy, np.array(scores), reported.class_id, reported.tracker_id)

    def _warm_enough(self, boxes: np.ndarray, moving: np.ndarray, frame: np.ndarray) -> np.ndarray:
        """Which ``boxes`` have at least :data:`WARM_SHARE` of their moving pixels (``moving``: the cleaned
        foreground in the water's window) warmer than the background model's mean."""
        x0, y0, x1, y1 = self._window
        bx, by = self._background.window[:2]
        warm = self._background.warmer(frame)[y0 - by : y1 - by, x0 - bx : x1 - bx]
        return warm_shares(boxes, moving, warm, (x0, y0)) >= WARM_SHARE

    def _score(self, hsv, moving, box, track, ppm: float, extent_m: float, context: FrameContext) -> float:
        """Score of one tracked box; ``hsv``, ``moving``: the frame in HSV and the cleaned foreground,
        both cropped to the water's window."""
        window = max(1.0, self.persistence_s * context.fps)
        # Seen often enough, and in most frames since it appeared (waves and glints flicker).
        persistence = min(1.0, track.hits / window) * (track.hits / max(track.age_frames, 1))
        size = math.exp(-0.5 * (math.log(extent_m / self.swimmer_size_m) / 0.55) ** 2)
        speed_mps = (track.speed_px_per_s or 0.0) / max(ppm, 1e-9)
        pace = 1.0 if speed_mps <= self.max_speed_mps else math.exp(-(speed_mps - self.max_speed_mps) / 0.5)
        shape = persistence * size * pace
        if self.cue == "stroke":
            # The height in metres (at the water line's scale): a near and a far swimmer's arms weigh alike.
            self._strokes.add(track.track_id, (box[3] - box[1]) / max(ppm, 1e-9))
        if shape < LOOK_AT_CUE:  # flicker and foam: below any useful threshold whatever its colour or rhythm
            self.factors[track.track_id] = (persistence, size, pace, FLOOR)
            return FLOOR * shape
        if self.cue == "stroke":
            stroke = self._strokes.factor(track.track_id)
            self.factors[track.track_id] = (persistence, size, pace, stroke)
            return float(shape * stroke)
        # Skin over the track's recent frames in the area: a swimmer's face and arms show in most of them,
        # the odd warm pixel of a duck's outline or a glint's fringe in few.
        seen = self._skin_seen.setdefault(track.track_id, deque(maxlen=int(window)))
        seen.append(self._skin_share(hsv, moving, box))
        coloured = [share for share in seen if share is not None]
        if coloured:
            rise = (float(np.mean(coloured)) - SKIN_FLOOR) / (SKIN_SHARE - SKIN_FLOOR)
            skin = 0.15 + 0.85 * min(1.0, max(0.0, rise))
        else:
            skin = GREY_SKIN  # a grey (infrared) image says nothing about skin colour
        self.factors[track.track_id] = (persistence, size, pace, skin)
        return float(shape * skin)

    def _skin_share(self, hsv: np.ndarray, moving: np.ndarray, box) -> float | None:
        """Share of the box's moving pixels that are skin-coloured (None in a grey, infrared image).

        Only foreground pixels count (the box of a blob at the shoreline may hold sand, which has
        skin's hue). Skin: red-orange hue, some saturation, and brighter than the bright quarter of
        the still water around the box, its wave crests (a brown duck has the hue but is as dark as
        the water, brighter only than the troughs; glints, foam and wakes are unsaturated; water is
        blue).
        """
        wx, wy = self._window[:2]
        x0, y0, x1, y1 = (int(v) for v in box)
        x0, y0, x1, y1 = x0 - wx, y0 - wy, x1 - wx, y1 - wy
        height, width = moving.shape
        pad = max(3, x1 - x0)
        around = (
            slice(max(0, y0 - pad), min(height, y1 + pad)),
            slice(max(0, x0 - pad), min(width, x1 + pad)),
        )
        mine = moving[y0:y1, x0:x1] > 0
        if not mine.any():
            return 0.0
        pixels = hsv[y0:y1, x0:x1][mine]
        if pixels[:, 1].mean() < 12:
            return None
        still = hsv[around][moving[around] == 0]
        # The upper quartile (an order statistic: np.quantile's overhead is most of this method's time).
        water_value = (
            float(np.partition(still[:, 2], (3 * len(still)) // 4)[(3 * len(still)) // 4])
            if len(still)
            else 0.0
        )
        hue, saturation, value = pixels[:, 0], pixels[:, 1], pixels[:, 2]
        skin = ((hue < 25) | (hue > 170)) & (saturation > 40) & (value > water_value + SKIN_LIFT)
        return float(skin.mean())
