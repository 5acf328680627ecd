"""Cross-field checks of a scenario that single-field validation cannot see.

Each failure raises :class:`~sim.loading.ScenarioError` with the key path of
the offending entry, e.g. ``cameras.3.position: (1200.0, 50.0) is outside the
1000 x 1000 m zone``.
"""

from __future__ import annotations

from collections.abc import Iterable

import shapely
from shapely.geometry import Point, Polygon

from sim.geometry import WaterNavigator, ZoneGeometry
from sim.scenario import Scenario

DOCK_MAX_DISTANCE_M = 10.0
"""A dock must lie within this distance of the water (it is a berth on the shore)."""


def _error(message: str) -> Exception:
    from sim.loading import ScenarioError

    return ScenarioError(message)


def _unique(section: str, items: Iterable, seen: dict[str, str]) -> None:
    for i, item in enumerate(items):
        if item.id in seen:
            raise _error(f"{section}.{i}.id: {item.id!r} is already used by {seen[item.id]}")
        seen[item.id] = f"{section}.{i}"


def check_scenario(scenario: Scenario) -> None:
    """Raise ScenarioError for the first cross-field problem found."""
    zone = scenario.zone
    for section in ("docks", "gnbs", "drones", "boats"):
        _unique(section, getattr(scenario, section), {})
    _unique("cameras", scenario.cameras, sensors := {})  # alarms name cameras and buoys alike
    _unique("buoys", scenario.buoys, sensors)
    _unique("zone.no_swimming", zone.no_swimming, {})
    _unique("zone.no_fishing", zone.no_fishing, {})

    for section in ("water", "islands"):
        for i, ring in enumerate(getattr(zone, section)):
            polygon = Polygon(ring)
            if not polygon.is_valid or polygon.area <= 0:
                raise _error(f"zone.{section}.{i}: the outline crosses itself or encloses no area")
            if any(not (0 <= x <= zone.width and 0 <= y <= zone.height) for x, y in ring):
                raise _error(
                    f"zone.{section}.{i}: a vertex lies outside the {zone.width:g} x {zone.height:g} m zone"
                )

    for section in ("docks", "cameras", "buoys", "gnbs", "drones"):
        for i, item in enumerate(getattr(scenario, section)):
            x, y = item.position
            if not (0 <= x <= zone.width and 0 <= y <= zone.height):
                raise _error(
                    f"{section}.{i}.position: ({x:g}, {y:g}) is outside the "
                    f"{zone.width:g} x {zone.height:g} m zone"
                )

    geometry = ZoneGeometry(scenario)
    lakes = shapely.union_all([Polygon(ring) for ring in zone.water]).buffer(1e-6)
    for i, island in enumerate(zone.islands):
        if not Polygon(island).within(lakes):
            raise _error(f"zone.islands.{i}: the island is not inside the water")
    for i, dock in enumerate(scenario.docks):
        distance = geometry.water.distance(Point(dock.position))
        if distance > DOCK_MAX_DISTANCE_M:
            raise _error(
                f"docks.{i}.position: {dock.id!r} is {distance:.0f} m from the water "
                f"(at most {DOCK_MAX_DISTANCE_M:g} m)"
            )
    for i, buoy in enumerate(scenario.buoys):
        if not geometry.water.covers(Point(buoy.position)):
            raise _error(f"buoys.{i}.position: {buoy.id!r} is not on water")
    for section, areas in (("no_swimming", geometry.no_swimming), ("no_fishing", geometry.no_fishing)):
        for i, area in enumerate(areas):
            if area.region.area < 1.0:
                where = "water" if section == "no_swimming" else "the shore next to the water"
                raise _error(f"zone.{section}.{i}: {area.id!r} does not overlap {where}")

    dock_ids = [d.id for d in scenario.docks]
    for i, boat in enumerate(scenario.boats):
        if boat.dock not in dock_ids:
            raise _error(f"boats.{i}.dock: no dock {boat.dock!r} (docks: {', '.join(dock_ids)})")
        if boat.cruise_speed > boat.max_speed:
            raise _error(
                f"boats.{i}.cruise_speed: {boat.cruise_speed:g} m/s is above max_speed {boat.max_speed:g} m/s"
            )
        if boat.reserve_wh >= boat.battery_wh:
            raise _error(
                f"boats.{i}.reserve_wh: {boat.reserve_wh:g} Wh is not below battery_wh {boat.battery_wh:g}"
            )

    _check_names(scenario)
    _check_fleet(scenario, geometry)


