"""Checks of a scenario's fleet and dispatch: a known policy, boats that make headway against the
current and reach every no-go area from some dock, warnings that fit their interval, patrol points
on open water.

Each failure raises :class:`~sim.errors.ScenarioError` naming the key path.
"""

from __future__ import annotations

from shapely.geometry import Point

from sim.errors import ScenarioError
from sim.fleet.kinematics import current_field
from sim.fleet.policies import POLICIES, waits_on_water
from sim.scenario.models import Scenario
from sim.world.geometry import WaterNavigator, ZoneGeometry


def check_policy(scenario: Scenario) -> None:
    """``dispatch.policy`` names a registered policy."""
    if scenario.dispatch.policy not in POLICIES:
        raise ScenarioError(
            f"dispatch.policy: unknown policy {scenario.dispatch.policy!r} "
            f"(valid: {', '.join(sorted(POLICIES))})"
        )


def check_fleet(scenario: Scenario, geometry: ZoneGeometry) -> None:
    """Boats can make headway, reach the no-go areas from their docks, and wait where they are told."""
    flow = current_field(scenario.zone.current).max_speed()
    for i, boat in enumerate(scenario.boats):
        if flow >= boat.cruise_speed:
            raise ScenarioError(
                f"zone.current: {flow:g} m/s is not below boats.{i}.cruise_speed {boat.cruise_speed:g} m/s "
                f"({boat.id!r} could not make headway)"
            )
    on_scene = scenario.dispatch.on_scene
    for kind in ("swimming", "fishing"):
        interval = getattr(scenario.incidents, kind).compliance.warning_interval
        if on_scene.message_length > interval:
            raise ScenarioError(
                f"dispatch.on_scene.message_length: {on_scene.message_length:g} s is longer than "
                f"incidents.{kind}.compliance.warning_interval {interval:g} s"
            )
    navigator = WaterNavigator(geometry.water, scenario.zone.shore_margin)
    _check_reach(scenario, geometry, navigator)
    _check_patrol_points(scenario, navigator)


def _check_reach(scenario: Scenario, geometry: ZoneGeometry, navigator: WaterNavigator) -> None:
    """Every dock is on water that reaches a no-go area; every no-go area is reached from some dock."""
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
            raise ScenarioError(
                f"docks.{i}: {dock.id!r} is on water that reaches no no-swimming or no-fishing area "
                f"(boats keep {scenario.zone.shore_margin:g} m from the shore)"
            )
        served.update(reached)
    for section in ("no_swimming", "no_fishing"):
        for i, area in enumerate(getattr(geometry, section)):
            if area.id not in served:
                raise ScenarioError(
                    f"zone.{section}.{i}: {area.id!r} cannot be reached by boat from any dock"
                )


def _check_patrol_points(scenario: Scenario, navigator: WaterNavigator) -> None:
    points = scenario.dispatch.patrol_points
    if waits_on_water(scenario.dispatch.policy) and not points:
        raise ScenarioError(
            f"dispatch.patrol_points: policy {scenario.dispatch.policy!r} needs at least one point"
        )
    for i, (x, y) in enumerate(points):
        if not navigator.navigable.covers(Point(x, y)):
            raise ScenarioError(
                f"dispatch.patrol_points.{i}: ({x:g}, {y:g}) is not on water at least "
                f"{scenario.zone.shore_margin:g} m from the shore"
            )
