"""Pixel mode's score log holds an offender only while it stands inside its kind's no-go areas
(``PixelCamera._scores``): the frames the ``hazard`` model is fitted to are those in which the detectors may
alarm on it, and in which statistical mode draws its alarms (``Sensor.alarm_region``). A swimmer in view in
water where swimming is allowed is drawn, and not logged."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from sim.pixel.pixel_camera import PixelCamera
from sim.render.actors import ActorClass, MovingThing
from sim.render.conditions import Conditions
from sim.render.ground_map import WATER
from sim.scenario.models import Kind, Light
from sim.sensing.sensors import build_sensors
from sim.world.geometry import ZoneGeometry
from sim.world.incidents import Track
from tests.helpers.pixel import BEACH_OVERRIDES, one_beach_camera


@pytest.fixture(scope="module")
def beach():
    scenario = one_beach_camera([*BEACH_OVERRIDES, "run.mode=pixel"])
    return scenario, ZoneGeometry(scenario)


def _still_swimmer(name: str, xy) -> MovingThing:
    return MovingThing(
        name, ActorClass.SWIMMER, Track(np.array([0.0, 30.0]), np.array([xy, xy])), 0.0, 30.0, 1.4
    )


def _water_point(camera: PixelCamera, geometry: ZoneGeometry, inside: bool) -> np.ndarray:
    """A ground point of open water the camera analyses, 100-150 m from its pole (the nearest water outside
    ``ns-beach``), inside or outside ``no_swimming``, 3 m from the area's edge either way."""
    ground = camera.renderer.ground
    near = (
        (ground.distance > 100.0) & (ground.distance < 150.0) & (ground.labels == WATER) & ground.in_range()
    )
    xy = np.column_stack([ground.gx[near], ground.gy[near]])
    area = geometry.no_go("swimming")
    clear = shapely.dwithin(area.boundary, shapely.points(xy), 3.0)
    wanted = shapely.intersects_xy(area, xy[:, 0], xy[:, 1]) == inside
    candidates = xy[wanted & ~clear & geometry.on_water(xy[:, 0], xy[:, 1])]
    assert len(candidates), f"cam-beach-w sees no open water {'in' if inside else 'outside'} ns-beach"
    return candidates[len(candidates) // 2]


def test_a_swimmer_outside_its_area_is_drawn_and_not_logged(beach):
    scenario, geometry = beach
    spec = scenario.cameras[0]
    camera = PixelCamera(spec, scenario, geometry, np.zeros((0, 2)), seed=2)
    camera.score_log = []
    swimmers = [
        _still_swimmer("incident-3", _water_point(camera, geometry, inside=True)),
        _still_swimmer("incident-4", _water_point(camera, geometry, inside=False)),
    ]
    drawn, logged = set(), set()
    camera.observer = lambda _id, _n, frame, *_: drawn.update(b.actor_id for b in frame.truth)
    for number in range(10):
        t = number / spec.fps
        _, scores = camera.analyse(t, number, [s.at(t) for s in swimmers], Conditions(Light.DAY))
        logged.update(group for kind, group, *_ in scores if kind is Kind.SWIMMING)
    assert drawn == {"incident-3", "incident-4"}
    assert logged == {"cam-beach-w/incident-3"}
    # Statistical mode's camera may alarm on the first and not on the second, though it sees both.
    sensor = next(s for s in build_sensors(scenario, geometry) if s.id == spec.id)
    for swimmer, alarmable in zip(swimmers, (True, False), strict=True):
        x, y = swimmer.at(0.0).x, swimmer.at(0.0).y
        assert shapely.intersects_xy(sensor.region, x, y)
        assert shapely.intersects_xy(sensor.alarm_region(Kind.SWIMMING), x, y) == alarmable
