"""Runs of hits: how long a detector keeps hitting one offender before a miss or another track.

Statistical mode chains a frame's hit to the frame before (``hit_run_s``,
:func:`sim.sensing.statistical.chained_hits`); the k-of-n alarm rule (:mod:`detectors.alarm_filter`)
needs hits that come in runs on one track. The fits here measure those runs on pixel mode's per-frame
scores (:data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.fit_inputs import FIT_THRESHOLDS


def _runs_by_group(frames: pd.DataFrame, thresholds) -> pd.DataFrame:
    """Per group: ``held`` (s in hits), ``ended`` (runs that ended) and ``hits``, ``frames`` counts,
    pooled over ``thresholds`` (see :func:`fit_hit_runs`)."""
    ordered = frames.sort_values(["group", "t"], kind="stable").reset_index(drop=True)
    by_group = ordered.groupby("group", sort=False)
    position = by_group.cumcount().to_numpy()
    last = position == by_group["t"].transform("size").to_numpy() - 1
    step = by_group["t"].diff().shift(-1).to_numpy(float)  # time to the next frame of the same group
    parts = []
    for threshold in thresholds:
        hits = ordered.assign(position=position, last=last, step=step)[ordered["score"] > threshold]
        after = hits.groupby("group", sort=False)[["position", "track"]].shift(-1)
        far = (after["position"] - hits["position"] > 1) | (after["track"] != hits["track"])
        parts.append(
            pd.DataFrame(
                {
                    "group": hits["group"],
                    "held": np.where(hits["last"], 0.0, hits["step"]),
                    "ended": np.where(after["position"].isna(), ~hits["last"], far).astype(int),
                    "hits": 1,
                }
            )
        )
    runs = pd.concat(parts).groupby("group").sum()
    return runs.assign(frames=by_group.size().reindex(runs.index) * len(thresholds))


def fit_hit_runs(frames: pd.DataFrame, thresholds=FIT_THRESHOLDS) -> float:
    """Mean run of hits on one offender, s (``hit_run_s`` of :func:`sim.sensing.statistical.chained_hits`).

    Moment estimator of the two-state chain, pooled over ``thresholds``: the time offenders spent
    in hits (the frame gap after each hit that has a successor) divided by the number of runs that
    ended. A run ends at a miss, or where the next hit is on another track: the k-of-n rule counts
    hits per track (:mod:`detectors.alarm_filter`), so a detector that keeps losing and re-finding
    an offender holds short runs. 0 when no run was seen to end.
    """
    if not (frames["score"].to_numpy() > min(thresholds)).any():
        return 0.0
    runs = _runs_by_group(frames, thresholds)
    return float(runs["held"].sum() / runs["ended"].sum()) if runs["ended"].sum() else 0.0


def fit_hit_run_scaling(frames: pd.DataFrame, threshold: float) -> tuple[float, float]:
    """Mean run of hits as a power of the hit odds: run(p) = R · (p / (1 − p))^γ; returns (R in s, γ).

    Pixel mode's runs grow with how often an offender is hit: an offender hit in 1 % of frames shows
    isolated blips that never make k of n, one hit in 80 % is held for tens of seconds. Each offender
    with a run that ended gives its hit share p and mean run (:func:`fit_hit_runs` at ``threshold``);
    log run is regressed on log odds by least squares weighted by the runs
    seen. γ is kept in [0, 0.95] (γ < 1 keeps a lower threshold from losing hits); (0, 0) without data.
    """
    if not (frames["score"].to_numpy() > threshold).any():
        return 0.0, 0.0
    runs = _runs_by_group(frames, (threshold,))
    runs = runs[(runs["ended"] > 0) & (runs["held"] > 0) & (runs["hits"] < runs["frames"])]
    if len(runs) < 2:
        return fit_hit_runs(frames, (threshold,)), 0.0
    share = runs["hits"] / runs["frames"]
    x, y = np.log(share / (1 - share)).to_numpy(), np.log(runs["held"] / runs["ended"]).to_numpy()
    w = runs["ended"].to_numpy(float)
    xm, ym = np.average(x, weights=w), np.average(y, weights=w)
    gamma = float(
        np.clip(np.average((x - xm) * (y - ym), weights=w) / np.average((x - xm) ** 2, weights=w), 0, 0.95)
    )
    return float(np.exp(ym - gamma * xm)), gamma