def _check_fleet(scenario: Scenario, geometry: ZoneGeometry) -> None:
    """Boats can make headway, reach the no-go areas from their docks, and wait where they are told."""
    from sim.kinematics import current_field
    from sim.policies import POLICIES

    flow = current_field(scenario.zone.current).max_speed()
    for i, boat in enumerate(scenario.boats):
        if flow >= boat.cruise_speed:
            raise _error(
                f"zone.current: {flow:g} m/s is not below boats.{i}.cruise_speed {boat.cruise_speed:g} m/s "
                f"({boat.id!r} could not make headway)"
            )
    on_scene = scenario.dispatch.on_scene
    for kind in ("swimming", "fishing"):
        interval = getattr(scenario.incidents, kind).compliance.warning_interval
        if on_scene.message_length > interval:
            raise _error(
                f"dispatch.on_scene.message_length: {on_scene.message_length:g} s is longer than "
                f"incidents.{kind}.compliance.warning_interval {interval:g} s"
            )

    navigator = WaterNavigator(geometry.water, scenario.zone.shore_margin)
    reach = max(boat.loudspeaker_range for boat in scenario.boats)
    areas = [*geometry.no_swimming, *geometry.no_fishing]
    reached_by = {
        body: [a.id for a in areas if navigator.body_distance(body, a.region) <= reach]
        for body in range(navigator.body_count)
    }
    served: set[str] = set()
    for i, dock in enumerate(scenario.docks):
        reached = reached_by[navigator.body_of(navigator.snap(*dock.position))]
        if not reached:
            raise _error(
                f"docks.{i}: {dock.id!r} is on water that reaches no no-swimming or no-fishing area "
                f"(boats keep {scenario.zone.shore_margin:g} m from the shore)"
            )
        served.update(reached)
    for section in ("no_swimming", "no_fishing"):
        for i, area in enumerate(getattr(geometry, section)):
            if area.id not in served:
                raise _error(f"zone.{section}.{i}: {area.id!r} cannot be reached by boat from any dock")

    points = scenario.dispatch.patrol_points
    if getattr(POLICIES[scenario.dispatch.policy], "waits_on_water", False) and not points:
        raise _error(f"dispatch.patrol_points: policy {scenario.dispatch.policy!r} needs at least one point")
    for i, (x, y) in enumerate(points):
        if not navigator.navigable.covers(Point(x, y)):
            raise _error(
                f"dispatch.patrol_points.{i}: ({x:g}, {y:g}) is not on water at least "
                f"{scenario.zone.shore_margin:g} m from the shore"
            )


def _check_names(scenario: Scenario) -> None:
    from sim.dispatch import POLICIES
    from sim.network import PROFILES

    names = {"network.profile": scenario.network.profile}
    names |= {f"network.traffic.{k}": v for k, v in scenario.network.traffic.model_dump().items() if v}
    for path, name in names.items():
        if name not in PROFILES:
            raise _error(f"{path}: unknown link profile {name!r} (valid: {', '.join(sorted(PROFILES))})")
    if scenario.dispatch.policy not in POLICIES:
        raise _error(
            f"dispatch.policy: unknown policy {scenario.dispatch.policy!r} "
            f"(valid: {', '.join(sorted(POLICIES))})"
        )
