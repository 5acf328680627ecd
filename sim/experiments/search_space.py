"""The search space of a study: trial.suggest_* calls that turn an Optuna trial into scenario overrides.

Plain keys take a float or integer range (``log`` for log-uniform) or a list of choices. The planner's
decisions a plain key cannot express:

* ``cameras.N: {shore: camera}``: one number in [0, 1) along the shoreline (the water's outline less the
  zone's edges, where rivers leave the map), mapped to a pole ``setback`` m inland, facing straight out
  over the water or, with ``aim: <no-go area id>``, at that area's centroid (yaw in deg clockwise from north),
  or with ``yaw: free`` at a searched heading; ``pitch: [low, high]`` searches its depression too;
* ``docks.N: {shore: dock}`` and ``drones.N: {shore: drone}``: a dock or drone base at such a place;
* ``boats: {boats: [low, high], template: i}``: that many copies of ``boats.i`` (ids ``usv-1``...), given
  to the docks in turn.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import shapely
from shapely.geometry import LineString, Point

from sim.errors import OptimizeError, ScenarioError
from sim.experiments.optimize_study import Boats, Choices, Range, Shore, StudyFile, dimension
from sim.scenario.loading import set_key
from sim.scenario.models import Scenario
from sim.world.geometry import ZoneGeometry

EDGE_TOLERANCE_M = 0.5
"""Water outline within this distance of the zone's edge is where the water leaves the map, not shore, m."""

SHORE_SECTIONS = {"camera": "cameras", "dock": "docks", "drone": "drones"}
"""The scenario list each kind of shore place moves an entry of."""


class Shoreline:
    """The zone's shoreline as one parametrised path: ``place(u)`` for u in [0, 1) is a point on land."""

    def __init__(self, geometry: ZoneGeometry):
        edge = geometry.bounds.exterior.buffer(EDGE_TOLERANCE_M)
        outline = shapely.line_merge(geometry.water.boundary.difference(edge))
        parts = [g for g in shapely.get_parts(outline) if isinstance(g, LineString) and g.length > 0]
        if not parts:
            raise OptimizeError("space: the zone's water has no shoreline to place things along")
        self.parts = parts
        self.length = sum(part.length for part in parts)
        self.geometry = geometry

    def shore_point(self, u: float) -> tuple[Point, tuple[float, float]]:
        """The point at fraction ``u`` of the shoreline and the unit tangent there."""
        distance = (u % 1.0) * self.length
        for part in self.parts:
            if distance <= part.length:
                break
            distance -= part.length
        point = part.interpolate(distance)
        ahead = part.interpolate(min(distance + 0.5, part.length))
        behind = part.interpolate(max(distance - 0.5, 0.0))
        dx, dy = ahead.x - behind.x, ahead.y - behind.y
        norm = math.hypot(dx, dy) or 1.0
        return point, (dx / norm, dy / norm)

    def place(self, u: float, setback: float = 0.5) -> tuple[tuple[float, float], tuple[float, float]]:
        """A point on land ``setback`` m (at most) from the shore at ``u`` and the shore point it faces, m."""
        point, (tx, ty) = self.shore_point(u)
        directions = [(-ty, tx), (ty, -tx)]
        directions += [(math.cos(a / 8 * math.pi), math.sin(a / 8 * math.pi)) for a in range(16)]
        for scale in (1.0, 0.5, 0.25):
            for nx, ny in directions:
                candidate = Point(point.x + nx * setback * scale, point.y + ny * setback * scale)
                inside = self.geometry.bounds.contains(candidate)
                if inside and self.geometry.water.distance(candidate) > 1e-3:
                    return (round(candidate.x, 3), round(candidate.y, 3)), (point.x, point.y)
        raise OptimizeError(f"space: no land within {setback:g} m of the shore at {u:.4f}")


def bearing(origin: tuple[float, float], target: tuple[float, float]) -> float:
    """Compass bearing from ``origin`` to ``target``, deg clockwise from north in [0, 360)."""
    return round(math.degrees(math.atan2(target[0] - origin[0], target[1] - origin[1])) % 360.0, 3)


