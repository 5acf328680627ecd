"""One run's moving parts as page data: boat tracks, incidents, missions, alarms, drone sorties and the
event log, each a set of typed-array columns (:mod:`sim.results.replay_page.columns`) with the names
they index.

Codes: ``state`` indexes :data:`STATES`, ``outcome`` :data:`OUTCOMES`, an event's ``kind``
:data:`EVENT_KINDS`, ``boat`` the run's ``boat_ids``, ``source`` its ``sources``; -1 means none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.results.replay_page.columns import codes, column, ids, integers, times
from sim.results.replay_page.scene import scene
from sim.results.run_data import RunData
from sim.results.tables import OUTCOMES as OUTCOME_NAMES
from sim.results.track_digest import Tracks

STATES = ["docked", "outbound", "on_scene", "returning", "patrolling"]
"""Boat states (sim.fleet.boats.BoatState values) in the order of their codes."""
OUTCOMES = list(OUTCOME_NAMES)
KINDS = ["swimming", "fishing"]
INCIDENT_TIMES = (
    "t_start",
    "t_end",
    "t_first_visible",
    "t_detected",
    "t_alarm_received",
    "t_dispatched",
    "t_boat_arrived",
    "t_warning",
    "t_offender_left",
    "t_evidence_uploaded",
)
MISSION_TIMES = ("t_assigned", "t_depart", "t_arrive", "t_done", "t_back")
SORTIE_TIMES = ("t_depart", "t_arrive", "t_leave", "t_back")

EVENT_KINDS = [
    "offender appeared",
    "alarm raised",
    "false alarm",
    "alarm received",
    "dispatched",
    "arrived",
    "warning",
    "offender left",
    "evidence uploaded",
    "boat back",
    "drone sortie",
]
"""Kinds of rows in the event log, in the order of their codes."""

INCIDENT_EVENTS = {
    "t_start": "offender appeared",
    "t_alarm_received": "alarm received",
    "t_dispatched": "dispatched",
    "t_boat_arrived": "arrived",
    "t_warning": "warning",
    "t_offender_left": "offender left",
    "t_evidence_uploaded": "evidence uploaded",
}
"""incidents.csv columns that each give one log row (alarms.csv gives "alarm raised" and "false alarm")."""


def boat_tracks(tracks: Tracks, boat_ids: list[str]) -> list[dict]:
    """Per boat: keyframes of ``tracks.csv`` (from its digest) as columns ``t, x, y, heading`` (deg clockwise
    from north, of the segment that starts there; the last moving one while still) and ``state``."""
    boats = []
    for boat_id in boat_ids:
        boat = tracks.boats.get(boat_id)
        keys = boat.keys if boat is not None else np.zeros((0, 4))
        names = boat.state_names if boat is not None else ()
        recode = np.array([STATES.index(s) if s in STATES else 0 for s in names] or [0], np.int64)
        t, x, y = keys[:, 0], keys[:, 1], keys[:, 2]
        state = recode[keys[:, 3].astype(np.int64)]
        dx, dy = np.diff(x, append=x[-1:]), np.diff(y, append=y[-1:])
        moving = np.hypot(dx, dy) > 0.01
        heading = np.degrees(np.arctan2(dx, dy)) % 360.0
        last = np.maximum.accumulate(np.where(moving, np.arange(len(t)), 0)) if len(t) else moving
        heading = np.where(moving.any(), heading[last], 0.0) if len(t) else heading
        boats.append(
            {
                "id": boat_id,
                "samples": boat.samples if boat is not None else 0,
                "t": column(t, "f64"),
                "x": column(x, "f32"),
                "y": column(y, "f32"),
                "heading": column(heading, "f32"),
                "state": column(state, "u8"),
            }
        )
    return boats


def _event_rows(result: RunData, boat_ids: list[str]) -> pd.DataFrame:
    """Every log row: ``t, kind, incident, boat, ref`` (ref: the alarm's or sortie's row, else -1)."""
    boat = {b: i for i, b in enumerate(boat_ids)}
    parts = []
    incidents = result.incidents
    for name, kind in INCIDENT_EVENTS.items():
        happened = incidents[incidents[name].notna()]
        boats = happened["boat_id"] if kind not in ("offender appeared", "alarm received") else None
        parts.append(
            pd.DataFrame(
                {
                    "t": happened[name].astype(float),
                    "kind": EVENT_KINDS.index(kind),
                    "incident": happened["incident_id"].astype(int),
                    "boat": [-1] * len(happened) if boats is None else [boat.get(b, -1) for b in boats],
                    "ref": -1,
                }
            )
        )
    alarms = result.alarms.reset_index(drop=True)
    false = alarms["incident_id"].isna()
    parts.append(
        pd.DataFrame(
            {
                "t": alarms["t"].astype(float),
                "kind": np.where(false, EVENT_KINDS.index("false alarm"), EVENT_KINDS.index("alarm raised")),
                "incident": pd.to_numeric(alarms["incident_id"]).fillna(-1).astype(int),
                "boat": -1,
                "ref": np.arange(len(alarms)),
            }
        )
    )
    missions = result.missions
    for name, kind, rows in (
        ("t_back", "boat back", missions),
        ("t_assigned", "dispatched", missions[missions["incident_id"].isna()]),  # sent to a false alarm
        ("t_arrive", "arrived", missions[missions["incident_id"].isna()]),
    ):
        rows = rows[rows[name].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "t": rows[name].astype(float),
                    "kind": EVENT_KINDS.index(kind),
                    "incident": pd.to_numeric(rows["incident_id"]).fillna(-1).astype(int),
                    "boat": [boat.get(b, -1) for b in rows["boat_id"]],
                    "ref": -1,
                }
            )
        )
    sorties = result.sorties.reset_index(drop=True)
    if len(sorties):
        parts.append(
            pd.DataFrame(
                {
                    "t": sorties["t_depart"].astype(float),
                    "kind": EVENT_KINDS.index("drone sortie"),
                    "incident": -1,
                    "boat": -1,
                    "ref": np.arange(len(sorties)),
                }
            )
        )
    filled = [p for p in parts if len(p)]
    if not filled:  # a run in which nothing happened: no incident, alarm, mission or sortie
        return pd.DataFrame({"t": [], "kind": [], "incident": [], "boat": [], "ref": []}).astype(
            {"t": float, "kind": int, "incident": int, "boat": int, "ref": int}
        )
    events = pd.concat(filled, ignore_index=True)
    return events.sort_values(["t", "kind"], kind="stable").reset_index(drop=True)


def events(result: RunData, boat_ids: list[str]) -> dict:
    rows = _event_rows(result, boat_ids)
    return {
        "count": len(rows),
        "t": column(rows["t"], "f64"),
        "kind": column(rows["kind"], "u8"),
        "incident": column(rows["incident"], "i32"),
        "boat": column(rows["boat"], "i16"),
        "ref": column(rows["ref"], "i32"),
    }


def run_data(result: RunData, label: str, tracks: Tracks | None = None) -> dict:
    """Everything the page shows of one run (without camera frames); ``tracks``: the digest of its
    tracks.csv (default: computed from ``result.tracks``)."""
    scenario = result.scenario
    if tracks is None:
        tracks = Tracks.of(result.tracks, scenario.run.duration)
    boat_ids = [b.id for b in scenario.boats]
    boat_ids += sorted(set(tracks.boats) - set(boat_ids))
    sources = [c.id for c in scenario.cameras] + [b.id for b in scenario.buoys]
    drone_ids = [d.id for d in scenario.drones]
    incidents, missions, alarms = result.incidents, result.missions, result.alarms
    sorties = result.sorties
    if not len(sorties):
        sorties = pd.DataFrame(columns=["drone_id", "x", "y", *SORTIE_TIMES])
    summary = result.summary
    kind_names, outcome_names = list(KINDS), list(OUTCOMES)
    return {
        "label": label,
        "scenario": summary.get("scenario", scenario.name),
        "seed": int(result.seed),
        "mode": summary.get("mode", ""),
        "duration_s": float(summary.get("duration_s", scenario.run.duration)),
        "start": str(scenario.run.start),
        "summary": {k: summary.get(k) for k in ("detection_rate", "false_dispatches", "response_time_s")},
        "boat_ids": boat_ids,
        "sources": sources,
        "drone_ids": drone_ids,
        "scene": scene(scenario, result.seed),
        "boats": boat_tracks(tracks, boat_ids),
        "incidents": {
            "count": len(incidents),
            "id": integers(incidents["incident_id"]),
            "kind": codes(incidents["kind"], kind_names),
            "x": column(incidents["x"], "f32"),
            "y": column(incidents["y"], "f32"),
            **{name: times(incidents[name]) for name in INCIDENT_TIMES},
            "boat": ids(incidents["boat_id"], boat_ids),
            "outcome": codes(incidents["outcome"], outcome_names),
        },
        "kind_names": kind_names,
        "outcome_names": outcome_names,
        "state_names": STATES,
        "event_kinds": EVENT_KINDS,
        "missions": {
            "count": len(missions),
            "boat": ids(missions["boat_id"], boat_ids),
            "incident": integers(missions["incident_id"]),
            **{name: times(missions[name]) for name in MISSION_TIMES},
            "target_x": column(missions["target_x"], "f32"),
            "target_y": column(missions["target_y"], "f32"),
        },
        "alarms": {
            "count": len(alarms),
            "t": times(alarms["t"]),
            "source": ids(alarms["source"], sources),
            "x": column(alarms["x"], "f32"),
            "y": column(alarms["y"], "f32"),
            "score": column(alarms["score"], "f32"),
            "incident": integers(alarms["incident_id"]),
        },
        "sorties": {
            "count": len(sorties),
            "drone": ids(sorties["drone_id"], drone_ids),
            "x": column(sorties["x"], "f32"),
            "y": column(sorties["y"], "f32"),
            **{name: times(sorties[name]) for name in SORTIE_TIMES},
        },
        "events": events(result, boat_ids),
    }
