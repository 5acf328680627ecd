"""Tables as typed-array columns for the page: little-endian bytes in base64, decoded in the browser with
``new Float64Array(bytes.buffer)`` and its kin, so the page never parses one object per sample.

A column is ``{"dtype": "f64" | "f32" | "i32" | "i16" | "u8", "b64": "..."}``; empty cells of a float
column are NaN. Boat tracks are thinned to their keyframes (:mod:`sim.results.keyframes`).
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

from sim.results.keyframes import KEYFRAME_TOLERANCE_M, keyframes

__all__ = [
    "DTYPES",
    "KEYFRAME_TOLERANCE_M",
    "codes",
    "column",
    "decode",
    "ids",
    "integers",
    "keyframes",
    "times",
]

DTYPES = {"f64": "<f8", "f32": "<f4", "i32": "<i4", "i16": "<i2", "u8": "u1"}
"""Column type names on the page -> numpy dtypes (little-endian, as every browser's typed arrays are)."""


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
