"""The world's ground truth during a run: which offenders are where, and when they left.

Sensors and boats query it; it also stamps incident times into the recorder.
Dispatch never reads it (dispatch only knows alarms and what boats report).
"""

from __future__ import annotations

import math

from sim.scenario.models import Compliance, Incidents, Kind
from sim.world.incidents import Incident
from sim.world.recorder import Recorder


class World:
    """Ground truth of the incidents of one run."""

    def __init__(self, incident_model: Incidents, recorder: Recorder):
        self._model = incident_model
        self.recorder = recorder
        self._active: dict[int, Incident] = {}
        self._left_at: dict[int, float] = {}

    def appear(self, incident: Incident) -> None:
        self._active[incident.id] = incident
        self._left_at[incident.id] = incident.t_end

    def present(self, incident_id: int, t: float) -> bool:
        """Is the offender still there at ``t``?"""
        return incident_id in self._active and t < self._left_at[incident_id]

    def left_at(self, incident_id: int) -> float:
        return self._left_at[incident_id]

    def offender_left(self, incident_id: int, t: float) -> None:
        """The offender left in response to a boat at ``t``."""
        self._left_at[incident_id] = min(self._left_at[incident_id], t)
        self.recorder.mark(incident_id, "t_offender_left", t)

    def recorded_leaving(self, incident_id: int) -> float:
        """When the offender is recorded as leaving in response to a boat (s), ``-inf`` if not.

        It can lie in the future: the time is stamped when the offender decides to go.
        """
        return self.recorder.marks.get(incident_id, {}).get("t_offender_left", -math.inf)

    def forget_departed(self, t: float) -> None:
        """Drop offenders who have left by ``t`` from the active set (keeps queries short)."""
        for incident_id in [i for i in self._active if self._left_at[i] <= t]:
            del self._active[incident_id]

    def offenders_within(
        self, kind: Kind | str, xy: tuple[float, float], t: float, radius: float
    ) -> list[Incident]:
        """Offenders of ``kind`` present at ``t`` within ``radius`` m of ``xy``, nearest first."""
        found = []
        for incident in self._active.values():
            if incident.kind != kind or not self.present(incident.id, t):
                continue
            x, y = incident.position(t)
            distance = math.hypot(x - xy[0], y - xy[1])
            if distance <= radius:
                found.append((distance, incident.id, incident))
        return [incident for _, _, incident in sorted(found)]

    def offender_near(
        self, kind: Kind | str, xy: tuple[float, float], t: float, search_radius: float
    ) -> Incident | None:
        """The nearest offender of ``kind`` present at ``t`` within ``search_radius`` m of ``xy``."""
        nearby = self.offenders_within(kind, xy, t, search_radius)
        return nearby[0] if nearby else None

    def compliance(self, kind: Kind | str) -> Compliance:
        return getattr(self._model, str(kind)).compliance

    def mark(self, incident_id: int, field: str, t: float) -> None:
        self.recorder.mark(incident_id, field, t)

    def attended_by(self, incident_id: int, boat_id: str) -> None:
        """Record the boat that reached an offender (the first one counts)."""
        self.recorder.boat_of.setdefault(incident_id, boat_id)
