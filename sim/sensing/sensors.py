"""Sensors as statistical sensing sees them: region, frame interval, k-of-n rule and the pixel height
of a target; the intervals an offender spends in a sensor's region."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from sim.scenario.models import Kind, Scenario, SensorType
from sim.sensing.analysed_size import AnalysedScale
from sim.world.cameras import visible_region
from sim.world.geometry import ZoneGeometry
from sim.world.incidents import Track


@dataclass(frozen=True)
class Sensor:
    """A camera or buoy reduced to what statistical sensing needs."""

    id: str
    region: BaseGeometry
    """Where a target can be sensed, m."""
    frame_interval: float
    """Time between observations (frames or reports), s."""
    k: int
    n: int
    kinds: frozenset[Kind]
    pixel_height: Callable[[np.ndarray, float], np.ndarray] | None
    """Cameras: target height in pixels at ground points; None for buoys (fixed probability)."""
    fixed_probability: float = 1.0
    sensor: SensorType = SensorType.VISIBLE
    """The camera's sensor type: which of the calibration's terms its detections follow (buoys: visible)."""
    analysed: AnalysedScale | None = None
    """Cameras: the analysed frame's and far-bank tile's scale of :attr:`pixel_height` (what the detectors
    see, :mod:`sim.sensing.analysed_size`)."""
    watched: Mapping[Kind, BaseGeometry] | None = None
    """Per kind, the part of :attr:`region` where it alarms on an offender of that kind: the kind's no-go
    areas within it (:func:`build_sensors`); None: all of it, for every kind."""
    distance: Callable[[np.ndarray], np.ndarray] | None = None
    """Cameras: slant distance (m) from the lens to ground points (n, 2), the depth of air the weather
    dims an offender through (:mod:`sim.sensing.alarm_hazard`); None for buoys."""
    image_point: Callable[[np.ndarray], np.ndarray] | None = None
    """Cameras: where ground points (n, 2) are in the full image, px (n, 2): how far apart two offenders
    look (:meth:`separation`); None for buoys."""

    def alarm_region(self, kind: Kind) -> BaseGeometry:
        """Where the sensor may alarm on an offender of ``kind``, m (:attr:`watched`)."""
        return self.region if self.watched is None else self.watched[kind]

    def target_pixels(self, xy: np.ndarray, object_height: float, kind: Kind, analysed: bool) -> np.ndarray:
        """A camera's target height (px) at ground points ``xy`` (n, 2): as its detectors analyse it
        (``analysed``) or in the full image (a calibration class fitted to those, ``size_basis: full``)."""
        if analysed:
            return self.analysed.pixel_height(xy, object_height, kind)
        return self.pixel_height(xy, object_height)

    def separation(self, here: np.ndarray, there: np.ndarray, object_height: float) -> np.ndarray:
        """How far apart in the image (px) the feet of an offender at ground point ``here`` (2,) and of others
        at ``there`` (n, 2) look, in the offender's own heights there (``object_height`` m tall): the same
        in the analysed frame as in the full image, whose scale divides out."""
        points = self.image_point(np.vstack([here, there]))
        height = float(self.pixel_height(np.atleast_2d(here), object_height)[0])
        return np.hypot(*(points[1:] - points[0]).T) / max(height, 1e-9)

    def observation_times(self, t0: float, t1: float) -> np.ndarray:
        """Observation instants in [t0, t1], on the sensor's grid of multiples of the interval."""
        first = np.ceil(t0 / self.frame_interval - 1e-9)
        last = np.floor(t1 / self.frame_interval + 1e-9)
        return np.arange(first, last + 1) * self.frame_interval


