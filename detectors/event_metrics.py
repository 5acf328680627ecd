"""Event-level detection metrics: false alarms per camera-hour and time to detect per incident.

:func:`time_to_detect` turns alarm times per incident into one row per incident (detected or not, delay
from first visibility), and :func:`time_to_detect_summary` into detection rate and delay percentiles;
:func:`false_alarms_per_hour` divides false alarms by the camera-hours watched. Undefined quantities are
None, never NaN; bad input raises ValueError.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


def false_alarms_per_hour(n_false: int, camera_hours: float) -> float:
    """False alarms per camera-hour: ``n_false`` over ``camera_hours`` (cameras × hours watched)."""
    if not isinstance(n_false, int | np.integer) or n_false < 0:
        raise ValueError(f"n_false must be a count >= 0, got {n_false!r}")
    if not (math.isfinite(camera_hours) and camera_hours > 0):
        raise ValueError(f"camera_hours must be a finite number of hours > 0, got {camera_hours}")
    return n_false / camera_hours


TIME_TO_DETECT_COLUMNS = ["incident", "first_visible", "first_alarm", "ttd_s", "detected"]


def time_to_detect(
    alarm_times_by_incident: Mapping[str, Sequence[float]], first_visible: Mapping[str, float]
) -> pd.DataFrame:
    """One row per incident of ``first_visible``: when it was first alarmed and how long after it was visible.

    Args:
        alarm_times_by_incident: alarm times (s) attributed to each incident; an incident may be
            absent or have none (missed).
        first_visible: time (s) each incident first became visible to a camera; the incidents scored.

    Returns:
        Columns ``incident``, ``first_visible`` (s), ``first_alarm`` (s, NaN if none),
        ``ttd_s`` (first_alarm − first_visible, s, NaN if none), ``detected`` (bool), in the
        order of ``first_visible``.

    An alarm attributed to an incident never visible, or before it was
    visible, is an attribution error and raises ValueError.
    """
    unknown = sorted(set(alarm_times_by_incident) - set(first_visible))
    if unknown:
        raise ValueError(f"alarms for incidents without a first_visible time: {', '.join(map(str, unknown))}")
    rows = []
    for incident, visible in first_visible.items():
        if not math.isfinite(visible):
            raise ValueError(f"first_visible[{incident!r}] must be a finite time in s, got {visible}")
        alarms = np.asarray(alarm_times_by_incident.get(incident, ()), dtype=np.float64).reshape(-1)
        if not np.isfinite(alarms).all():
            raise ValueError(f"alarm times of incident {incident!r} contain NaN or infinite values")
        if (alarms < visible).any():
            early = alarms.min()
            raise ValueError(
                f"incident {incident!r} has an alarm at {early} s, before it was visible at {visible} s"
            )
        first_alarm = float(alarms.min()) if len(alarms) else math.nan
        rows.append((incident, float(visible), first_alarm, first_alarm - visible, bool(len(alarms))))
    return pd.DataFrame(rows, columns=TIME_TO_DETECT_COLUMNS).astype({"detected": bool})


def time_to_detect_summary(table: pd.DataFrame) -> dict[str, float | int | None]:
    """``detection_rate`` and the 50th / 90th percentiles of ``ttd_s`` over detected incidents, s.

    Percentiles are conditional on detection (read them with the rate) and
    linear-interpolated (``numpy.percentile``); None where undefined.
    """
    missing = sorted(set(TIME_TO_DETECT_COLUMNS) - set(table.columns))
    if missing:
        raise ValueError(f"table lacks columns {', '.join(missing)} (expected the output of time_to_detect)")
    delays = table.loc[table["detected"], "ttd_s"].to_numpy(dtype=np.float64)
    p50, p90 = np.percentile(delays, [50, 90]) if len(delays) else (None, None)
    return {
        "n_incidents": len(table),
        "n_detected": len(delays),
        "detection_rate": len(delays) / len(table) if len(table) else None,
        "ttd_p50_s": None if p50 is None else float(p50),
        "ttd_p90_s": None if p90 is None else float(p90),
    }
