"""The network of one run: its radio map, the cameras' video load on each cell, the drone relay, and a
:class:`~sim.network.links.Link` per traffic class (or a trace replay), every transfer logged.

The engine asks it for links by traffic class (``alarm``, ``sensor``, ``command``, ``evidence``,
``heartbeat``, ``telemetry``); each link draws from its own stream ``network/<traffic>``.
"""

from __future__ import annotations

import weakref
from pathlib import Path

from sim.core.rng import RandomStreams
from sim.network.drone_relay import DroneRelay
from sim.network.links import DEFAULT_PROFILE, PROFILES, Direction, Link, LinkProfile, Transfer, profile_name
from sim.network.radio_map import CellLoad, RadioAccess, RadioMap, check_docks
from sim.network.traces import TRACE_PROFILE, TraceLink, read_trace
from sim.scenario.models import Scenario
from sim.world.geometry import WaterNavigator

_LATEST: list[tuple[Scenario, int, weakref.ref]] = []
"""The radio map built last, by (scenario, seed), held weakly: the one the run's figures and page redraw."""


def seeded_radio_map(scenario: Scenario, seed: int) -> RadioMap:
    """The radio map of ``scenario`` at ``seed`` (stream ``network/radio`` of :class:`RandomStreams`
    ``(seed)``): the one built last if it is still alive and of an equal scenario and the same seed (a
    run's, while its folder is written: the same map, drawn once), else a new one."""
    if _LATEST:
        known, known_seed, ref = _LATEST[0]
        same = known_seed == seed and (known is scenario or known == scenario)
        if same and (radio_map := ref()) is not None:
            return radio_map
    radio_map = RadioMap(scenario, RandomStreams(seed).stream("network/radio"))
    _remember(scenario, seed, radio_map)
    return radio_map


def _remember(scenario: Scenario, seed: int, radio_map: RadioMap) -> None:
    _LATEST[:] = [(scenario, seed, weakref.ref(radio_map))]


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
        self.radio_map = RadioMap(scenario, streams.stream("network/radio"))
        _remember(scenario, streams.seed, self.radio_map)
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
