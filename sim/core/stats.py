"""Summary statistics of a sample."""

from __future__ import annotations

import numpy as np
import pandas as pd


def distribution(values: pd.Series | np.ndarray) -> dict:
    """mean, p50, p90, p99 and n of finite values (None where there are none), s."""
    array = np.asarray(pd.Series(values, dtype="float64").dropna(), dtype=float)
    if len(array) == 0:
        return {"mean": None, "p50": None, "p90": None, "p99": None, "n": 0}
    p50, p90, p99 = np.percentile(array, [50, 90, 99])
    return {
        "mean": round(float(array.mean()), 3),
        "p50": round(float(p50), 3),
        "p90": round(float(p90), 3),
        "p99": round(float(p99), 3),
        "n": len(array),
    }
