"""The end-to-end trade-off of a detection threshold: statistical runs of the whole system at each value.

``run_sim.py tune --end-to-end``: where :mod:`sim.calibration.tune` scores a detector frame by frame,
this runs the scenario at each threshold on the same incidents (common random numbers) and reports
what the city gets: response times, missed incidents, false dispatches and the detection rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.scenario.models import Kind, Scenario


def end_to_end(
    scenario: Scenario,
    thresholds: np.ndarray,
    seeds: list[int],
    progress: bool = True,
    kind: Kind | None = None,
) -> pd.DataFrame:
    """Statistical runs at each threshold on the same incidents (common random numbers); a row per threshold.

    ``kind``: only that kind's threshold takes each value, the other kinds keep the scenario's; None: every
    kind's threshold takes it. Columns: threshold, runs, response_p50_s (median over all warned incidents
    of all seeds), missed_share (never detected, among incidents that ended), false_dispatches_per_day,
    detection_rate (all kinds' incidents together).
    """
    from sim.engine import run

    rows = []
    days = scenario.run.duration / 86400.0
    bar = tqdm(
        total=len(thresholds) * len(seeds), unit="run", disable=not progress, leave=False, desc="end to end"
    )
    for threshold in thresholds:
        varied: float | dict = float(threshold)
        if kind is not None:  # the other kinds keep the scenario's thresholds
            varied = {**scenario.detection.thresholds, kind: float(threshold)}
        detection = scenario.detection.model_copy(update={"threshold": varied})
        variant = scenario.model_copy(update={"detection": detection})
        responses, missed, ended, false_dispatches, detected, judged = [], 0, 0, 0, 0, 0
        for seed in seeds:
            result = run(variant, seed=seed)
            incidents = result.incidents
            responses += list((incidents["t_warning"] - incidents["t_start"]).dropna())
            finished = incidents[incidents["outcome"] != "unresolved"]
            ended += len(finished)
            missed += int((finished["outcome"] == "missed").sum())
            false_dispatches += result.summary["false_dispatches"]
            rate = result.summary["detection_rate"]
            if rate is not None:
                detected += rate * result.summary["counts"]["incidents"]
                judged += result.summary["counts"]["incidents"]
            bar.update()
        rows.append(
            {
                "threshold": round(float(threshold), 4),
                "runs": len(seeds),
                "response_p50_s": round(float(np.median(responses)), 2) if responses else None,
                "missed_share": round(missed / ended, 4) if ended else None,
                "false_dispatches_per_day": round(false_dispatches / (days * len(seeds)), 3),
                "detection_rate": round(detected / judged, 4) if judged else None,
            }
        )
    bar.close()
    return pd.DataFrame(rows)
