"""Checks of a scenario against the zone's geometry: islands in the water, cameras on land, docks at the
shore, buoys afloat, no-go areas that overlap what they guard, far-bank tiles that see a bank.

Each failure raises :class:`~sim.errors.ScenarioError` naming the key path.
"""

from __future__ import annotations

import shapely
from shapely.geometry import Point, Polygon

from sim.errors import ScenarioError
from sim.scenario.models import Scenario
from sim.world.cameras import CameraModel, far_banks
from sim.world.geometry import ZoneGeometry

DOCK_MAX_DISTANCE_M = 10.0
"""A dock must lie within this distance of the water (it is a berth on the shore)."""


def check_places(scenario: Scenario, geometry: ZoneGeometry) -> None:
    """Raise ScenarioError for the first thing placed where it cannot be."""
    lakes = shapely.union_all([Polygon(ring) for ring in scenario.zone.water]).buffer(1e-6)
    for i, island in enumerate(scenario.zone.islands):
        if not Polygon(island).within(lakes):
            raise ScenarioError(f"zone.islands.{i}: the island is not inside the water")
    _check_shore_places(scenario, geometry)
    for i, buoy in enumerate(scenario.buoys):
        if not geometry.water.covers(Point(buoy.position)):
            raise ScenarioError(f"buoys.{i}.position: {buoy.id!r} is not on water")
    for section, areas in (("no_swimming", geometry.no_swimming), ("no_fishing", geometry.no_fishing)):
        for i, area in enumerate(areas):
            if area.region.area < 1.0:
                where = "water" if section == "no_swimming" else "the shore next to the water"
                raise ScenarioError(f"zone.{section}.{i}: {area.id!r} does not overlap {where}")


def _check_shore_places(scenario: Scenario, geometry: ZoneGeometry) -> None:
    """Cameras stand on land; docks within ``DOCK_MAX_DISTANCE_M`` of the shore, on land or on water."""
    for i, camera in enumerate(scenario.cameras):
        if geometry.water.contains(Point(camera.position)):
            raise ScenarioError(
                f"cameras.{i}.position: {camera.id!r} stands on water, "
                f"{_from_shore(geometry, camera.position)} (a camera's pole stands on land)"
            )
    for i, dock in enumerate(scenario.docks):
        if _on_water_past(geometry, dock.position, DOCK_MAX_DISTANCE_M):
            raise ScenarioError(
                f"docks.{i}.position: {dock.id!r} is on water, {_from_shore(geometry, dock.position)} "
                f"(a dock is a berth within {DOCK_MAX_DISTANCE_M:g} m of the shore)"
            )
        distance = geometry.water.distance(Point(dock.position))
        if distance > DOCK_MAX_DISTANCE_M:
            raise ScenarioError(
                f"docks.{i}.position: {dock.id!r} is {distance:.0f} m from the water "
                f"(at most {DOCK_MAX_DISTANCE_M:g} m)"
            )


def _on_water_past(geometry: ZoneGeometry, xy: tuple[float, float], distance_m: float) -> bool:
    """Is ``xy`` on water farther than ``distance_m`` from the shore?"""
    point = Point(xy)
    return geometry.water.contains(point) and geometry.land.distance(point) > distance_m


def _from_shore(geometry: ZoneGeometry, xy: tuple[float, float]) -> str:
    return f"{geometry.land.distance(Point(xy)):.0f} m from the shore"


def check_fishing_tiles(scenario: Scenario, geometry: ZoneGeometry) -> None:
    """A far-bank tile (``cameras.N.fishing_tile_beyond``) must hold a no-fishing bank the camera sees."""
    for i, camera in enumerate(scenario.cameras):
        beyond = camera.fishing_tile_beyond
        if beyond is None:
            continue
        if beyond >= camera.max_range:
            raise ScenarioError(
                f"cameras.{i}.fishing_tile_beyond: {beyond:g} m is not below max_range {camera.max_range:g} m"
            )
        if far_banks(CameraModel(camera), geometry, beyond).area < 1.0:
            raise ScenarioError(
                f"cameras.{i}.fishing_tile_beyond: {camera.id!r} sees no no-fishing bank "
                f"farther than {beyond:g} m"
            )
