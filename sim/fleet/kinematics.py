"""Boat kinematics: speed profiles along a planned path, corner slowing, and water currents.

A boat follows its polyline path with a speed profile built from three limits:

* **Cruise and top speed.** The boat holds ``cruise_speed`` through the water;
  over ground it then makes ``g = c·u + sqrt(w² − (c × u)²)`` along the unit
  heading ``u`` in a current ``c`` (the speed triangle of vectors: water
  velocity + current = ground velocity), capped at ``max_speed``.
* **Corners.** A turn by angle θ between two legs is flown as a circular arc
  that cuts the corner by at most ``corner_cut`` metres. The arc's radius is
  ``R = δ cos(θ/2) / (1 − cos(θ/2))`` (the circle tangent to both legs whose
  midpoint lies δ inside the vertex), and with a lateral acceleration limit
  ``a_lat = v²/R`` the corner speed is ``sqrt(a_lat R)``. A straight
  continuation (θ = 0) costs nothing; a U-turn (θ = π) stops the boat.
* **Acceleration and deceleration.** Constant rates ``a`` and ``b``; the
  profile is the usual forward-backward pass over the vertices
  (``v_{i+1} ≤ sqrt(v_i² + 2 a L_i)`` forwards, ``v_i ≤ sqrt(v_{i+1}² + 2 b L_i)``
  backwards), and each leg is a trapezoid (or triangle) between its end speeds.

The boat starts and ends each path at rest. Positions are recorded along the
polyline itself: the arc cuts at most ``corner_cut`` (a metre or two), well
inside the shore margin the path keeps.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sim.scenario.models import Boat as BoatSpec
from sim.scenario.models import GridCurrentSpec, UniformCurrentSpec

MAX_PIECE_S = 1.0
"""Accelerating stretches are stored in pieces of at most this long (s), so tracks sample them finely."""


# ---------------------------------------------------------------- currents


class CurrentField(Protocol):
    step_m: float
    """Longest stretch of path over which the current may be taken as constant, m."""

    def at(self, xy: np.ndarray) -> np.ndarray:
        """Current velocity (n, 2) east and north at points ``xy`` (n, 2), m/s."""

    def max_speed(self) -> float:
        """Largest current speed anywhere in the field, m/s."""


@dataclass(frozen=True)
class UniformCurrent:
    """The same current everywhere."""

    east: float = 0.0
    north: float = 0.0
    step_m: float = math.inf

    def at(self, xy: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.array([self.east, self.north]), np.shape(xy)).astype(float)

    def max_speed(self) -> float:
        return math.hypot(self.east, self.north)


NO_CURRENT = UniformCurrent()


@dataclass(frozen=True)
class GridCurrent:
    """A current given on a regular grid, bilinearly interpolated, held constant beyond the grid.

    ``east[r, c]`` and ``north[r, c]`` are the components at
    ``(origin_x + c·spacing, origin_y + r·spacing)``: rows go north, columns east.
    """

    origin: tuple[float, float]
    spacing: float
    east: np.ndarray
    north: np.ndarray

    @property
    def step_m(self) -> float:
        return self.spacing

    def at(self, xy: np.ndarray) -> np.ndarray:
        xy = np.atleast_2d(np.asarray(xy, dtype=float))
        rows, cols = self.east.shape
        gx = np.clip((xy[:, 0] - self.origin[0]) / self.spacing, 0.0, cols - 1.0)
        gy = np.clip((xy[:, 1] - self.origin[1]) / self.spacing, 0.0, rows - 1.0)
        c0 = np.minimum(np.floor(gx).astype(int), cols - 2)
        r0 = np.minimum(np.floor(gy).astype(int), rows - 2)
        fx, fy = gx - c0, gy - r0

        def bilinear(grid: np.ndarray) -> np.ndarray:
            return (
                grid[r0, c0] * (1 - fx) * (1 - fy)
                + grid[r0, c0 + 1] * fx * (1 - fy)
                + grid[r0 + 1, c0] * (1 - fx) * fy
                + grid[r0 + 1, c0 + 1] * fx * fy
            )

        return np.column_stack([bilinear(self.east), bilinear(self.north)])

    def max_speed(self) -> float:
        # Bilinear interpolation of each component stays inside the convex hull of the grid vectors.
        return float(np.hypot(self.east, self.north).max())


def current_field(spec: UniformCurrentSpec | GridCurrentSpec | None) -> CurrentField:
    """The field a scenario's ``zone.current`` describes (no current when absent)."""
    if spec is None:
        return NO_CURRENT
    if isinstance(spec, UniformCurrentSpec):
        return UniformCurrent(*spec.velocity)
    return GridCurrent(spec.origin, spec.spacing, np.array(spec.east, float), np.array(spec.north, float))


