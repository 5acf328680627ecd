"""A score log's offenders' distances from the lens, recovered from the runs' seeds: the slant range of the
seed's incidents at the logged times, and a log of another scenario refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.calibration.frame_distances import frame_distances
from sim.calibration.pixel_rendering import with_mode
from sim.engine import Simulation
from sim.loading import load_scenario
from sim.scenario.models import Mode
from sim.world.cameras import CameraModel
from tests.helpers.paths import DEFAULT

SEEDS = [5, 9]


@pytest.fixture(scope="module")
def scenario():
    overrides = ["run.start=2026-07-18T10:00:00", "incidents.fishing.rate_per_hour=120"]
    return load_scenario(DEFAULT, ["run.duration=1200", "incidents.swimming.rate_per_hour=120", *overrides])


def score_log(scenario, seeds: list[int]) -> tuple[pd.DataFrame, np.ndarray]:
    """A score log as pixel mode writes it (analysed heights) of every incident in view of the first camera
    that sees one, a frame a second for 20 s from its first sight, run j of seed ``seeds[j]``; and the slant
    distances worked out from the camera's pole and lens height."""
    rows, expected = [], []
    for run, seed in enumerate(seeds):
        simulation = Simulation(with_mode(scenario, Mode.STATISTICAL), seed)
        for incident in simulation.incidents:
            views = [v for v in simulation.sensing.sightings(incident) if v.sensor.distance is not None]
            if not views:
                continue
            sensor = views[0].sensor
            t = views[0].intervals[0][0] + np.arange(20.0)
            t = t[t < min(incident.t_end, scenario.run.duration)]
            xy = incident.track.position(t)
            pixels = sensor.target_pixels(xy, incident.visible_height, incident.kind, True)
            group = f"{run}/{sensor.id}/incident-{incident.id}"
            rows.append(pd.DataFrame({"group": group, "t": t, "pixels": pixels}))
            camera = next(c for c in scenario.cameras if c.id == sensor.id)
            pole = np.asarray(camera.position)
            expected.append(np.sqrt(((xy - pole) ** 2).sum(axis=1) + camera.height**2))
    return pd.concat(rows, ignore_index=True), np.concatenate(expected)


def test_the_seeds_incidents_give_each_frames_slant_range(scenario):
    frames, expected = score_log(scenario, SEEDS)
    assert frames["group"].str.split("/").str[0].nunique() == 2 and frames["group"].nunique() >= 4
    np.testing.assert_allclose(frame_distances(frames, scenario, SEEDS), expected, rtol=1e-12)
    camera = CameraModel(scenario.cameras[0])
    assert camera.distance(np.array([[camera.spec.position[0] + 30.0, camera.spec.position[1]]])) == (
        pytest.approx(np.hypot(30.0, camera.spec.height))
    )


def test_a_log_of_other_incidents_is_refused(scenario):
    frames, _ = score_log(scenario, SEEDS)
    with pytest.raises(ValueError, match="another scenario"):
        frame_distances(frames, scenario, [seed + 1 for seed in SEEDS])
