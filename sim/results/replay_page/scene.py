"""The still part of the map: zone outline, water, islands, no-go areas, docks, gNBs, drone bases, cameras
with their ground footprints, and the run's downlink SINR map with its coverage holes.

Everything in scenario metres (x east, y north from the zone's south-west corner), as the zone map figure
draws it; the radio map is a function of the scenario and the run's seed, so it is recomputed, not read.
"""

from __future__ import annotations

import numpy as np
import shapely

from sim.network.links import PROFILES, profile_name
from sim.network.run_network import radio_map_of
from sim.results.replay_page.columns import column
from sim.scenario.models import Scenario
from sim.world.cameras import CameraModel, visible_region
from sim.world.geometry import ZoneGeometry

SINR_RANGE_DB = (-10.0, 40.0)
"""SINR values are sent as u8 steps over this range (dB), as the coverage figure's colour scale spans."""


def _rings(geometry: shapely.Geometry) -> list[list[list[float]]]:
    """Exterior rings of a (multi)polygon as ``[[x, y], ...]`` rounded to 0.1 m."""
    rings = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type == "Polygon" and not polygon.is_empty:
            rings.append([[round(x, 1), round(y, 1)] for x, y in polygon.exterior.coords])
    return rings


def _places(items) -> list[dict]:
    return [{"id": item.id, "x": item.position[0], "y": item.position[1]} for item in items]


def sinr_layer(scenario: Scenario, seed: int) -> dict:
    """The run's downlink SINR per grid cell (u8 steps over :data:`SINR_RANGE_DB`, row 0 in the south)
    and its coverage holes (u8 1 where either direction is below CQI 1), as the coverage figure draws."""
    radio_map = radio_map_of(scenario, seed)
    network = scenario.network
    profile = PROFILES.get(
        profile_name("evidence", network.traffic.evidence, network.profile), PROFILES["nr_embb"]
    )
    low, high = SINR_RANGE_DB
    sinr = np.clip(radio_map.downlink_sinr_db(profile), low, high)
    steps = np.round((sinr - low) / (high - low) * 255).astype(np.uint8)
    holes = (~radio_map.covered(profile)).astype(np.uint8)
    rows, cols = steps.shape
    return {
        "rows": rows,
        "cols": cols,
        "cell_m": radio_map.resolution,
        "low_db": low,
        "high_db": high,
        "sinr": column(steps.ravel(), "u8"),
        "holes": column(holes.ravel(), "u8"),
    }


def scene(scenario: Scenario, seed: int) -> dict:
    """The map's still layers for one run."""
    geometry = ZoneGeometry(scenario)
    zone = scenario.zone
    cameras = []
    for camera in scenario.cameras:
        view = visible_region(CameraModel(camera), geometry.islands)
        cameras.append(
            {
                "id": camera.id,
                "x": camera.position[0],
                "y": camera.position[1],
                "yaw": camera.yaw,
                "footprint": _rings(view),
            }
        )
    return {
        "width": zone.width,
        "height": zone.height,
        "water": [[list(p) for p in ring] for ring in zone.water],
        "islands": [[list(p) for p in ring] for ring in zone.islands],
        "no_swimming": [{"id": a.id, "ring": [list(p) for p in a.polygon]} for a in zone.no_swimming],
        "no_fishing": [{"id": a.id, "ring": [list(p) for p in a.polygon]} for a in zone.no_fishing],
        "docks": _places(scenario.docks),
        "gnbs": _places(scenario.gnbs),
        "drone_bases": _places(scenario.drones),
        "cameras": cameras,
        "buoys": _places(scenario.buoys),
        "radio": sinr_layer(scenario, seed),
    }
