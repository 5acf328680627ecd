"""Sun glints: placed where facets mirror the sun into the lens, towards the sun, none without sun."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.rng import RandomStreams
from sim.render.actors import ActorClass
from sim.render.glints import glint_things, glint_weight, sun_direction
from sim.render.surfaces import Surface, surface_temperature
from sim.scenario.models import Weather
from sim.world.cameras import CameraModel, visible_region
from sim.world.geometry import ZoneGeometry


def test_the_weight_is_one_at_the_sun_mirror_point_and_falls_away_from_it():
    centre = np.array([0.0, 0.0, 10.0])
    sun = sun_direction(90.0, 30.0)  # east, 30 degrees up
    mirror = 10.0 / math.tan(math.radians(30.0))  # the sun's image: on the water towards the sun
    weights = glint_weight(centre, np.array([[mirror, 0.0], [mirror, 15.0], [-mirror, 0.0]]), sun, 3.0)
    assert weights[0] == pytest.approx(1.0, abs=1e-9)
    assert weights[0] > weights[1] > weights[2]
    assert weights[2] < 1e-6  # the water behind the camera, away from the sun


def glints_of(scenario, camera_id: str, sun: tuple[float, float], weather=Weather.CLEAR, seed: int = 3):
    spec = next(c for c in scenario.cameras if c.id == camera_id)
    camera = CameraModel(spec)
    geometry = ZoneGeometry(scenario)
    water = geometry.water.intersection(visible_region(camera, geometry.islands))
    rng = RandomStreams(seed).stream("test/glints")
    return camera, glint_things(camera, water, sun, weather, 3.0, 60.0, rng)


def test_a_camera_facing_a_low_sun_sees_glints_and_one_facing_away_sees_none(default_scenario):
    # cam-dam looks west-south-west (yaw 250): an evening sun in the west-south-west faces it.
    camera, facing = glints_of(default_scenario, "cam-dam", (250.0, 12.0))
    assert len(facing) >= 3 and all(t.cls is ActorClass.GLINT for t in facing)
    for thing in facing:  # towards the sun's azimuth from the pole, within the glitter's spread
        x, y = thing.track.xy[0]
        bearing = math.degrees(math.atan2(x - camera.centre[0], y - camera.centre[1])) % 360.0
        assert abs((bearing - 250.0 + 180.0) % 360.0 - 180.0) < 45.0
    assert glints_of(default_scenario, "cam-dam", (70.0, 12.0))[1] == []  # the sun behind the camera
    assert glints_of(default_scenario, "cam-dam", (250.0, -2.0))[1] == []  # the sun below the horizon
    foggy = glints_of(default_scenario, "cam-dam", (250.0, 12.0), Weather.FOG)[1]
    assert len(foggy) < len(facing)


def test_the_same_seed_places_the_same_glints(default_scenario):
    first = glints_of(default_scenario, "cam-dam", (250.0, 12.0), seed=5)[1]
    again = glints_of(default_scenario, "cam-dam", (250.0, 12.0), seed=5)[1]
    assert [(t.id, tuple(t.track.xy[0]), t.cycle_s) for t in first] == [
        (t.id, tuple(t.track.xy[0]), t.cycle_s) for t in again
    ]


def test_a_glint_looks_warmer_than_the_water_and_reeds_sit_near_the_air():
    air, water = 300.0, 302.0
    assert surface_temperature(Surface.GLINT, air, water, 0.8) > water + 2.0
    assert surface_temperature(Surface.REED, air, water, 0.0) == pytest.approx(air)
    assert surface_temperature(Surface.REED, air, water, 1.0) == pytest.approx(air + 2.0)
