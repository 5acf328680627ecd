"""How near each offender's nearest neighbour looked when it came into a camera's view, recovered from a pixel
run's score log and seed: the neighbour term's covariate (:mod:`sim.calibration.neighbour_fit`).

The score log holds an offender's frames while it is in the camera's view of its kind's no-go areas, the view
statistical mode counts the others in (:mod:`sim.sensing.view_crowds`). An offender's first logged frame is
when it came into that view; the others then in it are the offenders of the same run and camera whose logged
frames began no later and ended no earlier (an offender that left the view and came back counts as in it
in between). Their positions at that moment come from the run's incidents, drawn again from its seed
(:func:`sim.calibration.frame_distances.seeded_incidents`), and their separation in the image from the
camera's model (:meth:`sim.sensing.sensors.Sensor.separation`), as statistical mode takes both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.frame_distances import seeded_incidents
from sim.scenario.models import Scenario
from sim.sensing.sensors import build_sensors
from sim.world.geometry import ZoneGeometry


def neighbour_separations(frames: pd.DataFrame, scenario: Scenario, seeds: list[int]) -> pd.Series:
    """Per group of ``frames`` (``<run>/<camera>/incident-<id>``, the run an index into ``seeds``, the runs
    being of ``scenario``): how far apart the offender and the nearest other offender the same camera logged
    then looked in its image at the offender's first frame, in the offender's own heights; inf with none."""
    sensors = {s.id: s for s in build_sensors(scenario, ZoneGeometry(scenario)) if s.image_point is not None}
    span = frames.groupby("group")["t"].agg(["min", "max"])
    parts = span.index.to_series().str.split("/", expand=True)
    span["run"], span["camera"] = parts[0].astype(int), parts[1]
    span["incident"] = parts[2].str.removeprefix("incident-").astype(int)
    nearest = pd.Series(np.inf, index=span.index, name="separation")
    for run, views in span.groupby("run"):
        incidents = seeded_incidents(scenario, seeds[int(run)])
        for camera, logged in views.groupby("camera"):
            starts, ends = logged["min"].to_numpy(), logged["max"].to_numpy()
            ids = logged["incident"].to_numpy()
            for i, (group, t) in enumerate(zip(logged.index, starts, strict=True)):
                others = np.flatnonzero((starts <= t) & (ends >= t) & (np.arange(len(ids)) != i))
                if len(others):
                    at, me = np.array([t]), incidents[ids[i]]
                    there = np.array([incidents[ids[j]].track.position(at)[0] for j in others])
                    apart = sensors[camera].separation(me.track.position(at)[0], there, me.visible_height)
                    nearest[group] = float(apart.min())
    return nearest
