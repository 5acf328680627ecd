"""Each offender's distance to its nearest neighbour when it came into a camera's view, recovered from a pixel
run's score log and seed: the neighbour term's covariate (:mod:`sim.calibration.neighbour_fit`).

The score log holds an offender's frames while it is in the camera's view of its kind's no-go areas, the view
statistical mode counts the others in (:mod:`sim.sensing.view_crowds`). An offender's first logged frame is
when it came into that view; the others then in it are the offenders of the same run and camera whose logged
frames began no later and ended no earlier. Their positions at that moment come from the run's incidents,
drawn again from its seed (:func:`sim.calibration.frame_distances.seeded_incidents`), as statistical mode
takes them from the same incidents' tracks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.frame_distances import seeded_incidents
from sim.scenario.models import Scenario


def neighbour_distances(frames: pd.DataFrame, scenario: Scenario, seeds: list[int]) -> pd.Series:
    """Per group of ``frames`` (``<run>/<camera>/incident-<id>``, the run an index into ``seeds``, the runs
    being of ``scenario``): the ground distance (m) from the offender, at its first frame, to the nearest
    other offender the same camera logged then; inf with none."""
    span = frames.groupby("group")["t"].agg(["min", "max"])
    parts = span.index.to_series().str.split("/", expand=True)
    span["run"], span["camera"] = parts[0].astype(int), parts[1]
    span["incident"] = parts[2].str.removeprefix("incident-").astype(int)
    nearest = pd.Series(np.inf, index=span.index, name="neighbour_m")
    for run, views in span.groupby("run"):
        incidents = seeded_incidents(scenario, seeds[int(run)])
        for _, camera in views.groupby("camera"):
            starts, ends = camera["min"].to_numpy(), camera["max"].to_numpy()
            ids = camera["incident"].to_numpy()
            for i, (group, t) in enumerate(zip(camera.index, starts, strict=True)):
                others = np.flatnonzero((starts <= t) & (ends >= t) & (np.arange(len(ids)) != i))
                if len(others):
                    at = np.array([t])
                    here = incidents[ids[i]].track.position(at)[0]
                    there = np.array([incidents[ids[j]].track.position(at)[0] for j in others])
                    nearest[group] = float(np.hypot(*(there - here).T).min())
    return nearest
