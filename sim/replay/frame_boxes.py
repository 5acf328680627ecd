"""A camera frame as the replay page shows it: the ground-truth boxes, in pixel-mode runs the detector's
boxes with their scores, the offender enlarged, a legend under the image, as a JPEG in base64.

Colours (BGR): truth boxes as ``render`` draws them (:func:`sim.render.clips.annotate`: red offenders,
yellow everything else, a thin line with the class and distance), the detector's boxes magenta (as an
alarm frame draws the alarm's box, :mod:`sim.pixel.alarm_frames`) with the score beside them, drawn 2 px
outside the box the detector reported so that a truth box under it stays visible; thick when the score
reaches the alarm threshold (a hit toward the k-of-n rule), thin below it; the box that completed an
alarm in this frame is marked ``ALARM``.
"""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np

from sim.render.actors import ActorClass
from sim.render.clips import OFFENDER_COLOUR, OTHER_COLOUR
from sim.render.frame import Frame

FRAME_WIDTH_PX = 640
"""Frames are drawn and shown at this width, px."""
JPEG_QUALITY = 70
INSET_SHARE = 0.4
"""Side of the enlarged view of the offender, drawn in the frame's top-right corner, as a share of the
frame's width (at most 55 % of its height)."""
DETECTOR_COLOUR = (255, 0, 255)
"""BGR magenta: the detector's boxes."""
LEGEND_PX = 22
"""Height of the legend band under the image, px."""
FONT = cv2.FONT_HERSHEY_SIMPLEX


@dataclass(frozen=True)
class DetectorBox:
    """One detection the alarm filter was given in a frame (the offender classes only)."""

    kind: str
    """``swimming`` or ``fishing``: the detector that reported it."""
    xyxy: tuple[float, float, float, float]
    """Box in the analysed frame, px."""
    score: float
    """The detector's confidence, 0-1."""
    track: int
    """Track id (-1: untracked)."""
    hit: bool
    """Score at or above the kind's alarm threshold: counts toward the k-of-n rule."""
    alarm: bool
    """This box completed an alarm in this frame."""

    def as_data(self) -> dict:
        """The page's form: ``{kind, box: [x0, y0, x1, y1], score, track, hit, alarm}``, px in the analysed
        frame, rounded to 0.1 px and 0.0001."""
        box = [round(float(v), 1) for v in self.xyxy]
        return {
            "kind": self.kind,
            "box": box,
            "score": round(self.score, 4),
            "track": self.track,
            "hit": self.hit,
            "alarm": self.alarm,
        }


def to_width(frame: Frame, width: int = FRAME_WIDTH_PX) -> tuple[Frame, float]:
    """``frame`` scaled to ``width`` px (nearest pixel when enlarged, so the pixels the detector had stay
    visible; area average when reduced) with its truth boxes, and the scale applied."""
    height, old = frame.image.shape[:2]
    if old == width:
        return frame, 1.0
    scale = width / old
    method = cv2.INTER_NEAREST if scale > 1 else cv2.INTER_AREA
    image = cv2.resize(frame.image, (width, round(height * scale)), interpolation=method)
    truth = tuple(
        dataclasses.replace(
            b, x0=round(b.x0 * scale), y0=round(b.y0 * scale), x1=round(b.x1 * scale), y1=round(b.y1 * scale)
        )
        for b in frame.truth
    )
    return dataclasses.replace(frame, image=image, truth=truth), scale


Rect = tuple[int, int, int, int]
"""x0, y0, x1, y1 in the drawn image, px."""


def draw_detector_boxes(image: np.ndarray, boxes: list[DetectorBox], scale: float) -> list[Rect]:
    """Each detector box (analysed-frame px times ``scale``) in magenta, 2 px outside the reported box, in
    place (the strongest drawn last, on top); returns the boxes as drawn (px), in the order of ``boxes``."""
    drawn = [tuple(round(v * scale) for v in box.xyxy) for box in boxes]
    for box, (x0, y0, x1, y1) in sorted(
        zip(boxes, drawn, strict=True), key=lambda p: (p[0].alarm, p[0].score)
    ):
        thick = 3 if box.alarm else 2 if box.hit else 1
        cv2.rectangle(image, (x0 - 2, y0 - 2), (x1 + 1, y1 + 1), DETECTOR_COLOUR, thick)
    return drawn


