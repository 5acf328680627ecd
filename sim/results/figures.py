"""Figures of one run: response-time CDF, latency breakdown by stage, zone map.

Built with matplotlib's object API (:mod:`sim.results.figure_style`); callers import this module only
when they draw, so a run without figures never loads matplotlib.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.patches import Polygon as PolygonPatch

from sim.results.boat_timeline import boat_timeline
from sim.results.coverage_figure import coverage_figure
from sim.results.figure_style import NO_INCIDENTS, STAGE_COLOURS, centred_note, save
from sim.results.run_data import RunData
from sim.results.tables import OUTCOMES, STAGES
from sim.results.track_digest import Tracks
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
CAMERA_LABELS_UP_TO = 16
"""The zone map writes each camera's id when there are at most this many; past that the ids overlap."""
INCIDENT_MARKER_AREA = (22.0, 300, 4.0)
"""Incident markers (pt²): full size up to 300 incidents, then shrinking with 1/sqrt(count) to the least
size, so a month of a city's incidents does not bury the map."""
TRIPS_AS_LINES = 1000
"""Most boat trips the zone map draws as a line each (more are drawn as one collection per boat)."""
NO_GO_STYLES = {"no_swimming": ("#d62728", "///"), "no_fishing": ("#b5651d", "\\\\\\")}
"""Edge colour and hatch of each kind of no-go area (a ``scenario.zone`` list) on the zone map."""


def draw_run_figures(result: RunData, folder: Path, tracks: Tracks | None = None) -> list[Path]:
    """Draw every figure of one run into ``folder``; returns the files written. ``tracks``: the digest of
    the run's tracks.csv as it was written (default: computed from ``result.tracks``)."""
    folder.mkdir(parents=True, exist_ok=True)
    label = result.label  # scenario, seed and duration, in every title
    if tracks is None:
        tracks = Tracks.of(result.tracks, result.scenario.run.duration)
    paths = [
        response_time_cdf(result.incidents, folder / "response_time_cdf.png", label),
        latency_breakdown(result.incidents, folder / "latency_breakdown.png", label),
        zone_map(result.scenario, folder / "zone_map.png", result.incidents, tracks, label),
        boat_timeline(tracks, folder / "boat_timeline.png", label),
        coverage_figure(result.scenario, folder / "coverage.png", result.seed, result.sorties, label),
    ]
    return paths


def response_time_cdf(incidents: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Empirical CDF of t_warning − t_start per kind, minutes (a note instead when nobody was warned)."""
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    ax.set_title(f"Response time — {title}", fontsize=10)
    if incidents["t_warning"].notna().sum() == 0:
        centred_note(ax, NO_INCIDENTS if len(incidents) == 0 else "no offender was warned in this run")
        return save(fig, path)
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
    return save(fig, path)


def latency_breakdown(incidents: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Stacked mean duration of each response stage, per kind that was warned, s (else a note)."""
    warned = incidents[incidents["t_warning"].notna()]
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.subplots()
    ax.set_title(f"Where the response time goes — {title}", fontsize=10)
    kinds = [kind for kind in ("swimming", "fishing") if (warned["kind"] == kind).any()]
    if not kinds:
        centred_note(ax, NO_INCIDENTS if len(incidents) == 0 else "no offender was warned in this run")
        return save(fig, path)
    labels = []
    for row, kind in enumerate(kinds):
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
    return save(fig, path)


def _total_mean(warned: pd.DataFrame) -> float:
    total = (warned["t_warning"] - warned["t_start"]).mean()
    return 0.0 if np.isnan(total) else float(total)


def _fill(ax: Axes, geometry: shapely.Geometry, **style) -> None:
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
    tracks: Tracks | None = None,
    title: str | None = None,
) -> Path:
    """Water, islands, no-go areas, camera views, gNBs, docks, boat tracks and incidents by outcome.

    ``title``: the run's label (scenario, seed, duration; default the scenario's name). The legend lists
    only what the map shows; a run without incidents says so in the middle of the map."""
    geometry = ZoneGeometry(scenario)
    fig = Figure(figsize=(9.4, 7.6))
    ax = fig.subplots()
    ax.set_facecolor("#e9efe1")  # land
    _fill(ax, geometry.water, facecolor="#a9cce3", edgecolor="#5b8db8", linewidth=0.8)
    _fill(ax, geometry.islands, facecolor="#b8cf9c", edgecolor="#6a8a4a", linewidth=0.8)
    _draw_no_go_areas(ax, scenario)
    _draw_cameras(ax, scenario, geometry)
    _draw_sites(ax, scenario)
    boat_lines = _draw_tracks(ax, tracks) if tracks is not None else []
    has_incidents = incidents is not None and len(incidents) > 0
    if has_incidents:
        _draw_incidents(ax, incidents)
    if incidents is not None and not has_incidents:
        ax.text(
            0.5, 0.5, NO_INCIDENTS, ha="center", va="center", fontsize=12, transform=ax.transAxes,
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
        )  # fmt: skip
    legend = _zone_legend(scenario) + boat_lines + (_incident_legend(incidents) if has_incidents else [])
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5, frameon=False)
    ax.set_xlim(0, scenario.zone.width)
    ax.set_ylim(0, scenario.zone.height)
    ax.set_aspect("equal")
    ax.set_xlabel("x east (m)")
    ax.set_ylabel("y north (m)")
    ax.set_title(f"Zone map — {title or scenario.name}", fontsize=10)
    return save(fig, path)


