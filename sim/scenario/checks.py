"""Cross-field checks of a scenario that need no model of the world: unique ids, outlines that are
polygons inside the zone, things placed inside the zone, boats that name a dock and can keep a reserve.

Each failure raises :class:`~sim.errors.ScenarioError` with the key path of the offending entry, e.g.
``cameras.3.position: (1200.0, 50.0) is outside the 1000 x 1000 m zone``. The checks that need the
zone's geometry, the radio model or the fleet live with those (``sim.world.checks``,
``sim.network.checks``, ``sim.fleet.checks``); ``sim.loading`` runs them all.
"""

from __future__ import annotations

from collections.abc import Iterable

from shapely.geometry import Polygon

from sim.errors import ScenarioError
from sim.scenario.models import Scenario


def _unique(section: str, items: Iterable, seen: dict[str, str]) -> None:
    for i, item in enumerate(items):
        if item.id in seen:
            raise ScenarioError(f"{section}.{i}.id: {item.id!r} is already used by {seen[item.id]}")
        seen[item.id] = f"{section}.{i}"


def check_structure(scenario: Scenario) -> None:
    """Raise ScenarioError for the first problem found."""
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
                raise ScenarioError(f"zone.{section}.{i}: the outline crosses itself or encloses no area")
            if any(not (0 <= x <= zone.width and 0 <= y <= zone.height) for x, y in ring):
                raise ScenarioError(
                    f"zone.{section}.{i}: a vertex lies outside the {zone.width:g} x {zone.height:g} m zone"
                )

    for section in ("docks", "cameras", "buoys", "gnbs", "drones"):
        for i, item in enumerate(getattr(scenario, section)):
            x, y = item.position
            if not (0 <= x <= zone.width and 0 <= y <= zone.height):
                raise ScenarioError(
                    f"{section}.{i}.position: ({x:g}, {y:g}) is outside the "
                    f"{zone.width:g} x {zone.height:g} m zone"
                )


def check_boats(scenario: Scenario) -> None:
    """Every boat names a dock, cruises no faster than its top speed and keeps a reserve below its battery."""
    dock_ids = [d.id for d in scenario.docks]
    for i, boat in enumerate(scenario.boats):
        if boat.dock not in dock_ids:
            raise ScenarioError(f"boats.{i}.dock: no dock {boat.dock!r} (docks: {', '.join(dock_ids)})")
        if boat.cruise_speed > boat.max_speed:
            raise ScenarioError(
                f"boats.{i}.cruise_speed: {boat.cruise_speed:g} m/s is above max_speed {boat.max_speed:g} m/s"
            )
        if boat.reserve_wh >= boat.battery_wh:
            raise ScenarioError(
                f"boats.{i}.reserve_wh: {boat.reserve_wh:g} Wh is not below battery_wh {boat.battery_wh:g}"
            )


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def check_hotspots(scenario: Scenario) -> None:
    """At every local hour and month when a kind's incidents can arrive, some area of that kind takes them.

    An area's weight at an hour and month is ``weight`` times its ``hourly_profile`` and
    ``monthly_profile`` there (:class:`~sim.scenario.zone_section.Area`); where every area's is zero while
    the kind's own profiles are not, an incident would have nowhere to happen.
    """
    for kind, section in (("swimming", "no_swimming"), ("fishing", "no_fishing")):
        areas = getattr(scenario.zone, section)
        if not areas:
            continue
        spec = getattr(scenario.incidents, kind)
        for month in range(12):
            for hour in range(24):
                if spec.hourly_profile[hour] * spec.monthly_profile[month] <= 0:
                    continue
                if all(area.weight_at(hour, month) <= 0 for area in areas):
                    raise ScenarioError(
                        f"zone.{section}: no area takes {kind} incidents at {hour:02d} h in {MONTHS[month]} "
                        f"(their hourly_profile or monthly_profile is 0 there) but incidents.{kind} "
                        "can arrive then"
                    )