def draw_score_tags(
    image: np.ndarray, boxes: list[DetectorBox], drawn: list[Rect], taken: list[Rect], hidden: list[Rect]
) -> None:
    """Each box's score on a dark tag beside it, in place, where the tag covers nothing ``taken`` (truth
    boxes and labels, the enlarged view), no box and no other tag: the alarm's and the hits' always (the
    strongest first; further down if need be, with a line to the box), a box below the threshold only
    where its tag fits right beside it, so that no tag hides another; no tag for a box ``hidden`` (under
    the enlarged view)."""
    taken = taken + [(x0 - 3, y0 - 3, x1 + 2, y1 + 2) for x0, y0, x1, y1 in drawn]
    for box, xyxy in sorted(zip(boxes, drawn, strict=True), key=lambda p: (not p[0].alarm, -p[0].score)):
        if any(_inside(xyxy, area) for area in hidden):
            continue
        label = f"ALARM {box.score:.2f}" if box.alarm else f"{box.score:.2f}"
        size = cv2.getTextSize(label, FONT, 0.4, 1)[0]
        strong = box.hit or box.alarm
        tag = _free_place(size, xyxy, taken, image.shape, stack=strong)
        if tag is None and not strong:
            continue
        tag = tag or _free_place(size, xyxy, [], image.shape)
        taken.append(tag)
        centre = ((xyxy[0] + xyxy[2]) // 2, (xyxy[1] + xyxy[3]) // 2)
        on_tag = (int(np.clip(centre[0], tag[0], tag[2])), int(np.clip(centre[1], tag[1], tag[3])))
        on_box = (
            int(np.clip(on_tag[0], xyxy[0] - 2, xyxy[2] + 1)),
            int(np.clip(on_tag[1], xyxy[1] - 2, xyxy[3] + 1)),
        )
        if abs(on_tag[0] - on_box[0]) + abs(on_tag[1] - on_box[1]) > 6:  # away from its box: a leader line
            cv2.line(image, on_tag, on_box, DETECTOR_COLOUR, 1, cv2.LINE_AA)
        cv2.rectangle(image, tag[:2], (tag[2] - 1, tag[3] - 1), (20, 20, 20), -1)
        cv2.putText(image, label, (tag[0] + 2, tag[3] - 4), FONT, 0.4, DETECTOR_COLOUR, 1, cv2.LINE_AA)


def truth_areas(truth) -> list[Rect]:
    """The truth boxes and where :func:`sim.render.clips.annotate` writes their labels, px."""
    return [_truth_label(b) for b in truth] + [(b.x0, b.y0, b.x1, b.y1) for b in truth]


def _truth_label(box) -> tuple[int, int, int, int]:
    """Where :func:`sim.render.clips.annotate` writes a truth box's label (font 0.35), px."""
    (w, h), _ = cv2.getTextSize(f"{box.cls} {box.distance_m:.0f} m", FONT, 0.35, 1)
    y = max(10, box.y0 - 3)
    return box.x0, y - h - 1, box.x0 + w, y + 2


def _free_place(size, xyxy, taken, shape, stack: bool = True) -> Rect | None:
    """A tag of ``size`` (text w, h) beside box ``xyxy``: below, above, right or left of it, or (``stack``)
    further down, the first inside the image that overlaps nothing ``taken``; None if there is none."""
    (w, h), (x0, y0, x1, y1) = size, xyxy
    w, h = w + 4, h + 7
    height, width = shape[:2]
    spots = [(x0 - 2, y1 + 3), (x0 - 2, y0 - 4 - h), (x1 + 4, y0 - 2), (x0 - 6 - w, y0 - 2)]
    if stack:
        spots += [(x0 - 2, y1 + 3 + k * h) for k in range(1, 5)] + [
            (x1 + 4, y0 - 2 + k * h) for k in range(1, 5)
        ]
    for x, y in spots:
        x, y = int(np.clip(x, 0, width - w)), int(np.clip(y, 0, height - h))
        tag = (x, y, x + w, y + h)
        if not any(_overlap(tag, other) for other in taken):
            return tag
    return None


def _inside(a: Rect, b: Rect) -> bool:
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def with_inset(
    image: np.ndarray, frame: Frame, actor_id: str | None = None, marks: tuple = (), scale: float = 1.0
) -> tuple[np.ndarray, list[Rect]]:
    """``image`` (the annotated ``frame``, same size) with the offender's box drawn thick enough to survive
    the page's downscaling and its surroundings enlarged in a corner (the one that hides fewest boxes): what
    the detector had to find stays visible when the frame is shown small. ``actor_id``: the offender to
    enlarge (default: the first in the frame); ``marks``: detector boxes to draw in the enlarged view too
    (their ``xyxy`` times ``scale`` are ``frame``'s pixels). Returns the image and what the enlarged view
    (first) and the square around its source cover, px (nothing if the frame holds no offender)."""
    boxes = [b for b in frame.truth if b.cls in (ActorClass.SWIMMER, ActorClass.FISHER)]
    boxes = [b for b in boxes if b.actor_id == actor_id] or boxes
    if not boxes:
        return image, []
    box = boxes[0]
    height, width = image.shape[:2]
    side = max(40, 5 * max(box.x1 - box.x0, box.y1 - box.y0))
    cx, cy = (box.x0 + box.x1) // 2, (box.y0 + box.y1) // 2
    x0 = int(np.clip(cx - side // 2, 0, max(0, width - side)))
    y0 = int(np.clip(cy - side // 2, 0, max(0, height - side)))
    inset = int(min(INSET_SHARE * width, 0.55 * height))
    zoom = inset / side
    method = cv2.INTER_NEAREST if scale > 1 else cv2.INTER_CUBIC  # an enlarged analysed frame: its pixels
    zoomed = cv2.resize(frame.image[y0 : y0 + side, x0 : x0 + side], (inset, inset), interpolation=method)

    def in_inset(x: float, y: float) -> tuple[int, int]:
        return round((x - x0) * zoom), round((y - y0) * zoom)

    for mark in marks:
        bx0, by0, bx1, by1 = (v * scale for v in mark.xyxy)
        thick = 3 if mark.alarm else 2 if mark.hit else 1
        cv2.rectangle(zoomed, in_inset(bx0 - 2, by0 - 2), in_inset(bx1 + 2, by1 + 2), DETECTOR_COLOUR, thick)
    # The truth on top, as in the frame (where the offender's thick box is drawn last).
    cv2.rectangle(zoomed, in_inset(box.x0, box.y0), in_inset(box.x1, box.y1), OFFENDER_COLOUR, 2)
    out = image.copy()
    thick = max(2, width // 400)
    cv2.rectangle(
        out, (box.x0 - thick, box.y0 - thick), (box.x1 + thick, box.y1 + thick), OFFENDER_COLOUR, thick
    )
    cv2.rectangle(out, (x0, y0), (x0 + side, y0 + side), (255, 255, 255), thick)
    others = [(b.x0, b.y0, b.x1, b.y1) for b in frame.truth] + [
        tuple(round(v * scale) for v in m.xyxy) for m in marks
    ]
    left, top = _inset_corner(inset, (width, height), (x0, y0, x0 + side, y0 + side), others)
    out[top : top + inset, left : left + inset] = zoomed
    cv2.rectangle(out, (left, top), (left + inset, top + inset), (255, 255, 255), thick)
    edges = [(x0 - thick, y, x0 + side + thick, y + thick) for y in (y0 - thick, y0 + side)]
    edges += [(x, y0 - thick, x + thick, y0 + side + thick) for x in (x0 - thick, x0 + side)]
    return out, [(left - thick, top - thick, left + inset + thick, top + inset + thick), *edges]


def _inset_corner(inset: int, size: tuple[int, int], source, boxes) -> tuple[int, int]:
    """The corner (left, top; px) for an enlarged view ``inset`` px square in an image of ``size`` (w, h):
    one that does not cover its ``source`` square, and of those the one that covers the fewest ``boxes``
    (top right first, then top left below the time stamp, bottom right, bottom left)."""
    width, height = size
    low = max(0, height - inset - 8)
    corners = [(width - inset - 8, 8), (8, min(low, 8 + width // 25)), (width - inset - 8, low), (8, low)]

    def cost(corner: tuple[int, int]) -> tuple[bool, int]:
        square = (corner[0], corner[1], corner[0] + inset, corner[1] + inset)
        return _overlap(square, source), sum(_overlap(square, b) for b in boxes)

    return min(corners, key=cost)


def with_legend(image: np.ndarray, detector: str | None) -> np.ndarray:
    """``image`` over a dark band that names the boxes: truth (offender, other) and either the detector's
    boxes (``detector``: what to say of them) or why there are none (statistical run); the words shrink to
    fit the width."""
    width = image.shape[1]
    band = np.full((LEGEND_PX, width, 3), 24, np.uint8)
    items = [("truth: offender", OFFENDER_COLOUR), ("truth: other", OTHER_COLOUR)]
    items.append((detector, DETECTOR_COLOUR) if detector else ("statistical run: no detector boxes", None))
    needed = sum(cv2.getTextSize(text, FONT, 0.4, 1)[0][0] + 14 + 15 * (c is not None) for text, c in items)
    size = 0.4 * min(1.0, (width - 6) / needed)
    x = 6
    for text, colour in items:
        if colour is not None:
            cv2.rectangle(band, (x, 6), (x + 10, 16), colour, 2)
            x += 15
        cv2.putText(band, text, (x, 15), FONT, size, colour or (200, 200, 200), 1, cv2.LINE_AA)
        x += cv2.getTextSize(text, FONT, size, 1)[0][0] + round(14 * size / 0.4)
    return np.vstack([image, band])


def page_jpeg(image: np.ndarray, detector: str | None) -> str:
    """``image`` (BGR) scaled down to :data:`FRAME_WIDTH_PX` if wider, over its legend
    (:func:`with_legend`), as a JPEG in base64."""
    height, width = image.shape[:2]
    if width > FRAME_WIDTH_PX:
        size = (FRAME_WIDTH_PX, round(height * FRAME_WIDTH_PX / width))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", with_legend(image, detector), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError("OpenCV could not encode a JPEG")
    return base64.b64encode(encoded.tobytes()).decode("ascii")
