"""Incidents: when and where offenders appear, how they move, how they answer warnings.

Arrivals of each kind form a non-homogeneous Poisson process with rate
λ(t) = rate · hourly[local hour] · monthly[local month], drawn by thinning
(Lewis & Shedler 1979): a homogeneous process at λ_max is drawn and each
point kept with probability λ(t)/λ_max.

Everything about one incident (place, duration, path, answers to warnings)
is drawn when it is generated from its own named stream, so the incidents of
a seed do not depend on anything downstream (network, boats, thresholds).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely

from sim.core.rng import RandomStreams
from sim.scenario.models import IncidentKind, Kind, Scenario
from sim.world.daylight import local_hour_and_month
from sim.world.geometry import ZoneGeometry, sample_in

DRIFT_LEG_S = 60.0
"""A drifting swimmer changes heading and speed once per this many seconds."""
DRIFT_TURN_SD_DEG = 45.0
"""Standard deviation of the heading change between legs, deg."""


@dataclass(frozen=True)
class Track:
    """Piecewise-linear motion: position ``xy[i]`` (m) at time ``t[i]`` (s), constant before/after."""

    t: np.ndarray
    xy: np.ndarray

    def __post_init__(self) -> None:
        if self.t.ndim != 1 or self.xy.shape != (len(self.t), 2):
            raise ValueError(f"track needs t (k,) and xy (k, 2), got {self.t.shape} and {self.xy.shape}")
        if np.any(np.diff(self.t) <= 0):
            raise ValueError("track times must increase")

    def position(self, t: np.ndarray | float) -> np.ndarray:
        """Positions (n, 2) at times ``t`` (s)."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        return np.column_stack([np.interp(t, self.t, self.xy[:, 0]), np.interp(t, self.t, self.xy[:, 1])])

    @cached_property
    def stationary(self) -> bool:
        return bool(np.all(self.xy == self.xy[0]))

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """The track's bounding box (min x, min y, max x, max y), m."""
        (x0, y0), (x1, y1) = self.xy.min(axis=0), self.xy.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)


@dataclass(frozen=True)
class Incident:
    """One offender: ground truth, fixed when the incident is generated."""

    id: int
    kind: Kind
    area_id: str
    t_start: float
    t_end: float
    """When the offender would leave if nobody came, s."""
    track: Track
    visible_height: float
    """Height of the visible body, m (sets pixel size)."""
    heeds: tuple[bool, ...]
    """Whether the offender heeds warning 1, 2, ... (one draw per possible warning)."""
    leave_delays: tuple[float, ...]
    """Time from a heeded warning to leaving, s (one per possible warning)."""

    @property
    def start_xy(self) -> tuple[float, float]:
        return float(self.track.xy[0, 0]), float(self.track.xy[0, 1])

    def position(self, t: float) -> tuple[float, float]:
        x, y = self.track.position(t)[0]
        return float(x), float(y)

    def leave_time_after(self, warning_number: int, t_warning: float) -> float | None:
        """When the offender leaves if warning ``warning_number`` (1-based) sounds at ``t_warning``.

        None if this warning is not heeded. Never later than ``t_end``: an
        offender who was leaving anyway goes at ``t_end``.
        """
        index = warning_number - 1
        if index >= len(self.heeds) or not self.heeds[index]:
            return None
        return min(t_warning + self.leave_delays[index], self.t_end)


def arrival_times(
    kind: IncidentKind, scenario: Scenario, duration: float, rng: np.random.Generator
) -> np.ndarray:
    """Sorted arrival times (s) in [0, duration) by thinning a homogeneous Poisson process."""
    peak = kind.rate_per_hour / 3600.0 * max(kind.hourly_profile) * max(kind.monthly_profile)
    count = rng.poisson(peak * duration)
    candidates = np.sort(rng.uniform(0.0, duration, count))
    hour, month = local_hour_and_month(scenario.run.start, candidates)
    rate = (
        kind.rate_per_hour
        / 3600.0
        * np.asarray(kind.hourly_profile)[hour]
        * np.asarray(kind.monthly_profile)[month]
    )
    keep = rng.uniform(0.0, 1.0, count) * peak < rate
    return candidates[keep]


