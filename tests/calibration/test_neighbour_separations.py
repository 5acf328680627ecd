"""How near each angler's nearest neighbour looked when it came into view, read off a score log and the runs'
seeds: the separation statistical mode's neighbour term takes from the same incidents; and one by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.calibration.neighbour_separations import neighbour_separations
from sim.calibration.pixel_rendering import with_mode
from sim.engine import Simulation
from sim.loading import load_scenario
from sim.scenario.models import Kind, Mode
from sim.sensing.sensors import visible_intervals
from sim.sensing.view_crowds import ViewCrowds
from tests.helpers.paths import DEFAULT

SEEDS = [3, 8]


@pytest.fixture(scope="module")
def scenario():
    crowded = ["incidents.fishing.rate_per_hour=400", "incidents.swimming.rate_per_hour=0.001"]
    return load_scenario(DEFAULT, ["run.duration=900", "run.start=2026-07-18T10:00:00", *crowded])


def test_the_log_gives_the_distance_statistical_mode_takes(scenario):
    """A score log of every angler in each camera's view of the no-fishing banks, two frames a second (and
    the view's last instant), run j of seed ``SEEDS[j]``: each angler's separation at its first frame is the
    one :meth:`sim.sensing.view_crowds.ViewCrowds.nearest` gives statistical mode then."""
    rows, expected = [], {}
    for run, seed in enumerate(SEEDS):
        simulation = Simulation(with_mode(scenario, Mode.STATISTICAL), seed)
        anglers = [i for i in simulation.incidents if i.kind is Kind.FISHING]
        cameras = [s for s in simulation.sensing.sensors if s.pixel_height is not None]
        crowds = ViewCrowds.of(cameras, anglers, scenario.run.duration)
        for angler in anglers:
            for camera in cameras:
                until = min(angler.t_end, scenario.run.duration)
                spans = visible_intervals(
                    angler.track, camera.alarm_region(Kind.FISHING), angler.t_start, until
                )
                if not spans:
                    continue
                (a, b), group = spans[0], f"{run}/{camera.id}/incident-{angler.id}"
                rows.append(pd.DataFrame({"group": group, "t": np.r_[np.arange(a, b, 0.5), b]}))
                expected[group] = crowds.nearest(camera, angler, a)
    frames = pd.concat(rows, ignore_index=True)
    got = neighbour_separations(frames, scenario, SEEDS)
    near = [g for g, d in expected.items() if math.isfinite(d)]
    assert len(expected) >= 20 and 5 <= len(near) < len(expected)  # some alone, some beside another
    assert got[near].to_numpy() == pytest.approx([expected[g] for g in near], rel=1e-12)
    assert np.isinf(got.drop(near)).all()


def test_a_separation_by_hand(scenario):
    """Two points on the ground straight below the image's centre column, seen by ``cam-east-n``: their
    separation is the difference of their rows over the near one's height, from the camera's projection."""
    from sim.sensing.sensors import build_sensors
    from sim.world.cameras import CameraModel
    from sim.world.geometry import ZoneGeometry

    spec = next(c for c in scenario.cameras if c.id == "cam-east-n")
    sensor = next(s for s in build_sensors(scenario, ZoneGeometry(scenario)) if s.id == spec.id)
    model = CameraModel(spec)
    here, there = np.array([800.0, 600.0]), np.array([[800.0, 580.0]])
    rows = model.ground_to_image(np.vstack([here, there[0]]))
    height = model.pixel_height(here[None, :], 1.7)[0]
    assert sensor.separation(here, there, 1.7)[0] == pytest.approx(np.hypot(*(rows[1] - rows[0])) / height)
