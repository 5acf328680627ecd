"""Zone geometry and shortest paths on water."""

import math

import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Polygon, box

from sim.world.geometry import WaterNavigator, ZoneGeometry, path_length, sample_in, truncate_path

# A 100 x 100 m pond with a wall (a jetty) from the south shore up to y = 80.
POND = box(0, 0, 100, 100).difference(box(40, 0, 60, 80))


@pytest.fixture(scope="module")
def pond() -> WaterNavigator:
    return WaterNavigator(POND, margin=1.0)


def test_path_around_a_wall_matches_hand_computation(pond):
    path = pond.path((20, 10), (80, 10))
    # With a 1 m margin the wall's top corners become (39, 81) and (61, 81).
    expected = 2 * math.hypot(39 - 20, 81 - 10) + (61 - 39)
    assert path_length(path) == pytest.approx(expected, abs=1e-6)
    np.testing.assert_allclose(path[1:-1], [[39, 81], [61, 81]], atol=1e-6)


def test_straight_path_when_in_sight(pond):
    path = pond.path((10, 10), (10, 90))
    np.testing.assert_allclose(path, [[10, 10], [10, 90]])


def test_path_stays_on_water_with_margin(pond):
    path = pond.path((5, 5), (95, 5))
    line = LineString(path)
    assert POND.buffer(1e-6).covers(line)
    assert line.distance(box(40, 0, 60, 80)) >= 1.0 - 1e-6


def test_graph_is_not_changed_by_queries(pond):
    nodes, edges = pond.graph.number_of_nodes(), pond.graph.number_of_edges()
    pond.path((20, 10), (80, 10))
    assert (pond.graph.number_of_nodes(), pond.graph.number_of_edges()) == (nodes, edges)


def test_path_length_agrees_with_networkx_on_the_prebuilt_graph(pond):
    # Between two graph vertices, the planner must equal networkx's Dijkstra on the same graph.
    a, b = 0, pond.graph.number_of_nodes() // 2
    xy = nx.get_node_attributes(pond.graph, "xy")
    assert pond.distance(xy[a], xy[b]) == pytest.approx(
        nx.dijkstra_path_length(pond.graph, a, b, weight="weight"), abs=1e-6
    )


def test_start_on_land_snaps_to_water(pond):
    path = pond.path((50, 40), (80, 10))  # (50, 40) is inside the wall
    assert pond.navigable.buffer(1e-6).covers(shapely.Point(path[0]))


def test_unconnected_water_has_no_path():
    two_ponds = shapely.union_all([box(0, 0, 40, 40), box(60, 0, 100, 40)])
    navigator = WaterNavigator(two_ponds, margin=1.0)
    with pytest.raises(ValueError, match="no water path"):
        navigator.path((10, 10), (90, 10))


def test_too_large_margin_is_an_error():
    with pytest.raises(ValueError, match="no water is left"):
        WaterNavigator(box(0, 0, 10, 10), margin=6.0)


@pytest.mark.parametrize(
    ("waypoints", "target", "radius", "expected"),
    [
        # Stops on the first segment where the circle is first met: x = 100 - 50.
        ([[0, 0], [100, 0]], (100, 0), 50, [[0, 0], [50, 0]]),
        # Already in range at the start.
        ([[0, 0], [100, 0]], (10, 0), 50, [[0, 0]]),
        # Never in range: the whole path.
        ([[0, 0], [100, 0]], (50, 500), 50, [[0, 0], [100, 0]]),
        # Second segment: from (100, 0) north towards (100, 100), target at (100, 100), radius 30.
        ([[0, 0], [100, 0], [100, 100]], (100, 100), 30, [[0, 0], [100, 0], [100, 70]]),
    ],
)
def test_truncate_path(waypoints, target, radius, expected):
    np.testing.assert_allclose(truncate_path(np.array(waypoints, float), target, radius), expected, atol=1e-9)


def test_sample_in_stays_inside():
    rng = np.random.default_rng(0)
    ring = Polygon([(0, 0), (10, 0), (0, 10)])
    points = [sample_in(ring, rng) for _ in range(200)]
    assert all(ring.contains(shapely.Point(p)) for p in points)
    with pytest.raises(ValueError):
        sample_in(Polygon(), rng)


def test_zone_geometry_of_the_default_scenario(default_scenario):
    geometry = ZoneGeometry(default_scenario)
    assert 0.25 <= geometry.water.area / geometry.bounds.area <= 1 / 3
    assert geometry.water.intersection(geometry.islands).area == pytest.approx(0, abs=1e-6)
    for area in geometry.no_swimming:
        assert geometry.water.buffer(1e-6).covers(area.region)
    for area in geometry.no_fishing:
        assert area.region.area > 0
        assert geometry.land.buffer(1e-6).covers(area.region)


# ---------------------------------------------------------------- same paths as the full visibility graph


