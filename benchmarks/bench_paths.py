"""Boat path planning against bare networkx, and mission throughput of a 30-day run.

What it measures
----------------
1. **Paths.** On two zones, the water visibility graph is built once
   (:class:`sim.world.geometry.WaterNavigator`, margin 5 m), then ``--queries``
   random pairs of navigable points (seeded) are planned three ways:

   * ``WaterNavigator.path``: snapping, the straight-line shortcut, joining
     start and goal to the nodes they see, A* and the waypoint array: what the
     simulator pays per path;
   * ``Boat.route`` on the same pairs: the path plus the speed profile
     (:func:`sim.fleet.kinematics.plan_motion`) and its energy: what a mission pays;
   * bare ``networkx.shortest_path`` (Dijkstra) and ``networkx.astar_path`` on the
     same graph with start and goal already joined (joining is done outside the
     clock): the graph search alone.

   The ratio printed is (time per ``path``) / (time per bare search): the
   planning overhead around networkx. The zones are the default scenario's lake
   (one island) and a generated 1 km² lake with 50 islands (seeded hexagons
   of 8-20 m radius, kept 15 m apart and off the shore).
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
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = navigator.navigable.bounds
    points = []
    while len(points) < 2 * count:
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if navigator.navigable.contains(Point(x, y)):
            points.append((float(x), float(y)))
    return list(zip(points[::2], points[1::2], strict=True))


def time_bare(navigator: WaterNavigator, pairs, search) -> float:
    """Seconds of ``search(graph, 'start', 'goal')`` alone, summed over the pairs (joining not timed)."""
    graph = navigator.graph
    total = 0.0
    for start, goal in pairs:
        graph.add_node("start", xy=start)
        graph.add_node("goal", xy=goal)
        for name, xy in (("start", start), ("goal", goal)):
            for node in navigator._visible_from(xy):
                graph.add_edge(name, int(node), weight=float(np.hypot(*(navigator._nodes[node] - xy))))
        if navigator._covering.covers(shapely.LineString([start, goal])):
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
    pairs = query_pairs(navigator, queries, seed=1)
    boat = Boat(spec, pairs[0][0], navigator, simpy.Environment(), [])
    timings = {"path": [], "route": [], "dijkstra": [], "astar": []}
    for _ in range(repeat):
        gc.collect()
        began = CLOCK()
        for start, goal in pairs:
            navigator.path(start, goal)
        timings["path"].append(CLOCK() - began)
        began = CLOCK()
        for start, goal in pairs:
            boat._routes.clear()
            boat.route(start, goal)
        timings["route"].append(CLOCK() - began)
        timings["dijkstra"].append(time_bare(navigator, pairs, dijkstra))
        timings["astar"].append(time_bare(navigator, pairs, astar))
    best = {key: min(values) / queries for key, values in timings.items()}
    graph = navigator.graph
    size = f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
    print(f"\n== {name}: {size}, built in {build_s:.3f} s CPU")
    for key, label in (
        ("path", "WaterNavigator.path"),
        ("route", "Boat.route (path + speed profile + energy)"),
        ("dijkstra", "bare networkx.shortest_path (Dijkstra)"),
        ("astar", "bare networkx.astar_path"),
    ):
        print(f"  {label:45s} {best[key] * 1e3:8.3f} ms/path  {1 / best[key]:9.0f} paths/s")
    print(f"  ratio path / bare Dijkstra: {best['path'] / best['dijkstra']:.2f}")
    print(f"  ratio path / bare A*:       {best['path'] / best['astar']:.2f}")


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
    bench_missions(args.days)
    print(f"\nload after: {load()}")


if __name__ == "__main__":
    main()
