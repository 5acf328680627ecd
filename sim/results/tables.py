"""The tables and KPIs of a run, computed after it from what was recorded.

During the run components only append flat rows (alarms, missions, boat
legs) and stamp incident times into the :class:`~sim.world.recorder.Recorder`;
after it, this module turns them into the tidy tables and the summary of the
output contract (DESIGN.md, "A run's outputs").
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from sim.core.stats import distribution
from sim.results.track_rows import SAMPLE_S, track_table
from sim.world.incidents import Incident
from sim.world.recorder import STAGE_FIELDS, Recorder
from sim.world.records import Leg

INCIDENT_COLUMNS = (
    "incident_id",
    "kind",
    "x",
    "y",
    "t_start",
    "t_end",
    "t_first_visible",
    *STAGE_FIELDS,
    "boat_id",
    "outcome",
)
ALARM_COLUMNS = ("alarm_id", "t", "source", "kind", "x", "y", "score", "incident_id", "dispatched")
MISSION_COLUMNS = (
    "mission_id",
    "boat_id",
    "incident_id",
    "t_assigned",
    "t_depart",
    "t_arrive",
    "t_done",
    "t_back",
    "distance_m",
    "energy_wh",
    "case_id",
    "kind",
    "target_x",
    "target_y",
    "status",
)

STAGES = {
    "detection": ("t_start", "t_detected"),
    "uplink": ("t_detected", "t_alarm_received"),
    "dispatch": ("t_alarm_received", "t_dispatched"),
    "transit": ("t_dispatched", "t_boat_arrived"),
    "warning": ("t_boat_arrived", "t_warning"),
}
"""Stages of the response; their durations add up to the response time t_warning − t_start."""

OUTCOMES = ("deterred", "non_compliant", "left_before_response", "missed", "unresolved")


def _outcome(marks: dict[str, float], t_end: float, horizon: float) -> str:
    if "t_warning" in marks:
        if "t_offender_left" in marks:
            return "deterred"
        return "non_compliant" if "t_gave_up" in marks else "unresolved"
    if t_end > horizon:
        return "unresolved"
    return "missed" if "t_detected" not in marks else "left_before_response"


def incidents_table(
    incidents: list[Incident], recorder: Recorder, first_visible: dict[int, float | None], horizon: float
) -> pd.DataFrame:
    """One row per incident, columns as the output contract lists them."""
    rows = []
    for incident in incidents:
        marks = recorder.marks.get(incident.id, {})
        x, y = incident.start_xy
        rows.append(
            {
                "incident_id": incident.id,
                "kind": str(incident.kind),
                "x": round(x, 2),
                "y": round(y, 2),
                "t_start": round(incident.t_start, 3),
                "t_end": round(incident.t_end, 3),
                "t_first_visible": _round(first_visible.get(incident.id), 3),
                **{f: _round(marks.get(f), 3) for f in STAGE_FIELDS},
                "boat_id": recorder.boat_of.get(incident.id),
                "outcome": _outcome(marks, incident.t_end, horizon),
            }
        )
    return pd.DataFrame(rows, columns=list(INCIDENT_COLUMNS)).astype({"incident_id": "int64"})


def alarms_table(recorder: Recorder) -> pd.DataFrame:
    rows = [
        {
            "alarm_id": a.alarm_id,
            "t": round(a.t, 3),
            "source": a.source,
            "kind": str(a.kind),
            "x": round(a.x, 2),
            "y": round(a.y, 2),
            "score": round(a.score, 4),
            "incident_id": a.incident_id,
            "dispatched": a.alarm_id in recorder.dispatched_alarms,
        }
        for a in sorted(recorder.alarms, key=lambda a: a.alarm_id)
    ]
    return pd.DataFrame(rows, columns=list(ALARM_COLUMNS)).astype({"incident_id": "Int64"})


def missions_table(recorder: Recorder) -> pd.DataFrame:
    rows = []
    for m in sorted(recorder.missions, key=lambda m: m.mission_id):
        row = asdict(m)
        for key in ("t_assigned", "t_depart", "t_arrive", "t_done", "t_back", "energy_wh"):
            row[key] = _round(row[key], 3)
        row["distance_m"] = round(row["distance_m"], 2)
        row["target_x"], row["target_y"] = round(row["target_x"], 2), round(row["target_y"], 2)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(MISSION_COLUMNS)).astype({"incident_id": "Int64"})


def tracks_table(legs: list[Leg], sample_s: float = SAMPLE_S) -> pd.DataFrame:
    """Boat positions every ``sample_s`` seconds while moving or on scene, plus each leg's ends (the whole
    table; :func:`sim.results.track_rows.track_chunks` gives it a chunk at a time)."""
    return track_table(legs, sample_s)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def summarize(
    incidents: pd.DataFrame, alarms: pd.DataFrame, missions: pd.DataFrame, duration_s: float, boats: int
) -> dict:
    """KPIs of one run (the part of summary.json that depends only on the tables)."""
    outcome_counts = incidents["outcome"].value_counts()
    open_undetected = (incidents["outcome"] == "unresolved") & incidents["t_detected"].isna()
    judged = incidents[~open_undetected]
    detected = int(judged["t_detected"].notna().sum())
    false_alarms = alarms[alarms["incident_id"].isna()]
    false_missions = missions[missions["incident_id"].isna()]
    # A mission keeps its boat busy until it is back, or until its next mission if re-tasked on the way.
    next_assigned = missions.groupby("boat_id")["t_assigned"].shift(-1)
    until = missions["t_back"].fillna(next_assigned).fillna(duration_s)
    busy = (until - missions["t_assigned"]).clip(upper=duration_s).sum()
    return {
        "counts": {
            "incidents": len(incidents),
            **{kind: int((incidents["kind"] == kind).sum()) for kind in ("swimming", "fishing")},
            "detected": int(incidents["t_detected"].notna().sum()),
            "warned": int(incidents["t_warning"].notna().sum()),
            "alarms": len(alarms),
            "false_alarms": len(false_alarms),
            "missions": len(missions),
            "outcomes": {o: int(outcome_counts.get(o, 0)) for o in OUTCOMES},
        },
        "detection_rate": round(detected / len(judged), 4) if len(judged) else None,
        "false_alarms_per_hour": round(len(false_alarms) / (duration_s / 3600.0), 4),
        "false_dispatches": len(false_missions),
        "response_time_s": distribution(incidents["t_warning"] - incidents["t_start"]),
        "stages_s": {name: distribution(incidents[b] - incidents[a]) for name, (a, b) in STAGES.items()},
        "boat_utilization": round(float(busy) / (boats * duration_s), 4),
    }
