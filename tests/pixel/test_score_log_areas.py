"""Pixel mode's score log, and the tune clips' offender rows, hold an offender only while it stands inside
its kind's no-go areas (``PixelCamera._scores``, ``sim.calibration.clip_observation``): the frames the
``hazard`` model is fitted to are those in which the detectors may alarm on it, and in which statistical
mode draws its alarms (``Sensor.alarm_region``). A swimmer in view in water where swimming is allowed is
drawn, and not logged."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from sim.calibration.clip_observation import Observations, _clip_rig, _watch_clip
from sim.calibration.clip_scenes import WARMUP_S, ClipCase
from sim.pixel.pixel_camera import PixelCamera
from sim.render.actors import ActorClass, MovingThing
from sim.render.conditions import Conditions
from sim.render.ground_map import WATER
from sim.scenario.models import Kind, Light, Weather
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


def _water_point(renderer, geometry: ZoneGeometry, inside: bool) -> np.ndarray:
    """A ground point of open water the camera of ``renderer`` analyses, 100-150 m from its pole (the nearest
    water outside ``ns-beach``), inside or outside ``no_swimming``, 3 m from the area's edge either way."""
    ground = renderer.ground
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
        _still_swimmer("incident-3", _water_point(camera.renderer, geometry, inside=True)),
        _still_swimmer("incident-4", _water_point(camera.renderer, geometry, inside=False)),
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


def test_a_tune_clips_offender_rows_hold_a_swimmer_only_inside_its_area(beach):
    """The tune clips' offender rows (what ``tune`` fits a class's weather offsets to) keep the frames pixel
    mode's score log keeps: of two swimmers in view, the one in water where swimming is allowed counts for
    its first sighting and has no row."""
    scenario, geometry = beach
    case = ClipCase(Light.DAY, Weather.CLEAR, scenario.cameras[0].id, seed=2)
    seconds = WARMUP_S + 1.0  # watched; the rig's clip is longer, as its offenders arrive 1-6 s after warm-up
    rig = _clip_rig(scenario, geometry, np.zeros((0, 2)), Kind.SWIMMING, case, 2 * seconds, np.array([0.5]))
    rig.things = [
        _still_swimmer("offender-2-0", _water_point(rig.renderer, geometry, inside=True)),
        _still_swimmer("offender-2-1", _water_point(rig.renderer, geometry, inside=False)),
    ]
    observations = Observations(false_alarms={0.5: 0}, alarmed={0.5: set()}, detect_delays={0.5: []})
    _watch_clip(observations, scenario, Kind.SWIMMING, case, rig, seconds)
    rows = observations.offender_frames()
    assert set(rows["group"]) == {"2/offender-2-0"}
    assert len(rows) == round(rig.fps * (seconds - WARMUP_S))
    assert set(rig.first_seen) == {"offender-2-0", "offender-2-1"}
