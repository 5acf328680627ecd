"""Who else is in a camera's view (the hazard model's crowd) and the nearest of them (its neighbour): counted
and measured by hand from the incidents' views."""

import math

import numpy as np
import pytest
from shapely.geometry import box

from sim.scenario.models import Kind
from sim.sensing.sensors import Sensor
from sim.sensing.view_crowds import ViewCrowds
from sim.world.incidents import Incident, Track
from tests.helpers.builders import make_incident


def _camera(name: str, kinds=frozenset({Kind.SWIMMING})) -> Sensor:
    """A camera seeing a 2 x 2 m box, the image 10 px a metre across the ground, every offender 10 px tall:
    a separation of one height in the image is one metre on the ground."""
    height = lambda xy, h: np.full(len(np.atleast_2d(xy)), 10.0)  # noqa: E731
    return Sensor(name, box(0, 0, 2, 2), 0.2, 3, 5, kinds, height, image_point=lambda xy: 10.0 * xy)


def test_others_in_view_by_hand():
    """Swimmers in view over [0, 10], [5, 20] and [8, 9] s, an angler over [0, 20] s, and a swimmer whose
    view begins after the run's horizon: a swimmer in view at 1 s has no other in view, at 8.5 s two, at
    10 s (the first view's last instant) one, at 15 s none; the angler counts only among anglers, on a
    camera that watches them."""
    incidents = [
        make_incident(0, 0.0, 10.0),
        make_incident(1, 5.0, 20.0),
        make_incident(2, 8.0, 9.0),
        make_incident(3, 0.0, 20.0, Kind.FISHING),
        make_incident(4, 30.0, 40.0),
    ]
    crowds = ViewCrowds.of([_camera("beach"), _camera("bank", frozenset(Kind))], incidents, 25.0)
    times = np.array([1.0, 8.5, 10.0, 15.0])
    assert list(crowds.others("beach", Kind.SWIMMING, times)) == [0, 2, 1, 0]
    assert list(crowds.others("bank", Kind.SWIMMING, times)) == [0, 2, 1, 0]
    assert list(crowds.others("bank", Kind.FISHING, times)) == [0, 0, 0, 0]  # itself only
    assert list(crowds.others("beach", Kind.FISHING, times)) == [0, 0, 0, 0]  # the beach does not watch it
    assert list(crowds.others("nowhere", Kind.SWIMMING, times)) == [0, 0, 0, 0]


def standing(incident_id: int, xy: tuple[float, float], t_start: float, t_end: float) -> Incident:
    """A swimmer who stays at ``xy`` (m) from ``t_start`` to ``t_end`` (s)."""
    track = Track(np.array([t_start, t_end]), np.array([xy, xy], dtype=float))
    return Incident(incident_id, Kind.SWIMMING, "a", t_start, t_end, track, 0.35, (True,), (60.0,))


def test_the_nearest_other_in_view_by_hand():
    """Separations in the image, in the offender's heights, of the others in view then."""
    first, second = standing(1, (0.2, 0.2), 0.0, 100.0), standing(2, (1.4, 1.8), 50.0, 100.0)
    gone = standing(3, (0.7, 0.2), 0.0, 40.0)  # left before the second came
    crowds = ViewCrowds.of([_camera("cam")], [first, second, gone], 1000.0)
    camera = _camera("cam")
    assert crowds.nearest(camera, second, 50.0) == pytest.approx(2.0)  # 12-16-20 px to the first: 2 heights
    assert crowds.nearest(camera, first, 10.0) == pytest.approx(0.5)  # the third, still there
    assert crowds.nearest(camera, first, 45.0) == math.inf
    assert crowds.nearest(_camera("elsewhere"), first, 10.0) == math.inf
