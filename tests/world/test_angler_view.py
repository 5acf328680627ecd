"""The angler's gear geometry, by hand: it faces the nearest water, and a camera sees it end-on along that
heading and broadside across it; the renderer draws its anglers facing so."""

from __future__ import annotations

import math

import pytest
import shapely

from sim.core.rng import RandomStreams
from sim.loading import load_scenario
from sim.render.actors import offender_thing
from sim.scenario.models import Kind
from sim.world.angler_view import end_on, facing
from sim.world.geometry import ZoneGeometry
from sim.world.incidents import IncidentGenerator
from tests.helpers.paths import DEFAULT

EAST = math.pi / 2
"""Compass heading of east, rad."""
AT = (100.0, 200.0)
"""An angler's ground point, m."""


def test_an_angler_faces_the_nearest_water():
    """Water east of the angler (a pond from x 110 m) and a bigger lake far north: it faces east."""
    water = shapely.union(shapely.box(110.0, 150.0, 150.0, 250.0), shapely.box(0.0, 400.0, 300.0, 600.0))
    assert facing(water, AT) == pytest.approx(EAST)
    assert facing(shapely.box(0.0, 230.0, 200.0, 300.0), AT) == pytest.approx(0.0)  # north, 30 m off


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
    assert end_on(EAST, AT, camera_xy) == pytest.approx(expected, abs=1e-12)


def test_end_on_follows_the_heading_not_the_axes():
    """Turned 30° from the line to a camera due north, the gear is cos 30° end-on."""
    assert end_on(math.radians(30.0), AT, (100.0, 900.0)) == pytest.approx(math.cos(math.radians(30.0)))


def test_the_renderer_draws_its_anglers_facing_the_nearest_water():
    """Anglers of the default scenario (200 an hour for an hour), drawn as the renderer draws them."""
    scene = load_scenario(DEFAULT, ["incidents.fishing.rate_per_hour=200"])
    geometry = ZoneGeometry(scene)
    incidents = IncidentGenerator(scene, geometry, RandomStreams(3)).generate(3600.0)
    anglers = [i for i in incidents if i.kind is Kind.FISHING][:20]
    assert len(anglers) >= 10
    for incident in anglers:
        actor = offender_thing(incident, incident.t_end, geometry).at(incident.t_start)
        assert actor.heading == facing(geometry.water, incident.start_xy)
