"""What happened during a run, as it happens: the first time each incident reached each stage, and the
alarms, missions and boat legs that components emit. Tables and KPIs are computed from it after the run
(sim.results.tables)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sim.world.records import Alarm, Leg, MissionRecord

STAGE_FIELDS = (
    "t_detected",
    "t_alarm_received",
    "t_dispatched",
    "t_boat_arrived",
    "t_warning",
    "t_offender_left",
    "t_evidence_uploaded",
)
"""Incident times that must be ordered as listed (where present)."""


class Recorder:
    """Collects what happens during one run."""

    def __init__(self) -> None:
        self.marks: dict[int, dict[str, float]] = defaultdict(dict)
        self.ignored_marks = 0
        self.alarms: list[Alarm] = []
        self.dispatched_alarms: set[int] = set()
        self.missions: list[MissionRecord] = []
        self.legs: list[Leg] = []
        self.boat_of: dict[int, str] = {}
        self.listener: Callable[[int, str, float], None] | None = None
        """Called with (incident id, field, t in s) for each stamp kept and each :meth:`notify`
        (``run --trace``); it only watches, the outputs do not depend on it."""

    def notify(self, incident_id: int, field: str, t: float) -> None:
        """Tell the listener, if any, of a moment that is not a stamp (an arrival, a first sighting)."""
        if self.listener is not None:
            self.listener(incident_id, field, t)

    def mark(self, incident_id: int, field: str, t: float) -> None:
        """Stamp the first time an incident reached ``field``.

        Stage stamps only move forward: a stamp for a stage the incident has
        already passed (say, a camera alarm after a boat warned the offender
        it happened upon) is ignored and counted in ``ignored_marks``.
        """
        marks = self.marks[incident_id]
        if field in marks:
            return
        if field in STAGE_FIELDS:
            later = STAGE_FIELDS[STAGE_FIELDS.index(field) + 1 :]
            if any(f in marks for f in later):
                self.ignored_marks += 1
                return
        marks[field] = t
        self.notify(incident_id, field, t)
