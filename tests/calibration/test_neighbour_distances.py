"""Each angler's distance to its nearest neighbour when it came into view, read off a score log and the runs'
seeds: the distance statistical mode's neighbour term takes from the same incidents."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.calibration.neighbour_distances import neighbour_distances
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
    the view's last instant), run j of seed ``SEEDS[j]``: each angler's distance at its first frame is the
    one :meth:`sim.sensing.view_crowds.ViewCrowds.nearest_m` gives statistical mode then."""
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
                expected[group] = crowds.nearest_m(camera.id, angler, a)
    frames = pd.concat(rows, ignore_index=True)
    got = neighbour_distances(frames, scenario, SEEDS)
    near = [g for g, d in expected.items() if math.isfinite(d)]
    assert len(expected) >= 20 and 5 <= len(near) < len(expected)  # some alone, some beside another
    assert got[near].to_numpy() == pytest.approx([expected[g] for g in near], rel=1e-12)
    assert np.isinf(got.drop(near)).all()