def build_sensors(scenario: Scenario, geometry: ZoneGeometry) -> list[Sensor]:
    """Cameras (k-of-n persistence, size-dependent probability) and buoys (one report suffices).

    A sensor sees an offender anywhere in its region (its first sight), and alarms on it only where its kind
    is forbidden: pixel mode's detectors report only boxes whose foot lies in a no-go area
    (:func:`sim.pixel.pixel_camera.camera_context`), and a swimmer who drifts out of its area, in view all
    along, raises no alarm there; a buoy reports a swimmer nearby, an offence only in a no-swimming area.
    """
    persistence = scenario.detection.persistence
    sensors = []
    for camera in scenario.cameras:
        analysed = AnalysedScale.of(camera, scenario.detection.analysis_width)
        model = analysed.camera
        region = visible_region(model, geometry.islands)
        shapely.prepare(region)
        sensors.append(
            Sensor(
                camera.id,
                region,
                1.0 / camera.fps,
                persistence.k,
                persistence.n,
                frozenset(Kind),
                model.pixel_height,
                sensor=camera.sensor,
                analysed=analysed,
                watched=_within(region, geometry, Kind),
                distance=model.distance,
                image_point=model.ground_to_image,
            )
        )
    for buoy in scenario.buoys:
        region = Point(buoy.position).buffer(buoy.detection_radius).intersection(geometry.water)
        shapely.prepare(region)
        sensors.append(
            Sensor(
                buoy.id,
                region,
                buoy.report_interval,
                1,
                1,
                frozenset({Kind.SWIMMING}),
                None,
                buoy.detection_probability,
                watched=_within(region, geometry, [Kind.SWIMMING]),
            )
        )
    return sensors


class InView(NamedTuple):
    """An offender in one sensor's view (:meth:`sim.sensing.statistical.StatisticalSensing.sightings`)."""

    sensor: Sensor
    intervals: list[tuple[float, float]]
    """When it is in the sensor's :attr:`Sensor.region`, s: the first starts its first sight."""
    alarmable: list[tuple[float, float]]
    """When it is in the sensor's :meth:`Sensor.alarm_region` of its kind, s: where alarms may come."""


def _within(region: BaseGeometry, geometry: ZoneGeometry, kinds) -> dict[Kind, BaseGeometry]:
    """``region`` within each of ``kinds``' no-go areas, prepared for the many tracks tested against it."""
    parts = {kind: region.intersection(geometry.no_go(kind.value)) for kind in kinds}
    for part in parts.values():
        shapely.prepare(part)
    return parts


def visible_intervals(track: Track, region: BaseGeometry, t0: float, t1: float) -> list[tuple[float, float]]:
    """Maximal time intervals within [t0, t1] during which the track is inside ``region``."""
    if region.is_empty:
        return []
    x0, y0, x1, y1 = track.bounds
    rx0, ry0, rx1, ry1 = region.bounds
    if x1 < rx0 or x0 > rx1 or y1 < ry0 or y0 > ry1:
        return []  # cheap rejection: most cameras of a large zone are far from any one offender
    if track.stationary:
        return [(t0, t1)] if region.covers(Point(track.xy[0])) else []
    a, b = track.xy[:-1], track.xy[1:]
    segments = shapely.linestrings(np.stack([a, b], axis=1))
    pieces = shapely.intersection(segments, region)
    seen = np.flatnonzero(~shapely.is_empty(pieces))
    # Every piece's parts and their coordinates at once (a segment may cross the region more than once).
    parts, piece_of = shapely.get_parts(pieces[seen], return_index=True)
    coords, part_of = shapely.get_coordinates(parts, return_index=True)
    bounds = np.searchsorted(part_of, np.arange(len(parts) + 1))
    intervals: list[tuple[float, float]] = []
    for part, i in enumerate(seen[piece_of].tolist()):
        d = b[i] - a[i]
        length2 = float(d @ d)
        ta, tb = track.t[i], track.t[i + 1]
        if length2 == 0.0:
            s0, s1 = 0.0, 1.0
        else:
            s = (coords[bounds[part] : bounds[part + 1]] - a[i]) @ d / length2
            s0, s1 = float(s.min()), float(s.max())
        intervals.append((ta + s0 * (tb - ta), ta + s1 * (tb - ta)))
    intervals.sort()
    merged: list[list[float]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1] + 1e-9:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    clipped = [(max(s, t0), min(e, t1)) for s, e in merged]
    return [(s, e) for s, e in clipped if e >= s]
