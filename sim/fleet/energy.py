"""Boat energy: electrical power by activity, energy of a planned motion, and the battery.

Power drawn from the battery, W:

* propulsion ``k · w³`` at speed ``w`` through the water: drag force grows with
  the square of speed and power is force times speed, so at constant
  propulsive efficiency power grows with the cube (the "cube law" of ship
  propulsion; e.g. Molland, Turnock & Hudson, *Ship Resistance and
  Propulsion*, 2nd ed., ch. 3). ``k`` (``drag_coefficient``, W/(m/s)³) folds
  drag area and efficiency into one fitted number;
* hotel load (electronics, radio, navigation) at all times away from the dock;
* the evidence camera while on scene or on patrol, the loudspeaker while a
  warning plays;
* station keeping in a current ``c``: holding still means moving through the
  water at ``|c|``, so ``k · |c|³``.

The kinetic energy of speeding up is left out: a 150 kg boat at 2.5 m/s holds
about 470 J (0.13 Wh), far below the drag energy of even a 100 m trip.

Docked boats charge at constant power up to capacity (constant-current
charging; the slower constant-voltage tail of real Li-ion charging is not modelled).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.errors import FlatBatteryError
from sim.fleet.kinematics import Motion
from sim.scenario.models import Boat as BoatSpec

# Three-point Gauss-Legendre rule on [0, 1]: exact for polynomials up to degree 5,
# so for (v0 + a t)^3 (no current) the energy of a piece is exact.
_GL_NODES = 0.5 + 0.5 * np.array([-np.sqrt(0.6), 0.0, np.sqrt(0.6)])
_GL_WEIGHTS = np.array([5.0, 8.0, 5.0]) / 18.0


@dataclass(frozen=True)
class PowerModel:
    """Electrical power of one boat in each activity, W."""

    hotel_w: float
    drag_coefficient: float
    """k in P = k w^3, W/(m/s)^3."""
    loudspeaker_w: float
    camera_w: float

    @classmethod
    def of(cls, spec: BoatSpec) -> PowerModel:
        return cls(spec.hotel_power_w, spec.drag_coefficient, spec.loudspeaker_power_w, spec.camera_power_w)

    def propulsion_w(self, water_speed: float | np.ndarray) -> float | np.ndarray:
        """k · w³ at speed ``water_speed`` through the water, W."""
        return self.drag_coefficient * np.asarray(water_speed) ** 3

    def holding_w(self, current_speed: float, camera: bool = False, loudspeaker: bool = False) -> float:
        """Holding position in a current of ``current_speed`` m/s, W."""
        return float(
            self.hotel_w
            + self.propulsion_w(current_speed)
            + (self.camera_w if camera else 0.0)
            + (self.loudspeaker_w if loudspeaker else 0.0)
        )

    def motion_energy_wh(self, motion: Motion) -> np.ndarray:
        """Energy of each piece of ``motion`` (hotel load and propulsion), Wh.

        Within a piece the ground speed changes linearly; the water speed is
        ``|g(t) u − c|``; its cube is integrated with a 3-point Gauss-Legendre rule.
        """
        if motion.pieces == 0:
            return np.zeros(0)
        seconds = np.diff(motion.t)
        ground = motion.v[:-1, None] + np.diff(motion.v)[:, None] * _GL_NODES[None, :]
        water = np.hypot(
            ground * motion.heading[:, :1] - motion.current[:, :1],
            ground * motion.heading[:, 1:] - motion.current[:, 1:],
        )
        mean_power = self.hotel_w + self.propulsion_w(water) @ _GL_WEIGHTS
        return mean_power * seconds / 3600.0


class Battery:
    """State of charge of one boat, Wh; charges at a constant power while docked."""

    def __init__(self, capacity_wh: float, charge_power_w: float, t: float):
        self.capacity_wh = capacity_wh
        self.charge_power_w = charge_power_w
        self._level = capacity_wh
        self._charging_since: float | None = t

    @property
    def charging(self) -> bool:
        return self._charging_since is not None

    def level(self, t: float) -> float:
        """Charge at time ``t`` (s), counting charging since docking, Wh."""
        if self._charging_since is None:
            return self._level
        gained = self.charge_power_w * (t - self._charging_since) / 3600.0
        return min(self.capacity_wh, self._level + gained)

    def time_to_reach(self, level_wh: float, t: float) -> float:
        """Seconds of charging from ``t`` until the battery holds ``level_wh`` (inf if it never can)."""
        if level_wh > self.capacity_wh:
            return float("inf")
        return max(0.0, level_wh - self.level(t)) * 3600.0 / self.charge_power_w

    def start_charging(self, t: float) -> None:
        self._charging_since = t

    def stop_charging(self, t: float) -> list[tuple[float, float, float, float]]:
        """Stop charging at ``t``; the charging spans as (t0, t1, level0, level1), split where it got full."""
        if self._charging_since is None:
            return []
        t0, level0 = self._charging_since, self._level
        self._level = self.level(t)
        self._charging_since = None
        full_at = t0 + (self.capacity_wh - level0) * 3600.0 / self.charge_power_w
        if level0 < self.capacity_wh and full_at < t:
            return [(t0, full_at, level0, self.capacity_wh), (full_at, t, self.capacity_wh, self.capacity_wh)]
        return [(t0, t, level0, self._level)] if t > t0 else []

    def draw(self, energy_wh: float) -> float:
        """Take ``energy_wh`` out; returns the new level, Wh. Raises FlatBatteryError below zero."""
        if self._charging_since is not None:
            raise RuntimeError("draw from a battery that is still charging: stop charging first")
        if self._level - energy_wh < -1e-6:
            raise FlatBatteryError(f"battery would fall to {self._level - energy_wh:.3f} Wh")
        self._level -= energy_wh
        return self._level