def ground_speed(water_speed: float, heading: np.ndarray, current: np.ndarray) -> np.ndarray:
    """Speed over ground (n,) along unit ``heading`` (n, 2) at ``water_speed`` in ``current`` (n, 2), m/s.

    NaN where the cross-current exceeds the water speed (no headway possible).
    """
    along = np.einsum("ij,ij->i", current, heading)
    cross = current[:, 0] * heading[:, 1] - current[:, 1] * heading[:, 0]
    with np.errstate(invalid="ignore"):
        return along + np.sqrt(water_speed**2 - cross**2)


# ---------------------------------------------------------------- limits and corners


@dataclass(frozen=True)
class Limits:
    """What bounds a boat's speed, all in m and s."""

    cruise_speed: float
    max_speed: float
    acceleration: float
    deceleration: float
    lateral_acceleration: float
    corner_cut: float

    @classmethod
    def of(cls, spec: BoatSpec) -> Limits:
        return cls(
            spec.cruise_speed,
            spec.max_speed,
            spec.acceleration,
            spec.deceleration,
            spec.lateral_acceleration,
            spec.corner_cut,
        )


def turn_angles(waypoints: np.ndarray) -> np.ndarray:
    """Heading change (k − 2,) at each interior waypoint of a polyline (k, 2), rad in [0, π]."""
    steps = np.diff(waypoints, axis=0)
    a, b = steps[:-1], steps[1:]
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    dot = np.einsum("ij,ij->i", a, b)
    return np.abs(np.arctan2(cross, dot))


def corner_speed(turn: np.ndarray, limits: Limits) -> np.ndarray:
    """Highest speed through a corner of heading change ``turn`` (rad), m/s (see the module docstring)."""
    half = np.cos(np.asarray(turn, dtype=float) / 2.0)
    with np.errstate(divide="ignore"):
        radius = np.where(half < 1.0, limits.corner_cut * half / (1.0 - half), np.inf)
    return np.minimum(limits.max_speed, np.sqrt(limits.lateral_acceleration * radius))


# ---------------------------------------------------------------- motion


@dataclass(frozen=True)
class Motion:
    """A path flown as pieces of constant acceleration (times from the start of the motion).

    Piece ``i`` runs from ``t[i]`` to ``t[i+1]``, from ``xy[i]`` to ``xy[i+1]``
    along the unit ``heading[i]``, its ground speed changing linearly from
    ``v[i]`` to ``v[i+1]``; ``current[i]`` is the current it crosses.
    """

    t: np.ndarray
    xy: np.ndarray
    v: np.ndarray
    heading: np.ndarray
    current: np.ndarray

    @property
    def duration(self) -> float:
        """s"""
        return float(self.t[-1])

    @property
    def distance(self) -> float:
        """m"""
        return float(np.hypot(*np.diff(self.xy, axis=0).T).sum())

    @property
    def pieces(self) -> int:
        return len(self.t) - 1

    def at(self, elapsed: float) -> tuple[float, float, float, float]:
        """(x m, y m, heading rad clockwise from north, ground speed m/s) ``elapsed`` s after the start."""
        if self.pieces == 0:
            return float(self.xy[0, 0]), float(self.xy[0, 1]), 0.0, 0.0
        elapsed = min(max(elapsed, 0.0), self.duration)
        i = min(int(np.searchsorted(self.t, elapsed, side="right")) - 1, self.pieces - 1)
        tau, span = elapsed - self.t[i], self.t[i + 1] - self.t[i]
        accel = (self.v[i + 1] - self.v[i]) / span if span > 0 else 0.0
        along = self.v[i] * tau + 0.5 * accel * tau**2
        x, y = self.xy[i] + along * self.heading[i]
        heading = math.atan2(self.heading[i, 0], self.heading[i, 1])
        return float(x), float(y), heading, float(self.v[i] + accel * tau)


