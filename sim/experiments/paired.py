"""Statistics of a sweep: per-variant means and paired differences, with t confidence intervals across seeds.

Every seed is one independent replication. Because incidents come from their
own random stream (:mod:`sim.core.rng`), seed s meets the same offenders under every
variant, so the difference of a metric between two variants is taken seed by
seed and its interval is the paired-t interval: d̄ ± t(1 − α/2, n − 1) · s_d / √n
(e.g. Law, *Simulation Modeling and Analysis*, 5th ed., §10.2.1 "A paired-t
confidence interval"; Montgomery & Runger, *Applied Statistics and Probability
for Engineers*, §10-4). Common random numbers usually make s_d far smaller than the
spread of either variant on its own.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.core.stats import LEVEL, mean_ci

# Student's t lives in sim.core.stats (calibration uses it too); these names stay importable from here.
from sim.core.stats import Estimate as Estimate
from sim.core.stats import t_quantile as t_quantile
from sim.core.stats import t_two_sided_probability as t_two_sided_probability
from sim.errors import SweepError
from sim.experiments.sweep_table import read_meta, sweep_table

METRICS = {
    "response_time_s.mean": "mean response time (s)",
    "response_time_s.p50": "median response time (s)",
    "response_time_s.p90": "p90 response time (s)",
    "stages_s.uplink.mean": "alarm uplink, mean (s)",
    "stages_s.dispatch.mean": "dispatch stage, mean (s)",
    "detection_rate": "detection rate",
    "false_dispatches_per_day": "false dispatches per day",
    "boat_utilization": "boat utilisation",
}
"""Run-level metrics compared between variants (columns of :func:`load_sweep_table`), with labels."""


# ---------------------------------------------------------------- the sweep table


@dataclass(frozen=True)
class SweptKeys:
    """The keys a sweep varied: all of them in file order, and those of its ``zip:`` block."""

    keys: tuple[str, ...]
    zipped: tuple[str, ...] = ()

    def held_fixed(self, key: str) -> list[str]:
        """Keys that must match when ``key`` alone changes: the others, less the keys zipped with it."""
        together = self.zipped if key in self.zipped else (key,)
        return [k for k in self.keys if k not in together]


def load_sweep_table(folder: Path) -> tuple[pd.DataFrame, SweptKeys]:
    """The finished runs of a sweep folder with a ``variant`` label column, and the swept keys.

    Adds ``false_dispatches_per_day``. Swept values that are lists (a fleet of boats, the drones)
    are labelled by their length when that tells the variants apart: ``boats=4``, ``drones=0``.
    A folder without a finished run raises :class:`~sim.errors.SweepError`.
    """
    meta = read_meta(folder)
    keys = meta["swept_keys"]
    swept = SweptKeys(tuple(keys), tuple(meta.get("zip_keys", ())))
    table = sweep_table(folder)
    table = table[table["status"] == "ok"].copy()
    if table.empty:
        raise SweepError(f"{folder}: no finished runs")
    table["false_dispatches_per_day"] = table["false_dispatches"] / (table["duration_s"] / 86400.0)
    for key in keys:
        table[key] = _labels(table[key])
    names = short_names(keys)
    table["variant"] = [
        ", ".join(f"{names[key]}={row[key]}" for key in keys) or "all runs" for _, row in table.iterrows()
    ]
    return table.reset_index(drop=True), swept


def short_names(keys: list[str]) -> dict[str, str]:
    """Each swept key by its shortest dotted tail that no other key shares: ``threshold`` for
    ``detection.threshold``; ``3.sensor`` and ``4.sensor`` for ``cameras.3.sensor`` and
    ``cameras.4.sensor``."""
    names = {}
    for key in keys:
        parts = key.split(".")
        for n in range(1, len(parts) + 1):
            tail = ".".join(parts[-n:])
            if not any(other != key and (other == tail or other.endswith("." + tail)) for other in keys):
                break
        names[key] = tail
    return names


def _labels(column: pd.Series) -> pd.Series:
    def length(value):
        if isinstance(value, str) and value.startswith("["):
            return len(json.loads(value))
        return None

    lengths = column.map(length)
    distinct = column.unique()
    if lengths.notna().all() and len(set(lengths[~column.duplicated()])) == len(distinct):
        return lengths.astype(int).astype(str)
    return column.astype(str)


def variants(table: pd.DataFrame) -> list[str]:
    """Variant labels in sweep order."""
    return list(dict.fromkeys(table["variant"]))


def summarize_variants(table: pd.DataFrame, metrics=tuple(METRICS)) -> pd.DataFrame:
    """Mean and confidence interval of each metric per variant, across seeds."""
    rows = []
    for variant in variants(table):
        runs = table[table["variant"] == variant]
        for metric in metrics:
            estimate = mean_ci(runs[metric])
            rows.append(
                {
                    "variant": variant,
                    "metric": metric,
                    "mean": estimate.mean,
                    "ci_low": estimate.low,
                    "ci_high": estimate.high,
                    "n": estimate.n,
                }
            )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- paired differences


def _matches(column: pd.Series, value: object) -> pd.Series:
    text = json.dumps(value, separators=(",", ":")) if isinstance(value, list | dict) else str(value)
    return column.astype(str) == text


def check_baseline(table: pd.DataFrame, swept: SweptKeys, key: str, baseline: object) -> pd.Series:
    """Which runs are the baseline's; :class:`~sim.errors.SweepError` naming ``--baseline`` when ``key`` is
    not swept or ``baseline`` is not among its values (checked before any figure or table is written)."""
    if key not in swept.keys:
        raise SweepError(f"--baseline: {key} is not swept here (swept: {', '.join(swept.keys)})")
    is_base = _matches(table[key], baseline)
    if not is_base.any():
        values = ", ".join(dict.fromkeys(table[key].astype(str)))
        raise SweepError(f"--baseline: {key}={baseline} is not among the swept values ({values})")
    return is_base


def paired_differences(
    table: pd.DataFrame, swept: SweptKeys, key: str, baseline: object, metrics=tuple(METRICS)
) -> pd.DataFrame:
    """Each variant minus the baseline variant with the same other swept values, seed by seed.

    Keys zipped with ``key`` change with it; the other swept keys are held fixed. A ``key`` not swept
    or a ``baseline`` not among its values raises :class:`~sim.errors.SweepError` naming ``--baseline``.

    One row per (variant, metric): ``baseline``, ``variant``, ``metric``, ``pairs``, the baseline and
    variant means over the paired seeds, ``difference`` (variant − baseline) and its paired-t interval.
    """
    is_base = check_baseline(table, swept, key, baseline)
    others = swept.held_fixed(key)
    rows = []
    for variant in variants(table[~is_base]):
        runs = table[table["variant"] == variant]
        first = runs.iloc[0]
        base = table[is_base]
        for other in others:
            base = base[base[other] == first[other]]
        if base.empty:
            continue  # no baseline with these other values (an incomplete sweep)
        pairs = runs.merge(base, on="seed", suffixes=("", "_base"))
        for metric in metrics:
            both = pairs[[metric, f"{metric}_base"]].astype(float).dropna()
            difference = mean_ci(both[metric] - both[f"{metric}_base"])
            rows.append(
                {
                    "baseline": base["variant"].iloc[0],
                    "variant": variant,
                    "metric": metric,
                    "pairs": difference.n,
                    "baseline_mean": float(both[f"{metric}_base"].mean()) if len(both) else math.nan,
                    "variant_mean": float(both[metric].mean()) if len(both) else math.nan,
                    "difference": difference.mean,
                    "ci_low": difference.low,
                    "ci_high": difference.high,
                }
            )
    return pd.DataFrame(rows)


def compare_table(folder: Path, key: str, baseline: object, extra_metrics=()) -> pd.DataFrame:
    """:func:`paired_differences` of a sweep folder: :data:`METRICS` and any other numeric columns."""
    table, swept = load_sweep_table(folder)
    for metric in extra_metrics:
        if metric not in table.columns or table[metric].dtype.kind not in "fiub":
            numeric = [c for c in table.columns if table[c].dtype.kind in "fi" and c not in METRICS]
            close = difflib.get_close_matches(metric, numeric, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise SweepError(f"--metric {metric}: not a numeric column of sweep.csv{hint}")
    # A metric asked for twice (or one of METRICS asked for again) is compared once.
    return paired_differences(table, swept, key, baseline, tuple(dict.fromkeys((*METRICS, *extra_metrics))))


def default_baseline(table: pd.DataFrame, swept: SweptKeys) -> tuple[str, object]:
    """The baseline ``plot`` and ``compare`` use without ``--baseline``: the first swept key at its first
    value in the sweep file (the first variant's). A sweep that varies nothing has none: SweepError."""
    if not swept.keys:
        raise SweepError("--baseline: this sweep varies no key: there is nothing to compare")
    key = swept.keys[0]
    return key, table[key].iloc[0]


UNITS = {
    "detection_rate": "%",
    "boat_utilization": "%",
}
"""Metrics that are shares, printed as percent (their differences in percentage points, pp); metrics whose
label ends in ``(s)`` print in seconds; the rest as they are."""


def format_value(metric: str, value: float, difference: bool = False) -> str:
    """``value`` of ``metric`` with its unit: ``94.1 %`` (``+1.2 pp`` as a difference), ``93.0 s``."""
    if value is None or not math.isfinite(value):
        return "–"
    sign = "+" if difference else ""
    if UNITS.get(metric) == "%":
        return f"{round(100 * value, 1) + 0.0:{sign}.1f} {'pp' if difference else '%'}"
    if _in_seconds(metric):
        digits = 1 if abs(value) >= 1 else 3  # an uplink of 0.083 s, a response of 93.0 s
        return f"{round(value, digits) + 0.0:{sign}.{digits}f} s"
    return f"{value:{sign}.3g}" if difference else f"{value:.4g}"


def _in_seconds(metric: str) -> bool:
    return METRICS.get(metric, "").endswith("(s)") or metric.endswith("_s") or "_s." in metric


def _label(metric: str) -> str:
    """The printed name of ``metric``: its label without the unit, which each value now carries."""
    return METRICS.get(metric, metric).removesuffix(" (s)")


def format_comparison(differences: pd.DataFrame, key: str, baseline: object, chosen: bool = True) -> str:
    """The table ``run_sim.py compare`` prints: per variant, baseline → variant, then Δ and its interval.

    ``chosen``: the baseline was given with ``--baseline`` (else it is :func:`default_baseline`'s).
    """
    how = "--baseline" if chosen else "default: the first swept key's first value; choose with --baseline"
    lines = [
        f"baseline {key}={baseline} ({how})",
        f"paired differences across seeds: baseline → variant, Δ = variant − baseline [{LEVEL:.0%} t CI]",
    ]
    width = max((len(_label(m)) for m in differences["metric"]), default=26)
    for (base, variant), rows in differences.groupby(["baseline", "variant"], sort=False):
        lines.append(f"\n{base}  →  {variant}  ({rows['pairs'].max()} paired seeds)")
        for _, row in rows.iterrows():
            metric = row["metric"]
            base_value, value = (
                format_value(metric, row["baseline_mean"]),
                format_value(metric, row["variant_mean"]),
            )
            low = format_value(metric, row["ci_low"], True)
            high = format_value(metric, row["ci_high"], True)
            lines.append(
                f"  {_label(metric):<{width}} {base_value:>10} → {value:>10}"
                f"   Δ {format_value(metric, row['difference'], True):>10}  [{low}, {high}]"
            )
    return "\n".join(lines)


VARIANT_COLUMNS = ("detection_rate", "response_time_s.p50", "false_dispatches_per_day", "boat_utilization")
"""The metrics ``run_sim.py sweep`` prints per variant when it is done."""


def format_variants(table: pd.DataFrame, metrics=VARIANT_COLUMNS) -> str:
    """Per variant, each metric's mean over seeds ± its 95 % t half-width, with its unit (% or s)."""
    summary = summarize_variants(table, metrics)
    names = variants(table)
    width = max(len(name) for name in names)
    cells = {
        (row["variant"], row["metric"]): _mean_pm(row["metric"], row["mean"], row["ci_high"] - row["mean"])
        for _, row in summary.iterrows()
    }
    widths = {m: max(len(_label(m)), *(len(cells[(v, m)]) for v in names)) for m in metrics}
    lines = [
        f"mean over seeds ± {LEVEL:.0%} t interval",
        f"{'variant':<{width}}  {'seeds':>5}" + "".join(f"  {_label(m):>{widths[m]}}" for m in metrics),
    ]
    for name in names:
        seeds = int((table["variant"] == name).sum())
        lines.append(
            f"{name:<{width}}  {seeds:>5}" + "".join(f"  {cells[(name, m)]:>{widths[m]}}" for m in metrics)
        )
    return "\n".join(lines)


def _mean_pm(metric: str, mean: float, half: float) -> str:
    """``94.1 ± 2.0 %``, ``93.0 ± 4.1 s``, ``132 ± 78.9``: the unit once, after both numbers."""
    text = format_value(metric, mean)
    if not math.isfinite(half) or text == "–":
        return text
    if UNITS.get(metric) == "%":
        return f"{100 * mean:.1f} ± {100 * half:.1f} %"
    if _in_seconds(metric):
        return f"{text.removesuffix(' s')} ± {format_value(metric, half).removesuffix(' s')} s"
    return f"{text} ± {half:.3g}"
