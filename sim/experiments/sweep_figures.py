"""Figures of a sweep: each variant across its seeds, and paired differences between variants.

- ``response_time_cdf.png``: share of incidents warned within x minutes, the mean over seeds with its
  95% t band (seed by seed, each curve normalised by all of that run's incidents);
- ``latency_breakdown.png``: mean time in each response stage over warned incidents, stacked, with the
  95% interval of the mean response time on each bar's end;
- ``rates.png``: detection rate and false dispatches per day with 95% intervals across seeds;
- ``paired_differences.png``: each variant minus the baseline, seed by seed, with paired-t 95% intervals.

Intervals are those of :mod:`sim.experiments.paired`. Every title names the sweep, its scenario, seeds
and duration; shares are drawn in percent on axes clipped to [0, 100] %. Built with matplotlib's object
API (:mod:`sim.results.figure_style`).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiments.paired import (
    LEVEL,
    SweptKeys,
    check_baseline,
    default_baseline,
    load_sweep_table,
    mean_ci,
    paired_differences,
    summarize_variants,
    variants,
)
from sim.results.figure_style import STAGE_COLOURS, fitted_title, save
from sim.results.tables import STAGES

CDF_POINTS = 961
"""Points of the common response-time grid the per-seed CDFs are evaluated on."""

LINE_STYLES = (("-", 2.6), ("--", 2.0), (":", 2.2), ("-.", 1.4))
"""Line style and width of each variant's CDF in turn: thick under thin, so coinciding curves all show."""

