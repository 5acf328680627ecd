"""The multiples of a step inside many intervals at once, value for value what one ``numpy.arange`` call
per interval gives, without a Python loop per interval (a year of boat legs has some 80,000).

``numpy.arange(start, stop, step)`` with floats has ceil((stop − start) / step) values (none if that is
not positive): ``start``, ``start + step``, then ``start + i·d`` with d = (start + step) − start
(numpy's ``fill`` for doubles); :func:`arange_many` forms them the same way, operation for operation.
"""

from __future__ import annotations

import numpy as np


def arange_many(starts: np.ndarray, stops: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """The values of ``numpy.arange(starts[j], stops[j], step)`` for every j, one after the other, and
    how many each interval has."""
    starts, stops = np.asarray(starts, float), np.asarray(stops, float)
    counts = np.ceil((stops - starts) / step)
    counts = np.where(counts > 0, counts, 0).astype(np.int64)
    owner = np.repeat(np.arange(len(starts)), counts)
    index = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    start = starts[owner]
    values = start + index * ((start + step) - start)
    second = index == 1
    values[second] = start[second] + step
    return values, counts


def multiples(t0: np.ndarray, t1: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """The multiples of ``step`` in [t0[j], t1[j]) for every j (``numpy.arange(ceil(t0 / step) · step,
    t1, step)``, s), one interval after the other, and how many each has."""
    t0 = np.asarray(t0, float)
    return arange_many(np.ceil(t0 / step) * step, t1, step)
