"""Each offender's slant distance from the lens in a pixel run's score log, recovered from the run's seed.

The score log (:data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS`) names each offender's run, camera
and incident (``<run>/<camera>/incident-<id>``) but not where it stood. A run's incidents are drawn from its
seed before any frame is rendered, and pixel and statistical mode draw the same ones, so the incidents of a
statistical :class:`sim.engine.Simulation` of the same scenario and seed are the pixel run's: their tracks at
the logged times give the positions, the camera model their distances (what the renderer blends the
weather's fog by, :meth:`sim.world.cameras.CameraModel.distance`). The positions must give the logged pixel
heights back: another scenario (another rate of offenders, another start) draws other incidents, and is
refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.pixel_rendering import with_mode
from sim.engine import Simulation
from sim.scenario.models import Mode, Scenario
from sim.sensing.sensors import build_sensors
from sim.world.geometry import ZoneGeometry
from sim.world.incidents import Incident

HEIGHT_TOLERANCE = 1e-6
"""Largest relative difference between a logged pixel height and the recomputed one."""


def seeded_incidents(scenario: Scenario, seed: int) -> dict[int, Incident]:
    """The incidents a run of ``scenario`` with ``seed`` draws, by id: pixel and statistical mode's alike."""
    simulation = Simulation(with_mode(scenario, Mode.STATISTICAL), seed)
    return {incident.id: incident for incident in simulation.incidents}


def frame_distances(
    frames: pd.DataFrame, scenario: Scenario, seeds: list[int], analysed: bool = True
) -> np.ndarray:
    """Slant distance (m) from the logging camera's lens of the offender in each row of ``frames`` (groups
    ``<run>/<camera>/incident-<id>``, the run an index into ``seeds``; ``pixels`` as the detectors analyse
    them, or with ``analysed`` False in the full image), the runs being of ``scenario``. Raises ValueError
    when the recomputed heights are not the logged ones (module docstring)."""
    parts = frames["group"].str.split("/", expand=True)
    sensors = {s.id: s for s in build_sensors(scenario, ZoneGeometry(scenario)) if s.distance is not None}
    times, logged = frames["t"].to_numpy(float), frames["pixels"].to_numpy(float)
    distances = np.full(len(frames), np.nan)
    for run, rows in parts.groupby(0).groups.items():
        incidents = seeded_incidents(scenario, seeds[int(run)])
        mine = parts.loc[rows]
        for (camera, name), index in mine.groupby([1, 2]).indices.items():
            at = frames.index.get_indexer(mine.index[index])
            incident = incidents[int(name.removeprefix("incident-"))]
            xy = incident.track.position(times[at])
            heights = sensors[camera].target_pixels(xy, incident.visible_height, incident.kind, analysed)
            if not np.allclose(heights, logged[at], rtol=HEIGHT_TOLERANCE, atol=0.0):
                raise ValueError(
                    f"run {run}, {camera}, {name}: the seed's incident is not the logged one (its pixel "
                    "heights differ): the runs are of another scenario"
                )
            distances[at] = sensors[camera].distance(xy)
    return distances
