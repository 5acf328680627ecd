"""Which incidents the camera view shows (``replay --camera-frames``): each incident a camera raised an
alarm on, from the offender's first sight to that camera's first alarm on it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.errors import ReplayError
from sim.results.result import Result
from sim.scenario.models import Scenario

LEAD_S = 10.0
"""Frames start this long before the alarm when the run recorded no first sight, s."""


def check_cameras(scenario: Scenario, cameras: list[str]) -> None:
    """Every id in ``cameras`` must be one of the scenario's cameras."""
    valid = [c.id for c in scenario.cameras]
    for camera in cameras:
        if camera not in valid:
            raise ReplayError(f"--camera: no camera {camera!r} (cameras: {', '.join(valid)})")


def seen_incidents(result: Result, cameras: list[str]) -> pd.DataFrame:
    """One row per incident a camera alarmed on: ``incident_id, camera, t0, t1`` (first sight, alarm), s,
    and the alarm's detector ``score``, ordered by ``t1``; only ``cameras`` if any are given."""
    camera_ids = set(cameras) or {c.id for c in result.scenario.cameras}
    alarms = result.alarms[result.alarms["incident_id"].notna() & result.alarms["source"].isin(camera_ids)]
    first = alarms.sort_values("t", kind="stable").groupby("incident_id", sort=False).head(1)
    visible = result.incidents.set_index("incident_id")["t_first_visible"]
    rows = []
    for alarm in first.itertuples():
        seen = visible.get(alarm.incident_id, np.nan)
        t0 = alarm.t - LEAD_S if pd.isna(seen) else min(float(seen), alarm.t)
        rows.append((int(alarm.incident_id), alarm.source, max(0.0, t0), float(alarm.t), float(alarm.score)))
    table = pd.DataFrame(rows, columns=["incident_id", "camera", "t0", "t1", "score"])
    return table.sort_values("t1", kind="stable").reset_index(drop=True)


def frame_label(t: float, t0: float, t1: float, score: float) -> str:
    """What a frame at ``t`` (s) is, between first sight ``t0`` and the alarm ``t1`` of ``score``."""
    if t >= t1 - 1e-6:
        return f"alarm, score {score:.2f}"
    return f"first sight + {max(0.0, t - t0):.1f} s"  # a frame's clock may lie a hair before t0's rounding
