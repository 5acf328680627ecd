"""The tables and KPIs of a run, computed after it from what was recorded.

During the run components only append flat rows (alarms, missions, boat
legs) and stamp incident times into the :class:`~sim.world.recorder.Recorder`;
after it, this module turns them into the tidy tables and the summary of the
output contract (DESIGN.md, "A run's outputs").
"""

from __future__ import annotations

import math
from dataclasses import asdict

import numpy as np
import pandas as pd

from sim.core.stats import distribution
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
TRACK_COLUMNS = ("boat_id", "t", "x", "y", "speed", "battery_wh", "state")

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


def tracks_table(legs: list[Leg], sample_s: float = 5.0) -> pd.DataFrame:
    """Boat positions every ``sample_s`` seconds while moving or on scene, plus each leg's ends."""
    legs = sorted(legs, key=lambda leg: (leg.boat_id, leg.t0))
    if not legs:
        return pd.DataFrame(columns=list(TRACK_COLUMNS))
    times = [
        np.unique(
            np.concatenate(
                [[leg.t0], np.arange(math.ceil(leg.t0 / sample_s) * sample_s, leg.t1, sample_s), [leg.t1]]
            )
        )
        for leg in legs
    ]
    counts = [len(t) for t in times]
    attributes = np.array(
        [[leg.t0, leg.t1, leg.x0, leg.y0, leg.x1, leg.y1, leg.battery0_wh, leg.battery1_wh] for leg in legs]
    )
    t0, t1, x0, y0, x1, y1, b0, b1 = np.repeat(attributes, counts, axis=0).T
    t = np.concatenate(times)
    span = t1 - t0
    fraction = np.divide(t - t0, span, out=np.zeros_like(t), where=span > 0)
    table = pd.DataFrame(
        {
            "boat_id": np.repeat([leg.boat_id for leg in legs], counts),
            "t": t.round(3),
            "x": (x0 + fraction * (x1 - x0)).round(2),
            "y": (y0 + fraction * (y1 - y0)).round(2),
            "speed": np.repeat([round(leg.speed, 3) for leg in legs], counts),
            "battery_wh": (b0 + fraction * (b1 - b0)).round(2),
            "state": np.repeat([leg.state for leg in legs], counts),
        }
    )
    return table.drop_duplicates(subset=["boat_id", "t"], keep="last").reset_index(drop=True)


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
