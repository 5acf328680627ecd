"""Speed of the network model against a plain numpy evaluation of the UMi path-loss formula.

What it measures
----------------
1. Coverage map: building the whole radio map of a scenario (default:
   ``scenarios/xuchang_lake.yaml``) at ``--resolution`` m (default 5 m, a
   200 × 200 grid on the 1 km² zone) — per gNB three correlated Gaussian
   fields (LOS state, LOS and NLOS shadowing), LOS draws, path loss — plus the
   downlink SINR, the uplink SNR and both throughput maps of ``nr_embb``.
   Reported in grid cells per second (cells × gNBs are the path-loss evaluations).
2. Per-transfer latency: ``Link.delay`` of the evidence link (uplink, camera
   cell load, logging on) from ``--transfers`` random positions on the water,
   reported in transfers per second.
3. Baseline, measured in the same run on the same grid: one vectorised numpy
   expression of the TR 38.901 UMi-Street Canyon NLOS formula,
   ``max(PL_LOS, 22.4 + 35.3 log d_3D + 21.3 log f_c − 0.3 (h_UT − 1.5))`` for every
   gNB and cell, with PL_LOS including its breakpoint. Each measurement prints
   its ratio to this baseline (grid cells per second).

Every timing is the best of ``--repeat`` runs. The machine's load average is
printed next to the numbers (the figures are only comparable on a quiet machine).

How to run (from the repository root)::

    python benchmarks/bench_network.py
    python benchmarks/bench_network.py --resolution 2 --transfers 50000 --repeat 5
"""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

import common
import numpy as np

from sim.core.rng import RandomStreams
from sim.engine import Simulation
from sim.loading import load_scenario

SPEED_OF_LIGHT = 299_792_458.0


def plain_umi_nlos(gx: np.ndarray, gy: np.ndarray, gnbs, h_ut: float) -> np.ndarray:
    """The baseline: TR 38.901 UMi NLOS path loss of every gNB over the grid, one numpy expression each."""
    out = []
    for gnb in gnbs:
        d2 = np.maximum(np.hypot(gx - gnb.position[0], gy - gnb.position[1]), 10.0)
        d3 = np.hypot(d2, gnb.height - h_ut)
        bp = 4 * (gnb.height - 1) * (h_ut - 1) * gnb.frequency_ghz * 1e9 / SPEED_OF_LIGHT
        log_f = math.log10(gnb.frequency_ghz)
        los = np.where(
            d2 <= bp,
            32.4 + 21 * np.log10(d3) + 20 * log_f,
            32.4 + 40 * np.log10(d3) + 20 * log_f - 9.5 * math.log10(bp**2 + (gnb.height - h_ut) ** 2),
        )
        out.append(np.maximum(los, 22.4 + 35.3 * np.log10(d3) + 21.3 * log_f - 0.3 * (h_ut - 1.5)))
    return np.stack(out)


def best_of(repeat: int, work) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, default=common.REPO_ROOT / "scenarios" / "xuchang_lake.yaml")
    parser.add_argument("--resolution", type=float, default=5.0, help="grid spacing, m")
    parser.add_argument("--transfers", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    scenario = load_scenario(args.scenario, [f"network.radio.resolution={args.resolution}"])
    load = os.getloadavg()
    print(f"load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")

    # The simulation owns the radio map, links and cell load; build it once for the transfers.
    simulation = Simulation(scenario, args.seed)
    radio_map = simulation.network.radio_map
    cells = radio_map.serving.size
    gnbs = len(scenario.gnbs)
    gx, gy = np.meshgrid(radio_map.x, radio_map.y)
    h_ut = scenario.network.radio.ue_height

    base_s, _ = best_of(args.repeat, lambda: plain_umi_nlos(gx, gy, scenario.gnbs, h_ut))
    base_rate = cells / base_s

    def coverage_map():
        from sim.network.links import PROFILES, Direction
        from sim.network.radio_map import RadioMap

        fresh = RadioMap(scenario, RandomStreams(args.seed).stream("network/radio"))
        for direction in Direction:
            fresh.rate_map(PROFILES["nr_embb"], direction)
        fresh.downlink_sinr_db(PROFILES["nr_embb"])
        return fresh

    map_s, _ = best_of(args.repeat, coverage_map)
    map_rate = cells / map_s

    rng = np.random.default_rng(args.seed)
    water = simulation.geometry.water
    minx, miny, maxx, maxy = water.bounds
    points = rng.uniform((minx, miny), (maxx, maxy), size=(args.transfers * 3, 2))
    import shapely

    points = points[shapely.contains_xy(water, points[:, 0], points[:, 1])][: args.transfers]
    link = simulation.dispatch.evidence_link

    def transfers():
        simulation.network.transfers.clear()
        for x, y in points:
            link.delay(1_000_000, (x, y), 0.0)

    transfer_s, _ = best_of(args.repeat, transfers)
    transfer_rate = len(points) / transfer_s

    print(
        f"scenario {scenario.name}: {len(radio_map.y)} x {len(radio_map.x)} grid at {args.resolution:g} m, "
        f"{gnbs} gNBs, best of {args.repeat}"
    )
    print(f"baseline numpy UMi NLOS formula : {base_s * 1e3:9.2f} ms  {base_rate:14,.0f} cells/s")
    print(
        f"coverage map (full radio model) : {map_s * 1e3:9.2f} ms  {map_rate:14,.0f} cells/s"
        f"   ratio to baseline {map_rate / base_rate:.4f} (baseline is {base_rate / map_rate:.0f}x faster)"
    )
    print(
        f"per-transfer latency (evidence) : {transfer_s * 1e3:9.2f} ms  {transfer_rate:14,.0f} transfers/s"
        f"  ratio to baseline cells/s {transfer_rate / base_rate:.4f}"
        f"  ({len(points)} transfers, {transfer_s / len(points) * 1e6:.1f} µs each)"
    )


if __name__ == "__main__":
    main()
