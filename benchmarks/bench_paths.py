"""Boat path planning against bare networkx, and mission throughput of a 30-day run.

What it measures
----------------
1. **Paths.** On three zones, the water visibility graph is built once
   (:class:`sim.world.geometry.WaterNavigator`, margin 5 m) with its table of
   shortest paths between nodes, then ``--queries`` random pairs of navigable
   points (seeded, new pairs in every repeat so no join is cached) are planned
   three ways:

   * ``WaterNavigator.path``: snapping, the straight-line shortcut, joining
     start and goal to the nodes they see and are tangent at, the best
     (join, table, join) sum and the waypoint array: what the simulator pays
     per path;
   * ``Boat.route`` on the same pairs: the path plus the speed profile
     (:func:`sim.fleet.kinematics.plan_motion`) and its energy: what a mission pays;
   * bare ``networkx.shortest_path`` (Dijkstra) and ``networkx.astar_path`` on the
     same graph with start and goal already joined (joining is done outside the
     clock): the graph search alone.

   The ratio printed is paths per second of ``path`` over paths per second of
   bare Dijkstra on the same graph (goal: at least 0.5 on the city zone). The
   zones are the default scenario's lake (one island), a generated 1 km² lake
   with 50 islands (seeded hexagons of 8-20 m radius, kept 15 m apart and off
   the shore) and the 5 km x 4 km waterways of ``scenarios/city_waterways.yaml``
   (a river, three lakes, seven islands).
2. **Missions.** The default scenario run for ``--days`` (30) simulated days
   from its start date (a July Saturday), timed around
   ``Simulation(...).advance()`` and ``collect()``: missions per wall second
   and simulated days per wall second.

Best of ``--repeat`` for the path timings, in process CPU time (the machine
is shared; CPU time does not count the others' load); the mission run prints
both. The exit code is 0 whatever the result: this is a measurement. It
prints ``uptime`` first and last, because this machine is shared.

How to run (from the repository root)::

    python benchmarks/bench_paths.py                  # 500 queries per zone, best of 3, 30 days
    python benchmarks/bench_paths.py --days 7 --queries 200
"""

from __future__ import annotations

import argparse
import gc
import math
import subprocess
import time

from common import REPO_ROOT  # first: one core, sim importable

# isort: split

import networkx as nx
import numpy as np
import shapely
import simpy
from shapely.geometry import Point, Polygon, box

from sim.engine import Simulation
from sim.fleet.boats import Boat
from sim.loading import load_scenario
from sim.world.geometry import WaterNavigator, ZoneGeometry

DEFAULT_SCENARIO = REPO_ROOT / "scenarios" / "xuchang_lake.yaml"
CITY_SCENARIO = REPO_ROOT / "scenarios" / "city_waterways.yaml"
CLOCK = time.process_time
"""Path timings use this process's CPU time: the machine is shared, and wall time counts the others' load."""


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def fifty_islands(seed: int = 0) -> Polygon:
    """A 900 x 900 m lake in a 1 km² zone with 50 hexagonal islands (8-20 m), 15 m apart and off the shore."""
    rng = np.random.default_rng(seed)
    lake = box(50, 50, 950, 950)
    islands: list[Polygon] = []
    while len(islands) < 50:
        x, y = rng.uniform(100, 900, 2)
        radius = rng.uniform(8, 20)
        angles = np.linspace(0, 2 * np.pi, 7)[:-1] + rng.uniform(0, np.pi / 3)
        island = Polygon(np.column_stack([x + radius * np.cos(angles), y + radius * np.sin(angles)]))
        if all(island.distance(other) > 15 for other in islands):
            islands.append(island)
    return lake.difference(shapely.union_all(islands))


