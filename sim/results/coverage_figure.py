"""The coverage figure: downlink SINR and uplink throughput over the zone.

Drawn from the scenario and the run's seed alone (the radio map is a function
of both), with the drone relay's stations when a run's sorties are given.
matplotlib is imported only here and in :mod:`sim.results.figures`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely
from matplotlib.colors import LogNorm

from sim.core.rng import RandomStreams
from sim.network.links import PROFILES, Direction, profile_name
from sim.network.radio_map import RadioMap
from sim.scenario.models import Scenario
from sim.world.geometry import ZoneGeometry

SHORE = "#bfc9ca"


def _outline(ax: plt.Axes, geometry: shapely.Geometry, **style) -> None:
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type == "Polygon" and not polygon.is_empty:
            ax.plot(*polygon.exterior.xy, **style)


def coverage_figure(
    scenario: Scenario, path: Path, seed: int | None = None, sorties: pd.DataFrame | None = None
) -> Path:
    """Two panels over the zone: downlink SINR (dB) and evidence-uplink throughput (Mbit/s).

    Holes (below CQI 1 in either direction) are hatched; gNBs, cameras, the
    drone bases and the relay stations of ``sorties`` are marked.
    """
    seed = scenario.run.seed if seed is None else seed
    radio_map = RadioMap(scenario, RandomStreams(seed).stream("network/radio"))
    network = scenario.network
    profile = PROFILES.get(
        profile_name("evidence", network.traffic.evidence, network.profile), PROFILES["nr_embb"]
    )
    sinr = radio_map.downlink_sinr_db(profile)
    uplink = radio_map.rate_map(profile, Direction.UPLINK) / 1e6
    holes = ~radio_map.covered(profile)
    geometry = ZoneGeometry(scenario)
    extent = (0, scenario.zone.width, 0, scenario.zone.height)

    fig, axes = plt.subplots(1, 2, figsize=(12.4, 6.0), sharey=True)
    panels = (
        (sinr, dict(cmap="viridis", vmin=-10, vmax=40), "downlink SINR (dB)"),
        (np.where(uplink > 0, uplink, np.nan), dict(cmap="magma", norm=LogNorm(0.1, 500)), "uplink (Mbit/s)"),
    )
    for ax, (values, style, label) in zip(axes, panels, strict=True):
        image = ax.imshow(values, origin="lower", extent=extent, interpolation="nearest", **style)
        fig.colorbar(image, ax=ax, shrink=0.8, label=label)
        if holes.any():
            ax.contourf(
                radio_map.x,
                radio_map.y,
                holes.astype(float),
                levels=[0.5, 1.5],
                colors="none",
                hatches=["xxx"],
            )
            ax.contour(
                radio_map.x, radio_map.y, holes.astype(float), levels=[0.5], colors="red", linewidths=0.8
            )
        _outline(ax, geometry.water, color=SHORE, linewidth=0.9)
        _outline(ax, geometry.islands, color=SHORE, linewidth=0.6)
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
        ax.set_xlim(0, scenario.zone.width)
        ax.set_ylim(0, scenario.zone.height)
        ax.set_aspect("equal")
        ax.set_xlabel("x east (m)")
    axes[0].set_ylabel("y north (m)")
    handles = [
        plt.Line2D([], [], marker="P", color="white", markeredgecolor="black", linestyle="", label="gNB"),
        plt.Line2D(
            [], [], marker="^", color="#f4d03f", markeredgecolor="black", linestyle="", label="camera"
        ),
        plt.Line2D(
            [], [], marker="X", color="#48c9b0", markeredgecolor="black", linestyle="", label="drone base"
        ),
        plt.Line2D(
            [], [], marker="o", color="#48c9b0", markerfacecolor="none", linestyle="", label="relay station"
        ),
        plt.Line2D([], [], color="red", label="coverage hole (below CQI 1)"),
        plt.Line2D([], [], color=SHORE, label="shore"),
    ]
    fig.legend(
        handles=handles, loc="lower center", ncol=6, fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.0)
    )
    share = holes.mean()
    fig.suptitle(
        f"Coverage — {scenario.name}, seed {seed}, {profile.name}, "
        f"{'/'.join(sorted({g.model.name for g in radio_map.gnbs}))} path loss; holes {share:.1%} of zone",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.08, 1, 0.96))
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
