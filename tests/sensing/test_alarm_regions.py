"""A sensor sees an offender anywhere in its region and alarms on it only within its kind's no-go areas
(``Sensor.alarm_region``, :func:`sim.sensing.sensors.build_sensors`): as pixel mode's detectors, which
report only boxes whose foot lies in a no-go area. Its first sight is still its first moment in view."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from sim.core.rng import RandomStreams
from sim.loading import load_scenario
from sim.scenario.models import Kind
from sim.sensing.sensors import Sensor, build_sensors
from sim.sensing.statistical import StatisticalSensing
from sim.sensing.view_crowds import ViewCrowds
from sim.world.daylight import Daylight
from sim.world.geometry import ZoneGeometry
from sim.world.incidents import Incident, Track
from tests.helpers.paths import DEFAULT

VIEW, NO_GO = box(0, 0, 10, 2), box(5, 0, 10, 2)
"""A sensor's region and the part of it where swimming is forbidden, m."""


def _swimmer(incident_id: int, x0: float, x1: float, t_end: float = 12.0) -> Incident:
    """A swimmer along y = 1 m from ``x0`` at 0 s to ``x1`` at ``t_end``, m."""
    track = Track(np.array([0.0, t_end]), np.array([[x0, 1.0], [x1, 1.0]]))
    return Incident(incident_id, Kind.SWIMMING, "a", 0.0, t_end, track, 0.35, (True,), (1.0,))


def _sure_sensor(watched=None) -> Sensor:
    """Reports every second, each report a hit."""
    return Sensor("buoy", VIEW, 1.0, 1, 1, frozenset({Kind.SWIMMING}), None, 1.0, watched=watched)


def _sensing(sensor: Sensor) -> StatisticalSensing:
    daylight = Daylight(datetime(2026, 7, 1, 12), 34.0, 113.8, 8.0)
    return StatisticalSensing([sensor], None, daylight, 100.0)


def test_an_offender_is_seen_on_entering_the_view_and_alarmed_on_entering_its_no_go_area():
    """Crossing at 1 m/s from x = -1 m: in view from 1 s, in the no-go part from 6 s, where the first report
    alarms; without the no-go part (``watched`` None) the alarm comes on entering the view."""
    crossing = _swimmer(1, -1.0, 11.0)
    first, found = _sensing(_sure_sensor({Kind.SWIMMING: NO_GO})).observe(crossing, RandomStreams(0).stream)
    assert first == pytest.approx(1.0)
    assert [d.t for d in found] == [6.0] and found[0].x == pytest.approx(5.0)
    first, found = _sensing(_sure_sensor()).observe(crossing, RandomStreams(0).stream)
    assert (first, [d.t for d in found]) == (pytest.approx(1.0), [1.0])


def test_an_offender_in_view_only_where_its_kind_is_allowed_is_seen_and_never_alarmed_on():
    sensing = _sensing(_sure_sensor({Kind.SWIMMING: NO_GO}))
    first, found = sensing.observe(_swimmer(2, 1.0, 4.0), RandomStreams(0).stream)
    assert first == 0.0 and found == []
    (seen,) = sensing.sightings(_swimmer(2, 1.0, 4.0))
    assert seen.intervals == [(0.0, 12.0)] and seen.alarmable == []


def test_the_crowd_counts_the_others_in_the_no_go_part_of_the_view():
    """Three swimmers in view all along, one of them where swimming is allowed: each of the two in the no-go
    part has one other there (the crowd pixel mode's score log counts)."""
    camera = Sensor(
        "cam",
        VIEW,
        0.2,
        3,
        5,
        frozenset({Kind.SWIMMING}),
        lambda xy, h: np.full(len(xy), 10.0),
        watched={Kind.SWIMMING: NO_GO},
    )
    incidents = [_swimmer(0, 6.0, 7.0), _swimmer(1, 8.0, 9.0), _swimmer(2, 1.0, 2.0)]
    crowds = ViewCrowds.of([camera], incidents, 20.0)
    assert list(crowds.others("cam", Kind.SWIMMING, np.array([3.0, 11.0]))) == [1, 1]


def test_the_default_scenarios_sensors_alarm_within_their_view_of_each_kinds_no_go_areas():
    scenario = load_scenario(DEFAULT)
    geometry = ZoneGeometry(scenario)
    sensors = build_sensors(scenario, geometry)
    for sensor in sensors:
        assert set(sensor.watched) == set(sensor.kinds)
        for kind in sensor.kinds:
            expected = sensor.region.intersection(geometry.no_go(kind.value))
            assert shapely.equals(sensor.alarm_region(kind), expected) or expected.is_empty
    cameras = [s for s in sensors if s.pixel_height is not None]
    # Some camera sees water where swimming is allowed: there it sees swimmers and alarms on none.
    assert any(
        s.region.intersection(geometry.water).difference(s.alarm_region(Kind.SWIMMING)).area > 100.0
        for s in cameras
    )
