"""Sweep statistics against scipy (an independent implementation) and values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.errors import SweepError
from sim.experiments.paired import SweptKeys, mean_ci, paired_differences, t_quantile, t_two_sided_probability

stats = pytest.importorskip("scipy.stats")  # installed with scikit-learn (the [test] extra)


@pytest.mark.parametrize("dof", [1, 2, 3, 4, 5, 6, 9, 10, 29, 39, 120, 1001])
def test_t_distribution_matches_scipy(dof):
    for t in (0.0, 0.3, 1.0, 2.0, 4.5, 30.0):
        assert t_two_sided_probability(t, dof) == pytest.approx(2 * stats.t.cdf(t, dof) - 1, abs=1e-12)
    for level in (0.8, 0.9, 0.95, 0.99):
        assert t_quantile(level, dof) == pytest.approx(stats.t.ppf(0.5 + level / 2, dof), rel=1e-9)


@pytest.mark.parametrize(
    ("dof", "table_value"),
    [(1, 12.706), (2, 4.303), (5, 2.571), (9, 2.262), (19, 2.093), (39, 2.023)],  # printed t tables, 0.975
)
def test_t_quantile_matches_printed_tables(dof, table_value):
    assert t_quantile(0.95, dof) == pytest.approx(table_value, abs=5e-4)


def test_mean_ci_by_hand_and_against_scipy():
    values = [3.0, 5.0, 4.0, 6.0, 2.0]  # mean 4, s = sqrt(2.5), t(0.975, 4) = 2.7764
    estimate = mean_ci(values)
    assert estimate.mean == 4.0 and estimate.n == 5
    assert estimate.half_width == pytest.approx(2.776445 * math.sqrt(2.5) / math.sqrt(5), rel=1e-6)
    low, high = stats.t.interval(0.95, 4, loc=4.0, scale=stats.sem(values))
    assert (estimate.low, estimate.high) == pytest.approx((low, high), rel=1e-10)


def test_mean_ci_edge_cases():
    assert mean_ci([]).n == 0 and math.isnan(mean_ci([]).mean)
    single = mean_ci([2.5, None])
    assert single.mean == 2.5 and single.n == 1 and math.isnan(single.half_width)


def _table(rng: np.random.Generator) -> pd.DataFrame:
    """Two swept keys; 'a' the compared one, 'b' held fixed; the metric shares a per-seed part."""
    rows = []
    seeds = range(8)
    common = rng.normal(100.0, 20.0, size=8)  # what the same incidents contribute under every variant
    for b in ("x", "y"):
        for a, shift in (("base", 0.0), ("fast", -5.0)):
            for seed in seeds:
                value = common[seed] + shift + (3.0 if b == "y" else 0.0) + rng.normal(0.0, 1.0)
                rows.append({"seed": seed, "a": a, "b": b, "m": value, "variant": f"a={a}, b={b}"})
    return pd.DataFrame(rows)


def test_paired_differences_equal_a_paired_t_test():
    table = _table(np.random.default_rng(3))
    result = paired_differences(table, SweptKeys(("a", "b")), "a", "base", metrics=("m",))
    assert list(result["variant"]) == ["a=fast, b=x", "a=fast, b=y"]
    assert list(result["baseline"]) == ["a=base, b=x", "a=base, b=y"]  # the other key held fixed
    for (_, row), b in zip(result.iterrows(), ("x", "y"), strict=True):
        fast = table[(table["a"] == "fast") & (table["b"] == b)].sort_values("seed")["m"].to_numpy()
        base = table[(table["a"] == "base") & (table["b"] == b)].sort_values("seed")["m"].to_numpy()
        interval = stats.ttest_rel(fast, base).confidence_interval(0.95)
        assert row["difference"] == pytest.approx((fast - base).mean(), rel=1e-12)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((interval.low, interval.high), rel=1e-9)
        assert row["pairs"] == 8
        # Common random numbers: the paired interval is much tighter than one from the unpaired spreads.
        unpaired = stats.ttest_ind(fast, base).confidence_interval(0.95)
        assert row["ci_high"] - row["ci_low"] < 0.3 * (unpaired.high - unpaired.low)
        assert row["ci_low"] < -5.0 + 1.5 and row["ci_high"] > -5.0 - 1.5


def test_zipped_keys_change_together():
    swept = SweptKeys(("threshold", "profile", "command"), zipped=("profile", "command"))
    assert swept.held_fixed("profile") == ["threshold"]
    assert swept.held_fixed("threshold") == ["profile", "command"]


def test_paired_differences_reject_unknown_baselines():
    table = _table(np.random.default_rng(0))
    with pytest.raises(SweepError, match=r"^--baseline: a=slow is not among the swept values"):
        paired_differences(table, SweptKeys(("a", "b")), "a", "slow", metrics=("m",))
    with pytest.raises(SweepError, match=r"^--baseline: c is not swept here"):
        paired_differences(table, SweptKeys(("a", "b")), "c", "base", metrics=("m",))