DIFFERENCE_COLUMNS = 2
"""Panels per row of the paired-difference grid (a page's width with the variant labels)."""

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

    ``baseline`` (key, value) chooses the reference of the paired differences (default:
    :func:`sim.experiments.paired.default_baseline`, the first value of the first swept key, as ``compare``).
    """
    table, swept = load_sweep_table(Path(folder))
    paired = bool(swept.keys) and table["variant"].nunique() > 1
    if paired:
        key, value = baseline or default_baseline(table, swept)
        check_baseline(table, swept, key, value)  # a wrong --baseline draws nothing
    incidents = _incidents(Path(folder), table)
    out.mkdir(parents=True, exist_ok=True)
    title = describe(table, Path(folder).resolve().name)
    paths = [
        response_cdf_bands(table, incidents, out / "response_time_cdf.png", title),
        latency_breakdown_bars(table, incidents, out / "latency_breakdown.png", title),
        rate_intervals(table, out / "rates.png", title),
    ]
    if paired:
        paths.append(difference_intervals(table, swept, key, value, out / "paired_differences.png", title))
    return paths


def describe(table: pd.DataFrame, name: str) -> str:
    """``name: scenario, N seeds × 6 h``: what a sweep figure shows, for its title."""
    scenarios = ", ".join(dict.fromkeys(table["scenario"].astype(str))) if "scenario" in table else ""
    durations = sorted(set(table["duration_s"])) if "duration_s" in table else []
    how_long = " / ".join(_duration_text(float(d)) for d in durations)
    seeds = table["seed"].nunique()
    return f"{name}: {scenarios}, {seeds} seed{'s' if seeds != 1 else ''} × {how_long}".replace(": , ", ": ")


def _duration_text(seconds: float) -> str:
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size and math.isclose(seconds % size, 0.0, abs_tol=1e-9):
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"


def _incidents(folder: Path, table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """incidents.csv of each finished run, by run id."""
    return {run_id: pd.read_csv(folder / "runs" / run_id / "incidents.csv") for run_id in table["run_id"]}


def _colours(count: int) -> list:
    return [matplotlib.colormaps["tab10"](i % 10) for i in range(count)]


def response_cdf_bands(
    table: pd.DataFrame, incidents: dict[str, pd.DataFrame], path: Path, title: str = ""
) -> Path:
    """Save :func:`response_cdf_figure` to ``path``; returns ``path``."""
    return save(response_cdf_figure(table, incidents, title), path)


def response_cdf_figure(table: pd.DataFrame, incidents: dict[str, pd.DataFrame], title: str = "") -> Figure:
    """Mean response-time CDF per variant over seeds (in %), with its 95% band as a light fill."""
    responses = {
        run_id: ((frame["t_warning"] - frame["t_start"]) / 60.0, len(frame))
        for run_id, frame in incidents.items()
    }
    pooled = pd.concat([r for r, _ in responses.values()]).dropna()
    longest = float(pooled.max()) if len(pooled) else 1.0
    grid = np.linspace(0.0, longest, CDF_POINTS)
    shown = float(np.percentile(pooled, 99)) * 1.1 if len(pooled) else 1.0  # the far tail flattens the rest
    fig = Figure(figsize=(7.6, 4.8))
    ax = fig.subplots()
    names = variants(table)
    for index, (variant, colour) in enumerate(zip(names, _colours(len(names)), strict=True)):
        curves = []
        for run_id in table.loc[table["variant"] == variant, "run_id"]:
            response, total = responses[run_id]
            values = np.sort(response.dropna().to_numpy())
            if total:
                curves.append(np.searchsorted(values, grid, side="right") / total)
        if not curves:
            continue  # no incident in any of its runs: nothing to draw, nothing in the legend
        stack = np.array(curves)
        estimates = [mean_ci(stack[:, i]) for i in range(len(grid))]
        mean = np.array([e.mean for e in estimates]) * 100.0
        half = np.nan_to_num(np.array([e.half_width for e in estimates])) * 100.0
        # A light band under every line: where they overlap the lines still show, each in its own style.
        ax.fill_between(
            grid, np.clip(mean - half, 0, 100), np.clip(mean + half, 0, 100), color=colour, alpha=0.08, lw=0
        )
        style, width = LINE_STYLES[index % len(LINE_STYLES)]
        ax.plot(
            grid,
            mean,
            color=colour,
            linestyle=style,
            linewidth=width,
            zorder=3 + index,
            label=f"{variant} ({len(curves)} seeds)",
        )
    ax.set_xlabel("response time: offender appears → first warning (min)")
    ax.set_ylabel("incidents warned within (%)")
    ax.set_xlim(0, min(shown, longest))
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right", fontsize=8, title=f"mean over seeds, {LEVEL:.0%} band", title_fontsize=8)
    else:
        ax.text(0.5, 0.5, "no incidents in these runs", ha="center", va="center", transform=ax.transAxes)
    ax.set_title(fitted_title(f"Response time by variant — {title}", fig.get_figwidth()), fontsize=10)
    return fig


def _stage_means(frame: pd.DataFrame) -> dict[str, float]:
    warned = frame[frame["t_warning"].notna()]
    return {stage: float((warned[b] - warned[a]).mean()) for stage, (a, b) in STAGES.items()}


def latency_breakdown_bars(
    table: pd.DataFrame, incidents: dict[str, pd.DataFrame], path: Path, title: str = ""
) -> Path:
    """Mean time per stage (warned incidents, mean of the per-seed means), stacked per variant, s."""
    names = variants(table)
    fig = Figure(figsize=(8.4, 1.4 + 0.55 * len(names)))
    ax = fig.subplots()
    per_variant = [
        pd.DataFrame(
            [_stage_means(incidents[r]) for r in table.loc[table["variant"] == v, "run_id"]],
            columns=list(STAGES),
        )
        for v in names
    ]
    present = [stage for stage in STAGES if any(float(p[stage].mean()) > 0 for p in per_variant)]
    for row, per_run in enumerate(per_variant):
        left = 0.0
        for stage, colour in zip(STAGES, STAGE_COLOURS, strict=True):
            mean = float(per_run[stage].mean())
            mean = 0.0 if np.isnan(mean) else mean
            labelled = stage in present and row == min(
                i for i, p in enumerate(per_variant) if float(p[stage].mean()) > 0
            )
            ax.barh(row, mean, left=left, color=colour, label=stage if labelled else None)
            left += mean
        total = mean_ci(per_run.sum(axis=1, min_count=len(STAGES)))
        half = total.half_width if total.n > 1 else 0.0
        if half:  # a time is never negative: the whisker stops at 0
            low = min(half, total.mean)
            ax.errorbar(total.mean, row, xerr=[[low], [half]], color="black", capsize=3, linewidth=1)
        ax.text(max(left, total.mean + half), row, f"  {left:.0f} s", va="center", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"mean time in stage over warned incidents (s); whisker: {LEVEL:.0%} CI of the total")
    ax.set_xlim(0, ax.get_xlim()[1] * 1.12)
    if present:
        ax.legend(ncol=len(present), fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    else:
        ax.text(
            0.5, 0.5, "no warned incidents in these runs", ha="center", va="center", transform=ax.transAxes
        )
    ax.grid(axis="x", alpha=0.3)
    fig.suptitle(fitted_title(f"Where the response time goes — {title}", fig.get_figwidth()), fontsize=10)
    return save(fig, path)


def rate_intervals(table: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Save :func:`rates_figure` to ``path``; returns ``path``."""
    return save(rates_figure(table, title), path)


