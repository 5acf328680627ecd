"""When offenders first enter a camera's view: where ``render`` starts a clip and where
``run --around-incident`` starts a short pixel-mode run."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sim.sensing.sensors import Sensor, visible_intervals
from sim.world.incidents import Incident


@dataclass(frozen=True)
class Sighting:
    """An offender entering a camera's view."""

    t: float
    """When it enters the view, s since the run's start."""
    camera_id: str
    incident_id: int


def first_sighting(
    incidents: Sequence[Incident], sensors: Iterable[Sensor], camera_ids: Iterable[str]
) -> Sighting | None:
    """The earliest moment an offender is inside the view of one of ``camera_ids`` (None if never).

    Views are the cameras' visible regions (islands block them); ties go to the first camera listed.
    """
    wanted = list(camera_ids)
    views = {s.id: s.region for s in sensors if s.id in wanted}
    best: Sighting | None = None
    for camera_id in wanted:
        for incident in incidents:
            intervals = visible_intervals(incident.track, views[camera_id], incident.t_start, incident.t_end)
            if intervals and (best is None or intervals[0][0] < best.t):
                best = Sighting(intervals[0][0], camera_id, incident.id)
    return best
