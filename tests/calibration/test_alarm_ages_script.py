"""``scripts/alarm_ages_by_angler.py``'s measure of how end-on a camera sees an angler's gear, by hand: an
angler facing east seen from the east (and from the west) is end-on, from the north broadside, from the
north-east at 45°."""

from __future__ import annotations

import math

import pytest

from sim.render.actors import Actor, ActorClass
from tests.helpers.scripts import script

EAST = math.pi / 2
"""Compass heading of an angler facing east, rad."""


def angler(heading: float) -> Actor:
    """An angler at (100, 200) m facing ``heading`` (compass, rad)."""
    return Actor("incident-1", ActorClass.FISHER, 100.0, 200.0, heading, 0.0, 0.0, 0)


@pytest.mark.parametrize(
    ("camera_xy", "expected"),
    [
        ((400.0, 200.0), 1.0),  # ahead: the rod points at the lens
        ((-300.0, 200.0), 1.0),  # behind: points straight away from it
        ((100.0, 500.0), 0.0),  # to the north: seen broadside
        ((100.0, -50.0), 0.0),  # to the south
        ((200.0, 300.0), math.sqrt(0.5)),  # north-east, 45° off the heading
    ],
)
def test_end_on_is_the_cosine_of_the_ground_angle_to_the_camera(camera_xy, expected):
    end_on = script("alarm_ages_by_angler").end_on
    assert end_on(angler(EAST), camera_xy) == pytest.approx(expected, abs=1e-12)


def test_end_on_follows_the_heading_not_the_axes():
    """Turned 30° from the line to a camera due north, the gear is cos 30° end-on."""
    end_on = script("alarm_ages_by_angler").end_on
    assert end_on(angler(math.radians(30.0)), (100.0, 900.0)) == pytest.approx(math.cos(math.radians(30.0)))
