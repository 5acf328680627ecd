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
   (:mod:`detectors.fishing_bodies`). A body's feet are its lowest row on
   the bank (a line crossing it may hang lower, over the water), in the lower
   half of the piece; the box is cut to :data:`~detectors.fishing_bodies.TALLEST` person heights above
   them (a rod raised for a cast stands on the head). A piece wider than
   :data:`~detectors.fishing_bodies.WIDEST_PERSON_M` is cut to its tall columns (at least half a person
   and half its tallest column): in grazing views (a far bank seen from a pole
   a few degrees above it) the steep line meets the water on the feet row and
   rod, line and body form one piece whose box would hold all the gear, so no
   segment could stick out of it. Bodies at least 0.35 of a
   person's height tall and at most 4 m wide (two people side by side) are the
   candidates, tracked with :class:`~detectors.tracking.Tracker`; their feet
   point is the mean column of that row.
3. **Dwell.** Each track has an *anchor*: where its feet have stood since it
   last moved. Feet farther than ``still_radius_m`` from it for
   :data:`~detectors.fishing_memory.PATIENCE_S` (1 s) set a new anchor there; a single bad frame does not.
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
   (:mod:`detectors.fishing_gear`), which rejects the outlines of blobs, and only if it
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

With ``dry_feet``, a track whose body stood in the water in more than half of the last ``memory_s`` scores
0: someone wading in the shallows (its feet row mostly off the bank, or the body going on below its feet
onto the water: in front of the bank, the legs ending at the waterline a few metres out), not an angler
standing on the bank (:func:`detectors.fishing_bodies.stands_in_water`).

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
Modules: this one holds the detector (foreground, tracking, scoring, reporting);
:mod:`detectors.fishing_masks` a camera's masks, :mod:`detectors.fishing_bodies`
the bodies, :mod:`detectors.fishing_gear` the rod and line evidence and
:mod:`detectors.fishing_memory` what is remembered of each track (dwell, recent evidence).
"""

from __future__ import annotations

import math
import numbers

import cv2
import numpy as np

from detectors.background import Background, BackgroundSettings, clean
from detectors.base import ClassId, Detections, FrameContext, check_frame
from detectors.fishing_bodies import find_bodies, stands_in_water
from detectors.fishing_gear import gear_evidence
from detectors.fishing_masks import CameraMasks, camera_masks
from detectors.fishing_memory import TrackMemory
from detectors.tracking import Tracker

PROTECT_GEAR = 0.3
"""Tracks whose recent gear evidence exceeds this are kept out of the background model's learning."""


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
        grounded_bodies: bool = False,
        dry_feet: bool = False,
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
            grounded_bodies: a body piece wider than a person is cut to the columns whose vertical run
                reaches its feet, not to those holding most pixels: where a rod and line show as
                strongly as the body (a thermal camera at night, the rod warmer than the cold far bank
                behind it) their steep stretches are as tall as the body's columns but float above the
                feet (:func:`detectors.fishing_bodies.grounded_runs`).
            dry_feet: a track whose body stood in the water (its feet row mostly off the bank, or the body
                going on below its feet onto the water) in more than half of the last ``memory_s`` scores 0:
                someone wading in the shallows (:func:`detectors.fishing_bodies.stands_in_water`).
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
        for name, value in (("grounded_bodies", grounded_bodies), ("dry_feet", dry_feet)):
            if not isinstance(value, bool | np.bool_):
                raise ValueError(f"{name} must be true or false, got {value!r}")
        self.grounded_bodies, self.dry_feet = bool(grounded_bodies), bool(dry_feet)
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
        self._memory: dict[int, TrackMemory] = {}
        self._context: FrameContext | None = None
        self._masks: CameraMasks | None = None
        self._last_t: float | None = None
        self.factors: dict[int, tuple[float, float, float]] = {}
        """(dwell, shape, gear) of each track scored in the latest frame, by track id (for inspection)."""

    # ------------------------------------------------------------ per camera

    def _prepare(self, context: FrameContext) -> None:
        """Masks that depend on the camera only: search region, feet region, body opening per row."""
        self._masks = camera_masks(context, self.person_height_m, self.reach_m)
        self._context = context

    def watched_region(self, context: FrameContext) -> np.ndarray:
        """Where foreground matters: the bank and everything within ``reach_m`` of it."""
        if self._context is not context:
            self._prepare(context)
        return self._masks.region

    def use_background(self, background: Background) -> None:
        """Take the foreground from ``background`` (shared with other detectors of the camera)."""
        self._background, self._own_background = background, False

    # ------------------------------------------------------------ frames

    def update(self, frame: np.ndarray, t: float, context: FrameContext) -> Detections:
        """Fishers in ``frame`` (H x W x 3 uint8 BGR) at time ``t`` (s): confidence in [0, 1], tracked."""
        check_frame(frame, context)
        t = self._check_time(t)
        if self._context is not context:
            self._switch_camera(context, t)
        self.factors = {}
        masks = self._masks
        if masks.window[2] == masks.window[0]:  # no no-fishing bank in view: nothing to report
            return Detections.empty()
        if self._background is None:
            self._background = Background(self.background_settings, masks.window)
        mask = self._background.foreground(frame, t, context.fps)
        if self._background.learning(t):  # the first frame always trains the model
            self.tracker.update(Detections.empty(), t)
            return Detections.empty()
        foreground = np.zeros(mask.shape, np.uint8)
        x0, y0, x1, y1 = masks.window
        foreground[y0:y1, x0:x1] = clean(mask, masks.region, masks.window, self._close)
        bodies, feet = find_bodies(
            foreground,
            masks,
            person_height_m=self.person_height_m,
            rod_length_m=self.rod_length_m,
            reach_m=self.reach_m,
            grounded=self.grounded_bodies,
        )
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
            [masks.feet_and_banned[int(y1) - 1, int(x0) : int(x1)].any() for x0, _, x1, y1 in bodies], bool
        )
        result = Detections(np.array(boxes), np.array(scores), tracked.class_id, tracked.tracker_id)
        return result[inside]

    def _check_time(self, t: float) -> float:
        """``t`` (s) as a float, after checking that it is finite and later than the last frame's."""
        t = float(t)
        if not math.isfinite(t):
            raise ValueError(f"t must be a finite time in s, got {t}")
        if self._last_t is not None and t <= self._last_t:
            raise ValueError(f"t must increase from frame to frame: got {t} s after {self._last_t} s")
        self._last_t = t
        return t

    def _switch_camera(self, context: FrameContext, t: float) -> None:
        """A frame of another context at time ``t`` (s): start again if the frame size changed, build its
        masks, and drop an own background model whose window does not cover the new one."""
        if self._context is not None and self._context.shape != context.shape:
            self.reset()  # another camera: start again
            self._last_t = t
        self._prepare(context)
        own = self._own_background and self._background is not None
        if own and not self._background.covers(self._masks.window):
            self._background = None  # other masks reach farther: learn them from the start

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
        ppm = float(self._masks.ppm[min(height - 1, max(0, int(y1) - 1))])
        feet = (float(feet[0]), float(feet[1]))
        memory = self._memory.get(track_id)
        if memory is None:
            memory = self._memory[track_id] = TrackMemory(feet, t)
        dwell = memory.dwell(feet, t, max(2.0, self.still_radius_m * ppm), self.dwell_s)
        gear, segments = gear_evidence(
            grey,
            foreground,
            self._masks.water,
            (x0, y0, x1, y1),
            ppm,
            others,
            person_height_m=self.person_height_m,
            rod_length_m=self.rod_length_m,
            reach_m=self.reach_m,
        )
        shape, gear = memory.remember(t, self._shape((x0, y0, x1, y1), ppm), gear, segments, self.memory_s)
        self.factors[track_id] = (dwell, shape, gear)
        dry = 1.0
        if self.dry_feet:  # standing in the water in most recent frames: a wader, not an angler
            wet = stands_in_water(foreground, self._masks, (x0, y0, x1, y1))
            dry = float(memory.wading(t, wet, self.memory_s) <= 0.5)
        reported = _union((x0, y0, x1, y1), segments)
        window = None
        if gear > PROTECT_GEAR:  # the body and where its rod and line are or were (a cast moves them)
            seen = memory.gear_box(gear)
            wx0, wy0, wx1, wy1 = _union(reported, seen)
            pad = max(3, round(0.5 * ppm))
            window = (
                max(0, int(wx0) - pad),
                max(0, int(wy0) - pad),
                min(width, math.ceil(wx1) + pad),
                min(height, math.ceil(wy1) + pad),
            )
        return reported, float(dwell * shape * gear * dry), window


def _is_number(value) -> bool:
    """A real number (Python or numpy), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _union(box, other) -> tuple[float, float, float, float]:
    """The box covering ``box`` and ``other`` (which may be None)."""
    if other is None:
        return tuple(box)
    return (min(box[0], other[0]), min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3]))
