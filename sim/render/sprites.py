"""Actors drawn into a frame from projected 3-D keypoints.

Each actor is a few OpenCV primitives (lines, circles, filled polygons) whose
3-D anchor points (metres, in the actor's own frame: forward, right, up) are
projected through the camera, so perspective and scale are exact. The
:class:`Painter` keeps the union of the pixels each primitive can touch: that
union *is* the ground-truth box, so a box always contains what was drawn.

Sizes (assumptions, typical adults and objects): head radius 0.11 m, shoulders
0.45 m wide, standing height 1.7 m, rod 3 m, duck 0.35 m long, boats 2.8-3 m.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from sim.render.actors import Actor, ActorClass
from sim.render.surfaces import Surface
from sim.world.cameras import CameraModel

Colour = tuple[int, int, int]
_SHIFT = 4  # sub-pixel bits for cv2 drawing
_ONE = 1 << _SHIFT
_MAX_PX = 0.25 * 2**31 / _ONE
"""Farther from the image than this, fixed-point pixel coordinates would overflow int32, px."""
_AA_PAD = 1.5
"""Anti-aliased edges reach this far (px) beyond a primitive's nominal outline."""

SKIN = ((140, 170, 220), (95, 130, 190), (60, 90, 140))
HAIR = ((30, 30, 35), (40, 60, 90), (90, 160, 200))
CLOTHES = ((40, 40, 160), (150, 90, 30), (60, 120, 60), (50, 50, 50), (200, 200, 200), (30, 150, 220))
FOAM: Colour = (235, 240, 240)


@dataclass(frozen=True)
class Reach:
    """How far an actor's sprite can extend in its own frame, m: lets the renderer skip an actor whose
    sprite cannot touch the image without drawing it (``tests/test_render.py`` checks every class)."""

    radius: float
    """Horizontal distance of any point from the actor's ground point."""
    top: float
    """Height of the highest point (no point is below the water or ground, 0 m)."""


REACH = {
    ActorClass.SWIMMER: Reach(1.2, 0.8),  # arm 0.65 m from the shoulder, splashes 0.25 m around the hand
    ActorClass.FISHER: Reach(8.4, 4.4),  # line and its ripple 8.15 m ahead; rod tip 3 m above the hands
    ActorClass.WALKER: Reach(0.8, 1.9),
    ActorClass.BIRD: Reach(0.5, 0.4),
    ActorClass.DEBRIS: Reach(0.6, 0.1),
    ActorClass.BOAT: Reach(7.6, 2.1),  # Kelvin wake 7 m behind and 2.5 m aside; antenna light 2 m up
}
STROKE_M = 0.3
"""No line is wider than twice this, no disc has a larger radius, m."""


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
        origin = np.array([actor.x, actor.y, 0.0])
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


def _pick(options: tuple, variant: int, salt: int = 0):
    return options[(variant * 7 + salt * 13) % len(options)]


def draw_swimmer(p: Painter, actor: Actor) -> None:
    """Front crawl: head above water, shoulders at the surface, arms circling, splashes on entry."""
    skin, hair = _pick(SKIN, actor.variant), _pick(HAIR, actor.variant, 1)
    p.ring((0.0, 0.0, 0.0), 0.45, FOAM)
    wet = tuple(int(0.7 * c) for c in skin)  # shoulders just under the surface look darker
    back = [
        (0.1 + 0.12 * math.cos(a), 0.24 * math.sin(a), 0.03) for a in np.linspace(0, 2 * np.pi, 12, False)
    ]
    p.polygon(back, wet, Surface.WET_SKIN)
    for side, offset in ((-1.0, 0.0), (1.0, 0.5)):
        angle = 2 * math.pi * ((actor.phase + offset) % 1.0)
        shoulder = np.array([0.05, 0.22 * side, 0.05])
        hand = shoulder + 0.65 * np.array([math.cos(angle), 0.0, math.sin(angle)])
        if hand[2] > 0.0:
            p.line(shoulder, hand, skin, 0.09, Surface.WET_SKIN)
        if -0.35 < math.sin(angle) < 0.1 and math.cos(angle) > 0.3:  # hand entering the water
            for k in range(5):
                spread = 0.25 * np.array([math.cos(k * 1.3), math.sin(k * 2.1), 0.0])
                p.disc(np.array([hand[0], hand[1], 0.08]) + spread, 0.06, FOAM, Surface.FOAM)
    p.disc((0.1, 0.0, 0.14), 0.11, hair, Surface.WET_HAIR)
    p.disc((0.16, 0.0, 0.12), 0.075, skin, Surface.WET_SKIN)  # face towards the direction of swimming


