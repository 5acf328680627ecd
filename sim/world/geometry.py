"""Zone geometry: water, land and no-go areas, and shortest paths on water.

All coordinates are metres, x east and y north from the zone's south-west
corner. Polygons are shapely geometries built once per scenario.

Paths on water use a visibility graph (the standard construction for
Euclidean shortest paths among polygonal obstacles, de Berg et al.,
*Computational Geometry*, ch. 15): the navigable water is the water buffered
inward by the shore margin; its vertices are graph nodes, an edge joins two
nodes whose straight segment stays on navigable water, and networkx finds
the shortest path after the start and goal are joined to the nodes they see.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import nearest_points

from sim.scenario.models import Scenario
from sim.scenario.zone_section import Area, hotspot_weight

# Tolerance for "segment on navigable water": boundary-touching segments count
# as inside, so paths may graze the buffered shore line (still `margin` from land).
_COVER_TOLERANCE_M = 1e-6


@dataclass(frozen=True)
class NoGoArea:
    """A no-swimming or no-fishing area, already intersected with where offenders can be."""

    id: str
    kind: str
    region: Polygon
    weight: float
    hourly: tuple[float, ...] | None = None
    """Multiplier of ``weight`` for each local hour 0..23 (None: 1 at every hour)."""
    monthly: tuple[float, ...] | None = None
    """Multiplier of ``weight`` for each month Jan..Dec (None: 1 in every month)."""

    def weight_at(self, hour: int, month: int) -> float:
        """The area's weight at local ``hour`` (0..23) of month index ``month`` (0 = January)."""
        return hotspot_weight(self.weight, self.hourly, self.monthly, hour, month)


def _no_go_areas(areas: tuple[Area, ...], kind: str, where: shapely.Geometry) -> tuple[NoGoArea, ...]:
    """The scenario's no-go ``areas`` of ``kind`` (swimming, fishing), each cut to ``where`` offenders of
    that kind can be (the water, the shore band)."""
    return tuple(
        NoGoArea(
            a.id,
            kind,
            Polygon(a.polygon).intersection(where),
            a.weight,
            a.hourly_profile,
            a.monthly_profile,
        )
        for a in areas
    )


class ZoneGeometry:
    """Water, land and no-go areas of one scenario."""

    def __init__(self, scenario: Scenario, fishing_band_m: float = 6.0):
        """``fishing_band_m``: fishers stand on land within this distance of the water, m."""
        zone = scenario.zone
        self.bounds = box(0.0, 0.0, zone.width, zone.height)
        islands = shapely.union_all([Polygon(ring) for ring in zone.islands]) if zone.islands else Polygon()
        self.islands = islands
        self.water = shapely.union_all([Polygon(ring) for ring in zone.water]).difference(islands)
        self.land = self.bounds.difference(self.water)
        self.shore_band = self.land.intersection(self.water.buffer(fishing_band_m))
        self.no_swimming = _no_go_areas(zone.no_swimming, "swimming", self.water)
        self.no_fishing = _no_go_areas(zone.no_fishing, "fishing", self.shore_band)
        shapely.prepare(self.water)
        shapely.prepare(self.land)
        self._no_go = {}

    def areas(self, kind: str) -> tuple[NoGoArea, ...]:
        return self.no_swimming if kind == "swimming" else self.no_fishing

    def no_go(self, kind: str) -> BaseGeometry:
        """Where ``kind`` (``swimming`` or ``fishing``) is forbidden: the union of its no-go areas, m
        (prepared, built once)."""
        if kind not in self._no_go:
            union = shapely.union_all([a.region for a in self.areas(kind)])
            shapely.prepare(union)
            self._no_go[kind] = union
        return self._no_go[kind]

    def on_water(self, x: np.ndarray, y: np.ndarray, tolerance: float = 1e-6) -> np.ndarray:
        """Boolean array: is each point on water (within ``tolerance`` m)."""
        return shapely.dwithin(self.water, shapely.points(np.asarray(x), np.asarray(y)), tolerance)


