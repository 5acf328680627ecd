"""What the calibration fits take in: per-frame observations of real offenders and their design.

The fits (:mod:`sim.calibration.detectability`, :mod:`sim.calibration.evidence_window`,
:mod:`sim.calibration.hit_runs`, :mod:`sim.calibration.alarm_landing`) read a table with one row per
offender per frame (:data:`OFFENDER_FRAME_COLUMNS`). This module turns it into the covariates of the
score's location and each frame's score bin on the logit scale (:func:`score_design`), splits it into
visits (:func:`split_visits`) and names the fitted light and weather offsets (:func:`condition_offsets`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core.maths import logit
from sim.scenario.models import Light, Weather
from sim.world.daylight import LIGHT_ORDER

FIT_THRESHOLDS = (0.2, 0.35, 0.5, 0.65, 0.8)
"""Thresholds at which hits are counted for the fit."""
OFFENDER_FRAME_COLUMNS = ("group", "t", "pixels", "light", "weather", "score", "track")
"""One row per offender per frame: offender seen by one camera, time (s), height as the detector analyses it
(px: :mod:`sim.sensing.analysed_size`; in logs written before 2026-12-06, at the camera's full resolution),
light index (0 night, 1 dusk, 2 day), weather, best score (0: none) and the detector's track id of that best
detection (-1: none)."""

MIN_SIZE_SLOPE = 0.05
"""Smallest logit gain per doubling of pixel height the fit may report (the model needs > 0)."""


def score_design(data: pd.DataFrame, reference_pixels: float, thresholds) -> tuple:
    """Covariates of the score's location (1, log2 size, light and weather indicators, day and clear the
    references), the frames' score bins on the logit scale, and the light levels and weathers seen."""
    lights_seen = sorted(set(data["light"].astype(int)) - {LIGHT_ORDER.index(Light.DAY)})
    weathers_seen = sorted(set(data["weather"]) - {Weather.CLEAR.value})
    pixels = data["pixels"].to_numpy(float)
    columns = [np.ones(len(data)), np.log2(np.maximum(pixels, 1e-3) / reference_pixels)]
    columns += [(data["light"].to_numpy() == light).astype(float) for light in lights_seen]
    columns += [(data["weather"].to_numpy() == weather).astype(float) for weather in weathers_seen]
    cuts = np.concatenate([[-np.inf], [logit(t) for t in sorted(thresholds)], [np.inf]])
    bins = np.searchsorted(np.sort(thresholds), data["score"].to_numpy(float), side="left")
    return np.column_stack(columns), cuts[bins], cuts[bins + 1], lights_seen, weathers_seen


def condition_offsets(beta: np.ndarray, lights_seen: list[int], weathers_seen: list[str]) -> dict:
    """The ``light`` and ``weather`` offsets of a fit whose coefficients follow :func:`score_design`'s
    columns."""
    return {
        "light": {"day": 0.0}
        | {LIGHT_ORDER[light].value: float(b) for light, b in zip(lights_seen, beta[2:], strict=False)},
        "weather": {"clear": 0.0}
        | {w: float(b) for w, b in zip(weathers_seen, beta[2 + len(lights_seen) :], strict=True)},
    }


def split_visits(frames: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, float]:
    """``frames`` ordered by group and time, each row's visit number and age in its visit (s), and the frame
    step (s): a visit is a group's run of frames without a gap of more than 1.5 steps (the offender out of
    view in between)."""
    data = frames.sort_values(["group", "t"], kind="stable")
    step = float(data.groupby("group")["t"].diff().min())
    step = round(step, 6) if np.isfinite(step) and step > 0 else 1.0
    gap = ~(data.groupby("group")["t"].diff() <= 1.5 * step)  # a group's first frame, or after a gap
    visit = np.cumsum(gap.to_numpy())
    age = data["t"].to_numpy() - data["t"].groupby(visit).transform("min").to_numpy()
    return data, visit, age, step


def others_in_view(frames: pd.DataFrame) -> np.ndarray:
    """For each row of ``frames`` (one kind's), how many other offenders the same camera logged in the same
    frame of the same run: the crowd of :mod:`sim.sensing.view_crowds` (groups: ``run/camera/incident``)."""
    camera = frames["group"].str.rsplit("/", n=1).str[0]
    frame = pd.Series(np.round(frames["t"].to_numpy(float), 6), index=frames.index)
    return frames.groupby([camera, frame])["group"].transform("size").to_numpy() - 1


def crowd_covariate(rows: pd.DataFrame, within_cameras: bool = False) -> np.ndarray:
    """Each row's crowd covariate, log2(1 + others); ``within_cameras``: each camera's mean of it (the rows'
    ``camera``) moved to the mean of all rows, so that a slope fitted on it compares crowded and lone
    offenders of one camera and not one camera with another (module docstring of
    :mod:`sim.calibration.alarm_hazard_fit`), while the baseline keeps its meaning for the raw covariate
    statistical mode applies."""
    crowd = np.log2(1.0 + rows["others"].to_numpy(float))
    if not within_cameras:
        return crowd
    camera_mean = pd.Series(crowd).groupby(rows["camera"].to_numpy()).transform("mean").to_numpy()
    return crowd - camera_mean + crowd.mean()
