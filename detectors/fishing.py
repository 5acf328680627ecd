"""Fishing detector: a person who stays on the bank with a rod or line reaching over the water.

Pipeline, per frame
-------------------
1. **Foreground.** MOG2 (:mod:`detectors.background`, which also holds the
   learning schedule) kept inside the *search region*: the bank
   (``context.shore``, land within a few metres of the water) and everything
   within ``reach_m`` of it (a person's body above the bank, the rod, the line
   over the near water), then closed with a 3 x 3 ellipse. The first
   ``warmup_s`` only train the model (OpenCV's own fast rate). Afterwards it
   learns slowly, so that a still object fades into the background after
   about ``absorb_s``. Tracks that show a rod or line are *protected*: the
   model classifies the real frame but learns from a copy in which their
   windows hold its background image, so an angler who stays for hours is
   never absorbed. In pixel mode the model is shared with the swimming
   detector of the same camera (:func:`detectors.background.share_background`).
2. **Bodies.** A person is a vertical blob, rods and lines are thin slanted
   ones: an opening with a vertical line a third of a person's height at that
   row (from ``pixels_per_metre``; odd, at least 3 px) keeps bodies and drops
   most of the gear. Steep stretches of rod or line survive it, so within one
   connected foreground object the pieces are taken from the lowest up and a
   piece that floats above a kept body within a rod's reach (unless it is a
   filled blob of a person's height where it stands: someone farther away),
   or is much shorter than it and within ``reach_m``, is gear, not a body
   (:meth:`FishingDetector._is_gear_of`). A body's feet are its lowest row on
   the bank (a line crossing it may hang lower, over the water), in the lower
   half of the piece; the box is cut to :data:`TALLEST` person heights above
   them (a rod raised for a cast stands on the head). A piece wider than
   :data:`WIDEST_PERSON_M` is cut to its tall columns (at least half a person
   and half its tallest column): in grazing views (a far bank seen from a pole
   a few degrees above it) the steep line meets the water on the feet row and
   rod, line and body form one piece whose box would hold all the gear, so no
   segment could stick out of it. Bodies at least 0.35 of a
   person's height tall and at most 4 m wide (two people side by side) are the
   candidates, tracked with :class:`~detectors.tracking.Tracker`; their feet
   point is the mean column of that row.
3. **Dwell.** Each track has an *anchor*: where its feet have stood since it
   last moved. Feet farther than ``still_radius_m`` from it for
   :data:`PATIENCE_S` (1 s) set a new anchor there; a single bad frame does not.
   A walker (1-1.6 m/s) is re-anchored every 1-2 s and never dwells; only
   someone slower than about ``still_radius_m`` / ``dwell_s`` (0.08 m/s) reaches
   full dwell.
4. **Rod and line.** In a window of ``reach_m`` around the body, Canny edges
   (Canny 1986, "A computational approach to edge detection", IEEE PAMI 8:679)
   of the frame, kept only next to foreground (the static edges of paths and
   shorelines drop out), are grouped into segments by the probabilistic Hough
   transform (Hough 1962; Duda & Hart 1972, CACM 15:11; the progressive
   probabilistic variant of Matas, Galambos & Kittler 2000, CVIU 78:119, as
   ``cv2.HoughLinesP``). A segment counts only if it is a *thin line*: along it
   the image is darker (rod) or brighter (line) than 3 px to either side
   (:func:`_thin_line`), which rejects the outlines of blobs, and only if it
   touches no other body (a neighbour's rod, or an edge joining two people).
   Then

   * a **rod** starts at the upper body, ends at least a quarter rod length
     outside the body box and rises by at least a quarter rod length; its
     value is its length over half a rod length (``rod_length_m``), capped at 1;
   * a **line** ends on the water at least that far from the body box, drops
     to it by at least 0.5 m, and hangs from where this person's rod tip can
     be (beside the body by at most a rod length, between the waist and the
     hands' height plus a rod length; within half a rod length of the tip when
     a rod was found); its value is its length over 1.5 m, capped at 1.

5. **Score**: the product of three factors in [0, 1]:

   * ``dwell`` = time at the anchor / ``dwell_s``, capped at 1;
   * ``shape`` = 1 when the body box is at least half a person's height tall
     (a sitting angler shows about 0.75), falling off below that as a
     log-normal (σ 0.3), after removing the 2 px that anti-aliasing and the
     closing add; the best value of the last ``memory_s`` seconds. (Taller
     boxes were cut, wider ones dropped, when the candidates were made.)
   * ``gear``: per frame 1 − (1 − 0.7·rod)(1 − 0.7·line), so a rod or a line
     alone gives at most 0.7 and both 0.91; the factor is the upper quartile
     of the last ``memory_s`` seconds: gear must be seen in a quarter of the
     recent frames, which bridges a cast (the rod swings back over the head
     and the line leaves the water for about 4.5 s every 75 s) but not a
     single stray frame.

Only tracks whose feet row touches, under the body, the bank of a no-fishing
area (``context.shore`` dilated by a pixel, and ``context.no_fishing``) are
reported, class :attr:`ClassId.FISHER`; the box covers the body and the rod and
line segments found in that frame.
:attr:`FishingDetector.factors` keeps the three factors of every scored track
of the latest frame (also of those not reported) for inspection.

Limitations: someone already standing still during the warm-up becomes part of
the background and is not found; a rod that stays hidden (pointing straight at
or away from the camera, or as dark as what is behind it) gives no gear
evidence; a walker heading straight towards or away from a distant camera moves
less than a pixel a second and may dwell (it is then rejected by the missing
rod and line); two anglers close together in the image merge into one body or
hide each other's gear; at 640 x 360, beyond about 180 m (a person 5 px tall,
a rod 8 px long) bodies and gear are found in fewer frames (pixel mode analyses
banks farther than a camera's ``fishing_tile_beyond`` in a full-resolution tile,
``sim/pixel/far_bank_tile.py``).
"""