def sample_in(region: Polygon, rng: np.random.Generator) -> tuple[float, float]:
    """A uniform random point in ``region`` (rejection sampling from its bounding box)."""
    if region.is_empty:
        raise ValueError("cannot sample a point in an empty region")
    x0, y0, x1, y1 = region.bounds
    while True:
        xs = rng.uniform(x0, x1, 64)
        ys = rng.uniform(y0, y1, 64)
        inside = shapely.contains_xy(region, xs, ys)
        if inside.any():
            i = int(np.argmax(inside))
            return float(xs[i]), float(ys[i])


class WaterNavigator:
    """Shortest paths for boats on water, keeping ``margin`` metres from any land.

    Only the reflex vertices of the navigable water (where its outline turns away from the water: island
    corners, the tips of headlands) can be bends of a shortest path, so only they are graph nodes. A start
    or goal is joined to the nodes it sees whose line to it is tangent there (both neighbours of the node
    on one side of the line): a shortest path bends only around a corner it touches. Both prunings drop
    only edges no shortest path uses (de Berg et al. §15.2, the reduced visibility graph), so paths are
    those of the full visibility graph. The joins are tested in one vectorised shapely call per point
    and kept per point (docks and incident places recur). Shortest paths between nodes are tabled once
    (Floyd–Warshall), so a query is the best (join, table, join) sum over the two points' joins; graphs
    above ``TABLE_MAX_NODES`` are searched per query with A* instead.
    """

    JOIN_CACHE_SIZE = 4096
    """Points whose joins to the graph (and water body) are kept; the cache is emptied when it is full."""

    def __init__(self, water: Polygon, margin: float, simplify_m: float = 0.5):
        navigable = water.buffer(-margin, join_style="mitre").simplify(simplify_m)
        if navigable.is_empty:
            raise ValueError(f"no water is left after keeping {margin} m from the shore")
        self.navigable = navigable
        self._covering = navigable.buffer(_COVER_TOLERANCE_M)
        shapely.prepare(self._covering)
        self._nodes, self._before, self._after = _reflex_vertices(navigable)
        self._joins: dict[tuple[float, float], tuple[np.ndarray, np.ndarray]] = {}
        self._body: dict[tuple[float, float], int] = {}
        """:meth:`body_of` of the points asked about (docks, targets: asked at every dispatch), as joins."""
        self.graph = self._visibility_graph()
        # Separate pieces of navigable water: boats cannot pass between them.
        self._bodies = np.array(list(getattr(navigable, "geoms", [navigable])), dtype=object)

    def _visibility_graph(self) -> nx.Graph:
        nodes = self._nodes
        graph = nx.Graph()
        self._xy = [(float(x), float(y)) for x, y in nodes]
        for i, xy in enumerate(self._xy):
            graph.add_node(i, xy=xy)
        i, j = np.triu_indices(len(nodes), k=1)
        segments = shapely.linestrings(np.stack([nodes[i], nodes[j]], axis=1))
        visible = shapely.covers(self._covering, segments)
        lengths = np.hypot(*(nodes[i] - nodes[j]).T)
        graph.add_weighted_edges_from(
            (int(a), int(b), float(w))
            for a, b, w in zip(i[visible], j[visible], lengths[visible], strict=True)
        )
        return graph

    @cached_property
    def node_count(self) -> int:
        return self.graph.number_of_nodes()

    def snap(self, x: float, y: float) -> tuple[float, float]:
        """The nearest navigable point to (x, y); the point itself when already navigable."""
        point = Point(x, y)
        if self._covering.covers(point):
            return float(x), float(y)
        nearest = nearest_points(self.navigable, point)[0]
        return float(nearest.x), float(nearest.y)

    @property
    def body_count(self) -> int:
        return len(self._bodies)

    def body_distance(self, body: int, region: shapely.Geometry) -> float:
        """Distance from piece ``body`` of navigable water to ``region``, m."""
        return float(self._bodies[body].distance(region))

    def body_of(self, xy: tuple[float, float]) -> int:
        """Index of the piece of navigable water nearest to ``xy`` (two points on one piece are connected)."""
        if len(self._bodies) == 1:
            return 0
        if (known := self._body.get(xy := (xy[0], xy[1]))) is not None:
            return known
        if len(self._body) >= self.JOIN_CACHE_SIZE:
            self._body.clear()
        body = self._body[xy] = int(np.argmin(shapely.distance(self._bodies, Point(xy))))
        return body

    def joins(self, xy: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        """The nodes a path from or to ``xy`` may go to first (seen from ``xy``, tangent there) and their
        distances, m."""
        if (known := self._joins.get(xy)) is not None:
            return known
        if len(self._joins) >= self.JOIN_CACHE_SIZE:
            self._joins.clear()
        point = np.asarray(xy, dtype=float)
        candidates = np.flatnonzero(_tangent(point, self._nodes, self._before, self._after))
        segments = shapely.linestrings(
            np.stack([np.broadcast_to(point, (len(candidates), 2)), self._nodes[candidates]], axis=1)
        )
        seen = candidates[shapely.covers(self._covering, segments)]
        joined = seen, np.hypot(*(self._nodes[seen] - point).T)
        self._joins[xy] = joined
        return joined

    def path(self, start: tuple[float, float], goal: tuple[float, float]) -> np.ndarray:
        """Waypoints (k, 2) of a shortest water path from ``start`` to ``goal``, both snapped first.

        Raises ValueError when the two points are on unconnected water bodies.
        """
        start, goal = self.snap(*start), self.snap(*goal)
        if self._covering.covers(LineString([start, goal])):
            return np.array([start, goal])
        if len(self._nodes) > self.TABLE_MAX_NODES:
            return self._search(start, goal)
        (first, to_first), (last, from_last) = self.joins(start), self.joins(goal)
        distance, _ = self._table
        if len(first) and len(last):
            total = to_first[:, None] + distance[np.ix_(first, last)] + from_last[None, :]
            best = int(np.argmin(total))
            if np.isfinite(total.flat[best]):
                route = self._route(int(first[best // len(last)]), int(last[best % len(last)]))
                return np.array([start, *(self._xy[node] for node in route), goal])
        raise ValueError(f"no water path from {start} to {goal}")

    TABLE_MAX_NODES = 800
    """Graphs up to this many nodes keep a table of all shortest paths between nodes (Floyd–Warshall: a
    fraction of a second at 300 nodes); larger ones are searched per query with A*."""

    @cached_property
    def _table(self) -> tuple[np.ndarray, np.ndarray]:
        """Shortest distances between nodes (n, n), m (inf: not connected), and the node after i on the way
        from i to j (Floyd–Warshall with next-hop tracking, vectorised over i and j)."""
        count = len(self._nodes)
        distance = np.full((count, count), np.inf)
        after = np.full((count, count), -1, dtype=np.int64)
        for a, b, weight in self.graph.edges(data="weight"):
            distance[a, b] = distance[b, a] = weight
            after[a, b], after[b, a] = b, a
        np.fill_diagonal(distance, 0.0)
        np.fill_diagonal(after, np.arange(count))
        for k in range(count):
            through = distance[:, k, None] + distance[None, k, :]
            shorter = through < distance
            distance = np.where(shorter, through, distance)
            after = np.where(shorter, after[:, k, None], after)
        return distance, after

    def _route(self, first: int, last: int) -> list[int]:
        """The nodes of the shortest path from node ``first`` to node ``last``."""
        _, after = self._table
        route = [first]
        while route[-1] != last:
            route.append(int(after[route[-1], last]))
        return route

    def _search(self, start: tuple[float, float], goal: tuple[float, float]) -> np.ndarray:
        """A* on the graph with ``start`` and ``goal`` joined to it (graphs too large for the table)."""
        graph = self.graph
        graph.add_node("start", xy=start)
        graph.add_node("goal", xy=goal)
        try:
            for name, xy in (("start", start), ("goal", goal)):
                nodes, lengths = self.joins(xy)
                graph.add_weighted_edges_from(
                    (name, int(node), float(length)) for node, length in zip(nodes, lengths, strict=True)
                )
            ends, (gx, gy) = {"start": start, "goal": goal}, goal

            def heuristic(node: object, _: object) -> float:  # straight-line distance to the goal, m
                x, y = self._xy[node] if isinstance(node, int) else ends[node]
                return math.hypot(x - gx, y - gy)

            try:
                route = nx.astar_path(graph, "start", "goal", heuristic=heuristic, weight="weight")
            except nx.NetworkXNoPath:
                raise ValueError(f"no water path from {start} to {goal}") from None
            return np.array([graph.nodes[n]["xy"] for n in route])
        finally:
            graph.remove_nodes_from(["start", "goal"])

    def distance(self, start: tuple[float, float], goal: tuple[float, float]) -> float:
        """Length of the shortest water path between two points, m."""
        return path_length(self.path(start, goal))


def _reflex_vertices(navigable: shapely.Geometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The vertices (n, 2) where the outline turns away from the water, and each one's neighbours before
    and after it along the outline, m.

    Rings are oriented with the water on their left (exterior anticlockwise, holes clockwise), so a
    reflex vertex is a right turn.
    """
    nodes, before, after = [], [], []
    for polygon in getattr(navigable, "geoms", [navigable]):
        polygon = orient(polygon, sign=1.0)
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring.coords)[:-1]
            previous, following = np.roll(xy, 1, axis=0), np.roll(xy, -1, axis=0)
            turn = _cross(xy - previous, following - xy)
            reflex = turn < 0
            nodes.append(xy[reflex])
            before.append(previous[reflex])
            after.append(following[reflex])
    return np.concatenate(nodes), np.concatenate(before), np.concatenate(after)


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def _tangent(point: np.ndarray, nodes: np.ndarray, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Is the line from ``point`` to each node tangent to the outline there: both of the node's neighbours
    on one side of it (or on it)? Only such a node can be a path's first or last bend."""
    ray = nodes - point
    side_before = _cross(ray, before - nodes)
    side_after = _cross(ray, after - nodes)
    scale = np.hypot(*ray.T) ** 2 * np.hypot(*(before - nodes).T) * np.hypot(*(after - nodes).T)
    return side_before * side_after >= -1e-12 * scale


def path_length(waypoints: np.ndarray) -> float:
    """Length of a polyline (k, 2), m."""
    return float(np.hypot(*np.diff(waypoints, axis=0).T).sum())


def points_along(path: np.ndarray, step: float) -> np.ndarray:
    """Points every ``step`` m along a polyline (ends included)."""
    points = [np.asarray(path[:1], dtype=float)]
    for a, b in itertools.pairwise(path):
        n = max(1, math.ceil(math.dist(a, b) / step))
        points.append(a + (b - a) * (np.arange(1, n + 1) / n)[:, None])  # i / n as Python divides it
    return np.concatenate(points).astype(float)


def truncate_path(waypoints: np.ndarray, target: tuple[float, float], radius: float) -> np.ndarray:
    """The path cut at its first point within ``radius`` of ``target`` (whole path if never).

    Used to stop a boat as soon as the offender is within loudspeaker range.
    """
    target_xy = np.asarray(target, dtype=float)
    if np.hypot(*(waypoints[0] - target_xy)) <= radius:
        return waypoints[:1].copy()
    for k in range(1, len(waypoints)):
        a, b = waypoints[k - 1], waypoints[k]
        d = b - a
        f = a - target_xy
        # Solve |a + s d - target| = radius for the smallest s in [0, 1].
        qa, qb, qc = d @ d, 2 * (f @ d), f @ f - radius**2
        disc = qb * qb - 4 * qa * qc
        if qa > 0 and disc >= 0:
            s = (-qb - np.sqrt(disc)) / (2 * qa)
            if 0.0 <= s <= 1.0:
                return np.vstack([waypoints[:k], a + s * d])
    return waypoints.copy()
