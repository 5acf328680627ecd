"""The ground map's label raster covers only what a camera sees (plus a margin): the labels are those of the
raster of the whole zone."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.pixel.pixel_camera import analysis_camera
from sim.render.actors import lamp_positions
from sim.render.ground_map import RASTER_M, GroundMap
from sim.world.geometry import ZoneGeometry


def whole_zone(self, bounds, path_offset):
    """The raster of the whole zone, as before windows."""
    return (0, math.ceil(bounds[3] / RASTER_M) + 1), (0, math.ceil(bounds[2] / RASTER_M) + 1)


@pytest.mark.parametrize("camera", ["cam-beach-w", "cam-peninsula", "cam-northwest"])
@pytest.mark.parametrize("path", [True, False])
def test_labels_from_the_cameras_window_equal_the_whole_zones(default_scenario, monkeypatch, camera, path):
    geometry = ZoneGeometry(default_scenario)
    spec = next(c for c in default_scenario.cameras if c.id == camera)
    model = analysis_camera(spec, 320)
    offset = default_scenario.render.path_offset if path else None
    lamps = lamp_positions(default_scenario, geometry)
    windowed = GroundMap(model, geometry, offset, lamps)
    (_, rows), (_, cols) = windowed.raster_window(geometry.bounds.bounds, offset)
    assert rows * cols < 0.9 * np.prod([n for _, n in whole_zone(None, geometry.bounds.bounds, offset)])
    monkeypatch.setattr(GroundMap, "raster_window", whole_zone)
    whole = GroundMap(model, geometry, offset, lamps)
    assert np.array_equal(windowed.labels, whole.labels)