def rates_figure(table: pd.DataFrame, title: str = "") -> Figure:
    """Detection rate (on 0-100 %) and false dispatches per day per variant, means with 95% t intervals."""
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
        low = np.minimum(half, mean)  # the interval stops at 0 (and at 100 % for a share)
        high = np.minimum(half, 100.0 - mean) if scale == 100.0 else half
        ax.errorbar(
            mean, range(len(names)), xerr=[low, high], fmt="o", color="#4c72b0", capsize=3, clip_on=False
        )
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
        ax.margins(x=0.25, y=0.3 / max(1, len(names)) + 0.1)
        left, right = ax.get_xlim()
        if scale == 100.0:  # a share: 0 to 100 %, however narrow the intervals
            right = min(right, 100.0)
        ax.set_xlim(max(left, 0.0), right)  # neither a rate nor a count per day goes below zero
        _annotate_means(ax, mean, half)
    axes[0].set_yticks(range(len(names)), names, fontsize=8)
    axes[0].invert_yaxis()
    heading = f"Detection and false dispatches, mean over seeds ± {LEVEL:.0%} CI — {title}"
    fig.suptitle(fitted_title(heading, fig.get_figwidth()), fontsize=10)
    return fig


def _annotate_means(ax, mean: np.ndarray, half: np.ndarray) -> None:
    """Write "m ± h" above each point inside the axes: right-aligned near the right end, left near left."""
    left, right = ax.get_xlim()
    for y, (m, h) in enumerate(zip(mean, half, strict=True)):
        where = (m - left) / (right - left) if right > left else 0.5
        ha = "right" if where > 0.8 else "left" if where < 0.2 else "center"
        ax.annotate(
            f"{m:.1f} ± {h:.1f}", (m, y), textcoords="offset points", xytext=(0, 7), ha=ha, fontsize=7
        )


def difference_intervals(
    table: pd.DataFrame, swept: SweptKeys, key: str, baseline: object, path: Path, title: str = ""
) -> Path:
    """Save :func:`difference_figure` to ``path``; returns ``path``."""
    return save(difference_figure(table, swept, key, baseline, title), path)


def difference_figure(
    table: pd.DataFrame, swept: SweptKeys, key: str, baseline: object, title: str = ""
) -> Figure:
    """Paired differences (variant − baseline) of the main metrics with paired-t 95% intervals.

    One panel per metric of :data:`DIFFERENCE_METRICS` the table has, :data:`DIFFERENCE_COLUMNS` to a
    row, the variants' labels on the left of each row.
    """
    panels = {metric: panel for metric, panel in DIFFERENCE_METRICS.items() if metric in table.columns}
    differences = paired_differences(table, swept, key, baseline, tuple(panels))
    names = list(dict.fromkeys(differences["variant"]))
    columns = min(DIFFERENCE_COLUMNS, len(panels))
    rows = math.ceil(len(panels) / columns)
    fig = Figure(figsize=(3.4 * columns + 2.6, 0.9 + rows * (1.2 + 0.35 * len(names))))
    grid = fig.subplots(rows, columns, sharey=True, squeeze=False)
    for ax, (metric, (label, unit, scale)) in zip(grid.flat, panels.items(), strict=False):
        picked = differences[differences["metric"] == metric].set_index("variant").loc[names]
        mean = picked["difference"].to_numpy() * scale
        half = np.nan_to_num((picked["ci_high"] - picked["difference"]).to_numpy() * scale)
        ax.axvline(0.0, color="grey", linewidth=0.8)
        ax.errorbar(mean, range(len(names)), xerr=half, fmt="o", color="#c44e52", capsize=3)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel(f"Δ ({unit})", fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        ax.locator_params(axis="x", nbins=4)  # long tick labels (−0.0015) must not run into each other
        ax.grid(alpha=0.3)
        ax.margins(y=0.3 / max(1, len(names)) + 0.1)
    for ax in grid.flat[len(panels) :]:
        ax.remove()  # an odd number of panels leaves one cell empty
    for ax in grid[:, 0]:
        ax.set_yticks(range(len(names)), names, fontsize=8)
    grid[0, 0].invert_yaxis()
    base = differences["baseline"].iloc[0]
    heading = f"Paired differences from baseline {key}={baseline} ({base}), seed by seed, "
    heading += f"{LEVEL:.0%} paired-t CI"
    fig.suptitle(fitted_title(f"{heading}\n{title}", fig.get_figwidth()), fontsize=10)
    return fig