def _person(
    p: Painter, actor: Actor, sitting: bool, walking_phase: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Legs, torso, head; returns the positions of the shoulders and hips (actor frame)."""
    skin, hair = _pick(SKIN, actor.variant), _pick(HAIR, actor.variant, 1)
    top, trousers = _pick(CLOTHES, actor.variant, 2), _pick(CLOTHES, actor.variant, 3)
    hip = np.array([0.0, 0.0, 0.45 if sitting else 0.9])
    shoulder = hip + np.array([0.0, 0.0, 0.55])
    for side in (-1.0, 1.0):
        if sitting:
            knee = np.array([0.4, 0.12 * side, 0.5])
            p.line(hip + np.array([0, 0.1 * side, 0]), knee, trousers, 0.14, Surface.TROUSERS)
            p.line(knee, knee + np.array([0.05, 0, -0.5]), trousers, 0.12, Surface.TROUSERS)
        else:
            swing = 0.0 if walking_phase is None else 0.45 * math.sin(2 * math.pi * walking_phase) * side
            foot = np.array([swing * 0.9, 0.1 * side, 0.0])
            p.line(hip + np.array([0, 0.1 * side, 0]), foot, trousers, 0.14, Surface.TROUSERS)
    p.line(hip, shoulder, top, 0.38, Surface.SHIRT)
    p.disc(shoulder + np.array([0, 0, 0.2]), 0.11, skin, Surface.SKIN)
    p.disc(shoulder + np.array([-0.02, 0, 0.25]), 0.1, hair, Surface.HAIR)
    return shoulder, hip


def draw_walker(p: Painter, actor: Actor) -> None:
    skin = _pick(SKIN, actor.variant)
    shoulder = np.array([0.0, 0.0, 1.45])
    for side in (-1.0, 1.0):  # arms first: the body hides their upper part, as it does
        swing = -0.35 * math.sin(2 * math.pi * actor.phase) * side
        start = shoulder + np.array([0, 0.2 * side, -0.05])
        p.line(start, shoulder + np.array([swing, 0.24 * side, -0.62]), skin, 0.08, Surface.SKIN)
    _person(p, actor, sitting=False, walking_phase=actor.phase)


def draw_fisher(p: Painter, actor: Actor) -> None:
    """Standing or sitting angler facing the water, rod raised, line into the water; casts now and then."""
    sitting = actor.variant % 2 == 1
    shoulder, _ = _person(p, actor, sitting=sitting, walking_phase=None)
    skin = _pick(SKIN, actor.variant)
    hands = shoulder + np.array([0.35, 0.05, -0.25])
    for side in (-1.0, 1.0):
        p.line(shoulder + np.array([0, 0.2 * side, 0]), hands, skin, 0.08, Surface.SKIN)
    cast = actor.phase < 0.06  # one cast per cycle: the rod swings back over the head and forward
    elevation = math.radians(35 + (80 * math.sin(math.pi * actor.phase / 0.06) if cast else 0))
    tip = hands + 3.0 * np.array([math.cos(elevation), 0.0, math.sin(elevation)])
    p.line(hands, tip, (25, 25, 25), 0.03, Surface.ROD)
    if not cast:
        p.line(tip, (8.0, 0.3, 0.0), (190, 190, 190), 0.006, Surface.ROD)
        p.ring((8.0, 0.3, 0.0), 0.15, FOAM, segments=8)
    tackle_box = [(-0.4, 0.3, 0.0), (-0.4, 0.6, 0.0), (-0.4, 0.6, 0.3), (-0.4, 0.3, 0.3)]
    p.polygon(tackle_box, (40, 110, 150), Surface.TACKLE)


def draw_bird(p: Painter, actor: Actor) -> None:
    """A duck on the water, bobbing."""
    bob = 0.02 * math.sin(2 * math.pi * actor.phase)
    colour = (50, 75, 100) if actor.variant % 3 else (225, 230, 230)
    body = [
        (0.18 * math.cos(a), 0.09 * math.sin(a), 0.06 + bob) for a in np.linspace(0, 2 * np.pi, 10, False)
    ]
    side_view = [
        (-0.2, 0.0, 0.1 + bob),
        (-0.1, 0.0, 0.14 + bob),
        (0.12, 0.0, 0.13 + bob),
        (0.17, 0.0, 0.06 + bob),
        (0.1, 0.0, 0.0),
        (-0.12, 0.0, 0.0),
    ]
    p.ring((0.0, 0.0, 0.0), 0.25, FOAM, segments=10)
    p.polygon(body, colour, Surface.FEATHERS)
    p.polygon(side_view, colour, Surface.FEATHERS)
    p.line((0.12, 0.0, 0.08 + bob), (0.2, 0.0, 0.2 + bob), (40, 90, 40), 0.04, Surface.BIRD_HEAD)
    head = (40, 90, 40) if actor.variant % 2 else (60, 80, 110)
    p.disc((0.21, 0.0, 0.21 + bob), 0.045, head, Surface.BIRD_HEAD)


@cache
def _debris_outline(variant: int) -> tuple[tuple[float, float, float], ...]:
    """The outline of one piece of debris, drawn from its variant (kept: a random generator per frame is
    dear)."""
    rng = np.random.default_rng(variant)
    angles = np.sort(rng.uniform(0, 2 * np.pi, 6))
    radii = rng.uniform(0.08, 0.25, 6) * (1.8 if variant % 2 else 1.0)
    return tuple((r * math.cos(a), r * math.sin(a), 0.03) for r, a in zip(radii, angles, strict=True))


def draw_debris(p: Painter, actor: Actor) -> None:
    """A floating plank, bottle or bag."""
    p.polygon(
        _debris_outline(actor.variant),
        ((60, 90, 120), (170, 120, 60), (200, 200, 210))[actor.variant % 3],
        Surface.DEBRIS,
    )


def draw_boat(p: Painter, actor: Actor) -> None:
    """The project's orange USV (antenna and light) or a leisure pedal boat with a person; wake if moving."""
    if actor.speed > 0.3:  # Kelvin wake: two arms at about 19.5 degrees, and churned water behind
        wake = (190, 185, 175)
        for side in (-1.0, 1.0):
            p.line((-1.4, 0.5 * side, 0.0), (-7.0, 0.5 * side + 2.0 * side, 0.0), wake, 0.12, Surface.WAKE)
        p.line((-1.4, 0.0, 0.0), (-4.0, 0.0, 0.0), wake, 0.5, Surface.WAKE)
    length, beam = (1.4, 0.6) if actor.own else (1.5, 0.75)
    hull = [
        (length, 0, 0.5),
        (0.6, beam, 0.5),
        (-length, beam, 0.5),
        (-length, -beam, 0.5),
        (0.6, -beam, 0.5),
    ]
    waterline = [
        (length * 0.9, 0, 0.0),
        (0.6, beam, 0.0),
        (-length, beam, 0.0),
        (-length, -beam, 0.0),
        (0.6, -beam, 0.0),
    ]
    colour = (
        (20, 110, 240) if actor.own else ((200, 150, 40), (40, 200, 230), (60, 60, 200))[actor.variant % 3]
    )
    p.polygon(waterline + hull[::-1], colour, Surface.HULL)
    p.polygon(hull, (235, 235, 235) if actor.own else colour, Surface.HULL)
    if actor.own:  # the housing of drive and batteries, an antenna mast and its signal light
        housing = [(0.4, 0.35, 0.5), (0.4, -0.35, 0.5), (0.4, -0.35, 1.0), (0.4, 0.35, 1.0)]
        p.polygon(housing, (70, 70, 70), Surface.MOTOR)
        p.line((-0.5, 0.0, 0.5), (-0.5, 0.0, 1.9), (40, 40, 40), 0.04, Surface.MAST)
        light = (80, 255, 80) if actor.phase < 0.5 else (40, 120, 40)
        p.disc((-0.5, 0.0, 1.95), 0.07, light, Surface.SIGNAL_LIGHT)
    else:
        rider = Actor(actor.id, ActorClass.WALKER, 0, 0, 0, 0, 0.0, actor.variant)
        p.raise_by(0.3)
        _person(p, rider, sitting=True, walking_phase=None)


DRAW = {
    ActorClass.SWIMMER: draw_swimmer,
    ActorClass.FISHER: draw_fisher,
    ActorClass.WALKER: draw_walker,
    ActorClass.BIRD: draw_bird,
    ActorClass.DEBRIS: draw_debris,
    ActorClass.BOAT: draw_boat,
}
