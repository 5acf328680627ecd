"""The coverage figure: downlink SINR and uplink throughput over the zone.

Drawn from the scenario and the run's seed alone (the radio map is a function
of both), with the drone relay's stations when a run's sorties are given.
Built with matplotlib's object API (:mod:`sim.results.figure_style`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.network.links import PROFILES, Direction, LinkProfile, profile_name
from sim.network.radio_map import RadioMap
from sim.network.run_network import radio_map_of
from sim.results.figure_style import save
from sim.scenario.models import Scenario
from sim.world.geometry import ZoneGeometry

SHORE = "#bfc9ca"


@dataclass(frozen=True)
class CoverageLayers:
    """What the coverage figure shows, on the radio map's grid (rows along y, columns along x)."""

    radio_map: RadioMap
    profile: LinkProfile
    """The evidence uplink's profile, whose SINR, rate and coverage are drawn."""
    sinr_db: np.ndarray
    """Downlink SINR, dB."""
    uplink_mbps: np.ndarray
    """Uplink throughput, Mbit/s (0 where there is none)."""
    holes: np.ndarray
    """True where either direction is below CQI 1."""


def coverage_layers(scenario: Scenario, seed: int) -> CoverageLayers:
    """The radio map of ``scenario`` at ``seed`` and the evidence profile's SINR, uplink rate and holes."""
    radio_map = radio_map_of(scenario, seed)
    network = scenario.network
    profile = PROFILES.get(
        profile_name("evidence", network.traffic.evidence, network.profile), PROFILES["nr_embb"]
    )
    return CoverageLayers(
        radio_map=radio_map,
        profile=profile,
        sinr_db=radio_map.downlink_sinr_db(profile),
        uplink_mbps=radio_map.rate_map(profile, Direction.UPLINK) / 1e6,
        holes=~radio_map.covered(profile),
    )


def coverage_figure(
    scenario: Scenario,
    path: Path,
    seed: int | None = None,
    sorties: pd.DataFrame | None = None,
    label: str | None = None,
) -> Path:
    """Two panels over the zone: downlink SINR (dB) and evidence-uplink throughput (Mbit/s).

    Holes (below CQI 1 in either direction) are hatched; gNBs, cameras, the
    drone bases and the relay stations of ``sorties`` are marked. ``label`` names the run in the title
    (default: the scenario's name and the seed).
    """
    seed = scenario.run.seed if seed is None else seed
    run_label = label or f"{scenario.name}, seed {seed}"
    layers = coverage_layers(scenario, seed)
    geometry = ZoneGeometry(scenario)
    extent = (0, scenario.zone.width, 0, scenario.zone.height)

    fig = Figure(figsize=(12.4, 6.0))
    axes = fig.subplots(1, 2, sharey=True)
    uplink = layers.uplink_mbps
    panels = (
        (layers.sinr_db, dict(cmap="viridis", vmin=-10, vmax=40), "downlink SINR (dB)"),
        (np.where(uplink > 0, uplink, np.nan), dict(cmap="magma", norm=LogNorm(0.1, 500)), "uplink (Mbit/s)"),
    )
    for ax, (values, style, label) in zip(axes, panels, strict=True):
        image = ax.imshow(values, origin="lower", extent=extent, interpolation="nearest", **style)
        fig.colorbar(image, ax=ax, shrink=0.8, label=label)
        _draw_holes(ax, layers)
        _outline(ax, geometry.water, color=SHORE, linewidth=0.9)
        _outline(ax, geometry.islands, color=SHORE, linewidth=0.6)
        _draw_stations(ax, scenario, sorties)
        ax.set_xlim(0, scenario.zone.width)
        ax.set_ylim(0, scenario.zone.height)
        ax.set_aspect("equal")
        ax.set_xlabel("x east (m)")
    axes[0].set_ylabel("y north (m)")
    fig.legend(
        handles=_legend_handles(scenario, sorties, bool(layers.holes.any())),
        loc="lower center",
        ncol=6,
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    fig.suptitle(
        f"Coverage — {run_label}, {layers.profile.name}, "
        f"{'/'.join(sorted({g.model.name for g in layers.radio_map.gnbs}))} path loss; "
        f"holes {layers.holes.mean():.1%} of the zone",
        fontsize=10,
    )
    return save(fig, path, rect=(0, 0.08, 1, 0.96))


def _outline(ax: Axes, geometry: shapely.Geometry, **style) -> None:
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type == "Polygon" and not polygon.is_empty:
            ax.plot(*polygon.exterior.xy, **style)


def _draw_holes(ax: Axes, layers: CoverageLayers) -> None:
    """Coverage holes hatched and outlined in red (nothing when there are none)."""
    if not layers.holes.any():
        return
    radio_map, holes = layers.radio_map, layers.holes.astype(float)
    ax.contourf(radio_map.x, radio_map.y, holes, levels=[0.5, 1.5], colors="none", hatches=["xxx"])
    ax.contour(radio_map.x, radio_map.y, holes, levels=[0.5], colors="red", linewidths=0.8)


def _draw_stations(ax: Axes, scenario: Scenario, sorties: pd.DataFrame | None) -> None:
    """gNBs (with their ids), cameras, drone bases and the relay stations the drones flew to."""
    for gnb in scenario.gnbs:
        ax.plot(*gnb.position, marker="P", color="white", markeredgecolor="black", markersize=11)
        ax.annotate(
            gnb.id, gnb.position, textcoords="offset points", xytext=(6, -10), fontsize=7, color="white"
        )
    for camera in scenario.cameras:
        ax.plot(*camera.position, marker="^", color="#f4d03f", markeredgecolor="black", markersize=6)
    for drone in scenario.drones:
        ax.plot(*drone.position, marker="X", color="#48c9b0", markeredgecolor="black", markersize=9)
    if sorties is not None and len(sorties):
        ax.scatter(
            sorties["x"], sorties["y"], marker="o", s=40, facecolor="none", edgecolor="#48c9b0", lw=1.4
        )


def _legend_handles(scenario: Scenario, sorties: pd.DataFrame | None, holes: bool) -> list[Line2D]:
    """The figure legend's entries that the figure shows: the markers of :func:`_draw_stations`, the hole
    outline, the shore."""
    shown = {
        "gNB": bool(scenario.gnbs),
        "camera": bool(scenario.cameras),
        "drone base": bool(scenario.drones),
        "relay station": sorties is not None and len(sorties) > 0,
        "coverage hole (below CQI 1)": holes,
    }
    return [h for h in _all_legend_handles() if shown.get(h.get_label(), True)]


def _all_legend_handles() -> list[Line2D]:
    return [
        Line2D([], [], marker="P", color="white", markeredgecolor="black", linestyle="", label="gNB"),
        Line2D([], [], marker="^", color="#f4d03f", markeredgecolor="black", linestyle="", label="camera"),
        Line2D(
            [], [], marker="X", color="#48c9b0", markeredgecolor="black", linestyle="", label="drone base"
        ),
        Line2D(
            [], [], marker="o", color="#48c9b0", markerfacecolor="none", linestyle="", label="relay station"
        ),
        Line2D([], [], color="red", label="coverage hole (below CQI 1)"),
        Line2D([], [], color=SHORE, label="shore"),
    ]
