"""Who else is in a camera's view: the crowd of the ``hazard`` model's crowd term, and how near the nearest of
them looks, its neighbour term's (:mod:`sim.sensing.alarm_hazard`).

Pixel mode's detectors alarm later on an offender while others of its kind share the view (blobs merge,
tracks swap, an alarm lands on a neighbour): on the stored beach runs the alarm rate in frames with more
than five other swimmers in view is about 0.8 of what the time in view alone predicts, 1.1-1.5 with none
(``docs/detectors.md``, "A crowd in view"). Statistical mode draws each offender's alarms when it
arrives, so the crowd is counted from every incident's planned track, from its start to its end (or the
run's): an offender warned away earlier still counts until then. In the runs the term is fitted to,
offenders ignore warnings, and the two counts agree. Only the part of the view where the camera may alarm on
the kind counts (:meth:`sim.sensing.sensors.Sensor.alarm_region`): pixel mode's score log holds the
offenders inside their no-go areas, whose frames the fit counts the others in.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from sim.scenario.models import Kind
from sim.sensing.sensors import Sensor, visible_intervals
from sim.world.incidents import Incident


class ViewCrowds:
    """Per camera and kind, the intervals (s) in which each incident of that kind is in the camera's view of
    the kind's no-go areas."""

    def __init__(self, views: dict[tuple[str, Kind], list[tuple[Incident, float, float]]]):
        """``views``: per camera and kind, each incident's intervals in view, (incident, start, end)."""
        self._views = {key: sorted(spans, key=lambda view: view[1]) for key, spans in views.items()}
        self._starts = {key: np.array([a for _, a, _ in spans]) for key, spans in self._views.items()}
        self._ends = {key: np.sort([b for _, _, b in spans]) for key, spans in self._views.items()}
        self._longest = {key: max((b - a for _, a, b in spans), default=0.0) for key, spans in views.items()}

    @classmethod
    def of(cls, cameras: Iterable[Sensor], incidents: Iterable[Incident], horizon_s: float) -> ViewCrowds:
        """The views of ``incidents`` by ``cameras`` (each for the kinds it watches) up to ``horizon_s``."""
        cameras, views = list(cameras), {}
        for incident in incidents:
            until = min(incident.t_end, horizon_s)
            for camera in cameras:
                if incident.kind in camera.kinds:
                    region = camera.alarm_region(incident.kind)
                    spans = visible_intervals(incident.track, region, incident.t_start, until)
                    views.setdefault((camera.id, incident.kind), []).extend(
                        (incident, a, b) for a, b in spans
                    )
        return cls(views)

    def others(self, camera_id: str, kind: Kind, times: np.ndarray) -> np.ndarray:
        """How many offenders of ``kind`` other than the one being observed are in ``camera_id``'s view at
        ``times`` (s; times inside a view of the observed one, which counts itself once)."""
        starts = self._starts.get((camera_id, kind))
        if starts is None:
            return np.zeros(len(times), dtype=np.int64)
        inside = np.searchsorted(starts, times, side="right") - np.searchsorted(
            self._ends[(camera_id, kind)], times, side="left"
        )
        return np.maximum(inside - 1, 0)

    def nearest(self, camera: Sensor, incident: Incident, t: float) -> float:
        """How far apart in ``camera``'s image ``incident`` and the nearest other offender of its kind in its
        view look at time ``t`` (s), in ``incident``'s own heights there (:meth:`sim.sensing.sensors.Sensor.
        separation`; inf: none): the neighbour term's separation, taken when it comes into view."""
        key = (camera.id, incident.kind)
        if key not in self._views:
            return np.inf
        starts, views = self._starts[key], self._views[key]
        # Only views that began no earlier than the longest one before t can still be going on at t.
        first = int(np.searchsorted(starts, t - self._longest[key] - 1e-9, side="left"))
        last = int(np.searchsorted(starts, t + 1e-9, side="right"))
        others = [other for other, _, end in views[first:last] if end >= t - 1e-9 and other.id != incident.id]
        if not others:
            return np.inf
        at = np.array([t])
        there = np.array([other.track.position(at)[0] for other in others])
        return float(camera.separation(incident.track.position(at)[0], there, incident.visible_height).min())
