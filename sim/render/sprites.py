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
from dataclasses import dataclass
from functools import cache

import numpy as np

from sim.render.actors import Actor, ActorClass
from sim.render.painter import Colour, Painter
from sim.render.surfaces import Surface

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
    ActorClass.BIRD: Reach(0.6, 0.8),  # in flight: body 0.3 m up, wings 0.45 m long, raised to 0.72 m
    ActorClass.DEBRIS: Reach(0.6, 0.1),
    ActorClass.BOAT: Reach(7.6, 2.1),  # Kelvin wake 7 m behind and 2.5 m aside; antenna light 2 m up
    ActorClass.WADER: Reach(0.8, 1.5),
    ActorClass.REEDS: Reach(1.2, 2.6),  # stems within 0.5 m, tips swaying 0.25 m, leaves 0.3 m long
    ActorClass.GLINT: Reach(0.4, 0.1),
}
STROKE_M = 0.3
"""No line is wider than twice this, no disc has a larger radius, m."""


def _pick(options: tuple, variant: int, salt: int = 0):
    return options[(variant * 7 + salt * 13) % len(options)]


SWIMMER_BACK = tuple(
    (0.1 + 0.12 * math.cos(a), 0.24 * math.sin(a), 0.03) for a in np.linspace(0, 2 * np.pi, 12, False)
)
"""A swimmer's back and shoulders just under the surface: an ellipse of 12 corners (actor frame, m)."""
SPLASHES = tuple((0.25 * math.cos(k * 1.3), 0.25 * math.sin(k * 2.1)) for k in range(5))
"""Where the five drops of an entering hand's splash fall around it (forward, right), m."""


def draw_swimmer(p: Painter, actor: Actor) -> None:
    """Front crawl: head above water, shoulders at the surface, arms circling, splashes on entry."""
    skin, hair = _pick(SKIN, actor.variant), _pick(HAIR, actor.variant, 1)
    p.ring((0.0, 0.0, 0.0), 0.45, FOAM)
    wet = tuple(int(0.7 * c) for c in skin)  # shoulders just under the surface look darker
    p.polygon(SWIMMER_BACK, wet, Surface.WET_SKIN)
    for side, offset in ((-1.0, 0.0), (1.0, 0.5)):
        angle = 2 * math.pi * ((actor.phase + offset) % 1.0)
        cos, sin = math.cos(angle), math.sin(angle)
        shoulder = (0.05, 0.22 * side, 0.05)
        hand = (0.05 + 0.65 * cos, 0.22 * side, 0.05 + 0.65 * sin)  # an arm's reach, 0.65 m
        if hand[2] > 0.0:
            p.line(shoulder, hand, skin, 0.09, Surface.WET_SKIN)
        if -0.35 < sin < 0.1 and cos > 0.3:  # hand entering the water
            for forward, right in SPLASHES:
                p.disc((hand[0] + forward, hand[1] + right, 0.08), 0.06, FOAM, Surface.FOAM)
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


DUCK_BROWN: Colour = (50, 75, 100)
DUCK_WHITE: Colour = (225, 230, 230)
WINGBEATS_PER_CYCLE = 8
"""Wing beats per animation cycle of a bird: with its 1.5-s cycle, 5.3 beats per second (assumption: a duck's
cruising wingbeat)."""


def draw_bird(p: Painter, actor: Actor) -> None:
    """A duck on the water, bobbing; in the air (``actor.z`` above 2 cm) or running over the water to take
    off or land (faster than 1 m/s), flapping, with splashes where it touches the water."""
    if actor.z > 0.02 or actor.speed > 1.0:
        _draw_flying_bird(p, actor)
        return
    bob = 0.02 * math.sin(2 * math.pi * actor.phase)
    colour = DUCK_BROWN if actor.variant % 3 else DUCK_WHITE
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


def _draw_flying_bird(p: Painter, actor: Actor) -> None:
    """Body 0.2 m above the actor's frame, so that the wings' downstroke stays above it; splashes while it
    runs over the water (``actor.z`` 0)."""
    colour = DUCK_BROWN if actor.variant % 3 else DUCK_WHITE
    beat = 0.7 * math.sin(2 * math.pi * WINGBEATS_PER_CYCLE * actor.phase)  # wing angle, rad
    body = [(-0.2, 0.0, 0.3), (-0.05, 0.0, 0.36), (0.15, 0.0, 0.33), (0.17, 0.0, 0.26), (-0.12, 0.0, 0.24)]
    p.polygon(body, colour, Surface.FEATHERS)
    for side in (-1.0, 1.0):  # each wing a triangle: leading and trailing edge at the body, the tip
        tip = (-0.05, side * 0.45 * math.cos(beat), 0.3 + 0.42 * math.sin(beat))
        p.polygon([(0.08, side * 0.05, 0.32), tip, (-0.1, side * 0.05, 0.31)], colour, Surface.FEATHERS)
    p.line((0.14, 0.0, 0.31), (0.3, 0.0, 0.33), (40, 90, 40), 0.04, Surface.BIRD_HEAD)
    p.disc((0.32, 0.0, 0.33), 0.045, (40, 90, 40) if actor.variant % 2 else (60, 80, 110), Surface.BIRD_HEAD)
    if actor.z <= 0.02:  # feet and wing tips slapping the water
        for k in range(5):
            spot = (-0.12 - 0.1 * k + 0.04 * math.sin(7.0 * k), 0.12 * math.sin(3.0 * k), 0.03)
            p.disc(spot, 0.02 + 0.01 * (k % 2), FOAM, Surface.FOAM)


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


