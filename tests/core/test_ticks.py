"""Multiples of a step in many intervals at once are, value for value, one numpy.arange per interval."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.ticks import arange_many, multiples


@pytest.mark.parametrize("step", [5.0, 30.0, 1.0, 0.2, 1 / 3])
def test_the_values_of_one_arange_per_interval(step):
    rng = np.random.default_rng(int(step * 1000))
    t0 = rng.uniform(0, 3.2e7, 3000) * 10.0 ** rng.uniform(-7, 0, 3000)
    t0[::7] = np.round(t0[::7] / step) * step  # starts on the grid
    t0[1::11] = np.nextafter(t0[1::11], -np.inf)  # and just below it
    t1 = t0 + rng.exponential(200, 3000) * rng.choice([0, 1, 1, 1], 3000)  # some empty
    values, counts = multiples(t0, t1, step)
    expected = [np.arange(math.ceil(a / step) * step, b, step) for a, b in zip(t0, t1, strict=True)]
    assert counts.tolist() == [len(e) for e in expected]
    assert np.array_equal(values, np.concatenate(expected))


def test_no_intervals_and_backwards_ones():
    values, counts = arange_many(np.array([]), np.array([]), 5.0)
    assert len(values) == 0 and len(counts) == 0
    values, counts = arange_many(np.array([10.0, 0.0]), np.array([5.0, 11.0]), 5.0)
    assert counts.tolist() == [0, 3]
    assert values.tolist() == [0.0, 5.0, 10.0]
