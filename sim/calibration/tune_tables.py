"""The tables of ``run_sim.py tune``: per threshold, false alarms per condition, recall by size, skin tone,
distance and light.

Each is computed from the :class:`sim.calibration.clip_observation.Observations` of a tune run and
written as a CSV file of its output folder (``thresholds.csv``, ``false_alarms.csv``,
``false_alarm_causes.csv``, ``by_size.csv``, ``by_tone.csv``, ``by_distance.csv``, ``by_light.csv``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.calibration.clip_observation import Observations
from sim.calibration.clip_scenes import SKIN_TONES
from sim.world.daylight import LIGHT_ORDER


def false_alarm_table(observations: Observations, thresholds: np.ndarray) -> pd.DataFrame:
    """One row per light × weather × threshold: light, weather, threshold, false_alarms (count) and
    camera_hours (that condition's exposure): the input of
    :func:`sim.calibration.false_alarm_fits.fit_false_alarm_model`."""
    rows = [
        {
            "light": light,
            "weather": weather,
            "threshold": round(float(threshold), 4),
            "false_alarms": observations.false_alarms_by_condition.get((light, weather, float(threshold)), 0),
            "camera_hours": round(hours, 6),
        }
        for (light, weather), hours in observations.camera_hours_by_condition.items()
        for threshold in thresholds
    ]
    return pd.DataFrame(rows, columns=["light", "weather", "threshold", "false_alarms", "camera_hours"])


def cause_table(observations: Observations) -> pd.DataFrame:
    """What each false alarm lay on: one row per light, weather, threshold and cause (an actor class, or
    ``background``) with its count of false alarms (``false_alarm_causes.csv``)."""
    rows = [
        {
            "light": light,
            "weather": weather,
            "threshold": round(float(threshold), 4),
            "cause": cause,
            "false_alarms": n,
        }
        for (light, weather, threshold, cause), n in sorted(observations.false_alarm_causes.items())
    ]
    return pd.DataFrame(rows, columns=["light", "weather", "threshold", "cause", "false_alarms"])


def threshold_table(observations: Observations, thresholds: np.ndarray) -> pd.DataFrame:
    """One row per threshold: precision, recall, f1, false_alarms_per_hour, ttd_p50_s (empty: undefined),
    incidents_alarmed and not_scored (alarms on offenders beyond the analysed range, which are neither hits
    nor false alarms: :mod:`sim.calibration.clip_observation`)."""
    scores = np.concatenate(observations.scores) if observations.scores else np.zeros(0)
    labels = np.concatenate(observations.labels) if observations.labels else np.zeros(0, bool)
    rows = []
    for threshold in thresholds:
        kept = scores >= threshold
        tp, fp = int((labels & kept).sum()), int((~labels & kept).sum())
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / observations.n_truth if observations.n_truth else None
        f1 = 2 * tp / (2 * tp + fp + (observations.n_truth - tp)) if observations.n_truth + fp else None
        delays = observations.detect_delays[float(threshold)]
        rows.append(
            {
                "threshold": round(float(threshold), 4),
                "precision": _round(precision),
                "recall": _round(recall),
                "f1": _round(f1),
                "false_alarms_per_hour": round(
                    observations.false_alarms[float(threshold)] / observations.camera_hours, 3
                ),
                "ttd_p50_s": _round(float(np.median(delays)) if delays else None),
                "incidents_alarmed": f"{len(delays)}/{observations.offenders_seen}",
                "not_scored": sum(
                    n for (_, _, t), n in observations.not_scored.items() if t == float(threshold)
                ),
            }
        )
    return pd.DataFrame(rows)


SIZE_BANDS_PX = (0, 6, 12, 24, 48, 96, math.inf)
"""Bands of an offender's height at the camera's full resolution, px (halve for a 640-px analysis of a
1920-px camera's frames three times over: 6 px is 2 px analysed)."""
DISTANCE_BANDS_M = (0, 50, 100, 150, 200, 250, math.inf)
"""Bands of an offender's slant distance from the lens, m (cameras analyse up to ``max_range``, 300 m by
default)."""


def size_table(observations: Observations, threshold: float) -> pd.DataFrame:
    """Recall by the offender's size at ``threshold``: one row per band of :data:`SIZE_BANDS_PX` holding
    offenders (each in the band of its median height): size_px, offenders, offender_frames, frame_recall
    (frames where a detection matching it scored at least the threshold), alarmed_share (offenders with a
    k-of-n alarm)."""
    frames = observations.offender_frames()
    if frames.empty:
        return _recall_by(frames, threshold, observations, "size_px")
    return _banded(
        frames, frames.groupby("group")["pixels"].median(), SIZE_BANDS_PX, "size_px", threshold, observations
    )


def distance_table(observations: Observations, threshold: float) -> pd.DataFrame:
    """Recall by the offender's distance from the lens at ``threshold``: one row per band of
    :data:`DISTANCE_BANDS_M` holding offenders (each in the band of its median distance), columns as
    :func:`size_table` with distance_m for size_px."""
    frames = observations.offender_frames()
    if frames.empty:
        return _recall_by(frames, threshold, observations, "distance_m")
    medians = pd.Series({group: float(np.median(d)) for group, d in observations.distances.items()})
    return _banded(frames, medians, DISTANCE_BANDS_M, "distance_m", threshold, observations)


def _banded(frames, medians: pd.Series, bands, key: str, threshold: float, observations) -> pd.DataFrame:
    """:func:`_recall_by` over the bands ``bands`` of each offender's value in ``medians`` (by group)."""
    band = pd.cut(medians, bands, right=False)
    label = {
        interval: f"{interval.left:g}-{'' if math.isinf(interval.right) else f'{interval.right:g}'}"
        for interval in band.cat.categories
    }
    frames[key] = pd.Categorical(frames["group"].map(band).map(label), [*label.values()], ordered=True)
    return _recall_by(frames, threshold, observations, key)


def tone_table(observations: Observations, threshold: float) -> pd.DataFrame:
    """Recall by the offender's skin tone at ``threshold`` (rows: skin_tone of :data:`SKIN_TONES` holding
    offenders; columns as :func:`size_table`): a detector must not depend on skin tone."""
    frames = observations.offender_frames()
    frames["skin_tone"] = pd.Categorical(
        frames["group"].map(observations.skin_tones), SKIN_TONES, ordered=True
    )
    return _recall_by(frames, threshold, observations, "skin_tone")


def light_table(observations: Observations, threshold: float, sensor: str) -> pd.DataFrame:
    """Recall by light at ``threshold`` on cameras of ``sensor`` (rows: light of night, dusk, day holding
    offenders; a ``sensor`` column, then the columns of :func:`size_table`): ``by_light.csv``, the input of
    :func:`sim.calibration.figures.recall_by_light_figure`."""
    frames = observations.offender_frames()
    names = [light.value for light in LIGHT_ORDER]
    frames["light"] = pd.Categorical(frames["light"].map(dict(enumerate(names))), names, ordered=True)
    table = _recall_by(frames, threshold, observations, "light")
    table.insert(1, "sensor", sensor)
    return table


def _recall_by(frames: pd.DataFrame, threshold: float, observations: Observations, key: str) -> pd.DataFrame:
    columns = [key, "offenders", "offender_frames", "frame_recall", "alarmed_share"]
    if frames.empty:
        return pd.DataFrame(columns=columns)
    alarmed = observations.alarmed[float(threshold)]
    rows = []
    for value, members in frames.groupby(key, observed=True, sort=True):
        offenders = members["group"].unique()
        rows.append(
            {
                key: value,
                "offenders": len(offenders),
                "offender_frames": len(members),
                "frame_recall": round(float((members["score"] >= threshold).mean()), 4),
                "alarmed_share": round(sum(o in alarmed for o in offenders) / len(offenders), 4),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
