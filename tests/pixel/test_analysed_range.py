"""The detectors analyse a camera's no-go areas only within its ``max_range`` (sim/pixel/pixel_camera.py,
``camera_context``): a swimmer drawn beyond it raises no alarm, one just inside does."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from sim.pixel.pixel_camera import PixelCamera
from sim.render.actors import ActorClass, MovingThing
from sim.render.conditions import Conditions
from sim.render.ground_map import WATER
from sim.scenario.models import Kind, Light
from sim.world.geometry import ZoneGeometry
from sim.world.incidents import Track
from tests.helpers.pixel import BEACH_OVERRIDES, one_beach_camera

RANGE_M = 60.0
"""``cam-beach-w`` analysing 60 m only: ``ns-beach`` reaches 29-213 m from its pole, so the edge of the
analysed range cuts through it, where a swimmer is 5-6 px tall at 320 px."""


@pytest.fixture(scope="module")
def beach():
    scenario = one_beach_camera([*BEACH_OVERRIDES, "run.mode=pixel"])
    spec = scenario.cameras[0].model_copy(update={"max_range": RANGE_M})
    scenario = scenario.model_copy(update={"cameras": (spec,)})
    return scenario, ZoneGeometry(scenario)


def _swimmer_on_axis(scenario, geometry, reach_m: float) -> MovingThing:
    """A still swimmer on the camera's axis ``reach_m`` from its pole (horizontal), in ``ns-beach``, from 6 s
    (after the background model has learnt the empty lake)."""
    spec = scenario.cameras[0]
    heading = math.radians(spec.yaw)
    xy = np.asarray(spec.position) + reach_m * np.array([math.sin(heading), math.cos(heading)])
    area = next(a for a in geometry.no_swimming if a.id == "ns-beach").region
    assert area.contains(shapely.Point(xy).buffer(3.0))
    track = Track(np.array([0.0, 30.0]), np.array([xy, xy]))
    return MovingThing("incident-3", ActorClass.SWIMMER, track, 6.0, 30.0, 1.4)


def _alarms(scenario, geometry, swimmer: MovingThing) -> list:
    spec = scenario.cameras[0]
    camera = PixelCamera(spec, scenario, geometry, np.zeros((0, 2)), seed=2)
    alarms = []
    for number in range(int(20.0 * spec.fps)):
        t = number / spec.fps
        actors = [a for a in [swimmer.at(t)] if a is not None]
        alarms += camera.analyse(t, number, actors, Conditions(Light.DAY))[0]
    return alarms


def test_no_go_masks_end_at_the_analysed_range(beach):
    scenario, geometry = beach
    spec = scenario.cameras[0]
    camera = PixelCamera(spec, scenario, geometry, np.zeros((0, 2)), seed=2)
    ground = camera.renderer.ground
    reach = np.hypot(ground.gx - spec.position[0], ground.gy - spec.position[1])
    assert camera.context.no_swimming.any()
    assert (reach[camera.context.no_swimming] <= RANGE_M).all()
    assert (ground.labels[reach > RANGE_M] == WATER).any()  # water beyond the range is in the image


@pytest.mark.parametrize(("reach_m", "alarmed"), [(RANGE_M - 8.0, [3]), (RANGE_M + 8.0, [])])
def test_a_swimmer_beyond_the_range_raises_no_alarm(beach, reach_m, alarmed):
    """Just inside: alarmed, on its incident. Just beyond (drawn, no truth box): before the masks were cut
    at ``max_range``, the detector alarmed on it and the alarm counted as false."""
    scenario, geometry = beach
    alarms = _alarms(scenario, geometry, _swimmer_on_axis(scenario, geometry, reach_m))
    assert [a.incident_id for a in alarms if a.kind is Kind.SWIMMING] == alarmed
