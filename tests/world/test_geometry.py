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
