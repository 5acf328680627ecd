"""Figures of a sweep: each variant across its seeds, and paired differences between variants.

- ``response_time_cdf.png``: share of incidents warned within x minutes, the mean over seeds with its
  95% t band (seed by seed, each curve normalised by all of that run's incidents);
- ``latency_breakdown.png``: mean time in each response stage over warned incidents, stacked, with the
  95% interval of the mean response time on each bar's end;
- ``rates.png``: detection rate and false dispatches per day with 95% intervals across seeds;
- ``paired_differences.png``: each variant minus the baseline, seed by seed, with paired-t 95% intervals.

Intervals are those of :mod:`sim.experiments.paired`. Built with matplotlib's object API
(:mod:`sim.results.figure_style`).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiments.paired import (
    LEVEL,
    SweptKeys,
    load_sweep_table,
    mean_ci,
    paired_differences,
    summarize_variants,
    variants,
)
from sim.results.figure_style import STAGE_COLOURS, save
from sim.results.tables import STAGES

CDF_POINTS = 961
"""Points of the common response-time grid the per-seed CDFs are evaluated on."""

DIFFERENCE_METRICS = {
    "response_time_s.mean": ("mean response time", "s", 1.0),
    "response_time_s.p90": ("p90 response time", "s", 1.0),
    "stages_s.uplink.mean": ("alarm uplink (mean)", "ms", 1000.0),
    "network.evidence_upload_s.mean": ("evidence upload (mean)", "s", 1.0),
    "detection_rate": ("detection rate", "percentage points", 100.0),
    "false_dispatches_per_day": ("false dispatches", "per day", 1.0),
}
"""Metrics of the paired-difference figure: title, unit, scale from the table's unit. Evidence uploads are
where the radio model (coverage, cell load, the relay drone) shows most; a sweep table from before they were
recorded simply has no such panel."""


def draw_sweep_figures(folder: Path, out: Path, baseline: tuple[str, object] | None = None) -> list[Path]:
    """Draw every sweep figure of the sweep folder ``folder`` into ``out``; returns the files written.

    ``baseline`` (key, value) chooses the reference of the paired differences (default: the first
    value of the first swept key).
    """
    table, swept = load_sweep_table(Path(folder))
    incidents = _incidents(Path(folder), table)
    out.mkdir(parents=True, exist_ok=True)
    name = Path(folder).resolve().name
    paths = [
        response_cdf_bands(table, incidents, out / "response_time_cdf.png", name),
        latency_breakdown_bars(table, incidents, out / "latency_breakdown.png", name),
        rate_intervals(table, out / "rates.png", name),
    ]
    if swept.keys and table["variant"].nunique() > 1:
        key, value = baseline or (swept.keys[0], table[swept.keys[0]].iloc[0])
        paths.append(difference_intervals(table, swept, key, value, out / "paired_differences.png", name))
    return paths


def _incidents(folder: Path, table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """incidents.csv of each finished run, by run id."""
    return {run_id: pd.read_csv(folder / "runs" / run_id / "incidents.csv") for run_id in table["run_id"]}


def _colours(count: int) -> list:
    return [matplotlib.colormaps["tab10"](i % 10) for i in range(count)]


def response_cdf_bands(
    table: pd.DataFrame, incidents: dict[str, pd.DataFrame], path: Path, title: str = ""
) -> Path:
    """Mean response-time CDF per variant over seeds, with its 95% band."""
    responses = {
        run_id: ((frame["t_warning"] - frame["t_start"]) / 60.0, len(frame))
        for run_id, frame in incidents.items()
    }
    pooled = pd.concat([r for r, _ in responses.values()]).dropna()
    longest = float(pooled.max()) if len(pooled) else 1.0
    grid = np.linspace(0.0, longest, CDF_POINTS)
    shown = float(np.percentile(pooled, 99)) * 1.1 if len(pooled) else 1.0  # the far tail flattens the rest
    fig = Figure(figsize=(7.0, 4.4))
    ax = fig.subplots()
    for variant, colour in zip(variants(table), _colours(table["variant"].nunique()), strict=True):
        curves = []
        for run_id in table.loc[table["variant"] == variant, "run_id"]:
            response, total = responses[run_id]
            values = np.sort(response.dropna().to_numpy())
            if total:
                curves.append(np.searchsorted(values, grid, side="right") / total)
        if not curves:
            continue
        stack = np.array(curves)
        estimates = [mean_ci(stack[:, i]) for i in range(len(grid))]
        mean = np.array([e.mean for e in estimates])
        half = np.nan_to_num(np.array([e.half_width for e in estimates]))
        ax.plot(grid, mean, color=colour, label=f"{variant} ({len(curves)} seeds)")
        ax.fill_between(grid, mean - half, mean + half, color=colour, alpha=0.2, linewidth=0)
    ax.set_xlabel("response time: offender appears → first warning (min)")
    ax.set_ylabel("share of incidents warned within")
    ax.set_xlim(0, min(shown, longest))
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8, title=f"mean over seeds, {LEVEL:.0%} band", title_fontsize=8)
    ax.set_title(f"Response time by variant — {title}", fontsize=10)
    return save(fig, path)


def _stage_means(frame: pd.DataFrame) -> dict[str, float]:
    warned = frame[frame["t_warning"].notna()]
    return {stage: float((warned[b] - warned[a]).mean()) for stage, (a, b) in STAGES.items()}


def latency_breakdown_bars(
    table: pd.DataFrame, incidents: dict[str, pd.DataFrame], path: Path, title: str = ""
) -> Path:
    """Mean time per stage (warned incidents, mean of the per-seed means), stacked per variant, s."""
    names = variants(table)
    fig = Figure(figsize=(7.4, 1.2 + 0.55 * len(names)))
    ax = fig.subplots()
    for row, variant in enumerate(names):
        per_run = pd.DataFrame(
            [_stage_means(incidents[r]) for r in table.loc[table["variant"] == variant, "run_id"]]
        )
        left = 0.0
        for stage, colour in zip(STAGES, STAGE_COLOURS, strict=True):
            mean = float(per_run[stage].mean())
            mean = 0.0 if np.isnan(mean) else mean
            ax.barh(row, mean, left=left, color=colour, label=stage if row == 0 else None)
            left += mean
        total = mean_ci(per_run.sum(axis=1, min_count=len(STAGES)))
        half = total.half_width if total.n > 1 else 0.0
        if half:
            ax.errorbar(total.mean, row, xerr=half, color="black", capsize=3, linewidth=1)
        ax.text(max(left, total.mean + half), row, f"  {left:.0f} s", va="center", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"mean time in stage over warned incidents (s); whisker: {LEVEL:.0%} CI of the total")
    ax.set_xlim(right=ax.get_xlim()[1] * 1.12)
    ax.legend(ncol=5, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Where the response time goes — {title}", fontsize=10, pad=24)
    return save(fig, path)


def rate_intervals(table: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Detection rate and false dispatches per day per variant, means with 95% t intervals across seeds."""
    names = variants(table)
    summary = summarize_variants(table, ("detection_rate", "false_dispatches_per_day"))
    fig = Figure(figsize=(9.6, 2.0 + 0.45 * len(names)))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, metric, scale, label in (
        (axes[0], "detection_rate", 100.0, "detection rate (%)"),
        (axes[1], "false_dispatches_per_day", 1.0, "false dispatches per day"),
    ):
        rows = summary[summary["metric"] == metric].set_index("variant").loc[names]
        mean = rows["mean"].to_numpy() * scale
        half = np.nan_to_num((rows["ci_high"] - rows["mean"]).to_numpy() * scale)
        ax.errorbar(mean, range(len(names)), xerr=half, fmt="o", color="#4c72b0", capsize=3)
        for y, (m, h) in enumerate(zip(mean, half, strict=True)):
            ax.annotate(
                f"{m:.1f} ± {h:.1f}",
                (m, y),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=7,
            )
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
        ax.margins(x=0.25, y=0.3 / max(1, len(names)) + 0.1)
    axes[0].set_yticks(range(len(names)), names, fontsize=8)
    axes[0].invert_yaxis()
    fig.suptitle(f"Detection and false dispatches, mean over seeds ± {LEVEL:.0%} CI — {title}", fontsize=10)
    return save(fig, path)