def drift_track(
    start: tuple[float, float],
    t_start: float,
    t_end: float,
    speed: float,
    water: shapely.Geometry,
    rng: np.random.Generator,
) -> Track:
    """A correlated random walk on water: one leg per :data:`DRIFT_LEG_S`, turning ~N(0, 45°).

    A leg that would leave the water is tried reversed, then replaced by
    staying put, so the track never crosses land at a waypoint.
    """
    if speed == 0.0:
        return Track(np.array([t_start, t_end]), np.array([start, start], dtype=float))
    legs = max(1, int(np.ceil((t_end - t_start) / DRIFT_LEG_S)))
    times = np.minimum(t_start + DRIFT_LEG_S * np.arange(legs + 1), t_end)
    heading = rng.uniform(0.0, 2 * np.pi)
    turns = np.radians(rng.normal(0.0, DRIFT_TURN_SD_DEG, legs))
    speeds = speed * rng.uniform(0.5, 1.5, legs)
    points = [np.asarray(start, dtype=float)]
    for leg in range(legs):
        heading += turns[leg]
        step = speeds[leg] * (times[leg + 1] - times[leg]) * np.array([np.sin(heading), np.cos(heading)])
        here = points[-1]
        if shapely.contains_xy(water, *(here + step)):
            points.append(here + step)
        elif shapely.contains_xy(water, *(here - step)):
            points.append(here - step)
            heading += np.pi
        else:
            points.append(here.copy())
    return Track(times, np.array(points))


class IncidentGenerator:
    """Draws all incidents of a run from the scenario's incident model."""

    def __init__(self, scenario: Scenario, geometry: ZoneGeometry, streams: RandomStreams):
        self.scenario = scenario
        self.geometry = geometry
        self.streams = streams

    def generate(self, duration: float) -> list[Incident]:
        """Incidents starting in [0, duration), numbered from 1 in order of start time."""
        drafts = []
        for kind in Kind:
            spec = getattr(self.scenario.incidents, kind.value)
            if not self.geometry.areas(kind.value):
                continue
            times = arrival_times(
                spec, self.scenario, duration, self.streams.stream(f"incidents/{kind}/arrivals")
            )
            for index, t_start in enumerate(times):
                rng = self.streams.stream(f"incidents/{kind}/{index}")
                drafts.append(self._draft(kind, spec, float(t_start), rng))
        drafts.sort(key=lambda d: (d["t_start"], d["kind"]))
        return [Incident(id=i, **d) for i, d in enumerate(drafts, start=1)]

    def _draft(self, kind: Kind, spec: IncidentKind, t_start: float, rng: np.random.Generator) -> dict:
        areas = self.geometry.areas(kind.value)
        hour, month = local_hour_and_month(self.scenario.run.start, np.array([t_start]))
        weights = np.array([a.weight_at(int(hour[0]), int(month[0])) for a in areas])
        area = areas[rng.choice(len(areas), p=weights / weights.sum())]
        start = sample_in(area.region, rng)
        t_end = t_start + float(spec.duration.build().sample(rng))
        track = drift_track(start, t_start, t_end, spec.drift_speed, self.geometry.water, rng)
        compliance = spec.compliance
        heeds = tuple(bool(h) for h in rng.uniform(size=compliance.max_warnings) < compliance.p_leave)
        delays = compliance.leave_delay.build().sample(rng, compliance.max_warnings)
        return {
            "kind": kind,
            "area_id": area.id,
            "t_start": t_start,
            "t_end": t_end,
            "track": track,
            "visible_height": spec.visible_height,
            "heeds": heeds,
            "leave_delays": tuple(float(d) for d in delays),
        }