class SearchSpace:
    """A study's ``space:`` over its scenario mapping ``base``; every key checked when made."""

    def __init__(self, study: StudyFile, base: dict, scenario: Scenario, where: str):
        """``base``: the scenario mapping with the study's ``set:`` applied; ``scenario``: it, validated."""
        self.base = base
        self.dimensions = {key: dimension(raw, f"{where}: space: {key}") for key, raw in study.space.items()}
        self.shoreline = Shoreline(ZoneGeometry(scenario))
        self.areas = {a.id: a for a in (*scenario.zone.no_swimming, *scenario.zone.no_fishing)}
        for key, dim in self.dimensions.items():
            self._check(key, dim, f"{where}: space: {key}")
        self._check_costs(study, where)

    def _check(self, key: str, dim: Any, where: str) -> None:
        if isinstance(dim, Range | Choices):
            probe = dim.choices[0] if isinstance(dim, Choices) else dim.low
            try:
                set_key(copy.deepcopy(self.base), key, probe, where)
            except ScenarioError as error:
                raise OptimizeError(str(error)) from None
        elif isinstance(dim, Shore):
            section, _, index = key.partition(".")
            if section != SHORE_SECTIONS[dim.shore] or not index.isdigit():
                raise OptimizeError(
                    f"{where}: shore: {dim.shore} moves an entry {SHORE_SECTIONS[dim.shore]}.N"
                )
            if int(index) >= len(self.base.get(section) or []):
                raise OptimizeError(f"{where}: {section} has {len(self.base.get(section) or [])} entries")
            if dim.aim is not None and dim.aim not in self.areas:
                raise OptimizeError(
                    f"{where}: aim: no no-go area {dim.aim!r} (valid: {', '.join(self.areas)})"
                )
        elif isinstance(dim, Boats):
            if key != "boats":
                raise OptimizeError(f"{where}: a boat count is the key boats")
            if dim.template >= len(self.base.get("boats") or []):
                raise OptimizeError(f"{where}: template: no boats.{dim.template} in the scenario")

    def _check_costs(self, study: StudyFile, where: str) -> None:
        uses_cost = any(o.column == "cost" for o in (*study.objectives, *study.constraints))
        if not uses_cost:
            return
        for key, dim in self.dimensions.items():
            item = dim.shore if isinstance(dim, Shore) else "boat" if isinstance(dim, Boats) else None
            if item is not None and item not in study.costs:
                raise OptimizeError(f"{where}: costs: no price for {item!r}, which space: {key} varies")

    def suggest(self, trial: Any) -> dict[str, Any]:
        """The scenario overrides (key -> value) of ``trial``, drawn through its ``suggest_*`` calls."""
        overrides: dict[str, Any] = {}
        for key, dim in self.dimensions.items():
            if isinstance(dim, Choices):
                index = trial.suggest_categorical(key, list(range(len(dim.choices))))
                overrides[key] = copy.deepcopy(dim.choices[index])
            elif isinstance(dim, Range) and dim.integer:
                overrides[key] = trial.suggest_int(key, int(dim.low), int(dim.high), log=dim.log)
            elif isinstance(dim, Range):
                overrides[key] = trial.suggest_float(key, dim.low, dim.high, log=dim.log)
            elif isinstance(dim, Shore):
                overrides |= self.shore_overrides(key, dim, trial.suggest_float(key, 0.0, 1.0))
                if dim.yaw == "free":
                    overrides[f"{key}.yaw"] = trial.suggest_float(f"{key}.yaw", 0.0, 360.0)
                if dim.pitch is not None:
                    overrides[f"{key}.pitch"] = trial.suggest_float(f"{key}.pitch", *dim.pitch)
            else:
                overrides["boats"] = self.fleet(dim, trial.suggest_int(key, *dim.boats))
        return overrides

    def shore_overrides(self, key: str, dim: Shore, u: float) -> dict[str, Any]:
        """``key.position`` (and a camera's ``key.yaw``) for the shore place at fraction ``u``."""
        position, faces = self.shoreline.place(u, dim.setback)
        overrides: dict[str, Any] = {f"{key}.position": list(position)}
        if dim.shore == "camera":
            target = faces if dim.aim is None else _centroid(self.areas[dim.aim].polygon)
            overrides[f"{key}.yaw"] = bearing(position, target)
        return overrides

    def fleet(self, dim: Boats, count: int) -> list[dict]:
        """``count`` copies of the template boat, ``usv-1``..., at the scenario's docks in turn."""
        template = self.base["boats"][dim.template]
        docks = [dock["id"] for dock in self.base["docks"]]
        return [
            {**copy.deepcopy(template), "id": f"usv-{i + 1}", "dock": docks[i % len(docks)]}
            for i in range(count)
        ]

    def apply(self, overrides: dict[str, Any], where: str) -> dict:
        """The base mapping with ``overrides`` set (a copy)."""
        data = copy.deepcopy(self.base)
        for key, value in overrides.items():
            set_key(data, key, copy.deepcopy(value), where)
        return data


def _centroid(polygon: Any) -> tuple[float, float]:
    centre = shapely.Polygon(polygon).centroid
    return centre.x, centre.y