def difference_intervals(
    table: pd.DataFrame, swept: SweptKeys, key: str, baseline: object, path: Path, title: str = ""
) -> Path:
    """Paired differences (variant − baseline) of the main metrics with paired-t 95% intervals."""
    panels = {metric: panel for metric, panel in DIFFERENCE_METRICS.items() if metric in table.columns}
    differences = paired_differences(table, swept, key, baseline, tuple(panels))
    names = list(dict.fromkeys(differences["variant"]))
    fig = Figure(figsize=(2.8 * len(panels) + 1.6, 2.4 + 0.4 * len(names)))
    axes = fig.subplots(1, len(panels), sharey=True)
    for ax, (metric, (label, unit, scale)) in zip(axes, panels.items(), strict=True):
        rows = differences[differences["metric"] == metric].set_index("variant").loc[names]
        mean = rows["difference"].to_numpy() * scale
        half = np.nan_to_num((rows["ci_high"] - rows["difference"]).to_numpy() * scale)
        ax.axvline(0.0, color="grey", linewidth=0.8)
        ax.errorbar(mean, range(len(names)), xerr=half, fmt="o", color="#c44e52", capsize=3)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel(f"Δ ({unit})", fontsize=8)
        ax.locator_params(axis="x", nbins=4)  # long tick labels (−0.0015) must not run into each other
        ax.grid(alpha=0.3)
        ax.margins(y=0.3 / max(1, len(names)) + 0.1)
    axes[0].set_yticks(range(len(names)), names, fontsize=8)
    axes[0].invert_yaxis()
    base = differences["baseline"].iloc[0]
    fig.suptitle(
        f"Paired differences vs {base} (same incidents, seed by seed; {LEVEL:.0%} paired-t CI) — {title}",
        fontsize=10,
    )
    return save(fig, path)
