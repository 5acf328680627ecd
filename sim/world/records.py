"""Frozen records that components emit during a run; tables are built from them afterwards."""

from __future__ import annotations

from dataclasses import dataclass

from sim.scenario.models import Kind


@dataclass(frozen=True)
class Alarm:
    """A sensor's alarm, as raised at the sensor (before the uplink)."""

    alarm_id: int
    t: float
    """Time the alarm rule fired at the sensor, s."""
    source: str
    """Camera or buoy id."""
    kind: Kind
    x: float
    y: float
    score: float
    """Detector confidence in (0, 1) of the frame that completed the persistence rule."""
    incident_id: int | None
    """Ground truth: the incident seen, None for a false alarm (never used by dispatch)."""


@dataclass(frozen=True)
class Leg:
    """A boat moving along a straight segment at constant speed (or holding still)."""

    boat_id: str
    t0: float
    t1: float
    x0: float
    y0: float
    x1: float
    y1: float
    state: str
    battery0_wh: float
    battery1_wh: float

    @property
    def speed(self) -> float:
        """m/s"""
        length = ((self.x1 - self.x0) ** 2 + (self.y1 - self.y0) ** 2) ** 0.5
        return length / (self.t1 - self.t0) if self.t1 > self.t0 else 0.0


@dataclass(frozen=True)
class MissionRecord:
    """One boat sent to one case; times in s, empty (None) where it never happened."""

    mission_id: int
    boat_id: str
    incident_id: int | None
    t_assigned: float
    t_depart: float | None
    t_arrive: float | None
    t_done: float | None
    t_back: float | None
    distance_m: float
    """Travelled from assignment until back at its station (or the next mission), m."""
    energy_wh: float
    """Drawn from the battery over the same span, Wh."""
    case_id: int
    kind: str
    target_x: float
    target_y: float
    status: str
    """completed, nobody_found, rejected (by the operator), preempted, or unfinished (run ended)."""
