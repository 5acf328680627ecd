"""Cross-field checks of a scenario that single-field validation cannot see.

Each failure raises :class:`~sim.scenario.loading.ScenarioError` with the key path of
the offending entry, e.g. ``cameras.3.position: (1200.0, 50.0) is outside the
1000 x 1000 m zone``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import shapely
from shapely.geometry import Point, Polygon

from sim.scenario.models import Scenario
from sim.world.geometry import WaterNavigator, ZoneGeometry

DOCK_MAX_DISTANCE_M = 10.0
"""A dock must lie within this distance of the water (it is a berth on the shore)."""


def _error(message: str) -> Exception:
    from sim.errors import ScenarioError

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

    _check_radio(scenario)
    _check_names(scenario)
    _check_fleet(scenario, geometry)
    _check_fishing_tiles(scenario, geometry)


def _check_fishing_tiles(scenario: Scenario, geometry: ZoneGeometry) -> None:
    """A far-bank tile (``cameras.N.fishing_tile_beyond``) must hold a no-fishing bank the camera sees."""
    from sim.pixel.far_bank_tile import far_banks
    from sim.world.cameras import CameraModel

    for i, camera in enumerate(scenario.cameras):
        beyond = camera.fishing_tile_beyond
        if beyond is None:
            continue
        if beyond >= camera.max_range:
            raise _error(
                f"cameras.{i}.fishing_tile_beyond: {beyond:g} m is not below max_range {camera.max_range:g} m"
            )
        if far_banks(CameraModel(camera), geometry, beyond).area < 1.0:
            raise _error(
                f"cameras.{i}.fishing_tile_beyond: {camera.id!r} sees no no-fishing bank "
                f"farther than {beyond:g} m"
            )


def _check_fleet(scenario: Scenario, geometry: ZoneGeometry) -> None:
    """Boats can make headway, reach the no-go areas from their docks, and wait where they are told."""
    from sim.fleet.kinematics import current_field
    from sim.fleet.policies import POLICIES

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


def _check_radio(scenario: Scenario) -> None:
    """Carrier, numerology and bandwidth within 3GPP's ranges; drone heights within TR 36.777's."""
    from sim.network import radio

    for i, gnb in enumerate(scenario.gnbs):
        where = f"gnbs.{i}"
        band = radio.frequency_range(gnb.frequency_ghz)
        if band is None or gnb.frequency_ghz < 0.5:
            raise _error(
                f"{where}.frequency_ghz: {gnb.frequency_ghz:g} GHz is outside NR FR1 (0.5-7.125 GHz for "
                "the TR 38.901 model) and FR2 (24.25-52.6 GHz)"
            )
        numerologies = sorted(mu for b, mu in radio.CHANNEL_BANDWIDTHS_MHZ if b == band)
        if gnb.numerology not in numerologies:
            raise _error(
                f"{where}.numerology: {gnb.numerology} ({15 * 2**gnb.numerology} kHz) is not used for data "
                f"in {band} (valid: {', '.join(map(str, numerologies))})"
            )
        bandwidths = radio.CHANNEL_BANDWIDTHS_MHZ[(band, gnb.numerology)]
        if gnb.bandwidth_mhz not in bandwidths:
            raise _error(
                f"{where}.bandwidth_mhz: {gnb.bandwidth_mhz:g} MHz is not a {band} channel bandwidth at "
                f"{15 * 2**gnb.numerology} kHz (valid: {', '.join(map(str, bandwidths))})"
            )
    for i, drone in enumerate(scenario.drones):
        if not 22.5 <= drone.altitude <= 300:
            raise _error(
                f"drones.{i}.altitude: {drone.altitude:g} m is outside 22.5-300 m, where the TR 36.777 "
                "air-to-ground model holds"
            )


def _check_names(scenario: Scenario) -> None:
    from sim.errors import TraceError
    from sim.fleet.dispatch import POLICIES
    from sim.network.links import PROFILES
    from sim.network.traces import TRACE_PROFILE, read_trace

    names = {"network.profile": scenario.network.profile}
    names |= {f"network.traffic.{k}": v for k, v in scenario.network.traffic.model_dump().items() if v}
    valid = sorted([*PROFILES, TRACE_PROFILE])
    for path, name in names.items():
        if name not in valid:
            raise _error(f"{path}: unknown link profile {name!r} (valid: {', '.join(valid)})")
    if TRACE_PROFILE in names.values():
        if scenario.network.trace is None:
            path = next(p for p, n in names.items() if n == TRACE_PROFILE)
            raise _error(f"{path}: profile 'trace' needs network.trace, a CSV file of measured latencies")
        try:
            read_trace(Path(scenario.network.trace))
        except TraceError as error:
            raise _error(f"network.trace: {error}") from None
    if scenario.dispatch.policy not in POLICIES:
        raise _error(
            f"dispatch.policy: unknown policy {scenario.dispatch.policy!r} "
            f"(valid: {', '.join(sorted(POLICIES))})"
        )