def _split_long_legs(waypoints: np.ndarray, step_m: float) -> np.ndarray:
    """Insert waypoints so that no leg is longer than ``step_m`` (for currents that vary in space)."""
    if not math.isfinite(step_m):
        return waypoints
    points = [waypoints[0]]
    for a, b in itertools.pairwise(waypoints):
        parts = max(1, math.ceil(float(np.hypot(*(b - a))) / step_m))
        points.extend(a + (b - a) * (k / parts) for k in range(1, parts + 1))
    return np.array(points)


def plan_motion(waypoints: np.ndarray, limits: Limits, current: CurrentField = NO_CURRENT) -> Motion:
    """The speed profile of a boat flying ``waypoints`` (k, 2) from rest to rest."""
    waypoints = np.asarray(waypoints, dtype=float)
    keep = np.concatenate([[True], np.hypot(*np.diff(waypoints, axis=0).T) > 1e-9])
    waypoints = _split_long_legs(waypoints[keep], current.step_m)
    if len(waypoints) < 2:
        empty = np.zeros((0, 2))
        return Motion(np.zeros(1), waypoints[:1].copy(), np.zeros(1), empty, empty)
    steps = np.diff(waypoints, axis=0)
    lengths = np.hypot(*steps.T)
    headings = steps / lengths[:, None]
    currents = current.at(0.5 * (waypoints[:-1] + waypoints[1:]))
    cruise = np.minimum(limits.max_speed, ground_speed(limits.cruise_speed, headings, currents))
    if np.isnan(cruise).any() or (cruise <= 0).any():
        raise ValueError("the current is too strong for this boat to make headway along its path")

    # Speed limit at every vertex: rest at both ends, corners and both neighbouring legs inside.
    # (Python floats from here on: the same IEEE operations as on numpy scalars, without their overhead.)
    bound = np.zeros(len(waypoints))
    bound[1:-1] = np.minimum.reduce([corner_speed(turn_angles(waypoints), limits), cruise[:-1], cruise[1:]])
    bound, lengths, cruise = bound.tolist(), lengths.tolist(), cruise.tolist()
    a, b = limits.acceleration, limits.deceleration
    for i in range(len(lengths)):
        bound[i + 1] = min(bound[i + 1], math.sqrt(bound[i] ** 2 + 2 * a * lengths[i]))
    for i in range(len(lengths) - 1, -1, -1):
        bound[i] = min(bound[i], math.sqrt(bound[i + 1] ** 2 + 2 * b * lengths[i]))

    t, xy, v, leg_of = [0.0], [tuple(waypoints[0].tolist())], [0.0], []
    for i, length in enumerate(lengths):
        v0, v1 = bound[i], bound[i + 1]
        peak = min(cruise[i], math.sqrt((2 * a * b * length + b * v0**2 + a * v1**2) / (a + b)))
        accel_m = (peak**2 - v0**2) / (2 * a)
        decel_m = (peak**2 - v1**2) / (2 * b)
        phases = (
            (v0, peak, accel_m, (peak - v0) / a),
            (peak, peak, max(0.0, length - accel_m - decel_m), None),
            (peak, v1, decel_m, (peak - v1) / b),
        )
        (x0, y0), (hx, hy) = waypoints[i].tolist(), headings[i].tolist()
        done = 0.0
        for speed0, speed1, metres, seconds in phases:
            if metres <= 1e-12:
                continue
            seconds = metres / speed0 if seconds is None else seconds
            parts = 1 if speed0 == speed1 else max(1, math.ceil(seconds / MAX_PIECE_S))
            for k in range(1, parts + 1):
                fraction = k / parts
                speed = speed0 + (speed1 - speed0) * fraction
                along = seconds * fraction * (speed0 + speed) / 2.0
                t.append(t[-1] + seconds / parts)
                xy.append((x0 + hx * (done + along), y0 + hy * (done + along)))
                v.append(speed)
                leg_of.append(i)
            done += metres
        xy[-1] = tuple(waypoints[i + 1].tolist())  # exact vertex, whatever the rounding
    pieces = np.array(leg_of, dtype=np.int64)
    return Motion(np.array(t), np.array(xy), np.array(v), headings[pieces], currents[pieces])
