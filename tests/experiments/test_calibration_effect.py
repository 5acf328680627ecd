"""scripts/calibration_effect.py: a sweep run with two calibration files, compared variant by variant and
seed by seed."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.core.stats import mean_ci
from sim.experiments.paired import load_sweep_table
from sim.experiments.runner import execute
from sim.experiments.sweep_file import load_sweep
from tests.helpers.paths import DEFAULT, SCENARIOS
from tests.helpers.scripts import script


def _script():
    """scripts/calibration_effect.py as a module."""
    return script("calibration_effect")


class _Here:
    """Runs a sweep's tasks in this process."""

    name, shares_files = "here", True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def results(self, task, items):
        for item in items:
            yield item, task(item)


TWO_BY_THREE = f"""\
scenario: {DEFAULT}
duration: 1h
seeds: 3
grid:
  detection.threshold.swimming: [0.5, 0.8]
"""
"""Two variants x three seeds of one simulated hour (the default afternoon)."""


def test_changes_are_the_seed_by_seed_differences_of_the_two_sweeps(tmp_path):
    handset = (SCENARIOS / "calibration" / "handset_provisional.json").as_posix()
    after_file, before_file = tmp_path / "after.yaml", tmp_path / "before.yaml"
    after_file.write_text(TWO_BY_THREE, encoding="utf-8")
    before_file.write_text(TWO_BY_THREE + f"set:\n  detection.calibration: {handset}\n", encoding="utf-8")
    execute(load_sweep(before_file), tmp_path / "before", _Here(), progress=False)
    execute(load_sweep(after_file), tmp_path / "after", _Here(), progress=False)
    module = _script()
    table = module.calibration_effect(tmp_path / "before", tmp_path / "after")
    old, _ = load_sweep_table(tmp_path / "before")
    new, _ = load_sweep_table(tmp_path / "after")
    assert set(table["variant"]) == set(new["variant"]) and (table["pairs"] == 3).all()
    variant = new["variant"].iloc[0]
    for metric in ("detection_rate", "false_dispatches_per_day"):
        by_seed = [
            float(new[(new["variant"] == variant) & (new["seed"] == s)][metric].iloc[0])
            - float(old[(old["variant"] == variant) & (old["seed"] == s)][metric].iloc[0])
            for s in range(3)
        ]
        row = table[(table["variant"] == variant) & (table["metric"] == metric)].iloc[0]
        expected = mean_ci(pd.Series(by_seed))
        assert (row["change"], row["ci_low"], row["ci_high"]) == pytest.approx(
            (expected.mean, expected.low, expected.high), nan_ok=True
        )
    # The two files differ in their false alarms: the table sees a change.
    assert (table.loc[table["metric"] == "false_dispatches_per_day", "change"] != 0).any()
    assert "| detection_rate |" in module.markdown(table)