def draw_wader(p: Painter, actor: Actor) -> None:
    """A person standing or walking in 0.35-0.65 m of water (by variant): what is above the water only, with
    ripples around the waist; in swimwear (bare torso) or a shirt; arms swinging as they walk."""
    skin, hair = _pick(SKIN, actor.variant), _pick(HAIR, actor.variant, 1)
    depth = 0.35 + 0.1 * (actor.variant % 4)
    hip = np.array([0.0, 0.0, 0.9 - depth])
    shoulder = hip + np.array([0.0, 0.0, 0.55])
    p.ring((0.0, 0.0, 0.0), 0.35, FOAM, segments=10)
    p.line((0.0, 0.0, 0.0), hip, _pick(CLOTHES, actor.variant, 3), 0.3, Surface.TROUSERS)
    swimwear = actor.variant % 2 == 0
    if swimwear:
        p.line(hip, shoulder, skin, 0.36, Surface.SKIN)
    else:
        p.line(hip, shoulder, _pick(CLOTHES, actor.variant, 2), 0.36, Surface.SHIRT)
    swing = 0.25 * math.sin(2 * math.pi * actor.phase) if actor.speed > 0.05 else 0.0
    for side in (-1.0, 1.0):
        hand = shoulder + np.array([swing * side, 0.3 * side, -0.5])
        p.line(shoulder + np.array([0.0, 0.2 * side, -0.05]), hand, skin, 0.08, Surface.SKIN)
    p.disc(shoulder + np.array([0, 0, 0.2]), 0.11, skin, Surface.SKIN)
    p.disc(shoulder + np.array([-0.02, 0, 0.25]), 0.1, hair, Surface.HAIR)


REED_GREEN: Colour = (70, 135, 115)
REED_HEAD: Colour = (60, 85, 115)
REED_SWAY_M = 0.15
"""How far a reed's tip swings either way in a light breeze, m (assumption)."""


@cache
def _reed_stems(variant: int) -> tuple[tuple[float, float, float, float], ...]:
    """(forward, right, height, phase offset) of each stem of one clump, drawn from its variant: 7-12 stems
    within 0.5 m, 1.6-2.4 m tall (common reed, *Phragmites australis*, grows 1-4 m: assumption of a
    park-lake stand)."""
    rng = np.random.default_rng(1000 + variant)
    count = 7 + variant % 6
    radius, angle = 0.5 * np.sqrt(rng.uniform(0, 1, count)), rng.uniform(0, 2 * np.pi, count)
    heights, offsets = rng.uniform(1.6, 2.4, count), rng.uniform(0, 2 * np.pi, count)
    return tuple(
        (float(r * math.cos(a)), float(r * math.sin(a)), float(h), float(o))
        for r, a, h, o in zip(radius, angle, heights, offsets, strict=True)
    )


def draw_reeds(p: Painter, actor: Actor) -> None:
    """A clump of reeds at the water's edge; each stem bends downwind (the actor's heading) and back with
    its own phase, the seed head at its tip, a leaf halfway up."""
    for forward, right, height, offset in _reed_stems(actor.variant):
        sway = REED_SWAY_M * (0.6 + 0.4 * math.sin(2 * math.pi * actor.phase + offset))
        tip = (forward + sway, right, height)
        middle = (forward + 0.3 * sway, right, 0.5 * height)
        p.line((forward, right, 0.0), tip, REED_GREEN, 0.02, Surface.REED)
        leaf = (forward + 0.25 + 0.5 * sway, right + 0.1, 0.45 * height)
        p.line(middle, leaf, REED_GREEN, 0.03, Surface.REED)
        p.disc(tip, 0.05, REED_HEAD, Surface.REED)


GLINT_DUTY = 0.3
"""Share of its cycle (one wave period) during which a glint's facets mirror the sun (assumption)."""
GLINT_WHITE: Colour = (250, 252, 255)


def draw_glint(p: Painter, actor: Actor) -> None:
    """A sun glint on the water: a short bright streak across the line of sight (the actor's heading points
    away from the camera) and its core, while the waves tilt facets towards the sun; nothing (and no truth
    box) for the rest of the wave period."""
    if actor.phase >= GLINT_DUTY:
        return
    streak = [(0.0, -0.15, 0.01), (0.02, 0.0, 0.01), (0.0, 0.15, 0.01), (-0.02, 0.0, 0.01)]
    p.polygon(streak, GLINT_WHITE, Surface.GLINT)
    for across in (-0.08, 0.0, 0.08):  # sparkles of single facets along it
        p.disc(
            (0.0, across + 0.03 * math.sin(actor.variant + across), 0.02), 0.025, GLINT_WHITE, Surface.GLINT
        )


DRAW = {
    ActorClass.SWIMMER: draw_swimmer,
    ActorClass.FISHER: draw_fisher,
    ActorClass.WALKER: draw_walker,
    ActorClass.BIRD: draw_bird,
    ActorClass.DEBRIS: draw_debris,
    ActorClass.BOAT: draw_boat,
    ActorClass.WADER: draw_wader,
    ActorClass.REEDS: draw_reeds,
    ActorClass.GLINT: draw_glint,
}
