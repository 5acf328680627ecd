"""Small maths shared by the detection model and its fits: the logistic function and its inverse."""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    """The logistic function 1 / (1 + e^−x), elementwise (an array, 0-d for a number)."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def logit(p: np.ndarray | float) -> np.ndarray | float:
    """log(p / (1 − p)) for p in (0, 1): a float for a number, an array for an array."""
    odds = np.log(np.asarray(p, dtype=float) / (1.0 - np.asarray(p, dtype=float)))
    return float(odds) if odds.ndim == 0 else odds