from __future__ import annotations

import math
import numbers
from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

from detectors.background import Background, BackgroundSettings, clean, window_of
from detectors.base import ClassId, Detections, FrameContext, check_frame
from detectors.tracking import Tracker

TALLEST = 1.4
"""Body boxes are cut to this many person heights above the feet (+2 px): the rest is a raised rod."""
PATIENCE_S = 1.0
"""A track has moved once its feet stay away from their anchor this long, s (a frame or two of a bad
body box does not restart the dwell; a walker at 1 m/s has moved after about 1.75 s)."""
THIN_SHARE = 0.6
"""A rod or line segment must look like a thin line (see :func:`_thin_line`) on this share of its points."""
RIDGE_LEVELS = 8
"""Contrast (8-bit grey levels) of a thin line against the image 3 px to either side."""
GEAR_QUANTILE = 0.75
"""The gear factor is this quantile of the per-frame gear evidence of the last ``memory_s``."""
PROTECT_GEAR = 0.3
"""Tracks whose recent gear evidence exceeds this are kept out of the background model's learning."""
WIDEST_PERSON_M = 1.2
"""A body piece wider than this (arms out; +3 px of anti-aliasing and closing) holds gear that the opening
kept: it is cut to its tall columns, m."""
GEAR_WEIGHT = 0.7
"""Gear factor given by a rod alone or a line alone (both together: 1 − 0.3² = 0.91)."""


@dataclass
class _TrackMemory:
    """What the detector remembers about one track between frames."""

    anchor: tuple[float, float]
    """Feet position (px) where the track has stood since it last moved."""
    anchor_t: float
    """Time it arrived there, s."""
    away_since: float | None = None
    """Time since when its feet have been farther than the still radius from the anchor, s."""
    evidence: deque = field(default_factory=deque)
    """(t, shape, gear, box of the gear segments or None) of recent frames."""
    last_seen: float = 0.0


