"""Actors for rendering: a leisure boat on a zone of several separate waters stays on its own."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from sim.render.actors import Distractors
from sim.world.geometry import WaterNavigator


@pytest.mark.parametrize("seed", range(8))
def test_a_leisure_boat_keeps_to_the_water_it_was_put_on(seed):
    """Two lakes 200 m apart (a city's waters): every waypoint lies on one of them (a goal on the other
    lake, which no path reaches, used to stop pixel mode with "no water path")."""
    lakes = shapely.union_all([box(0, 0, 100, 100), box(300, 0, 400, 100)])
    navigator = WaterNavigator(lakes, 2.0)
    geometry = SimpleNamespace(water=lakes)
    boat = Distractors._leisure_boat("legal-0", geometry, navigator, np.random.default_rng(seed), 0.0, 600.0)
    xy = boat.track.xy
    on = [shapely.contains_xy(lake.buffer(1e-6), xy[:, 0], xy[:, 1]).all() for lake in lakes.geoms]
    assert any(on)
    assert boat.t_end >= 600.0
