"""What dispatch keeps: cases (what it believes is out there) and mission logs (what boats did).

Also the planning figures of a case that depend only on the scenario: the
longest a boat may spend on scene (energy planning) and the mean time on
scene (``fastest_eta``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.fleet.boats import OnSceneBudget
from sim.scenario.models import Compliance, Kind
from sim.world.records import MissionRecord


@dataclass
class Case:
    """What dispatch believes: an offender of ``kind`` near (x, y). Mutable while open."""

    id: int
    kind: Kind
    x: float
    y: float
    t_opened: float
    t_last_alarm: float
    budget: OnSceneBudget
    """The longest a boat may spend on scene (energy planning)."""
    expected_on_scene_s: float
    alarm_ids: list[int] = field(default_factory=list)
    incident_ids: list[int] = field(default_factory=list)
    """Ground truth of the alarms, for the records and the operator's verdict only."""
    boat_id: str | None = None
    t_queued: float | None = None
    closed: bool = False
    rejected: bool = False

    @property
    def target(self) -> tuple[float, float]:
        return (self.x, self.y)


@dataclass
class MissionLog:
    """A mission in progress; becomes a frozen MissionRecord when the run ends."""

    id: int
    boat_id: str
    case: Case
    t_assigned: float
    odometer0: float
    energy0: float
    t_depart: float | None = None
    t_arrive: float | None = None
    t_done: float | None = None
    t_back: float | None = None
    distance_m: float = 0.0
    energy_wh: float = 0.0
    found_incident: int | None = None
    status: str = "unfinished"

    def record(self) -> MissionRecord:
        truth = self.found_incident
        if truth is None and self.case.incident_ids:
            truth = self.case.incident_ids[0]
        return MissionRecord(
            self.id,
            self.boat_id,
            truth,
            self.t_assigned,
            self.t_depart,
            self.t_arrive,
            self.t_done,
            self.t_back,
            self.distance_m,
            self.energy_wh,
            self.case.id,
            str(self.case.kind),
            self.case.x,
            self.case.y,
            self.status,
        )


def expected_on_scene_s(compliance: Compliance, setup_s: float, give_up_s: float, upload_s: float) -> float:
    """Mean time on scene with one offender who heeds each warning with probability p, s.

    Heeding warning k (probability p(1−p)^(k−1)) means leaving (k−1)·interval
    plus the mean leave delay after the first warning; heeding none means the
    boat waits (n−1)·interval plus the give-up time. Offenders leaving on their own are ignored.
    """
    p, n, interval = compliance.p_leave, compliance.max_warnings, compliance.warning_interval
    delay = compliance.leave_delay.build().mean
    heeded = sum(
        p * (1 - p) ** (k - 1) * ((k - 1) * interval + min(delay, give_up_s)) for k in range(1, n + 1)
    )
    return setup_s + heeded + (1 - p) ** n * ((n - 1) * interval + give_up_s) + upload_s
