"""Figures of one run: response-time CDF, latency breakdown by stage, zone map.

matplotlib is imported here only, and only when figures are drawn.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely
from matplotlib.patches import Patch
from matplotlib.patches import Polygon as PolygonPatch

from sim.results.boat_timeline import boat_timeline
from sim.results.coverage_figure import coverage_figure
from sim.results.result import Result
from sim.results.tables import OUTCOMES, STAGES
from sim.scenario.models import Scenario
from sim.world.cameras import CameraModel, visible_region
from sim.world.geometry import ZoneGeometry

OUTCOME_COLOURS = {
    "deterred": "#2a9d3f",
    "non_compliant": "#e07b00",
    "left_before_response": "#8c6bb1",
    "missed": "#d62728",
    "unresolved": "#7f7f7f",
}
KIND_COLOURS = {"swimming": "#1f77b4", "fishing": "#b5651d"}
BOAT_COLOURS = ("#34495e", "#8e44ad", "#16a085", "#d35400", "#2c3e50", "#7f8c8d", "#c0392b", "#2980b9")
STAGE_COLOURS = ("#4c72b0", "#55a868", "#c44e52", "#8172b2", "#ccb974")


def draw_run_figures(result: Result, folder: Path) -> list[Path]:
    """Draw every figure of one run into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [
        response_time_cdf(result.incidents, folder / "response_time_cdf.png", result.scenario.name),
        latency_breakdown(result.incidents, folder / "latency_breakdown.png", result.scenario.name),
        zone_map(result.scenario, folder / "zone_map.png", result.incidents, result.tracks),
        boat_timeline(result.tracks, folder / "boat_timeline.png", result.scenario.name),
        coverage_figure(result.scenario, folder / "coverage.png", result.seed, result.sorties),
    ]
    return paths


