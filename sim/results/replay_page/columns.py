"""Tables as typed-array columns for the page: little-endian bytes in base64, decoded in the browser with
``new Float64Array(bytes.buffer)`` and its kin, so the page never parses one object per sample.

A column is ``{"dtype": "f64" | "f32" | "i32" | "i16" | "u8", "b64": "..."}``; empty cells of a float
column are NaN. Boat tracks are thinned to their keyframes: a sample is dropped only where the straight line
between its kept neighbours passes within ``tolerance_m`` of it and the state does not change, so linear
interpolation of the kept samples equals that of ``tracks.csv`` to within that tolerance.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

DTYPES = {"f64": "<f8", "f32": "<f4", "i32": "<i4", "i16": "<i2", "u8": "u1"}
"""Column type names on the page -> numpy dtypes (little-endian, as every browser's typed arrays are)."""

KEYFRAME_TOLERANCE_M = 0.05
"""How far a dropped track sample may lie from the line through its kept neighbours, m."""


def column(values, dtype: str) -> dict:
    """One column for the page: ``values`` cast to ``dtype`` (a key of :data:`DTYPES`) in base64."""
    array = np.ascontiguousarray(np.asarray(values, dtype=float if dtype[0] == "f" else None), DTYPES[dtype])
    return {"dtype": dtype, "b64": base64.b64encode(array.tobytes()).decode("ascii")}


def decode(encoded: dict) -> np.ndarray:
    """The inverse of :func:`column` (tests and benchmarks read pages back with it)."""
    return np.frombuffer(base64.b64decode(encoded["b64"]), DTYPES[encoded["dtype"]])


def times(series: pd.Series) -> dict:
    """A time column (s), empty cells as NaN, in float64 (a month of seconds needs more than float32)."""
    return column(pd.to_numeric(series, errors="coerce").to_numpy(float), "f64")


def codes(series: pd.Series, names: list[str]) -> dict:
    """A column of names as u8 indices into ``names`` (a name not in the list is appended to it)."""
    values = series.fillna("").astype(str).tolist()
    for value in values:
        if value not in names:
            names.append(value)
    return column([names.index(v) for v in values], "u8" if len(names) < 256 else "i16")


def ids(series: pd.Series, names: list[str]) -> dict:
    """Ids (boat, camera) as i16 indices into ``names``; -1 where the cell is empty or the id unknown."""
    index = {name: i for i, name in enumerate(names)}
    return column([index.get(v, -1) if isinstance(v, str) else -1 for v in series], "i16")


def integers(series: pd.Series) -> dict:
    """Integer ids (incident ids) as i32; -1 where empty."""
    return column(pd.to_numeric(series, errors="coerce").fillna(-1).to_numpy().astype(np.int64), "i32")


def keyframes(
    t: np.ndarray, x: np.ndarray, y: np.ndarray, state: np.ndarray, tolerance_m: float
) -> np.ndarray:
    """Indices of the samples to keep (``t`` increasing): the ends, every state change, and enough others
    that interpolating the kept samples puts every sample within ``tolerance_m`` (m) of where it was.

    Starts from the samples off the line through their two neighbours, then adds every sample that the
    kept ones miss by more than the tolerance until none does (vectorised; two or three passes).
    """
    n = len(t)
    if n <= 2:
        return np.arange(n)
    keep = np.zeros(n, bool)
    keep[[0, -1]] = True
    changes = np.flatnonzero(state[1:] != state[:-1])
    keep[changes] = keep[changes + 1] = True
    share = (t[1:-1] - t[:-2]) / np.maximum(t[2:] - t[:-2], 1e-12)
    off = np.hypot(x[:-2] + share * (x[2:] - x[:-2]) - x[1:-1], y[:-2] + share * (y[2:] - y[:-2]) - y[1:-1])
    keep[1:-1] |= off > tolerance_m / 4
    while True:
        kept = np.flatnonzero(keep)
        miss = np.hypot(np.interp(t, t[kept], x[kept]) - x, np.interp(t, t[kept], y[kept]) - y)
        bad = miss > tolerance_m
        if not bad.any():
            return kept
        keep |= bad
