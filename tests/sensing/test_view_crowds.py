"""Who else is in a camera's view (the hazard model's crowd): counted by hand from the incidents' views."""

import numpy as np
from shapely.geometry import box

from sim.scenario.models import Kind
from sim.sensing.sensors import Sensor
from sim.sensing.view_crowds import ViewCrowds
from tests.helpers.builders import make_incident


def _camera(name: str, kinds=frozenset({Kind.SWIMMING})) -> Sensor:
    return Sensor(name, box(0, 0, 2, 2), 0.2, 3, 5, kinds, lambda xy, h: np.full(len(xy), 10.0))


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
