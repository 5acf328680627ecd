"""What a new calibration changes in a study: the same sweep run with two calibration files, compared run by
run.

Run from the repository root: ``python scripts/calibration_effect.py BEFORE AFTER [--metric COLUMN ...]``
with BEFORE and AFTER two output folders of ``run_sim.py sweep`` of one sweep file, the first with ``--set
detection.calibration=<the old file>``. Seed s of a variant meets the same offenders in both (common random
numbers: incidents have their own stream), so each metric's change is taken per variant and seed, and given
as the mean of both and the paired difference with its 95 % t interval (``sim.experiments.paired``).
Prints a Markdown table, one row per variant and metric.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from sim.core.stats import mean_ci
from sim.experiments.paired import load_sweep_table, variants

METRICS = (
    "detection_rate",
    "response_time_s.mean",
    "response_time_s.p50",
    "stages_s.detection.mean",
    "false_dispatches_per_day",
)
"""Run-level metrics a calibration moves (columns of ``load_sweep_table``)."""


def calibration_effect(before: Path, after: Path, metrics=METRICS) -> pd.DataFrame:
    """Per variant and metric: seeds paired, the mean before and after, and the paired difference (after −
    before) with its 95 % t interval."""
    old, _ = load_sweep_table(before)
    new, _ = load_sweep_table(after)
    pairs = new.merge(old, on=["variant", "seed"], suffixes=("", "_before"))
    rows = []
    for variant in variants(new):
        runs = pairs[pairs["variant"] == variant]
        for metric in metrics:
            both = runs[[f"{metric}_before", metric]].astype(float).dropna()
            change = mean_ci(both[metric] - both[f"{metric}_before"])
            rows.append(
                {
                    "variant": variant,
                    "metric": metric,
                    "pairs": change.n,
                    "before": both[f"{metric}_before"].mean(),
                    "after": both[metric].mean(),
                    "change": change.mean,
                    "ci_low": change.low,
                    "ci_high": change.high,
                }
            )
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """The table as docs/studies.md gives it (rates in %, times in s, false dispatches per day)."""
    lines = ["| variant | metric | before | after | change [95 % interval] |", "|---|---|---:|---:|---|"]
    for row in table.itertuples():
        scale, unit = (100.0, " %") if row.metric == "detection_rate" else (1.0, "")
        before, after = f"{row.before * scale:.1f}{unit}", f"{row.after * scale:.1f}{unit}"
        change = f"{row.change * scale:+.1f} [{row.ci_low * scale:+.1f}, {row.ci_high * scale:+.1f}]"
        lines.append(f"| {row.variant} | {row.metric} | {before} | {after} | {change} |")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="sweep folder run with the old calibration")
    parser.add_argument("after", type=Path, help="the same sweep run with the new calibration")
    parser.add_argument("--metric", action="append", help="a column of sweep.csv (repeatable)")
    args = parser.parse_args()
    print(markdown(calibration_effect(args.before, args.after, tuple(args.metric or METRICS))))