def _zone_legend(scenario: Scenario) -> list[Patch | Line2D]:
    """Legend entries of the zone map's fixed layers that the scenario has, before the boats' tracks and
    the incidents."""
    has = {
        "cameras": bool(scenario.cameras),
        "gnbs": bool(scenario.gnbs),
        "drones": bool(scenario.drones),
        "docks": bool(scenario.docks),
    }
    entries = [
        (True, Patch(facecolor="#a9cce3", edgecolor="#5b8db8", label="water")),
        *(
            (
                bool(getattr(scenario.zone, key)),
                Patch(facecolor="none", edgecolor=colour, hatch=hatch, label=key.replace("_", " ")),
            )
            for key, (colour, hatch) in NO_GO_STYLES.items()
        ),
        (has["cameras"], Patch(facecolor="#f4d03f", alpha=0.4, label="camera view")),
        (has["cameras"], Line2D([], [], marker="^", color="black", linestyle="", label="camera")),
        (has["gnbs"], Line2D([], [], marker="P", color="#6c3483", linestyle="", label="gNB")),
        (has["drones"], Line2D([], [], marker="X", color="#117a65", linestyle="", label="drone base")),
        (has["docks"], Line2D([], [], marker="s", color="#1b2631", linestyle="", label="dock")),
    ]
    return [entry for shown, entry in entries if shown]


def _draw_no_go_areas(ax: Axes, scenario: Scenario) -> None:
    """Hatched outlines of the no-swimming, then the no-fishing areas."""
    for key, (colour, hatch) in NO_GO_STYLES.items():
        for area in getattr(scenario.zone, key):
            ax.add_patch(
                PolygonPatch(
                    area.polygon,
                    closed=True,
                    facecolor="none",
                    edgecolor=colour,
                    hatch=hatch,
                    linewidth=1.0,
                    alpha=0.8,
                )
            )


def _draw_cameras(ax: Axes, scenario: Scenario, geometry: ZoneGeometry) -> None:
    """Each camera's visible region (islands block the view), its position and, if there are few, its id."""
    few = len(scenario.cameras) <= CAMERA_LABELS_UP_TO
    for camera in scenario.cameras:
        view = visible_region(CameraModel(camera), geometry.islands)
        _fill(ax, view, facecolor="#f4d03f", edgecolor="#b7950b", alpha=0.22, linewidth=0.6)
        ax.plot(*camera.position, marker="^", color="black", markersize=7 if few else 4)
        if few:
            ax.annotate(camera.id, camera.position, textcoords="offset points", xytext=(4, 4), fontsize=6.5)


def _draw_sites(ax: Axes, scenario: Scenario) -> None:
    """gNBs, drone bases and docks, each marked and labelled with its id."""
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


def _draw_tracks(ax: Axes, tracks: Tracks) -> list[Line2D]:
    """Each boat's trips away from the docks (x, y in m), one colour per boat; returns their legend lines.

    Up to :data:`TRIPS_AS_LINES` trips are drawn as a line each; more (a month or longer) as one collection
    of lines per boat, drawn the same way but in one call (a year has thousands of trips; the pictures
    differ by a few levels of grey along some lines)."""
    trips = {
        boat_id: np.split(boat.away[:, :2], np.flatnonzero(boat.away[1:, 2] != boat.away[:-1, 2]) + 1)
        for boat_id, boat in tracks.boats.items()
    }  # one line per trip: rows of one trip share the number of docked rows before them
    one_by_one = sum(len(parts) for parts in trips.values()) <= TRIPS_AS_LINES
    boat_lines = []
    for (boat_id, boat), colour in zip(tracks.boats.items(), itertools.cycle(BOAT_COLOURS)):
        if len(boat.away) == 0:
            continue  # never left its dock: nothing drawn, nothing in the legend
        if one_by_one:
            for trip in trips[boat_id]:
                ax.plot(trip[:, 0], trip[:, 1], color=colour, linewidth=0.8, alpha=0.7)
        else:
            lines = LineCollection(
                trips[boat_id], colors=colour, linewidths=0.8, alpha=0.7, zorder=2, capstyle="projecting"
            )
            ax.add_collection(lines, autolim=False)
        boat_lines.append(Line2D([], [], color=colour, label=f"track of {boat_id}"))
    return boat_lines


def _draw_incidents(ax: Axes, incidents: pd.DataFrame) -> None:
    """Incidents where they started, coloured by outcome, a circle for swimming and a diamond for fishing."""
    full, up_to, least = INCIDENT_MARKER_AREA
    size = full if len(incidents) <= up_to else max(least, full * math.sqrt(up_to / len(incidents)))
    for outcome in OUTCOMES:
        subset = incidents[incidents["outcome"] == outcome]
        for kind, marker in (("swimming", "o"), ("fishing", "D")):
            points = subset[subset["kind"] == kind]
            if len(points):
                ax.scatter(
                    points["x"],
                    points["y"],
                    s=size,
                    marker=marker,
                    color=OUTCOME_COLOURS[outcome],
                    edgecolor="white",
                    linewidth=0.5 if size == full else 0.2,
                    zorder=5,
                )


def _incident_legend(incidents: pd.DataFrame) -> list[Line2D]:
    """Legend entries of the outcomes that occurred, then of the two kinds' markers."""
    return [
        *(
            Line2D([], [], marker="o", color=OUTCOME_COLOURS[o], linestyle="", label=o.replace("_", " "))
            for o in OUTCOMES
            if (incidents["outcome"] == o).any()
        ),
        *(
            Line2D([], [], marker=marker, color="grey", linestyle="", label=kind)
            for kind, marker in (("swimming", "o"), ("fishing", "D"))
            if (incidents["kind"] == kind).any()
        ),
    ]