class FullVisibility:
    """The planner before its graph was pruned: every vertex of the navigable water a node, start and goal
    joined to every node they see, Dijkstra. Built once per zone."""

    def __init__(self, water, margin: float):
        self.navigable = water.buffer(-margin, join_style="mitre").simplify(0.5)
        self.covering = self.navigable.buffer(1e-6)
        shapely.prepare(self.covering)
        polygons = getattr(self.navigable, "geoms", [self.navigable])
        rings = [r for p in polygons for r in (p.exterior, *p.interiors)]
        self.nodes = np.array([xy for ring in rings for xy in ring.coords[:-1]])
        i, j = np.triu_indices(len(self.nodes), k=1)
        seen = shapely.covers(self.covering, shapely.linestrings(np.stack([self.nodes[i], self.nodes[j]], 1)))
        self.graph = nx.Graph()
        for a, b in zip(i[seen], j[seen], strict=True):
            self.graph.add_edge(int(a), int(b), weight=math.dist(self.nodes[a], self.nodes[b]))

    def length(self, start, goal) -> float:
        """Shortest water path length between two points on navigable water, m."""
        if self.covering.covers(LineString([start, goal])):
            return math.dist(start, goal)
        graph = self.graph.copy()
        for name, xy in (("start", start), ("goal", goal)):
            rays = shapely.linestrings(np.stack([np.broadcast_to(xy, self.nodes.shape), self.nodes], 1))
            for node in np.flatnonzero(shapely.covers(self.covering, rays)):
                graph.add_edge(name, int(node), weight=math.dist(xy, self.nodes[node]))
        return nx.dijkstra_path_length(graph, "start", "goal")


def many_islands(seed: int = 0, count: int = 12) -> Polygon:
    """A 600 x 400 m lake with ``count`` hexagonal islands 6-15 m across, 12 m apart and off the shore."""
    rng = np.random.default_rng(seed)
    islands: list[Polygon] = []
    while len(islands) < count:
        x, y, radius = rng.uniform(40, 560), rng.uniform(40, 360), rng.uniform(6, 15)
        angles = np.linspace(0, 2 * np.pi, 7)[:-1] + rng.uniform(0, np.pi / 3)
        island = Polygon(np.column_stack([x + radius * np.cos(angles), y + radius * np.sin(angles)]))
        if all(island.distance(other) > 12 for other in islands):
            islands.append(island)
    return box(0, 0, 600, 400).difference(shapely.union_all(islands))


@pytest.fixture(scope="module")
def zones(default_scenario, city_scenario) -> dict[str, tuple[Polygon, FullVisibility]]:
    waters = {
        "default": ZoneGeometry(default_scenario).water,
        "many-islands": many_islands(),
        "city": ZoneGeometry(city_scenario).water,
    }
    return {name: (water, FullVisibility(water, 5.0)) for name, water in waters.items()}


@pytest.mark.parametrize("table", [True, False], ids=["tabled", "searched"])
@pytest.mark.parametrize("zone", ["default", "many-islands", "city"])
def test_paths_are_those_of_the_full_visibility_graph(zone, table, zones):
    """The pruned graph (reflex nodes, tangent joins), tabled or searched, gives the full graph's paths."""
    water, full = zones[zone]
    navigator = WaterNavigator(water, margin=5.0)
    if not table:
        navigator.TABLE_MAX_NODES = 0  # A* on the graph with the joins added, as for very large graphs
    rng = np.random.default_rng(7)
    checked = 0
    while checked < 15:
        start, goal = (tuple(rng.uniform(*np.reshape(full.navigable.bounds, (2, 2)))) for _ in range(2))
        if not all(full.navigable.contains(shapely.Point(xy)) for xy in (start, goal)):
            continue
        if navigator.body_of(start) != navigator.body_of(goal):
            continue
        path = navigator.path(start, goal)
        assert navigator.navigable.buffer(1e-6).covers(LineString(path))
        assert path_length(path) == pytest.approx(full.length(start, goal), abs=1e-6)
        checked += 1


def test_only_reflex_corners_are_nodes(pond):
    # The pond's outer corners turn towards the water: no shortest path bends there. The wall's two
    # top corners (1 m margin) are the only places a path can turn.
    assert sorted(pond.graph.nodes[n]["xy"] for n in pond.graph) == [(39.0, 81.0), (61.0, 81.0)]


def test_a_point_joins_only_corners_it_sees_and_is_tangent_at(pond):
    # From the west basin, (39, 81) is seen with the wall's west side beyond it: a path may bend there;
    # (61, 81) is hidden behind the wall.
    nodes, lengths = pond.joins((20.0, 10.0))
    assert [pond.graph.nodes[int(n)]["xy"] for n in nodes] == [(39.0, 81.0)]
    assert lengths == pytest.approx([math.hypot(19, 71)])
    # Straight above the wall both corners are seen, but the line to each runs along the wall's top:
    # tangent there (its neighbours on one side), so both are joined.
    assert len(pond.joins((50.0, 95.0))[0]) == 2


def test_the_water_body_of_a_point_is_kept_and_the_same():
    two_ponds = box(0, 0, 100, 100).union(box(200, 0, 300, 100))
    navigator = WaterNavigator(two_ponds, margin=1.0)
    points = [(50.0, 50.0), (250.0, 50.0), (130.0, 50.0), (170.0, 50.0), (50.0, 50.0)]  # the gap: nearest
    bodies = [navigator.body_of(p) for p in points]
    assert bodies[0] != bodies[1] and bodies[2] == bodies[0] and bodies[3] == bodies[1]
    assert bodies[4] == bodies[0] and len(navigator._body) == 4  # asked twice, kept once
    navigator.JOIN_CACHE_SIZE = 2  # full: emptied before the next is kept
    assert navigator.body_of(np.array([260.0, 40.0])) == bodies[1] and len(navigator._body) == 1
