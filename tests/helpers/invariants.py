"""What must hold for every run, whatever the scenario."""

from __future__ import annotations

import numpy as np

from sim.results.tables import ALARM_COLUMNS, INCIDENT_COLUMNS, MISSION_COLUMNS, OUTCOMES
from sim.world.geometry import ZoneGeometry
from sim.world.recorder import STAGE_FIELDS


def assert_invariants(result, geometry: ZoneGeometry) -> None:
    """What must hold for every run, whatever the scenario."""
    incidents, tracks = result.incidents, result.tracks
    assert list(incidents.columns) == list(INCIDENT_COLUMNS)
    assert list(result.alarms.columns) == list(ALARM_COLUMNS)
    assert list(result.missions.columns) == list(MISSION_COLUMNS)
    assert set(incidents["outcome"]) <= set(OUTCOMES)
    # Non-empty stage times are ordered as listed.
    times = incidents[list(STAGE_FIELDS)].to_numpy(dtype=float)
    for row in times:
        present = row[~np.isnan(row)]
        assert np.all(np.diff(present) >= 0), row
    assert (incidents["t_end"] > incidents["t_start"]).all()
    assert (
        incidents["t_detected"].dropna() >= incidents.loc[incidents["t_detected"].notna(), "t_start"]
    ).all()
    # Boats stay on water, under their top speed, with charge left.
    max_speed = {boat.id: boat.max_speed for boat in result.scenario.boats}
    if len(tracks):
        on_water = geometry.on_water(tracks["x"].to_numpy(), tracks["y"].to_numpy(), tolerance=0.05)
        assert on_water.all(), tracks[~on_water].head()
        assert (tracks["speed"] <= tracks["boat_id"].map(max_speed) + 1e-9).all()
        assert (tracks["battery_wh"] >= 0).all()
    # Every false alarm is marked as such and every mission's boat exists.
    assert set(result.missions["boat_id"]) <= set(max_speed)
    warned = incidents["t_warning"].notna()
    assert incidents.loc[warned, "boat_id"].notna().all()
    summary = result.summary
    assert summary["response_time_s"]["n"] == int(warned.sum())
    assert sum(summary["counts"]["outcomes"].values()) == len(incidents)
