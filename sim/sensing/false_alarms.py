"""False alarms in statistical mode: their rate by threshold, light and weather, and when they happen.

A camera's detector raises k-of-n alarms on clutter (ducks, debris, glints,
walkers) as a Poisson process per camera and kind with rate

    r(τ, light, weather) = max_rate · exp(a[light] + b[weather] + ab[light, weather]) · σ(c − s · logit τ)

per camera-hour: a log-linear (Poisson regression) model in light and weather
times one threshold curve, the share σ(c − s · logit τ) of the clutter that
scores above τ (:func:`false_alarm_share`). Day light and clear weather are the
reference levels (a, b = 0, and 0 for any offset the calibration file leaves
out, so files without offsets keep their meaning). The interaction ab
(``light_weather``) is there because the detectors' clutter need not be
multiplicative in light and weather (docs/detectors.md, "False alarms by light
and weather"). The offsets are fitted by ``run_sim.py
tune`` (:func:`sim.calibration.false_alarm_fits.fit_false_alarm_model`). The light changes
during a run, so the process is non-homogeneous: :class:`FalseAlarmClock` turns
exponential draws into waiting times by inverting the cumulative rate
(time rescaling; Brown et al., "The time-rescaling theorem and its application
to neural spike train data analysis", Neural Computation 14, 2002).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from shapely.geometry.base import BaseGeometry

from sim.core.maths import logit, sigmoid
from sim.scenario.models import FalseAlarmCalibration, Kind, Light, Weather

if TYPE_CHECKING:
    from sim.sensing.sensors import Sensor


def false_alarm_share(intercept: float, slope: float, threshold):
    """σ(c − s · logit τ): the share of the clutter rate ``max_rate_per_hour`` that scores above the
    threshold(s) τ; the false-alarm curve of the calibration file."""
    return sigmoid(intercept - slope * logit(threshold))


def false_alarm_rate(spec: FalseAlarmCalibration, threshold: float, light: Light, weather: Weather) -> float:
    """False alarms per camera-hour at threshold ``threshold`` in ``light`` and ``weather``, 1/h."""
    together = spec.light_weather.get(light, {}).get(weather, 0.0)
    offset = spec.light.get(light, 0.0) + spec.weather.get(weather, 0.0) + together
    share = false_alarm_share(spec.intercept, spec.slope, threshold)
    return float(spec.max_rate_per_hour * math.exp(offset) * share)


@dataclass(frozen=True)
class FalseAlarmClock:
    """A piecewise-constant rate multiplier m(t) ≥ 0 over a run: waiting times of a Poisson process whose
    rate is a reference rate times m(t).

    Piece i holds from ``starts[i]`` (s) to the next start; the last holds for ever. A unit of
    "reference time" x (an exponential draw at the reference rate) is spent where ∫ m dt = x.
    """

    starts: np.ndarray
    """Start of each piece, s, increasing, the first 0."""
    multipliers: np.ndarray
    """m in each piece, 1 (1: the reference rate)."""

    def delay(self, t: float, x: float) -> float:
        """Time from ``t`` (s) until the integral of m from ``t`` reaches ``x``, s (inf: never).

        Within one piece this is x / m, so a clock with m = 1 throughout returns ``x`` itself and a
        process drawn through it is the homogeneous one, draw for draw.
        """
        i = int(np.searchsorted(self.starts, t, side="right")) - 1
        waited = 0.0
        while True:
            m = float(self.multipliers[i])
            end = float(self.starts[i + 1]) if i + 1 < len(self.starts) else math.inf
            span = end - max(t, float(self.starts[i]))
            if m > 0 and x <= span * m:
                return waited + x / m
            if math.isinf(end):
                return math.inf
            x -= span * m
            waited += span
            i += 1

    @classmethod
    def from_levels(cls, grid: np.ndarray, levels: np.ndarray, multiplier_of: np.ndarray) -> FalseAlarmClock:
        """From a sampled level (``levels[j]`` holds from ``grid[j]``, s) and each level's multiplier."""
        change = np.flatnonzero(np.diff(levels)) + 1
        first = np.concatenate([[0], change])
        return cls(np.asarray(grid, float)[first], np.asarray(multiplier_of, float)[levels[first]])


def false_alarm_regions(sensors: list[Sensor]) -> dict[tuple[str, Kind], BaseGeometry]:
    """Where each camera's detector may raise a false alarm of each kind: its view of the kind's no-go areas
    (:meth:`sim.sensing.sensors.Sensor.alarm_region`, where it alarms on offenders too), if over 1 m²."""
    regions = {}
    for sensor in sensors:
        if sensor.pixel_height is None:
            continue
        for kind in Kind:
            overlap = sensor.alarm_region(kind)
            if overlap.area > 1.0:
                regions[(sensor.id, kind)] = overlap
    return regions
