"""Checks of a scenario's radio network: carriers, numerologies and bandwidths within 3GPP's ranges,
each gNB's path-loss model used within its validity (TR 38.901 Table 7.4.1-1: distances, mast and UT
heights, carrier), drone heights and distances within TR 36.777's, link profiles that exist, a trace
file that can be read.

Each failure raises :class:`~sim.errors.ScenarioError` naming the key path and the valid range.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from sim.errors import ScenarioError, TraceError
from sim.network import aerial, radio
from sim.network.links import PROFILES
from sim.network.radio_map import path_loss_model
from sim.network.traces import TRACE_PROFILE, read_trace
from sim.scenario.models import Scenario

RADIO_MAP_BYTES_PER_CELL = 520.0
"""Peak memory of building a radio map per grid cell, besides the per-gNB part, bytes: the circulant
embedding of the correlated fields (a grid four times the map's, its FFT and its amplitude) dominates.
Measured with tracemalloc on fresh grids (10 m and 7 m over 5 km x 4 km), building the map and the rate
maps of three link profiles: 515, 532 and 600 B per cell with 1, 2 and 6 gNBs, i.e. 498 + 17 per gNB;
rounded up."""
RADIO_MAP_BYTES_PER_CELL_AND_GNB = 20.0
"""Peak memory per grid cell and gNB (LOS state, losses, received powers), bytes (measured as above)."""


def radio_map_cells(scenario: Scenario) -> int:
    """Grid cells of the scenario's radio map: cell centres every ``network.radio.resolution`` m."""
    resolution, zone = scenario.network.radio.resolution, scenario.zone
    return math.ceil(zone.width / resolution - 0.5) * math.ceil(zone.height / resolution - 0.5)


def radio_map_bytes(scenario: Scenario) -> float:
    """Estimated peak memory of building the scenario's radio map, bytes."""
    per_cell = RADIO_MAP_BYTES_PER_CELL + RADIO_MAP_BYTES_PER_CELL_AND_GNB * len(scenario.gnbs)
    return radio_map_cells(scenario) * per_cell


def physical_memory_bytes() -> float | None:
    """This machine's physical memory, bytes (None where the system does not say)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def check_map_size(scenario: Scenario, memory_bytes: float | None = None) -> None:
    """The radio map at ``network.radio.resolution`` fits in ``memory_bytes`` (default: this machine's).

    The error says how large the map would be and the coarsest whole-metre grid whose map takes at most
    half the memory (the rest of the run needs room too).
    """
    memory = physical_memory_bytes() if memory_bytes is None else memory_bytes
    need = radio_map_bytes(scenario)
    if memory is None or need <= memory:
        return
    resolution, zone = scenario.network.radio.resolution, scenario.zone
    fits = math.ceil(resolution * math.sqrt(need / (memory / 2)))
    raise ScenarioError(
        f"network.radio.resolution: a {resolution:g} m grid over the {zone.width:g} x {zone.height:g} m zone "
        f"has {radio_map_cells(scenario):,} cells; its radio map ({len(scenario.gnbs)} gNBs) would need "
        f"about {_gigabytes(need)} of memory and this machine has {_gigabytes(memory)}: "
        f"use a grid of {fits:g} m or coarser"
    )


def _gigabytes(size: float) -> str:
    return f"{size / 1e9:,.0f} GB" if size >= 10e9 else f"{size / 1e9:.1f} GB"


def check_radio(scenario: Scenario) -> None:
    """The radio map fits in memory; carrier, numerology and bandwidth within 3GPP's ranges; drone heights
    within TR 36.777's."""
    check_map_size(scenario)
    for i, gnb in enumerate(scenario.gnbs):
        where = f"gnbs.{i}"
        band = radio.frequency_range(gnb.frequency_ghz)
        if band is None or gnb.frequency_ghz < 0.5:
            raise ScenarioError(
                f"{where}.frequency_ghz: {gnb.frequency_ghz:g} GHz is outside NR FR1 (0.5-7.125 GHz for "
                "the TR 38.901 model) and FR2 (24.25-52.6 GHz)"
            )
        numerologies = sorted(mu for b, mu in radio.CHANNEL_BANDWIDTHS_MHZ if b == band)
        if gnb.numerology not in numerologies:
            raise ScenarioError(
                f"{where}.numerology: {gnb.numerology} ({15 * 2**gnb.numerology} kHz) is not used for data "
                f"in {band} (valid: {', '.join(map(str, numerologies))})"
            )
        bandwidths = radio.CHANNEL_BANDWIDTHS_MHZ[(band, gnb.numerology)]
        if gnb.bandwidth_mhz not in bandwidths:
            raise ScenarioError(
                f"{where}.bandwidth_mhz: {gnb.bandwidth_mhz:g} MHz is not a {band} channel bandwidth at "
                f"{15 * 2**gnb.numerology} kHz (valid: {', '.join(map(str, bandwidths))})"
            )
    check_validity(scenario)


def _outside(value: float, bounds: tuple[float, float]) -> bool:
    return not bounds[0] <= value <= bounds[1]


def check_validity(scenario: Scenario) -> None:
    """Every gNB's TR 38.901 model within its validity (Table 7.4.1-1); the drones within TR 36.777's."""
    radio_config = scenario.network.radio
    for i, gnb in enumerate(scenario.gnbs):
        model = path_loss_model(gnb, scenario)
        valid = radio.VALIDITY[model]
        where = f"gnbs.{i}"
        source = f"{valid.name} (TR 38.901 Table 7.4.1-1"
        if _outside(gnb.frequency_ghz, valid.fc_ghz):
            raise ScenarioError(
                f"{where}.frequency_ghz: {gnb.frequency_ghz:g} GHz is outside {source}, §7.4.1): "
                f"{valid.span(valid.fc_ghz, 'GHz')}"
            )
        if _outside(gnb.height, valid.h_bs_m):
            raise ScenarioError(
                f"{where}.height: {gnb.height:g} m, but {source}) is defined for h_BS = "
                f"{valid.span(valid.h_bs_m, 'm')} (set gnbs.{i}.path_loss: uma, umi or rma to match the mast)"
            )
        heights = {"network.radio.ue_height": radio_config.ue_height}
        heights |= {f"cameras.{j}.height": camera.height for j, camera in enumerate(scenario.cameras)}
        for path, height in heights.items():
            if _outside(height, valid.h_ut_m):
                raise ScenarioError(
                    f"{path}: {height:g} m is outside the UT heights of {source}) used by {gnb.id!r}: "
                    f"{valid.span(valid.h_ut_m, 'm')}"
                )
        _check_distances(scenario, i, model)
    _check_drones(scenario)


def _farthest_m(scenario: Scenario, position: tuple[float, float]) -> float:
    """Horizontal distance from ``position`` to the farthest corner of the zone, m."""
    x, y = position
    corners = [(cx, cy) for cx in (0.0, scenario.zone.width) for cy in (0.0, scenario.zone.height)]
    return max(math.hypot(cx - x, cy - y) for cx, cy in corners)


def _check_distances(scenario: Scenario, i: int, model: radio.PathLossModel) -> None:
    """The zone lies within the model's d_2D range of gNB ``i`` (ground UEs and, with drones, aerial ones)."""
    gnb = scenario.gnbs[i]
    far = _farthest_m(scenario, gnb.position)
    limits = [(radio.VALIDITY[model].d_2d_m[1], f"{radio.VALIDITY[model].name} (TR 38.901 Table 7.4.1-1)")]
    if scenario.drones:
        limits.append((aerial.AERIAL_MAX_D2D_M[model], f"{aerial.AERIAL_NAMES[model]} (TR 36.777 Table B-2)"))
    for limit, name in limits:
        if far > limit:
            raise ScenarioError(
                f"gnbs.{i}.position: the zone reaches {far:.2f} m from {gnb.id!r}; {name} holds up to "
                f"d_2D = {limit:g} m"
            )


def _check_drones(scenario: Scenario) -> None:
    """Drone altitudes within the aerial-UE heights of every gNB's TR 36.777 model (Table B-2)."""
    models = {path_loss_model(gnb, scenario) for gnb in scenario.gnbs}
    for i, drone in enumerate(scenario.drones):
        for model in sorted(models):
            low, high = aerial.AERIAL_HEIGHT_M[model]
            if not low < drone.altitude <= high:
                raise ScenarioError(
                    f"drones.{i}.altitude: {drone.altitude:g} m is outside the aerial-UE heights of "
                    f"{aerial.AERIAL_NAMES[model]} (TR 36.777 Table B-2): above {low:g} m, at most {high:g} m"
                )


def check_profiles(scenario: Scenario) -> None:
    """Every link profile named exists; the ``trace`` profile has a readable ``network.trace``."""
    names = {"network.profile": scenario.network.profile}
    names |= {f"network.traffic.{k}": v for k, v in scenario.network.traffic.model_dump().items() if v}
    valid = sorted([*PROFILES, TRACE_PROFILE])
    for path, name in names.items():
        if name not in valid:
            raise ScenarioError(f"{path}: unknown link profile {name!r} (valid: {', '.join(valid)})")
    if TRACE_PROFILE in names.values():
        if scenario.network.trace is None:
            path = next(p for p, n in names.items() if n == TRACE_PROFILE)
            raise ScenarioError(
                f"{path}: profile 'trace' needs network.trace, a CSV file of measured latencies"
            )
        try:
            read_trace(Path(scenario.network.trace))
        except TraceError as error:
            raise ScenarioError(f"network.trace: {error}") from None