def query_pairs(navigator: WaterNavigator, count: int, seed: int) -> list[tuple[tuple, tuple]]:
    """``count`` pairs of random navigable points on one water body (seeded)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = navigator.navigable.bounds
    pairs: list[tuple[tuple, tuple]] = []
    while len(pairs) < count:
        ends = rng.uniform((x0, y0), (x1, y1), (2, 2))
        start, goal = (tuple(float(v) for v in xy) for xy in ends)
        on_water = all(navigator.navigable.contains(Point(xy)) for xy in (start, goal))
        if on_water and navigator.body_of(start) == navigator.body_of(goal):
            pairs.append((start, goal))
    return pairs


def time_bare(navigator: WaterNavigator, pairs, search) -> float:
    """Seconds of ``search(graph, 'start', 'goal')`` alone, summed over the pairs (joining not timed)."""
    graph = navigator.graph
    covering = navigator.navigable.buffer(1e-6)
    total = 0.0
    for start, goal in pairs:
        graph.add_node("start", xy=start)
        graph.add_node("goal", xy=goal)
        for name, xy in (("start", start), ("goal", goal)):
            nodes, lengths = navigator.joins(xy)
            edges = zip(nodes, lengths, strict=True)
            graph.add_weighted_edges_from((name, int(n), float(w)) for n, w in edges)
        if covering.covers(shapely.LineString([start, goal])):
            graph.add_edge("start", "goal", weight=math.dist(start, goal))
        began = CLOCK()
        search(graph)
        total += CLOCK() - began
        graph.remove_nodes_from(["start", "goal"])
    return total


def astar(graph: nx.Graph):
    def heuristic(a, b):
        return math.dist(graph.nodes[a]["xy"], graph.nodes[b]["xy"])

    return nx.astar_path(graph, "start", "goal", heuristic=heuristic, weight="weight")


def dijkstra(graph: nx.Graph):
    return nx.shortest_path(graph, "start", "goal", weight="weight")


def bench_zone(name: str, water: Polygon, spec, queries: int, repeat: int) -> None:
    began = CLOCK()
    navigator = WaterNavigator(water, 5.0)
    build_s = CLOCK() - began
    began = CLOCK()
    navigator.path(*query_pairs(navigator, 1, seed=0)[0])  # the first query tables the graph's paths
    table_s = CLOCK() - began
    timings = {"path": [], "route": [], "dijkstra": [], "astar": []}
    for attempt in range(repeat):
        # Fresh pairs each time: the joins of a point are kept, and a repeat would find them all known.
        pairs, route_pairs = (query_pairs(navigator, queries, seed=10 * attempt + k) for k in (1, 2))
        boat = Boat(spec, pairs[0][0], navigator, simpy.Environment(), [])
        gc.collect()
        began = CLOCK()
        for start, goal in pairs:
            navigator.path(start, goal)
        timings["path"].append(CLOCK() - began)
        began = CLOCK()
        for start, goal in route_pairs:
            boat._routes.clear()
            boat.route(start, goal)
        timings["route"].append(CLOCK() - began)
        timings["dijkstra"].append(time_bare(navigator, pairs, dijkstra))
        timings["astar"].append(time_bare(navigator, pairs, astar))
    best = {key: min(values) / queries for key, values in timings.items()}
    graph = navigator.graph
    size = f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
    print(f"\n== {name}: {size}, built in {build_s:.3f} s CPU, paths tabled in {table_s:.3f} s")
    for key, label in (
        ("path", "WaterNavigator.path"),
        ("route", "Boat.route (path + speed profile + energy)"),
        ("dijkstra", "bare networkx.shortest_path (Dijkstra)"),
        ("astar", "bare networkx.astar_path"),
    ):
        print(f"  {label:45s} {best[key] * 1e3:8.3f} ms/path  {1 / best[key]:9.0f} paths/s")
    print(f"  paths per second, path / bare Dijkstra: {best['dijkstra'] / best['path']:.2f} (goal >= 0.5)")
    print(f"  paths per second, path / bare A*:       {best['astar'] / best['path']:.2f}")


def bench_missions(days: float) -> None:
    scenario = load_scenario(DEFAULT_SCENARIO, [f"run.duration={days}d"])
    gc.collect()
    began = time.perf_counter()
    cpu = time.process_time()
    simulation = Simulation(scenario)
    events = simulation.advance()
    advanced = time.perf_counter()
    result = simulation.collect(events, began)
    ended = time.perf_counter()
    missions = len(result.missions)
    wall = ended - began
    print(f"\n== missions: default scenario, {days:g} simulated days from {scenario.run.start:%Y-%m-%d}")
    print(f"  incidents {len(result.incidents)}, alarms {len(result.alarms)}, missions {missions}")
    print(f"  statuses {result.missions['status'].value_counts().to_dict()}")
    print(f"  construction + event loop {advanced - began:.2f} s, tables {ended - advanced:.2f} s")
    print(f"  tracks rows {len(result.tracks):,}; CPU {time.process_time() - cpu:.2f} s, wall {wall:.2f} s")
    print(f"  missions per wall second (whole run) {missions / wall:.1f}")
    print(f"  missions per wall second (event loop) {missions / (advanced - began):.1f}")
    print(f"  simulated days per wall second {days / wall:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=500, help="random pairs per zone")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of the path timings; the best counts")
    parser.add_argument("--days", type=float, default=30.0, help="simulated days of the mission run")
    args = parser.parse_args()
    print(f"load before: {load()}")
    scenario = load_scenario(DEFAULT_SCENARIO)
    spec = scenario.boats[0]
    bench_zone("default zone (xuchang_lake)", ZoneGeometry(scenario).water, spec, args.queries, args.repeat)
    bench_zone("generated zone, 50 islands", fifty_islands(), spec, args.queries, args.repeat)
    city = ZoneGeometry(load_scenario(CITY_SCENARIO)).water
    bench_zone("city zone (city_waterways, 5 x 4 km)", city, spec, args.queries, args.repeat)
    bench_missions(args.days)
    print(f"\nload after: {load()}")


if __name__ == "__main__":
    main()