class FishingDetector:
    """Scores anglers on no-fishing banks; see the module docstring."""

    def __init__(
        self,
        person_height_m: float = 1.7,
        rod_length_m: float = 3.0,
        dwell_s: float = 10.0,
        still_radius_m: float = 0.75,
        memory_s: float = 8.0,
        reach_m: float = 9.0,
        warmup_s: float = 5.0,
        absorb_s: float = 60.0,
        history: int = 500,
        var_threshold: float = 16.0,
    ):
        """
        Args:
            person_height_m: height of a standing adult, m (a sitting one shows about 0.75 of it).
            rod_length_m: length of a fishing rod, m.
            dwell_s: time a person must stay within ``still_radius_m`` for full dwell, s.
            still_radius_m: how far a person's feet may shift and still count as staying, m.
            memory_s: shape and rod/line evidence are taken over this many recent seconds, s
                (longer than a cast, about 4.5 s).
            reach_m: the search region extends this far around the bank (rod and line), m.
            warmup_s: frames before this only train the background model, s (the first frame always
                does; a few seconds let MOG2 learn the waves).
            absorb_s: after the warm-up, an unprotected still object fades into the background
                after about this long, s (sets MOG2's learning rate).
            history: MOG2 history during the warm-up, frames.
            var_threshold: MOG2 squared Mahalanobis distance that counts as foreground.
        """
        for name, value in (
            ("person_height_m", person_height_m),
            ("rod_length_m", rod_length_m),
            ("dwell_s", dwell_s),
            ("still_radius_m", still_radius_m),
            ("memory_s", memory_s),
            ("reach_m", reach_m),
            ("absorb_s", absorb_s),
            ("var_threshold", var_threshold),
        ):
            if not (_is_number(value) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        if not (_is_number(warmup_s) and math.isfinite(warmup_s) and warmup_s >= 0):
            raise ValueError(f"warmup_s must be a finite number >= 0 s, got {warmup_s!r}")
        if not (isinstance(history, int | np.integer) and not isinstance(history, bool) and history >= 2):
            raise ValueError(f"history must be an integer >= 2 frames, got {history!r}")
        self.person_height_m = float(person_height_m)
        self.rod_length_m = float(rod_length_m)
        self.dwell_s = float(dwell_s)
        self.still_radius_m = float(still_radius_m)
        self.memory_s = float(memory_s)
        self.reach_m = float(reach_m)
        self.warmup_s = float(warmup_s)
        self.absorb_s = float(absorb_s)
        self.history = int(history)
        self.var_threshold = float(var_threshold)
        self.background_settings = BackgroundSettings(
            self.history, self.var_threshold, self.warmup_s, self.absorb_s
        )
        self._close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
        self.reset()

    def reset(self) -> None:
        """Forget the background model, the tracks and the camera's masks (done by itself when the
        frame size changes; one detector serves one camera, fed its frames in time order)."""
        self._background: Background | None = None
        self._own_background = True
        self.tracker = Tracker(max_distance_px=6.0, max_missed=10, min_hits=3)
        self._memory: dict[int, _TrackMemory] = {}
        self._context: FrameContext | None = None
        self._last_t: float | None = None
        self.factors: dict[int, tuple[float, float, float]] = {}
        """(dwell, shape, gear) of each track scored in the latest frame, by track id (for inspection)."""

    # ------------------------------------------------------------ per camera

    def _prepare(self, context: FrameContext) -> None:
        """Masks that depend on the camera only: search region, feet region, body opening per row."""
        height, width = context.shape
        ppm = np.asarray(context.pixels_per_metre, dtype=np.float64)
        self._ppm = ppm
        shore = context.shore.astype(np.uint8)
        self._feet = cv2.dilate(shore, np.ones((3, 3), np.uint8)).astype(bool)
        self._feet_and_banned = self._feet & context.no_fishing
        # Search region: within reach_m of the bank of a no-fishing area (where reported feet stand),
        # strip by strip at each strip's scale (an exact Euclidean distance transform: a dilation with a
        # disc of that radius, in a fraction of its time).
        banned_bank = self._feet_and_banned.astype(np.uint8)
        region = np.zeros((height, width), bool)
        for y0 in range(0, height, 24):
            strip = banned_bank[y0 : y0 + 24]
            if not strip.any():
                continue
            radius = int(min(max(width, height), math.ceil(self.reach_m * ppm[min(height - 1, y0 + 23)])))
            elsewhere = np.ones((height, width), np.uint8)
            elsewhere[y0 : y0 + 24][strip > 0] = 0
            region |= cv2.distanceTransform(elsewhere, cv2.DIST_L2, cv2.DIST_MASK_PRECISE) <= radius
        self._region = region
        self._water = cv2.dilate(context.water.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        # Shortest vertical run a body has on each row: a third of the height of a person whose middle
        # is on that row (feet half a height lower), odd (a centred kernel), >= 3 px.
        below = np.minimum(height - 1, np.arange(height) + np.round(0.5 * self.person_height_m * ppm))
        third = 0.33 * self.person_height_m * ppm[below.astype(int)]
        self._run = np.maximum(3, 2 * np.floor(third / 2) + 1).astype(int)
        self._window = window_of(self._region)
        self._context = context

    def watched_region(self, context: FrameContext) -> np.ndarray:
        """Where foreground matters: the bank and everything within ``reach_m`` of it."""
        if self._context is not context:
            self._prepare(context)
        return self._region

    def use_background(self, background: Background) -> None:
        """Take the foreground from ``background`` (shared with other detectors of the camera)."""
        self._background, self._own_background = background, False

    # ------------------------------------------------------------ frames

    def update(self, frame: np.ndarray, t: float, context: FrameContext) -> Detections:
        """Fishers in ``frame`` (H x W x 3 uint8 BGR) at time ``t`` (s): confidence in [0, 1], tracked."""
        check_frame(frame, context)
        t = float(t)
        if not math.isfinite(t):
            raise ValueError(f"t must be a finite time in s, got {t}")
        if self._last_t is not None and t <= self._last_t:
            raise ValueError(f"t must increase from frame to frame: got {t} s after {self._last_t} s")
        self._last_t = t
        if self._context is not context:
            if self._context is not None and self._context.shape != context.shape:
                self.reset()  # another camera: start again
                self._last_t = t
            self._prepare(context)
            own = self._own_background and self._background is not None
            if own and not self._background.covers(self._window):
                self._background = None  # other masks reach farther: learn them from the start
        self.factors = {}
        if self._window[2] == self._window[0]:  # no no-fishing bank in view: nothing to report
            return Detections.empty()
        if self._background is None:
            self._background = Background(self.background_settings, self._window)
        mask = self._background.foreground(frame, t, context.fps)
        if self._background.learning(t):  # the first frame always trains the model
            self.tracker.update(Detections.empty(), t)
            return Detections.empty()
        foreground = np.zeros(mask.shape, np.uint8)
        x0, y0, x1, y1 = self._window
        foreground[y0:y1, x0:x1] = clean(mask, self._region, self._window, self._close)
        bodies, feet = self._bodies(foreground)
        candidates = Detections(bodies, np.ones(len(bodies)), np.full(len(bodies), ClassId.FISHER))
        tracked = self.tracker.update(candidates, t)
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        boxes, scores, protected = [], [], []
        for i in range(len(tracked)):
            others = np.delete(bodies, i, axis=0)
            box, score, window = self._score(
                grey, foreground, bodies[i], feet[i], others, int(tracked.tracker_id[i]), t
            )
            boxes.append(box)
            scores.append(score)
            if window is not None:
                protected.append(window)
        for track_id in [k for k, m in self._memory.items() if t - m.last_seen > self.memory_s]:
            del self._memory[track_id]
        self._background.protect(protected)
        if not len(tracked):
            return Detections.empty()
        # Reported when the row of its feet touches the bank of a no-fishing area under the body (at a
        # distance the bank is a pixel or two wide and the feet point may miss it).
        inside = np.array(
            [self._feet_and_banned[int(y1) - 1, int(x0) : int(x1)].any() for x0, _, x1, y1 in bodies], bool
        )
        result = Detections(np.array(boxes), np.array(scores), tracked.class_id, tracked.tracker_id)
        return result[inside]

    def _bodies(self, foreground: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Boxes (n, 4) of vertical blobs of about a person's size whose feet are on the bank, and their
        feet (n, 2): mean column and bottom edge of their lowest row on the bank, px."""
        body = np.zeros_like(foreground)
        for run in np.unique(self._run[self._region.any(axis=1)]):
            rows = self._run == run
            opened = cv2.morphologyEx(foreground, cv2.MORPH_OPEN, np.ones((int(run), 1), np.uint8))
            body[rows] |= opened[rows]
        count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
            body, 8, cv2.CV_32S, cv2.CCL_GRANA
        )
        if count <= 1:
            return np.zeros((0, 4)), np.zeros((0, 2))
        # The foreground object each piece belongs to: a steep stretch of rod survives the opening too,
        # but it floats above the feet of the body that holds it.
        _, objects = cv2.connectedComponentsWithAlgorithm(foreground, 8, cv2.CV_32S, cv2.CCL_GRANA)
        pieces: dict[int, list[tuple[int, int, int, int, float, float]]] = {}  # box, feet x, fill
        for k in range(1, count):
            x, y, w, h = (int(v) for v in stats[k, :4])
            # The feet: its lowest row on the bank (a line crossing it may hang lower, over the water),
            # which must be in the lower half of the piece.
            mine = labels[y : y + h, x : x + w] == k
            on_bank = np.flatnonzero((mine & self._feet[y : y + h, x : x + w]).any(axis=1))
            if not len(on_bank) or on_bank[-1] < 0.5 * h:
                continue
            h = int(on_bank[-1]) + 1
            bottom = y + h - 1
            ppm = self._ppm[bottom]
            if ppm <= 0:
                continue
            expected = self.person_height_m * ppm
            tallest = math.ceil(TALLEST * expected + 2)
            top = max(0, h - tallest)  # above this a rod raised for a cast stands on the head
            mine = mine[top:h]
            y, h = y + top, h - top
            columns = np.flatnonzero(mine.any(axis=0))
            if columns[-1] - columns[0] + 1 > WIDEST_PERSON_M * ppm + 3:
                # Wider than a person: a steep rod or line survived the opening and joined the body (in
                # grazing views the line meets the water on the feet row). The body is where the piece
                # is tall (half its tallest column, half a person); a rod or line column holds a few pixels.
                heights = mine.sum(axis=0)
                tall = np.flatnonzero(heights >= max(0.5 * expected, 0.5 * heights.max()))
                columns = tall if len(tall) else columns
            mine = mine[:, columns[0] : columns[-1] + 1]
            x, w = x + int(columns[0]), int(columns[-1] - columns[0]) + 1
            rows = np.flatnonzero(mine.any(axis=1))
            mine = mine[rows[0] : rows[-1] + 1]
            y, h = y + int(rows[0]), int(rows[-1] - rows[0]) + 1
            feet_row = mine[-1]
            if not (h >= 0.35 * expected and w <= 4.0 * ppm + 3):
                continue
            obj = int(objects[bottom, x : x + w][feet_row].max())
            feet_x = x + float(np.flatnonzero(feet_row).mean()) + 0.5
            pieces.setdefault(obj, []).append((x, y, x + w, y + h, feet_x, float(mine.mean())))
        kept: list[tuple] = []
        for group in pieces.values():
            bodies: list[tuple] = []
            for piece in sorted(group, key=lambda b: (-b[3], b[0])):
                if not any(self._is_gear_of(piece, body) for body in bodies):
                    bodies.append(piece)
            kept += [b[:5] for b in bodies]
        kept = np.array(kept, dtype=np.float64).reshape(-1, 5)
        return kept[:, :4], np.column_stack([kept[:, 4], kept[:, 3]])

    def _is_gear_of(self, piece, body) -> bool:
        """Is ``piece`` a steep stretch of the rod or line held by ``body`` (a lower or equally low
        piece of the same foreground object)?

        Its bottom must be at most the hands' height plus a rod length above the body's feet. Then it
        is gear if it floats above the body's feet beside the body (by at most a rod length) and is
        not a filled blob (over 55 % of its box) of 0.7 person heights or more at its own row (that is
        someone standing farther away), or if it is much shorter than the body and within
        ``reach_m`` of it (the line comes down to the water, which may be level with the angler's
        feet or nearer the camera). Pieces are (x0, y0, x1, y1, feet x, fill).
        """
        ppm = self._ppm[int(body[3]) - 1]
        rod_px = self.rod_length_m * ppm
        centre = 0.5 * (piece[0] + piece[2])
        if piece[3] < body[3] - (0.75 * self.person_height_m * ppm + rod_px):
            return False  # higher than any rod tip
        floats = piece[3] < body[3] - (0.3 * self.person_height_m * ppm + 1)
        if floats and body[0] - rod_px <= centre <= body[2] + rod_px:
            # A filled blob of a person's height where it stands is someone farther away, not a rod.
            own = self.person_height_m * self._ppm[int(piece[3]) - 1]
            return piece[3] - piece[1] - 2 < 0.7 * own or piece[5] < 0.55
        reach = self.reach_m * ppm
        short = (piece[3] - piece[1]) < 0.7 * (body[3] - body[1])
        return short and body[0] - reach <= centre <= body[2] + reach

    # ------------------------------------------------------------ scoring

    def _shape(self, box, ppm: float) -> float:
        """How well the height of a body box fits a person at that row, in [0, 1] (its width was checked
        when it became a candidate: at most 4 m, two people side by side)."""
        _, y0, _, y1 = box
        # Anti-aliased edges and the closing add about a pixel on each side.
        ratio = max(y1 - y0 - 2.0, 1.0) / (self.person_height_m * ppm)
        if ratio >= 0.5:  # a sitting person or taller (boxes are cut at TALLEST person heights)
            return 1.0
        return math.exp(-0.5 * (math.log(ratio / 0.5) / 0.3) ** 2)

    def _score(self, grey, foreground, box, feet, others, track_id: int, t: float):
        """(reported box, score, window to protect or None) of one tracked body; ``others``: the
        other bodies' boxes (m, 4) in this frame."""
        x0, y0, x1, y1 = (float(v) for v in box)
        height, width = grey.shape
        ppm = float(self._ppm[min(height - 1, max(0, int(y1) - 1))])
        feet = (float(feet[0]), float(feet[1]))
        memory = self._memory.get(track_id)
        if memory is None:
            memory = self._memory[track_id] = _TrackMemory(feet, t)
        radius = max(2.0, self.still_radius_m * ppm)
        if math.hypot(feet[0] - memory.anchor[0], feet[1] - memory.anchor[1]) <= radius:
            memory.away_since = None
        elif memory.away_since is None:
            memory.away_since = t
        elif t - memory.away_since >= PATIENCE_S:  # it has moved: a new anchor where it is now
            memory.anchor, memory.anchor_t, memory.away_since = feet, t, None
        memory.last_seen = t
        dwell = min(1.0, (t - memory.anchor_t) / self.dwell_s)
        gear, segments = self._gear(grey, foreground, (x0, y0, x1, y1), ppm, others)
        memory.evidence.append((t, self._shape((x0, y0, x1, y1), ppm), gear, segments))
        while memory.evidence[0][0] < t - self.memory_s:
            memory.evidence.popleft()
        shape = max(item[1] for item in memory.evidence)
        # Gear seen in at least a quarter of the recent frames: through a cast, but not from one stray frame.
        gear = float(np.quantile([item[2] for item in memory.evidence], GEAR_QUANTILE, method="higher"))
        self.factors[track_id] = (dwell, shape, gear)
        reported = _union((x0, y0, x1, y1), segments)
        window = None
        if gear > PROTECT_GEAR:  # the body and where its rod and line are or were (a cast moves them)
            seen = next(item[3] for item in reversed(memory.evidence) if item[2] >= gear)
            wx0, wy0, wx1, wy1 = _union(reported, seen)
            pad = max(3, round(0.5 * ppm))
            window = (
                max(0, int(wx0) - pad),
                max(0, int(wy0) - pad),
                min(width, math.ceil(wx1) + pad),
                min(height, math.ceil(wy1) + pad),
            )
        return reported, float(dwell * shape * gear), window

    def _gear(self, grey, foreground, box, ppm: float, others=()):
        """Rod and line evidence in [0, 1] around a body, and the box (px) of the segments that gave it.

        Segments touching another body (``others``, boxes (m, 4)) are someone else's: a neighbour's
        rod, or an edge that joins two people.
        """
        x0, y0, x1, y1 = box
        height, width = grey.shape
        reach = self.reach_m * ppm
        wx0, wy0 = max(0, int(x0 - reach)), max(0, int(y0 - 0.5 * reach))
        wx1, wy1 = min(width, int(x1 + reach) + 1), min(height, int(y1 + reach) + 1)
        fg = foreground[wy0:wy1, wx0:wx1]
        if not fg.any():
            return 0.0, None
        edges = cv2.Canny(grey[wy0:wy1, wx0:wx1], 30, 90)
        edges &= cv2.dilate(fg, np.ones((3, 3), np.uint8))
        rod_px = self.rod_length_m * ppm
        shortest = max(4, round(0.3 * rod_px))
        lines = cv2.HoughLinesP(
            edges, 1, math.pi / 180, threshold=max(4, shortest // 2), minLineLength=shortest, maxLineGap=2
        )
        if lines is None:
            return 0.0, None
        segs = lines.reshape(-1, 4).astype(np.float64) + np.array([wx0, wy0, wx0, wy0], dtype=np.float64)
        for ox0, oy0, ox1, oy1 in others:
            touches = np.zeros(len(segs), bool)
            for ex, ey in ((segs[:, 0], segs[:, 1]), (segs[:, 2], segs[:, 3])):
                touches |= (ex >= ox0 - 1) & (ex <= ox1 + 1) & (ey >= oy0 - 1) & (ey <= oy1 + 1)
            segs = segs[~touches]
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
        line = 0.0
        # Where a rod tip can be: beside the body by at most a rod length, no higher above the feet
        # than the hands (0.75 of a person's height) plus a rod, and above the waist.
        top = y1 - (0.75 * self.person_height_m + self.rod_length_m) * ppm - margin
        tips = (x0 - rod_px - margin, top, x1 + rod_px + margin, y1 - 0.5 * body_h)
        for sx0, sy0, sx1, sy1 in segs:
            low, high = ((sx0, sy0), (sx1, sy1)) if sy0 >= sy1 else ((sx1, sy1), (sx0, sy0))
            lx, ly = min(width - 1, int(low[0])), min(height - 1, int(low[1]))
            if not self._water[ly, lx] or _box_distance(low, box) < stick_out:
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
        evidence = 1.0 - (1.0 - GEAR_WEIGHT * rod) * (1.0 - GEAR_WEIGHT * line)
        if not used:
            return evidence, None
        pts = np.array(used).reshape(-1, 2)
        return evidence, (*pts.min(axis=0).tolist(), *(pts.max(axis=0) + 1).tolist())


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


def _is_number(value) -> bool:
    """A real number (Python or numpy), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _union(box, other) -> tuple[float, float, float, float]:
    """The box covering ``box`` and ``other`` (which may be None)."""
    if other is None:
        return tuple(box)
    return (min(box[0], other[0]), min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3]))


def _box_distance(point, box) -> float:
    """Distance (px) from a point to a box (0 inside)."""
    dx = max(box[0] - point[0], 0.0, point[0] - box[2])
    dy = max(box[1] - point[1], 0.0, point[1] - box[3])
    return math.hypot(dx, dy)
