"""The network of one run: its radio map, the cameras' video load on each cell, the drone relay, and a
:class:`~sim.network.links.Link` per traffic class (or a trace replay), every transfer logged.

The engine asks it for links by traffic class (``alarm``, ``sensor``, ``command``, ``evidence``,
``heartbeat``, ``telemetry``); each link draws from its own stream ``network/<traffic>``.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

from sim.core.rng import RandomStreams
from sim.network.drone_relay import DroneRelay
from sim.network.links import DEFAULT_PROFILE, PROFILES, Direction, Link, LinkProfile, Transfer, profile_name
from sim.network.radio_map import CellLoad, RadioAccess, RadioMap, check_docks
from sim.network.traces import TRACE_PROFILE, TraceLink, read_trace
from sim.scenario.models import Scenario
from sim.world.geometry import WaterNavigator

MAPS_KEPT = 4
"""Radio maps kept for reuse, the least recently used dropped first: a run's figures and page redraw its
map, and a sweep's variants or an optimiser's trials that share the zone, ``network.radio``, the gNBs and a
seed share their map (in one process, about a tenth of a second of a short statistical run each)."""
CELLS_KEPT = 2_000_000
"""A map with more grid cells times gNBs is not kept (the bundled city's 1.2 M take about 25 MB: losses,
LOS states, received powers and rate maps), so the maps kept stay within a few hundred MB."""
_RECENT: OrderedDict[tuple[str, int], RadioMap] = OrderedDict()


def _radio_inputs(scenario: Scenario) -> str:
    """Everything a :class:`RadioMap` reads from ``scenario``, as canonical JSON: the key of equal maps."""
    return json.dumps(
        [
            scenario.zone.width,
            scenario.zone.height,
            scenario.network.radio.model_dump(mode="json"),
            [gnb.model_dump(mode="json") for gnb in scenario.gnbs],
        ],
        sort_keys=True,
    )


def radio_map_of(scenario: Scenario, seed: int) -> RadioMap:
    """The radio map of ``scenario`` at ``seed``, drawn from stream ``network/radio`` of
    :class:`RandomStreams` ``(seed)``: a pure function of the seed and of what the map reads (the zone's
    size, ``network.radio``, the gNBs), so one kept for an equal key (:data:`MAPS_KEPT`) is returned as it
    is (its arrays are read-only), else a new one is drawn."""
    key = (_radio_inputs(scenario), seed)
    if (known := _RECENT.get(key)) is not None:
        _RECENT.move_to_end(key)
        return known
    radio_map = RadioMap(scenario, RandomStreams(seed).stream("network/radio"))
    if radio_map.cells <= CELLS_KEPT:
        _RECENT[key] = radio_map
        while len(_RECENT) > MAPS_KEPT:
            _RECENT.popitem(last=False)
    return radio_map


class RunNetwork:
    """Radio map, cell load, drone relay and links of one run."""

    def __init__(
        self,
        scenario: Scenario,
        streams: RandomStreams,
        navigator: WaterNavigator,
        patrol_points_used: bool,
    ):
        """``patrol_points_used``: the dispatch policy keeps idle boats at ``dispatch.patrol_points``
        (they must have coverage, as docks must)."""
        self.scenario = scenario
        self.streams = streams
        self.transfers: list[Transfer] = []
        """Every message of the run, in the order they were sent."""
        self._fixed_senders = (*scenario.cameras, *scenario.buoys)  # radios at their own height
        streams.stream("network/radio")  # the map's stream: issued here, so no other component takes it
        self.radio_map = radio_map_of(scenario, streams.seed)
        self.cell_load = CellLoad(scenario, self.radio_map, self.profile("alarm"))
        evidence = self.profile("evidence")
        check_docks(scenario, self.radio_map, evidence, patrol_points_used)
        self.relay = DroneRelay(scenario, self.radio_map, navigator, evidence)

    def profile_name(self, traffic: str) -> str:
        """The link profile (or ``trace``) a traffic class uses."""
        network = self.scenario.network
        return profile_name(traffic, getattr(network.traffic, traffic), network.profile)

    def profile(self, traffic: str) -> LinkProfile:
        """The radio profile of a traffic class (the default profile stands in for a trace)."""
        return PROFILES.get(self.profile_name(traffic), PROFILES["nr_embb"])

    def link(self, traffic: str, direction: Direction, with_inference: bool = False) -> Link | TraceLink:
        """The link of a traffic class; ``with_inference``: the message also waits for the inference
        time at the edge or in the cloud (alarms, sensor reports)."""
        network = self.scenario.network
        rng = self.streams.stream(f"network/{traffic}")
        name = self.profile_name(traffic)
        if name == TRACE_PROFILE:
            service = PROFILES[DEFAULT_PROFILE.get(traffic, "nr_embb")].service
            delays = read_trace(Path(network.trace))
            return TraceLink(
                delays, network.trace_mode, rng, direction, traffic, service, self.transfers.append
            )
        profile = PROFILES[name]
        site = network.inference.value
        mmtc = network.mmtc
        fixed = {s.position: getattr(s, "height", network.radio.ue_height) for s in self._fixed_senders}
        access = RadioAccess(self.radio_map, profile, direction, self.cell_load, self.relay, fixed)
        return Link(
            profile,
            direction,
            backhaul_s=getattr(network.backhaul, site),
            rng=rng,
            access=access,
            processing_s=getattr(network.inference_time, site) if with_inference else 0.0,
            traffic=traffic,
            log=self.transfers.append,
            wake_up_s=mmtc.wake_up if profile.service.value == "mmtc" else 0.0,
            paging_cycle_s=mmtc.edrx_cycle if profile.service.value == "mmtc" else 0.0,
        )
