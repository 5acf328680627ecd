"""Where k-of-n alarms land: the alarms each detector track raised, and how often they are on their offender.

The k-of-n rule of :mod:`detectors.alarm_filter` is replayed on pixel mode's logged scores
(:data:`sim.calibration.fit_inputs.OFFENDER_FRAME_COLUMNS`) and compared with the alarms pixel mode
credited to each offender (``alarm_on_target``, ``shadowed_share`` of a calibration class).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def track_alarms(frames: pd.DataFrame, threshold: float, k: int, n: int) -> pd.DataFrame:
    """The k-of-n alarms each detector track raised on each offender (:mod:`detectors.alarm_filter`'s
    rule replayed on the logged scores): ``group``, ``track``, ``t`` (s) of the hit completing k of the
    track's last n frames; a track alarms at most once. Frames are numbered on each offender's own
    frame grid (its smallest time step)."""
    hits = frames[(frames["score"] >= threshold) & (frames["track"] >= 0)].sort_values(["group", "t"])
    step = frames.sort_values(["group", "t"]).groupby("group")["t"].diff().groupby(frames["group"]).min()
    frame = np.round(hits["t"] / hits["group"].map(step).fillna(1.0)).astype(np.int64)
    earlier = frame.groupby([hits["group"], hits["track"]]).shift(k - 1)
    done = hits[(frame - earlier) < n]
    return done.groupby(["group", "track"], as_index=False)["t"].min().sort_values(["group", "t"])


def fit_alarm_landing(
    frames: pd.DataFrame, detected: pd.Series, threshold: float, k: int, n: int, iterations: int = 500
) -> tuple[float, float]:
    """(``alarm_on_target``, ``shadowed_share``): how often an offender's k-of-n alarms land on them.

    Pixel mode credits an alarm to the offender whose box holds the alarm box's centre; a box grown
    by JPEG ringing or holding two swimmers misses, and that track cannot alarm again. Some offenders
    are never credited however often their hits make k of n: their blob is held by another offender's
    track (two swimmers side by side) for the whole visit. A mixture: with probability q (``shadowed_share``)
    an offender is shadowed and no alarm lands; otherwise each alarm lands with probability p
    (``alarm_on_target``), independently. The alarms of :func:`track_alarms` are taken in time order up to
    the one at the offender's ``detected`` time (s by group, NaN: never credited); offenders credited by
    an alarm that is not among their replayed ones are left out. Maximum likelihood by EM (the E-step:
    each never-credited offender's posterior of being shadowed, q / (q + (1 − q)(1 − p)^m) after m
    alarms). (1, 0) when there is no alarm at all.
    """
    tries, credited = [], []
    for group, times in track_alarms(frames, threshold, k, n).groupby("group")["t"]:
        t = times.to_numpy()
        when = detected.get(group, np.nan)
        match = np.flatnonzero(np.abs(t - when) < 1e-3)
        if np.isnan(when) or len(match):
            tries.append(int(match[0]) + 1 if len(match) else len(t))
            credited.append(bool(len(match)))
    if not tries:
        return 1.0, 0.0
    m, landed = np.array(tries, dtype=float), np.array(credited)
    p, q = max(landed.sum() / m.sum(), 1e-6), 0.5 * float(np.mean(~landed))
    for _ in range(iterations):
        missed_all = (1.0 - p) ** m
        shadowed = np.where(landed, 0.0, q / np.maximum(q + (1.0 - q) * missed_all, 1e-300))
        q_new = float(shadowed.mean())
        p_new = landed.sum() / max(float(((1.0 - shadowed) * m).sum()), 1e-300)
        if abs(q_new - q) < 1e-10 and abs(p_new - p) < 1e-10:
            break
        p, q = p_new, q_new
    return float(p), float(q)