def _finish(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def response_time_cdf(incidents: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Empirical CDF of t_warning − t_start per kind, minutes."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    response = (incidents["t_warning"] - incidents["t_start"]) / 60.0
    for kind, colour in KIND_COLOURS.items():
        values = np.sort(response[(incidents["kind"] == kind)].dropna().to_numpy())
        total = int((incidents["kind"] == kind).sum())
        if len(values) == 0:
            continue
        # Normalised by all incidents of the kind: the curve tops out at the share warned.
        share = np.arange(1, len(values) + 1) / total
        ax.step(
            np.concatenate([[0], values]),
            np.concatenate([[0], share]),
            where="post",
            color=colour,
            label=f"{kind}: {len(values)} of {total} warned, median {np.median(values):.1f} min",
        )
    ax.set_xlabel("response time: offender appears → first warning (min)")
    ax.set_ylabel("share of incidents warned within")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"Response time — {title}", fontsize=10)
    return _finish(fig, path)


def latency_breakdown(incidents: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Stacked mean duration of each response stage, per kind, over incidents that were warned, s."""
    warned = incidents[incidents["t_warning"].notna()]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    labels = []
    for row, kind in enumerate(("swimming", "fishing")):
        subset = warned[warned["kind"] == kind]
        labels.append(f"{kind}\n(n = {len(subset)})")
        left = 0.0
        for (stage, (a, b)), colour in zip(STAGES.items(), STAGE_COLOURS, strict=True):
            mean = float((subset[b] - subset[a]).mean()) if len(subset) else 0.0
            mean = 0.0 if np.isnan(mean) else mean
            ax.barh(row, mean, left=left, color=colour, label=stage if row == 0 else None)
            if mean > 0.04 * max(1.0, _total_mean(warned)):
                ax.text(
                    left + mean / 2, row, f"{mean:.0f}", ha="center", va="center", color="white", fontsize=8
                )
            left += mean
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("mean time in stage (s); bars add up to the mean response time")
    ax.legend(ncol=5, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.28), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Where the response time goes — {title}", fontsize=10)
    return _finish(fig, path)


def _total_mean(warned: pd.DataFrame) -> float:
    total = (warned["t_warning"] - warned["t_start"]).mean()
    return 0.0 if np.isnan(total) else float(total)


def _fill(ax: plt.Axes, geometry: shapely.Geometry, **style) -> None:
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        ax.add_patch(PolygonPatch(np.asarray(polygon.exterior.coords), closed=True, **style))
        for ring in polygon.interiors:
            ax.add_patch(
                PolygonPatch(
                    np.asarray(ring.coords),
                    closed=True,
                    facecolor=ax.get_facecolor(),
                    edgecolor=style.get("edgecolor", "none"),
                    linewidth=0.5,
                )
            )


def zone_map(
    scenario: Scenario,
    path: Path,
    incidents: pd.DataFrame | None = None,
    tracks: pd.DataFrame | None = None,
) -> Path:
    """Water, islands, no-go areas, camera views, gNBs, docks, boat tracks and incidents by outcome."""
    geometry = ZoneGeometry(scenario)
    fig, ax = plt.subplots(figsize=(9.4, 7.6))
    ax.set_facecolor("#e9efe1")  # land
    _fill(ax, geometry.water, facecolor="#a9cce3", edgecolor="#5b8db8", linewidth=0.8)
    _fill(ax, geometry.islands, facecolor="#b8cf9c", edgecolor="#6a8a4a", linewidth=0.8)
    for area in scenario.zone.no_swimming:
        ax.add_patch(
            PolygonPatch(
                area.polygon,
                closed=True,
                facecolor="none",
                edgecolor="#d62728",
                hatch="///",
                linewidth=1.0,
                alpha=0.8,
            )
        )
    for area in scenario.zone.no_fishing:
        ax.add_patch(
            PolygonPatch(
                area.polygon,
                closed=True,
                facecolor="none",
                edgecolor="#b5651d",
                hatch="\\\\\\",
                linewidth=1.0,
                alpha=0.8,
            )
        )
    for camera in scenario.cameras:
        view = visible_region(CameraModel(camera), geometry.islands)
        _fill(ax, view, facecolor="#f4d03f", edgecolor="#b7950b", alpha=0.22, linewidth=0.6)
        ax.plot(*camera.position, marker="^", color="black", markersize=7)
        ax.annotate(camera.id, camera.position, textcoords="offset points", xytext=(4, 4), fontsize=6.5)
    for gnb in scenario.gnbs:
        ax.plot(*gnb.position, marker="P", color="#6c3483", markersize=10)
        ax.annotate(
            gnb.id, gnb.position, textcoords="offset points", xytext=(5, -9), fontsize=7, color="#6c3483"
        )
    for drone in scenario.drones:
        ax.plot(*drone.position, marker="X", color="#117a65", markersize=9)
        ax.annotate(
            drone.id, drone.position, textcoords="offset points", xytext=(5, -9), fontsize=7, color="#117a65"
        )
    for dock in scenario.docks:
        ax.plot(*dock.position, marker="s", color="#1b2631", markersize=8)
        ax.annotate(dock.id, dock.position, textcoords="offset points", xytext=(5, 5), fontsize=7)
    boat_lines = []
    if tracks is not None and len(tracks):
        for (boat_id, boat), colour in zip(tracks.groupby("boat_id"), BOAT_COLOURS, strict=False):
            away = boat[boat["state"] != "docked"]
            # One line per trip: break it where the boat sat at a dock.
            trip = (boat["state"] == "docked").cumsum().loc[away.index]
            for _, leg in away.groupby(trip):
                ax.plot(leg["x"], leg["y"], color=colour, linewidth=0.8, alpha=0.7)
            boat_lines.append(plt.Line2D([], [], color=colour, label=f"track of {boat_id}"))
    if incidents is not None and len(incidents):
        for outcome in OUTCOMES:
            subset = incidents[incidents["outcome"] == outcome]
            for kind, marker in (("swimming", "o"), ("fishing", "D")):
                points = subset[subset["kind"] == kind]
                if len(points):
                    ax.scatter(
                        points["x"],
                        points["y"],
                        s=22,
                        marker=marker,
                        color=OUTCOME_COLOURS[outcome],
                        edgecolor="white",
                        linewidth=0.5,
                        zorder=5,
                    )
    legend = [
        Patch(facecolor="#a9cce3", edgecolor="#5b8db8", label="water"),
        Patch(facecolor="none", edgecolor="#d62728", hatch="///", label="no swimming"),
        Patch(facecolor="none", edgecolor="#b5651d", hatch="\\\\\\", label="no fishing"),
        Patch(facecolor="#f4d03f", alpha=0.4, label="camera view"),
        plt.Line2D([], [], marker="^", color="black", linestyle="", label="camera"),
        plt.Line2D([], [], marker="P", color="#6c3483", linestyle="", label="gNB"),
        plt.Line2D([], [], marker="X", color="#117a65", linestyle="", label="drone base"),
        plt.Line2D([], [], marker="s", color="#1b2631", linestyle="", label="dock"),
        *boat_lines,
    ]
    if incidents is not None and len(incidents):
        legend += [
            plt.Line2D([], [], marker="o", color=OUTCOME_COLOURS[o], linestyle="", label=o.replace("_", " "))
            for o in OUTCOMES
            if (incidents["outcome"] == o).any()
        ]
        legend += [
            plt.Line2D([], [], marker="o", color="grey", linestyle="", label="swimming"),
            plt.Line2D([], [], marker="D", color="grey", linestyle="", label="fishing"),
        ]
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5, frameon=False)
    ax.set_xlim(0, scenario.zone.width)
    ax.set_ylim(0, scenario.zone.height)
    ax.set_aspect("equal")
    ax.set_xlabel("x east (m)")
    ax.set_ylabel("y north (m)")
    ax.set_title(f"Zone map — {scenario.name}", fontsize=10)
    return _finish(fig, path)


def tuning_figures(table: pd.DataFrame, observations, folder: Path, kind: str) -> list[Path]:
    """Precision-recall, detection ROC, and time to detect and false alarms against the threshold."""
    from detectors.score_curves import roc_curve

    paths = []
    fig, ax = plt.subplots(figsize=(5.2, 4.4))
    rows = table.dropna(subset=["precision", "recall"])
    ax.plot(rows["recall"], rows["precision"], marker="o", markersize=3)
    for _, row in rows.iloc[:: max(1, len(rows) // 6)].iterrows():
        ax.annotate(
            f"{row['threshold']:.2f}",
            (row["recall"], row["precision"]),
            fontsize=7,
            textcoords="offset points",
            xytext=(4, 4),
        )
    ax.set_xlabel("recall (per frame)")
    ax.set_ylabel("precision (per frame)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(f"{kind}: precision-recall over thresholds", fontsize=10)
    paths.append(_finish(fig, folder / "precision_recall.png"))

    scores = np.concatenate(observations.scores) if observations.scores else np.zeros(0)
    labels = np.concatenate(observations.labels) if observations.labels else np.zeros(0, bool)
    fig, ax = plt.subplots(figsize=(5.2, 4.4))
    if labels.any() and (~labels).any():
        roc = roc_curve(scores, labels)
        ax.plot(roc.false_positive_rate, roc.true_positive_rate, label=f"AUC {roc.auc:.3f}")
        ax.legend(loc="lower right")
    else:
        ax.text(0.5, 0.5, "ROC undefined: detections were all true or all false", ha="center", fontsize=8)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=0.8)
    ax.set_xlabel("false positive rate (among detections)")
    ax.set_ylabel("true positive rate (among detections)")
    ax.grid(alpha=0.3)
    ax.set_title(f"{kind}: detection-level ROC", fontsize=10)
    paths.append(_finish(fig, folder / "roc.png"))

    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    ax.plot(table["threshold"], table["ttd_p50_s"], marker="o", markersize=3, color="#1f77b4")
    ax.set_xlabel("score threshold")
    ax.set_ylabel("median time to detect (s)", color="#1f77b4")
    ax.grid(alpha=0.3)
    other = ax.twinx()
    other.plot(table["threshold"], table["false_alarms_per_hour"], marker="s", markersize=3, color="#d62728")
    other.set_ylabel("false alarms per camera-hour", color="#d62728")
    # Low thresholds alarm on every flicker (thousands per hour): a log scale keeps the rest legible.
    other.set_yscale("symlog", linthresh=1.0)
    # At least up to 10 per hour, so the axis has its 0, 1 and 10 ticks even when false alarms are rare.
    peak = float(np.nanmax(table["false_alarms_per_hour"], initial=0.0))
    other.set_ylim(bottom=0, top=max(10.0, 2.0 * peak))
    ax.set_title(f"{kind}: time to detect and false alarms against the threshold", fontsize=10)
    paths.append(_finish(fig, folder / "threshold_tradeoff.png"))
    return paths


def end_to_end_figure(table: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Median response time and missed share against false dispatches per day, one point per threshold."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 4.0))
    for ax, column, label in (
        (left, "response_p50_s", "median response time (s)"),
        (right, "missed_share", "share of incidents missed"),
    ):
        rows = table.dropna(subset=[column])
        ax.plot(rows["false_dispatches_per_day"], rows[column], marker="o", markersize=4)
        # Low thresholds dispatch thousands of times a day, high ones a handful: a log scale shows both.
        ax.set_xscale("symlog", linthresh=10.0)
        ax.set_xlim(left=0)
        if column == "missed_share":
            ax.set_ylim(0, max(0.05, 1.15 * float(np.nanmax(rows[column], initial=0.0))))
        _label_apart(ax, rows["false_dispatches_per_day"], rows[column], rows["threshold"])
        ax.set_xlabel("false dispatches per day (log scale above 10)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    fig.suptitle(f"Choosing the detector threshold — {title}", fontsize=10)
    return _finish(fig, path)


def _label_apart(ax, xs, ys, thresholds, box_px: tuple[float, float] = (50.0, 12.0)) -> None:
    """Label points "τ=…", skipping a point whose label would overlap one already placed (closer than
    ``box_px``, a label's width and height in display pixels): thresholds whose outcomes coincide would
    print over each other."""
    ax.relim()
    ax.autoscale_view()
    placed: list[np.ndarray] = []
    points = list(zip(xs, ys, thresholds, strict=True))
    for x, y, tau in points[-1:] + points[:-1]:  # the ends of the curve first: they frame the range
        where = ax.transData.transform((x, y))
        if any(np.all(np.abs(where - other) < box_px) for other in placed):
            continue
        placed.append(where)
        ax.annotate(f"τ={tau:.2f}", (x, y), fontsize=7, textcoords="offset points", xytext=(4, 3))
